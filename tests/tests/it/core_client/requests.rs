//! What a request carries: headers, query encoding, base paths; the JWKS without api key or
//! version; requests that cannot be built.

use std::time::Duration;

use http::Method;
use serde_json::{Value, json};
use supertokens::core::CoreError;

use super::{TestCore, client};

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
        .request(
            Method::PUT,
            "/recipe/user",
            pl,
            &[],
            Some(&json!({"userId": "u"})),
        )
        .await
        .unwrap();
    assert_eq!(answer["method"], "PUT");
    assert_eq!(answer["headers"]["rid"], "passwordless");

    let answer: Value = client.get("/recipe/session", None, &[]).await.unwrap();
    assert!(answer["headers"].get("rid").is_none(), "{answer}");
    assert!(answer["headers"].get("content-type").is_none(), "{answer}");

    let answer: Value = client
        .request(
            Method::DELETE,
            "/recipe/thing",
            Some("session"),
            &[("id", "1")],
            None::<&()>,
        )
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
