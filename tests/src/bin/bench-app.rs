//! The supertokens-rs side of `scripts/bench/compare.sh`: the routes `e2e/bench-node.js` serves
//! for supertokens-node, so the two are measured on the same requests.
//!
//! ```text
//! bench-app --addr 127.0.0.1:PORT (--core http://127.0.0.1:CORE_PORT | --db <path | :memory:>)
//! ```
//!
//! - `GET /sessioninfo`: `#[protected]`, the session's user id, handle, tenant and payload.
//! - `GET /open`: an answer of the same shape and size with fixed values, without a session
//!   check.
//! - The FDI routes under `/auth`: passwordless by e-mail with a one-time code, tokens in headers.
//!
//! Every code is `123456` and e-mails go nowhere, and send limits are off, so the load
//! generator can sign in again and again: never configure a real app like this. With `--core`
//! the app uses that core server; with `--db` its own embedded core on that database.
//! Prints `listening on http://ADDR` once it accepts connections.

use std::io::Write as _;
use std::net::SocketAddr;

use std::sync::LazyLock;

use axum::response::{IntoResponse as _, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Map, Value, json};
use supertokens::delivery::{DeliveryError, LoginMessage};
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use supertokens::passwordless::PasswordlessConfig;
use supertokens::session::{SessionConfig, SessionContainer, TokenTransfer};
use supertokens::{Config, SuperTokens, protected};

/// The one-time code of every sign-in (the load generator types it).
const BENCH_CODE: &str = "123456";

const USAGE: &str = "usage: bench-app --addr 127.0.0.1:PORT (--core URL | --db <path | :memory:>)";

/// The answer of both routes, serialized straight from the session's fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionInfo<'a> {
    user_id: &'a str,
    session_handle: &'a str,
    tenant_id: &'a str,
    access_token_payload: &'a Map<String, Value>,
}

#[protected]
async fn session_info(session: SessionContainer) -> Response {
    let payload = session.access_token_payload();
    Json(SessionInfo {
        user_id: session.user_id(),
        session_handle: session.handle(),
        tenant_id: session.tenant_id(),
        access_token_payload: &payload,
    })
    .into_response()
}

/// A payload shaped like the core's (the same keys, values of the same lengths), so `/open`
/// answers as much as `/sessioninfo` does.
static OPEN_PAYLOAD: LazyLock<Map<String, Value>> = LazyLock::new(|| {
    let id = "00000000-0000-4000-8000-000000000000";
    let json = json!({
        "antiCsrfToken": null,
        "exp": 1_700_003_600,
        "iat": 1_700_000_000,
        "iss": "http://localhost:3001/auth",
        "parentRefreshTokenHash1": null,
        "refreshTokenHash1": "0".repeat(64),
        "rsub": id,
        "sessionHandle": id,
        "sub": id,
        "tId": "public",
    });
    match json {
        Value::Object(map) => map,
        _ => Map::new(),
    }
});

async fn open() -> Response {
    let id = "00000000-0000-4000-8000-000000000000";
    Json(SessionInfo {
        user_id: id,
        session_handle: id,
        tenant_id: "public",
        access_token_payload: &OPEN_PAYLOAD,
    })
    .into_response()
}

fn config(core: Option<String>, db: Option<String>) -> Result<Config, String> {
    let passwordless = PasswordlessConfig::new()
        .flow_type("USER_INPUT_CODE".parse().map_err(|e| format!("{e}"))?)
        .contact_method("EMAIL".parse().map_err(|e| format!("{e}"))?)
        .email_delivery(|_message: LoginMessage| async { Ok::<(), DeliveryError>(()) })
        .no_send_limits()
        .user_input_code_generator(|_tenant| BENCH_CODE.to_owned());
    let mut builder = Config::builder()
        .app_name("bench")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .session(SessionConfig::new().token_transfer(TokenTransfer::Header))
        .passwordless(passwordless);
    match (core, db) {
        (Some(uri), None) => builder = builder.connection_uri(uri),
        (None, Some(db)) => {
            builder = builder.embedded_core(EmbeddedCoreConfig {
                database: Database::parse(&db),
                ..EmbeddedCoreConfig::default()
            });
        }
        _ => return Err(USAGE.to_owned()),
    }
    builder.build().map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let (mut addr, mut core, mut db) = (None, None, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| USAGE.to_owned())?;
        match flag.as_str() {
            "--addr" => addr = Some(value),
            "--core" => core = Some(value),
            "--db" => db = Some(value),
            _ => return Err(USAGE.to_owned()),
        }
    }
    let addr = addr.ok_or_else(|| USAGE.to_owned())?;
    let st = SuperTokens::new(config(core, db)?).map_err(|e| e.to_string())?;
    let app = Router::new()
        .route("/sessioninfo", get(session_info))
        .route("/open", get(open))
        .layer(st.layer())
        .merge(st.router());
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{local}");
    let _ = std::io::stdout().flush();
    // The peer address is what the send limits (off here) would count clients by.
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .await
        .map_err(|e| e.to_string())
}
