//! Load run on loopback: the same handler unprotected and behind the `SessionContainer`
//! extractor, in one process and one run, to measure what session verification costs a real
//! server. Also the protected handler with the verified-token cache turned off, for comparison.
//!
//! The server and the load generator share this process (a 2-worker tokio runtime); phases
//! alternate route by route so background noise hits every route alike. It stops by itself.
//!
//! `cargo bench -p tests --bench session_load -- [--secs N] [--rounds N] [--connections N]`
//! (or `scripts/load/session_load.sh`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use supertokens::session::{SessionConfig, SessionContainer};
use tests::server::Server;

async fn open() -> &'static str {
    "ok"
}

async fn protected(_session: SessionContainer) -> &'static str {
    "ok"
}

struct Args {
    secs: u64,
    rounds: u32,
    connections: usize,
}

fn args() -> Args {
    let mut a = Args {
        secs: 1,
        rounds: 10,
        connections: 32,
    };
    // `cargo test --all-targets` runs this binary without `--bench`: one short round then checks
    // that the run works, without spending the test suite's time on measuring.
    if !std::env::args().any(|arg| arg == "--bench") {
        a.rounds = 1;
    }
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<u64>().ok());
        match flag.as_str() {
            "--secs" => a.secs = value().unwrap_or(a.secs).max(1),
            "--rounds" => {
                a.rounds = value()
                    .map_or(a.rounds, |v| u32::try_from(v).unwrap_or(3))
                    .max(1)
            }
            "--connections" => {
                a.connections = value()
                    .map_or(a.connections, |v| usize::try_from(v).unwrap_or(32))
                    .max(1)
            }
            // `cargo bench` passes `--bench`; ignore what is not ours.
            _ => {}
        }
    }
    a
}

/// Runs `connections` clients against `url` for `secs`; returns (successes, failures).
async fn phase(
    client: &reqwest::Client,
    url: &str,
    auth: &str,
    secs: u64,
    connections: usize,
) -> (u64, u64) {
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, url, auth) = (client.clone(), url.to_owned(), auth.to_owned());
        let (ok, failed, stop) = (ok.clone(), failed.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                match client.get(&url).header("authorization", &auth).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    (ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed))
}

fn main() {
    let args = args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(args));
}

async fn run(args: Args) {
    let cached = supertokens::testing::instance().unwrap();
    let uncached = supertokens::SuperTokens::new(
        supertokens::testing::config()
            .session(SessionConfig::new().verified_token_cache_size(0))
            .build()
            .unwrap(),
    )
    .unwrap();
    let token = supertokens::testing::session(&cached, "load-user")
        .await
        .unwrap()
        .access_token;
    let token_uncached = supertokens::testing::session(&uncached, "load-user")
        .await
        .unwrap()
        .access_token;

    let app = Router::new()
        .route("/open", get(open))
        .route("/protected", get(protected))
        .layer(cached.layer())
        .merge(
            Router::new()
                .route("/protected-uncached", get(protected))
                .layer(uncached.layer()),
        );
    let server = Server::serve(app).await;

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()
        .unwrap();
    let base = server.url();
    let routes = [
        ("open", format!("{base}/open"), format!("Bearer {token}")),
        (
            "protected",
            format!("{base}/protected"),
            format!("Bearer {token}"),
        ),
        (
            "protected, no cache",
            format!("{base}/protected-uncached"),
            format!("Bearer {token_uncached}"),
        ),
    ];
    // Warm-up: connections, JWKS caches, verified-token cache.
    for (_, url, auth) in &routes {
        phase(&client, url, auth, 1, args.connections).await;
    }
    let mut totals = [(0u64, 0u64); 3];
    let started = Instant::now();
    for round in 0..args.rounds {
        for i in 0..routes.len() {
            // Rotate the order every round.
            let i = (i + round as usize) % routes.len();
            let (_, url, auth) = &routes[i];
            let (ok, failed) = phase(&client, url, auth, args.secs, args.connections).await;
            totals[i].0 += ok;
            totals[i].1 += failed;
        }
    }
    let per_route_secs = (args.secs * u64::from(args.rounds)) as f64;
    println!(
        "session load run: 127.0.0.1, {} connections, {} rounds x {} s per route, {:.0} s in all",
        args.connections,
        args.rounds,
        args.secs,
        started.elapsed().as_secs_f64()
    );
    let open_rps = totals[0].0 as f64 / per_route_secs;
    let mut failures = 0;
    for (i, (name, _, _)) in routes.iter().enumerate() {
        let rps = totals[i].0 as f64 / per_route_secs;
        failures += totals[i].1;
        println!(
            "  {name:<20} {rps:>10.0} req/s  ({:.2} x open)  failures: {}",
            rps / open_rps,
            totals[i].1
        );
    }
    drop(server);
    if failures > 0 {
        eprintln!("error: {failures} requests failed");
        std::process::exit(1);
    }
}
