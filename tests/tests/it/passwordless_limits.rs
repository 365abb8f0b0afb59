//! Send limits (an addition of this SDK): per contact, per client IP, and between resends to a
//! device; answered with 429, `Retry-After` and a JSON body, with nothing created or sent.

use std::future::IntoFuture as _;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use http::StatusCode;
use serde_json::json;
use supertokens::passwordless::{ClientIp, SendLimits};
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

/// createCode with `body` from a connection whose peer address is `peer` (as axum records it
/// when served with `into_make_service_with_connect_info`).
async fn create_from(app: &App, peer: &str, body: serde_json::Value) -> Reply {
    let peer = SocketAddr::new(peer.parse().expect("an IP address"), 40_000);
    app.client
        .post("/auth/signinup/code")
        .with(|r| r.extension(ConnectInfo(peer)))
        .json(&body)
        .send()
        .await
}

/// createCode for `email` from `peer`.
async fn send_from(app: &App, peer: &str, email: &str) -> Reply {
    create_from(app, peer, json!({"email": email})).await
}

#[tokio::test]
async fn defaults_slow_down_repeated_sends_to_a_contact() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    for _ in 0..3 {
        assert_eq!(send(&app, "a@example.com").await.body["status"], "OK");
    }
    let sent = app.outbox.len();
    // The contact is compared as the core stores it: trimmed, any case.
    let r = send(&app, " A@Example.com").await;
    let first = assert_limited(&r, 60);
    assert_eq!(app.outbox.len(), sent, "nothing sent when limited");
    // Other contacts are not affected.
    assert_eq!(send(&app, "b@example.com").await.body["status"], "OK");
    // Then the waits grow: one minute, two…
    app.clock.advance(Duration::from_secs(first));
    assert_eq!(send(&app, "a@example.com").await.body["status"], "OK");
    let second = assert_limited(&send(&app, "a@example.com").await, 120);
    assert!(second > first, "{first} then {second}");
    app.clock.advance(Duration::from_secs(second));
    assert_eq!(send(&app, "a@example.com").await.body["status"], "OK");
    // …and one network gets at most five codes an hour for one contact.
    let rest = assert_limited(&send(&app, "a@example.com").await, 3600);
    assert!(rest > 3000, "{rest}");
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
async fn x_forwarded_for_counts_the_address_the_trusted_proxy_saw() {
    let app = limited(
        SendLimits::disabled()
            .per_ip(2, Duration::from_secs(60))
            .client_ip(ClientIp::XForwardedFor { trusted_hops: 1 }),
    );
    // One proxy appends the address it saw; whatever the client wrote before it is the
    // client's to choose.
    let from = |xff: &'static str, email: &'static str| {
        let app = &app;
        async move {
            app.client
                .post("/auth/signinup/code")
                .header("x-forwarded-for", xff)
                .json(&json!({"email": email}))
                .send()
                .await
        }
    };
    let ok = |r: Reply| assert_eq!(r.body["status"], "OK", "{}", r.text);
    ok(from("1.1.1.1, 203.0.113.7", "1@example.com").await);
    ok(from("2.2.2.2, 203.0.113.7", "2@example.com").await);
    let r = from("3.3.3.3, 203.0.113.7", "3@example.com").await;
    assert_limited(&r, 60);
    assert!(
        r.body["message"].as_str().unwrap().contains("network"),
        "{}",
        r.text
    );
    ok(from("203.0.113.7, 198.51.100.1", "3@example.com").await);
    // Without the header the address is unknown: such requests share one bucket, still limited.
    ok(send(&app, "4@example.com").await);
    ok(send(&app, "5@example.com").await);
    assert_limited(&send(&app, "6@example.com").await, 60);
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

#[tokio::test]
async fn an_attacker_cannot_lock_a_victim_out() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    let (attacker, victim) = ("203.0.113.66", "198.51.100.7");
    // The attacker asks again and again for codes to the victim's address, as soon as allowed:
    // each refusal makes them wait longer than the last.
    let mut waits = Vec::new();
    let mut sent = 0;
    while waits.len() < 3 {
        let r = send_from(&app, attacker, "victim@corp.example").await;
        if r.status == StatusCode::OK {
            sent += 1;
            assert!(sent < 20, "the attacker is never stopped");
        } else {
            let wait = assert_limited(&r, 3600);
            waits.push(wait);
            if waits.len() < 3 {
                app.clock.advance(Duration::from_secs(wait));
            }
        }
    }
    assert!(waits.windows(2).all(|w| w[0] < w[1]), "{waits:?}");
    // The victim, from their own network, still gets a code.
    let before = app.outbox.len();
    let r = send_from(&app, victim, "victim@corp.example").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.outbox.len(), before + 1);
}

#[tokio::test]
async fn clients_without_an_address_share_one_bucket() {
    let app = limited(SendLimits::disabled().per_ip(2, Duration::from_secs(60)));
    // Served without connect info and with no header configured, no address is known: such
    // requests are still limited, together.
    assert_eq!(send(&app, "u1@example.com").await.body["status"], "OK");
    assert_eq!(send(&app, "u2@example.com").await.body["status"], "OK");
    let r = send(&app, "u3@example.com").await;
    assert_limited(&r, 60);
    assert!(r.body["message"].as_str().unwrap().contains("network"));
    // A client whose address is known is counted on its own.
    let r = send_from(&app, "192.0.2.10", "u3@example.com").await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn ipv6_clients_in_one_slash_64_share_a_bucket() {
    let app = limited(SendLimits::disabled().per_ip(2, Duration::from_secs(60)));
    let status = |peer: &'static str, email: &'static str| {
        let app = &app;
        async move { send_from(app, peer, email).await.status.as_u16() }
    };
    assert_eq!(status("2001:db8:1:2::1", "v1@example.com").await, 200);
    assert_eq!(status("2001:db8:1:2:ffff::9", "v2@example.com").await, 200);
    assert_eq!(status("2001:db8:1:2:abcd::1", "v3@example.com").await, 429);
    assert_eq!(status("2001:db8:1:3::1", "v3@example.com").await, 200);
    // An IPv4 client seen through an IPv6 socket is the same client.
    assert_eq!(status("192.0.2.1", "w1@example.com").await, 200);
    assert_eq!(status("::ffff:192.0.2.1", "w2@example.com").await, 200);
    assert_eq!(status("192.0.2.1", "w3@example.com").await, 429);
}

#[tokio::test]
async fn the_global_sms_cap_refuses_further_sms() {
    let app = app_with("USER_INPUT_CODE", "EMAIL_OR_PHONE", |c| {
        c.send_limits(SendLimits::new().global_sms(2, Duration::from_secs(3600)))
    });
    let sms = |peer: &'static str, phone: &'static str| {
        create_from(&app, peer, json!({"phoneNumber": phone}))
    };
    assert_eq!(
        sms("192.0.2.1", "+14155552671").await.status,
        StatusCode::OK
    );
    assert_eq!(
        sms("192.0.2.2", "+36701234567").await.status,
        StatusCode::OK
    );
    let sent = app.outbox.len();
    let r = sms("192.0.2.3", "+15005550006").await;
    let wait = assert_limited(&r, 3600);
    assert!(wait > 3500, "{wait}");
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("too many text messages"),
        "{}",
        r.text
    );
    assert_eq!(app.outbox.len(), sent, "nothing sent");
    // E-mail is not capped by it.
    let r = send_from(&app, "192.0.2.3", "e@example.com").await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}
