//! The configuration rule book of supertokens-rs, shared by the runtime crate (values read at
//! start-up, e.g. from `env("…")`) and the macros (literals checked at compile time), so that each
//! rule, and each message, exists once. Internal: use the `supertokens` crate.
//!
//! Every rule takes the value as written and returns either the normalised value or an
//! [`Invalid`] saying what is wrong and how to fix it. The caller adds the field name.

pub mod app_info;
pub mod core;
pub mod passwordless;
pub mod session;

/// A value that breaks a rule: what is wrong and how to fix it, in one or two sentences that can
/// follow "invalid `field`: ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}
