//! The session lifecycle through an axum app on the embedded core, in cookie and header mode:
//! create, verify, expiry, refresh, promotion, token theft, sign-out, anti-CSRF, duplicate
//! cookies, and bad input.

use std::time::Duration;

use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use base64::Engine;
use http::{HeaderMap, Request, Response, StatusCode};
use serde_json::{Value, json};
use supertokens::core::embedded_config::{Database, EmbeddedCoreConfig};
use supertokens::session::{self, SessionConfig, SessionContainer};
use supertokens::{Config, SuperTokens};
use tower::ServiceExt;

fn instance_with(api: &str, web: &str, session: SessionConfig) -> SuperTokens {
    let config = Config::builder()
        .app_name("Test")
        .api_domain(api)
        .website_domain(web)
        .embedded_core(EmbeddedCoreConfig {
            database: Database::Memory,
            ..Default::default()
        })
        .session(session)
        .build()
        .expect("valid config");
    SuperTokens::new(config).expect("instance")
}

fn local(session: SessionConfig) -> SuperTokens {
    instance_with("http://localhost:3001", "http://localhost:3000", session)
}

async fn sessioninfo(session: SessionContainer) -> axum::Json<Value> {
    axum::Json(json!({
        "userId": session.user_id(),
        "sessionHandle": session.handle(),
        "accessTokenPayload": session.access_token_payload(),
    }))
}

async fn optional(session: Option<SessionContainer>) -> String {
    session.map_or_else(|| "none".to_owned(), |s| s.user_id().to_owned())
}

async fn login(Extension(st): Extension<SuperTokens>, headers: HeaderMap) -> impl IntoResponse {
    let mut payload = serde_json::Map::new();
    payload.insert("role".into(), json!("admin"));
    payload.insert("sub".into(), json!("attempt to override"));
    match session::create_new_session(
        &st,
        &headers,
        "public",
        "user-1",
        payload,
        Default::default(),
    )
    .await
    {
        Ok((_, changes)) => (changes, "ok").into_response(),
        Err(e) => e.into_response(),
    }
}

async fn promote(v: session::Verified<false, { session::ANTI_CSRF_DEFAULT }>) -> impl IntoResponse {
    (v.changes, v.session.user_id().to_owned())
}

fn app(st: &SuperTokens) -> Router {
    Router::new()
        .route("/sessioninfo", get(sessioninfo))
        .route("/like", post(sessioninfo))
        .route("/optional", get(optional))
        .route("/login", post(login))
        .merge(st.router())
        .layer(st.layer())
}

/// Routes without the layer (the instance comes from a plain `Extension`): only `Verified`
/// hands a replacement token to the client.
fn app_without_layer(st: &SuperTokens) -> Router {
    Router::new()
        .route("/promote", get(promote))
        .route("/sessioninfo", get(sessioninfo))
        .layer(Extension(st.clone()))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    fn cookie_value(&self, name: &str) -> Option<String> {
        let c = self.cookie(name)?;
        Some(c[name.len() + 1..].split(';').next().unwrap().to_owned())
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

async fn call(app: &Router, request: Request<Body>) -> Answer {
    let response: Response<Body> = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Answer {
        status,
        headers,
        body,
    }
}

fn req(method: &str, uri: &str) -> http::request::Builder {
    Request::builder().method(method).uri(uri)
}

fn front_token(answer: &Answer) -> Value {
    let raw = answer.header("front-token").expect("front-token");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn assert_cleared_cookies(answer: &Answer) {
    for name in ["sAccessToken", "sRefreshToken"] {
        let c = answer
            .cookie(name)
            .unwrap_or_else(|| panic!("{name} cleared: {:?}", answer.cookies()));
        assert!(c.starts_with(&format!("{name}=;")), "{c}");
        assert!(c.contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT"), "{c}");
    }
    assert_eq!(answer.header("front-token").as_deref(), Some("remove"));
}

fn assert_nothing_cleared(answer: &Answer) {
    assert!(answer.cookies().is_empty(), "{:?}", answer.cookies());
    assert_eq!(answer.header("front-token"), None);
    assert_eq!(answer.header("st-access-token"), None);
}

#[tokio::test]
async fn cookie_mode_lifecycle() {
    let st = local(SessionConfig::new());
    let app = app(&st);

    // Create: cookies with SuperTokens' attributes, front-token, exposed headers.
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(login.status, 200);
    let access = login.cookie("sAccessToken").expect("access cookie");
    assert!(
        access.contains("; Path=/;")
            && access.contains("HttpOnly")
            && access.contains("SameSite=Lax"),
        "{access}"
    );
    assert!(!access.contains("Secure"), "http API: no Secure: {access}");
    let refresh = login.cookie("sRefreshToken").expect("refresh cookie");
    assert!(refresh.contains("Path=/auth/session/refresh;"), "{refresh}");
    assert_eq!(
        login.header("st-access-token"),
        None,
        "no token headers in cookie mode"
    );
    assert_eq!(login.header("anti-csrf"), None);
    let exposed = login.header("access-control-expose-headers").unwrap();
    assert!(exposed.contains("front-token"), "{exposed}");
    let front = front_token(&login);
    assert_eq!(front["uid"], "user-1");
    assert_eq!(front["up"]["role"], "admin");
    assert_eq!(
        front["up"]["sub"], "user-1",
        "protected claims cannot be overridden"
    );
    assert_eq!(front["up"]["iss"], "http://localhost:3001/auth");
    let at0 = login.cookie_value("sAccessToken").unwrap();
    let rt0 = login.cookie_value("sRefreshToken").unwrap();

    // Verify.
    let info = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", format!("sAccessToken={at0}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(info.status, 200, "{:?}", info.body);
    assert_eq!(info.body["userId"], "user-1");
    assert_eq!(info.body["accessTokenPayload"]["role"], "admin");
    let handle = info.body["sessionHandle"].as_str().unwrap().to_owned();
    assert_nothing_cleared(&info);

    // Expired access token → 401 try refresh token, nothing cleared.
    st.clock().advance(Duration::from_secs(3601));
    let expired = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", format!("sAccessToken={at0}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body, json!({"message": "try refresh token"}));
    assert_nothing_cleared(&expired);

    // Refresh → 200 {} with new cookies.
    let refreshed = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt0}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    assert_eq!(refreshed.body, json!({}));
    let at1 = refreshed.cookie_value("sAccessToken").unwrap();
    let rt1 = refreshed.cookie_value("sRefreshToken").unwrap();
    assert_ne!(at1, at0);
    assert_ne!(rt1, rt0);
    assert!(refreshed.header("front-token").is_some());

    // First use of the new access token: the core promotes the rotation and the layer sends a
    // replacement token.
    let promoted = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", format!("sAccessToken={at1}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(promoted.status, 200);
    let at2 = promoted
        .cookie_value("sAccessToken")
        .expect("replacement access token");
    assert_ne!(at2, at1);
    assert!(promoted.header("front-token").is_some());
    let again = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", format!("sAccessToken={at2}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(again.status, 200);
    assert!(
        again.cookie("sAccessToken").is_none(),
        "a promoted token needs no replacement"
    );

    // The old refresh token again → token theft: cleared, session revoked.
    let theft = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt0}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(theft.status, 401);
    assert_eq!(theft.body, json!({"message": "token theft detected"}));
    assert_cleared_cookies(&theft);
    assert_eq!(
        session::get_session_information(&st, &handle)
            .await
            .unwrap(),
        None,
        "session revoked"
    );

    // The newest refresh token is dead too.
    let after = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt1}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(after.status, 401);
    assert_eq!(after.body, json!({"message": "unauthorised"}));
    assert_cleared_cookies(&after);
}

#[tokio::test]
async fn header_mode_lifecycle_and_sign_out() {
    let st = local(SessionConfig::new());
    let app = app(&st);

    // No st-auth-mode → header mode.
    let login = call(&app, req("POST", "/login").body(Body::empty()).unwrap()).await;
    assert_eq!(login.status, 200);
    assert!(login.cookies().is_empty(), "{:?}", login.cookies());
    let at0 = login.header("st-access-token").expect("access header");
    let rt0 = login.header("st-refresh-token").expect("refresh header");
    let exposed = login.header("access-control-expose-headers").unwrap();
    for h in ["front-token", "st-access-token", "st-refresh-token"] {
        assert!(exposed.contains(h), "{exposed}");
    }

    let bearer = |t: &str| format!("Bearer {t}");
    let info = call(
        &app,
        req("POST", "/like")
            .header("authorization", bearer(&at0))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        info.status, 200,
        "header mode skips anti-CSRF: {:?}",
        info.body
    );

    st.clock().advance(Duration::from_secs(3601));
    let expired = call(
        &app,
        req("GET", "/sessioninfo")
            .header("authorization", bearer(&at0))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body, json!({"message": "try refresh token"}));

    let refreshed = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("authorization", bearer(&rt0))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(refreshed.status, 200);
    assert_eq!(refreshed.body, json!({}));
    let at1 = refreshed.header("st-access-token").unwrap();
    let rt1 = refreshed.header("st-refresh-token").unwrap();

    // Promotion through the `Verified` extractor, without the layer.
    let bare = app_without_layer(&st);
    let promoted = call(
        &bare,
        req("GET", "/promote")
            .header("authorization", bearer(&at1))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(promoted.status, 200);
    let at2 = promoted
        .header("st-access-token")
        .expect("replacement token via Verified");
    assert_ne!(at2, at1);

    // Token theft with RT0 (conformance §1.8 step 4): empty token headers, front-token remove.
    let theft = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("authorization", bearer(&rt0))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(theft.status, 401);
    assert_eq!(theft.body, json!({"message": "token theft detected"}));
    assert_eq!(theft.header("st-access-token").as_deref(), Some(""));
    assert_eq!(theft.header("st-refresh-token").as_deref(), Some(""));
    assert_eq!(theft.header("front-token").as_deref(), Some("remove"));
    let after = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("authorization", bearer(&rt1))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(after.status, 401);
    assert_eq!(after.body, json!({"message": "unauthorised"}));

    // A fresh session, signed out.
    let login = call(&app, req("POST", "/login").body(Body::empty()).unwrap()).await;
    let at = login.header("st-access-token").unwrap();
    let out = call(
        &app,
        req("POST", "/auth/signout")
            .header("authorization", bearer(&at))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, 200);
    assert_eq!(out.body, json!({"status": "OK"}));
    assert_eq!(out.header("st-access-token").as_deref(), Some(""));
    assert_eq!(out.header("st-refresh-token").as_deref(), Some(""));
    assert_eq!(out.header("front-token").as_deref(), Some("remove"));
    assert!(
        out.cookies().is_empty(),
        "header mode sign-out clears only headers"
    );
    let handles = session::get_all_session_handles_for_user(&st, "user-1")
        .await
        .unwrap();
    assert!(handles.is_empty(), "{handles:?}");
}

#[tokio::test]
async fn cookie_sign_out_clears_cookies_and_revokes() {
    let st = local(SessionConfig::new());
    let app = app(&st);
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let at = login.cookie_value("sAccessToken").unwrap();
    let out = call(
        &app,
        req("POST", "/auth/signout")
            .header("cookie", format!("sAccessToken={at}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, 200);
    assert_eq!(out.body, json!({"status": "OK"}));
    assert_cleared_cookies(&out);
    let refresh = out.cookie("sRefreshToken").unwrap();
    assert!(refresh.contains("Path=/auth/session/refresh"), "{refresh}");
    assert_eq!(
        out.header("st-access-token"),
        None,
        "cookie mode sign-out clears only cookies"
    );
    assert!(
        session::get_all_session_handles_for_user(&st, "user-1")
            .await
            .unwrap()
            .is_empty()
    );

    // Sign-out without a session: 401, nothing cleared.
    let none = call(
        &app,
        req("POST", "/auth/signout").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(none.status, 401);
    assert_eq!(none.body, json!({"message": "unauthorised"}));
    assert_nothing_cleared(&none);
}

#[tokio::test]
async fn no_session_is_401_without_clearing() {
    let st = local(SessionConfig::new());
    let app = app(&st);
    let r = call(
        &app,
        req("GET", "/sessioninfo").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, json!({"message": "unauthorised"}));
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_nothing_cleared(&r);
    let r = call(&app, req("GET", "/optional").body(Body::empty()).unwrap()).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "none");
    // An optional session with an expired token is not "no session": the client must refresh.
    let test = supertokens::testing::session(&st, "user-5").await.unwrap();
    let r = call(
        &app,
        test.authorize(req("GET", "/optional"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.body, "user-5");
    st.clock().advance(Duration::from_secs(3601));
    let r = call(
        &app,
        test.authorize(req("GET", "/optional"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, json!({"message": "try refresh token"}));
    // Refresh without a refresh token clears.
    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, json!({"message": "unauthorised"}));
    assert_cleared_cookies(&r);
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn decode_segment(s: &str) -> Value {
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn forged_tampered_and_garbage_tokens_are_401_never_500() {
    let st = local(SessionConfig::new());
    let app = app(&st);
    let login = call(&app, req("POST", "/login").body(Body::empty()).unwrap()).await;
    let token = login.header("st-access-token").unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let header = decode_segment(parts[0]);
    let mut payload = decode_segment(parts[1]);

    // Tampered payload, original signature.
    payload["sub"] = json!("someone-else");
    let tampered = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    // alg none, no signature.
    let mut none_header = header.clone();
    none_header["alg"] = json!("none");
    let alg_none = format!("{}.{}.", b64(&none_header), parts[1]);
    // HS256 "signed" with the public key's kid.
    let mut hs_header = header.clone();
    hs_header["alg"] = json!("HS256");
    let hs256 = format!("{}.{}.{}", b64(&hs_header), parts[1], parts[2]);
    // Wrong kid prefix (static vs dynamic key).
    let mut kid_header = header.clone();
    kid_header["kid"] = json!(format!("s-{}", header["kid"].as_str().unwrap()));
    let wrong_kid = format!("{}.{}.{}", b64(&kid_header), parts[1], parts[2]);
    // Signature of another token.
    let other = call(&app, req("POST", "/login").body(Body::empty()).unwrap())
        .await
        .header("st-access-token")
        .unwrap();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        other.split('.').nth(2).unwrap()
    );

    for (name, bad) in [
        ("tampered", &tampered),
        ("alg none", &alg_none),
        ("HS256", &hs256),
        ("kid", &wrong_kid),
        ("swapped", &swapped),
    ] {
        for auth in [format!("Bearer {bad}")] {
            let r = call(
                &app,
                req("GET", "/sessioninfo")
                    .header("authorization", auth)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
            assert_eq!(r.status, 401, "{name}");
            assert_eq!(r.body, json!({"message": "try refresh token"}), "{name}");
        }
        let r = call(
            &app,
            req("GET", "/sessioninfo")
                .header("cookie", format!("sAccessToken={bad}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 401, "{name} (cookie)");
    }

    // Garbage: unparseable tokens count as no token (401 unauthorised, nothing cleared).
    let huge = "a".repeat(200_000);
    let garbage = [
        "x",
        "a.b.c",
        "...",
        "%%%",
        "eyJhbGciOiJub25lIn0.e30.",
        &huge,
        "\u{0}",
        "Bearer",
    ];
    for g in garbage {
        let Ok(value) = http::HeaderValue::from_str(&format!("Bearer {g}")) else {
            continue;
        };
        let r = call(
            &app,
            req("GET", "/sessioninfo")
                .header("authorization", value)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 401, "bearer {g:.20}");
        assert_eq!(r.body, json!({"message": "unauthorised"}), "bearer {g:.20}");
        assert_nothing_cleared(&r);
        let Ok(value) =
            http::HeaderValue::from_str(&format!("sAccessToken={g}; sRefreshToken={g}"))
        else {
            continue;
        };
        let r = call(
            &app,
            req("GET", "/sessioninfo")
                .header("cookie", value.clone())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 401, "cookie {g:.20}");
        let r = call(
            &app,
            req("POST", "/auth/session/refresh")
                .header("cookie", value)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 401, "refresh with cookie {g:.20}: {:?}", r.body);
        let r = call(
            &app,
            req("POST", "/auth/session/refresh")
                .header("authorization", format!("Bearer {g:.2000}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 401, "refresh with bearer {g:.20}: {:?}", r.body);
    }
    // Bytes that are not UTF-8 in the cookie header.
    let r = call(
        &app,
        req("GET", "/sessioninfo")
            .header(
                "cookie",
                http::HeaderValue::from_bytes(b"sAccessToken=\xff\xfe").unwrap(),
            )
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    // A foreign bearer token does not break cookie auth.
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let at = login.cookie_value("sAccessToken").unwrap();
    let r = call(
        &app,
        req("GET", "/sessioninfo")
            .header("authorization", "Bearer not-a-supertokens-token")
            .header("cookie", format!("sAccessToken={at}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn anti_csrf_across_sites() {
    // Different sites: SameSite=None, Secure, anti-CSRF by custom header.
    let st = instance_with(
        "https://api.example.com",
        "https://example.org",
        SessionConfig::new(),
    );
    let app = app(&st);
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let access = login.cookie("sAccessToken").unwrap();
    assert!(
        access.contains("Secure") && access.contains("SameSite=None"),
        "{access}"
    );
    let at = login.cookie_value("sAccessToken").unwrap();
    let rt = login.cookie_value("sRefreshToken").unwrap();
    let cookie = format!("sAccessToken={at}");

    let r = call(
        &app,
        req("POST", "/like")
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401, "no rid on a cross-site POST");
    assert_eq!(r.body, json!({"message": "try refresh token"}));
    for rid in ["session", "anti-csrf"] {
        let r = call(
            &app,
            req("POST", "/like")
                .header("cookie", &cookie)
                .header("rid", rid)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, 200, "rid: {rid}");
    }
    let r = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "GET is not checked");

    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401, "refresh without rid");
    assert_cleared_cookies(&r);
    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt}"))
            .header("rid", "session")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);

    // A handler that opts out of the check (what `#[protected(anti_csrf_check = false)]` uses).
    let skip = Router::new()
        .route(
            "/webhook",
            post(
                |v: session::Verified<false, { session::ANTI_CSRF_SKIP }>| async move {
                    (v.changes, "ok")
                },
            ),
        )
        .layer(st.layer());
    let r = call(
        &skip,
        req("POST", "/webhook")
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "anti-CSRF check skipped");

    // Same site: no check.
    let st = local(SessionConfig::new());
    let app2 = self::app(&st);
    let login = call(
        &app2,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let at = login.cookie_value("sAccessToken").unwrap();
    let r = call(
        &app2,
        req("POST", "/like")
            .header("cookie", format!("sAccessToken={at}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn anti_csrf_via_token() {
    let st = local(SessionConfig::new().anti_csrf("VIA_TOKEN"));
    let app = app(&st);
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let anti = login
        .header("anti-csrf")
        .expect("anti-csrf token in cookie mode");
    let at = login.cookie_value("sAccessToken").unwrap();
    let cookie = format!("sAccessToken={at}");
    let r = call(
        &app,
        req("POST", "/like")
            .header("cookie", &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = call(
        &app,
        req("POST", "/like")
            .header("cookie", &cookie)
            .header("anti-csrf", "wrong")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    let r = call(
        &app,
        req("POST", "/like")
            .header("cookie", &cookie)
            .header("anti-csrf", &anti)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    // Header mode gets no anti-CSRF token.
    let login = call(&app, req("POST", "/login").body(Body::empty()).unwrap()).await;
    assert_eq!(login.header("anti-csrf"), None);
}

#[tokio::test]
async fn duplicate_and_legacy_cookies() {
    let st = local(SessionConfig::new());
    let app = app(&st);
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let at = login.cookie_value("sAccessToken").unwrap();
    let rt = login.cookie_value("sRefreshToken").unwrap();

    let r = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", format!("sAccessToken={at}; sAccessToken={at}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, json!({"message": "try refresh token"}));

    // Duplicate refresh cookies without older_cookie_domain: a server-side configuration problem.
    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt}; sRefreshToken=old"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 500);
    assert_eq!(r.body, json!({"message": "internal error"}));

    // With older_cookie_domain: the old-domain cookie is cleared, 200 with a message.
    let st = local(SessionConfig::new().older_cookie_domain(".localhost.org"));
    let app = self::app(&st);
    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", "sRefreshToken=a; sRefreshToken=b")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("multiple session cookies"),
        "{:?}",
        r.body
    );
    let cleared = r.cookie("sRefreshToken").unwrap();
    assert!(
        cleared.contains("Domain=.localhost.org") && cleared.contains("1970"),
        "{cleared}"
    );

    // The legacy cookie: verification asks for a refresh; refresh clears it.
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let at = login.cookie_value("sAccessToken").unwrap();
    let rt = login.cookie_value("sRefreshToken").unwrap();
    let r = call(
        &app,
        req("GET", "/sessioninfo")
            .header("cookie", format!("sAccessToken={at}; sIdRefreshToken=x"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body, json!({"message": "try refresh token"}));
    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("cookie", format!("sRefreshToken={rt}; sIdRefreshToken=x"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    let legacy = r.cookie("sIdRefreshToken").expect("legacy cookie cleared");
    assert!(legacy.contains("1970"), "{legacy}");
}

#[tokio::test]
async fn exposing_the_access_token_in_cookie_mode_and_custom_statuses() {
    let st = local(
        SessionConfig::new()
            .expose_access_token_to_frontend_in_cookie_based_auth(true)
            .session_expired_status_code(440),
    );
    let app = app(&st);
    let login = call(
        &app,
        req("POST", "/login")
            .header("st-auth-mode", "cookie")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        login.header("st-access-token"),
        login.cookie_value("sAccessToken")
    );
    let r = call(
        &app,
        req("GET", "/sessioninfo").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status.as_u16(), 440);
}

#[tokio::test]
async fn merge_into_payload_and_recipe_functions() {
    let st = local(SessionConfig::new());
    let app = Router::new()
        .route(
            "/promote-me",
            post(|session: SessionContainer| async move {
                let mut update = serde_json::Map::new();
                update.insert("role".into(), json!("editor"));
                update.insert("gone".into(), Value::Null);
                session
                    .merge_into_access_token_payload(update)
                    .await
                    .map(|_| "ok")
            }),
        )
        .merge(st.router())
        .layer(st.layer());
    let test = supertokens::testing::session_with_payload(
        &st,
        "user-9",
        [("gone".to_owned(), json!(1))].into_iter().collect(),
    )
    .await
    .unwrap();
    let r = call(
        &app,
        test.authorize(req("POST", "/promote-me"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let new_token = r
        .header("st-access-token")
        .expect("new token written by the layer");
    let front = front_token(&r);
    assert_eq!(front["up"]["role"], "editor");
    assert!(front["up"].get("gone").is_none());
    let payload = decode_segment(new_token.split('.').nth(1).unwrap());
    assert_eq!(payload["role"], "editor");

    let info = session::get_session_information(&st, test.session.handle())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(info.user_id, "user-9");
    assert!(info.time_created > 0);
    assert_eq!(
        test.session.time_created().await.unwrap(),
        info.time_created
    );
    let handles = session::get_all_session_handles_for_user(&st, "user-9")
        .await
        .unwrap();
    assert_eq!(handles, vec![test.session.handle().to_owned()]);
    let revoked = session::revoke_all_sessions_for_user(&st, "user-9")
        .await
        .unwrap();
    assert_eq!(revoked.len(), 1);
    assert!(
        !session::revoke_session(&st, test.session.handle())
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
    let app = Router::new()
        .route(
            "/strict",
            get(
                |v: session::Verified<true, { session::ANTI_CSRF_DEFAULT }>| async move {
                    (v.changes, "ok")
                },
            ),
        )
        .route(
            "/loose",
            get(|s: SessionContainer| async move { s.user_id().to_owned() }),
        )
        .layer(st.layer());
    let test = supertokens::testing::session(&st, "user-3").await.unwrap();
    test.session.revoke_session().await.unwrap();
    let loose = call(
        &app,
        test.authorize(req("GET", "/loose"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        loose.status, 200,
        "local verification cannot see a revocation"
    );
    let strict = call(
        &app,
        test.authorize(req("GET", "/strict"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(strict.status, 401);
    assert_eq!(strict.body, json!({"message": "unauthorised"}));
    assert_eq!(strict.header("front-token").as_deref(), Some("remove"));
}

#[tokio::test]
async fn overrides_wrap_functions_and_disable_apis() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let revokes = Arc::new(AtomicUsize::new(0));
    let counter = revokes.clone();
    let config = SessionConfig::new()
        .override_functions(move |original| {
            let counter = counter.clone();
            let revoke = original.revoke_session.clone();
            session::SessionFunctions {
                revoke_session: Arc::new(move |handle| {
                    counter.fetch_add(1, Ordering::SeqCst);
                    revoke(handle)
                }),
                ..original
            }
        })
        .override_apis(|apis| session::SessionApis {
            refresh_post: None,
            ..apis
        });
    let st = local(config);
    let app = app(&st);
    let login = call(&app, req("POST", "/login").body(Body::empty()).unwrap()).await;
    let at = login.header("st-access-token").unwrap();
    let rt = login.header("st-refresh-token").unwrap();
    let r = call(
        &app,
        req("POST", "/auth/session/refresh")
            .header("authorization", format!("Bearer {rt}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 404, "a disabled API is not routed");
    let r = call(
        &app,
        req("POST", "/auth/signout")
            .header("authorization", format!("Bearer {at}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        revokes.load(Ordering::SeqCst),
        1,
        "sign-out goes through the overridden function"
    );
}

#[tokio::test]
async fn jwks_endpoint_proxies_the_core() {
    let st = local(SessionConfig::new());
    let app = app(&st);
    let r = call(
        &app,
        req("GET", "/auth/jwt/jwks.json")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
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
