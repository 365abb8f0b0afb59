//! Version negotiation: the highest common CDI version, once, with a clear error when there is
//! none.

use serde_json::Value;
use supertokens::core::CoreError;

use super::{TestCore, client};

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
