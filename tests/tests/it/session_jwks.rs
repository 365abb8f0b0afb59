//! The SDK's JWKS cache against an embedded core served on loopback (over HTTP, so the core's
//! JWKS requests can be counted where they arrive): keys rotate, old tokens keep verifying until
//! they expire, and an unknown key id causes exactly one refetch under concurrent requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use base64::Engine;
use http::{Request, StatusCode};
use supertokens::core::embedded::EmbeddedCore;
use supertokens::core::embedded_config::{Database, EmbeddedCoreConfig};
use supertokens::session::{SessionConfig, SessionContainer};
use supertokens::{Clock, Config, SuperTokens};
use tower::ServiceExt;

/// Serves `core` on 127.0.0.1 and counts the requests for its JWKS.
async fn serve_counting(core: &EmbeddedCore) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    let service = core.service();
    let app = Router::new().fallback_service(tower::service_fn(move |req: Request<Body>| {
        if req.uri().path().ends_with("/.well-known/jwks.json") {
            seen.fetch_add(1, Ordering::SeqCst);
        }
        service.clone().oneshot(req)
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}"), count)
}

fn kid(token: &str) -> String {
    let header = token.split('.').next().unwrap();
    let json: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    json["kid"].as_str().unwrap().to_owned()
}

async fn burst(app: &Router, token: &str, n: usize) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let app = app.clone();
        let auth = format!("Bearer {token}");
        tasks.push(tokio::spawn(async move {
            let request = Request::get("/me")
                .header("authorization", auth)
                .body(Body::empty())
                .unwrap();
            app.oneshot(request).await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_and_unknown_kids_refetch_once() {
    let clock = Clock::system();
    let core = EmbeddedCore::open_with_clock(
        EmbeddedCoreConfig {
            database: Database::Memory,
            access_token_validity: Duration::from_secs(24 * 3600),
            signing_key_rotation: Duration::from_secs(3600),
            ..Default::default()
        },
        clock.clone(),
    )
    .unwrap();
    let (uri, jwks_requests) = serve_counting(&core).await;
    let config = Config::builder()
        .app_name("Test")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .connection_uri(uri)
        .clock(clock.clone())
        // No verified-token cache here: every request checks the signature against the JWKS.
        .session(
            SessionConfig::new()
                .jwks_refresh_interval(Duration::from_secs(72 * 3600))
                .verified_token_cache_size(0),
        )
        .build()
        .unwrap();
    let st = SuperTokens::new(config).unwrap();
    let app = Router::new()
        .route(
            "/me",
            get(|s: SessionContainer| async move { s.user_id().to_owned() }),
        )
        .layer(st.layer());

    let old = supertokens::testing::session(&st, "user-1").await.unwrap();
    assert!(
        burst(&app, &old.access_token, 20)
            .await
            .iter()
            .all(|s| *s == 200)
    );
    assert_eq!(
        jwks_requests.load(Ordering::SeqCst),
        1,
        "one fetch for twenty concurrent first requests"
    );

    // Rotate: move the clock until the core signs with a new key.
    let mut new = None;
    for _ in 0..12 {
        clock.advance(Duration::from_secs(30 * 60));
        let s = supertokens::testing::session(&st, "user-2").await.unwrap();
        if kid(&s.access_token) != kid(&old.access_token) {
            new = Some(s);
            break;
        }
    }
    let new = new.expect("the core rotated its signing key");
    assert_eq!(
        jwks_requests.load(Ordering::SeqCst),
        1,
        "creating sessions fetches no keys"
    );

    // Twenty concurrent requests with the new kid (after the 500 ms refetch cooldown): exactly
    // one refetch, all verified.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let statuses = burst(&app, &new.access_token, 20).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(jwks_requests.load(Ordering::SeqCst), 2);

    // The old token still verifies (its key is still published) until it expires.
    assert!(
        burst(&app, &old.access_token, 5)
            .await
            .iter()
            .all(|s| *s == 200)
    );
    assert_eq!(jwks_requests.load(Ordering::SeqCst), 2);

    // A kid no key has: one refetch for a concurrent burst (after the 500 ms cooldown), then
    // none within the cooldown; the answer is 401 try refresh token.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut parts: Vec<String> = new.access_token.split('.').map(str::to_owned).collect();
    let mut header: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&parts[0])
            .unwrap(),
    )
    .unwrap();
    header["kid"] = serde_json::json!("d-1");
    parts[0] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string());
    let unknown = parts.join(".");
    let statuses = burst(&app, &unknown, 20).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(
        jwks_requests.load(Ordering::SeqCst),
        3,
        "exactly one refetch for the unknown kid"
    );
    let statuses = burst(&app, &unknown, 20).await;
    assert!(statuses.iter().all(|s| *s == 401));
    assert_eq!(
        jwks_requests.load(Ordering::SeqCst),
        3,
        "no refetch within the cooldown"
    );

    // Past the old token's expiry: try refresh.
    clock.advance(Duration::from_secs(24 * 3600));
    let statuses = burst(&app, &old.access_token, 1).await;
    assert_eq!(statuses, vec![StatusCode::UNAUTHORIZED]);
}

#[tokio::test]
async fn core_down_means_try_refresh_not_500() {
    // A core that is not there: the JWKS cannot be fetched, verification answers 401 try refresh.
    let config = Config::builder()
        .app_name("Test")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .connection_uri("http://127.0.0.1:9")
        .session(SessionConfig::new())
        .build()
        .unwrap();
    let st = SuperTokens::new(config).unwrap();
    let app = Router::new()
        .route(
            "/me",
            get(|s: SessionContainer| async move { s.user_id().to_owned() }),
        )
        .layer(st.layer());
    // A structurally valid v5 token (unsigned): parsing passes, key lookup fails.
    let b64 = |v: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let token = format!(
        "{}.{}.c2ln",
        b64(serde_json::json!({"kid": "d-1", "typ": "JWT", "version": "5", "alg": "RS256"})),
        b64(
            serde_json::json!({"sub": "u", "rsub": "u", "exp": 4_000_000_000_u64, "iat": 1, "sessionHandle": "h",
            "refreshTokenHash1": "r", "parentRefreshTokenHash1": null, "antiCsrfToken": null, "tId": "public"})
        )
    );
    let statuses = burst(&app, &token, 1).await;
    assert_eq!(statuses, vec![StatusCode::UNAUTHORIZED]);
}
