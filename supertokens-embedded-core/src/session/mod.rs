//! Sessions: signing keys, access tokens (JWT v5), refresh rotation with theft detection, and the
//! `/recipe/session…`, `/recipe/jwt…` and `/.well-known/jwks.json` endpoints, with the
//! semantics of the SuperTokens Core at CDI ≤ 5.4.
//!
//! * [`keys`]: RSA signing keys (rotating `d-…` and static `s-…`) and the refresh-token key.
//! * [`jwt`]: access tokens, signed and checked with aws-lc-rs.
//! * [`refresh_token`]: sealed, opaque refresh tokens.
//! * [`db`]: the session rows.
//! * [`handlers`]: the endpoints, including the legacy refresh rotation.
//!
//! Where this differs from the SuperTokens Core, on purpose:
//! * `/recipe/session/regenerate` checks the access token's signature (an expired token is
//!   fine); the real core takes the token's claims on trust.
//! * A dynamic signing key stays published for its rotation period plus one access-token
//!   lifetime, exactly as long as a token it signed can live (the real core keeps it one
//!   access-token lifetime longer).
//! * There is no account linking and no user-id mapping: a session's user is its own primary
//!   user, so `userId` and `recipeUserId` are the id the session was created for.

mod db;
mod handlers;
mod jwt;
mod keys;
mod refresh_token;

use std::sync::atomic::AtomicI64;

use axum::Router;
use axum::routing::{get, post, put};

use super::{Migration, SharedState};
use crate::config::EmbeddedCoreConfig;
use supertokens_cdi::Clock;

pub(super) const MIGRATIONS: &[Migration] = db::MIGRATIONS;

/// In-memory session state: cached signing keys and lifetimes.
pub(crate) struct SessionState {
    keys: keys::KeyRing,
    /// Access-token lifetime, whole seconds (the token's `exp - iat`).
    access_validity_s: i64,
    /// Refresh-token and session lifetime, milliseconds.
    refresh_validity_ms: i64,
    /// When expired sessions were last deleted (they are cleaned lazily, at most once a minute).
    last_cleanup_ms: AtomicI64,
}

impl SessionState {
    pub(super) fn new(
        config: &EmbeddedCoreConfig,
        _clock: &Clock,
        _store: &super::Store,
    ) -> Result<Self, super::EmbeddedCoreError> {
        Ok(Self {
            keys: keys::KeyRing::new(keys::KeyTimes::new(config)),
            access_validity_s: i64::try_from(config.access_token_validity.as_secs())
                .unwrap_or(i64::MAX / 2_000)
                .max(1),
            refresh_validity_ms: i64::try_from(config.refresh_token_validity.as_millis())
                .unwrap_or(i64::MAX / 2)
                .max(1),
            last_cleanup_ms: AtomicI64::new(0),
        })
    }
}

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/recipe/session",
            post(handlers::create).get(handlers::get_session),
        )
        .route("/recipe/session/verify", post(handlers::verify))
        .route("/recipe/session/refresh", post(handlers::refresh))
        .route("/recipe/session/regenerate", post(handlers::regenerate))
        .route("/recipe/session/remove", post(handlers::remove))
        .route("/recipe/session/user", get(handlers::user_sessions))
        .route("/recipe/session/data", put(handlers::update_session_data))
        .route("/recipe/jwt/data", put(handlers::update_jwt_data))
        .route("/.well-known/jwks.json", get(handlers::well_known_jwks))
        .route("/recipe/jwt/jwks", get(handlers::jwt_jwks))
}
