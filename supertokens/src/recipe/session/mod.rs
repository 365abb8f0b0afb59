//! Sessions: token transfer (cookies or headers), verification against the core's JWKS, refresh,
//! sign-out, and [`SessionContainer`], the verified session a handler receives.

pub(crate) mod api;

use crate::config::{AppInfo, ConfigError};
use crate::core::CoreClient;

/// Configuration of the session recipe. Setters take SuperTokens' own spellings as strings (so
/// values may come from the environment); [`crate::ConfigBuilder::build`] validates them.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct SessionConfig {}

impl SessionConfig {
    /// Every problem of this configuration, given the app info (empty when valid).
    pub(crate) fn validate(&self, _app_info: &AppInfo) -> Vec<ConfigError> {
        Vec::new()
    }
}

/// The session recipe of an initialised SDK.
pub(crate) struct SessionRecipe {}

impl SessionRecipe {
    pub(crate) fn new(
        _config: &SessionConfig,
        _app_info: &AppInfo,
        _core: CoreClient,
        _clock: crate::Clock,
    ) -> Result<Self, crate::Error> {
        Ok(Self {})
    }
}

/// Headers a session operation wants on the response (cookies, token headers, `front-token`,
/// `Access-Control-Expose-Headers`). Apply them with [`ResponseChanges::apply`].
#[derive(Debug, Default)]
#[must_use]
pub struct ResponseChanges {}

impl ResponseChanges {
    /// Writes the changes into a response (replacing a `Set-Cookie` of the same name, merging the
    /// exposed-header list).
    pub fn apply(self, _response: &mut axum::response::Response) {}
}

/// A verified session.
#[derive(Debug, Clone)]
pub struct SessionContainer {}
