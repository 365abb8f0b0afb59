//! The app the FDI fuzzing suite (`scripts/e2e/fdi-fuzz.sh`) sends its generated requests to:
//! every passwordless method (codes and magic links, by e-mail or SMS) and sessions, on an
//! in-memory embedded core, codes kept in memory instead of being sent and always `123456` (never
//! do that in an app), send limits off so the requests reach the handlers behind them.
//!
//! ```text
//! cargo run -p tests --bin fdi-fuzz-server [-- 127.0.0.1:PORT]
//! ```
//!
//! Listens on the given address (default `127.0.0.1:0`, a free port) and prints
//! `listening on http://ADDR` as its first line once it accepts connections.

use std::io::Write as _;
use std::net::SocketAddr;

/// The one-time code of every sign-in (the description's links type it).
const FUZZ_CODE: &str = "123456";

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    // Every code is FUZZ_CODE, so the generated requests that chain "create a code" and
    // "consume it" sign in and go on to refresh and sign out with real tokens.
    let app = tests::passwordless::app_with(
        "USER_INPUT_CODE_AND_MAGIC_LINK",
        "EMAIL_OR_PHONE",
        |config| {
            config
                .no_send_limits()
                .user_input_code_generator(|_tenant| FUZZ_CODE.to_owned())
        },
    );
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().expect("a bound address");
    println!("listening on http://{local}");
    let _ = std::io::stdout().flush();
    // The peer address is what the send limits (off here) would count clients by.
    let service = app
        .router
        .into_make_service_with_connect_info::<SocketAddr>();
    if let Err(e) = axum::serve(listener, service).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
