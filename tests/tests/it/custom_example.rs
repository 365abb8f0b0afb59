//! The `custom` example's app (`examples::custom`) on a `supertokens::testing` instance, as its
//! README section shows: sign-in by magic link and by code read from the outbox file, the
//! guarded `/me`, the optional `/maybe`, refresh, and `/logout-everywhere` with the app-wide
//! database check.

use examples::custom::{self, LogSignIns, Outbox};
use serde_json::{Value, json};
use supertokens::SuperTokens;
use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig};
use supertokens::session::SessionConfig;
use tests::client::{Client, Reply};

/// The example's configuration (as its attribute sets it) on an in-memory core, and its
/// routes with the SDK's under the instance's layer.
fn app(outbox: &Outbox) -> Client {
    let config = supertokens::testing::config()
        .passwordless(
            PasswordlessConfig::new()
                .flow_type(FlowType::UserInputCodeAndMagicLink)
                .contact_method(ContactMethod::Email)
                .email_delivery(outbox.clone())
                .override_functions(LogSignIns::wrap),
        )
        .session(SessionConfig::new().check_database(true))
        .build()
        .expect("a valid configuration");
    let st = SuperTokens::new(config).expect("an instance");
    Client::router(custom::api().merge(st.router()).layer(st.layer()))
}

/// The outbox lines to `email`, in order.
fn messages_to(outbox: &Outbox, email: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(outbox.path()).unwrap_or_default();
    // Only whole lines: a line being written has no newline yet.
    let whole = text.rsplit_once('\n').map_or("", |(lines, _)| lines);
    whole
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("a JSON line"))
        .filter(|m| m["to"] == email)
        .collect()
}

/// The first `count` outbox lines to `email`, once written: delivery runs after the response.
async fn wait_for(outbox: &Outbox, email: &str, count: usize) -> Vec<Value> {
    for _ in 0..500 {
        let sent = messages_to(outbox, email);
        if sent.len() >= count {
            return sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("fewer than {count} messages to {email} in the outbox after 5 s");
}

async fn create_code(client: &Client, email: &str) -> Reply {
    let reply = client
        .post("/auth/signinup/code")
        .header("rid", "passwordless")
        .header("st-auth-mode", "header")
        .json(&json!({ "email": email }))
        .send()
        .await;
    assert_eq!(reply.body["status"], "OK", "{}", reply.text);
    reply
}

/// Consumes, and returns the access and refresh tokens of the new session.
async fn consume(client: &Client, body: Value) -> (String, String) {
    let reply = client
        .post("/auth/signinup/code/consume")
        .header("rid", "passwordless")
        .header("st-auth-mode", "header")
        .json(&body)
        .send()
        .await;
    assert_eq!(reply.body["status"], "OK", "{}", reply.text);
    let token = |name| reply.header(name).expect("a token header");
    (token("st-access-token"), token("st-refresh-token"))
}

#[tokio::test]
async fn the_custom_app_signs_in_from_the_outbox_and_logs_out_everywhere() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let outbox = Outbox::new(dir.path().join("outbox.jsonl"));
    let client = app(&outbox);
    let email = "custom@example.com";

    // By magic link: the link's fragment is the link code.
    let created = create_code(&client, email).await;
    let sent = wait_for(&outbox, email, 1).await;
    let link = sent[0]["urlWithLinkCode"].as_str().expect("a link");
    let (_, link_code) = link.split_once('#').expect("a link code after #");
    let pre_auth = created.body["preAuthSessionId"].clone();
    assert_eq!(sent[0]["preAuthSessionId"], pre_auth);
    let by_link = json!({ "preAuthSessionId": pre_auth, "linkCode": link_code });
    let (first_access, _) = consume(&client, by_link).await;

    // By the code of a second message.
    let created = create_code(&client, email).await;
    let sent = wait_for(&outbox, email, 2).await;
    let code = sent[1]["userInputCode"].as_str().expect("a code");
    let by_code = json!({
        "preAuthSessionId": created.body["preAuthSessionId"],
        "deviceId": created.body["deviceId"],
        "userInputCode": code,
    });
    let (access, refresh) = consume(&client, by_code).await;

    let me = client.get("/me").bearer(&access).send().await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["emails"], json!([email]));
    let user_id = me.body["userId"].clone();
    assert_eq!(client.get("/me").send().await.status, 401, "the guard");
    let maybe = client.get("/maybe").send().await;
    assert_eq!(maybe.body, json!({ "signedIn": false }));
    let maybe = client.get("/maybe").bearer(&access).send().await;
    assert_eq!(maybe.body, json!({ "signedIn": true, "userId": user_id }));

    let refreshed = client
        .post("/auth/session/refresh")
        .header("rid", "session")
        .header("st-auth-mode", "header")
        .bearer(&refresh)
        .send()
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    let access = refreshed
        .header("st-access-token")
        .expect("a new access token");

    let out = client
        .post("/logout-everywhere")
        .header("rid", "session")
        .bearer(&access)
        .send()
        .await;
    assert_eq!(out.status, 200, "{}", out.text);
    assert_eq!(out.body["revokedSessions"], 2);
    // No new token for the revoked session: the tokens are cleared, as sign-out does.
    assert_eq!(out.header("st-access-token").as_deref(), Some(""));
    assert_eq!(out.header("st-refresh-token").as_deref(), Some(""));
    assert_eq!(out.header("front-token").as_deref(), Some("remove"));

    // The access tokens have not expired, but the app checks the database.
    for token in [&access, &first_access] {
        let me = client.get("/me").bearer(token).send().await;
        assert_eq!(me.status, 401, "{}", me.text);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_outbox_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    use supertokens::passwordless::{EmailDelivery as _, LoginMessage};

    let dir = tempfile::tempdir().expect("a temporary directory");
    let outbox = Outbox::new(dir.path().join("outbox.jsonl"));
    let mut message = LoginMessage::new("owner@example.com", "Custom");
    message.user_input_code = Some("123456".to_owned());
    outbox.send_email(&message).await.expect("written");
    outbox.send_email(&message).await.expect("appended");
    let mode = std::fs::metadata(outbox.path())
        .expect("the file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let lines = messages_to(&outbox, "owner@example.com");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["userInputCode"], "123456");

    // A directory that does not exist: a delivery error that names the file, no panic.
    let missing = Outbox::new(dir.path().join("no-such-dir").join("outbox.jsonl"));
    let error = missing
        .send_email(&message)
        .await
        .expect_err("no such directory");
    assert!(error.to_string().contains("no-such-dir"), "{error}");
}
