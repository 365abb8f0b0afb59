//! Session endpoints (`rid: session`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A token with its timing, as the core returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The token.
    pub token: String,
    /// Milliseconds since the epoch (whole seconds × 1000 for access tokens).
    pub expiry: i64,
    /// Milliseconds since the epoch.
    pub created_time: i64,
}

/// The session part of create/refresh/verify/regenerate answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    /// The session handle.
    pub handle: String,
    /// The (primary) user id.
    pub user_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
    /// Custom claims of the access token.
    #[serde(rename = "userDataInJWT")]
    pub user_data_in_jwt: Map<String, Value>,
    /// The tenant.
    pub tenant_id: String,
}

/// `POST /<tenant>/recipe/session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionRequest {
    /// The (recipe) user id.
    pub user_id: String,
    /// Custom claims for the access token.
    #[serde(rename = "userDataInJWT")]
    pub user_data_in_jwt: Map<String, Value>,
    /// Data kept in the core only.
    pub user_data_in_database: Map<String, Value>,
    /// Whether to issue an anti-CSRF token.
    pub enable_anti_csrf: bool,
    /// `true`: sign with the rotating (`d-`) key; `false`: the static (`s-`) key.
    #[serde(default = "default_true")]
    pub use_dynamic_signing_key: bool,
}

fn default_true() -> bool {
    true
}

/// `POST /<tenant>/recipe/session` and `POST /recipe/session/refresh` success.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewSession {
    /// The session.
    pub session: SessionInfo,
    /// The new access token.
    pub access_token: TokenInfo,
    /// The new refresh token.
    pub refresh_token: TokenInfo,
    /// The anti-CSRF token, when enabled (omitted otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_csrf_token: Option<String>,
}

/// `POST /<tenant>/recipe/session` outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum CreateSessionResponse {
    /// Created.
    #[serde(rename = "OK")]
    Ok(NewSession),
}

/// `POST /recipe/session/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifySessionRequest {
    /// The access token.
    pub access_token: String,
    /// The anti-CSRF token from the request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_csrf_token: Option<String>,
    /// Whether to check the anti-CSRF token.
    pub do_anti_csrf_check: bool,
    /// Whether anti-CSRF tokens are in use.
    pub enable_anti_csrf: bool,
    /// Whether to check that the session still exists.
    pub check_database: bool,
}

/// `POST /recipe/session/verify` outcome (and `POST /recipe/session/regenerate`'s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum VerifySessionResponse {
    /// Valid; `access_token` is a replacement the client must receive (after regenerating:
    /// the new token, absent when the input token had expired).
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// The session.
        session: SessionInfo,
        /// A new access token (after promotion or a changed payload).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        access_token: Option<TokenInfo>,
    },
    /// The session has ended.
    #[serde(rename = "UNAUTHORISED")]
    Unauthorised {
        /// Why.
        message: String,
    },
    /// The access token cannot be used; refresh.
    #[serde(rename = "TRY_REFRESH_TOKEN")]
    TryRefreshToken {
        /// Why.
        message: String,
    },
}

/// `POST /recipe/session/refresh`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshSessionRequest {
    /// The refresh token.
    pub refresh_token: String,
    /// The anti-CSRF token from the request, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_csrf_token: Option<String>,
    /// Whether anti-CSRF tokens are in use.
    pub enable_anti_csrf: bool,
    /// `true`: sign with the rotating (`d-`) key; `false`: the static (`s-`) key.
    pub use_dynamic_signing_key: bool,
}

/// Who a stolen refresh token belonged to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TheftInfo {
    /// The session handle.
    pub handle: String,
    /// The (primary) user id.
    pub user_id: String,
    /// The recipe user id.
    pub recipe_user_id: String,
}

/// `POST /recipe/session/refresh` outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RefreshSessionResponse {
    /// New tokens.
    #[serde(rename = "OK")]
    Ok(NewSession),
    /// The session has ended, or the refresh token is invalid.
    #[serde(rename = "UNAUTHORISED")]
    Unauthorised {
        /// Why.
        message: String,
    },
    /// A refresh token was reused: the session is compromised.
    #[serde(rename = "TOKEN_THEFT_DETECTED")]
    TokenTheftDetected {
        /// The session concerned.
        session: TheftInfo,
    },
}

/// `POST /recipe/session/regenerate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegenerateSessionRequest {
    /// The current access token.
    pub access_token: String,
    /// The new custom claims (absent: unchanged).
    #[serde(
        rename = "userDataInJWT",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub user_data_in_jwt: Option<Map<String, Value>>,
}

/// `POST /recipe/session/regenerate` outcome, in the shape of the verify answer: `OK` (with no
/// `access_token` when the input token had expired) or `UNAUTHORISED`; the core never answers
/// `TRY_REFRESH_TOKEN` here.
pub type RegenerateSessionResponse = VerifySessionResponse;

/// `POST [/<tenant>]/recipe/session/remove`: either `session_handles`, or `user_id` (+ flags).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveSessionsRequest {
    /// Sessions to revoke.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_handles: Option<Vec<String>>,
    /// Revoke every session of this user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// With `user_id`: across all tenants (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_across_all_tenants: Option<bool>,
    /// With `user_id`: also linked accounts (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_sessions_for_linked_accounts: Option<bool>,
}

/// `POST [/<tenant>]/recipe/session/remove` outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RemoveSessionsResponse {
    /// The handles actually revoked.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Revoked handles.
        session_handles_revoked: Vec<String>,
    },
}

/// `GET [/<tenant>]/recipe/session/user?userId=`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum SessionHandlesResponse {
    /// The live sessions.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Their handles.
        session_handles: Vec<String>,
    },
}

/// `GET /recipe/session?sessionHandle=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum GetSessionResponse {
    /// Found.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// The handle.
        session_handle: String,
        /// The (primary) user id.
        user_id: String,
        /// The recipe user id.
        recipe_user_id: String,
        /// Data kept in the core.
        user_data_in_database: Map<String, Value>,
        /// Custom access-token claims.
        #[serde(rename = "userDataInJWT")]
        user_data_in_jwt: Map<String, Value>,
        /// Refresh-token expiry, milliseconds since the epoch.
        expiry: i64,
        /// Milliseconds since the epoch.
        time_created: i64,
        /// The tenant.
        tenant_id: String,
    },
    /// No such session.
    #[serde(rename = "UNAUTHORISED")]
    Unauthorised {
        /// Why.
        message: String,
    },
}

/// `PUT /recipe/session/data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSessionDataRequest {
    /// The session.
    pub session_handle: String,
    /// The new data.
    pub user_data_in_database: Map<String, Value>,
}

/// `PUT /<tenant>/recipe/jwt/data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateJwtDataRequest {
    /// The session.
    pub session_handle: String,
    /// The new custom claims.
    #[serde(rename = "userDataInJWT")]
    pub user_data_in_jwt: Map<String, Value>,
}

/// `PUT /recipe/session/data` and `PUT /<tenant>/recipe/jwt/data` outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum UpdateSessionResponse {
    /// Updated.
    #[serde(rename = "OK")]
    Ok,
    /// No such session.
    #[serde(rename = "UNAUTHORISED")]
    Unauthorised {
        /// Why.
        message: String,
    },
}
