//! The attribute macros of supertokens-rs: `#[supertokens::app]` and `#[protected]`. Use them
//! through the `supertokens` crate, which re-exports them.

use proc_macro::TokenStream;

#[cfg(test)]
#[macro_use]
mod snapshot;

mod app;
mod args;
mod errors;
mod protected;

/// Sets SuperTokens up for the program: see the `supertokens` crate's documentation.
#[proc_macro_attribute]
pub fn app(args: TokenStream, item: TokenStream) -> TokenStream {
    app::expand(args.into(), item.into()).into()
}

/// Requires a verified session for an axum handler: see the `supertokens` crate's documentation.
#[proc_macro_attribute]
pub fn protected(args: TokenStream, item: TokenStream) -> TokenStream {
    protected::expand(args.into(), item.into()).into()
}
