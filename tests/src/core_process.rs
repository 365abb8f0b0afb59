//! The `embedded-core` server binary run as a child process on loopback, so a test can kill it
//! (SIGKILL, as a crash would) and start it again on the same database file.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use supertokens::config::CoreHost;
use supertokens::core::CoreClient;

/// Builds the server binary (a no-op when it is up to date) and returns its path. Cargo says
/// where it put it, so this works with any target directory. Blocks: call it from
/// `spawn_blocking` in async tests.
///
/// # Panics
/// If the build fails.
pub fn server_binary() -> PathBuf {
    let output = Command::new(env!("CARGO"))
        .args([
            "build",
            "-p",
            "supertokens-embedded-core",
            "--bin",
            "embedded-core",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "building embedded-core failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|msg| {
            msg["reason"] == "compiler-artifact" && msg["target"]["name"] == "embedded-core"
        })
        .find_map(|msg| msg["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the embedded-core executable")
}

/// Starts `command`, a server that prints its URL (`http://…`) on its first line of stdout,
/// and returns it with that URL. Its stderr goes to ours.
///
/// # Panics
/// If it does not start or prints no URL.
pub fn spawn_server(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("its stdout"))
        .read_line(&mut line)
        .expect("its first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (child, url)
}

/// A running `embedded-core` server and the URL it printed. Killed when dropped.
pub struct CoreProcess {
    /// The child process.
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl CoreProcess {
    /// Starts the binary on a free port with `args` (beside `--addr`) and waits for its URL.
    ///
    /// # Panics
    /// If it does not start or prints no URL.
    pub fn start<I: AsRef<OsStr>>(binary: &Path, args: impl IntoIterator<Item = I>) -> Self {
        let mut command = Command::new(binary);
        command.args(["--addr", "127.0.0.1:0"]).args(args);
        let (child, url) = spawn_server(command);
        Self { child, url }
    }

    /// The address it listens on.
    ///
    /// # Panics
    /// If the URL it printed has no `host:port`.
    pub fn addr(&self) -> SocketAddr {
        self.url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("the server's address")
    }

    /// The SDK's CDI client of it (5 s timeout, no api key).
    ///
    /// # Panics
    /// If the client cannot be built.
    pub fn client(&self) -> CoreClient {
        let host = CoreHost {
            domain: self.url.clone(),
            base_path: String::new(),
        };
        CoreClient::http(vec![host], None, Duration::from_secs(5)).expect("a usable client")
    }

    /// Kills it with SIGKILL, as a crash would, and waits until it is gone.
    ///
    /// # Panics
    /// If it cannot be killed.
    pub fn kill(&mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the server exits");
    }
}

impl Drop for CoreProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
