//! The embedded core: a SuperTokens Core (the CDI server) for passwordless and sessions, over
//! SQLite. The SDK calls it in-process when no `connection_uri` is set, and the `embedded-core`
//! binary serves it on a port so other SuperTokens backends can use it as their core.
//!
//! It is for one machine: development, tests and small deployments. Many app instances share a
//! SuperTokens Core cluster instead (set `connection_uri`).
//!
//! Routing: a request's optional `/appid-<app>` and `/<tenant>` prefixes are taken off before
//! routing (see `service::dispatch`), so handlers are registered at the plain CDI path
//! (`/recipe/signinup/code`) and read the tenant with the `http::Scope` extractor.

#![deny(missing_docs)]

mod config;
pub(crate) mod http;
mod passwordless;
mod service;
mod session;
mod store;
mod users;

use std::sync::Arc;

use supertokens_cdi::Clock;

pub use config::{Database, EmbeddedCoreConfig};
pub use service::{EmbeddedCore, EmbeddedCoreError, EmbeddedCoreService, RequestLogTarget};
pub(crate) use store::{Migration, Store, StoreError};

/// State shared by every handler of the embedded core.
pub(crate) struct CoreState {
    pub(crate) config: EmbeddedCoreConfig,
    pub(crate) clock: Clock,
    pub(crate) store: Store,
    pub(crate) session: session::SessionState,
    pub(crate) passwordless: passwordless::PasswordlessState,
}

pub(crate) type SharedState = Arc<CoreState>;

/// Every component's schema migrations, applied at open.
fn migrations() -> Vec<Migration> {
    let mut all = Vec::new();
    all.extend_from_slice(users::MIGRATIONS);
    all.extend_from_slice(passwordless::MIGRATIONS);
    all.extend_from_slice(session::MIGRATIONS);
    all
}

/// Removes what other components keep about a user who has just been deleted (inside the same
/// transaction): as in the real core, deleting a user ends their sessions.
fn on_user_removed(
    tx: &rusqlite::Transaction<'_>,
    app_id: &str,
    user_id: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "DELETE FROM session_info WHERE app_id = ?1 AND (user_id = ?2 OR recipe_user_id = ?2)",
    )?
    .execute((app_id, user_id))?;
    Ok(())
}

/// The CDI routes of every component, at their un-prefixed paths.
fn routes() -> axum::Router<SharedState> {
    axum::Router::new()
        .merge(service::routes())
        .merge(users::routes())
        .merge(passwordless::routes())
        .merge(session::routes())
}
