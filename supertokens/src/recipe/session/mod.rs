//! Sessions: token transfer (cookies or headers), verification against the core's JWKS, refresh,
//! sign-out, and [`SessionContainer`], the verified session a handler receives.

/// Configuration of the session recipe. Setters take SuperTokens' own spellings as strings (so
/// values may come from the environment); [`crate::ConfigBuilder::build`] validates them.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SessionConfig {}

/// A verified session.
#[derive(Debug, Clone)]
pub struct SessionContainer {}
