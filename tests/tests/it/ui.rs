//! Compile-time behaviour of `#[supertokens::app]` and `#[protected]`: every misuse in
//! `ui/*/fail` must fail with the reviewed message in its `.stderr` (pointing at the offending
//! token), and every file in `ui/*/pass` must compile and run. Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p tests --test it ui::` and review the diff.

#[test]
fn app() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/app/pass/*.rs");
    cases.compile_fail("ui/app/fail/*.rs");
}

#[test]
fn protected() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/protected/pass/*.rs");
    cases.compile_fail("ui/protected/fail/*.rs");
}
