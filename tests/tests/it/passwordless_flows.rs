//! The passwordless frontend API on the embedded core, for every flow type × contact method:
//! sign-in (new and returning user, session headers), wrong codes with attempt counts, expired
//! codes, restart flow, resend, magic links, the exists APIs, invalid contacts, and input that
//! does not fit the flow.

use std::time::Duration;

use http::StatusCode;
use serde_json::{Value, json};
use tests::client::Reply;
use tests::codes::{wrong_link_code, wrong_user_input_code};
use tests::passwordless::{APP_NAME, App, Channel, app, link_code};

/// The contacts a contact method accepts, as (request body field, raw value, normalised value).
fn contacts(contact: &str, n: u32) -> Vec<(&'static str, String, String)> {
    let email = (
        "email",
        format!("  User{n}@Example.com "),
        format!("User{n}@Example.com"),
    );
    let phone = (
        "phoneNumber",
        format!("+1 415 555 {:04}", 2600 + n),
        format!("+1415555{:04}", 2600 + n),
    );
    match contact {
        "EMAIL" => vec![email],
        "PHONE" => vec![phone],
        _ => vec![email, phone],
    }
}

fn channel_of(field: &str) -> Channel {
    if field == "email" {
        Channel::Email
    } else {
        Channel::Sms
    }
}

fn has_code(flow: &str) -> bool {
    flow != "MAGIC_LINK"
}

fn has_link(flow: &str) -> bool {
    flow != "USER_INPUT_CODE"
}

/// The consume body proving ownership the way the flow allows (code preferred).
fn proof(
    flow: &str,
    device_id: &str,
    pre: &str,
    message: &supertokens::delivery::LoginMessage,
) -> Value {
    if has_code(flow) {
        json!({"preAuthSessionId": pre, "deviceId": device_id,
               "userInputCode": message.user_input_code.clone().unwrap()})
    } else {
        let link = message.url_with_link_code.clone().unwrap();
        json!({"preAuthSessionId": pre, "linkCode": link_code(&link, pre, "public")})
    }
}

async fn sign_in(app: &App, flow: &str, contact: &str, field: &str, raw: &str, normalised: &str) {
    let (device_id, pre, message) = app.create_code(json!({ field: raw })).await;
    assert_eq!(app.outbox.last().0, channel_of(field), "{flow} {contact}");
    assert_eq!(message.to, normalised);
    assert_eq!(message.user_input_code.is_some(), has_code(flow), "{flow}");
    assert_eq!(
        message.url_with_link_code.is_some(),
        has_link(flow),
        "{flow}"
    );
    assert_eq!(message.pre_auth_session_id, pre);
    assert_eq!(message.tenant_id, "public");
    assert_eq!(message.app_name, APP_NAME);
    assert_eq!(message.code_lifetime, Duration::from_secs(600));
    if let Some(code) = &message.user_input_code {
        assert!(
            code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
            "{code}"
        );
    }

    let exists_path = if field == "email" {
        format!(
            "/auth/passwordless/email/exists?email={}",
            urlencode(normalised)
        )
    } else {
        format!(
            "/auth/passwordless/phonenumber/exists?phoneNumber={}",
            urlencode(normalised)
        )
    };
    assert_exists(app, &exists_path, false).await;

    let r = app.consume(proof(flow, &device_id, &pre, &message)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    assert_eq!(r.body["createdNewRecipeUser"], true, "{}", r.text);
    assert!(r.body.get("createdNewUser").is_none());
    let user = &r.body["user"];
    let user_id = user["id"].as_str().unwrap().to_owned();
    let method = &user["loginMethods"][0];
    assert_eq!(method["recipeId"], "passwordless");
    assert_eq!(method["verified"], true);
    assert_eq!(user["tenantIds"], json!(["public"]));
    if field == "email" {
        assert_eq!(method["email"], normalised.to_lowercase());
        assert!(
            method.get("phoneNumber").is_none(),
            "absent, not null: {method}"
        );
    } else {
        assert_eq!(method["phoneNumber"], normalised);
        assert!(method.get("email").is_none(), "absent, not null: {method}");
    }
    // Header mode: the session's tokens come as headers, never in the body.
    assert!(r.headers.contains_key("st-access-token"), "{:?}", r.headers);
    assert!(r.headers.contains_key("st-refresh-token"));
    assert!(r.headers.contains_key("front-token"));
    let exposed = r.headers["access-control-expose-headers"].to_str().unwrap();
    assert!(
        exposed.contains("front-token") && exposed.contains("st-access-token"),
        "{exposed}"
    );
    assert!(!r.text.contains("accessToken"));

    assert_exists(app, &exists_path, true).await;
    let legacy = exists_path.replace("/passwordless/", "/signup/");
    assert_eq!(app.get(&legacy).await.body["exists"], true, "{legacy}");

    // A returning user: same id, not new; the older fdi-version gets the older shape.
    let (device_id, pre, message) = app.create_code(json!({ field: raw })).await;
    let r = app
        .client
        .post("/auth/signinup/code/consume")
        .headers(&[("fdi-version", "1.17"), ("st-auth-mode", "header")])
        .json(&proof(flow, &device_id, &pre, &message))
        .send()
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    assert_eq!(r.body["createdNewUser"], false, "{}", r.text);
    assert!(r.body.get("createdNewRecipeUser").is_none());
    assert_eq!(r.body["user"]["id"], user_id.as_str());
    assert!(
        r.body["user"].get("loginMethods").is_none(),
        "legacy user shape: {}",
        r.text
    );
}

async fn assert_exists(app: &App, path: &str, exists: bool) {
    let r = app.get(path).await;
    let expected = json!({"status": "OK", "exists": exists});
    assert_eq!(r.body, expected, "{path}: {}", r.text);
}

/// Percent-encodes a query value (a raw `+` would decode to a space).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn wrong_codes(app: &App, flow: &str, field: &str, raw: &str) {
    let (device_id, pre, message) = app.create_code(json!({ field: raw })).await;
    if has_code(flow) {
        let right = message.user_input_code.clone().unwrap();
        let wrong = wrong_user_input_code(&right);
        for n in 1..5 {
            let r = app.consume_code(&pre, &device_id, &wrong).await;
            assert_eq!(
                r.body,
                json!({"status": "INCORRECT_USER_INPUT_CODE_ERROR",
                       "failedCodeInputAttemptCount": n, "maximumCodeInputAttempts": 5}),
                "{flow} attempt {n}"
            );
        }
        // The fifth wrong code ends the attempt; even the right code cannot save it.
        assert_restart(&app.consume_code(&pre, &device_id, &wrong).await);
        assert_restart(&app.consume_code(&pre, &device_id, &right).await);
    } else {
        // A wrong link code restarts the flow without counting as an attempt.
        let link = message.url_with_link_code.clone().unwrap();
        let right = link_code(&link, &pre, "public");
        assert_restart(&app.consume_link(&pre, &wrong_link_code(&right)).await);
        let r = app.consume_link(&pre, &right).await;
        assert_eq!(r.body["status"], "OK", "{}", r.text);
    }
}

fn assert_restart(r: &Reply) {
    assert_eq!(
        r.body,
        json!({"status": "RESTART_FLOW_ERROR"}),
        "{}",
        r.text
    );
}

async fn expired_code_then_resend(app: &App, flow: &str, field: &str, raw: &str, normalised: &str) {
    let (device_id, pre, message) = app.create_code(json!({ field: raw })).await;
    app.clock.advance(Duration::from_secs(11 * 60));
    let r = app.consume(proof(flow, &device_id, &pre, &message)).await;
    if has_code(flow) {
        assert_eq!(
            r.body,
            json!({"status": "EXPIRED_USER_INPUT_CODE_ERROR",
                   "failedCodeInputAttemptCount": 1, "maximumCodeInputAttempts": 5}),
            "{}",
            r.text
        );
    } else {
        assert_restart(&r);
    }
    // The device outlives its expired code (the core deletes devices only when every code has
    // expired, on its cleanup run): a resend revives it with a fresh code and link.
    let r = app.resend(&device_id, &pre).await;
    assert_eq!(r.body, json!({"status": "OK"}), "{}", r.text);
    let (_, resent) = app.outbox.last();
    assert_eq!(resent.to, normalised.to_lowercase());
    assert_eq!(resent.pre_auth_session_id, pre);
    assert_ne!(
        (&resent.user_input_code, &resent.url_with_link_code),
        (&message.user_input_code, &message.url_with_link_code),
        "a fresh code"
    );
    let r = app.consume(proof(flow, &device_id, &pre, &resent)).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

async fn resend(app: &App, flow: &str, field: &str, raw: &str, normalised: &str) {
    let (device_id, pre, first) = app.create_code(json!({ field: raw })).await;
    let r = app.resend(&device_id, &pre).await;
    assert_eq!(r.body, json!({"status": "OK"}), "{}", r.text);
    let (channel, second) = app.outbox.last();
    assert_eq!(channel, channel_of(field));
    // Resends go to the device's contact as the core stored it (e-mails lowercased).
    assert_eq!(second.to, normalised.to_lowercase());
    assert_eq!(second.user_input_code.is_some(), has_code(flow));
    assert_eq!(second.url_with_link_code.is_some(), has_link(flow));
    assert_ne!(
        (&second.user_input_code, &second.url_with_link_code),
        (&first.user_input_code, &first.url_with_link_code)
    );
    let r = app.consume(proof(flow, &device_id, &pre, &second)).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    // The device is consumed: resending to it now restarts the flow.
    assert_restart(&app.resend(&device_id, &pre).await);
}

async fn restart_flow(app: &App, flow: &str) {
    let (unknown_pre, unknown_device) = ("A".repeat(43), format!("{}=", "A".repeat(43)));
    let r = if has_code(flow) {
        app.consume_code(&unknown_pre, &unknown_device, "123456")
            .await
    } else {
        app.consume_link(&unknown_pre, &"B".repeat(43)).await
    };
    assert_restart(&r);
    assert_restart(&app.resend(&unknown_device, &unknown_pre).await);
}

async fn magic_link(app: &App, field: &str, raw: &str) {
    let (_, pre, message) = app.create_code(json!({ field: raw })).await;
    let link = message.url_with_link_code.clone().unwrap();
    let code = link_code(&link, &pre, "public");
    // Opening the API path with GET consumes nothing: only the page's POST does.
    let r = app
        .client
        .get(&format!(
            "/auth/signinup/code/consume?preAuthSessionId={pre}&linkCode={code}"
        ))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    let r = app.consume_link(&pre, &code).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    // Used once: the same link now restarts the flow.
    assert_restart(&app.consume_link(&pre, &code).await);
    // On a tenant path, the link names the tenant.
    let r = app
        .post("/auth/public/signinup/code", json!({ field: raw }))
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let (_, message) = app.outbox.last();
    let pre = r.body["preAuthSessionId"].as_str().unwrap();
    link_code(
        message.url_with_link_code.as_deref().unwrap(),
        pre,
        "public",
    );
}

async fn invalid_contacts(app: &App, contact: &str) {
    let invalid = [
        (
            "email",
            "PHONE",
            "Email is invalid",
            ["", "john", "john@example", "a b@example.com"],
        ),
        (
            "phoneNumber",
            "EMAIL",
            "Phone number is invalid",
            ["4155552671", "+1 555", "not-a-phone", ""],
        ),
    ];
    for (field, other_method, message, values) in invalid {
        if contact == other_method {
            continue;
        }
        for bad in values {
            let r = app.send_code(json!({ field: bad })).await;
            assert_eq!(r.status, StatusCode::OK);
            let expected = json!({"status": "GENERAL_ERROR", "message": message});
            assert_eq!(r.body, expected, "{field} {bad}");
        }
    }
}

async fn input_that_does_not_fit(app: &App, flow: &str, contact: &str) {
    let other_contact = match contact {
        "PHONE" => Some((json!({"email": "a@example.com"}), "a phoneNumber")),
        "EMAIL" => Some((json!({"phoneNumber": "+14155552671"}), "an email")),
        _ => None,
    };
    if let Some((body, needed)) = other_contact {
        let r = app.send_code(body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let expected = format!(
            "Please provide {needed} since you have set the contactMethod to \"{contact}\""
        );
        assert_eq!(r.body["message"], expected.as_str());
    }
    let (field, raw, _) = contacts(contact, 90).remove(0);
    let (device_id, pre, message_sent) = app.create_code(json!({ field: raw })).await;
    let refused = match flow {
        // The core made a code too, but it was never sent: it must not be accepted.
        "MAGIC_LINK" => Some((
            app.consume_code(&pre, &device_id, "123456").await,
            "linkCode",
        )),
        "USER_INPUT_CODE" => Some((
            app.consume_link(&pre, &"x".repeat(43)).await,
            "userInputCode",
        )),
        _ => None,
    };
    if let Some((r, missing)) = refused {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        let message = r.body["message"].as_str().unwrap();
        assert!(message.contains(missing), "{}", r.text);
    }
    // Whatever was refused, the device still works with the right proof.
    let r = app
        .consume(proof(flow, &device_id, &pre, &message_sent))
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

async fn run(flow: &str, contact: &str) {
    let app = app(flow, contact);
    for (i, (field, raw, normalised)) in contacts(contact, 1).into_iter().enumerate() {
        sign_in(&app, flow, contact, field, &raw, &normalised).await;
        let (_, raw2, _) = contacts(contact, 10 + i as u32).remove(i);
        wrong_codes(&app, flow, field, &raw2).await;
        let (_, raw3, n3) = contacts(contact, 20 + i as u32).remove(i);
        resend(&app, flow, field, &raw3, &n3).await;
        if has_link(flow) {
            let (_, raw4, _) = contacts(contact, 30 + i as u32).remove(i);
            magic_link(&app, field, &raw4).await;
        }
    }
    restart_flow(&app, flow).await;
    invalid_contacts(&app, contact).await;
    input_that_does_not_fit(&app, flow, contact).await;
    // Last, since it moves the clock.
    for (i, (field, _, _)) in contacts(contact, 1).into_iter().enumerate() {
        let (_, raw5, n5) = contacts(contact, 40 + i as u32).remove(i);
        expired_code_then_resend(&app, flow, field, &raw5, &n5).await;
    }
}

/// One test per flow type × contact method.
macro_rules! combinations {
    ($($name:ident: $flow:literal, $contact:literal;)*) => {$(
        #[tokio::test]
        async fn $name() {
            run($flow, $contact).await;
        }
    )*};
}

combinations! {
    user_input_code_by_phone: "USER_INPUT_CODE", "PHONE";
    user_input_code_by_email: "USER_INPUT_CODE", "EMAIL";
    user_input_code_by_email_or_phone: "USER_INPUT_CODE", "EMAIL_OR_PHONE";
    magic_link_by_phone: "MAGIC_LINK", "PHONE";
    magic_link_by_email: "MAGIC_LINK", "EMAIL";
    magic_link_by_email_or_phone: "MAGIC_LINK", "EMAIL_OR_PHONE";
    code_and_magic_link_by_phone: "USER_INPUT_CODE_AND_MAGIC_LINK", "PHONE";
    code_and_magic_link_by_email: "USER_INPUT_CODE_AND_MAGIC_LINK", "EMAIL";
    code_and_magic_link_by_email_or_phone: "USER_INPUT_CODE_AND_MAGIC_LINK", "EMAIL_OR_PHONE";
}
