//! Tenants through the SDK: `GET /auth/<tenantId>/loginmethods`, the first-factor check of
//! every sign-in, and the tenant functions, on the embedded core.

use http::StatusCode;
use serde_json::json;
use supertokens::multitenancy::TenantSettings;
use tests::client::Reply;
use tests::passwordless::{App, app_with};

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

/// Signs `email` in on `tenant` with a one-time code; the consume reply.
async fn sign_in_on(app: &App, tenant: &str, email: &str) -> Reply {
    let r = app
        .post(
            &format!("/auth/{tenant}/signinup/code"),
            json!({ "email": email }),
        )
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let (_, message) = app.outbox.last();
    assert_eq!(message.tenant_id, tenant);
    app.post(
        &format!("/auth/{tenant}/signinup/code/consume"),
        json!({
            "preAuthSessionId": r.body["preAuthSessionId"],
            "deviceId": r.body["deviceId"],
            "userInputCode": message.user_input_code.unwrap(),
        }),
    )
    .await
}

#[tokio::test]
async fn a_sign_in_on_a_tenant_gives_a_user_and_a_session_of_that_tenant() {
    let app = app_with("USER_INPUT_CODE", "EMAIL", |c| c);
    let tenants = app.st.multitenancy();
    let only_email = TenantSettings::new().first_factors(["otp-email"]);
    assert!(
        tenants
            .create_or_update_tenant("customer1", only_email)
            .await
            .unwrap()
    );
    assert!(
        !tenants
            .create_or_update_tenant("customer1", TenantSettings::new())
            .await
            .unwrap()
    );
    let r = app.client.get("/auth/customer1/loginmethods").send().await;
    assert_eq!(r.body["firstFactors"], json!(["otp-email"]), "{}", r.text);

    let r = sign_in_on(&app, "customer1", "a@example.com").await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    assert_eq!(
        r.body["user"]["tenantIds"],
        json!(["customer1"]),
        "{}",
        r.text
    );
    let token = r.header("st-access-token").expect("an access token");
    assert_eq!(tests::jwt::payload(&token)["tId"], "customer1");
    let session = app
        .st
        .session()
        .get_session_information(
            tests::jwt::payload(&token)["sessionHandle"]
                .as_str()
                .unwrap(),
        )
        .await
        .unwrap()
        .expect("the session");
    assert_eq!(session.tenant_id, "customer1");
    // The same address on the public tenant is another user.
    let public = sign_in_on(&app, "public", "a@example.com").await;
    assert_ne!(
        public.body["user"]["id"], r.body["user"]["id"],
        "{}",
        public.text
    );

    // A tenant that allows only SMS codes refuses an e-mail sign-in, as the official SDKs do,
    // and its sign-in page is told that this backend offers it nothing.
    let only_sms = TenantSettings::new().first_factors(["otp-phone"]);
    assert!(
        tenants
            .create_or_update_tenant("phones", only_sms)
            .await
            .unwrap()
    );
    let r = app
        .post(
            "/auth/phones/signinup/code",
            json!({ "email": "b@example.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    let r = app.client.get("/auth/phones/loginmethods").send().await;
    assert_eq!(r.body["passwordless"]["enabled"], false, "{}", r.text);
    assert_eq!(r.body["firstFactors"], json!([]), "{}", r.text);

    let ids: Vec<String> = tenants
        .list_all_tenants()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.tenant_id)
        .collect();
    for id in ["public", "customer1", "phones"] {
        assert!(ids.contains(&id.to_owned()), "{id} in {ids:?}");
    }
    assert!(tenants.delete_tenant("phones").await.unwrap());
    assert!(!tenants.delete_tenant("phones").await.unwrap());
    let r = app
        .post(
            "/auth/phones/signinup/code",
            json!({ "email": "b@example.com" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text);
}

#[tokio::test]
async fn the_embedded_core_can_serve_the_sdk_as_another_app() {
    use supertokens::embedded::{Database, EmbeddedCoreConfig};
    let passwordless = supertokens::passwordless::PasswordlessConfig::new()
        .flow_type("USER_INPUT_CODE".parse().unwrap())
        .contact_method("EMAIL".parse().unwrap());
    let config = supertokens::testing::config()
        .embedded_core(EmbeddedCoreConfig {
            database: Database::Memory,
            app_id: " Shop ".into(),
            ..Default::default()
        })
        .passwordless(passwordless)
        .build()
        .unwrap();
    let st = supertokens::SuperTokens::new(config).unwrap();
    let user = st
        .passwordless()
        .unwrap()
        .sign_in_up(
            "public",
            supertokens::passwordless::Contact::Email("a@example.com".into()),
        )
        .await;
    assert!(user.is_ok(), "{user:?}");
    // The core made the app at start, and the user lives there, not in `public`.
    let core = tests::client::Client::service(st.embedded_core().unwrap().service());
    let apps = core.get("/recipe/multitenancy/app/list/v2").send().await;
    let ids: Vec<&str> = apps.body["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["appId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["public", "shop"], "{}", apps.text);
    let count = |path: &'static str| {
        let core = &core;
        async move { core.get(path).send().await.body["count"].clone() }
    };
    assert_eq!(count("/appid-shop/users/count").await, 1);
    assert_eq!(count("/users/count").await, 0);
}
