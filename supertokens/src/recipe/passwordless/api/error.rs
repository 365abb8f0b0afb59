//! Why a frontend API request did not succeed ([`ApiError`]), and how each reason is answered.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::core::CoreError;
use crate::recipe::passwordless::error::PasswordlessError;
use crate::recipe::passwordless::limits::RateLimited;
use crate::recipe::session::SessionError;

/// Why a request did not succeed.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 400 `{"message": …}`.
    BadInput(String),
    /// 200 `{"status":"GENERAL_ERROR","message": …}`.
    General(String),
    /// 200 `{"status": …}`.
    Status(&'static str),
    /// 429 with `Retry-After`.
    RateLimited(RateLimited),
    /// 404: a tenant id the routing rules do not accept.
    NotFound,
    /// 404 `{"message":"Unknown tenant"}`: the core has no such tenant.
    UnknownTenant,
    /// A session error, answered by the session recipe.
    Session(Box<SessionError>),
    /// 500; the detail is logged, never sent.
    Internal(String),
}

pub(super) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadInput(message.into())
}

/// Whether a core's 400 body says the tenant does not exist.
pub(super) fn is_unknown_tenant(body: &str) -> bool {
    body.contains("tenantId not found")
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match &e {
            // The tenant comes from the request path: a path that names no tenant is not found.
            CoreError::Status {
                status: 400, body, ..
            } if is_unknown_tenant(body) => ApiError::UnknownTenant,
            _ => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<PasswordlessError> for ApiError {
    fn from(e: PasswordlessError) -> Self {
        match e {
            PasswordlessError::RestartFlow => ApiError::Status("RESTART_FLOW_ERROR"),
            PasswordlessError::CodeGenerationFailed => ApiError::General(e.to_string()),
            PasswordlessError::Core(core) => core.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::BadInput(message) => (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({ "message": message })),
            )
                .into_response(),
            ApiError::General(message) => {
                axum::Json(json!({"status": "GENERAL_ERROR", "message": message})).into_response()
            }
            ApiError::Status(status) => axum::Json(json!({ "status": status })).into_response(),
            ApiError::RateLimited(limited) => limited.into_response(),
            ApiError::NotFound => StatusCode::NOT_FOUND.into_response(),
            ApiError::UnknownTenant => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"message": "Unknown tenant"})),
            )
                .into_response(),
            ApiError::Session(e) => e.into_response(),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "passwordless API failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::Json(json!({"message": "Internal server error"})),
                )
                    .into_response()
            }
        }
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;
