//! A core that accepts connections and never answers: requests end with a clean error after the
//! configured timeout, and nothing hangs.

use std::time::Duration;

use serde_json::json;
use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig};
use supertokens::session::SessionConfig;
use supertokens::{Config, SuperTokens};
use tests::client::Client;
use tokio::net::TcpListener;

#[tokio::test]
async fn a_core_that_never_answers_gives_a_clean_error_after_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    // Accept every connection and hold it open without a byte of answer.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = Config::builder()
        .app_name("Slow core")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .connection_uri(url)
        .core_timeout(Duration::from_secs(1))
        .passwordless(
            PasswordlessConfig::new()
                .flow_type(FlowType::UserInputCode)
                .contact_method(ContactMethod::Email)
                .no_send_limits(),
        )
        .session(SessionConfig::new())
        .build()
        .expect("a valid configuration");
    let st = SuperTokens::new(config).expect("an instance");
    let client = Client::router(st.router());
    let request = client
        .post("/auth/signinup/code")
        .header("rid", "passwordless")
        .json(&json!({ "email": "slow@example.com" }))
        .send();
    // A guard against a hang, far above the 1 s timeout; not a measurement.
    let reply = tokio::time::timeout(Duration::from_secs(60), request)
        .await
        .expect("an answer, not a hang");
    assert!(
        reply.status.is_server_error(),
        "{} {}",
        reply.status,
        reply.text
    );
    let message = reply.body["message"].as_str().unwrap_or_default();
    assert!(
        !message.contains("127.0.0.1"),
        "the core's address leaked: {message}"
    );
    println!(
        "slow core: {} {} after the 1 s timeout",
        reply.status, reply.text
    );
    silent.abort();
}
