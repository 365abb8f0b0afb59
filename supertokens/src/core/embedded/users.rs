//! Users: storage of passwordless users and the user endpoints (`/user/id`,
//! `/<t>/users/by-accountinfo`, `/recipe/user`, `/user/remove`, `/users/count`) and
//! `/<t>/recipe/multitenancy/tenant/v2`.

use axum::Router;

use super::{Migration, SharedState};

pub(super) const MIGRATIONS: &[Migration] = &[];

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
}
