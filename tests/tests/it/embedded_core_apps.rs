//! Several apps on one embedded core, as SuperTokens' "multi app setup" has them: created,
//! listed and removed through the multitenancy APIs, each under `/appid-<appId>/…` with its own
//! users, sessions, signing keys and core config. Over HTTP, as a second backend would call it.

use std::collections::BTreeSet;

use http::{Method, StatusCode};
use serde_json::{Value, json};
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use tests::client::Reply;
use tests::embedded_core::{CoreHarness, Transport};

async fn put_app(h: &CoreHarness, from: &str, body: Value) -> Reply {
    h.call(
        Method::PUT,
        &format!("{from}/recipe/multitenancy/app/v2"),
        Some(body),
    )
    .await
}

async fn remove_app(h: &CoreHarness, from: &str, app_id: &str) -> Reply {
    let path = format!("{from}/recipe/multitenancy/app/remove");
    h.call(Method::POST, &path, Some(json!({ "appId": app_id })))
        .await
}

fn ok(r: &Reply) -> &Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    &r.body
}

fn refused(r: &Reply, status: StatusCode, message: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.text.contains(message), "{message:?} in {:?}", r.text);
}

/// A user signed in with a one-time code, and a session for them, in the app at `app`
/// (`/appid-…`).
struct Session {
    user_id: String,
    handle: String,
    access_token: Value,
    refresh_token: String,
}

async fn sign_in(h: &CoreHarness, app: &str, email: &str) -> Session {
    let code = h
        .call(
            Method::POST,
            &format!("{app}/public/recipe/signinup/code"),
            Some(json!({ "email": email })),
        )
        .await;
    let code = ok(&code).clone();
    let consumed = h
        .call(
            Method::POST,
            &format!("{app}/public/recipe/signinup/code/consume"),
            Some(json!({
                "preAuthSessionId": code["preAuthSessionId"],
                "deviceId": code["deviceId"],
                "userInputCode": code["userInputCode"],
            })),
        )
        .await;
    let user_id = ok(&consumed)["recipeUserId"].as_str().unwrap().to_owned();
    let session = h
        .call(
            Method::POST,
            &format!("{app}/public/recipe/session"),
            Some(json!({
                "userId": user_id, "userDataInJWT": {}, "userDataInDatabase": {},
                "enableAntiCsrf": false, "useDynamicSigningKey": true,
            })),
        )
        .await;
    let session = ok(&session);
    Session {
        user_id,
        handle: session["session"]["handle"].as_str().unwrap().to_owned(),
        access_token: session["accessToken"].clone(),
        refresh_token: session["refreshToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

async fn verify(h: &CoreHarness, app: &str, s: &Session) -> Reply {
    h.call(
        Method::POST,
        &format!("{app}/public/recipe/session/verify"),
        Some(json!({
            "accessToken": s.access_token["token"], "doAntiCsrfCheck": false,
            "enableAntiCsrf": false, "checkDatabase": true,
        })),
    )
    .await
}

async fn refresh(h: &CoreHarness, app: &str, s: &Session) -> Reply {
    h.call(
        Method::POST,
        &format!("{app}/public/recipe/session/refresh"),
        Some(json!({
            "refreshToken": s.refresh_token, "enableAntiCsrf": false,
            "useDynamicSigningKey": true,
        })),
    )
    .await
}

/// `GET /recipe/user` for `user_id` in the app at `app`: its status.
async fn user_status(h: &CoreHarness, app: &str, user_id: &str) -> Value {
    let path = format!("{app}/recipe/user?userId={user_id}");
    h.call(Method::GET, &path, None).await.body["status"].clone()
}

async fn kids(h: &CoreHarness, app: &str) -> BTreeSet<String> {
    let r = h
        .call(Method::GET, &format!("{app}/.well-known/jwks.json"), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn apps_are_created_listed_and_removed_as_the_real_core_does() {
    let h = CoreHarness::new(Transport::Http).await;
    let not_found = "AppId or tenantId not found";
    refused(
        &h.call(Method::GET, "/appid-shop/hello", None).await,
        StatusCode::BAD_REQUEST,
        not_found,
    );
    // Created once (the id is trimmed and lowercased), then updated.
    let r = put_app(&h, "", json!({ "appId": " Shop " })).await;
    assert_eq!(ok(&r)["createdNew"], true);
    let r = put_app(&h, "", json!({ "appId": "shop", "coreConfig": {} })).await;
    assert_eq!(ok(&r)["createdNew"], false);
    // Its own routes answer, the public app's included.
    for path in ["/appid-shop/hello", "/appid-shop/apiversion"] {
        let r = h.call(Method::GET, path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    let r = h
        .call(
            Method::GET,
            "/appid-shop/public/recipe/multitenancy/tenant/v2",
            None,
        )
        .await;
    assert_eq!(ok(&r)["tenantId"], "public");
    let list = h
        .call(Method::GET, "/recipe/multitenancy/app/list/v2", None)
        .await;
    let ids: Vec<&str> = ok(&list)["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["appId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["public", "shop"]);
    assert_eq!(list.body["apps"][1]["tenants"][0]["tenantId"], "public");

    // What only the public app may do.
    refused(
        &h.call(
            Method::GET,
            "/appid-shop/recipe/multitenancy/app/list/v2",
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
        "Only the public tenantId and public appId is allowed to list",
    );
    refused(
        &put_app(&h, "/appid-shop", json!({ "appId": "other" })).await,
        StatusCode::FORBIDDEN,
        "You must use the public or same app to add/update an app",
    );
    refused(
        &remove_app(&h, "/appid-shop", "shop").await,
        StatusCode::FORBIDDEN,
        "Only the public tenantId and public appId is allowed to delete an app",
    );
    refused(
        &remove_app(&h, "", "public").await,
        StatusCode::FORBIDDEN,
        "Cannot delete the public app",
    );
    for (id, message) in [
        ("appid-x", "appId must not start with 'appid-'"),
        ("a_b", "appId can only contain letters, numbers and hyphens"),
        ("  ", "appId should not be an empty String"),
    ] {
        refused(
            &put_app(&h, "", json!({ "appId": id })).await,
            StatusCode::BAD_REQUEST,
            message,
        );
    }

    // Removed: its routes are gone, and a second removal finds nothing.
    assert_eq!(ok(&remove_app(&h, "", "shop").await)["didExist"], true);
    assert_eq!(ok(&remove_app(&h, "", "shop").await)["didExist"], false);
    refused(
        &h.call(Method::GET, "/appid-shop/hello", None).await,
        StatusCode::BAD_REQUEST,
        not_found,
    );
}

#[tokio::test]
async fn two_apps_never_see_each_others_users_sessions_or_keys() {
    let h = CoreHarness::new(Transport::Http).await;
    for app in ["a", "b"] {
        ok(&put_app(&h, "", json!({ "appId": app })).await);
    }
    let (a, b) = ("/appid-a", "/appid-b");
    let in_a = sign_in(&h, a, "same@example.com").await;
    let in_b = sign_in(&h, b, "same@example.com").await;
    // One e-mail address, two users.
    assert_ne!(in_a.user_id, in_b.user_id);
    assert_eq!(
        user_status(&h, b, &in_a.user_id).await,
        "UNKNOWN_USER_ID_ERROR"
    );
    assert_eq!(
        user_status(&h, "", &in_a.user_id).await,
        "UNKNOWN_USER_ID_ERROR"
    );
    assert_eq!(user_status(&h, a, &in_a.user_id).await, "OK");

    // Each app signs with keys of its own, and takes only its own tokens.
    let (kids_a, kids_b) = (kids(&h, a).await, kids(&h, b).await);
    assert!(
        !kids_a.is_empty() && kids_a.is_disjoint(&kids_b),
        "{kids_a:?} {kids_b:?}"
    );
    ok(&verify(&h, a, &in_a).await);
    let r = verify(&h, b, &in_a).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_ne!(
        r.body["status"], "OK",
        "a token of app a verified on app b: {}",
        r.text
    );
    let r = refresh(&h, b, &in_a).await;
    assert_eq!(r.body["status"], "UNAUTHORISED", "{}", r.text);
    let path = format!("{b}/recipe/session?sessionHandle={}", in_a.handle);
    let r = h.call(Method::GET, &path, None).await;
    assert_eq!(r.body["status"], "UNAUTHORISED", "{}", r.text);

    // Removing app a takes its data and leaves b's alone.
    ok(&remove_app(&h, "", "a").await);
    ok(&put_app(&h, "", json!({ "appId": "a" })).await);
    assert_eq!(
        user_status(&h, a, &in_a.user_id).await,
        "UNKNOWN_USER_ID_ERROR"
    );
    assert!(
        kids(&h, a).await.is_disjoint(&kids_a),
        "new keys for the new app a"
    );
    ok(&verify(&h, b, &in_b).await);
    ok(&refresh(&h, b, &in_b).await);
}

#[tokio::test]
async fn each_app_has_its_own_core_config() {
    let h = CoreHarness::new(Transport::Http).await;
    let config = json!({
        "access_token_validity": "2",
        "refresh_token_validity": 120,
        "passwordless_code_lifetime": "60000",
        "passwordless_max_code_input_attempts": 2,
        "access_token_dynamic_signing_key_update_interval": 0.5,
    });
    ok(&put_app(&h, "", json!({ "appId": "short", "coreConfig": config })).await);
    let lifetime = |s: &Session| {
        s.access_token["expiry"].as_i64().unwrap() - s.access_token["createdTime"].as_i64().unwrap()
    };
    assert_eq!(
        lifetime(&sign_in(&h, "/appid-short", "a@example.com").await),
        2_000
    );
    assert_eq!(lifetime(&sign_in(&h, "", "a@example.com").await), 3_600_000);

    // Codes live a minute, and the second wrong code ends the device.
    let code = h
        .call(
            Method::POST,
            "/appid-short/public/recipe/signinup/code",
            Some(json!({ "email": "b@example.com" })),
        )
        .await;
    let code = ok(&code).clone();
    assert_eq!(code["codeLifetime"], 60_000);
    let wrong = json!({
        "preAuthSessionId": code["preAuthSessionId"], "deviceId": code["deviceId"],
        "userInputCode": "not-the-code",
    });
    let path = "/appid-short/public/recipe/signinup/code/consume";
    let first = h.call(Method::POST, path, Some(wrong.clone())).await;
    assert_eq!(
        first.body["status"], "INCORRECT_USER_INPUT_CODE_ERROR",
        "{}",
        first.text
    );
    let second = h.call(Method::POST, path, Some(wrong)).await;
    assert_eq!(
        second.body["status"], "RESTART_FLOW_ERROR",
        "{}",
        second.text
    );

    // The list shows what was set; `null` removes a setting; a bad value is refused.
    let update = json!({ "appId": "short", "coreConfig": { "access_token_validity": null } });
    ok(&put_app(&h, "", update).await);
    let list = h
        .call(Method::GET, "/recipe/multitenancy/app/list/v2", None)
        .await;
    let shown = &ok(&list)["apps"][1]["tenants"][0]["coreConfig"];
    assert_eq!(shown.get("access_token_validity"), None, "{shown}");
    assert_eq!(shown["passwordless_max_code_input_attempts"], 2);
    assert_eq!(
        lifetime(&sign_in(&h, "/appid-short", "c@example.com").await),
        3_600_000
    );
    for bad in [
        json!({ "access_token_validity": "soon" }),
        json!({ "passwordless_code_lifetime": -1 }),
        json!({ "access_token_validity": 7200, "refresh_token_validity": 60 }),
    ] {
        refused(
            &put_app(&h, "", json!({ "appId": "short", "coreConfig": bad })).await,
            StatusCode::BAD_REQUEST,
            "Invalid core config",
        );
    }
    refused(
        &put_app(
            &h,
            "",
            json!({ "coreConfig": { "access_token_validity": 5 } }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "Cannot modify base config",
    );
}

#[tokio::test]
async fn apps_and_their_sessions_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || EmbeddedCoreConfig {
        database: Database::File(dir.path().join("core.db")),
        ..EmbeddedCoreConfig::default()
    };
    let h = CoreHarness::with(Transport::Http, config()).await;
    let set = json!({ "appId": "kept", "coreConfig": { "access_token_validity": 60 } });
    ok(&put_app(&h, "", set).await);
    let session = sign_in(&h, "/appid-kept", "a@example.com").await;
    drop(h);

    let h = CoreHarness::with(Transport::Http, config()).await;
    ok(&verify(&h, "/appid-kept", &session).await);
    ok(&refresh(&h, "/appid-kept", &session).await);
    let again = sign_in(&h, "/appid-kept", "a@example.com").await;
    assert_eq!(again.user_id, session.user_id);
    assert_eq!(
        again.access_token["expiry"].as_i64().unwrap()
            - again.access_token["createdTime"].as_i64().unwrap(),
        60_000,
        "the app's config is kept"
    );
}
