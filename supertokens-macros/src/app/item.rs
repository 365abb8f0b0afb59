//! The function `#[supertokens::app]` goes on: `main`, async under a runtime attribute such as
//! `#[tokio::main]` (in either order), or sync.

use proc_macro2::{Span, TokenStream};
use syn::ItemFn;

use crate::errors::Errors;

/// The function, or `None` (with an error) when the item is not one `#[app]` can set up.
pub(crate) fn parse(item: TokenStream, errors: &mut Errors) -> Option<ItemFn> {
    let function: ItemFn = match syn::parse2(item) {
        Ok(function) => function,
        Err(_) => {
            errors.at_span(
                Span::call_site(),
                "`#[supertokens::app]` goes on the program's `main` function: \
                 `#[supertokens::app(...)] #[tokio::main] async fn main() { … }`",
            );
            return None;
        }
    };
    let sig = &function.sig;
    let mut ok = true;
    if let Some(receiver) = sig.receiver() {
        errors.at(
            receiver,
            "`#[supertokens::app]` goes on `main`, not on a method: remove `self`",
        );
        ok = false;
    } else if !sig.inputs.is_empty() {
        errors.at(
            &sig.inputs,
            "`main` takes no parameters: remove them (read command-line arguments with `std::env::args()`)",
        );
        ok = false;
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.at(
            &sig.generics,
            "`main` cannot be generic: remove the generic parameters",
        );
        ok = false;
    }
    if let Some(constness) = &sig.constness {
        errors.at(constness, "`main` cannot be `const`: remove `const`");
        ok = false;
    }
    if let Some(asyncness) = &sig.asyncness
        && !has_runtime_attribute(&function)
    {
        errors.at(
            asyncness,
            "an `async fn main` needs a runtime to run on: add `#[tokio::main]` \
             (above or below `#[supertokens::app(...)]`), or make `main` a plain `fn`",
        );
        ok = false;
    }
    ok.then_some(function)
}

/// Whether an attribute such as `#[tokio::main]` (or `#[tokio::test]`) will turn the async
/// function into a sync one after us.
fn has_runtime_attribute(function: &ItemFn) -> bool {
    function.attrs.iter().any(|attr| {
        let segments = &attr.path().segments;
        segments.len() >= 2
            && segments
                .last()
                .is_some_and(|last| last.ident == "main" || last.ident == "test")
    })
}
