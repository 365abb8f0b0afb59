//! Passwordless: devices, codes and the `/<t>/recipe/signinup/...` endpoints.

use axum::Router;

use super::{Migration, SharedState};

pub(super) const MIGRATIONS: &[Migration] = &[];

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
}
