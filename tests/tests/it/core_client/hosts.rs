//! Hosts and failures: failover, round robin, 429 retries, time-outs and typed errors.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use supertokens::config::CoreHost;
use supertokens::core::{CoreClient, CoreError};

use super::{TIMEOUT, TestCore, client, dead_host};

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
