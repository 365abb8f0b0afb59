//! The load generator and report writer of `scripts/bench/compare.sh`, which measures
//! supertokens-rs (`bench-app`) and supertokens-node (`e2e/bench-node.js`) side by side. One
//! generator for both sides, so they are measured alike: a single-threaded client of its own
//! (keep-alive HTTP/1.1 connections, loopback only), every run bounded in time.
//!
//! ```text
//! bench-load free-port
//! bench-load wait <url> [--timeout-ms N]           prints the Unix time (ns) of the first 200
//! bench-load token <base url>                      signs in once, prints the access token
//! bench-load get <url> [--header 'name: value']… [common]
//! bench-load signin <base url> [common]            create code + consume, fixed code 123456
//! bench-load report --results F --md F --svg F [--meta 'Name=value']…
//!
//! common: --secs S --warmup S --connections N --record FILE --figure F --side S --round R
//!         [--cpu NAME=PID]… [--fail-on-error]
//! ```
//!
//! `get` and `signin` print `<successes/s> <errors>` and, with `--record`, append
//! `figure side round value errors` to FILE. With `--cpu NAME=PID` they also read that process's
//! CPU time (user and system, all its threads) at the start and the end of the measured window,
//! and print and record `<figure>-cpu-<NAME>`: its microseconds of CPU per success. They exit with
//! an error when nothing succeeded, and with `--fail-on-error` when anything failed.

mod http;
mod report;

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http::{Answer, Connection, split_url};

/// The one-time code both apps issue (their code generator setting).
const CODE: &str = "123456";
/// Headers the frontend SDKs send to the passwordless APIs (tokens in headers).
const FDI_HEADERS: [&str; 3] = [
    "rid: passwordless",
    "fdi-version: 4.0",
    "st-auth-mode: header",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-load: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The options of a load phase.
struct Load {
    secs: f64,
    warmup: f64,
    connections: usize,
    headers: Vec<String>,
    record: Option<String>,
    figure: String,
    side: String,
    round: String,
    /// Processes whose CPU time per success is measured: (name, pid).
    cpu: Vec<(String, u32)>,
    fail_on_error: bool,
}

fn parse_load(mut it: impl Iterator<Item = String>) -> Result<Load, String> {
    let mut load = Load {
        secs: 5.0,
        warmup: 1.0,
        connections: 32,
        headers: Vec::new(),
        record: None,
        figure: "-".into(),
        side: "-".into(),
        round: "-".into(),
        cpu: Vec::new(),
        fail_on_error: false,
    };
    while let Some(flag) = it.next() {
        if flag == "--fail-on-error" {
            load.fail_on_error = true;
            continue;
        }
        let value = it.next().ok_or_else(|| format!("`{flag}` needs a value"))?;
        let number = || {
            value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 600.0)
                .ok_or_else(|| format!("`{flag} {value}`: a number of seconds up to 600"))
        };
        match flag.as_str() {
            "--secs" => load.secs = number()?.max(0.1),
            "--warmup" => load.warmup = number()?,
            "--connections" => {
                load.connections = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=1024).contains(n))
                    .ok_or_else(|| format!("`--connections {value}`: 1 to 1024"))?;
            }
            "--header" => load.headers.push(value),
            "--record" => load.record = Some(value),
            "--figure" => load.figure = value,
            "--side" => load.side = value,
            "--round" => load.round = value,
            "--cpu" => {
                let parsed = value.split_once('=').and_then(|(name, pid)| {
                    let ok = !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                    Some((name.to_owned(), pid.parse().ok()?)).filter(|_| ok)
                });
                let (name, pid) =
                    parsed.ok_or_else(|| format!("`--cpu {value}`: write it as NAME=PID"))?;
                // Read once now, so a wrong pid fails before the load rather than after it.
                cpu_ticks(pid)?;
                load.cpu.push((name, pid));
            }
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(load)
}

async fn run(args: Vec<String>) -> Result<(), String> {
    let mut it = args.into_iter();
    let command = it.next().unwrap_or_default();
    match command.as_str() {
        "free-port" => {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")
                .map_err(|e| format!("cannot bind a port: {e}"))?;
            let port = listener.local_addr().map_err(|e| e.to_string())?.port();
            println!("{port}");
            Ok(())
        }
        "wait" => {
            let url = it.next().ok_or("wait: which URL?")?;
            let mut timeout_ms = 20_000u64;
            while let Some(flag) = it.next() {
                match (flag.as_str(), it.next().and_then(|v| v.parse().ok())) {
                    ("--timeout-ms", Some(ms)) => timeout_ms = ms,
                    _ => return Err(format!("wait: bad option `{flag}`")),
                }
            }
            wait(&url, Duration::from_millis(timeout_ms)).await
        }
        "token" => {
            let base = it.next().ok_or("token: which base URL?")?;
            let (addr, prefix) = split_url(&base)?;
            let mut conn = Connection::new(addr);
            let token = sign_in(
                &mut conn,
                prefix.trim_end_matches('/'),
                "bench-token@example.com",
            )
            .await?;
            println!("{token}");
            Ok(())
        }
        "get" => {
            let url = it.next().ok_or("get: which URL?")?;
            let load = parse_load(it)?;
            let (addr, path) = split_url(&url)?;
            let headers = load.headers.clone();
            let measured = phase(&load, addr, move |mut conn, _worker| {
                let path = path.clone();
                let headers = headers.clone();
                async move {
                    let result = match conn.send("GET", &path, &headers, None).await {
                        Ok(a) if a.status == 200 => Ok(()),
                        Ok(a) => Err(format!("status {}", a.status)),
                        Err(e) => Err(e.to_string()),
                    };
                    (conn, result)
                }
            })
            .await;
            finish(&load, &measured)
        }
        "signin" => {
            let base = it.next().ok_or("signin: which base URL?")?;
            let load = parse_load(it)?;
            let (addr, prefix) = split_url(&base)?;
            let prefix = prefix.trim_end_matches('/').to_owned();
            let measured = phase(&load, addr, move |mut conn, worker| {
                let prefix = prefix.clone();
                async move {
                    // One user per connection: the first sign-in signs up, the others sign in.
                    let email = format!("bench-{worker}@example.com");
                    let result = sign_in(&mut conn, &prefix, &email).await.map(drop);
                    (conn, result)
                }
            })
            .await;
            finish(&load, &measured)
        }
        "report" => report::main(it),
        "" | "-h" | "--help" => {
            println!("see the top of tests/src/bin/bench-load/main.rs");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`")),
    }
}

/// Polls `url` until it answers 200, then prints the Unix time in nanoseconds.
async fn wait(url: &str, timeout: Duration) -> Result<(), String> {
    let (addr, path) = split_url(url)?;
    let deadline = Instant::now() + timeout;
    let mut last = String::from("no answer");
    while Instant::now() < deadline {
        let mut conn = Connection::new(addr);
        match conn.send("GET", &path, &[], None).await {
            Ok(a) if a.status == 200 => {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_err(|e| e.to_string())?;
                println!("{}", now.as_nanos());
                return Ok(());
            }
            Ok(a) => last = format!("status {}", a.status),
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Err(format!("{url} did not answer 200 in {timeout:?} ({last})"))
}

/// The JSON body of an answer that must be 200 with `"status":"OK"`.
fn ok_json(answer: &Answer, what: &str) -> Result<serde_json::Value, String> {
    if answer.status != 200 {
        return Err(format!("{what}: status {}", answer.status));
    }
    let json: serde_json::Value = serde_json::from_slice(&answer.body)
        .map_err(|_| format!("{what}: the answer is not JSON"))?;
    if json["status"] != "OK" {
        return Err(format!("{what}: status {}", json["status"]));
    }
    Ok(json)
}

/// A full FDI sign-in (create code, consume it with the fixed code); returns the access token.
async fn sign_in(conn: &mut Connection, prefix: &str, email: &str) -> Result<String, String> {
    let headers: Vec<String> = FDI_HEADERS.iter().map(|h| (*h).to_owned()).collect();
    let created = conn
        .send(
            "POST",
            &format!("{prefix}/auth/signinup/code"),
            &headers,
            Some(&serde_json::json!({ "email": email }).to_string()),
        )
        .await
        .map_err(|e| format!("create code: {e}"))?;
    let created = ok_json(&created, "create code")?;
    let (Some(pre_auth), Some(device)) = (
        created["preAuthSessionId"].as_str(),
        created["deviceId"].as_str(),
    ) else {
        return Err("create code: no preAuthSessionId or deviceId".into());
    };
    let body = serde_json::json!({
        "preAuthSessionId": pre_auth,
        "deviceId": device,
        "userInputCode": CODE,
    });
    let consumed = conn
        .send(
            "POST",
            &format!("{prefix}/auth/signinup/code/consume"),
            &headers,
            Some(&body.to_string()),
        )
        .await
        .map_err(|e| format!("consume code: {e}"))?;
    ok_json(&consumed, "consume code")?;
    consumed
        .header("st-access-token")
        .map(str::to_owned)
        .ok_or_else(|| "consume code: no st-access-token header".into())
}

/// What a phase measured: successes and errors after the warm-up, the measured seconds, and the
/// CPU time (µs) each `--cpu` process spent in the measured window.
struct Measured {
    ok: u64,
    errors: u64,
    secs: f64,
    cpu_micros: Vec<Result<f64, String>>,
}

/// Linux reports process CPU times in clock ticks of USER_HZ, which is 100 on every
/// architecture it runs on (the value `getconf CLK_TCK` prints).
const TICKS_PER_SEC: f64 = 100.0;

/// The CPU time, in ticks, that process `pid` has used so far: user plus system, summed over all
/// its threads, those that have ended included (`utime` and `stime` of `/proc/PID/stat`).
fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    // The name (field 2) may hold spaces; the fields after it start behind its `)`.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("{path}: unexpected contents"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let tick = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<u64>().ok());
    match (tick(14), tick(15)) {
        (Some(user), Some(system)) => Ok(user + system),
        _ => Err(format!("{path}: unexpected contents")),
    }
}

/// Runs `step` on `load.connections` connections for the warm-up then `load.secs`; returns the
/// successes and errors counted after the warm-up, the measured seconds and the CPU time of the
/// `--cpu` processes over them. `step` gets the connection and the worker's number and hands the
/// connection back with its outcome.
async fn phase<F, Fut>(load: &Load, addr: std::net::SocketAddr, step: F) -> Measured
where
    F: Fn(Connection, usize) -> Fut + Clone + 'static,
    Fut: std::future::Future<Output = (Connection, Result<(), String>)> + 'static,
{
    let start = Instant::now();
    let counted_from = start + Duration::from_secs_f64(load.warmup);
    let end = counted_from + Duration::from_secs_f64(load.secs);
    let local = tokio::task::LocalSet::new();
    let pids: Vec<u32> = load.cpu.iter().map(|(_, pid)| *pid).collect();
    let sampler = local.spawn_local(async move {
        let read = |pids: &[u32]| pids.iter().map(|p| cpu_ticks(*p)).collect::<Vec<_>>();
        tokio::time::sleep_until(counted_from.into()).await;
        let before = read(&pids);
        tokio::time::sleep_until(end.into()).await;
        let after = read(&pids);
        before
            .into_iter()
            .zip(after)
            .map(|(b, a)| Ok(a?.saturating_sub(b?) as f64 / TICKS_PER_SEC * 1e6))
            .collect::<Vec<Result<f64, String>>>()
    });
    let mut tasks = Vec::new();
    for worker in 0..load.connections {
        let step = step.clone();
        tasks.push(local.spawn_local(async move {
            let mut conn = Connection::new(addr);
            let (mut ok, mut errors, mut first_error) = (0u64, 0u64, None);
            while Instant::now() < end {
                // A step still running at the end is cut off and not counted.
                let Ok((back, result)) =
                    tokio::time::timeout_at(end.into(), step(conn, worker)).await
                else {
                    break;
                };
                conn = back;
                if Instant::now() < counted_from {
                    continue;
                }
                match result {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (ok, errors, first_error)
        }));
    }
    let (results, cpu_micros) = local
        .run_until(async {
            let mut all = Vec::new();
            for t in tasks {
                all.push(t.await.unwrap_or((0, 1, Some("a worker panicked".into()))));
            }
            let cpu = sampler
                .await
                .unwrap_or_else(|_| vec![Err("the CPU sampler panicked".into()); load.cpu.len()]);
            (all, cpu)
        })
        .await;
    let secs = start.elapsed().as_secs_f64() - load.warmup;
    let (mut ok, mut errors) = (0, 0);
    for (o, e, first) in results {
        ok += o;
        errors += e;
        if let Some(first) = first {
            eprintln!(
                "bench-load: {} {}: first error: {first}",
                load.side, load.figure
            );
        }
    }
    Measured {
        ok,
        errors,
        secs: secs.max(1e-3),
        cpu_micros,
    }
}

/// Prints and records the outcome of a phase; fails when nothing succeeded, or on any error
/// with `--fail-on-error`.
fn finish(load: &Load, m: &Measured) -> Result<(), String> {
    let rate = m.ok as f64 / m.secs;
    let mut lines = vec![(load.figure.clone(), format!("{rate:.1}"), m.errors)];
    println!("{rate:.1} {}", m.errors);
    for ((name, _), cpu) in load.cpu.iter().zip(&m.cpu_micros) {
        let cpu = cpu
            .as_ref()
            .map_err(|e| format!("{} {}: CPU time of {name}: {e}", load.side, load.figure))?;
        if m.ok > 0 {
            let per = cpu / m.ok as f64;
            println!("cpu {name} {per:.1} µs per success");
            lines.push((
                format!("{}-cpu-{name}", load.figure),
                format!("{per:.1}"),
                0,
            ));
        }
    }
    if let Some(path) = &load.record {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{path}: {e}"))?;
        for (figure, value, errors) in lines {
            writeln!(
                file,
                "{figure}\t{}\t{}\t{value}\t{errors}",
                load.side, load.round
            )
            .map_err(|e| format!("{path}: {e}"))?;
        }
    }
    if m.ok == 0 {
        return Err(format!("{} {}: nothing succeeded", load.side, load.figure));
    }
    if m.errors > 0 && load.fail_on_error {
        return Err(format!(
            "{} {}: {} errors",
            load.side, load.figure, m.errors
        ));
    }
    Ok(())
}
