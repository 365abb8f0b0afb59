//! The quickstart: passwordless sign-in by phone with a one-time code, and a protected route.
//!
//! ```text
//! cargo run -p examples --example quickstart
//! ```
//!
//! - the API on <http://localhost:3001> (the SuperTokens routes under `/auth`, and `/sessioninfo`);
//! - a login page on <http://localhost:3000>, built on the official supertokens-web-js.
//!
//! Codes are printed on this console. The embedded core keeps its data in
//! `.supertokens/embedded-core.db`; set `SUPERTOKENS_CONNECTION_URI` (and
//! `SUPERTOKENS_API_KEY`) to use a SuperTokens Core instead.

use axum::{Json, Router, routing::get};
use examples::LoginPage;
use serde_json::{Value, json};
use supertokens::passwordless::{ContactMethod, FlowType};
use supertokens::{protected, session::SessionContainer};

#[supertokens::app(
    app_name = "Quickstart",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    connection_uri = env("SUPERTOKENS_CONNECTION_URI"),
    api_key = env("SUPERTOKENS_API_KEY"),
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "PHONE"),
    session(),
    configure = examples::from_env,
)]
#[tokio::main]
async fn main() {
    let api = Router::new()
        .route("/sessioninfo", get(session_info))
        .merge(supertokens::router())
        .layer(supertokens::cors());
    let page = LoginPage::new("Quickstart", "http://localhost:3001")
        .contact_method(ContactMethod::Phone)
        .flow_type(FlowType::UserInputCode);

    println!("API on http://localhost:3001, sign in at http://localhost:3000");
    examples::serve(api, page).await;
}

/// Who is signed in: only reachable with a valid session.
#[protected]
async fn session_info(session: SessionContainer) -> Json<Value> {
    Json(json!({
        "userId": session.user_id(),
        "sessionHandle": session.handle(),
        "tenantId": session.tenant_id(),
        "accessTokenPayload": session.access_token_payload(),
    }))
}
