//! The configuration rule book of supertokens-rs, shared by the runtime crate (values read at
//! start-up, e.g. from `env("…")`) and the macros (literals checked at compile time), so that each
//! rule, and each message, exists once. Internal: use the `supertokens` crate.
//!
//! Every rule takes the value as written and returns either the normalised value or an
//! [`Invalid`] saying what is wrong and how to fix it. The caller adds the field name. Settings
//! that SuperTokens spells as a fixed set of strings are enums whose [`FromStr`](std::str::FromStr)
//! is the rule (e.g. [`passwordless::FlowType`]); settings that must be present, and the recipes
//! that must be enabled, are in [`required`].

pub mod app_info;
pub mod core;
pub mod passwordless;
pub mod required;
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

/// The candidate closest to a misspelt `value`, if one is close enough to be what was meant
/// (Jaro-Winkler similarity above 0.8, as darling's "did you mean" uses).
///
/// ```
/// use supertokens_rules::did_you_mean;
/// assert_eq!(did_you_mean("flow_typ", &["flow_type", "contact_method"]), Some("flow_type"));
/// assert_eq!(did_you_mean("zzz", &["flow_type", "contact_method"]), None);
/// ```
pub fn did_you_mean<'a>(value: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<(f64, &'a str)> = None;
    for &candidate in candidates {
        let score = strsim::jaro_winkler(value, candidate);
        if score > 0.8 && best.is_none_or(|(top, _)| top < score) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// `message`, plus " (did you mean `"x"`?)" when `value` is close to one of `spellings` and the
/// message does not suggest one already: the error of an enum setting's `FromStr`.
fn not_one_of(message: String, value: &str, spellings: &[&str]) -> Invalid {
    match did_you_mean(value, spellings) {
        Some(close) if !message.contains("did you mean") => {
            Invalid(format!("{message} (did you mean `\"{close}\"`?)"))
        }
        _ => Invalid(message),
    }
}

/// Declares a setting SuperTokens spells as one of a few strings: the enum (`Debug`, `Copy`,
/// `Eq`, `Hash`), `ALL` (the spellings), `as_str` and `Display` (SuperTokens' spelling), and
/// `FromStr`, whose error (`refused`) is the rule's message for any other value.
///
/// `FromStr` takes the exact spelling; a setting spelled in lower case also takes any case and
/// surrounding spaces (`" Lax "`), as SuperTokens does for those.
macro_rules! spelled_enum {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $( $(#[$variant_attr:meta])* $variant:ident = $spelling:literal, )*
        }
        refused($value:ident) => $refused:expr;
    ) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_attr])* $variant, )*
        }

        impl $name {
            /// Every value, in SuperTokens' spelling.
            pub const ALL: &'static [&'static str] = &[$($spelling),*];

            /// SuperTokens' spelling.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $spelling, )*
                }
            }

            /// The value spelled exactly `spelling`.
            fn spelled(spelling: &str) -> Option<Self> {
                match spelling {
                    $( $spelling => Some($name::$variant), )*
                    _ => None,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Invalid;

            fn from_str($value: &str) -> Result<Self, $crate::Invalid> {
                Self::spelled($value)
                    .or_else(|| Self::spelled(&$value.trim().to_ascii_lowercase()))
                    .ok_or_else(|| $refused)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use spelled_enum;
