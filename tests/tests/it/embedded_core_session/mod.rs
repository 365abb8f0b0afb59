//! The embedded core's session half, through the SDK's CDI client over both transports
//! (in-process and HTTP on loopback): access tokens, the legacy refresh rotation with theft
//! detection, revocation, regeneration, session data, signing-key rotation and bad input.
//! Every scenario runs on both transports.

use std::sync::Arc;
use std::time::Duration;

use axum::ServiceExt as _;
use http::StatusCode;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use supertokens::Clock;
use supertokens::config::CoreHost;
use supertokens::core::CoreClient;
use supertokens::core::embedded::EmbeddedCore;
use supertokens::core::embedded_config::{Database, EmbeddedCoreConfig};
use tower::ServiceExt as _;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
const TIMEOUT: Duration = Duration::from_secs(30);
const RID: Option<&str> = Some("session");

#[derive(Clone, Copy, Debug)]
enum Transport {
    InProcess,
    Http,
}

/// An embedded core and the SDK's client of it over one transport.
#[derive(Clone)]
struct Cdi {
    core: EmbeddedCore,
    client: CoreClient,
    /// `http://127.0.0.1:<port>` when served over HTTP.
    base: Option<String>,
    _server: Option<Arc<ServerGuard>>,
}

/// Stops the loopback server with the last clone of its harness.
struct ServerGuard(tokio::task::JoinHandle<()>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Cdi {
    async fn new(transport: Transport) -> Self {
        Self::with(
            transport,
            EmbeddedCoreConfig {
                database: Database::Memory,
                ..EmbeddedCoreConfig::default()
            },
        )
        .await
    }

    async fn with(transport: Transport, config: EmbeddedCoreConfig) -> Self {
        let api_key = config.api_key.clone();
        let core = EmbeddedCore::open_with_clock(config, Clock::system()).expect("the core opens");
        match transport {
            Transport::InProcess => Self {
                client: CoreClient::in_process(core.service(), api_key, TIMEOUT),
                core,
                base: None,
                _server: None,
            },
            Transport::Http => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let base = format!("http://{}", listener.local_addr().unwrap());
                let service = core.service();
                let server = tokio::spawn(async move {
                    axum::serve(listener, service.into_make_service())
                        .await
                        .unwrap();
                });
                let host = CoreHost {
                    domain: base.clone(),
                    base_path: String::new(),
                };
                Self {
                    client: CoreClient::http(vec![host], api_key, TIMEOUT).unwrap(),
                    core,
                    base: Some(base),
                    _server: Some(Arc::new(ServerGuard(server))),
                }
            }
        }
    }

    fn clock(&self) -> &Clock {
        self.core.clock()
    }
}

/// A raw answer: status, headers and body text.
struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    text: String,
}

/// A request exactly as given (no client in between), over the harness's transport.
async fn call(
    cdi: &Cdi,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    match &cdi.base {
        None => {
            let mut req = http::Request::builder().method(method).uri(path);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let req = req
                .body(axum::body::Body::from(body.unwrap_or("").to_owned()))
                .unwrap();
            let response = cdi.core.service().oneshot(req).await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            Answer {
                status,
                headers,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            }
        }
        Some(base) => {
            let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let mut req = reqwest::Client::new().request(method, format!("{base}{path}"));
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if let Some(body) = body {
                req = req.body(body.to_owned());
            }
            let response = req.send().await.unwrap();
            let status = StatusCode::from_u16(response.status().as_u16()).unwrap();
            let mut out = http::HeaderMap::new();
            for (k, v) in response.headers() {
                out.append(
                    http::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
                    http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
                );
            }
            Answer {
                status,
                headers: out,
                text: response.text().await.unwrap(),
            }
        }
    }
}

/// A CDI call with the usual headers (`cdi-version: 5.4`, `rid: session`).
async fn cdi_call(cdi: &Cdi, method: &str, path: &str, body: Option<&str>) -> Answer {
    let mut headers = vec![("cdi-version", "5.4"), ("rid", "session")];
    if body.is_some() {
        headers.push(("content-type", "application/json; charset=utf-8"));
    }
    call(cdi, method, path, &headers, body).await
}

async fn post(cdi: &Cdi, path: &str, body: Value) -> Value {
    cdi.client
        .post(path, RID, &body)
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

async fn put(cdi: &Cdi, path: &str, body: Value) -> Value {
    cdi.client
        .put(path, RID, &body)
        .await
        .unwrap_or_else(|e| panic!("PUT {path}: {e}"))
}

/// `GET path?query` (the query as written in `path`, plain values).
async fn get(cdi: &Cdi, path_and_query: &str) -> Value {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    cdi.client
        .get(path, RID, &pairs)
        .await
        .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
}

fn b64url(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn jwt_part(token: &str, index: usize) -> Value {
    serde_json::from_slice(&b64url(token.split('.').nth(index).unwrap())).unwrap()
}

fn header_text(token: &str) -> String {
    String::from_utf8(b64url(token.split('.').next().unwrap())).unwrap()
}

fn kid(token: &str) -> String {
    jwt_part(token, 0)["kid"].as_str().unwrap().to_owned()
}

fn payload(token: &str) -> Value {
    jwt_part(token, 1)
}

async fn create(core: &Cdi, user: &str, dynamic: bool, anti_csrf: bool) -> Value {
    post(
        core,
        "/public/recipe/session",
        json!({
            "userId": user,
            "userDataInJWT": {"iss": "https://api.example.com/auth", "role": "admin"},
            "userDataInDatabase": {"plan": "free"},
            "enableAntiCsrf": anti_csrf,
            "useDynamicSigningKey": dynamic,
        }),
    )
    .await
}

async fn verify(core: &Cdi, access_token: &str, check_database: bool) -> Value {
    post(
        core,
        "/recipe/session/verify",
        json!({
            "accessToken": access_token,
            "doAntiCsrfCheck": false,
            "enableAntiCsrf": false,
            "checkDatabase": check_database,
        }),
    )
    .await
}

async fn refresh(core: &Cdi, refresh_token: &str) -> Value {
    post(
        core,
        "/recipe/session/refresh",
        json!({"refreshToken": refresh_token, "enableAntiCsrf": false, "useDynamicSigningKey": true}),
    )
    .await
}

fn access(answer: &Value) -> String {
    answer["accessToken"]["token"].as_str().unwrap().to_owned()
}

fn refresh_of(answer: &Value) -> String {
    answer["refreshToken"]["token"].as_str().unwrap().to_owned()
}

fn handle(answer: &Value) -> String {
    answer["session"]["handle"].as_str().unwrap().to_owned()
}

async fn create_issues_a_v5_token_and_an_opaque_refresh_token(transport: Transport) {
    let core = Cdi::new(transport).await;
    let before = core.clock().now_ms();
    let created = create(&core, "user-1", true, false).await;
    assert_eq!(created["status"], "OK");
    assert!(
        created.get("antiCsrfToken").is_none(),
        "omitted when disabled"
    );

    let session = &created["session"];
    let handle = session["handle"].as_str().unwrap();
    assert_eq!(handle.len(), 36, "a UUID: {handle}");
    assert_eq!(&handle[14..15], "4", "UUID v4: {handle}");
    assert_eq!(session["userId"], "user-1");
    assert_eq!(session["recipeUserId"], "user-1");
    assert_eq!(session["tenantId"], "public");
    assert_eq!(
        session["userDataInJWT"],
        json!({"iss": "https://api.example.com/auth", "role": "admin"})
    );

    let token = access(&created);
    let header = header_text(&token);
    let kid = kid(&token);
    assert!(kid.starts_with("d-"), "{kid}");
    assert_eq!(
        header,
        format!(r#"{{"kid":"{kid}","typ":"JWT","version":"5","alg":"RS256"}}"#)
    );

    let claims = payload(&token);
    for (name, kind) in [
        ("sub", "string"),
        ("rsub", "string"),
        ("sessionHandle", "string"),
        ("refreshTokenHash1", "string"),
        ("tId", "string"),
    ] {
        assert!(claims[name].is_string(), "{name} should be a {kind}");
    }
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["sessionHandle"], handle);
    assert_eq!(claims["tId"], "public");
    assert!(claims["parentRefreshTokenHash1"].is_null());
    assert!(claims["antiCsrfToken"].is_null());
    assert_eq!(claims["iss"], "https://api.example.com/auth");
    assert_eq!(claims["role"], "admin");
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 3600);
    assert!(iat * 1000 >= before - 1000 && iat * 1000 <= core.clock().now_ms());
    assert_eq!(created["accessToken"]["expiry"], exp * 1000);
    assert_eq!(created["accessToken"]["createdTime"], iat * 1000);

    let rt = refresh_of(&created);
    assert!(rt.ends_with(".V2"), "{rt}");
    let rt_created = created["refreshToken"]["createdTime"].as_i64().unwrap();
    assert_eq!(
        created["refreshToken"]["expiry"].as_i64().unwrap() - rt_created,
        100 * 86_400_000
    );

    let verified = verify(&core, &token, true).await;
    assert_eq!(verified["status"], "OK");
    assert!(verified.get("accessToken").is_none());
    assert_eq!(verified["session"]["handle"], handle);
    assert_eq!(verified["session"]["userId"], "user-1");
    assert_eq!(verified["session"]["recipeUserId"], "user-1");
    assert_eq!(
        verified["session"]["userDataInJWT"],
        json!({"iss": "https://api.example.com/auth", "role": "admin"}),
        "custom claims only"
    );
}

async fn refresh_issues_a_child_token_and_verify_promotes_it(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-1", true, false).await;
    let (at0, rt0) = (access(&created), refresh_of(&created));

    let refreshed = refresh(&core, &rt0).await;
    assert_eq!(refreshed["status"], "OK");
    assert_eq!(handle(&refreshed), handle(&created));
    let (at1, rt1) = (access(&refreshed), refresh_of(&refreshed));
    assert_ne!(rt1, rt0);
    assert!(rt1.ends_with(".V2"));
    let claims1 = payload(&at1);
    assert_eq!(
        claims1["parentRefreshTokenHash1"],
        payload(&at0)["refreshTokenHash1"],
        "the child token names its parent"
    );
    assert_ne!(
        claims1["refreshTokenHash1"],
        claims1["parentRefreshTokenHash1"]
    );
    assert_eq!(claims1["role"], "admin", "custom claims carried over");

    // Until the child is used, the parent is still the session's token: refreshing with it again
    // is not theft.
    let again = refresh(&core, &rt0).await;
    assert_eq!(again["status"], "OK");

    // First use of the child's access token promotes the child and returns a clean token.
    let promoted = verify(&core, &at1, false).await;
    assert_eq!(promoted["status"], "OK");
    let at1b = access(&promoted);
    let claims1b = payload(&at1b);
    assert!(claims1b["parentRefreshTokenHash1"].is_null());
    assert_eq!(claims1b["refreshTokenHash1"], claims1["refreshTokenHash1"]);
    assert_eq!(claims1b["sessionHandle"], claims1["sessionHandle"]);
    assert_eq!(
        promoted["accessToken"]["expiry"],
        claims1b["exp"].as_i64().unwrap() * 1000
    );
    // The promoted token needs no more promotion.
    assert!(
        verify(&core, &at1b, false)
            .await
            .get("accessToken")
            .is_none()
    );

    // The child keeps working as the new parent.
    let next = refresh(&core, &rt1).await;
    assert_eq!(next["status"], "OK");
}

async fn theft_s1_r1_s2_r1_reusing_the_parent_after_the_child_was_verified(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-7", true, false).await;
    let rt0 = refresh_of(&created);
    let refreshed = refresh(&core, &rt0).await;
    verify(&core, &access(&refreshed), false).await;

    let theft = refresh(&core, &rt0).await;
    assert_eq!(
        theft,
        json!({
            "status": "TOKEN_THEFT_DETECTED",
            "session": {"handle": handle(&created), "userId": "user-7", "recipeUserId": "user-7"}
        })
    );
    // The core reports, it does not revoke: the session and its current token remain.
    let rt1 = refresh_of(&refreshed);
    assert_eq!(refresh(&core, &rt1).await["status"], "OK");
}

async fn theft_s1_r1_r2_r1_reusing_the_parent_after_the_child_was_refreshed(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-8", true, false).await;
    let rt0 = refresh_of(&created);
    let rt1 = refresh_of(&refresh(&core, &rt0).await);
    let second = refresh(&core, &rt1).await;
    assert_eq!(second["status"], "OK");
    assert_eq!(
        payload(&access(&second))["parentRefreshTokenHash1"],
        payload(&access(&refresh(&core, &rt1).await))["parentRefreshTokenHash1"],
        "after promotion the child is the parent, and may be refreshed again"
    );

    let theft = refresh(&core, &rt0).await;
    assert_eq!(theft["status"], "TOKEN_THEFT_DETECTED");
    assert_eq!(theft["session"]["handle"], handle(&created));
    assert_eq!(theft["session"]["userId"], "user-8");
    assert_eq!(theft["session"]["recipeUserId"], "user-8");
}

async fn an_access_token_of_the_grandparent_refresh_token_verifies_without_rolling_back(
    transport: Transport,
) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-9", true, false).await;
    let r1 = refresh(&core, &refresh_of(&created)).await;
    let at1 = access(&r1);
    verify(&core, &at1, false).await; // promotes RT1
    let r2 = refresh(&core, &refresh_of(&r1)).await;
    let promoted = verify(&core, &access(&r2), false).await; // promotes RT2
    assert!(promoted.get("accessToken").is_some());

    // AT1 belongs to RT1, whose parent (RT0) is now the grandparent: still a valid token until it
    // expires, but it neither promotes nor is re-issued.
    let old = verify(&core, &at1, false).await;
    assert_eq!(old["status"], "OK");
    assert!(old.get("accessToken").is_none());
    // The database still holds RT2: refreshing with it works, with RT1 is theft.
    assert_eq!(refresh(&core, &refresh_of(&r2)).await["status"], "OK");
    assert_eq!(
        refresh(&core, &refresh_of(&r1)).await["status"],
        "TOKEN_THEFT_DETECTED"
    );
}

async fn create_verify_refresh_verify_refresh(transport: Transport) {
    let core = Cdi::new(transport).await;
    let mut answer = create(&core, "user-10", true, false).await;
    for round in 0..4 {
        let verified = verify(&core, &access(&answer), false).await;
        assert_eq!(verified["status"], "OK", "round {round}");
        let next = refresh(&core, &refresh_of(&answer)).await;
        assert_eq!(next["status"], "OK", "round {round}");
        assert_eq!(handle(&next), handle(&answer));
        answer = next;
    }
}

async fn a_revoked_session_verifies_only_without_a_database_check(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-2", true, false).await;
    let h = handle(&created);
    let removed = post(
        &core,
        "/recipe/session/remove",
        json!({"sessionHandles": [h, "no-such-handle"]}),
    )
    .await;
    assert_eq!(
        removed,
        json!({"status": "OK", "sessionHandlesRevoked": [h]})
    );

    let token = access(&created);
    assert_eq!(verify(&core, &token, false).await["status"], "OK");
    assert_eq!(
        verify(&core, &token, true).await,
        json!({"status": "UNAUTHORISED", "message": "Either the session has ended or has been blacklisted"})
    );
    assert_eq!(
        refresh(&core, &refresh_of(&created)).await["status"],
        "UNAUTHORISED"
    );
    assert_eq!(
        get(&core, &format!("/recipe/session?sessionHandle={h}")).await["status"],
        "UNAUTHORISED"
    );
}

async fn a_child_token_of_a_revoked_session_cannot_be_promoted(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-3", true, false).await;
    let refreshed = refresh(&core, &refresh_of(&created)).await;
    post(
        &core,
        "/recipe/session/remove",
        json!({"sessionHandles": [handle(&created)]}),
    )
    .await;
    assert_eq!(
        verify(&core, &access(&refreshed), false).await,
        json!({"status": "UNAUTHORISED", "message": "Session missing in db"})
    );
}

async fn regenerate_replaces_the_claims_and_keeps_the_expiry(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-4", true, false).await;
    let token = access(&created);
    core.clock().advance(Duration::from_secs(5));

    let regenerated = post(
        &core,
        "/recipe/session/regenerate",
        json!({"accessToken": token, "userDataInJWT": {"role": "owner"}}),
    )
    .await;
    assert_eq!(regenerated["status"], "OK");
    assert_eq!(
        regenerated["session"]["userDataInJWT"],
        json!({"role": "owner"})
    );
    let new_token = access(&regenerated);
    let (old, new) = (payload(&token), payload(&new_token));
    assert_eq!(new["role"], "owner");
    assert!(new.get("iss").is_none());
    assert_eq!(new["exp"], old["exp"], "the old expiry is kept");
    assert_eq!(new["refreshTokenHash1"], old["refreshTokenHash1"]);
    assert_eq!(
        regenerated["accessToken"]["expiry"],
        created["accessToken"]["expiry"]
    );

    let info = get(
        &core,
        &format!("/recipe/session?sessionHandle={}", handle(&created)),
    )
    .await;
    assert_eq!(info["userDataInJWT"], json!({"role": "owner"}));
    // Tokens issued later (refresh) carry the new claims.
    let refreshed = refresh(&core, &refresh_of(&created)).await;
    assert_eq!(payload(&access(&refreshed))["role"], "owner");

    // Without userDataInJWT the stored claims are kept.
    let same = post(
        &core,
        "/recipe/session/regenerate",
        json!({"accessToken": new_token}),
    )
    .await;
    assert_eq!(same["session"]["userDataInJWT"], json!({"role": "owner"}));

    // An expired token: the claims change, no token comes back.
    core.clock().advance(HOUR);
    let late = post(
        &core,
        "/recipe/session/regenerate",
        json!({"accessToken": new_token, "userDataInJWT": {"role": "guest"}}),
    )
    .await;
    assert_eq!(late["status"], "OK");
    assert!(late.get("accessToken").is_none());
    assert_eq!(late["session"]["userDataInJWT"], json!({"role": "guest"}));

    // A revoked session.
    post(
        &core,
        "/recipe/session/remove",
        json!({"sessionHandles": [handle(&created)]}),
    )
    .await;
    let gone = post(
        &core,
        "/recipe/session/regenerate",
        json!({"accessToken": new_token, "userDataInJWT": {}}),
    )
    .await;
    assert_eq!(gone["status"], "UNAUTHORISED");
}

async fn sessions_are_listed_and_revoked_by_user(transport: Transport) {
    let core = Cdi::new(transport).await;
    let a = handle(&create(&core, "alice", true, false).await);
    let b = handle(&create(&core, "alice", false, false).await);
    let other = handle(&create(&core, "bob", true, false).await);

    let listed = get(&core, "/public/recipe/session/user?userId=alice").await;
    let mut handles: Vec<String> =
        serde_json::from_value(listed["sessionHandles"].clone()).unwrap();
    handles.sort();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(handles, expected);
    assert_eq!(
        get(
            &core,
            "/recipe/session/user?userId=alice&fetchAcrossAllTenants=false&fetchSessionsForAllLinkedAccounts=true"
        )
        .await["sessionHandles"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        get(&core, "/recipe/session/user?userId=nobody").await,
        json!({"status": "OK", "sessionHandles": []})
    );

    let removed = post(
        &core,
        "/public/recipe/session/remove",
        json!({"userId": "alice", "revokeAcrossAllTenants": true, "revokeSessionsForLinkedAccounts": true}),
    )
    .await;
    let mut revoked: Vec<String> =
        serde_json::from_value(removed["sessionHandlesRevoked"].clone()).unwrap();
    revoked.sort();
    assert_eq!(revoked, expected);
    assert_eq!(
        get(&core, "/recipe/session/user?userId=alice").await["sessionHandles"],
        json!([])
    );
    assert_eq!(
        get(&core, "/recipe/session/user?userId=bob").await["sessionHandles"],
        json!([other])
    );
}

async fn session_data_and_jwt_data_can_be_replaced(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-5", true, false).await;
    let h = handle(&created);
    let info = get(&core, &format!("/recipe/session?sessionHandle={h}")).await;
    assert_eq!(info["status"], "OK");
    assert_eq!(info["sessionHandle"], h);
    assert_eq!(info["userId"], "user-5");
    assert_eq!(info["recipeUserId"], "user-5");
    assert_eq!(info["tenantId"], "public");
    assert_eq!(info["userDataInDatabase"], json!({"plan": "free"}));
    assert_eq!(info["expiry"], created["refreshToken"]["expiry"]);
    assert_eq!(info["timeCreated"], created["refreshToken"]["createdTime"]);

    assert_eq!(
        put(
            &core,
            "/recipe/session/data",
            json!({"sessionHandle": h, "userDataInDatabase": {"plan": "pro"}})
        )
        .await,
        json!({"status": "OK"})
    );
    assert_eq!(
        put(
            &core,
            "/public/recipe/jwt/data",
            json!({"sessionHandle": h, "userDataInJWT": {"role": "viewer"}})
        )
        .await,
        json!({"status": "OK"})
    );
    let info = get(&core, &format!("/recipe/session?sessionHandle={h}")).await;
    assert_eq!(info["userDataInDatabase"], json!({"plan": "pro"}));
    assert_eq!(info["userDataInJWT"], json!({"role": "viewer"}));

    // A database check notices the changed claims and issues a token carrying them.
    let checked = verify(&core, &access(&created), true).await;
    assert_eq!(checked["status"], "OK");
    assert_eq!(
        checked["session"]["userDataInJWT"],
        json!({"role": "viewer"})
    );
    assert_eq!(payload(&access(&checked))["role"], "viewer");
    // Without the check the token is taken as it is.
    let unchecked = verify(&core, &access(&created), false).await;
    assert!(unchecked.get("accessToken").is_none());
    assert_eq!(unchecked["session"]["userDataInJWT"]["role"], "admin");

    for (path, body) in [
        (
            "/recipe/session/data",
            json!({"sessionHandle": "nope", "userDataInDatabase": {}}),
        ),
        (
            "/public/recipe/jwt/data",
            json!({"sessionHandle": "nope", "userDataInJWT": {}}),
        ),
    ] {
        assert_eq!(put(&core, path, body).await["status"], "UNAUTHORISED");
    }
}

async fn static_and_dynamic_keys_follow_the_request_on_create_and_refresh(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-6", false, false).await;
    let static_kid = kid(&access(&created));
    assert!(static_kid.starts_with("s-"), "{static_kid}");
    assert_eq!(static_kid.len(), 2 + 36);

    // Refresh asks for a dynamic key now, then for the static one again.
    let dynamic = post(
        &core,
        "/recipe/session/refresh",
        json!({"refreshToken": refresh_of(&created), "enableAntiCsrf": false, "useDynamicSigningKey": true}),
    )
    .await;
    assert!(kid(&access(&dynamic)).starts_with("d-"));
    // Promotion re-issues with the kind the session now uses.
    let promoted = verify(&core, &access(&dynamic), false).await;
    assert!(kid(&access(&promoted)).starts_with("d-"));
    let back = post(
        &core,
        "/recipe/session/refresh",
        json!({"refreshToken": refresh_of(&dynamic), "enableAntiCsrf": false, "useDynamicSigningKey": false}),
    )
    .await;
    assert_eq!(kid(&access(&back)), static_kid, "one static key per app");

    // Both kinds are published, each once.
    let jwks = get(&core, "/.well-known/jwks.json").await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert!(kids.contains(&static_kid.as_str()));
    assert!(kids.iter().any(|k| k.starts_with("d-")));
    // Tokens of both kinds verify.
    assert_eq!(
        verify(&core, &access(&created), false).await["status"],
        "OK"
    );
    assert_eq!(verify(&core, &access(&back), false).await["status"], "OK");
}

async fn before_cdi_5_a_refresh_keeps_the_sessions_kind_of_key(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-16", false, false).await;
    let body = json!({"refreshToken": refresh_of(&created), "enableAntiCsrf": false}).to_string();
    let headers = [
        ("cdi-version", "4.0"),
        ("rid", "session"),
        ("content-type", "application/json"),
    ];
    let answer = call(
        &core,
        "POST",
        "/recipe/session/refresh",
        &headers,
        Some(&body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let refreshed: Value = serde_json::from_str(&answer.text).unwrap();
    assert_eq!(kid(&access(&refreshed)), kid(&access(&created)));
    // From CDI 5.0 the field is required.
    let answer = cdi_call(&core, "POST", "/recipe/session/refresh", Some(&body)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

async fn anti_csrf_tokens_are_issued_and_checked(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-11", true, true).await;
    let csrf = created["antiCsrfToken"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 36);
    let token = access(&created);
    assert_eq!(payload(&token)["antiCsrfToken"], csrf);

    let check = |given: Option<&str>, do_check: bool| {
        let mut body = json!({"accessToken": token, "doAntiCsrfCheck": do_check,
                              "enableAntiCsrf": true, "checkDatabase": false});
        if let Some(given) = given {
            body["antiCsrfToken"] = json!(given);
        }
        body
    };
    let verify_with = |body: Value| {
        let core = core.clone();
        async move { post(&core, "/recipe/session/verify", body).await }
    };
    assert_eq!(verify_with(check(Some(&csrf), true)).await["status"], "OK");
    assert_eq!(
        verify_with(check(Some("wrong"), true)).await,
        json!({"status": "TRY_REFRESH_TOKEN", "message": "anti-csrf check failed"})
    );
    assert_eq!(
        verify_with(check(None, true)).await["status"],
        "TRY_REFRESH_TOKEN"
    );
    assert_eq!(verify_with(check(None, false)).await["status"], "OK");

    let rt = refresh_of(&created);
    let wrong = post(
        &core,
        "/recipe/session/refresh",
        json!({"refreshToken": rt, "antiCsrfToken": "wrong", "enableAntiCsrf": true, "useDynamicSigningKey": true}),
    )
    .await;
    assert_eq!(
        wrong,
        json!({"status": "UNAUTHORISED", "message": "Anti CSRF token missing, or not matching"})
    );
    let right = post(
        &core,
        "/recipe/session/refresh",
        json!({"refreshToken": rt, "antiCsrfToken": csrf, "enableAntiCsrf": true, "useDynamicSigningKey": true}),
    )
    .await;
    assert_eq!(right["status"], "OK");
    let new_csrf = right["antiCsrfToken"].as_str().unwrap();
    assert_ne!(new_csrf, csrf);
    assert_eq!(payload(&access(&right))["antiCsrfToken"], new_csrf);
}

async fn tokens_expire(transport: Transport) {
    let core = Cdi::new(transport).await;
    let created = create(&core, "user-12", true, false).await;
    let token = access(&created);
    core.clock().advance(HOUR + Duration::from_secs(1));
    assert_eq!(
        verify(&core, &token, false).await,
        json!({"status": "TRY_REFRESH_TOKEN", "message": "Access token expired"})
    );
    // The refresh token still works and gives a fresh access token.
    let refreshed = refresh(&core, &refresh_of(&created)).await;
    assert_eq!(refreshed["status"], "OK");
    let fresh = access(&refreshed);
    assert_eq!(verify(&core, &fresh, false).await["status"], "OK");

    // After the refresh-token validity (100 days) without use, the session is gone.
    let other = create(&core, "user-12", true, false).await;
    core.clock().advance(100 * DAY + Duration::from_millis(1));
    assert_eq!(
        refresh(&core, &refresh_of(&other)).await,
        json!({"status": "UNAUTHORISED", "message": "Session missing in db or has expired"})
    );
    assert_eq!(
        get(
            &core,
            &format!("/recipe/session?sessionHandle={}", handle(&other))
        )
        .await["status"],
        "UNAUTHORISED"
    );
    assert_eq!(
        get(&core, "/recipe/session/user?userId=user-12").await["sessionHandles"],
        json!([])
    );
    // A new session after the clean-up works as usual.
    let later = create(&core, "user-12", true, false).await;
    assert_eq!(verify(&core, &access(&later), true).await["status"], "OK");
}

async fn signing_keys_rotate_and_old_tokens_verify_until_they_expire(transport: Transport) {
    let core = Cdi::new(transport).await;
    let first = create(&core, "user-13", true, false).await;
    let k1 = kid(&access(&first));

    // Late in the first key's rotation period (7 days), it still signs.
    core.clock().advance(7 * DAY - Duration::from_secs(10 * 60));
    let late = create(&core, "user-13", true, false).await;
    assert_eq!(kid(&access(&late)), k1);
    let jwks = cdi_call(&core, "GET", "/.well-known/jwks.json", None).await;
    let max_age: i64 = jwks.headers["cache-control"]
        .to_str()
        .unwrap()
        .strip_prefix("max-age=")
        .unwrap()
        .strip_suffix(", must-revalidate")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (8 * 60..=9 * 60).contains(&max_age),
        "cached until the next key is published one minute before the rotation: {max_age}"
    );

    // A minute before the rotation a new key is published but does not sign yet.
    core.clock().advance(Duration::from_secs(9 * 60 + 30));
    let jwks = get(&core, "/.well-known/jwks.json").await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "{jwks}");
    let during_overlap = create(&core, "user-13", true, false).await;
    assert_eq!(kid(&access(&during_overlap)), k1);

    // After the rotation the new key signs.
    core.clock().advance(Duration::from_secs(60));
    let rotated = create(&core, "user-13", true, false).await;
    let k2 = kid(&access(&rotated));
    assert_ne!(k2, k1);
    assert!(k2.starts_with("d-"));

    // Tokens signed with the old key still verify until they expire.
    assert_eq!(verify(&core, &access(&late), false).await["status"], "OK");
    assert_eq!(
        verify(&core, &access(&during_overlap), false).await["status"],
        "OK"
    );

    // The old key stays published while its tokens can live, then goes.
    core.clock().advance(HOUR);
    let jwks = get(&core, "/.well-known/jwks.json").await;
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, vec![k2.as_str()]);
    assert_eq!(
        verify(&core, &access(&during_overlap), false).await["status"],
        "TRY_REFRESH_TOKEN"
    );
    // A session of the old key refreshes onto the new one.
    let moved = refresh(&core, &refresh_of(&late)).await;
    assert_eq!(kid(&access(&moved)), k2);
}

async fn the_jwks_is_public_and_cacheable(transport: Transport) {
    const KEY: &str = "secret-key-0123456789";
    let core = Cdi::with(
        transport,
        EmbeddedCoreConfig {
            database: Database::Memory,
            api_key: Some(KEY.into()),
            ..EmbeddedCoreConfig::default()
        },
    )
    .await;
    // No api key, no cdi-version.
    let answer = call(&core, "GET", "/.well-known/jwks.json", &[], None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let cache = answer.headers["cache-control"].to_str().unwrap().to_owned();
    assert!(
        cache.starts_with("max-age=") && cache.ends_with(", must-revalidate"),
        "{cache}"
    );
    let jwks: Value = serde_json::from_str(&answer.text).unwrap();
    assert!(jwks.get("status").is_none());
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert!(key["kid"].as_str().unwrap().starts_with("d-"));
    assert!(key["n"].as_str().unwrap().len() > 300);

    // The SDK's client reads the keys and the cache lifetime.
    let (keys, max_age) = core.client.jwks().await.unwrap();
    assert_eq!(keys.keys.len(), 1);
    assert_eq!(keys.keys[0].kid, key["kid"].as_str().unwrap());
    let max_age = max_age.expect("a cache lifetime").as_secs();
    assert!(
        (7 * 86_400 - 60 - 30..=7 * 86_400 - 60).contains(&max_age),
        "until the next key is published: {max_age}"
    );

    // `/recipe/jwt/jwks` needs the api key and answers with a status.
    let no_key = cdi_call(&core, "GET", "/recipe/jwt/jwks", None).await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    let with_status = get(&core, "/recipe/jwt/jwks").await;
    assert_eq!(with_status["status"], "OK");
    assert_eq!(with_status["keys"], jwks["keys"]);
}

async fn tokens_verify_with_jsonwebtoken_against_the_served_jwks(transport: Transport) {
    let core = Cdi::new(transport).await;
    let dynamic = access(&create(&core, "user-17", true, false).await);
    let fixed = access(&create(&core, "user-17", false, false).await);
    let (jwks, _) = core.client.jwks().await.unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    for token in [&dynamic, &fixed] {
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(
            header.extras.get::<String>("version").unwrap().as_deref(),
            Some("5")
        );
        let kid = header.kid.unwrap();
        let jwk = jwks
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .expect("kid in the JWKS");
        let key = jsonwebtoken::DecodingKey::from_rsa_components(&jwk.n, &jwk.e).unwrap();
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], "user-17");
        // The other kind's key does not verify it.
        let other = jwks.keys.iter().find(|k| k.kid != kid).unwrap();
        let wrong = jsonwebtoken::DecodingKey::from_rsa_components(&other.n, &other.e).unwrap();
        assert!(jsonwebtoken::decode::<Value>(token, &wrong, &validation).is_err());
    }
}

async fn concurrent_first_sessions_make_a_single_signing_key(transport: Transport) {
    let core = Cdi::new(transport).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let core = core.clone();
        tasks.push(tokio::spawn(async move {
            create(&core, &format!("u{i}"), true, false).await
        }));
    }
    let mut kids = Vec::new();
    for task in tasks {
        kids.push(kid(&access(&task.await.unwrap())));
    }
    kids.dedup();
    assert_eq!(kids.len(), 1, "{kids:?}");
    assert_eq!(
        get(&core, "/.well-known/jwks.json").await["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn sessions_keys_and_refresh_tokens_survive_a_restart(transport: Transport) {
    let dir = tempfile::tempdir().unwrap();
    let config = EmbeddedCoreConfig {
        database: Database::File(dir.path().join("core.db")),
        ..EmbeddedCoreConfig::default()
    };
    let (token, rt, h) = {
        let core = Cdi::with(transport, config.clone()).await;
        let created = create(&core, "user-14", true, false).await;
        (access(&created), refresh_of(&created), handle(&created))
    };
    let core = Cdi::with(transport, config).await;
    let verified = verify(&core, &token, true).await;
    assert_eq!(verified["status"], "OK");
    assert_eq!(verified["session"]["handle"], h);
    let refreshed = refresh(&core, &rt).await;
    assert_eq!(refreshed["status"], "OK");
    assert_eq!(kid(&access(&refreshed)), kid(&token), "same signing key");
}

async fn bad_input_is_a_400_with_the_cores_words(transport: Transport) {
    let core = Cdi::new(transport).await;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "POST",
            "/public/recipe/session",
            "{not json",
            "Invalid Json Input",
        ),
        ("POST", "/public/recipe/session", "[]", "Invalid Json Input"),
        (
            "POST",
            "/public/recipe/session",
            r#"{"userDataInJWT":{},"userDataInDatabase":{},"enableAntiCsrf":false}"#,
            "Field name 'userId' is invalid in JSON input",
        ),
        (
            "POST",
            "/public/recipe/session",
            r#"{"userId":"u","userDataInJWT":[],"userDataInDatabase":{},"enableAntiCsrf":false}"#,
            "Field name 'userDataInJWT' is invalid in JSON input",
        ),
        (
            "POST",
            "/public/recipe/session",
            r#"{"userId":"u","userDataInJWT":{"sub":"x"},"userDataInDatabase":{},"enableAntiCsrf":false}"#,
            "The user payload contains protected field",
        ),
        (
            "POST",
            "/recipe/session/verify",
            r#"{"accessToken":"x","doAntiCsrfCheck":false,"enableAntiCsrf":false}"#,
            "Field name 'checkDatabase' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/refresh",
            r#"{"refreshToken":"x","enableAntiCsrf":false}"#,
            "Field name 'useDynamicSigningKey' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/refresh",
            r#"{"refreshToken":7,"enableAntiCsrf":false,"useDynamicSigningKey":true}"#,
            "Field name 'refreshToken' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/remove",
            "{}",
            "Invalid JSON input - use one of userId or sessionHandles array",
        ),
        (
            "POST",
            "/recipe/session/remove",
            r#"{"userId":"u","sessionHandles":["h"]}"#,
            "Invalid JSON input - use one of userId or sessionHandles array",
        ),
        (
            "GET",
            "/recipe/session",
            "",
            "Field name 'sessionHandle' is missing in GET request",
        ),
        (
            "GET",
            "/recipe/session/user",
            "",
            "Field name 'userId' is missing in GET request",
        ),
        (
            "PUT",
            "/public/recipe/jwt/data",
            r#"{"sessionHandle":"h","userDataInJWT":{"exp":1}}"#,
            "The user payload contains protected field",
        ),
        (
            "PUT",
            "/recipe/session/data",
            r#"{"sessionHandle":"h","userDataInDatabase":"x"}"#,
            "Field name 'userDataInDatabase' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/regenerate",
            r#"{"userDataInJWT":{}}"#,
            "Field name 'accessToken' is invalid in JSON input",
        ),
    ];
    for (method, path, body, message) in cases {
        let body = (!body.is_empty()).then_some(*body);
        let answer = cdi_call(&core, method, path, body).await;
        assert_eq!(
            (answer.status, answer.text.as_str()),
            (StatusCode::BAD_REQUEST, *message),
            "{method} {path} {body:?}"
        );
    }
}

async fn garbage_tokens_are_refused_in_the_cores_terms(transport: Transport) {
    let core = Cdi::new(transport).await;
    create(&core, "user-15", true, false).await;
    for token in [
        "",
        "abc",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.e30.",
        // a well-formed header with an unknown key id
        "eyJraWQiOiJkLTEiLCJ0eXAiOiJKV1QiLCJ2ZXJzaW9uIjoiNSIsImFsZyI6IlJTMjU2In0.e30.c2ln",
    ] {
        let verified = verify(&core, token, false).await;
        assert_eq!(verified["status"], "TRY_REFRESH_TOKEN", "{token:?}");
        assert!(verified["message"].is_string());
    }
    for token in ["", "abc", "a.b.V2", "x.000000000000000000000000.V2"] {
        assert_eq!(
            refresh(&core, token).await,
            json!({"status": "UNAUTHORISED", "message": "Invalid refresh token"}),
            "{token:?}"
        );
    }
    let regenerated = post(
        &core,
        "/recipe/session/regenerate",
        json!({"accessToken": "a.b.c"}),
    )
    .await;
    assert_eq!(regenerated["status"], "UNAUTHORISED");
}

/// Runs each scenario on both transports.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod in_process {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Transport::InProcess).await;
                }
            )*
        }
        mod over_http {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Transport::Http).await;
                }
            )*
        }
    };
}

both!(
    tokens_verify_with_jsonwebtoken_against_the_served_jwks,
    before_cdi_5_a_refresh_keeps_the_sessions_kind_of_key,
    create_issues_a_v5_token_and_an_opaque_refresh_token,
    refresh_issues_a_child_token_and_verify_promotes_it,
    theft_s1_r1_s2_r1_reusing_the_parent_after_the_child_was_verified,
    theft_s1_r1_r2_r1_reusing_the_parent_after_the_child_was_refreshed,
    an_access_token_of_the_grandparent_refresh_token_verifies_without_rolling_back,
    create_verify_refresh_verify_refresh,
    a_revoked_session_verifies_only_without_a_database_check,
    a_child_token_of_a_revoked_session_cannot_be_promoted,
    regenerate_replaces_the_claims_and_keeps_the_expiry,
    sessions_are_listed_and_revoked_by_user,
    session_data_and_jwt_data_can_be_replaced,
    static_and_dynamic_keys_follow_the_request_on_create_and_refresh,
    anti_csrf_tokens_are_issued_and_checked,
    tokens_expire,
    signing_keys_rotate_and_old_tokens_verify_until_they_expire,
    the_jwks_is_public_and_cacheable,
    concurrent_first_sessions_make_a_single_signing_key,
    sessions_keys_and_refresh_tokens_survive_a_restart,
    bad_input_is_a_400_with_the_cores_words,
    garbage_tokens_are_refused_in_the_cores_terms,
);
