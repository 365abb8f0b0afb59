//! The CDI client against local test cores speaking the wire shapes: version negotiation,
//! headers, query encoding, hosts (base paths, round robin, failover), 429 retries, timeouts,
//! typed errors, the in-process transport, and the client of an instance.

mod core_restart;
mod failover;
mod hosts;
mod in_process;
mod instance;
mod negotiation;
mod requests;
mod slow_core;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use supertokens::Secret;
use supertokens::config::CoreHost;
use supertokens::core::CoreClient;
use tests::server::{Server, refusing_addr};

/// One request as the test core saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    headers: BTreeMap<String, String>,
}

struct CoreState {
    versions: Vec<&'static str>,
    /// How many requests to `…/limited` get a 429 before one succeeds.
    rate_limited: usize,
    limited_calls: AtomicUsize,
    seen: Mutex<Vec<Seen>>,
}

/// A test core on 127.0.0.1.
struct TestCore {
    server: Server,
    state: Arc<CoreState>,
}

impl TestCore {
    async fn start(versions: &[&'static str]) -> Self {
        Self::start_with(versions, 0).await
    }

    async fn start_with(versions: &[&'static str], rate_limited: usize) -> Self {
        let state = Arc::new(CoreState {
            versions: versions.to_vec(),
            rate_limited,
            limited_calls: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(state.clone());
        Self {
            server: Server::serve(app).await,
            state,
        }
    }

    fn host(&self) -> CoreHost {
        self.host_with_base_path("")
    }

    fn host_with_base_path(&self, base_path: &str) -> CoreHost {
        CoreHost {
            domain: self.server.url(),
            base_path: base_path.to_owned(),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    fn seen_at(&self, suffix: &str) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.path.ends_with(suffix))
            .collect()
    }
}

async fn handle(
    State(state): State<Arc<CoreState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let seen = Seen {
        method: method.to_string(),
        path: path.clone(),
        query: uri.query().map(str::to_owned),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_owned()))
            .collect(),
    };
    state.seen.lock().unwrap().push(seen.clone());
    if path.ends_with("/apiversion") {
        return axum::Json(json!({ "versions": state.versions })).into_response();
    }
    if path.ends_with("/.well-known/jwks.json") {
        return (
            [("cache-control", "max-age=120, must-revalidate")],
            axum::Json(json!({"keys": [{
                "kty": "RSA", "kid": "d-1", "n": "AQAB", "e": "AQAB", "alg": "RS256", "use": "sig"
            }]})),
        )
            .into_response();
    }
    if path.ends_with("/slow") {
        tokio::time::sleep(Duration::from_secs(3)).await;
        return axum::Json(json!({})).into_response();
    }
    if path.ends_with("/limited")
        && state.limited_calls.fetch_add(1, Ordering::SeqCst) < state.rate_limited
    {
        return (StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
    }
    if path.ends_with("/bad") {
        return (
            StatusCode::BAD_REQUEST,
            "Field name 'deviceId' is invalid in JSON input",
        )
            .into_response();
    }
    if path.ends_with("/garbage") {
        return "Hello".into_response();
    }
    axum::Json(json!({
        "status": "OK",
        "method": seen.method,
        "path": seen.path,
        "query": seen.query,
        "headers": seen.headers,
        "body": String::from_utf8_lossy(&body),
    }))
    .into_response()
}

const TIMEOUT: Duration = Duration::from_secs(5);

fn client(hosts: Vec<CoreHost>, api_key: Option<&str>) -> CoreClient {
    CoreClient::http(hosts, api_key.map(Secret::from), TIMEOUT).unwrap()
}

/// An address where nothing listens: connections are refused.
fn dead_host() -> CoreHost {
    CoreHost {
        domain: format!("http://{}", refusing_addr()),
        base_path: String::new(),
    }
}
