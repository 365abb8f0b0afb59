//! The CDI versions the embedded core serves, and the one a request asked for.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The CDI versions the embedded core serves (CDI ≤ 5.4 session semantics), oldest first.
pub(crate) const SERVED_CDI_VERSIONS: &[&str] = &["4.0", "5.0", "5.1", "5.2", "5.3", "5.4"];

/// The newest served version: what a request without `cdi-version` gets.
pub(crate) fn newest() -> &'static str {
    SERVED_CDI_VERSIONS.last().copied().unwrap_or("5.4")
}

/// The CDI version a request asked for (`cdi-version` header; the newest served when absent).
/// Set by the service before routing; handlers whose shape depends on the version read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CdiVersion(pub(crate) String);

impl CdiVersion {
    /// Whether this version is at least `major.minor`.
    pub(crate) fn at_least(&self, major: u32, minor: u32) -> bool {
        let mut parts = self.0.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let have = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        have >= (major, minor)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CdiVersion {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CdiVersion>()
            .cloned()
            .unwrap_or_else(|| CdiVersion(newest().to_owned())))
    }
}
