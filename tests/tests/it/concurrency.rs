//! Many sign-ins at once through the SDK's frontend API on the embedded core with a database
//! file: every one succeeds (no "database is locked", no 500).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;
use supertokens::SuperTokens;
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use supertokens::passwordless::{
    ContactMethod, DeliveryError, FlowType, LoginMessage, PasswordlessConfig,
};
use tests::client::Client;

const SIGN_INS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_sign_ins_all_succeed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    // The code sent to each address, as the delivery service received it.
    let codes: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let sent = codes.clone();
    let deliver = move |message: LoginMessage| {
        let sent = sent.clone();
        async move {
            let code = message.user_input_code.clone().unwrap_or_default();
            sent.lock().expect("not poisoned").insert(message.to, code);
            Ok::<(), DeliveryError>(())
        }
    };
    let config = supertokens::testing::config()
        .embedded_core(EmbeddedCoreConfig {
            database: Database::File(dir.path().join("core.db")),
            ..EmbeddedCoreConfig::default()
        })
        .passwordless(
            PasswordlessConfig::new()
                .flow_type(FlowType::UserInputCode)
                .contact_method(ContactMethod::Email)
                .email_delivery(deliver)
                .no_send_limits(),
        )
        .build()
        .expect("a valid configuration");
    let st = SuperTokens::new(config).expect("an instance");
    let client = Client::router(st.router());

    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..SIGN_INS {
        let (client, codes) = (client.clone(), codes.clone());
        tasks.spawn(async move {
            let email = format!("parallel-{i}@example.com");
            let post = |path: &'static str, body| {
                client
                    .post(path)
                    .header("rid", "passwordless")
                    .header("st-auth-mode", "header")
                    .json(&body)
                    .send()
            };
            let created = post("/auth/signinup/code", json!({ "email": email })).await;
            if created.body["status"] != "OK" {
                return Err(format!("create code {}: {}", created.status, created.text));
            }
            // Delivery runs after the answer: wait for this address's code.
            let mut waits = 0;
            let code = loop {
                if let Some(code) = codes.lock().expect("not poisoned").get(&email) {
                    break code.clone();
                }
                waits += 1;
                if waits > 2_000 {
                    return Err(format!("no code sent to {email} within 10 s"));
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            };
            let body = json!({
                "preAuthSessionId": created.body["preAuthSessionId"],
                "deviceId": created.body["deviceId"],
                "userInputCode": code,
            });
            let consumed = post("/auth/signinup/code/consume", body).await;
            match (
                consumed.body["status"].as_str(),
                consumed.header("st-access-token"),
            ) {
                (Some("OK"), Some(token)) if !token.is_empty() => Ok(()),
                _ => Err(format!("consume {}: {}", consumed.status, consumed.text)),
            }
        });
    }
    let mut failures = Vec::new();
    while let Some(outcome) = tasks.join_next().await {
        if let Err(failure) = outcome.expect("the task ran to its end") {
            failures.push(failure);
        }
    }
    println!(
        "{SIGN_INS} parallel sign-ins on a database file: {} failed, {:.1} s",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}
