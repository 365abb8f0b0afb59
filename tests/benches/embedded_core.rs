//! Full sign-ins per second against the embedded core on a file database: create code,
//! consume it, create a session — 16 concurrent clients, a fixed number of sign-ins, first
//! in-process (the SDK's default transport), then over HTTP on loopback.
//!
//! ```text
//! cargo bench -p tests --bench embedded_core
//! EMBEDDED_CORE_BENCH_SIGN_INS=20000 cargo bench -p tests --bench embedded_core
//! ```
//!
//! Prints, per transport, sign-ins/s and the number of failed sign-ins (target: 0).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use supertokens::core::CoreClient;
use supertokens::embedded::{Database, EmbeddedCore, EmbeddedCoreConfig};
use tests::embedded_core::{CoreHarness, Transport};
use tests::sign_in::sign_in;

const CLIENTS: usize = 16;
const DEFAULT_SIGN_INS: usize = 10_000;
const SMOKE_SIGN_INS: usize = 200;

/// Runs `total` sign-ins with [`CLIENTS`] concurrent clients; returns (elapsed, errors).
async fn run(client: CoreClient, label: &str, total: usize) -> (Duration, usize) {
    // Warm up: version negotiation, signing keys, connections.
    for i in 0..CLIENTS {
        sign_in(&client, &format!("warmup-{label}-{i}@example.com"))
            .await
            .expect("warm-up sign-in");
    }
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let started = Instant::now();
    let workers: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (client, next, errors, first_error) = (
                client.clone(),
                next.clone(),
                errors.clone(),
                first_error.clone(),
            );
            let label = label.to_owned();
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    if let Err(e) = sign_in(&client, &format!("{label}-{i}@example.com")).await {
                        errors.fetch_add(1, Ordering::Relaxed);
                        first_error.lock().unwrap().get_or_insert(e);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await.expect("worker");
    }
    let elapsed = started.elapsed();
    if let Some(e) = first_error.lock().unwrap().take() {
        eprintln!("  first error ({label}): {e}");
    }
    (elapsed, errors.load(Ordering::Relaxed))
}

/// CPU time (user + system) this process has used so far, where the OS tells it (Linux).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every mainstream Linux configuration.
    Some(Duration::from_millis(ticks * 10))
}

async fn measure(client: CoreClient, label: &str, total: usize) -> usize {
    let cpu_before = cpu_time();
    let (elapsed, errors) = run(client, label, total).await;
    let cpu = cpu_time()
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    let cpu_note = cpu.map_or_else(String::new, |cpu| {
        format!(
            " (CPU {:.2} ms per sign-in, load average now {})",
            cpu.as_secs_f64() * 1000.0 / total as f64,
            std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|l| l.split_whitespace().next().map(str::to_owned))
                .unwrap_or_else(|| "?".into())
        )
    });
    println!(
        "{label:<11} {total} sign-ins in {:.2} s: {:.0} sign-ins/s, {errors} errors{cpu_note}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    errors
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it, and
    // then a short run checks that the benchmark works (and fails on any failed sign-in) without
    // spending the test suite's time on measuring.
    let measuring = std::env::args().any(|a| a == "--bench");
    let total = std::env::var("EMBEDDED_CORE_BENCH_SIGN_INS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if measuring {
            DEFAULT_SIGN_INS
        } else {
            SMOKE_SIGN_INS
        });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let errors = runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let open = |name: &str| {
            EmbeddedCore::open(EmbeddedCoreConfig {
                database: Database::File(dir.path().join(name)),
                ..Default::default()
            })
            .expect("embedded core")
        };
        println!(
            "full sign-ins (create code + consume + create session), file database, {CLIENTS} concurrent clients, {} CPUs",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );

        let mut errors = 0;
        for (transport, label) in [(Transport::InProcess, "in-process"), (Transport::Http, "HTTP")] {
            let core = CoreHarness::serve(transport, open(&format!("{label}.db")), None).await;
            errors += measure(core.client.clone(), label, total).await;
        }
        errors
    });
    if errors > 0 {
        eprintln!("{errors} sign-ins failed");
        std::process::exit(1);
    }
}
