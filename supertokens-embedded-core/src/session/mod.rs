//! Sessions: signing keys, access tokens (JWT v5), refresh rotation with theft detection, and the
//! `/recipe/session…`, `/recipe/jwt…` and `/.well-known/jwks.json` endpoints, with the
//! semantics of the SuperTokens Core at CDI ≤ 5.4.
//!
//! * [`keys`]: RSA signing keys (rotating `d-…` and static `s-…`) and the refresh-token key.
//! * [`jwt`]: access tokens, signed and checked with aws-lc-rs.
//! * [`refresh_token`]: sealed, opaque refresh tokens.
//! * [`db`]: the session rows.
//! * [`state`]: what is kept in memory (cached keys, lifetimes).
//! * [`tokens`]: minting and checking access tokens, shared by the endpoints.
//! * The endpoints: [`create`], [`verify`], [`refresh`] (the legacy rotation, with theft
//!   detection), [`manage`] (read, regenerate, revoke, update) and [`jwks`].
//!
//! Where this differs from the SuperTokens Core, on purpose:
//! * `/recipe/session/regenerate` checks the access token's signature (an expired token is
//!   fine); the real core takes the token's claims on trust.
//! * A dynamic signing key stays published for its rotation period plus one access-token
//!   lifetime, exactly as long as a token it signed can live (the real core keeps it one
//!   access-token lifetime longer).
//! * There is no account linking and no user-id mapping: a session's user is its own primary
//!   user, so `userId` and `recipeUserId` are the id the session was created for.

pub(crate) mod db;
mod jwt;
mod keys;
mod refresh_token;
pub(crate) mod state;

mod create;
mod create_jwt;
mod jwks;
mod manage;
mod refresh;
mod tokens;
mod verify;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::routing::{get, post, put};

use crate::state::SharedState;

pub(crate) use db::MIGRATIONS;

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/recipe/session",
            post(create::create).get(manage::get_session),
        )
        .route("/recipe/session/verify", post(verify::verify))
        .route("/recipe/session/refresh", post(refresh::refresh))
        .route("/recipe/session/regenerate", post(manage::regenerate))
        .route("/recipe/session/remove", post(manage::remove))
        .route("/recipe/session/user", get(manage::user_sessions))
        .route("/recipe/session/data", put(manage::update_session_data))
        .route("/recipe/jwt/data", put(manage::update_jwt_data))
        .route("/.well-known/jwks.json", get(jwks::well_known_jwks))
        .route("/recipe/jwt/jwks", get(jwks::jwt_jwks))
        .route("/recipe/jwt", post(create_jwt::create_jwt))
}
