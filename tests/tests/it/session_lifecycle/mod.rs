//! The session lifecycle through an axum app on the embedded core, in cookie and header mode:
//! create, verify, expiry, refresh, promotion, token theft, sign-out, anti-CSRF, duplicate
//! cookies, bad input; handlers revoking their own session, and the session guard.

mod anti_csrf;
mod bad_tokens;
mod guard;
mod modes;
mod options;
mod own_app;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Router};
use http::HeaderMap;
use serde_json::{Value, json};
use supertokens::SuperTokens;
use supertokens::session::{self, SessionConfig, SessionContainer};
use tests::client::{Client, Reply};

/// An instance on a fresh in-memory core with this API and website domain.
fn instance_with(api: &str, web: &str, session: SessionConfig) -> SuperTokens {
    let config = supertokens::testing::config()
        .api_domain(api)
        .website_domain(web)
        .session(session)
        .build()
        .expect("valid config");
    SuperTokens::new(config).expect("instance")
}

/// An instance with the API on `http://localhost:3001` and the website on `:3000`.
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
    match st
        .session()
        .create_new_session(&headers, "public", "user-1", payload, Default::default())
        .await
    {
        Ok((_, changes)) => (changes, "ok").into_response(),
        Err(e) => e.into_response(),
    }
}

/// A handler taking the session through `Verified` (what `#[protected(...)]` generates), which
/// hands any replacement token back with the response.
async fn verified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8>(
    v: supertokens::__private::Verified<CHECK_DATABASE, ANTI_CSRF>,
) -> impl IntoResponse {
    (v.changes, v.session.user_id().to_owned())
}

/// The test routes (`/sessioninfo`, `/like`, `/optional`, `/login`) and the instance's FDI
/// routes, behind its layer.
fn app(st: &SuperTokens) -> Client {
    app_with(st, Router::new())
}

/// [`app`] with more routes.
fn app_with(st: &SuperTokens, routes: Router) -> Client {
    Client::router(
        routes
            .route("/sessioninfo", get(sessioninfo))
            .route("/like", post(sessioninfo))
            .route("/optional", get(optional))
            .route("/login", post(login))
            .merge(st.router())
            .layer(st.layer()),
    )
}

/// How often the session functions were called, by function.
#[derive(Debug, Default, Clone)]
struct Calls {
    get_session: Arc<AtomicUsize>,
    revoke_session: Arc<AtomicUsize>,
}

/// Session functions that count the calls of [`Calls`] and forward them.
struct Counting {
    original: Arc<dyn session::SessionFunctions>,
    calls: Calls,
}

impl session::SessionFunctions for Counting {
    fn original(&self) -> &dyn session::SessionFunctions {
        &*self.original
    }

    fn get_session(
        &self,
        input: session::GetSessionInput,
    ) -> supertokens::BoxFuture<'_, Result<session::VerifiedToken, session::SessionError>> {
        self.calls.get_session.fetch_add(1, Ordering::SeqCst);
        self.original.get_session(input)
    }

    fn revoke_session(
        &self,
        session_handle: String,
    ) -> supertokens::BoxFuture<'_, Result<bool, session::SessionError>> {
        self.calls.revoke_session.fetch_add(1, Ordering::SeqCst);
        self.original.revoke_session(session_handle)
    }
}

/// `config` with its functions counted.
fn counting(config: SessionConfig) -> (SessionConfig, Calls) {
    let calls = Calls::default();
    let counted = calls.clone();
    let config = config.override_functions(move |original| {
        Arc::new(Counting {
            original,
            calls: counted.clone(),
        })
    });
    (config, calls)
}

/// An instance with the API on `http://localhost:3001` and [`app`] on it.
fn local_app(session: SessionConfig) -> (SuperTokens, Client) {
    let st = local(session);
    let app = app(&st);
    (st, app)
}

/// `routes` behind the instance's layer.
fn with_layer(st: &SuperTokens, routes: Router) -> Client {
    Client::router(routes.layer(st.layer()))
}

/// Routes without the layer (the instance comes from a plain `Extension`): only `Verified`
/// hands a replacement token to the client.
fn app_without_layer(st: &SuperTokens) -> Client {
    Client::router(
        Router::new()
            .route(
                "/promote",
                get(verified::<false, { supertokens::__private::ANTI_CSRF_DEFAULT }>),
            )
            .route("/sessioninfo", get(sessioninfo))
            .layer(Extension(st.clone())),
    )
}

/// Signs in with `st-auth-mode: cookie`: the reply, and the access and refresh tokens it set
/// as cookies.
async fn login_with_cookies(app: &Client) -> (Reply, String, String) {
    let login = app
        .post("/login")
        .header("st-auth-mode", "cookie")
        .send()
        .await;
    assert_eq!(login.status, 200, "{}", login.text);
    let access = login
        .cookie_value("sAccessToken")
        .expect("an access cookie");
    let refresh = login
        .cookie_value("sRefreshToken")
        .expect("a refresh cookie");
    (login, access, refresh)
}

/// Signs in without `st-auth-mode`: header mode, the tokens come as headers.
async fn login_with_headers(app: &Client) -> Reply {
    app.post("/login").send().await
}

fn assert_cleared_cookies(answer: &Reply) {
    for name in ["sAccessToken", "sRefreshToken"] {
        let c = answer
            .cookie(name)
            .unwrap_or_else(|| panic!("{name} cleared: {:?}", answer.cookies()));
        assert!(c.starts_with(&format!("{name}=;")), "{c}");
        assert!(c.contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT"), "{c}");
    }
    assert_eq!(answer.header("front-token").as_deref(), Some("remove"));
}

fn assert_nothing_cleared(answer: &Reply) {
    assert!(answer.cookies().is_empty(), "{:?}", answer.cookies());
    assert_eq!(answer.header("front-token"), None);
    assert_eq!(answer.header("st-access-token"), None);
}

/// `GET /sessioninfo` sending `cookies` (a `Cookie` header value).
async fn info_with_cookies(app: &Client, cookies: &str) -> Reply {
    app.get("/sessioninfo").cookie(cookies).send().await
}

/// `POST /auth/session/refresh` sending `cookies`.
async fn refresh_with_cookies(app: &Client, cookies: &str) -> Reply {
    app.post("/auth/session/refresh")
        .cookie(cookies)
        .send()
        .await
}

/// Asserts a 401 with `{"message": message}`.
fn assert_401(answer: &Reply, message: &str) {
    assert_eq!(answer.status, 401, "{}", answer.text);
    assert_eq!(answer.body, json!({ "message": message }));
}

/// After the session of `test` was revoked: `loose` (verified locally) still accepts it, and
/// `strict` (checking the database) answers 401 `unauthorised`, clearing the tokens. Returns
/// the answer of `strict`.
async fn only_the_database_check_sees(
    app: &Client,
    test: &supertokens::testing::TestSession,
    loose: &str,
    strict: &str,
) -> Reply {
    let loose = app.get(loose).session(test).send().await;
    assert_eq!(
        loose.status, 200,
        "local verification cannot see a revocation"
    );
    let strict = app.get(strict).session(test).send().await;
    assert_401(&strict, "unauthorised");
    assert_eq!(strict.header("front-token").as_deref(), Some("remove"));
    strict
}
