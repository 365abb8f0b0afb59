//! The in-process transport: the same requests to a tower service, and its time-out.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use serde_json::{Value, json};
use supertokens::core::{CoreClient, CoreError};

use super::TIMEOUT;

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
