//! `SessionGuard` on a nested router: it answers as `#[protected]` does (compared with the
//! `Verified` extractor `#[protected]` expands to), hands the session it verified to the plain
//! extractors, and gets replacement tokens to the client, with or without the instance's layer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use supertokens::__private::{ANTI_CSRF_CHECK, ANTI_CSRF_DEFAULT, ANTI_CSRF_SKIP};
use supertokens::SuperTokens;
use supertokens::session::{AntiCsrfCheck, SessionConfig, SessionGuard};
use tests::client::{Client, Reply};

use super::{
    assert_401, counting, instance_with, local, login, login_with_cookies, login_with_headers,
    only_the_database_check_sees, optional, sessioninfo, verified,
};

/// The routes a guard protects: `/info` (GET), `/like` (POST) and `/optional`.
fn account() -> Router {
    Router::new()
        .route("/info", get(sessioninfo))
        .route("/like", post(sessioninfo))
        .route("/optional", get(optional))
}

/// `#[protected]`-style routes with the given options (`/protected`, GET and POST), `/login`
/// and the FDI routes, all under the instance's layer.
fn own_routes<const CHECK_DATABASE: bool, const ANTI_CSRF: u8>(st: &SuperTokens) -> Router {
    let protected = verified::<CHECK_DATABASE, ANTI_CSRF>;
    Router::new()
        .route("/protected", get(protected).post(protected))
        .route("/login", post(login))
        .merge(st.router())
        .layer(st.layer())
}

/// [`account`] at `/account` behind `guard`, and nothing else around it, beside [`own_routes`].
fn guarded<const CHECK_DATABASE: bool, const ANTI_CSRF: u8>(
    st: &SuperTokens,
    guard: SessionGuard,
) -> Client {
    Client::router(
        Router::new()
            .nest("/account", account().layer(guard))
            .merge(own_routes::<CHECK_DATABASE, ANTI_CSRF>(st)),
    )
}

/// As [`guarded`], with the instance's layer around everything (the guard finds its instance
/// there).
fn guarded_under_layer(st: &SuperTokens, guard: SessionGuard) -> Client {
    Client::router(
        Router::new()
            .nest("/account", account().layer(guard))
            .route("/protected", get(verified::<false, ANTI_CSRF_DEFAULT>))
            .route("/login", post(login))
            .merge(st.router())
            .layer(st.layer()),
    )
}

/// Asserts that two answers are the same to the client: status, session headers, and the body
/// of a refusal (the handlers behind differ).
fn assert_same(guarded: &Reply, protected: &Reply, what: &str) {
    assert_eq!(guarded.status, protected.status, "{what}: {}", guarded.text);
    if !guarded.status.is_success() {
        assert_eq!(guarded.body, protected.body, "{what}");
    }
    assert_eq!(guarded.cookies(), protected.cookies(), "{what}");
    for name in ["front-token", "st-access-token", "st-refresh-token"] {
        assert_eq!(
            guarded.header(name),
            protected.header(name),
            "{what}: {name}"
        );
    }
}

/// A local instance whose verifications are counted.
fn counted() -> (SuperTokens, Arc<AtomicUsize>) {
    let (config, calls) = counting(SessionConfig::new());
    (local(config), calls.get_session)
}

/// What a guard over `/account` must do in `app`: answer as `/protected` without a valid
/// session, hand the verified session (verified once) to the handler, and send the replacement
/// token of a just-refreshed session.
async fn requires_a_session(st: &SuperTokens, app: &Client, verifications: &AtomicUsize) {
    let none = app.get("/account/info").send().await;
    assert_401(&none, "unauthorised");
    assert_same(&none, &app.get("/protected").send().await, "no session");
    let required = app.get("/account/optional").send().await;
    assert_401(&required, "unauthorised");

    let login = login_with_headers(app).await;
    let at0 = login.header("st-access-token").unwrap();
    let rt0 = login.header("st-refresh-token").unwrap();
    let before = verifications.load(Ordering::SeqCst);
    let info = app.get("/account/info").bearer(&at0).send().await;
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.body["userId"], "user-1");
    assert_eq!(
        verifications.load(Ordering::SeqCst) - before,
        1,
        "the handler's extractor takes the guard's session"
    );
    assert_eq!(
        app.get("/account/optional").bearer(&at0).send().await.text,
        "user-1"
    );

    // The first use of a refreshed token: the replacement reaches the client.
    let refreshed = app.post("/auth/session/refresh").bearer(&rt0).send().await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    let at1 = refreshed.header("st-access-token").unwrap();
    let promoted = app.get("/account/info").bearer(&at1).send().await;
    assert_eq!(promoted.status, 200, "{}", promoted.text);
    let at2 = promoted
        .header("st-access-token")
        .expect("a replacement access token");
    assert_ne!(at2, at1);
    assert_eq!(promoted.front_token()["uid"], "user-1");
    let again = app.get("/account/info").bearer(&at2).send().await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.header("st-access-token"),
        None,
        "no second replacement"
    );

    // An expired token: try refresh, as `#[protected]` says.
    st.clock().advance(Duration::from_secs(3601));
    let expired = app.get("/account/info").bearer(&at2).send().await;
    assert_401(&expired, "try refresh token");
    let protected = app.get("/protected").bearer(&at2).send().await;
    assert_same(&expired, &protected, "expired");
}

#[tokio::test]
async fn a_guard_with_its_instance_needs_no_other_layer() {
    let (st, verifications) = counted();
    let app = guarded::<false, ANTI_CSRF_DEFAULT>(&st, st.session_guard());
    requires_a_session(&st, &app, &verifications).await;
}

#[tokio::test]
async fn a_guard_under_the_layer_uses_the_layers_instance() {
    let (st, verifications) = counted();
    let app = guarded_under_layer(&st, SessionGuard::new());
    requires_a_session(&st, &app, &verifications).await;
}

#[tokio::test]
async fn an_optional_guard_lets_requests_without_a_session_through() {
    let st = local(SessionConfig::new());
    let app = guarded::<false, ANTI_CSRF_DEFAULT>(&st, st.session_guard().optional());
    let none = app.get("/account/optional").send().await;
    assert_eq!(none.status, 200, "{}", none.text);
    assert_eq!(none.text, "none");
    let login = login_with_headers(&app).await;
    let at = login.header("st-access-token").unwrap();
    let some = app.get("/account/optional").bearer(&at).send().await;
    assert_eq!(some.status, 200, "{}", some.text);
    assert_eq!(some.text, "user-1");
    // A handler that requires the session still does.
    assert_401(&app.get("/account/info").send().await, "unauthorised");
    // A session that is there must be valid.
    let bad = app
        .get("/account/optional")
        .bearer("not-a-token")
        .send()
        .await;
    assert_eq!(
        bad.status, 200,
        "an unreadable bearer token is not a session"
    );
    st.clock().advance(Duration::from_secs(3601));
    assert_401(
        &app.get("/account/optional").bearer(&at).send().await,
        "try refresh token",
    );
}

#[tokio::test]
async fn a_check_database_guard_refuses_a_revoked_session() {
    let st = local(SessionConfig::new());
    let app = Client::router(
        Router::new()
            .nest(
                "/strict",
                account().layer(st.session_guard().check_database()),
            )
            .nest("/loose", account().layer(st.session_guard()))
            .merge(own_routes::<true, ANTI_CSRF_DEFAULT>(&st)),
    );
    let test = supertokens::testing::session(&st, "user-3").await.unwrap();
    assert_eq!(
        app.get("/strict/info").session(&test).send().await.status,
        200
    );
    st.session()
        .revoke_session(test.session.handle())
        .await
        .unwrap();
    let strict = only_the_database_check_sees(&app, &test, "/loose/info", "/strict/info").await;
    let protected = app.get("/protected").session(&test).send().await;
    assert_same(&strict, &protected, "revoked, check_database");
}

/// Every combination of method and `rid` header on a cookie session, through a guard with
/// `check` and through `/protected` with `ANTI_CSRF`: the same answers. Returns the statuses
/// (GET, GET with rid, POST, POST with rid) for the caller's expectations.
async fn anti_csrf_as_protected<const ANTI_CSRF: u8>(check: AntiCsrfCheck) -> [u16; 4] {
    // Different sites: anti-CSRF by custom header.
    let st = instance_with(
        "https://api.example.com",
        "https://example.org",
        SessionConfig::new(),
    );
    let app = guarded::<false, ANTI_CSRF>(&st, st.session_guard().anti_csrf(check));
    let (_, at, _) = login_with_cookies(&app).await;
    let cookie = format!("sAccessToken={at}");
    let mut statuses = [0; 4];
    let cases = [
        ("GET", None),
        ("GET", Some("session")),
        ("POST", None),
        ("POST", Some("session")),
    ];
    for (i, (method, rid)) in cases.into_iter().enumerate() {
        let send = |guarded: bool| {
            let request = match (method, guarded) {
                ("GET", true) => app.get("/account/info"),
                ("GET", false) => app.get("/protected"),
                (_, true) => app.post("/account/like"),
                (_, false) => app.post("/protected"),
            };
            request.cookie(&cookie).optional_header("rid", rid).send()
        };
        let guarded = send(true).await;
        let protected = send(false).await;
        assert_same(
            &guarded,
            &protected,
            &format!("{check:?} {method} rid {rid:?}"),
        );
        statuses[i] = guarded.status.as_u16();
    }
    statuses
}

#[tokio::test]
async fn a_guard_checks_anti_csrf_as_protected_does() {
    assert_eq!(
        anti_csrf_as_protected::<ANTI_CSRF_DEFAULT>(AntiCsrfCheck::ByMethod).await,
        [200, 200, 401, 200],
        "by default every method but GET"
    );
    assert_eq!(
        anti_csrf_as_protected::<ANTI_CSRF_CHECK>(AntiCsrfCheck::Check).await,
        [401, 200, 401, 200],
        "check: every method"
    );
    assert_eq!(
        anti_csrf_as_protected::<ANTI_CSRF_SKIP>(AntiCsrfCheck::Skip).await,
        [200, 200, 200, 200],
        "skip: never"
    );
}
