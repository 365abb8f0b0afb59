//! What the official SDKs call on a core besides passwordless and sessions: the JWT recipe's
//! signing (`POST /recipe/jwt`) and the UserMetadata recipe, per app, over HTTP.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::client::Reply;
use tests::embedded_core::{CoreHarness, Transport};

async fn call(h: &CoreHarness, method: Method, path: &str, body: Value) -> Reply {
    let request = h.raw.request(method.clone(), path);
    if method == Method::GET {
        request
    } else {
        request.json(&body)
    }
    .send()
    .await
}

async fn new_app(h: &CoreHarness, app_id: &str) {
    let r = call(
        h,
        Method::PUT,
        "/recipe/multitenancy/app/v2",
        json!({ "appId": app_id }),
    )
    .await;
    assert_eq!(r.body["createdNew"], true, "{}", r.text);
}

/// Signs `payload` in the app at `app` and answers the reply.
async fn sign(h: &CoreHarness, app: &str, extra: Value) -> Reply {
    let mut body = json!({
        "payload": { "role": "reader", "n": 7 },
        "algorithm": "RS256",
        "jwksDomain": "https://api.example.com",
        "validity": 60,
    });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(h, Method::POST, &format!("{app}/recipe/jwt"), body).await
}

/// The claims of `token` if one of the keys in the JWKS of the app at `app` signed it.
async fn verified(h: &CoreHarness, app: &str, token: &str) -> Option<Value> {
    let jwks = call(
        h,
        Method::GET,
        &format!("{app}/.well-known/jwks.json"),
        Value::Null,
    )
    .await;
    let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())?;
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().unwrap(),
        jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .ok()
        .map(|data| data.claims)
}

#[tokio::test]
async fn the_jwt_recipe_signs_with_the_apps_keys() {
    let h = CoreHarness::new(Transport::Http).await;
    new_app(&h, "other").await;
    let r = sign(&h, "", json!({})).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let token = r.body["jwt"].as_str().unwrap();
    let header = tests::jwt::header(token);
    assert_eq!(header["typ"], "JWT");
    assert_eq!(header["alg"], "RS256");
    assert!(
        header["kid"].as_str().unwrap().starts_with("s-"),
        "{header}"
    );
    let claims = verified(&h, "", token)
        .await
        .expect("verifies with the JWKS");
    assert_eq!(claims["role"], "reader");
    assert_eq!(claims["n"], 7);
    assert_eq!(claims["iss"], "https://api.example.com");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    // Another app's keys do not verify it.
    assert_eq!(verified(&h, "/appid-other", token).await, None);

    // The rotating key when asked, and the payload's own issuer wins.
    let extra = json!({ "useStaticSigningKey": false, "payload": { "iss": "me" } });
    let r = sign(&h, "/appid-other", extra).await;
    let token = r.body["jwt"].as_str().unwrap();
    assert!(tests::jwt::kid(token).starts_with("d-"), "{}", r.text);
    let claims = verified(&h, "/appid-other", token).await.unwrap();
    assert_eq!(claims["iss"], "me");

    let r = sign(&h, "", json!({ "algorithm": "HS256" })).await;
    assert_eq!(r.body, json!({ "status": "UNSUPPORTED_ALGORITHM_ERROR" }));
    let r = sign(&h, "", json!({ "validity": 0 })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.text, "validity must be greater than or equal to 0\n");
    let r = sign(&h, "", json!({ "payload": "text" })).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}

#[tokio::test]
async fn the_dashboard_is_told_what_users_can_be_searched_by() {
    let h = CoreHarness::new(Transport::Http).await;
    let r = call(&h, Method::GET, "/user/search/tags", Value::Null).await;
    assert_eq!(
        r.body,
        json!({ "status": "OK", "tags": ["email", "phone", "provider"] })
    );
}

async fn metadata(h: &CoreHarness, app: &str, user: &str) -> Value {
    let path = format!("{app}/recipe/user/metadata?userId={user}");
    let r = call(h, Method::GET, &path, Value::Null).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    r.body["metadata"].clone()
}

async fn update(h: &CoreHarness, app: &str, user: &str, update: Value) -> Value {
    let body = json!({ "userId": user, "metadataUpdate": update });
    let r = call(h, Method::PUT, &format!("{app}/recipe/user/metadata"), body).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    r.body["metadata"].clone()
}

#[tokio::test]
async fn user_metadata_merges_removes_and_stays_in_its_app() {
    let h = CoreHarness::new(Transport::Http).await;
    new_app(&h, "other").await;
    assert_eq!(metadata(&h, "", "u1").await, json!({}));
    let first = json!({ "plan": "pro", "prefs": { "theme": "dark", "lang": "en" } });
    assert_eq!(update(&h, "", "u1", first.clone()).await, first);
    // A shallow merge: a nested object is replaced whole, `null` removes its key.
    let merged = update(
        &h,
        "",
        "u1",
        json!({ "prefs": { "theme": "light" }, "plan": null, "seats": 3 }),
    )
    .await;
    let expected = json!({ "prefs": { "theme": "light" }, "seats": 3 });
    assert_eq!(merged, expected);
    assert_eq!(metadata(&h, "", "u1").await, expected);
    // Another app's user of the same id has none.
    assert_eq!(metadata(&h, "/appid-other", "u1").await, json!({}));
    update(&h, "/appid-other", "u1", json!({ "x": 1 })).await;
    assert_eq!(metadata(&h, "", "u1").await, expected);

    let r = call(
        &h,
        Method::POST,
        "/recipe/user/metadata/remove",
        json!({ "userId": "u1" }),
    )
    .await;
    assert_eq!(r.body, json!({ "status": "OK" }));
    assert_eq!(metadata(&h, "", "u1").await, json!({}));
    assert_eq!(metadata(&h, "/appid-other", "u1").await, json!({ "x": 1 }));

    // Removing a user removes their metadata.
    update(&h, "", "u2", json!({ "a": 1 })).await;
    let r = call(&h, Method::POST, "/user/remove", json!({ "userId": "u2" })).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    assert_eq!(metadata(&h, "", "u2").await, json!({}));

    let r = call(&h, Method::GET, "/recipe/user/metadata", Value::Null).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.text, "Field name 'userId' is missing in GET request\n");
    let body = json!({ "userId": "u1", "metadataUpdate": [] });
    let r = call(&h, Method::PUT, "/recipe/user/metadata", body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
}
