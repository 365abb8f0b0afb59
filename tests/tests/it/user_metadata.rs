//! The UserMetadata functions of the SDK (`st.user_metadata()`), on the embedded core
//! in-process and on the `embedded-core` server over HTTP.

use serde_json::{Map, Value, json};
use supertokens::SuperTokens;

use crate::user_roles::{embedded_sdk, remote_sdk};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Read, merged into (shallowly, `null` removing a key), cleared; per user.
async fn metadata_is_read_merged_and_cleared(st: &SuperTokens) {
    let metadata = st.user_metadata();
    assert!(metadata.get_user_metadata("u1").await.unwrap().is_empty());
    let first = json!({ "plan": "pro", "prefs": { "theme": "dark", "lang": "en" } });
    let merged = metadata
        .update_user_metadata("u1", object(first.clone()))
        .await
        .unwrap();
    assert_eq!(Value::Object(merged), first);
    let update = json!({ "prefs": { "theme": "light" }, "plan": null, "seats": 3 });
    let merged = metadata
        .update_user_metadata("u1", object(update))
        .await
        .unwrap();
    let expected = json!({ "prefs": { "theme": "light" }, "seats": 3 });
    assert_eq!(Value::Object(merged), expected);
    assert_eq!(
        Value::Object(metadata.get_user_metadata("u1").await.unwrap()),
        expected
    );
    // An empty update changes nothing.
    let same = metadata
        .update_user_metadata("u1", Map::new())
        .await
        .unwrap();
    assert_eq!(Value::Object(same), expected);
    // Another user's is their own.
    metadata
        .update_user_metadata("u2", object(json!({ "x": 1 })))
        .await
        .unwrap();
    metadata.clear_user_metadata("u1").await.unwrap();
    assert!(metadata.get_user_metadata("u1").await.unwrap().is_empty());
    assert_eq!(
        Value::Object(metadata.get_user_metadata("u2").await.unwrap()),
        json!({ "x": 1 })
    );
    // Clearing what is not there is fine.
    metadata.clear_user_metadata("nobody").await.unwrap();
}

#[tokio::test]
async fn metadata_on_the_embedded_core() {
    metadata_is_read_merged_and_cleared(&embedded_sdk()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metadata_on_the_embedded_core_server_over_http() {
    let (_core, st) = remote_sdk().await;
    metadata_is_read_merged_and_cleared(&st).await;
}
