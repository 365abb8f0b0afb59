//! Tests that need a process of their own.
//!
//! Every integration test shares one binary, so what a test does to the process (installing
//! the global instance with `supertokens::init`, reading environment variables it sets) would
//! reach the tests that run beside it. Such a test re-runs itself in a child process of the
//! test binary, alone, with the environment it needs:
//!
//! ```text
//! #[test]
//! fn installs_the_global_instance() {
//!     if tests::process::run_alone(module_path!(), "installs_the_global_instance", &[]) {
//!         return; // the child ran it and passed
//!     }
//!     // Here: the child, alone in its process.
//!     supertokens::init(config).unwrap();
//! }
//! ```

use std::process::{Command, Output};

/// Set in the child process (to `1`).
pub const CHILD: &str = "SUPERTOKENS_TESTS_CHILD";

/// Whether this process is a child started by [`run_child`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Runs the test `module::name` of this test binary alone in a child process with `vars` set
/// (and [`CHILD`]), and returns what it printed and how it ended. `module` is the test's
/// `module_path!()`.
///
/// # Panics
/// If the child cannot be started.
pub fn run_child(module: &str, name: &str, vars: &[(&str, &str)]) -> Output {
    // `module_path!()` starts with the test crate's name, which test names leave out.
    let test = match module.split_once("::") {
        Some((_crate, path)) => format!("{path}::{name}"),
        None => name.to_owned(),
    };
    Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", &test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .envs(vars.iter().copied())
        .output()
        .expect("the child starts")
}

/// In the parent: runs the test in a child (see [`run_child`]), asserts it passed and returns
/// `true`, so the caller returns. In the child: returns `false`, so the caller runs the test.
///
/// # Panics
/// In the parent, if the child failed (with its output in the message).
pub fn run_alone(module: &str, name: &str, vars: &[(&str, &str)]) -> bool {
    if is_child() {
        return false;
    }
    let output = run_child(module, name, vars);
    assert!(
        output.status.success(),
        "{module}::{name} failed in its own process:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("1 passed"),
        "{module}::{name} did not run in the child:\n{stdout}"
    );
    true
}
