//! The CDI client against local test cores speaking the wire shapes: version negotiation,
//! headers, query encoding, hosts (base paths, round robin, failover), 429 retries, timeouts,
//! typed errors, and the in-process transport.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use supertokens::config::CoreHost;
use supertokens::core::{CoreClient, CoreError};
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
    CoreClient::http(hosts, api_key.map(str::to_owned), TIMEOUT).unwrap()
}

/// An address where nothing listens: connections are refused.
fn dead_host() -> CoreHost {
    CoreHost {
        domain: format!("http://{}", refusing_addr()),
        base_path: String::new(),
    }
}

#[tokio::test]
async fn negotiation_picks_the_highest_common_version_of_an_unordered_list() {
    let core = TestCore::start(&["2.21", "5.3", "5.1"]).await;
    let client = client(vec![core.host()], Some("key-1"))
        .with_app_info("http://localhost:3001", "http://localhost:3000");
    assert_eq!(client.cdi_version().await.unwrap(), "5.3");

    let answer: Value = client.get("/recipe/echo", None, &[]).await.unwrap();
    assert_eq!(answer["headers"]["cdi-version"], "5.3");

    let negotiation = core.seen_at("/apiversion");
    assert_eq!(negotiation.len(), 1, "negotiated once: {negotiation:?}");
    let negotiation = &negotiation[0];
    assert_eq!(negotiation.method, "GET");
    assert_eq!(
        negotiation.query.as_deref(),
        Some("apiDomain=http%3A%2F%2Flocalhost%3A3001&websiteDomain=http%3A%2F%2Flocalhost%3A3000")
    );
    assert_eq!(
        negotiation.headers.get("api-key").map(String::as_str),
        Some("key-1")
    );
    assert!(!negotiation.headers.contains_key("cdi-version"));
}

#[tokio::test]
async fn a_core_offering_5_4_gets_5_4() {
    let core = TestCore::start(&["5.4", "5.3", "5.5", "5.6"]).await;
    let client = client(vec![core.host()], None);
    assert_eq!(client.cdi_version().await.unwrap(), "5.4");
}

#[tokio::test]
async fn no_common_version_is_a_clear_error() {
    let core = TestCore::start(&["2.21", "3.0", "5.2"]).await;
    let client = client(vec![core.host()], None);
    let err = client
        .get::<Value>("/recipe/echo", None, &[])
        .await
        .unwrap_err();
    match &err {
        CoreError::IncompatibleVersion { core, ours } => {
            assert_eq!(core, &["2.21", "3.0", "5.2"]);
            assert_eq!(ours, &["5.3", "5.4"]);
        }
        other => panic!("expected IncompatibleVersion, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("5.2") && message.contains("5.4"),
        "{message}"
    );
    assert!(
        message.contains("Core 10.1 or newer"),
        "the message says the fix: {message}"
    );
    // Nothing but the negotiation reached the core.
    assert!(core.seen_at("/recipe/echo").is_empty());
}

#[tokio::test]
async fn concurrent_first_calls_share_one_negotiation() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host()], None);
    let calls = (0..8).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get::<Value>("/recipe/echo", None, &[]).await })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(core.seen_at("/apiversion").len(), 1);
    assert_eq!(core.seen_at("/recipe/echo").len(), 8);
}

#[tokio::test]
async fn headers_api_key_cdi_version_rid_and_content_type() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host()], Some("key-1"));

    let (pl, phone) = (Some("passwordless"), json!({"phoneNumber": "+14155552671"}));
    let answer: Value = client
        .post("/public/recipe/signinup/code", pl, &phone)
        .await
        .unwrap();
    assert_eq!(answer["method"], "POST");
    assert_eq!(answer["headers"]["api-key"], "key-1");
    assert_eq!(answer["headers"]["cdi-version"], "5.3");
    assert_eq!(answer["headers"]["rid"], "passwordless");
    assert_eq!(
        answer["headers"]["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(answer["body"], r#"{"phoneNumber":"+14155552671"}"#);

    let answer: Value = client
        .put("/recipe/user", pl, &json!({"userId": "u"}))
        .await
        .unwrap();
    assert_eq!(answer["method"], "PUT");
    assert_eq!(answer["headers"]["rid"], "passwordless");

    let answer: Value = client.get("/recipe/session", None, &[]).await.unwrap();
    assert!(answer["headers"].get("rid").is_none(), "{answer}");
    assert!(answer["headers"].get("content-type").is_none(), "{answer}");

    let answer: Value = client
        .delete("/recipe/thing", Some("session"), &[("id", "1")])
        .await
        .unwrap();
    assert_eq!(answer["method"], "DELETE");
    assert_eq!(answer["query"], "id=1");
}

#[tokio::test]
async fn jwks_is_read_without_api_key_or_cdi_version_with_its_max_age() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host_with_base_path("/appid-a")], Some("key-1"));
    let (jwks, max_age) = client.jwks().await.unwrap();
    assert_eq!(jwks.keys.len(), 1);
    assert_eq!(jwks.keys[0].kid, "d-1");
    assert_eq!(max_age, Some(Duration::from_secs(120)));

    let seen = core.seen();
    assert_eq!(seen.len(), 1, "no negotiation for the JWKS: {seen:?}");
    assert_eq!(seen[0].path, "/appid-a/.well-known/jwks.json");
    assert!(!seen[0].headers.contains_key("api-key"));
    assert!(!seen[0].headers.contains_key("cdi-version"));
}

#[tokio::test]
async fn query_values_are_url_encoded() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host()], None);
    let device_id = "GzdKblivqYuM+XLRquuxCR2T4sWZtbSwoCroINH9oQ8=";
    let answer: Value = client
        .get(
            "/public/recipe/signinup/codes",
            Some("passwordless"),
            &[("deviceId", device_id), ("x", "a/b c&d")],
        )
        .await
        .unwrap();
    assert_eq!(
        answer["query"],
        "deviceId=GzdKblivqYuM%2BXLRquuxCR2T4sWZtbSwoCroINH9oQ8%3D&x=a%2Fb+c%26d"
    );
}

#[tokio::test]
async fn a_host_base_path_prefixes_every_path() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host_with_base_path("/appid-shop")], None);
    let answer: Value = client.get("/public/recipe/echo", None, &[]).await.unwrap();
    assert_eq!(answer["path"], "/appid-shop/public/recipe/echo");
    assert_eq!(
        core.seen_at("/apiversion")[0].path,
        "/appid-shop/apiversion"
    );
}

#[tokio::test]
async fn failover_when_the_first_host_refuses_connections() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![dead_host(), core.host()], None);
    for _ in 0..3 {
        let answer: Value = client.get("/recipe/echo", None, &[]).await.unwrap();
        assert_eq!(answer["status"], "OK");
    }
    assert_eq!(core.seen_at("/recipe/echo").len(), 3);
}

#[tokio::test]
async fn no_host_reachable_is_unavailable() {
    let client = client(vec![dead_host(), dead_host()], None);
    let err = client
        .get::<Value>("/recipe/echo", None, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Unavailable(_)), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("no SuperTokens core available to query"),
        "{err}"
    );
}

#[tokio::test]
async fn hosts_are_used_round_robin() {
    let first = TestCore::start(&["5.3"]).await;
    let second = TestCore::start(&["5.3"]).await;
    let client = client(vec![first.host(), second.host()], None);
    for _ in 0..6 {
        let _: Value = client.get("/recipe/echo", None, &[]).await.unwrap();
    }
    // Seven requests in all (one negotiation): each host took its turn.
    let total = first.seen().len() + second.seen().len();
    assert_eq!(total, 7);
    assert!(first.seen().len() >= 3 && second.seen().len() >= 3);
    assert_eq!(
        first.seen_at("/recipe/echo").len() + second.seen_at("/recipe/echo").len(),
        6
    );
}

#[tokio::test]
async fn rate_limited_calls_are_retried_with_backoff() {
    let core = TestCore::start_with(&["5.3"], 2).await;
    let client = client(vec![core.host()], None);
    client.cdi_version().await.unwrap();
    let started = Instant::now();
    let answer: Value = client
        .post("/recipe/limited", None, &json!({}))
        .await
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(answer["status"], "OK");
    assert_eq!(core.seen_at("/recipe/limited").len(), 3);
    // Slept 10 ms, then 260 ms.
    assert!(elapsed >= Duration::from_millis(270), "{elapsed:?}");
}

#[tokio::test]
async fn the_429_budget_is_five_retries() {
    let core = TestCore::start_with(&["5.3"], 100).await;
    let client = client(vec![core.host()], None);
    let err = client
        .get::<Value>("/recipe/limited", None, &[])
        .await
        .unwrap_err();
    match err {
        CoreError::Status { status, .. } => assert_eq!(status, 429),
        other => panic!("expected a 429 status error, got {other:?}"),
    }
    assert_eq!(core.seen_at("/recipe/limited").len(), 6);
}

#[tokio::test]
async fn a_slow_core_times_out() {
    let core = TestCore::start(&["5.3"]).await;
    let client = CoreClient::http(vec![core.host()], None, Duration::from_millis(300)).unwrap();
    client.cdi_version().await.unwrap();
    let started = Instant::now();
    let err = client
        .get::<Value>("/recipe/slow", None, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(err, CoreError::Timeout(t) if t == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_non_200_answer_is_a_typed_error_with_the_core_message() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host()], None);
    let err = client
        .post::<_, Value>("/public/recipe/bad", Some("passwordless"), &json!({}))
        .await
        .unwrap_err();
    match &err {
        CoreError::Status {
            method,
            path,
            status,
            body,
        } => {
            assert_eq!(method, "POST");
            assert_eq!(path, "/public/recipe/bad");
            assert_eq!(*status, 400);
            assert_eq!(body, "Field name 'deviceId' is invalid in JSON input");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(err.to_string().contains("is invalid in JSON input"));
    // Not retried.
    assert_eq!(core.seen_at("/bad").len(), 1);
}

#[tokio::test]
async fn an_undecodable_200_is_a_decode_error() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host()], None);
    let err = client
        .get::<Value>("/recipe/garbage", None, &[])
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn http_client_rejects_unusable_settings() {
    assert!(CoreClient::http(vec![], None, TIMEOUT).is_err());
    let ftp = CoreHost {
        domain: "ftp://localhost:21".into(),
        base_path: String::new(),
    };
    assert!(CoreClient::http(vec![ftp], None, TIMEOUT).is_err());
    let core = TestCore::start(&["5.3"]).await;
    assert!(CoreClient::http(vec![core.host()], Some("bad\nkey".into()), TIMEOUT).is_err());
}

/// A small CDI server as a plain tower service: no router, no socket.
fn tower_core(
    calls: Arc<AtomicUsize>,
) -> impl tower::Service<
    http::Request<Body>,
    Response = http::Response<Body>,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
+ Send
+ Sync
+ 'static {
    tower::service_fn(move |req: http::Request<Body>| {
        let calls = calls.clone();
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let body = if req.uri().path() == "/apiversion" {
                json!({"versions": ["5.1", "5.4", "5.3"]})
            } else if req.uri().path() == "/slow" {
                tokio::time::sleep(Duration::from_secs(3)).await;
                json!({})
            } else {
                let header = |name: &str| {
                    req.headers()
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned)
                };
                json!({
                    "uri": req.uri().to_string(),
                    "cdiVersion": header("cdi-version"),
                    "apiKey": header("api-key"),
                    "rid": header("rid"),
                })
            };
            Ok::<_, Infallible>(
                http::Response::builder()
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
        }
    })
}

#[tokio::test]
async fn in_process_transport_speaks_the_same_requests() {
    let calls = Arc::new(AtomicUsize::new(0));
    let client = CoreClient::in_process(tower_core(calls.clone()), Some("k".into()), TIMEOUT);
    assert_eq!(client.cdi_version().await.unwrap(), "5.4");
    let answer: Value = client
        .get(
            "/public/recipe/signinup/codes",
            Some("passwordless"),
            &[("deviceId", "a+b/c=")],
        )
        .await
        .unwrap();
    assert_eq!(
        answer["uri"],
        "/public/recipe/signinup/codes?deviceId=a%2Bb%2Fc%3D"
    );
    assert_eq!(answer["cdiVersion"], "5.4");
    assert_eq!(answer["apiKey"], "k");
    assert_eq!(answer["rid"], "passwordless");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn in_process_transport_times_out() {
    let client = CoreClient::in_process(
        tower_core(Arc::new(AtomicUsize::new(0))),
        None,
        Duration::from_millis(200),
    );
    let err = client.get::<Value>("/slow", None, &[]).await.unwrap_err();
    assert!(matches!(err, CoreError::Timeout(_)), "{err:?}");
}

fn app_config() -> supertokens::ConfigBuilder {
    supertokens::Config::builder()
        .app_name("Demo")
        .api_domain("localhost:3001")
        .website_domain("http://localhost:3000")
        .session(supertokens::session::SessionConfig::default())
}

#[tokio::test]
async fn an_instance_with_connection_uri_talks_to_that_core_with_its_app_info() {
    let core = TestCore::start(&["5.3"]).await;
    let config = app_config()
        .connection_uri(format!("{}/appid-demo", core.server.url()))
        .api_key("key-1")
        .core_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let st = supertokens::SuperTokens::new(config).unwrap();
    assert!(st.embedded_core().is_none());
    assert_eq!(st.core().timeout(), Duration::from_secs(2));
    assert_eq!(st.core().cdi_version().await.unwrap(), "5.3");
    let negotiation = core.seen_at("/apiversion");
    assert_eq!(negotiation.len(), 1);
    assert_eq!(negotiation[0].path, "/appid-demo/apiversion");
    assert_eq!(
        negotiation[0].query.as_deref(),
        Some("apiDomain=http%3A%2F%2Flocalhost%3A3001&websiteDomain=http%3A%2F%2Flocalhost%3A3000")
    );
    assert_eq!(
        negotiation[0].headers.get("api-key").map(String::as_str),
        Some("key-1")
    );
}

#[tokio::test]
async fn init_installs_one_instance_and_a_second_init_is_an_error() {
    // `init` installs the instance for the whole process: alone in a process of its own, so the
    // tests beside it (in this binary) never see a global instance.
    let name = "init_installs_one_instance_and_a_second_init_is_an_error";
    if tests::process::run_alone(module_path!(), name, &[]) {
        return;
    }
    let config = || {
        app_config()
            .embedded_core(tests::embedded_core::in_memory())
            .build()
            .unwrap()
    };
    assert!(matches!(
        supertokens::SuperTokens::global(),
        Err(supertokens::Error::NotInitialised)
    ));
    let first = supertokens::init(config()).unwrap();
    assert!(first.embedded_core().is_some());
    // The embedded core answers through the in-process transport.
    assert_eq!(first.core().cdi_version().await.unwrap(), "5.4");

    let second = supertokens::init(config());
    assert!(
        matches!(second, Err(supertokens::Error::AlreadyInitialised)),
        "{second:?}"
    );
    let global = supertokens::SuperTokens::global().unwrap();
    assert_eq!(global.config().app_info.api_domain, "http://localhost:3001");
}

#[tokio::test]
async fn an_embedded_core_with_an_api_key_is_called_with_it() {
    use supertokens::core::embedded_config::EmbeddedCoreConfig;
    let config = app_config()
        .embedded_core(EmbeddedCoreConfig {
            api_key: Some("embedded-key-1234567890".into()),
            ..tests::embedded_core::in_memory()
        })
        .build()
        .unwrap();
    let st = supertokens::SuperTokens::new(config).unwrap();
    assert_eq!(st.core().cdi_version().await.unwrap(), "5.4");

    // The same core refuses a client without the key: the key above is what let it through.
    let core = st.embedded_core().unwrap();
    let keyless = CoreClient::in_process(core.service(), None, TIMEOUT);
    let err = keyless.cdi_version().await.unwrap_err();
    assert!(
        matches!(err, CoreError::Status { status: 401, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_request_that_cannot_be_built_is_refused_before_anything_is_sent() {
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![core.host()], None);
    client.cdi_version().await.unwrap();
    let err = client
        .get::<Value>("/recipe/echo", Some("bad\nrid"), &[])
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::InvalidRequest { .. }), "{err:?}");
    assert!(core.seen_at("/recipe/echo").is_empty());

    // An unusual path is still sent to the same host, percent-encoded.
    let answer: Value = client.get("/recipe/ä b", None, &[]).await.unwrap();
    assert_eq!(answer["path"], "/recipe/%C3%A4%20b");
}
