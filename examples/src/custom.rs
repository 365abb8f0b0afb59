//! The app of the `custom` example, as a library so its tests can build it: a custom e-mail
//! delivery, an override of the passwordless functions, and routes of its own beside the SDK's.
//!
//! - [`send_to_outbox`] delivers sign-in e-mails by appending them, one JSON line each, to the
//!   file named by `SUPERTOKENS_OUTBOX` (default `outbox.jsonl`); [`Outbox`] is the same service
//!   for a file of your choosing.
//! - [`LogSignIns`] wraps the passwordless functions and logs every sign-in.
//! - [`api`]: `GET /me` and `POST /logout-everywhere` behind a [`SessionGuard`], `GET /maybe`
//!   with an optional session, and `/sessioninfo` for the login page ([`crate::routes`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use supertokens::passwordless::{
    BoxFuture, ConsumeCodeRequest, ConsumeCodeResponse, CoreError, DeliveryError, EmailDelivery,
    LoginMessage, PasswordlessFunctions,
};
use supertokens::session::{SessionContainer, SessionError, SessionGuard};
use supertokens::{SuperTokens, protected};
use tokio::io::AsyncWriteExt as _;

/// The routes of the `custom` example, without the SDK's (merge `supertokens::router()` or
/// `st.router()`) and without CORS.
pub fn api() -> Router {
    // Every route of `private` needs a session; its handlers take it with the plain extractor.
    let private = Router::new()
        .route("/me", get(me))
        .route("/logout-everywhere", post(logout_everywhere))
        .route_layer(SessionGuard::new());
    crate::routes().merge(private).route("/maybe", get(maybe))
}

/// `GET /me`: the signed-in user, with the e-mail the passwordless recipe knows. Takes the
/// `SuperTokens` instance as an extractor to look the user up.
async fn me(st: SuperTokens, session: SessionContainer) -> Result<Json<Value>, StatusCode> {
    let passwordless = st.passwordless().ok_or(StatusCode::NOT_FOUND)?;
    let user = passwordless
        .get_user_by_id(session.user_id())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "looking up the signed-in user failed");
            StatusCode::SERVICE_UNAVAILABLE
        })?;
    Ok(Json(json!({
        "userId": session.user_id(),
        "emails": user.map(|u| u.emails).unwrap_or_default(),
    })))
}

/// `GET /maybe`: answers with and without a session.
#[protected(optional)]
async fn maybe(session: Option<SessionContainer>) -> Json<Value> {
    Json(match session {
        Some(session) => json!({ "signedIn": true, "userId": session.user_id() }),
        None => json!({ "signedIn": false }),
    })
}

/// `POST /logout-everywhere`: revokes every session of the user. The response clears this
/// request's tokens, as sign-out does.
async fn logout_everywhere(session: SessionContainer) -> Result<Json<Value>, SessionError> {
    let revoked = session.revoke_all_for_user().await?;
    Ok(Json(json!({ "revokedSessions": revoked.len() })))
}

/// The e-mail delivery of the example: appends the message to the outbox file named by
/// `SUPERTOKENS_OUTBOX` (default `outbox.jsonl` in the working directory).
pub async fn send_to_outbox(message: LoginMessage) -> Result<(), DeliveryError> {
    let path = std::env::var_os("SUPERTOKENS_OUTBOX").unwrap_or_else(|| "outbox.jsonl".into());
    Outbox::new(path).write(&message).await
}

/// A delivery service that appends each message as one JSON line to a file:
/// `{"to", "userInputCode", "urlWithLinkCode", "preAuthSessionId", "codeLifetimeSecs"}`.
///
/// The file holds sign-in codes: it is created readable by its owner only.
#[derive(Debug, Clone)]
pub struct Outbox {
    path: PathBuf,
}

impl Outbox {
    /// An outbox writing to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file it writes to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn write(&self, message: &LoginMessage) -> Result<(), DeliveryError> {
        let mut line = json!({
            "to": message.to,
            "userInputCode": message.user_input_code,
            "urlWithLinkCode": message.url_with_link_code,
            "preAuthSessionId": message.pre_auth_session_id,
            "codeLifetimeSecs": message.code_lifetime.as_secs(),
        })
        .to_string();
        line.push('\n');
        let mut options = tokio::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        options.mode(0o600);
        let failed = |e: std::io::Error| {
            let message = format!("cannot write to the outbox {}: {e}", self.path.display());
            DeliveryError::with_source(message, e)
        };
        let mut file = options.open(&self.path).await.map_err(failed)?;
        // One write of the whole line: lines of concurrent sends do not interleave. Tokio hands
        // writes to a background thread; the flush waits until the line is in the file.
        file.write_all(line.as_bytes()).await.map_err(failed)?;
        file.flush().await.map_err(failed)
    }
}

impl EmailDelivery for Outbox {
    fn send_email<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(self.write(message))
    }
}

/// An override of the passwordless functions that logs every sign-in (user id, and whether the
/// user is new) and changes nothing else.
pub struct LogSignIns {
    original: Arc<dyn PasswordlessFunctions>,
}

impl LogSignIns {
    /// Wraps `original`: the function `override_functions` takes.
    pub fn wrap(original: Arc<dyn PasswordlessFunctions>) -> Arc<dyn PasswordlessFunctions> {
        Arc::new(Self { original })
    }
}

impl PasswordlessFunctions for LogSignIns {
    fn original(&self) -> &dyn PasswordlessFunctions {
        &*self.original
    }

    fn consume_code(
        &self,
        tenant_id: String,
        request: ConsumeCodeRequest,
    ) -> BoxFuture<'_, Result<ConsumeCodeResponse, CoreError>> {
        let consumed = self.original.consume_code(tenant_id, request);
        Box::pin(async move {
            let response = consumed.await?;
            if let ConsumeCodeResponse::Ok {
                user,
                created_new_user,
                ..
            } = &response
            {
                tracing::info!(user_id = %user.id, created_new_user, "signed in");
            }
            Ok(response)
        })
    }
}
