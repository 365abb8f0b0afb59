//! [`Secret`]: a string that stays out of debug output.

/// A secret string (an API key, a password, an auth token): its `Debug` output is
/// `Secret("<redacted>")`, so a configuration can derive `Debug` and be logged whole.
///
/// ```
/// use supertokens_cdi::Secret;
///
/// let key = Secret::from("very-secret-key");
/// assert_eq!(key.expose(), "very-secret-key");
/// assert_eq!(format!("{key:?}"), "Secret(\"<redacted>\")");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends or compares it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Secret").field(&"<redacted>").finish()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}
