//! The embedded SuperTokens core as a server, so any SuperTokens backend (this SDK over HTTP,
//! supertokens-node, supertokens-python, …) can use it as its core:
//!
//! ```text
//! cargo run -p supertokens-embedded-core -- --addr 127.0.0.1:3567 --db <path or :memory:>
//! ```
//!
//! It prints one line once it listens; `GET /hello` answers when it is ready. SIGINT or SIGTERM
//! stop it cleanly (requests in flight finish first).
//!
//! Whoever reaches the core can sign in as any user, so an address other machines can reach
//! needs `--api-key` (or, when a firewall or a private network guards the port,
//! `--insecure-no-api-key`).

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::ServiceExt as _;
use supertokens_embedded_core::{
    Database, EmbeddedCore, EmbeddedCoreConfig, RequestLogTarget, Secret,
};

const USAGE: &str = "\
Usage: embedded-core [--addr <ip:port>] [--db <path | :memory:>] [--api-key <key> | --insecure-no-api-key]
                     [--log <path | ->] [--access-token-validity <seconds>]

Serves the SuperTokens Core API (CDI) for passwordless sign-in and sessions, over SQLite.

  --addr <ip:port>     address to listen on (default 127.0.0.1:3567; port 0 picks a free one);
                       an address other than loopback needs --api-key
  --db <path>          SQLite database file, created if missing, or :memory:
                       (default .supertokens/embedded-core.db)
  --api-key <key>      require this key in the `api-key` header of every request
                       (except /hello and /.well-known/jwks.json)
  --insecure-no-api-key
                       listen on an address other than loopback without an api key, when a
                       firewall or a private network lets only your backends reach it
                       (anyone who reaches the core can sign in as any user)
  --log <path | ->     log every request as a JSON line to a file, or to stdout with `-`
                       (codes, link codes, device ids, tokens and keys are redacted)
  --access-token-validity <seconds>
                       lifetime of access tokens (default 3600)
  -h, --help           print this help";

struct Args {
    addr: SocketAddr,
    database: Database,
    api_key: Option<String>,
    insecure_no_api_key: bool,
    log: Option<RequestLogTarget>,
    access_token_validity: Option<std::time::Duration>,
}

enum Parsed {
    Run(Args),
    Help,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Parsed, String> {
    let mut parsed = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 3567)),
        database: EmbeddedCoreConfig::default().database,
        api_key: None,
        insecure_no_api_key: false,
        log: None,
        access_token_validity: None,
    };
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Ok(Parsed::Help);
        }
        if name == "--insecure-no-api-key" {
            if inline.is_some() {
                return Err(format!("`{name}` takes no value"));
            }
            parsed.insecure_no_api_key = true;
            continue;
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("`{name}` needs a value"))
        };
        match name.as_str() {
            "--addr" => {
                let v = value()?;
                parsed.addr = v.parse().map_err(|_| {
                    format!(
                        "`--addr {v}` is not an address; write it as ip:port, e.g. 127.0.0.1:3567"
                    )
                })?;
            }
            "--db" => parsed.database = Database::parse(&value()?),
            "--api-key" => parsed.api_key = Some(value()?),
            "--log" => {
                let v = value()?;
                parsed.log = Some(if v == "-" {
                    RequestLogTarget::Stdout
                } else {
                    RequestLogTarget::File(v.into())
                });
            }
            "--access-token-validity" => {
                let v = value()?;
                let secs: u64 = v.parse().map_err(|_| {
                    format!("`--access-token-validity {v}` is not a number of seconds")
                })?;
                parsed.access_token_validity = Some(std::time::Duration::from_secs(secs));
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if !parsed.addr.ip().is_loopback() && parsed.api_key.is_none() && !parsed.insecure_no_api_key {
        return Err(format!(
            "`--addr {}` can be reached from other machines, and whoever reaches the core can \
             sign in as any user: add `--api-key <key>` (and give the key to your backends), \
             or `--insecure-no-api-key` if a firewall or a private network guards the port",
            parsed.addr
        ));
    }
    Ok(Parsed::Run(parsed))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("embedded-core: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("embedded-core: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("embedded-core: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), String> {
    let described = match &args.database {
        Database::Memory => ":memory:".to_owned(),
        Database::File(path) => std::path::absolute(path)
            .unwrap_or_else(|_| path.clone())
            .display()
            .to_string(),
    };
    if args.api_key.is_none() && !args.addr.ip().is_loopback() {
        eprintln!(
            "embedded-core: warning: listening on {} without an api key (--insecure-no-api-key): \
             anyone who reaches this port can sign in as any user",
            args.addr
        );
    }
    let mut config = EmbeddedCoreConfig {
        database: args.database,
        api_key: args.api_key.map(Secret::from),
        ..Default::default()
    };
    if let Some(validity) = args.access_token_validity {
        config.access_token_validity = validity;
    }
    let mut core = EmbeddedCore::open(config).map_err(|e| e.to_string())?;
    if let Some(target) = args.log {
        core = core.with_request_log(target).map_err(|e| e.to_string())?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    println!("embedded SuperTokens core listening on http://{local} (database: {described})");
    axum::serve(listener, core.service().into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Parsed, String> {
        parse_args(args.iter().map(|a| (*a).to_owned()))
    }

    fn run(args: &[&str]) -> Args {
        match parse(args) {
            Ok(Parsed::Run(args)) => args,
            Ok(Parsed::Help) => panic!("{args:?}: help"),
            Err(e) => panic!("{args:?}: {e}"),
        }
    }

    #[test]
    fn another_machine_can_reach_the_core_only_with_an_api_key() {
        for addr in ["0.0.0.0:3567", "192.0.2.7:3567", "[::]:3567"] {
            let error = parse(&["--addr", addr])
                .err()
                .unwrap_or_else(|| panic!("{addr}"));
            assert!(error.contains(&format!("`--addr {addr}`")), "{error}");
            assert!(error.contains("--api-key <key>"), "{error}");
            assert!(error.contains("--insecure-no-api-key"), "{error}");
            let with_key = run(&["--addr", addr, "--api-key", "k-123456789"]);
            assert_eq!(with_key.api_key.as_deref(), Some("k-123456789"));
            let without = run(&["--insecure-no-api-key", "--addr", addr]);
            assert!(without.api_key.is_none() && without.insecure_no_api_key);
        }
        for addr in ["127.0.0.1:0", "127.3.4.5:3567", "[::1]:3567"] {
            assert!(run(&["--addr", addr]).api_key.is_none());
        }
        assert!(run(&[]).api_key.is_none());
        assert!(USAGE.contains("--insecure-no-api-key"));
    }
}
