//! Collects every error of one attribute, so a single compile reports them all (a missing
//! argument, a misspelt key and a bad value show up together instead of one per build).

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// The errors found so far, combined into one `syn::Error` (which keeps each message's span).
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    /// Adds an error.
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    /// Adds an error that underlines the whole of `node` (every token of it, not only the first).
    pub(crate) fn at<T: ToTokens>(&mut self, node: T, message: impl Display) {
        self.push(syn::Error::new_spanned(node, message));
    }

    /// Adds an error at `span`.
    pub(crate) fn at_span(&mut self, span: proc_macro2::Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The compile errors, or nothing.
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.0.map(|e| e.to_compile_error()).unwrap_or_default()
    }
}

/// The closest of `candidates` to a misspelt `name`, phrased as "did you mean `x`?", using
/// darling's suggestion logic (so the wording matches what darling-based macros print).
pub(crate) fn did_you_mean(name: &str, candidates: &[&str]) -> Option<String> {
    let text = darling::Error::unknown_value_with_alts(name, candidates.iter()).to_string();
    let start = text.find("Did you mean `")? + "Did you mean `".len();
    let end = start + text[start..].find('`')?;
    Some(text[start..end].to_string())
}

/// `` `a`, `b` or `c` `` for a message.
pub(crate) fn one_of(candidates: &[&str]) -> String {
    let quoted: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        assert_eq!(
            did_you_mean("flow_typ", &["flow_type", "contact_method"]).as_deref(),
            Some("flow_type")
        );
        assert_eq!(did_you_mean("zzz", &["flow_type", "contact_method"]), None);
    }

    #[test]
    fn lists_alternatives() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
