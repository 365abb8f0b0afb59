//! Session errors and their HTTP answers (SuperTokens' exact statuses and bodies).

use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use super::response_changes::ResponseChanges;
use crate::core::CoreError;

/// One failed claim check, as sent in a 403 `invalid claim` answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClaimValidationError {
    /// The claim's id, e.g. `st-ev`.
    pub id: String,
    /// Why it failed (any JSON).
    pub reason: serde_json::Value,
}

/// What went wrong with a session.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SessionErrorKind {
    /// No valid session; answered `401 {"message":"unauthorised"}`, clearing the session tokens
    /// when `clear_tokens` is true.
    Unauthorised {
        /// Why (logged at debug level, not sent).
        message: String,
        /// Whether the answer clears the tokens.
        clear_tokens: bool,
    },
    /// The access token cannot be used as it is (expired, bad signature, anti-CSRF check
    /// failed); the frontend refreshes. `401 {"message":"try refresh token"}`.
    TryRefreshToken {
        /// Why (not sent).
        message: String,
    },
    /// A refresh token was used twice: the session was revoked.
    /// `401 {"message":"token theft detected"}`, tokens cleared.
    TokenTheftDetected {
        /// The revoked session.
        session_handle: String,
        /// Its user.
        user_id: String,
        /// Its recipe user.
        recipe_user_id: String,
    },
    /// Claim checks failed. `403 {"message":"invalid claim","claimValidationErrors":[…]}`.
    InvalidClaims {
        /// The failures.
        errors: Vec<ClaimValidationError>,
    },
    /// The request carried session cookies twice (old and new cookie domain); the answer clears
    /// the old ones. `200 {"message": …}`.
    ClearDuplicateSessionCookies {
        /// Sent as the message.
        message: String,
    },
    /// The core failed (500, with a generic body). The [`CoreError`] is the error's
    /// [`source`](std::error::Error::source).
    Core,
    /// Anything else that is not the client's fault (500, with a generic body).
    Other(String),
}

/// A session error. It answers as SuperTokens does (see [`SessionErrorKind`]); errors raised
/// while handling a request also carry the headers that clear the session tokens. An error
/// caused by another (a failed core call: a [`CoreError`]) keeps it as its
/// [`source`](std::error::Error::source).
///
/// ```
/// use axum::response::IntoResponse;
/// use supertokens::session::SessionError;
///
/// let response = SessionError::try_refresh_token("expired").into_response();
/// assert_eq!(response.status(), 401);
/// ```
#[derive(Debug)]
pub struct SessionError {
    pub(crate) inner: Box<ErrorInner>,
}

#[derive(Debug)]
pub(crate) struct ErrorInner {
    kind: SessionErrorKind,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    pub(crate) status: Option<u16>,
    pub(crate) changes: Option<ResponseChanges>,
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner.kind {
            SessionErrorKind::Unauthorised { message, .. } => write!(f, "unauthorised: {message}"),
            SessionErrorKind::TryRefreshToken { message } => {
                write!(f, "try refresh token: {message}")
            }
            SessionErrorKind::TokenTheftDetected { session_handle, .. } => {
                write!(f, "token theft detected for session {session_handle}")
            }
            SessionErrorKind::InvalidClaims { errors } => {
                write!(
                    f,
                    "invalid claims: {}",
                    errors
                        .iter()
                        .map(|e| e.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            SessionErrorKind::ClearDuplicateSessionCookies { message } => f.write_str(message),
            SessionErrorKind::Core => match &self.inner.source {
                Some(source) => write!(f, "session: core call failed: {source}"),
                None => f.write_str("session: core call failed"),
            },
            SessionErrorKind::Other(m) => write!(f, "session: {m}"),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<SessionErrorKind> for SessionError {
    fn from(kind: SessionErrorKind) -> Self {
        Self {
            inner: Box::new(ErrorInner {
                kind,
                source: None,
                status: None,
                changes: None,
            }),
        }
    }
}

impl From<CoreError> for SessionError {
    fn from(e: CoreError) -> Self {
        let mut error = SessionError::from(SessionErrorKind::Core);
        error.inner.source = Some(Box::new(e));
        error
    }
}

impl SessionError {
    /// What went wrong.
    pub fn kind(&self) -> &SessionErrorKind {
        &self.inner.kind
    }

    /// UNAUTHORISED, clearing the tokens.
    pub fn unauthorised(message: impl Into<String>) -> Self {
        SessionErrorKind::Unauthorised {
            message: message.into(),
            clear_tokens: true,
        }
        .into()
    }

    /// UNAUTHORISED without clearing the tokens (no session in the request).
    pub fn unauthorised_keep_tokens(message: impl Into<String>) -> Self {
        SessionErrorKind::Unauthorised {
            message: message.into(),
            clear_tokens: false,
        }
        .into()
    }

    /// TRY_REFRESH_TOKEN.
    pub fn try_refresh_token(message: impl Into<String>) -> Self {
        SessionErrorKind::TryRefreshToken {
            message: message.into(),
        }
        .into()
    }

    /// INVALID_CLAIMS.
    pub fn invalid_claims(errors: Vec<ClaimValidationError>) -> Self {
        SessionErrorKind::InvalidClaims { errors }.into()
    }

    pub(crate) fn other(message: impl Into<String>) -> Self {
        SessionErrorKind::Other(message.into()).into()
    }

    /// [`SessionErrorKind::Other`] caused by `source`.
    pub(crate) fn other_with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        let mut error = Self::other(message);
        error.inner.source = Some(Box::new(source));
        error
    }

    /// Whether the answer is a 401 "try refresh token".
    pub fn is_try_refresh_token(&self) -> bool {
        matches!(self.inner.kind, SessionErrorKind::TryRefreshToken { .. })
    }

    /// Whether the answer is a 401 "unauthorised".
    pub fn is_unauthorised(&self) -> bool {
        matches!(self.inner.kind, SessionErrorKind::Unauthorised { .. })
    }

    /// Whether this error's answer clears the session tokens.
    pub(crate) fn clears_tokens(&self) -> bool {
        matches!(
            self.inner.kind,
            SessionErrorKind::Unauthorised {
                clear_tokens: true,
                ..
            } | SessionErrorKind::TokenTheftDetected { .. }
        )
    }

    /// Attaches the request context: the configured statuses and the headers of the answer
    /// (token clearing); existing changes are kept and extended.
    pub(crate) fn with_context(
        mut self,
        expired: u16,
        invalid_claim: u16,
        changes: ResponseChanges,
    ) -> Self {
        self.inner.status = Some(match self.inner.kind {
            SessionErrorKind::InvalidClaims { .. } => invalid_claim,
            _ => expired,
        });
        let mut all = self.inner.changes.take().unwrap_or_default();
        all.extend(changes);
        self.inner.changes = Some(all);
        self
    }
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response {
    let mut response = Response::new(axum::body::Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        let status = |default: u16| {
            StatusCode::from_u16(self.inner.status.unwrap_or(default))
                .unwrap_or(StatusCode::UNAUTHORIZED)
        };
        let mut response = match &self.inner.kind {
            SessionErrorKind::Unauthorised { message, .. } => {
                tracing::debug!(reason = %message, "session: unauthorised");
                json_response(status(401), serde_json::json!({"message": "unauthorised"}))
            }
            SessionErrorKind::TryRefreshToken { message } => {
                tracing::debug!(reason = %message, "session: try refresh token");
                json_response(
                    status(401),
                    serde_json::json!({"message": "try refresh token"}),
                )
            }
            SessionErrorKind::TokenTheftDetected { session_handle, .. } => {
                tracing::warn!(session_handle = %session_handle, "session: refresh token reused, session revoked");
                json_response(
                    status(401),
                    serde_json::json!({"message": "token theft detected"}),
                )
            }
            SessionErrorKind::InvalidClaims { errors } => json_response(
                status(403),
                serde_json::json!({"message": "invalid claim", "claimValidationErrors": errors}),
            ),
            SessionErrorKind::ClearDuplicateSessionCookies { message } => {
                json_response(StatusCode::OK, serde_json::json!({"message": message}))
            }
            SessionErrorKind::Core | SessionErrorKind::Other(_) => {
                match (&self.inner.kind, &self.inner.source) {
                    (SessionErrorKind::Other(m), _) => {
                        tracing::error!(error = %m, "session: internal error");
                    }
                    (_, Some(source)) => {
                        tracing::error!(error = %source, "session: internal error");
                    }
                    _ => tracing::error!("session: internal error"),
                }
                json_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    serde_json::json!({"message": "internal error"}),
                )
            }
        };
        if let Some(changes) = self.inner.changes {
            changes.apply(&mut response);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> serde_json::Value {
        let bytes = http_body_util::BodyExt::collect(r.into_body())
            .await
            .unwrap()
            .to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn bodies_and_statuses() {
        let r = SessionError::unauthorised("x").into_response();
        assert_eq!(r.status(), 401);
        assert_eq!(
            r.headers()["content-type"],
            "application/json; charset=utf-8"
        );
        assert_eq!(
            body(r).await,
            serde_json::json!({"message": "unauthorised"})
        );

        let r = SessionError::try_refresh_token("x").into_response();
        assert_eq!(
            body(r).await,
            serde_json::json!({"message": "try refresh token"})
        );

        let e = SessionError::invalid_claims(vec![ClaimValidationError {
            id: "st-ev".into(),
            reason: serde_json::json!({"message": "wrong value"}),
        }])
        .with_context(440, 499, ResponseChanges::default());
        let r = e.into_response();
        assert_eq!(r.status(), 499);
        assert_eq!(
            body(r).await,
            serde_json::json!({"message": "invalid claim", "claimValidationErrors": [{"id": "st-ev", "reason": {"message": "wrong value"}}]})
        );

        let r = SessionError::other("secret detail").into_response();
        assert_eq!(r.status(), 500);
        assert_eq!(
            body(r).await,
            serde_json::json!({"message": "internal error"})
        );
    }
}
