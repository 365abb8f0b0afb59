//! Passwordless sign-in: one-time codes and magic links, by e-mail and/or SMS.

pub(crate) mod api;

use crate::config::{AppInfo, ConfigError};
use crate::core::CoreClient;

/// Configuration of the passwordless recipe. Setters take SuperTokens' own spellings as strings
/// (so values may come from the environment); [`crate::ConfigBuilder::build`] validates them.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct PasswordlessConfig {}

impl PasswordlessConfig {
    /// Every problem of this configuration, given the app info (empty when valid).
    pub(crate) fn validate(&self, _app_info: &AppInfo) -> Vec<ConfigError> {
        Vec::new()
    }
}

/// The passwordless recipe of an initialised SDK.
pub(crate) struct PasswordlessRecipe {}

impl PasswordlessRecipe {
    pub(crate) fn new(
        _config: &PasswordlessConfig,
        _app_info: &AppInfo,
        _core: CoreClient,
    ) -> Result<Self, crate::Error> {
        Ok(Self {})
    }
}
