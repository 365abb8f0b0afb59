//! Roles: a route only admins reach, checked by `#[protected(roles = ["admin"])]`.
//!
//! ```text
//! cargo run -p examples --example roles
//! ```
//!
//! Sign in by phone on <http://localhost:3000> as in the quickstart (codes are printed on this
//! console), then:
//!
//! - `GET /admin` answers 403 (`claimValidationErrors[0].id` is `st-role`): the user has no role;
//! - `POST /demo/grant-admin` makes the caller an admin and refreshes the roles in the caller's
//!   session;
//! - `GET /admin` now answers `{"admin": true, "userId": …}`, without signing in again.
//!
//! The page has a button for each. Roles live in the core (the embedded one by default), per
//! app, and are given to users per tenant; every new session carries its user's roles in the
//! access token (`st-role`), so the check costs no core call.

use axum::routing::{get, post};
use axum::{Json, Router};
use examples::LoginPage;
use serde_json::{Value, json};
use supertokens::passwordless::{ContactMethod, FlowType};
use supertokens::session::{ResponseChanges, SessionContainer, SessionError};
use supertokens::user_roles::UserRoleClaim;
use supertokens::{SuperTokens, protected};

#[supertokens::app(
    app_name = "Roles",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    connection_uri = env("SUPERTOKENS_CONNECTION_URI"),
    api_key = env("SUPERTOKENS_API_KEY"),
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "PHONE"),
    session(),
    // Roles and permissions: every new session carries its user's roles (`st-role`).
    user_roles(),
    configure = examples::from_env,
)]
#[tokio::main]
async fn main() {
    let api = Router::new()
        .route("/admin", get(admin))
        .route("/demo/grant-admin", post(grant_admin))
        .merge(examples::api())
        .layer(supertokens::cors());
    let page = LoginPage::new("Roles", "http://localhost:3001")
        .contact_method(ContactMethod::Phone)
        .flow_type(FlowType::UserInputCode)
        .action("Open the admin area", "GET", "/admin")
        .action("Make me an admin (demo)", "POST", "/demo/grant-admin");

    println!("API on http://localhost:3001, sign in at http://localhost:3000");
    examples::serve(api, page).await;
}

/// Only for admins: anyone else gets a 403 that the frontend SDKs understand.
#[protected(roles = ["admin"])]
async fn admin(session: SessionContainer) -> Json<Value> {
    Json(json!({ "admin": true, "userId": session.user_id() }))
}

/// A DEMO ONLY: any signed-in user makes themselves an admin here. A real app gives roles from
/// its own admin tools (`st.user_roles()`), never to whoever asks.
///
/// The role is created if needed and given to the caller in the session's tenant; then the
/// roles in the caller's access token are fetched again, and the new token goes out with this
/// response, so the next `GET /admin` passes without signing in again.
#[protected]
async fn grant_admin(
    st: SuperTokens,
    session: SessionContainer,
) -> Result<(ResponseChanges, Json<Value>), SessionError> {
    let roles = st.user_roles();
    roles
        .create_new_role_or_add_permissions("admin", &[])
        .await?;
    roles
        .add_role_to_user(session.tenant_id(), session.user_id(), "admin")
        .await?;
    let changes = session.fetch_and_set_claim(&UserRoleClaim).await?;
    let now = session.get_claim_value(&UserRoleClaim).unwrap_or_default();
    Ok((changes, Json(json!({ "status": "OK", "roles": now }))))
}
