//! Soak run: mixed traffic (sign-ins, verifies, refreshes, sign-outs) from concurrent
//! frontends against an app server for a while, counting every error and watching the
//! server's memory. The app ([`tests::header_app`]: the SDK's routes and a protected route, its
//! core embedded on a SQLite file, send limits off) runs in a child process of its own, so
//! the resident set size (VmRSS in `/proc/<pid>/status`) read after the first 10 s and at the
//! end (both under load) is the app's alone, not the load generator's.
//!
//! ```text
//! cargo run -p tests --bin soak              # SOAK_SECONDS (60), SOAK_CONCURRENCY (32)
//! ```
//!
//! Exits non-zero on any error, or when the RSS at the end is more than 10 % above the RSS at
//! 10 s. Binds 127.0.0.1 on a free port only; the server is killed when the run ends, and
//! exits by itself when its standard input closes (the generator died).

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use supertokens::embedded::{Database, EmbeddedCoreConfig};
use supertokens::session::SessionConfig;
use tests::client::Client;
use tests::core_process::spawn_server;
use tests::header_app::{Core, Frontend, Tokens, app};

/// When the first RSS figure is taken.
const WARM_UP: Duration = Duration::from_secs(10);
/// How much the RSS may grow from then to the end.
const MAX_GROWTH: f64 = 0.10;
/// The e-mail addresses each frontend signs in with, in turn: the users stay a bounded set.
const USERS_PER_FRONTEND: u64 = 8;
/// Protected calls per access token.
const VERIFIES_PER_TOKEN: u64 = 3;
/// The app's cache of verified access tokens, in tokens. Bounded memory that fills as new
/// tokens come: at the default size (10,000 tokens, a few KiB each) it would still be filling
/// at the end of a minute and read as growth; this size is full within the warm-up, so what
/// grows after it is a leak.
const VERIFIED_TOKEN_CACHE: usize = 256;

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("serve") => {
            let db = args.next().expect("serve <database file>");
            runtime.block_on(serve(PathBuf::from(db)));
            ExitCode::SUCCESS
        }
        _ => runtime.block_on(soak()),
    }
}

/// The app server: prints its URL on the first line of stdout, serves until stdin closes.
async fn serve(db: PathBuf) {
    let core = EmbeddedCoreConfig {
        database: Database::File(db),
        ..EmbeddedCoreConfig::default()
    };
    let session = SessionConfig::new().verified_token_cache_size(VERIFIED_TOKEN_CACHE);
    let (_st, router) = app(Core::Embedded(core), session);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port on 127.0.0.1");
    println!(
        "soak app on http://{}",
        listener.local_addr().expect("an address")
    );
    // When the generator is gone, so is its end of our stdin.
    std::thread::spawn(|| {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        std::process::exit(0);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .expect("the server runs");
}

/// The server process, killed when dropped.
struct AppProcess {
    child: Child,
    url: String,
}

impl AppProcess {
    fn start(db: &std::path::Path) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("this binary"));
        command.arg("serve").arg(db).stdin(Stdio::piped());
        let (child, url) = spawn_server(command);
        Self { child, url }
    }

    /// VmRSS of the server process, in KiB.
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/<pid>/status of the app server");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmRSS line")
    }
}

impl Drop for AppProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Requests and errors per kind, and the first few error messages.
#[derive(Default)]
struct Counts {
    sign_ins: AtomicU64,
    verifies: AtomicU64,
    refreshes: AtomicU64,
    sign_outs: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
    first_errors: Mutex<Vec<String>>,
}

impl Counts {
    /// Counts one request of `kind`; `Err` counts an error too.
    fn count(&self, kind: &'static str, result: Result<(), String>) {
        let counter = match kind {
            "sign-in" => &self.sign_ins,
            "verify" => &self.verifies,
            "refresh" => &self.refreshes,
            _ => &self.sign_outs,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Err(message) = result {
            *lock(&self.errors).entry(kind).or_default() += 1;
            let mut first = lock(&self.first_errors);
            if first.len() < 10 {
                first.push(format!("{kind}: {message}"));
            }
        }
    }

    /// Counts one request of `kind` that answers tokens, and passes them on.
    fn tokens(&self, kind: &'static str, result: Result<Tokens, String>) -> Option<Tokens> {
        match result {
            Ok(tokens) => {
                self.count(kind, Ok(()));
                Some(tokens)
            }
            Err(e) => {
                self.count(kind, Err(e));
                None
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(value) => value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value:?} is not a whole number")),
        Err(_) => default,
    }
}

/// One frontend's loop: sign in, call the protected route, refresh, call it again, sign out.
async fn frontend_loop(frontend: Frontend, id: u64, counts: Arc<Counts>, stop: Arc<AtomicBool>) {
    let verify = |tokens: Tokens| {
        let (frontend, counts) = (&frontend, &counts);
        async move {
            for _ in 0..VERIFIES_PER_TOKEN {
                let reply = frontend.verify(&tokens.access).await;
                let result = match reply.status.as_u16() {
                    200 => Ok(()),
                    status => Err(format!("{status} {}", reply.text)),
                };
                counts.count("verify", result);
            }
            tokens
        }
    };
    for round in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let email = format!("soak-{id}-{}@example.com", round % USERS_PER_FRONTEND);
        let Some(tokens) = counts.tokens("sign-in", frontend.sign_in(&email).await) else {
            continue;
        };
        let tokens = verify(tokens).await;
        let refreshed = frontend.refresh(&tokens.refresh).await;
        let Some(tokens) = counts.tokens("refresh", refreshed) else {
            continue;
        };
        let tokens = verify(tokens).await;
        counts.count("sign-out", frontend.sign_out(&tokens.access).await);
    }
}

async fn soak() -> ExitCode {
    let seconds = env_number("SOAK_SECONDS", 60);
    let concurrency = env_number("SOAK_CONCURRENCY", 32);
    assert!(
        seconds > WARM_UP.as_secs(),
        "SOAK_SECONDS must be more than the {} s warm-up",
        WARM_UP.as_secs()
    );
    let dir = std::env::temp_dir().join(format!("supertokens-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let server = AppProcess::start(&dir.join("core.db"));
    println!(
        "soak: {concurrency} concurrent frontends for {seconds} s against {} (pid {}, embedded core on a SQLite file, send limits off, verified-token cache {VERIFIED_TOKEN_CACHE})",
        server.url,
        server.child.id()
    );

    let client = Client::http(server.url.clone());
    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let frontends: Vec<_> = (0..concurrency)
        .map(|id| {
            let frontend = Frontend::new(client.clone());
            tokio::spawn(frontend_loop(frontend, id, counts.clone(), stop.clone()))
        })
        .collect();
    tokio::time::sleep(WARM_UP).await;
    let rss_warm = server.rss_kib();
    println!("soak: RSS after {} s: {rss_warm} KiB", WARM_UP.as_secs());
    tokio::time::sleep(Duration::from_secs(seconds) - WARM_UP).await;
    // Read under the same load as the first figure, before the frontends stop.
    let rss_end = server.rss_kib();
    stop.store(true, Ordering::Relaxed);
    for frontend in frontends {
        frontend.await.expect("a frontend loop");
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let kinds = [
        ("sign-in", counts.sign_ins.load(Ordering::Relaxed)),
        ("verify", counts.verifies.load(Ordering::Relaxed)),
        ("refresh", counts.refreshes.load(Ordering::Relaxed)),
        ("sign-out", counts.sign_outs.load(Ordering::Relaxed)),
    ];
    let errors = lock(&counts.errors).clone();
    let total: u64 = kinds.iter().map(|(_, n)| n).sum();
    let total_errors: u64 = errors.values().sum();
    println!(
        "soak: {total} requests in {elapsed:.1} s ({:.0} req/s), {total_errors} errors",
        total as f64 / elapsed
    );
    for (kind, n) in kinds {
        println!(
            "  {kind:<9} {n:>8}  ({:.0}/s)  errors: {}",
            n as f64 / elapsed,
            errors.get(kind).copied().unwrap_or(0)
        );
    }
    for message in lock(&counts.first_errors).iter() {
        println!("  error: {message}");
    }
    let ratio = rss_end as f64 / rss_warm as f64;
    println!(
        "soak: RSS {rss_warm} KiB after {} s, {rss_end} KiB at the end: ratio {ratio:.3} (at most {:.2})",
        WARM_UP.as_secs(),
        1.0 + MAX_GROWTH
    );
    let mut failed = false;
    if total_errors > 0 {
        eprintln!("soak: FAILED: {total_errors} errors");
        failed = true;
    }
    if ratio > 1.0 + MAX_GROWTH {
        eprintln!(
            "soak: FAILED: the app's RSS grew by more than {:.0} %",
            MAX_GROWTH * 100.0
        );
        failed = true;
    }
    if total == 0 {
        eprintln!("soak: FAILED: no request was made");
        failed = true;
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
