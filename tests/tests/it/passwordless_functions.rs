//! The passwordless recipe functions for custom flows, their overrides, and the session a
//! consume creates in cookie mode.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use supertokens::BoxFuture;
use supertokens::core::CoreError;
use supertokens::core::cdi::{ConsumeCodeRequest, ConsumeCodeResponse, UpdateUserResponse};
use supertokens::passwordless::{
    CodesFilter, Contact, PasswordlessError, PasswordlessFunctions, RateLimited, SendLimits,
};
use tests::passwordless::{WEBSITE, app, app_with};

#[tokio::test]
async fn server_side_sign_in_and_user_lookups() {
    let app = app("USER_INPUT_CODE", "EMAIL_OR_PHONE");
    let pl = app.st.passwordless().expect("enabled");
    let first = pl
        .sign_in_up("public", Contact::Email(" Grace@Example.com ".into()))
        .await
        .unwrap();
    assert!(first.created_new_user);
    let again = pl
        .sign_in_up("public", Contact::Email("grace@example.com".into()))
        .await
        .unwrap();
    assert!(!again.created_new_user);
    assert_eq!(again.user.id, first.user.id);
    assert!(app.outbox.all().is_empty(), "sign_in_up sends nothing");

    let by_email = pl
        .get_user_by_email("public", "GRACE@example.com")
        .await
        .unwrap();
    assert_eq!(by_email.map(|u| u.id), Some(first.user.id.clone()));
    let by_id = pl.get_user_by_id(&first.user.id).await.unwrap().unwrap();
    assert_eq!(by_id.emails, ["grace@example.com"]);
    assert!(pl.get_user_by_id("no-such-user").await.unwrap().is_none());
    assert!(
        pl.get_user_by_phone_number("public", "+14155552671")
            .await
            .unwrap()
            .is_none()
    );

    let phone = pl
        .sign_in_up("public", Contact::Phone("+1 415 555 2671".into()))
        .await
        .unwrap();
    let found = pl
        .get_user_by_phone_number("public", "+14155552671")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(phone.user.id.clone()));

    // Update: a new e-mail for the phone user; someone else's e-mail is refused.
    for (user, email, expected) in [
        (
            &*phone.recipe_user_id,
            "new@example.com",
            UpdateUserResponse::Ok,
        ),
        (
            &*phone.recipe_user_id,
            "grace@example.com",
            UpdateUserResponse::EmailAlreadyExists,
        ),
        (
            "no-such-user",
            "x@example.com",
            UpdateUserResponse::UnknownUserId,
        ),
    ] {
        let r = pl.update_user(user, Some(Some(email.into())), None).await;
        assert_eq!(r.unwrap(), expected, "{user} {email}");
    }
    let found = pl
        .get_user_by_email("public", "new@example.com")
        .await
        .unwrap();
    assert_eq!(found.map(|u| u.id), Some(phone.user.id.clone()));
}

#[tokio::test]
async fn magic_links_codes_and_revocation() {
    let app = app("USER_INPUT_CODE_AND_MAGIC_LINK", "EMAIL");
    let pl = app.st.passwordless().unwrap();
    let link = pl
        .create_magic_link("public", Contact::Email("ada@example.com".into()))
        .await
        .unwrap();
    assert!(
        link.starts_with(&format!("{WEBSITE}/auth/verify?preAuthSessionId=")),
        "{link}"
    );
    assert!(link.contains("&tenantId=public#"), "{link}");
    assert!(
        app.outbox.all().is_empty(),
        "create_magic_link sends nothing"
    );
    let pre = link
        .split("preAuthSessionId=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let code = link.split('#').nth(1).unwrap();
    let r = app.consume_link(pre, code).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);

    // send_code delivers; list_codes sees the device (never the code); revoking empties it.
    let sent = pl
        .send_code("public", Contact::Email("bob@example.com".into()))
        .await
        .unwrap();
    let (_, message) = app.outbox.last();
    assert_eq!(
        message.user_input_code.as_deref(),
        Some(sent.user_input_code.as_str())
    );
    assert_eq!(message.url_with_link_code, sent.magic_link);
    let devices = pl
        .list_codes("public", CodesFilter::Email("bob@example.com".into()))
        .await
        .unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].codes.len(), 1);
    assert_eq!(devices[0].codes[0].code_id, sent.code_id);
    let resent = pl.resend_code("public", &sent.device_id).await.unwrap();
    assert_eq!(app.outbox.len(), 2);
    assert_ne!(resent.code_id, sent.code_id);
    pl.revoke_code("public", &sent.code_id).await.unwrap();
    let devices = pl
        .list_codes("public", CodesFilter::DeviceId(sent.device_id.clone()))
        .await
        .unwrap();
    assert_eq!(devices[0].codes.len(), 1, "only the resent code is left");
    pl.revoke_all_codes("public", Contact::Email("bob@example.com".into()))
        .await
        .unwrap();
    let devices = pl
        .list_codes("public", CodesFilter::Email("bob@example.com".into()))
        .await
        .unwrap();
    assert!(devices.is_empty());
    let r = pl.resend_code("public", &sent.device_id).await;
    assert!(matches!(r, Err(PasswordlessError::RestartFlow)), "{r:?}");
}

struct CountConsumes {
    original: Arc<dyn PasswordlessFunctions>,
    count: Arc<AtomicUsize>,
}

impl PasswordlessFunctions for CountConsumes {
    fn original(&self) -> &dyn PasswordlessFunctions {
        &*self.original
    }

    fn consume_code(
        &self,
        tenant_id: String,
        request: ConsumeCodeRequest,
    ) -> BoxFuture<'_, Result<ConsumeCodeResponse, CoreError>> {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.original.consume_code(tenant_id, request)
    }
}

#[tokio::test]
async fn overridden_functions_serve_the_frontend_api_too() {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let app = app_with("USER_INPUT_CODE", "EMAIL", move |config| {
        config.no_send_limits().override_functions(move |original| {
            Arc::new(CountConsumes {
                original,
                count: c.clone(),
            })
        })
    });
    let (device_id, pre, m) = app.create_code(json!({"email": "o@example.com"})).await;
    let r = app
        .consume_code(&pre, &device_id, &m.user_input_code.unwrap())
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let pl = app.st.passwordless().unwrap();
    pl.sign_in_up("public", Contact::Email("p@example.com".into()))
        .await
        .unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn consume_in_cookie_mode_sets_the_session_cookies() {
    let app = app("USER_INPUT_CODE", "PHONE");
    let (device_id, pre, m) = app
        .create_code(json!({"phoneNumber": "+14155552671"}))
        .await;
    let body =
        json!({"preAuthSessionId": pre, "deviceId": device_id, "userInputCode": m.user_input_code});
    let r = app
        .client
        .post("/auth/signinup/code/consume")
        .headers(&[("rid", "passwordless"), ("st-auth-mode", "cookie")])
        .json(&body)
        .send()
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let cookies: Vec<&str> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("sAccessToken=")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("sRefreshToken=")),
        "{cookies:?}"
    );
    assert!(r.headers.contains_key("front-token"));
    assert!(!r.headers.contains_key("st-access-token"));
}

#[tokio::test]
async fn a_disabled_api_can_be_replaced_by_your_own_route() {
    use axum::extract::State;
    use axum::routing::post;
    use supertokens::SuperTokens;
    use supertokens::passwordless::PasswordlessApi;

    async fn staff_only(
        State(st): State<SuperTokens>,
        axum::Json(body): axum::Json<serde_json::Value>,
    ) -> Result<axum::Json<serde_json::Value>, RateLimited> {
        let email = body["email"].as_str().unwrap_or_default().to_owned();
        if !email.ends_with("@example.com") {
            return Ok(axum::Json(
                json!({"status": "GENERAL_ERROR", "message": "Staff only"}),
            ));
        }
        let pl = st.passwordless().unwrap();
        let contact = Contact::Email(email);
        pl.check_send_limits(&contact, None, st.clock().now_ms())
            .await?;
        let code = pl.send_code("public", contact).await.unwrap();
        Ok(axum::Json(
            json!({"status": "OK", "deviceId": code.device_id,
            "preAuthSessionId": code.pre_auth_session_id, "flowType": pl.flow_type().as_str()}),
        ))
    }

    let mut app = app_with("USER_INPUT_CODE", "EMAIL", |c| {
        c.send_limits(SendLimits::disabled().per_identifier(2, std::time::Duration::from_secs(60)))
            .disable_api(PasswordlessApi::CreateCode)
    });
    app.set_router(
        axum::Router::new()
            .route("/auth/signinup/code", post(staff_only))
            .with_state(app.st.clone())
            .merge(app.st.router()),
    );
    let r = app.send_code(json!({"email": "x@gmail.com"})).await;
    assert_eq!(r.body["message"], "Staff only", "{}", r.text);
    let (device_id, pre, m) = app.create_code(json!({"email": "x@example.com"})).await;
    let r = app
        .consume_code(&pre, &device_id, &m.user_input_code.unwrap())
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    // The replacement applies the configured send limits too.
    app.create_code(json!({"email": "x@example.com"})).await;
    let r = app.send_code(json!({"email": "x@example.com"})).await;
    assert_eq!(r.status, http::StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.body["status"], "RATE_LIMITED");
    assert!(r.headers.contains_key("retry-after"));
    // The tenant-prefixed path of the disabled API is not served either.
    let r = app
        .post(
            "/auth/public/signinup/code",
            json!({"email": "x@example.com"}),
        )
        .await;
    assert_eq!(r.status, http::StatusCode::NOT_FOUND);
}
