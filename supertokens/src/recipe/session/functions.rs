//! The session recipe's functions: the core-facing operations every session flow goes through,
//! as an overridable trait ([`SessionFunctions`]), with their inputs and outputs.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::SessionError;
use crate::core::cdi::{NewSession, TokenInfo};
use crate::future::BoxFuture;

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
    pub access_token: Arc<str>,
    /// The `anti-csrf` request header, if any.
    pub anti_csrf_token: Option<String>,
    /// Whether to compare the anti-CSRF token (`VIA_TOKEN` only).
    pub anti_csrf_check: bool,
    /// Whether to ask the core that the session still exists.
    pub check_database: bool,
}

/// A verified access token, as [`SessionFunctions::get_session`] returns it. Its parts are
/// shared (`Arc`), so verifying a token seen before copies nothing.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    /// The token that was verified, or the replacement the core issued.
    pub access_token: Arc<str>,
    /// Whether `access_token` is a replacement the client must receive.
    pub access_token_updated: bool,
    /// The full payload of `access_token`.
    pub payload: Arc<Map<String, Value>>,
    /// The (primary) user id.
    pub user_id: Arc<str>,
    /// The recipe user id.
    pub recipe_user_id: Arc<str>,
    /// The session handle.
    pub session_handle: Arc<str>,
    /// The tenant.
    pub tenant_id: Arc<str>,
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

/// The session recipe's core-facing functions. The SDK's implementation calls the core (and
/// verifies access tokens locally); wrap it with
/// [`SessionConfig::override_functions`](super::SessionConfig::override_functions) to change
/// what a call does. Every method has a default that forwards to [`original`](Self::original),
/// so a wrapper implements only `original` and the methods it changes.
pub trait SessionFunctions: Send + Sync + 'static {
    /// The implementation this one wraps; unchanged methods forward to it.
    fn original(&self) -> &dyn SessionFunctions;

    /// Creates a session in the core.
    fn create_new_session(
        &self,
        input: CreateNewSessionInput,
    ) -> BoxFuture<'_, Result<NewSession, SessionError>> {
        self.original().create_new_session(input)
    }

    /// Verifies an access token (locally, or with the core when needed).
    fn get_session(
        &self,
        input: GetSessionInput,
    ) -> BoxFuture<'_, Result<VerifiedToken, SessionError>> {
        self.original().get_session(input)
    }

    /// Exchanges a refresh token for new tokens.
    fn refresh_session(
        &self,
        input: RefreshSessionInput,
    ) -> BoxFuture<'_, Result<NewSession, SessionError>> {
        self.original().refresh_session(input)
    }

    /// Revokes one session; `true` if it existed.
    fn revoke_session(&self, session_handle: String) -> BoxFuture<'_, Result<bool, SessionError>> {
        self.original().revoke_session(session_handle)
    }

    /// Revokes every session of a user; returns the revoked handles.
    fn revoke_all_sessions_for_user(
        &self,
        input: UserSessionsInput,
    ) -> BoxFuture<'_, Result<Vec<String>, SessionError>> {
        self.original().revoke_all_sessions_for_user(input)
    }

    /// The live sessions of a user.
    fn get_all_session_handles_for_user(
        &self,
        input: UserSessionsInput,
    ) -> BoxFuture<'_, Result<Vec<String>, SessionError>> {
        self.original().get_all_session_handles_for_user(input)
    }

    /// What the core knows about a session (`None` if it does not exist).
    fn get_session_information(
        &self,
        session_handle: String,
    ) -> BoxFuture<'_, Result<Option<SessionInformation>, SessionError>> {
        self.original().get_session_information(session_handle)
    }

    /// Replaces a session's data in the database; `false` if the session does not exist.
    fn update_session_data_in_database(
        &self,
        session_handle: String,
        data: Map<String, Value>,
    ) -> BoxFuture<'_, Result<bool, SessionError>> {
        self.original()
            .update_session_data_in_database(session_handle, data)
    }

    /// Replaces the custom access-token claims of a session by its handle; the tokens issued
    /// from then on (at the next refresh) carry them. `false` if the session does not exist.
    fn update_access_token_payload(
        &self,
        session_handle: String,
        payload: Map<String, Value>,
    ) -> BoxFuture<'_, Result<bool, SessionError>> {
        self.original()
            .update_access_token_payload(session_handle, payload)
    }

    /// Replaces the custom access-token claims and issues a new access token.
    fn regenerate_access_token(
        &self,
        input: RegenerateInput,
    ) -> BoxFuture<'_, Result<Option<Regenerated>, SessionError>> {
        self.original().regenerate_access_token(input)
    }
}
