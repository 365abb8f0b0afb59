//! Malformed and wrong input to the passwordless frontend API: the official SDKs' messages where
//! they have one, and a clean 400 `{"message": …}` where they would crash with a 500.

use http::StatusCode;
use serde_json::json;
use tests::passwordless::{App, app, app_with};

/// Sends each body (`None`: no body) to `path`, expecting a 400 with the message; first `false`
/// and `null`, which every API refuses as not an object.
async fn expect_400s(app: &App, path: &str, cases: &[(Option<&str>, &str)]) {
    let not_objects = [(Some("false"), NOT_OBJECT), (Some("null"), NOT_OBJECT)];
    for (body, message) in not_objects.iter().chain(cases) {
        let request = app.client.post(path).header("rid", "passwordless");
        let r = match body {
            Some(body) => request.json_text(body),
            None => request,
        }
        .send()
        .await;
        let case = format!("{path} {body:?}: {}", r.text);
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(r.headers["content-type"], "application/json", "{case}");
        assert_eq!(r.body, json!({ "message": message }), "{case}");
    }
}

const NOT_OBJECT: &str = "Please send a JSON object as the request body";
const NOT_JSON: &str = "Please send valid JSON in the request body";
const EXACTLY_ONE: &str = "Please provide exactly one of email or phoneNumber";
const ONE_OF: &str = "Please provide one of (linkCode) or (deviceId+userInputCode) and not both";
const NO_PRE_AUTH_SESSION_ID: &str = "Please provide preAuthSessionId";
const BOTH: &str = "Please provide both deviceId and userInputCode";

#[tokio::test]
async fn create_code_bad_bodies() {
    let app = app("USER_INPUT_CODE", "EMAIL_OR_PHONE");
    let p = "/auth/signinup/code";
    expect_400s(
        &app,
        p,
        &[
            // Crash the Python SDK (500) — a 400 here.
            (Some(r#"{"phoneNumber": null}"#), EXACTLY_ONE),
            // Crash the Node SDK (500) — a 400 here.
            (
                Some(r#"{"email": {}}"#),
                "Please make sure that email is a string",
            ),
            (Some("[]"), NOT_OBJECT),
            (Some("{\"email\":"), NOT_JSON),
            (
                Some(r#"{"phoneNumber": 14155552671}"#),
                "Please make sure that phoneNumber is a string",
            ),
            // The official messages.
            (None, EXACTLY_ONE),
            (Some("{}"), EXACTLY_ONE),
            (
                Some(r#"{"email":"a@example.com","phoneNumber":"+14155552671"}"#),
                EXACTLY_ONE,
            ),
            (
                Some(r#"{"email":"a@example.com","shouldTryLinkingWithSessionUser":"yes"}"#),
                "Please make sure that shouldTryLinkingWithSessionUser is a boolean",
            ),
        ],
    )
    .await;
    let huge = format!(r#"{{"email":"{}@example.com"}}"#, "a".repeat(20_000));
    let r = app.client.post(p).json_text(&huge).send().await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(app.outbox.is_empty(), "nothing was sent");
    // The flag is accepted when it is a boolean.
    let r = app
        .post(
            p,
            json!({"email": "a@example.com", "shouldTryLinkingWithSessionUser": false}),
        )
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn resend_bad_bodies() {
    let app = app("USER_INPUT_CODE", "EMAIL");
    expect_400s(
        &app,
        "/auth/signinup/code/resend",
        &[
            (None, NO_PRE_AUTH_SESSION_ID),
            (Some(r#"{"deviceId":"d"}"#), NO_PRE_AUTH_SESSION_ID),
            (
                Some(r#"{"preAuthSessionId":"p"}"#),
                "Please provide a deviceId",
            ),
            (
                Some(r#"{"preAuthSessionId":"p","deviceId":[]}"#),
                "Please make sure that deviceId is a string",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn consume_bad_bodies() {
    let app = app("USER_INPUT_CODE_AND_MAGIC_LINK", "EMAIL");
    expect_400s(
        &app,
        "/auth/signinup/code/consume",
        &[
            (Some("{}"), NO_PRE_AUTH_SESSION_ID),
            (Some(r#"{"linkCode":"l"}"#), NO_PRE_AUTH_SESSION_ID),
            (Some(r#"{"preAuthSessionId":"p"}"#), ONE_OF),
            (
                Some(r#"{"preAuthSessionId":"p","linkCode":"l","deviceId":"d"}"#),
                ONE_OF,
            ),
            (
                Some(r#"{"preAuthSessionId":"p","linkCode":"l","userInputCode":"1"}"#),
                ONE_OF,
            ),
            (Some(r#"{"preAuthSessionId":"p","deviceId":"d"}"#), BOTH),
            (
                Some(r#"{"preAuthSessionId":"p","userInputCode":"1"}"#),
                BOTH,
            ),
            (
                Some(r#"{"preAuthSessionId":1,"linkCode":"l"}"#),
                "Please make sure that preAuthSessionId is a string",
            ),
            (
                Some(r#"{"preAuthSessionId":"p","deviceId":"d","userInputCode":123456}"#),
                "Please make sure that userInputCode is a string",
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_device_id_of_another_attempt_is_a_400_not_a_500() {
    let app = app("USER_INPUT_CODE", "EMAIL");
    let (device_a, _pre_a, message_a) = app.create_code(json!({"email": "a@example.com"})).await;
    let (_device_b, pre_b, _) = app.create_code(json!({"email": "b@example.com"})).await;
    let r = app
        .consume_code(&pre_b, &device_a, &message_a.user_input_code.unwrap())
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert!(r.body["message"].is_string(), "{}", r.text);
    assert!(
        !r.text.contains("SuperTokens core"),
        "no internal detail: {}",
        r.text
    );
}

/// Ids no device can have: not base64 (an astral character from an escaped surrogate pair, a NUL,
/// punctuation), so the core refuses to decode them. A JSON string with a lone surrogate is not
/// JSON at all.
const UNDECODABLE_IDS: [&str; 3] = [r#""\ud966\udc63""#, r#""\u0000""#, r#""%%%""#];

#[tokio::test]
async fn undecodable_ids_are_answered_without_a_500() {
    let app = app("USER_INPUT_CODE_AND_MAGIC_LINK", "EMAIL");
    let (device, pre, message) = app.create_code(json!({"email": "a@example.com"})).await;
    let code = message.user_input_code.unwrap();
    let post = |path: &'static str, body: String| {
        let app = &app;
        async move {
            let r = app
                .client
                .post(path)
                .header("rid", "passwordless")
                .json_text(&body)
                .send()
                .await;
            (r, format!("{path} {body}"))
        }
    };
    for id in UNDECODABLE_IDS {
        // No device has this id: the flow restarts, as for an unknown device.
        let (r, case) = post(
            "/auth/signinup/code/resend",
            format!(r#"{{"preAuthSessionId":"x","deviceId":{id}}}"#),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{case}: {}", r.text);
        assert_eq!(r.body, json!({"status": "RESTART_FLOW_ERROR"}), "{case}");
        // No device has this preAuthSessionId either.
        let (r, case) = post(
            "/auth/signinup/code/consume",
            format!(
                r#"{{"preAuthSessionId":{id},"deviceId":"{device}","userInputCode":"{code}"}}"#
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{case}: {}", r.text);
        assert_eq!(r.body, json!({"status": "RESTART_FLOW_ERROR"}), "{case}");
        // A real device, with a device id or link code that cannot be its own.
        for body in [
            format!(r#"{{"preAuthSessionId":"{pre}","deviceId":{id},"userInputCode":"{code}"}}"#),
            format!(r#"{{"preAuthSessionId":"{pre}","linkCode":{id}}}"#),
        ] {
            let (r, case) = post("/auth/signinup/code/consume", body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.text);
            assert!(r.body["message"].is_string(), "{case}: {}", r.text);
        }
    }
    for path in ["/auth/signinup/code/resend", "/auth/signinup/code/consume"] {
        let (r, case) = post(
            path,
            r#"{"preAuthSessionId":"x","deviceId":"\ud966","userInputCode":"1"}"#.to_owned(),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.text);
        assert_eq!(r.body, json!({ "message": NOT_JSON }), "{case}");
    }
    // The device is untouched: its code still signs in.
    let r = app.consume_code(&pre, &device, &code).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn exists_apis_need_their_param() {
    let app = app("USER_INPUT_CODE", "EMAIL_OR_PHONE");
    for (path, param) in [
        ("/auth/passwordless/email/exists", "email"),
        ("/auth/signup/email/exists", "email"),
        ("/auth/passwordless/email/exists?mail=a@b.com", "email"),
        ("/auth/passwordless/phonenumber/exists", "phoneNumber"),
        ("/auth/signup/phonenumber/exists", "phoneNumber"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        let message = format!("Please provide the {param} as a GET param");
        assert_eq!(r.body, json!({ "message": message }), "{path}");
    }
    // The path is case-sensitive, as in the other SDKs and web-js.
    let r = app
        .get("/auth/passwordless/phoneNumber/exists?phoneNumber=%2B14155552671")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tenant_ids_follow_the_routing_rule() {
    let app = app("USER_INPUT_CODE", "EMAIL");
    let email = json!({"email": "a@example.com"});
    let r = app
        .post("/auth/bad_tenant/signinup/code", email.clone())
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    let r = app.post("/auth/public/signinup/code", email).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn disabled_apis_are_not_served() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| {
        c.no_send_limits()
            .disable_api(supertokens::passwordless::PasswordlessApi::EmailExists)
    });
    let r = app
        .get("/auth/passwordless/email/exists?email=a%40b.com")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.get("/auth/signup/email/exists?email=a%40b.com").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.send_code(json!({"email": "a@example.com"})).await;
    assert_eq!(r.body["status"], "OK");
}

#[tokio::test]
async fn custom_validators_and_code_generator() {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let app = app_with("USER_INPUT_CODE", "EMAIL_OR_PHONE", |c| {
        c.no_send_limits()
            .validate_email_address(|email: &str, _t: &str| {
                if email.ends_with("@example.com") {
                    Ok(())
                } else {
                    Err("Only example.com addresses".to_owned())
                }
            })
            .validate_phone_number(|_p: &str, _t: &str| Ok(()))
            .user_input_code_generator(|_t: &str| {
                format!("C{:05}", N.fetch_add(1, Ordering::SeqCst))
            })
    });
    let r = app.send_code(json!({"email": "a@gmail.com"})).await;
    assert_eq!(
        r.body,
        json!({"status": "GENERAL_ERROR", "message": "Only example.com addresses"})
    );
    let (device_id, pre, m) = app.create_code(json!({"email": " a@example.com "})).await;
    let code = m.user_input_code.clone().unwrap();
    assert!(code.starts_with('C') && code.len() == 6, "{code}");
    // A custom phone validator may accept what does not parse: it is kept as typed, trimmed.
    let (_, _, m2) = app.create_code(json!({"phoneNumber": " 12345 "})).await;
    assert_eq!(m2.to, "12345");
    let r = app.resend(&device_id, &pre).await;
    assert_eq!(r.body["status"], "OK");
    let resent = app.outbox.last().1.user_input_code.unwrap();
    assert_ne!(resent, code);
    assert!(resent.starts_with('C'));
    let r = app.consume_code(&pre, &device_id, &resent).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn an_unknown_tenant_is_a_404() {
    let app = app("USER_INPUT_CODE", "EMAIL");
    let email = json!({"email": "a@example.com"});
    let r = app.post("/auth/acme/signinup/code", email).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(r.body, json!({"message": "Unknown tenant"}));
    let r = app
        .get("/auth/acme/passwordless/email/exists?email=a%40example.com")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert!(app.outbox.is_empty());
}
