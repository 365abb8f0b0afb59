//! The parts of the core put together: every component's routes and schema migrations, and the
//! core's own `/hello` and `/apiversion`.

use axum::Router;
use axum::routing::get;
use supertokens_cdi::ApiVersionResponse;

use crate::cdi_version::SERVED_CDI_VERSIONS;
use crate::state::SharedState;
use crate::store::Migration;
use crate::{apps, metadata, multitenancy, passwordless, session, tenants, user_roles, users};

/// Every component's schema migrations, applied at open.
pub(crate) fn migrations() -> Vec<Migration> {
    let mut all = Vec::new();
    all.extend_from_slice(users::MIGRATIONS);
    all.extend_from_slice(passwordless::MIGRATIONS);
    all.extend_from_slice(session::MIGRATIONS);
    all.extend_from_slice(apps::MIGRATIONS);
    all.extend_from_slice(metadata::MIGRATIONS);
    all.extend_from_slice(tenants::MIGRATIONS);
    all.extend_from_slice(user_roles::MIGRATIONS);
    all
}

/// The CDI routes of every component, at their un-prefixed paths.
pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/hello", get(hello))
        .route("/apiversion", get(api_version))
        .merge(users::routes())
        .merge(passwordless::routes())
        .merge(session::routes())
        .merge(multitenancy::routes())
        .merge(metadata::routes())
        .merge(tenants::routes())
        .merge(user_roles::routes())
}

async fn hello() -> &'static str {
    "Hello"
}

async fn api_version() -> axum::Json<ApiVersionResponse> {
    axum::Json(ApiVersionResponse {
        versions: SERVED_CDI_VERSIONS
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
    })
}
