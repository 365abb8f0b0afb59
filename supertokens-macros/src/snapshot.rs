//! Expansion snapshots: the output of an expand function, formatted with prettyplease and
//! compared with the reviewed file under `snapshots/` (`cargo insta review` after a change).

/// The expansion formatted as Rust source; panics (failing the test) if it does not parse.
pub(crate) fn pretty(tokens: proc_macro2::TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens.clone())
        .unwrap_or_else(|e| panic!("the expansion does not parse ({e}):\n{tokens}"));
    prettyplease::unparse(&file)
}

/// `snapshot!(name, (attribute arguments), item)`: a test that snapshots `expand(args, item)`
/// of the calling module.
macro_rules! snapshot {
    ($name:ident, ($($args:tt)*), $($item:tt)*) => {
        #[test]
        fn $name() {
            let tokens = super::expand(quote::quote!($($args)*), quote::quote!($($item)*));
            insta::with_settings!({ omit_expression => true }, {
                insta::assert_snapshot!(crate::snapshot::pretty(tokens));
            });
        }
    };
}
