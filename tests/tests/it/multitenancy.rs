//! Tenants through the SDK: `GET /auth/<tenantId>/loginmethods`, the first-factor check of
//! every sign-in, and the tenant functions, on the embedded core.

use http::StatusCode;
use serde_json::json;
use tests::passwordless::app_with;

#[tokio::test]
async fn login_methods_list_what_this_backend_offers_on_the_public_tenant() {
    for (flow, contact, factors) in [
        ("USER_INPUT_CODE", "EMAIL", json!(["otp-email"])),
        ("MAGIC_LINK", "PHONE", json!(["link-phone"])),
        (
            "USER_INPUT_CODE_AND_MAGIC_LINK",
            "EMAIL_OR_PHONE",
            json!(["otp-email", "otp-phone", "link-email", "link-phone"]),
        ),
    ] {
        let app = app_with(flow, contact, |c| c);
        for path in ["/auth/loginmethods", "/auth/public/loginmethods"] {
            let r = app.client.get(path).send().await;
            assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
            assert_eq!(
                r.body,
                json!({
                    "status": "OK",
                    "emailPassword": { "enabled": false },
                    "thirdParty": { "enabled": false, "providers": [] },
                    "passwordless": { "enabled": true },
                    "webauthn": { "enabled": false },
                    "firstFactors": factors,
                }),
                "{flow} {contact}"
            );
        }
    }
}

#[tokio::test]
async fn login_methods_of_a_tenant_that_does_not_exist_are_a_404() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    let r = app.client.get("/auth/nobody/loginmethods").send().await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
    assert_eq!(r.body, json!({ "message": "Unknown tenant" }));
    let r = app
        .client
        .get("/auth/not_a_tenant!/loginmethods")
        .send()
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}
