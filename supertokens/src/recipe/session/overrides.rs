//! Overrides: the session recipe's functions (core-facing) and frontend APIs as replaceable
//! closures. An override receives the current set and returns a new one, usually with
//! `..original` for what it leaves alone; wrapping is calling the saved original inside the new
//! closure. The SDK's own calls (the extractor, the refresh and sign-out APIs, the
//! [`SessionContainer`] methods) go through the overridden set.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::HeaderMap;
use serde_json::{Map, Value};

use super::{ResponseChanges, SessionContainer, SessionError};
use crate::SuperTokens;
use crate::core::cdi::{NewSession, TokenInfo};

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A replaceable async function.
pub type Func<I, O> = Arc<dyn Fn(I) -> BoxFuture<O> + Send + Sync>;

/// Input of [`SessionFunctions::create_new_session`].
#[derive(Debug, Clone)]
pub struct CreateNewSessionInput {
    /// The tenant.
    pub tenant_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// Custom access-token claims (protected claims already removed, `iss` set).
    pub access_token_payload: Map<String, Value>,
    /// Data kept in the core only.
    pub session_data_in_database: Map<String, Value>,
    /// Whether to skip issuing an anti-CSRF token (header transfer).
    pub disable_anti_csrf: bool,
}

/// Input of [`SessionFunctions::get_session`].
#[derive(Debug, Clone)]
pub struct GetSessionInput {
    /// The access token.
    pub access_token: String,
    /// The `anti-csrf` request header, if any.
    pub anti_csrf_token: Option<String>,
    /// Whether to compare the anti-CSRF token (`VIA_TOKEN` only).
    pub anti_csrf_check: bool,
    /// Whether to ask the core that the session still exists.
    pub check_database: bool,
}

/// A verified access token, as [`SessionFunctions::get_session`] returns it.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// The token that was verified, or the replacement the core issued.
    pub access_token: String,
    /// Whether `access_token` is a replacement the client must receive.
    pub access_token_updated: bool,
    /// The full payload of `access_token`.
    pub payload: Arc<Map<String, Value>>,
    /// The (primary) user id.
    pub user_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// The session handle.
    pub session_handle: String,
    /// The tenant.
    pub tenant_id: String,
    /// Expiry of `access_token`, milliseconds since the epoch.
    pub expiry_ms: i64,
}

/// Input of [`SessionFunctions::refresh_session`].
#[derive(Debug, Clone)]
pub struct RefreshSessionInput {
    /// The refresh token.
    pub refresh_token: String,
    /// The `anti-csrf` request header, if any.
    pub anti_csrf_token: Option<String>,
    /// Whether anti-CSRF tokens are off for this refresh (header transfer or custom header).
    pub disable_anti_csrf: bool,
}

/// Input of [`SessionFunctions::revoke_all_sessions_for_user`] and
/// [`SessionFunctions::get_all_session_handles_for_user`].
#[derive(Debug, Clone)]
pub struct UserSessionsInput {
    /// The user.
    pub user_id: String,
    /// The tenant (`None`: every tenant).
    pub tenant_id: Option<String>,
}

/// What the core knows about a session.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInformation {
    /// The handle.
    pub session_handle: String,
    /// The (primary) user id.
    pub user_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// Data kept in the core.
    pub session_data_in_database: Map<String, Value>,
    /// Expiry of the session (its refresh token), milliseconds since the epoch.
    pub expiry: i64,
    /// Custom claims of the access token.
    pub custom_claims_in_access_token_payload: Map<String, Value>,
    /// Creation time, milliseconds since the epoch.
    pub time_created: i64,
    /// The tenant.
    pub tenant_id: String,
}

/// Input of [`SessionFunctions::regenerate_access_token`].
#[derive(Debug, Clone)]
pub struct RegenerateInput {
    /// The current access token.
    pub access_token: String,
    /// The new custom claims (`None`: unchanged).
    pub new_access_token_payload: Option<Map<String, Value>>,
}

/// Outcome of [`SessionFunctions::regenerate_access_token`]: `None` when the session is gone.
#[derive(Debug, Clone)]
pub struct Regenerated {
    /// The custom claims now stored.
    pub user_data_in_jwt: Map<String, Value>,
    /// A new access token (absent when the input token had expired).
    pub access_token: Option<TokenInfo>,
}

/// The session recipe's core-facing functions. Replace or wrap any of them with
/// [`SessionConfig::override_functions`](super::SessionConfig::override_functions).
#[derive(Clone)]
pub struct SessionFunctions {
    /// Creates a session in the core.
    pub create_new_session: Func<CreateNewSessionInput, Result<NewSession, SessionError>>,
    /// Verifies an access token (locally, or with the core when needed).
    pub get_session: Func<GetSessionInput, Result<VerifiedToken, SessionError>>,
    /// Exchanges a refresh token for new tokens.
    pub refresh_session: Func<RefreshSessionInput, Result<NewSession, SessionError>>,
    /// Revokes one session; `true` if it existed.
    pub revoke_session: Func<String, Result<bool, SessionError>>,
    /// Revokes every session of a user; returns the revoked handles.
    pub revoke_all_sessions_for_user: Func<UserSessionsInput, Result<Vec<String>, SessionError>>,
    /// The live sessions of a user.
    pub get_all_session_handles_for_user:
        Func<UserSessionsInput, Result<Vec<String>, SessionError>>,
    /// What the core knows about a session (`None` if it does not exist).
    pub get_session_information: Func<String, Result<Option<SessionInformation>, SessionError>>,
    /// Replaces a session's data in the database; `false` if the session does not exist.
    pub update_session_data_in_database:
        Func<(String, Map<String, Value>), Result<bool, SessionError>>,
    /// Replaces the custom access-token claims and issues a new access token.
    pub regenerate_access_token: Func<RegenerateInput, Result<Option<Regenerated>, SessionError>>,
}

impl std::fmt::Debug for SessionFunctions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionFunctions").finish_non_exhaustive()
    }
}

/// The refresh API: the instance and the request headers in; the new session and the headers
/// carrying its tokens out.
pub type RefreshPost =
    Func<(SuperTokens, HeaderMap), Result<(SessionContainer, ResponseChanges), SessionError>>;

/// Outcome of the sign-out API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutOutcome {
    /// Signed out: `200 {"status":"OK"}`, tokens cleared.
    Ok,
    /// `200 {"status":"GENERAL_ERROR","message":…}`, tokens left as they are.
    GeneralError {
        /// Shown to the user.
        message: String,
    },
}

/// The session recipe's frontend APIs. `None` disables an API: its route is not served.
/// Replace, wrap or disable them with
/// [`SessionConfig::override_apis`](super::SessionConfig::override_apis).
#[derive(Clone)]
pub struct SessionApis {
    /// `POST {api_base_path}/session/refresh`: the instance and the request headers in; the new
    /// session and the headers carrying its tokens out (the body is `{}`).
    pub refresh_post: Option<RefreshPost>,
    /// `POST {api_base_path}/signout`: the verified session in (the tokens are cleared after an
    /// `Ok`).
    pub sign_out_post: Option<Func<SessionContainer, Result<SignOutOutcome, SessionError>>>,
}

impl std::fmt::Debug for SessionApis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionApis")
            .field("refresh_post", &self.refresh_post.is_some())
            .field("sign_out_post", &self.sign_out_post.is_some())
            .finish()
    }
}

impl SessionApis {
    pub(crate) fn defaults() -> Self {
        Self {
            refresh_post: Some(Arc::new(|(st, headers): (SuperTokens, HeaderMap)| {
                Box::pin(async move { super::refresh_session(&st, &headers).await })
            })),
            sign_out_post: Some(Arc::new(|session: SessionContainer| {
                Box::pin(async move {
                    session.revoke_session().await?;
                    Ok(SignOutOutcome::Ok)
                })
            })),
        }
    }
}
