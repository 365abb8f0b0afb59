//! The SDK's JWKS cache against an embedded core served on loopback (over HTTP, so the core's
//! JWKS requests can be counted where they arrive): keys rotate, old tokens keep verifying until
//! they expire, an unknown key id causes exactly one refetch under concurrent requests, and while
//! the JWKS endpoint is slow and failing, requests share one fetch and cached keys keep
//! verifying.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use http::{Request, StatusCode};
use serde_json::json;
use supertokens::embedded::{EmbeddedCore, EmbeddedCoreConfig};
use supertokens::session::{SessionConfig, SessionContainer};
use supertokens::{Clock, SuperTokens};
use tests::client::Client;
use tests::jwt::{encode_segment, header, kid, with_header};
use tests::server::Server;
use tower::ServiceExt;

/// The core's JWKS endpoint as the tests see it: how often it was asked, and a switch that makes
/// it slow and failing (a core that is struggling).
#[derive(Default)]
struct JwksEndpoint {
    requests: AtomicUsize,
    down: AtomicBool,
}

impl JwksEndpoint {
    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Serves `core` on 127.0.0.1, counting the requests for its JWKS.
async fn serve_counting(core: &EmbeddedCore) -> (Server, Arc<JwksEndpoint>) {
    let endpoint = Arc::new(JwksEndpoint::default());
    let seen = endpoint.clone();
    let service = core.service();
    let app = Router::new().fallback_service(tower::service_fn(move |req: Request<Body>| {
        let (seen, service) = (seen.clone(), service.clone());
        async move {
            if req.uri().path().ends_with("/.well-known/jwks.json") {
                seen.requests.fetch_add(1, Ordering::SeqCst);
                if seen.down.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    return Ok(StatusCode::SERVICE_UNAVAILABLE.into_response());
                }
            }
            service.oneshot(req).await
        }
    }));
    (Server::serve(app).await, endpoint)
}

/// An instance using the core at `connection_uri`, and a client of a `/me` route behind its
/// layer.
fn instance(connection_uri: String, clock: Clock, session: SessionConfig) -> (SuperTokens, Client) {
    let config = supertokens::Config::builder()
        .app_name("Test")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .connection_uri(connection_uri)
        .clock(clock)
        .session(session)
        .build()
        .unwrap();
    let st = SuperTokens::new(config).unwrap();
    let router = Router::new()
        .route(
            "/me",
            get(|s: SessionContainer| async move { s.user_id().to_owned() }),
        )
        .layer(st.layer());
    (st, Client::router(router))
}

/// A core issuing day-long tokens and rotating its signing key every `signing_key_rotation`,
/// served with its JWKS requests counted, and an instance (with its app) that refreshes the keys
/// every `jwks_refresh_interval` and has no verified-token cache, so every request checks the
/// signature against the JWKS.
async fn verifying_every_request(
    clock: &Clock,
    signing_key_rotation: Duration,
    jwks_refresh_interval: Duration,
) -> (Server, Arc<JwksEndpoint>, SuperTokens, Client) {
    let core = EmbeddedCore::open_with_clock(
        EmbeddedCoreConfig {
            access_token_validity: Duration::from_secs(24 * 3600),
            signing_key_rotation,
            ..tests::embedded_core::in_memory()
        },
        clock.clone(),
    )
    .unwrap();
    let (server, endpoint) = serve_counting(&core).await;
    let (st, app) = instance(
        server.url(),
        clock.clone(),
        SessionConfig::new()
            .jwks_refresh_interval(jwks_refresh_interval)
            .verified_token_cache_size(0),
    );
    (server, endpoint, st, app)
}

/// `n` concurrent requests to `/me` with `token`: their statuses.
async fn burst(app: &Client, token: &str, n: usize) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (app, token) = (app.clone(), token.to_owned());
            tokio::spawn(async move { app.get("/me").bearer(&token).send().await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_and_unknown_kids_refetch_once() {
    let clock = Clock::system();
    let (_server, jwks_requests, st, app) = verifying_every_request(
        &clock,
        Duration::from_secs(3600),
        Duration::from_secs(72 * 3600),
    )
    .await;

    let old = supertokens::testing::session(&st, "user-1").await.unwrap();
    assert!(
        burst(&app, &old.access_token, 20)
            .await
            .iter()
            .all(|s| *s == 200)
    );
    assert_eq!(
        jwks_requests.requests(),
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
        jwks_requests.requests(),
        1,
        "creating sessions fetches no keys"
    );

    // Twenty concurrent requests with the new kid (after the 500 ms refetch cooldown): exactly
    // one refetch, all verified.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let statuses = burst(&app, &new.access_token, 20).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(jwks_requests.requests(), 2);

    // The old token still verifies (its key is still published) until it expires.
    assert!(
        burst(&app, &old.access_token, 5)
            .await
            .iter()
            .all(|s| *s == 200)
    );
    assert_eq!(jwks_requests.requests(), 2);

    // A kid no key has: one refetch for a concurrent burst (after the 500 ms cooldown), then
    // none within the cooldown; the answer is 401 try refresh token.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let mut unknown_kid = header(&new.access_token);
    unknown_kid["kid"] = json!("d-1");
    let unknown = with_header(&new.access_token, &unknown_kid);
    let statuses = burst(&app, &unknown, 20).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(
        jwks_requests.requests(),
        3,
        "exactly one refetch for the unknown kid"
    );
    let statuses = burst(&app, &unknown, 20).await;
    assert!(statuses.iter().all(|s| *s == 401));
    assert_eq!(
        jwks_requests.requests(),
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
    let (_st, app) = instance(
        format!("http://{}", tests::server::refusing_addr()),
        Clock::system(),
        SessionConfig::new(),
    );
    // A structurally valid v5 token (unsigned): parsing passes, key lookup fails.
    let token = format!(
        "{}.{}.c2ln",
        encode_segment(&json!({"kid": "d-1", "typ": "JWT", "version": "5", "alg": "RS256"})),
        encode_segment(
            &json!({"sub": "u", "rsub": "u", "exp": 4_000_000_000_u64, "iat": 1, "sessionHandle": "h",
            "refreshTokenHash1": "r", "parentRefreshTokenHash1": null, "antiCsrfToken": null, "tId": "public"})
        )
    );
    let statuses = burst(&app, &token, 1).await;
    assert_eq!(statuses, vec![StatusCode::UNAUTHORIZED]);
}

/// A core that signs with one key for a week, served through a JWKS endpoint the test can break,
/// and an instance that finds its keys stale after an hour, an hour later, with the endpoint
/// down: the clock, the endpoint, the server, the instance, its app and a token signed with the
/// cached key.
async fn stale_keys() -> (
    Clock,
    Arc<JwksEndpoint>,
    Server,
    SuperTokens,
    Client,
    String,
) {
    let clock = Clock::system();
    let (server, endpoint, st, app) = verifying_every_request(
        &clock,
        Duration::from_secs(7 * 24 * 3600),
        Duration::from_secs(3600),
    )
    .await;
    let session = supertokens::testing::session(&st, "user-1").await.unwrap();
    assert_eq!(
        burst(&app, &session.access_token, 1).await,
        vec![StatusCode::OK]
    );
    assert_eq!(endpoint.requests(), 1);
    endpoint.down.store(true, Ordering::SeqCst);
    clock.advance(Duration::from_secs(3601));
    (clock, endpoint, server, st, app, session.access_token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_kids_verify_while_the_jwks_endpoint_is_down() {
    let (_clock, endpoint, _server, _st, app, token) = stale_keys().await;
    let statuses = burst(&app, &token, 20).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // The stale keys were refreshed in the background, once.
    for _ in 0..1000 {
        if endpoint.requests() > 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(endpoint.requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_verifications_share_one_failing_jwks_fetch() {
    let (clock, endpoint, _server, _st, app, token) = stale_keys().await;
    // A key id the cache does not hold: every request needs the JWKS, and they share one fetch.
    let mut unknown_kid = header(&token);
    unknown_kid["kid"] = json!("d-unknown");
    let unknown = with_header(&token, &unknown_kid);
    let statuses = burst(&app, &unknown, 20).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    assert_eq!(endpoint.requests(), 2, "one fetch for twenty requests");

    // Once the failure is old, the next request tries again, and succeeds with the core back.
    endpoint.down.store(false, Ordering::SeqCst);
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        burst(&app, &unknown, 1).await,
        vec![StatusCode::UNAUTHORIZED]
    );
    assert_eq!(endpoint.requests(), 3);
    assert_eq!(burst(&app, &token, 1).await, vec![StatusCode::OK]);
}
