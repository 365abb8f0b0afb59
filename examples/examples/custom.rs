//! Your own app: what the quickstart becomes once it is yours. E-mail sign-in by magic link or
//! code, delivered by your own service; an override that logs sign-ins; routes of your own
//! behind a router guard; sign-out everywhere that takes effect at once.
//!
//! ```text
//! cargo run -p examples --example custom
//! ```
//!
//! Same ports as the quickstart. The e-mails are not printed: each is appended as a JSON line to
//! the file named by `SUPERTOKENS_OUTBOX` (default `outbox.jsonl`). The app's own code is in
//! `examples/src/custom.rs`; its test in `tests/tests/it/custom_example.rs`.

use examples::{LoginPage, custom};
use supertokens::passwordless::{ContactMethod, FlowType};

#[supertokens::app(
    app_name = "Custom",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    passwordless(
        flow_type = "USER_INPUT_CODE_AND_MAGIC_LINK",
        contact_method = "EMAIL",
        // Paths for what only code can say, checked where they are written.
        email_delivery = custom::send_to_outbox,
        override_functions = custom::LogSignIns::wrap,
    ),
    // Every route asks the core whether the session still exists: revocation is immediate.
    session(check_database = true),
    connection_uri = env("SUPERTOKENS_CONNECTION_URI"),
    api_key = env("SUPERTOKENS_API_KEY"),
    configure = examples::from_env,
)]
#[tokio::main]
async fn main() {
    let api = custom::api()
        .merge(supertokens::router())
        .layer(supertokens::cors());
    let page = LoginPage::new("Custom", "http://localhost:3001")
        .contact_method(ContactMethod::Email)
        .flow_type(FlowType::UserInputCodeAndMagicLink);
    let outbox = std::env::var("SUPERTOKENS_OUTBOX").unwrap_or_else(|_| "outbox.jsonl".into());
    println!(
        "API on http://localhost:3001, sign in at http://localhost:3000; e-mails go to {outbox}"
    );
    examples::serve(api, page).await;
}
