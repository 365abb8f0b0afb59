//! Session options and functions: exposing the access token, custom statuses, payload updates,
//! database checks, overrides, and the JWKS endpoint.

use axum::Router;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;

use supertokens::session::{self, SessionConfig, SessionContainer};

use super::{
    app, counting, local, local_app, login_with_cookies, login_with_headers,
    only_the_database_check_sees, sessioninfo, verified, with_layer,
};

#[tokio::test]
async fn exposing_the_access_token_in_cookie_mode_and_custom_statuses() {
    let st = local(
        SessionConfig::new()
            .expose_access_token_to_frontend_in_cookie_based_auth(true)
            .session_expired_status_code(440),
    );
    let app = app(&st);
    let (login, _, _) = login_with_cookies(&app).await;
    assert_eq!(
        login.header("st-access-token"),
        login.cookie_value("sAccessToken")
    );
    let r = app.get("/sessioninfo").send().await;
    assert_eq!(r.status.as_u16(), 440);
}

#[tokio::test]
async fn merge_into_payload_and_recipe_functions() {
    let st = local(SessionConfig::new());
    let promote_me = post(|session: SessionContainer| async move {
        let mut update = serde_json::Map::new();
        update.insert("role".into(), json!("editor"));
        update.insert("gone".into(), Value::Null);
        session
            .merge_into_access_token_payload(update)
            .await
            .map(|_| "ok")
    });
    let routes = Router::new().route("/promote-me", promote_me);
    let app = with_layer(&st, routes.merge(st.router()));
    let test = supertokens::testing::session_with_payload(
        &st,
        "user-9",
        [("gone".to_owned(), json!(1))].into_iter().collect(),
    )
    .await
    .unwrap();
    let r = app.post("/promote-me").session(&test).send().await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let new_token = r
        .header("st-access-token")
        .expect("new token written by the layer");
    let front = r.front_token();
    assert_eq!(front["up"]["role"], "editor");
    assert!(front["up"].get("gone").is_none());
    let payload = tests::jwt::payload(&new_token);
    assert_eq!(payload["role"], "editor");

    let info = st
        .session()
        .get_session_information(test.session.handle())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.user_id, "user-9");
    assert!(info.time_created > 0);
    assert_eq!(
        test.session.time_created().await.unwrap(),
        info.time_created
    );
    let handles = st
        .session()
        .get_all_session_handles_for_user("user-9")
        .await
        .unwrap();
    assert_eq!(handles, vec![test.session.handle().to_owned()]);
    let revoked = st
        .session()
        .revoke_all_sessions_for_user("user-9")
        .await
        .unwrap();
    assert_eq!(revoked.len(), 1);
    assert!(
        !st.session()
            .revoke_session(test.session.handle())
            .await
            .unwrap()
    );
    assert!(
        test.session
            .time_created()
            .await
            .unwrap_err()
            .is_unauthorised()
    );
}

#[tokio::test]
async fn check_database_sees_revocation() {
    let st = local(SessionConfig::new());
    let routes = Router::new()
        .route(
            "/strict",
            get(verified::<true, { supertokens::__private::ANTI_CSRF_DEFAULT }>),
        )
        .route("/loose", get(sessioninfo));
    let app = with_layer(&st, routes);
    let test = supertokens::testing::session(&st, "user-3").await.unwrap();
    test.session.revoke_session().await.unwrap();
    only_the_database_check_sees(&app, &test, "/loose", "/strict").await;
}

#[tokio::test]
async fn overrides_wrap_functions_and_disable_apis() {
    let (config, calls) = counting(SessionConfig::new());
    let config = config.disable_api(session::SessionApi::Refresh);
    let (_st, app) = local_app(config);
    let login = login_with_headers(&app).await;
    let at = login.header("st-access-token").unwrap();
    let rt = login.header("st-refresh-token").unwrap();
    let r = app.post("/auth/session/refresh").bearer(&rt).send().await;
    assert_eq!(r.status, 404, "a disabled API is not routed");
    let r = app.post("/auth/signout").bearer(&at).send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        calls.revoke_session.load(Ordering::SeqCst),
        1,
        "sign-out goes through the overridden function"
    );
}

#[tokio::test]
async fn jwks_endpoint_proxies_the_core() {
    let (_st, app) = local_app(SessionConfig::new());
    let r = app.get("/auth/jwt/jwks.json").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("*")
    );
    let cache = r.header("cache-control").unwrap();
    assert!(
        cache.starts_with("max-age=") && cache.ends_with(", must-revalidate"),
        "{cache}"
    );
    let keys = r.body["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    assert_eq!(keys[0]["alg"], "RS256");
    assert!(r.body.get("status").is_none());
}
