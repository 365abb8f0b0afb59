//! Sessions: token transfer (cookies or headers), verification against the core's JWKS, refresh,
//! sign-out, and [`SessionContainer`], the verified session a handler receives.
//!
//! In a handler, take a [`SessionContainer`] (or `Option<SessionContainer>`) as an extractor,
//! or use `#[protected]`:
//!
//! ```
//! use supertokens::session::SessionContainer;
//!
//! async fn like_comment(session: SessionContainer) -> String {
//!     format!("liked by {}", session.user_id())
//! }
//! ```
//!
//! To require a session on every route of a router, put a [`SessionGuard`] on it, with the
//! options `#[protected]` takes; the handlers below take the session it verified with the plain
//! extractor:
//!
//! ```
//! use axum::{Router, routing::get};
//! use supertokens::session::{SessionContainer, SessionGuard};
//!
//! async fn whoami(session: SessionContainer) -> String {
//!     session.user_id().to_owned()
//! }
//!
//! let account: Router = Router::new()
//!     .route("/whoami", get(whoami))
//!     .layer(SessionGuard::new().check_database());
//! ```
//!
//! A handler acting on its own user has [`SessionContainer::revoke_session`] and
//! [`SessionContainer::revoke_all_for_user`]; the response of a request whose session was
//! revoked clears its tokens, as sign-out does. For anything else, take the
//! [`SuperTokens`](crate::SuperTokens) instance as an extractor too.
//!
//! Access tokens are verified locally against the core's signing keys (cached, refreshed every
//! [`jwks_refresh_interval`](SessionConfig::jwks_refresh_interval) and re-fetched once when a
//! token names an unknown key), and a verified token is remembered until it expires, so the hot
//! path costs a map lookup. Requests share one fetch of the keys; keys past the refresh interval
//! keep verifying the tokens they signed while the refresh runs in the background, so a slow or
//! unreachable core does not hold requests up, and a failed fetch is not repeated for two seconds. The core is asked only right after a refresh (the first request
//! with the new access token commits the rotation and gets a replacement token) or when
//! `check_database` is requested.
//!
//! A replacement token reaches the client through [`ResponseChanges`]: `#[protected]` handlers
//! return them with their answer, and routes under [`SuperTokens::layer`] (which
//! [`crate::router`] applies, and which you can apply to your own routes) or a [`SessionGuard`]
//! get them written by the layer. Without either, the session still works; the core is asked on every request until the
//! next refresh.
//!
//! Outside handlers, session operations are methods of [`SessionRecipe`], reached with
//! [`SuperTokens::session`]:
//!
//! ```no_run
//! # async fn demo(st: supertokens::SuperTokens) -> Result<(), supertokens::session::SessionError> {
//! for handle in st.session().get_all_session_handles_for_user("user-1").await? {
//!     st.session().revoke_session(&handle).await?;
//! }
//! # Ok(()) }
//! ```
//!
//! # Revocation: what stays valid, and for how long
//!
//! Revoking a session (sign-out, [`SessionContainer::revoke_session`],
//! [`SessionContainer::revoke_all_for_user`], [`SessionRecipe::revoke_session`],
//! [`SessionRecipe::revoke_all_sessions_for_user`], token theft) deletes it in the core:
//!
//! - its refresh token stops working at once;
//! - access tokens already handed out are verified locally, so a route without the database
//!   check still accepts them until they expire: at most the access-token lifetime (one hour
//!   by default, the core's `access_token_validity`);
//! - a route with the check refuses them at once: `#[protected(check_database)]`,
//!   [`SessionGuard::check_database`], [`GetSessionOptions::check_database`], or every route
//!   with [`SessionConfig::check_database`] (one core call per request);
//! - the response of the request that revoked its own session through [`SessionContainer`]
//!   clears that session's tokens, as sign-out does, and hands out no new one. The
//!   [`SessionRecipe`] functions do not know the request: they change nothing in it.
//!
//! What the recipe does can be changed with [`SessionConfig::override_functions`] and
//! [`SessionConfig::override_apis`]: implement [`SessionFunctions`] or [`SessionApis`] around
//! the original implementation, overriding only the methods you change.
//!
//! [`SuperTokens::layer`]: crate::SuperTokens::layer
//! [`SuperTokens::session`]: crate::SuperTokens::session

pub(crate) mod api;
mod apis;
mod cache;
pub mod claims;
mod config;
mod container;
mod core_calls;
mod create;
mod error;
mod functions;
pub(crate) mod init;
mod jwks;
mod recipe;
mod refresh;
mod request;
mod resolved;
mod response_changes;
mod state;
mod token;
mod transfer;
mod verify;

pub use crate::framework::{SessionGuard, SessionGuardService};
pub use apis::{SessionApi, SessionApis, SignOutOutcome};
pub use config::{AntiCsrf, SameSite, SessionConfig, TokenTransfer};
pub use container::SessionContainer;
pub use error::{ClaimValidationError, SessionError, SessionErrorKind};
pub use functions::{
    CreateNewSessionInput, GetSessionInput, RefreshSessionInput, RegenerateInput, Regenerated,
    SessionFunctions, SessionInformation, UserSessionsInput, VerifiedToken,
};
pub use recipe::SessionRecipe;
pub use request::{AntiCsrfCheck, GetSessionOptions};
pub(crate) use response_changes::PendingChanges;
pub use response_changes::ResponseChanges;

// What a functions or APIs override names, so one `use` of this module does.
pub use crate::core::CoreError;
pub use crate::core::cdi::{NewSession, TokenInfo};
pub use crate::future::BoxFuture;
