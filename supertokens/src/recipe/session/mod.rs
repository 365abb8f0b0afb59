//! Sessions: token transfer (cookies or headers), verification against the core's JWKS, refresh,
//! sign-out, and [`SessionContainer`], the verified session a handler receives.

pub(crate) mod api;
mod protect;

pub use protect::{ANTI_CSRF_CHECK, ANTI_CSRF_DEFAULT, ANTI_CSRF_SKIP, MaybeVerified, Verified};

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

impl axum::response::IntoResponseParts for ResponseChanges {
    type Error = std::convert::Infallible;

    fn into_response_parts(
        self,
        res: axum::response::ResponseParts,
    ) -> Result<axum::response::ResponseParts, Self::Error> {
        Ok(res)
    }
}

/// A session error, answered as SuperTokens does (401 `unauthorised` / `try refresh token` /
/// `token theft detected`, 403 invalid claims).
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// No valid session.
    #[error("unauthorised: {message}")]
    Unauthorised {
        /// Why (not sent to the client).
        message: String,
    },
}

impl axum::response::IntoResponse for SessionError {
    fn into_response(self) -> axum::response::Response {
        axum::http::StatusCode::UNAUTHORIZED.into_response()
    }
}

/// A verified session.
#[derive(Debug, Clone)]
pub struct SessionContainer {}
