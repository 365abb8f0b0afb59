//! For API and mobile clients: sessions in headers instead of cookies.
//!
//! ```text
//! cargo run -p examples --example header_mode
//! ```
//!
//! The API on <http://localhost:3001>, no web page. Tokens travel as `st-access-token` /
//! `st-refresh-token` response headers and come back as `Authorization: Bearer …`; the README
//! walks through it with curl. Codes are printed on this console.

use axum::{Json, Router, routing::get};
use serde_json::{Value, json};
use supertokens::{protected, session::SessionContainer};

#[supertokens::app(
    app_name = "Header mode",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    connection_uri = env("SUPERTOKENS_CONNECTION_URI"),
    api_key = env("SUPERTOKENS_API_KEY"),
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL_OR_PHONE"),
    session(token_transfer = "header"),
    configure = examples::from_env,
)]
#[tokio::main]
async fn main() {
    let api = Router::new()
        .route("/sessioninfo", get(session_info))
        .merge(supertokens::router());

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3001")
        .await
        .expect("cannot listen on 127.0.0.1:3001");
    println!("API on http://localhost:3001 (header mode)");
    axum::serve(listener, api).await.expect("serving stopped");
}

/// Who is signed in: only reachable with a valid session.
#[protected]
async fn session_info(session: SessionContainer) -> Json<Value> {
    Json(json!({
        "userId": session.user_id(),
        "sessionHandle": session.handle(),
        "accessTokenPayload": session.access_token_payload(),
    }))
}
