//! Send limits (an addition of this SDK): per contact, per client IP, and between resends to a
//! device; answered with 429, `Retry-After` and a JSON body, with nothing created or sent.

use std::future::IntoFuture as _;
use std::time::Duration;

use http::StatusCode;
use serde_json::json;
use supertokens::passwordless::SendLimits;
use tests::client::Reply;
use tests::passwordless::{App, app_with};
use tests::server::Server;

/// A USER_INPUT_CODE / EMAIL app with these send limits.
fn limited(limits: SendLimits) -> App {
    app_with("USER_INPUT_CODE", "EMAIL", |c| c.send_limits(limits))
}

fn assert_limited(r: &Reply, max_wait: u64) -> u64 {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.body["status"], "RATE_LIMITED", "{}", r.text);
    assert!(
        r.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("try again") || m.contains("wait")),
        "{}",
        r.text
    );
    let secs = r.body["retryAfterSeconds"]
        .as_u64()
        .expect("retryAfterSeconds");
    assert!(secs >= 1 && secs <= max_wait, "{secs}");
    assert_eq!(r.headers["retry-after"], secs.to_string().as_str());
    secs
}

async fn send(app: &App, email: &str) -> Reply {
    app.send_code(json!({"email": email})).await
}

#[tokio::test]
async fn defaults_allow_five_sends_per_contact_per_hour() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    for _ in 0..5 {
        assert_eq!(send(&app, "a@example.com").await.body["status"], "OK");
    }
    let sent = app.outbox.len();
    // The contact is compared as the core stores it: trimmed, any case.
    let r = send(&app, " A@Example.com").await;
    assert_limited(&r, 3600);
    assert_eq!(app.outbox.len(), sent, "nothing sent when limited");
    // Other contacts are not affected.
    assert_eq!(send(&app, "b@example.com").await.body["status"], "OK");
    // An hour later the contact may receive codes again.
    app.clock.advance(Duration::from_secs(3601));
    assert_eq!(send(&app, "a@example.com").await.body["status"], "OK");
}

#[tokio::test]
async fn resends_to_a_device_wait_thirty_seconds_by_default() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    let (device_id, pre, _) = app.create_code(json!({"email": "r@example.com"})).await;
    let r = app.resend(&device_id, &pre).await;
    let wait = assert_limited(&r, 30);
    assert!(wait >= 29, "{wait}");
    assert!(
        r.body["message"].as_str().unwrap().contains("wait"),
        "{}",
        r.text
    );
    app.clock.advance(Duration::from_secs(31));
    let r = app.resend(&device_id, &pre).await;
    assert_eq!(r.body, json!({"status": "OK"}), "{}", r.text);
    assert_limited(&app.resend(&device_id, &pre).await, 30);
}

#[tokio::test]
async fn a_respelt_device_id_does_not_skip_the_resend_interval() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    let (device_id, pre, _) = app.create_code(json!({"email": "s@example.com"})).await;
    // The core decodes deviceIds leniently: padding is optional, so these name one device.
    let unpadded = device_id.trim_end_matches('=');
    assert_ne!(unpadded, device_id, "a padded deviceId: {device_id}");
    let sent = app.outbox.len();
    for spelling in [unpadded.to_owned(), format!(" {device_id}")] {
        let r = app.resend(&spelling, &pre).await;
        assert_limited(&r, 30);
    }
    assert_eq!(app.outbox.len(), sent, "nothing resent");
}

#[tokio::test]
async fn resends_count_towards_the_contact_limit() {
    let app = limited(
        SendLimits::new()
            .per_identifier(2, Duration::from_secs(600))
            .no_resend_interval(),
    );
    let (device_id, pre, _) = app.create_code(json!({"email": "c@example.com"})).await;
    assert_eq!(app.resend(&device_id, &pre).await.body["status"], "OK");
    let secs = assert_limited(&app.resend(&device_id, &pre).await, 600);
    assert!(secs > 590, "{secs}");
}

#[tokio::test]
async fn per_ip_limit_uses_the_configured_header() {
    let app = limited(
        SendLimits::disabled()
            .per_ip(2, Duration::from_secs(60))
            .client_ip_header("x-forwarded-for"),
    );
    let from = |ip: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app.client
                .post("/auth/signinup/code")
                .header("x-forwarded-for", ip)
                .json(&json!({"email": email}))
                .send()
                .await
        }
    };
    assert_eq!(
        from("203.0.113.7, 10.0.0.1", "1@example.com").await.body["status"],
        "OK"
    );
    assert_eq!(
        from("203.0.113.7", "2@example.com").await.body["status"],
        "OK"
    );
    let r = from("203.0.113.7", "3@example.com").await;
    assert_limited(&r, 60);
    assert!(
        r.body["message"].as_str().unwrap().contains("network"),
        "{}",
        r.text
    );
    assert_eq!(
        from("198.51.100.1", "3@example.com").await.body["status"],
        "OK"
    );
    // Without the header the IP is unknown, and the per-IP limit does not apply.
    assert_eq!(send(&app, "4@example.com").await.body["status"], "OK");
}

#[tokio::test]
async fn limits_can_be_turned_off() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c.no_send_limits());
    for _ in 0..12 {
        assert_eq!(send(&app, "a@example.com").await.body["status"], "OK");
    }
    let (device_id, pre, _) = app.create_code(json!({"email": "a@example.com"})).await;
    assert_eq!(app.resend(&device_id, &pre).await.body["status"], "OK");
}

#[tokio::test]
async fn per_ip_limit_uses_the_peer_address_when_served_with_connect_info() {
    let app = limited(SendLimits::disabled().per_ip(2, Duration::from_secs(60)));
    let service = app
        .router
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = Server::spawn(|listener| axum::serve(listener, service).into_future()).await;
    let client = server.client();
    let mut statuses = Vec::new();
    for n in 0..3 {
        let r = client
            .post("/auth/signinup/code")
            .json(&json!({"email": format!("ip{n}@example.com")}))
            .send()
            .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(app.outbox.len(), 2);
}
