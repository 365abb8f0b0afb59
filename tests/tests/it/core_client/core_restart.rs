//! A core restarted on its database file: the `embedded-core` server is killed (SIGKILL, as a
//! crash would) and started again on the same file, on a new port that a fault proxy in front
//! hides from the SDK. Sessions made before keep working: their access tokens verify (also in
//! an app that must fetch the signing keys from the restarted core), their refresh tokens
//! refresh, and the new tokens verify. While the core is down, a refresh answers a clean error
//! in bounded time, whether the core's address accepts and drops connections or refuses them.

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use http::StatusCode;
use supertokens::session::SessionConfig;
use tests::client::{Client, Reply};
use tests::core_process::{CoreProcess, server_binary};
use tests::fault_proxy::FaultProxy;
use tests::header_app::{Core, Frontend, Tokens, app};

/// The SDK's CDI timeout in this test.
const CORE_TIMEOUT: Duration = Duration::from_secs(2);

/// A frontend of a new app instance (its own JWKS cache and connections) reaching the core
/// through `proxy`.
fn frontend(proxy: &FaultProxy) -> Frontend {
    let (_st, router) = app(
        Core::Remote(proxy.url(), CORE_TIMEOUT),
        SessionConfig::new(),
    );
    Frontend::new(Client::router(router))
}

/// Asserts that a request answered a clean error, soon: a server error naming no address.
async fn assert_clean_error(what: &str, reply: impl Future<Output = Reply>) {
    let started = Instant::now();
    // A guard against a hang, far above the timeout; not a measurement.
    let reply = tokio::time::timeout(Duration::from_secs(30), reply)
        .await
        .unwrap_or_else(|_| panic!("{what}: an answer, not a hang"));
    assert!(
        reply.status.is_server_error(),
        "{what}: {} {}",
        reply.status,
        reply.text
    );
    assert!(
        !reply.text.contains("127.0.0.1"),
        "{what}: the core's address leaked: {}",
        reply.text
    );
    println!(
        "{what}: {} {} after {:?}",
        reply.status,
        reply.text,
        started.elapsed()
    );
}

async fn assert_verifies(frontend: &Frontend, tokens: &Tokens, what: &str) {
    let reply = frontend.verify(&tokens.access).await;
    assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.text);
    assert!(reply.body["userId"].is_string(), "{what}: {}", reply.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_verify_and_refresh_after_the_core_restarts_on_its_file() {
    let binary = tokio::task::spawn_blocking(server_binary).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("core.db");
    let args = [OsStr::new("--db"), db.as_os_str()];
    let mut core = CoreProcess::start(&binary, args);
    let proxy = FaultProxy::start(core.addr()).await;

    // Before: three users signed in on one app, whose tokens verify there (its JWKS cached).
    let before = frontend(&proxy);
    let mut signed_in = Vec::new();
    for user in ["a", "b", "c"] {
        let tokens = before
            .sign_in(&format!("{user}@example.com"))
            .await
            .unwrap();
        assert_verifies(&before, &tokens, "before the kill").await;
        signed_in.push(tokens);
    }
    let [a, b, c] = <[Tokens; 3]>::try_from(signed_in).unwrap();

    // Down, behind a proxy that accepts and drops the connections.
    core.kill();
    assert_clean_error(
        "refresh, core down behind the proxy",
        before.refresh_reply(&c.refresh),
    )
    .await;
    // Down, its address refusing connections.
    proxy.kill().await;
    assert_clean_error(
        "refresh, core address refusing",
        before.refresh_reply(&c.refresh),
    )
    .await;

    // Started again on the same file, on another port, at the proxy's same address.
    let core = CoreProcess::start(&binary, args);
    proxy.set_target(core.addr());
    proxy.restart().await;

    // The app that knew the keys: old tokens verify, old refresh tokens refresh.
    assert_verifies(&before, &a, "old token, app from before").await;
    let a2 = before.refresh(&a.refresh).await.unwrap();
    assert_ne!(a2.access, a.access);
    assert_verifies(&before, &a2, "refreshed token, app from before").await;

    // A new app: it has no keys, so verifying the old token fetches them from the core.
    let after = frontend(&proxy);
    let connections = proxy.accepted();
    assert_verifies(&after, &b, "old token, new app").await;
    assert!(
        proxy.accepted() > connections,
        "the new app fetched the signing keys from the restarted core"
    );
    let b2 = after.refresh(&b.refresh).await.unwrap();
    assert_verifies(&after, &b2, "refreshed token, new app").await;
    assert_verifies(&before, &b2, "refreshed token, app from before").await;
    // The refresh tried while the core was down changed nothing: the token still refreshes.
    let c2 = after.refresh(&c.refresh).await.unwrap();
    assert_verifies(&after, &c2, "refreshed after the failed tries").await;
    // A refresh token is used once: the old one of `a` now means a stolen token.
    let reused = after.refresh_reply(&a.refresh).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "{}", reused.text);
    // And new sign-ins work.
    let d = after.sign_in("d@example.com").await.unwrap();
    assert_verifies(&before, &d, "new sign-in").await;
    drop(core);
}
