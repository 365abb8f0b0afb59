//! The test harness of supertokens-rs: what the integration tests (`tests/it/`) and the
//! end-to-end benchmarks (`benches/`) share, so each scenario says only what it checks.
//!
//! | module | what |
//! |---|---|
//! | [`client`] | an HTTP client driving an axum app (in-process) or a server (over loopback) like a frontend: JSON bodies, headers, cookies; a [`Reply`](client::Reply) with status, headers and body |
//! | [`server`] | a loopback server on a free port, stopped when dropped |
//! | [`fault_proxy`] | a TCP proxy on loopback that can be killed (its port refuses connections) and restarted, counting the connections it accepted |
//! | [`core_process`] | the `embedded-core` server binary as a child process, killed and started again on one database file |
//! | [`embedded_core`] | the embedded core behind the SDK's CDI client, in-process or over HTTP, and [`both_transports!`] to run a scenario on each |
//! | [`header_app`] | an app (FDI routes, a protected route, codes read back over HTTP) and a frontend driving it in header mode |
//! | [`sign_in`] | passwordless sign-ins through the CDI client: create code, consume, create session |
//! | [`passwordless`] | an app whose codes land in an outbox instead of being sent |
//! | [`jwt`], [`codes`] | inspecting tokens; wrong codes and forged tokens that are certain to be wrong |
//! | [`redis`] | a real `redis-server` on loopback, stopped when dropped |
//! | [`process`] | running a test alone in a child process, for tests that change process-wide state |
//!
//! The tests themselves live in one binary, `tests/it/main.rs`, with a module per area:
//!
//! ```text
//! cargo test -p tests                          # everything, UI tests included
//! cargo test -p tests --test it session_       # the session areas
//! cargo bench -p tests --bench embedded_core   # a benchmark
//! ```
//!
//! Tests run in parallel threads of that one process: anything process-wide (the global
//! instance of `supertokens::init`, environment variables) is done in a child process (see
//! [`process`]), and servers bind port 0.

pub mod client;
pub mod codes;
pub mod core_process;
pub mod embedded_core;
pub mod fault_proxy;
pub mod header_app;
pub mod jwt;
pub mod passwordless;
pub mod process;
pub mod redis;
pub mod server;
pub mod sign_in;
