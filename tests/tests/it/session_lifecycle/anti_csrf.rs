//! Anti-CSRF: by custom header across sites, by token, and skipped where a handler opts out.

use axum::Router;
use axum::routing::post;
use supertokens::session::{self, SessionConfig};

use super::{
    app, assert_401, assert_cleared_cookies, info_with_cookies, instance_with, local_app,
    login_with_cookies, login_with_headers, verified, with_layer,
};

#[tokio::test]
async fn anti_csrf_across_sites() {
    // Different sites: SameSite=None, Secure, anti-CSRF by custom header.
    let st = instance_with(
        "https://api.example.com",
        "https://example.org",
        SessionConfig::new(),
    );
    let app = app(&st);
    let (login, at, rt) = login_with_cookies(&app).await;
    let access = login.cookie("sAccessToken").unwrap();
    assert!(
        access.contains("Secure") && access.contains("SameSite=None"),
        "{access}"
    );
    let cookie = format!("sAccessToken={at}");

    let like = |rid: Option<&'static str>| {
        app.post("/like")
            .cookie(&cookie)
            .optional_header("rid", rid)
            .send()
    };
    assert_401(&like(None).await, "try refresh token");
    for rid in ["session", "anti-csrf"] {
        assert_eq!(like(Some(rid)).await.status, 200, "rid: {rid}");
    }
    let r = info_with_cookies(&app, &cookie).await;
    assert_eq!(r.status, 200, "GET is not checked");

    let refresh = |rid: Option<&'static str>| {
        app.post("/auth/session/refresh")
            .cookie(&format!("sRefreshToken={rt}"))
            .optional_header("rid", rid)
            .send()
    };
    let r = refresh(None).await;
    assert_eq!(r.status, 401, "refresh without rid");
    assert_cleared_cookies(&r);
    assert_eq!(refresh(Some("session")).await.status, 200);

    // A handler that opts out of the check (what `#[protected(anti_csrf_check = false)]` uses).
    let webhook = post(verified::<false, { supertokens::__private::ANTI_CSRF_SKIP }>);
    let skip = with_layer(&st, Router::new().route("/webhook", webhook));
    let r = skip.post("/webhook").cookie(&cookie).send().await;
    assert_eq!(r.status, 200, "anti-CSRF check skipped");

    // Same site: no check.
    let (_, same_site) = local_app(SessionConfig::new());
    let (_, at, _) = login_with_cookies(&same_site).await;
    let cookie = format!("sAccessToken={at}");
    assert_eq!(
        same_site.post("/like").cookie(&cookie).send().await.status,
        200
    );
}

#[tokio::test]
async fn anti_csrf_via_token() {
    let (_st, app) = local_app(SessionConfig::new().anti_csrf(session::AntiCsrf::ViaToken));
    let (login, at, _) = login_with_cookies(&app).await;
    let anti = login
        .header("anti-csrf")
        .expect("anti-csrf token in cookie mode");
    let cookie = format!("sAccessToken={at}");
    for (token, expected) in [
        (None, 401),
        (Some("wrong"), 401),
        (Some(anti.as_str()), 200),
    ] {
        let r = app
            .post("/like")
            .cookie(&cookie)
            .optional_header("anti-csrf", token)
            .send()
            .await;
        assert_eq!(r.status, expected, "anti-csrf: {token:?}");
    }
    // Header mode gets no anti-CSRF token.
    let login = login_with_headers(&app).await;
    assert_eq!(login.header("anti-csrf"), None);
}
