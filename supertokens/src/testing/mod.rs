//! Helpers for testing your own app: sessions for a user id on the embedded core, without the
//! sign-in flow.
//!
//! A test of a protected handler takes three lines: an instance on an in-memory embedded core,
//! a session for a user id, and a request that carries it.
//!
//! ```
//! use axum::{Router, body::Body, http::Request, routing::get};
//! use supertokens::session::SessionContainer;
//! use tower::ServiceExt;
//!
//! async fn whoami(session: SessionContainer) -> String {
//!     session.user_id().to_owned()
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let st = supertokens::testing::instance()?;
//! let app = Router::new().route("/whoami", get(whoami)).layer(st.layer());
//!
//! let session = supertokens::testing::session(&st, "user-1").await?;
//! let response = app.oneshot(session.authorize(Request::get("/whoami")).body(Body::empty())?).await?;
//! assert_eq!(response.status(), 200);
//! # Ok(()) }
//! ```
//!
//! [`TestSession::authorize`] sends the access token as `authorization: Bearer …` (header
//! mode); [`TestSession::with_cookies`] sends it as the `sAccessToken` cookie (cookie mode, add a
//! `rid` header for non-GET requests when the anti-CSRF mode asks for one). Sessions are real: the
//! refresh token works with `POST /auth/session/refresh`, and moving the instance's
//! [`clock`](crate::SuperTokens::clock) forward expires them.

use http::HeaderMap;
use serde_json::{Map, Value};

use crate::embedded::{Database, EmbeddedCoreConfig};
use crate::recipe::session::{SessionConfig, SessionContainer, SessionError};
use crate::{Config, Error, SuperTokens};

/// A configuration for tests: API on `http://localhost:3001`, website on
/// `http://localhost:3000`, an in-memory embedded core and the session recipe. Add to it and
/// pass it to [`SuperTokens::new`] when you need more.
pub fn config() -> crate::ConfigBuilder {
    Config::builder()
        .app_name("Test")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .embedded_core(EmbeddedCoreConfig {
            database: Database::Memory,
            ..Default::default()
        })
        .session(SessionConfig::new())
}

/// An instance on a fresh in-memory embedded core (see [`config`]). Not installed process-wide:
/// put it on your router with [`SuperTokens::layer`].
pub fn instance() -> Result<SuperTokens, Error> {
    SuperTokens::new(config().build()?)
}

/// A live session, with the tokens to put on requests. Treat the tokens as secrets outside tests.
#[derive(Clone)]
pub struct TestSession {
    /// The session.
    pub session: SessionContainer,
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// The anti-CSRF token, when the configuration asks for one (`VIA_TOKEN`).
    pub anti_csrf_token: Option<String>,
}

impl std::fmt::Debug for TestSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestSession")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl TestSession {
    /// Adds `authorization: Bearer <access token>` (header mode).
    pub fn authorize(&self, request: http::request::Builder) -> http::request::Builder {
        request.header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", self.access_token),
        )
    }

    /// Adds the `sAccessToken` cookie (cookie mode), plus `anti-csrf` when there is a token.
    pub fn with_cookies(&self, request: http::request::Builder) -> http::request::Builder {
        let request = request.header(http::header::COOKIE, self.cookie_header());
        match &self.anti_csrf_token {
            Some(t) => request.header("anti-csrf", t),
            None => request,
        }
    }

    /// The `Cookie` header value carrying the access token: `sAccessToken=<token>`.
    pub fn cookie_header(&self) -> String {
        format!("sAccessToken={}", self.access_token)
    }

    /// The `Cookie` header value the refresh API expects: `sRefreshToken=<token>`.
    pub fn refresh_cookie_header(&self) -> String {
        format!("sRefreshToken={}", self.refresh_token)
    }
}

/// A session for `user_id` in the public tenant, as if the user had just signed in.
pub async fn session(st: &SuperTokens, user_id: &str) -> Result<TestSession, SessionError> {
    session_with_payload(st, user_id, Map::new()).await
}

/// As [`session`], with custom access-token claims.
pub async fn session_with_payload(
    st: &SuperTokens,
    user_id: &str,
    access_token_payload: Map<String, Value>,
) -> Result<TestSession, SessionError> {
    let mut headers = HeaderMap::new();
    headers.insert("st-auth-mode", http::HeaderValue::from_static("header"));
    let (session, _) = st
        .session()
        .create_new_session(
            &headers,
            "public",
            user_id,
            access_token_payload,
            Map::new(),
        )
        .await?;
    Ok(TestSession {
        access_token: session.access_token(),
        refresh_token: session.refresh_token().unwrap_or_default().to_owned(),
        anti_csrf_token: session.anti_csrf_token().map(str::to_owned),
        session,
    })
}
