//! A session's life in cookie mode and in header mode: create, verify, expiry, refresh,
//! promotion, token theft and sign-out; and requests without a session.

use std::time::Duration;

use serde_json::json;
use supertokens::session::SessionConfig;

use super::{
    app_without_layer, assert_401, assert_cleared_cookies, assert_nothing_cleared,
    info_with_cookies, local_app, login_with_cookies, login_with_headers, refresh_with_cookies,
};

#[tokio::test]
async fn cookie_mode_lifecycle() {
    let (st, app) = local_app(SessionConfig::new());

    // Create: cookies with SuperTokens' attributes, front-token, exposed headers.
    let (login, at0, rt0) = login_with_cookies(&app).await;
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
    let front = login.front_token();
    assert_eq!(front["uid"], "user-1");
    assert_eq!(front["up"]["role"], "admin");
    assert_eq!(
        front["up"]["sub"], "user-1",
        "protected claims cannot be overridden"
    );
    assert_eq!(front["up"]["iss"], "http://localhost:3001/auth");

    // Verify.
    let info = info_with_cookies(&app, &format!("sAccessToken={at0}")).await;
    assert_eq!(info.status, 200, "{:?}", info.body);
    assert_eq!(info.body["userId"], "user-1");
    assert_eq!(info.body["accessTokenPayload"]["role"], "admin");
    let handle = info.body["sessionHandle"].as_str().unwrap().to_owned();
    assert_nothing_cleared(&info);

    // Expired access token → 401 try refresh token, nothing cleared.
    st.clock().advance(Duration::from_secs(3601));
    let expired = info_with_cookies(&app, &format!("sAccessToken={at0}")).await;
    assert_401(&expired, "try refresh token");
    assert_nothing_cleared(&expired);

    // Refresh → 200 {} with new cookies.
    let refreshed = refresh_with_cookies(&app, &format!("sRefreshToken={rt0}")).await;
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    assert_eq!(refreshed.body, json!({}));
    let at1 = refreshed.cookie_value("sAccessToken").unwrap();
    let rt1 = refreshed.cookie_value("sRefreshToken").unwrap();
    assert_ne!(at1, at0);
    assert_ne!(rt1, rt0);
    assert!(refreshed.header("front-token").is_some());

    // First use of the new access token: the core promotes the rotation and the layer sends a
    // replacement token.
    let promoted = info_with_cookies(&app, &format!("sAccessToken={at1}")).await;
    assert_eq!(promoted.status, 200);
    let at2 = promoted
        .cookie_value("sAccessToken")
        .expect("replacement access token");
    assert_ne!(at2, at1);
    assert!(promoted.header("front-token").is_some());
    let again = info_with_cookies(&app, &format!("sAccessToken={at2}")).await;
    assert_eq!(again.status, 200);
    assert!(
        again.cookie("sAccessToken").is_none(),
        "a promoted token needs no replacement"
    );

    // The old refresh token again → token theft: cleared, session revoked.
    let theft = refresh_with_cookies(&app, &format!("sRefreshToken={rt0}")).await;
    assert_401(&theft, "token theft detected");
    assert_cleared_cookies(&theft);
    assert_eq!(
        st.session().get_session_information(&handle).await.unwrap(),
        None,
        "session revoked"
    );

    // The newest refresh token is dead too.
    let after = refresh_with_cookies(&app, &format!("sRefreshToken={rt1}")).await;
    assert_401(&after, "unauthorised");
    assert_cleared_cookies(&after);
}

#[tokio::test]
async fn header_mode_lifecycle_and_sign_out() {
    let (st, app) = local_app(SessionConfig::new());

    // No st-auth-mode → header mode.
    let login = login_with_headers(&app).await;
    assert_eq!(login.status, 200);
    assert!(login.cookies().is_empty(), "{:?}", login.cookies());
    let at0 = login.header("st-access-token").expect("access header");
    let rt0 = login.header("st-refresh-token").expect("refresh header");
    let exposed = login.header("access-control-expose-headers").unwrap();
    for h in ["front-token", "st-access-token", "st-refresh-token"] {
        assert!(exposed.contains(h), "{exposed}");
    }

    let info = app.post("/like").bearer(&at0).send().await;
    assert_eq!(
        info.status, 200,
        "header mode skips anti-CSRF: {:?}",
        info.body
    );

    st.clock().advance(Duration::from_secs(3601));
    let expired = app.get("/sessioninfo").bearer(&at0).send().await;
    assert_401(&expired, "try refresh token");

    let refreshed = app.post("/auth/session/refresh").bearer(&rt0).send().await;
    assert_eq!(refreshed.status, 200);
    assert_eq!(refreshed.body, json!({}));
    let at1 = refreshed.header("st-access-token").unwrap();
    let rt1 = refreshed.header("st-refresh-token").unwrap();

    // Promotion through the `Verified` extractor, without the layer.
    let bare = app_without_layer(&st);
    let promoted = bare.get("/promote").bearer(&at1).send().await;
    assert_eq!(promoted.status, 200);
    let at2 = promoted
        .header("st-access-token")
        .expect("replacement token via Verified");
    assert_ne!(at2, at1);

    // Token theft with RT0 (conformance §1.8 step 4): empty token headers, front-token remove.
    let theft = app.post("/auth/session/refresh").bearer(&rt0).send().await;
    assert_401(&theft, "token theft detected");
    assert_eq!(theft.header("st-access-token").as_deref(), Some(""));
    assert_eq!(theft.header("st-refresh-token").as_deref(), Some(""));
    assert_eq!(theft.header("front-token").as_deref(), Some("remove"));
    let after = app.post("/auth/session/refresh").bearer(&rt1).send().await;
    assert_401(&after, "unauthorised");

    // A fresh session, signed out.
    let login = login_with_headers(&app).await;
    let at = login.header("st-access-token").unwrap();
    let out = app.post("/auth/signout").bearer(&at).send().await;
    assert_eq!(out.status, 200);
    assert_eq!(out.body, json!({"status": "OK"}));
    assert_eq!(out.header("st-access-token").as_deref(), Some(""));
    assert_eq!(out.header("st-refresh-token").as_deref(), Some(""));
    assert_eq!(out.header("front-token").as_deref(), Some("remove"));
    assert!(
        out.cookies().is_empty(),
        "header mode sign-out clears only headers"
    );
    let handles = st
        .session()
        .get_all_session_handles_for_user("user-1")
        .await
        .unwrap();
    assert!(handles.is_empty(), "{handles:?}");
}

#[tokio::test]
async fn cookie_sign_out_clears_cookies_and_revokes() {
    let (st, app) = local_app(SessionConfig::new());
    let (_, at, _) = login_with_cookies(&app).await;
    let out = app
        .post("/auth/signout")
        .cookie(&format!("sAccessToken={at}"))
        .send()
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
        st.session()
            .get_all_session_handles_for_user("user-1")
            .await
            .unwrap()
            .is_empty()
    );

    // Sign-out without a session: 401, nothing cleared.
    let none = app.post("/auth/signout").send().await;
    assert_401(&none, "unauthorised");
    assert_nothing_cleared(&none);
}

#[tokio::test]
async fn no_session_is_401_without_clearing() {
    let (st, app) = local_app(SessionConfig::new());
    let r = app.get("/sessioninfo").send().await;
    assert_401(&r, "unauthorised");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
    assert_nothing_cleared(&r);
    let r = app.get("/optional").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "none");
    // An optional session with an expired token is not "no session": the client must refresh.
    let test = supertokens::testing::session(&st, "user-5").await.unwrap();
    let r = app.get("/optional").session(&test).send().await;
    assert_eq!(r.body, "user-5");
    st.clock().advance(Duration::from_secs(3601));
    let r = app.get("/optional").session(&test).send().await;
    assert_401(&r, "try refresh token");
    // Refresh without a refresh token clears.
    let r = app.post("/auth/session/refresh").send().await;
    assert_401(&r, "unauthorised");
    assert_cleared_cookies(&r);
}
