//! The core as a service: versions, api keys, apps and tenants, bad input, the request log.

use serde_json::{Value, json};
use supertokens::core::cdi::TenantResponse;
use supertokens::embedded::{EmbeddedCore, EmbeddedCoreConfig, RequestLogTarget};
use tests::codes::wrong_user_input_code;
use tests::embedded_core::{CoreHarness, Transport, in_memory};

use super::Harness;

tests::both_transports! {
    service_endpoints_versions_and_errors, api_key_is_required_when_configured,
    unknown_apps_and_tenants, bad_input_is_a_400_never_a_500, request_log_redacts_secrets,
}

async fn service_endpoints_versions_and_errors(t: Transport) {
    let h = Harness::new(t).await;
    assert_eq!(h.raw("GET", "/hello", &[], "").await, (200, "Hello".into()));
    let (status, body) = h.raw("GET", "/apiversion", &[], "").await;
    assert_eq!(status, 200);
    let versions: Value = serde_json::from_str(&body).unwrap();
    let versions = versions["versions"].as_array().unwrap();
    for v in ["5.3", "5.4"] {
        assert!(
            versions.contains(&json!(v)),
            "{v} missing from {versions:?}"
        );
    }
    assert!(!versions.contains(&json!("5.5")) && !versions.contains(&json!("5.6")));
    assert_eq!(h.client.cdi_version().await.unwrap(), "5.4");

    assert_eq!(
        h.raw("GET", "/no/such/path", &[], "").await,
        (404, "Not found\n".into())
    );
    assert_eq!(h.raw("GET", "/public/recipe/nothing", &[], "").await.0, 404);
    assert_eq!(h.raw("GET", "/recipe/signinup/code", &[], "").await.0, 405);
    assert_eq!(h.raw("DELETE", "/user/id?userId=x", &[], "").await.0, 405);

    let v = [("cdi-version", "9.9")];
    assert_eq!(
        h.raw("GET", "/public/recipe/multitenancy/tenant/v2", &v, "")
            .await,
        (400, "cdi-version 9.9 not supported\n".into())
    );
    // /hello and /apiversion need no version; a missing version means the newest.
    assert_eq!(h.raw("GET", "/apiversion", &v, "").await.0, 200);
    let (status, body) = h
        .raw("GET", "/public/recipe/multitenancy/tenant/v2", &[], "")
        .await;
    assert_eq!(status, 200);
    let tenant: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tenant["status"], "OK");
    assert_eq!(tenant["tenantId"], "public");
    assert!(tenant.get("firstFactors").is_none(), "{tenant}");
    assert_eq!(tenant["thirdParty"], json!({"providers": []}));
    for old in ["5.3", "4.0"] {
        let (status, _) = h
            .raw(
                "GET",
                "/public/recipe/multitenancy/tenant/v2",
                &[("cdi-version", old)],
                "",
            )
            .await;
        assert_eq!(status, 200, "cdi-version {old}");
    }
    // Through the client, the typed answer.
    let typed: TenantResponse = h
        .client
        .get(
            "/public/recipe/multitenancy/tenant/v2",
            Some("multitenancy"),
            &[],
        )
        .await
        .unwrap();
    assert!(matches!(typed, TenantResponse::Ok { .. }));
}

async fn api_key_is_required_when_configured(t: Transport) {
    let key = "a-very-secret-key-of-some-length";
    let config = EmbeddedCoreConfig {
        api_key: Some(key.into()),
        ..in_memory()
    };
    let h = Harness::with(t, config).await;
    // The client sends the key: everything works.
    let code = h.create_for_email("key@example.com").await;
    assert_eq!(code.user_input_code.len(), 6);
    // Without it, or with a wrong one: 401.
    assert_eq!(
        h.raw("GET", "/apiversion", &[], "").await,
        (401, "Invalid API key\n".into())
    );
    let wrong_key = [("api-key", "not-the-key")];
    assert_eq!(h.raw("GET", "/apiversion", &wrong_key, "").await.0, 401);
    let almost = [("api-key", "a-very-secret-key-of-some-lengtX")];
    assert_eq!(h.raw("GET", "/apiversion", &almost, "").await.0, 401);
    // Authorization: Bearer <key> and a raw Authorization: <key> are accepted too.
    let bearer = format!("Bearer {key}");
    assert_eq!(
        h.raw("GET", "/apiversion", &[("authorization", &bearer)], "")
            .await
            .0,
        200
    );
    assert_eq!(
        h.raw("GET", "/apiversion", &[("authorization", key)], "")
            .await
            .0,
        200
    );
    assert_eq!(
        h.raw("GET", "/apiversion", &[("api-key", key)], "").await.0,
        200
    );
    // /hello and the JWKS need no key.
    assert_eq!(h.raw("GET", "/hello", &[], "").await.0, 200);
    assert_ne!(h.raw("GET", "/.well-known/jwks.json", &[], "").await.0, 401);
    // A client with another key is refused with the core's message.
    let other = h.client_with_api_key(Some("wrong-key".into()));
    let err = other
        .get::<Value>("/user/id", None, &[("userId", "x")])
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("401") || text.contains("Invalid API key"),
        "{text}"
    );
}

async fn unknown_apps_and_tenants(t: Transport) {
    let h = Harness::new(t).await;
    let v = [("cdi-version", "5.4")];
    let body = r#"{"email":"a@b.com"}"#;
    let (status, text) = h
        .raw("POST", "/appid-other/public/recipe/signinup/code", &v, body)
        .await;
    assert_eq!(status, 400);
    assert!(text.starts_with("AppId or tenantId not found"), "{text}");
    let (status, text) = h
        .raw("POST", "/tenant1/recipe/signinup/code", &v, body)
        .await;
    assert_eq!(status, 400);
    assert!(text.contains("tenant1"), "{text}");
    // The explicit public app and tenant are the defaults.
    assert_eq!(
        h.raw(
            "POST",
            "/appid-public/public/recipe/signinup/code",
            &v,
            body
        )
        .await
        .0,
        200
    );
    assert_eq!(
        h.raw("POST", "/recipe/signinup/code", &v, body).await.0,
        200
    );
    // Looking a tenant up answers TENANT_NOT_FOUND_ERROR rather than failing.
    let missing: Value = h
        .client
        .get(
            "/tenant1/recipe/multitenancy/tenant/v2",
            Some("multitenancy"),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(missing, json!({"status": "TENANT_NOT_FOUND_ERROR"}));
}

async fn bad_input_is_a_400_never_a_500(t: Transport) {
    let h = Harness::new(t).await;
    let v = [("cdi-version", "5.4"), ("rid", "passwordless")];
    let code = h.create_for_email("input@example.com").await;
    let posts = [
        "/public/recipe/signinup/code",
        "/public/recipe/signinup/code/consume",
        "/public/recipe/signinup/code/check",
        "/public/recipe/signinup/code/remove",
        "/public/recipe/signinup/codes/remove",
        "/user/remove",
    ];
    let bodies = [
        "",
        "{",
        "not json",
        "null",
        "false",
        "[]",
        "\"text\"",
        "{}",
        r#"{"email": 5}"#,
        r#"{"email": {}}"#,
        r#"{"phoneNumber": null}"#,
        r#"{"email": "a@b.c", "phoneNumber": "+14155552671"}"#,
        r#"{"deviceId": []}"#,
        r#"{"preAuthSessionId": 1, "linkCode": "x"}"#,
        r#"{"preAuthSessionId": "x"}"#,
        r#"{"preAuthSessionId": "x", "deviceId": "AAAA"}"#,
        r#"{"preAuthSessionId": "x", "linkCode": "abc", "deviceId": "AAAA", "userInputCode": "1"}"#,
        r#"{"userId": 7}"#,
        r#"{"codeId": "a", "preAuthSessionId": "b"}"#,
    ];
    for path in posts {
        for body in bodies {
            let (status, text) = h.raw("POST", path, &v, body).await;
            assert!(
                status == 400 || status == 200,
                "{path} {body}: {status} {text}"
            );
            assert!(!text.contains("panick"), "{text}");
        }
    }
    for body in [
        "{",
        "[]",
        r#"{"recipeUserId": 1}"#,
        r#"{"recipeUserId": "x", "email": 3}"#,
    ] {
        let (status, _) = h.raw("PUT", "/recipe/user", &v, body).await;
        assert_eq!(status, 400, "{body}");
    }
    // Core messages.
    assert_eq!(
        h.raw("POST", "/public/recipe/signinup/code", &v, "{").await,
        (400, "Invalid Json Input\n".into())
    );
    assert_eq!(
        h.raw("POST", "/public/recipe/signinup/code", &v, "{}")
            .await,
        (
            400,
            "Please provide exactly one of email, phoneNumber or deviceId\n".into()
        )
    );
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code",
            &v,
            r#"{"email": 5}"#
        )
        .await,
        (400, "Field name 'email' is invalid in JSON input\n".into())
    );
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code/consume",
            &v,
            r#"{"linkCode": "abc"}"#
        )
        .await,
        (
            400,
            "Field name 'preAuthSessionId' is invalid in JSON input\n".into()
        )
    );
    let mixed = json!({"preAuthSessionId": code.pre_auth_session_id, "linkCode": code.link_code, "deviceId": code.device_id, "userInputCode": code.user_input_code});
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code/consume",
            &v,
            &mixed.to_string()
        )
        .await,
        (
            400,
            "Please provide exactly one of linkCode or deviceId+userInputCode\n".into()
        )
    );
    let mismatch = json!({"preAuthSessionId": "abc", "deviceId": code.device_id, "userInputCode": code.user_input_code});
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code/consume",
            &v,
            &mismatch.to_string()
        )
        .await,
        (400, "preAuthSessionId and deviceId doesn't match\n".into())
    );
    // Unknown fields are accepted (the reference SDKs send some).
    let extra = json!({"email": "extra@example.com", "shouldTryLinkingWithSessionUser": false});
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code",
            &v,
            &extra.to_string()
        )
        .await
        .0,
        200
    );
    // Nothing was half-written by the bad requests: the device is intact and usable.
    let devices = h
        .devices("preAuthSessionId", &code.pre_auth_session_id)
        .await;
    assert_eq!(devices[0].failed_code_input_attempt_count, 0);
    h.consume_right(&code).await;
    // Odd query strings.
    for q in [
        "/user/id?userId",
        "/user/id?userId=%ZZ",
        "/public/recipe/signinup/codes?deviceId=%%",
        "/public/users/count?includeAllTenants=yes",
    ] {
        let (status, _) = h.raw("GET", q, &v, "").await;
        assert!(status == 200 || status == 400, "{q}: {status}");
    }
}

async fn request_log_redacts_secrets(t: Transport) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requests.log");
    let core = EmbeddedCore::open(in_memory())
        .unwrap()
        .with_request_log(RequestLogTarget::File(path.clone()))
        .unwrap();
    let h = Harness(CoreHarness::serve(t, core, None).await);
    let code = h.create_for_email("logged@example.com").await;
    h.consume_typed(&code, &wrong_user_input_code(&code.user_input_code))
        .await;
    h.consume_link(&code.pre_auth_session_id, &code.link_code)
        .await;
    h.devices("deviceId", &code.device_id).await;
    h.raw("GET", "/nowhere", &[("api-key", "some-key")], "")
        .await;
    let log = std::fs::read_to_string(&path).unwrap();
    let secrets = [
        code.user_input_code.clone(),
        wrong_user_input_code(&code.user_input_code),
        code.link_code.clone(),
        code.device_id.clone(),
        "some-key".to_owned(),
    ];
    for secret in secrets {
        assert!(!log.contains(&secret), "secret {secret} in the log:\n{log}");
    }
    // The device id also appears URL-encoded in a query.
    let encoded: String = code
        .device_id
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    assert!(!log.contains(&encoded));
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let create = lines
        .iter()
        .find(|l| l["path"] == "/public/recipe/signinup/code")
        .unwrap();
    assert_eq!(create["method"], "POST");
    assert_eq!(create["status"], 200);
    assert_eq!(create["rid"], "passwordless");
    assert_eq!(create["cdiVersion"], "5.4");
    assert_eq!(create["body"]["email"], "logged@example.com");
    let consume = lines
        .iter()
        .find(|l| l["path"] == "/public/recipe/signinup/code/consume")
        .unwrap();
    assert_eq!(consume["body"]["userInputCode"], "<redacted>");
    assert_eq!(consume["body"]["deviceId"], "<redacted>");
    assert_eq!(
        consume["body"]["preAuthSessionId"],
        code.pre_auth_session_id
    );
    let listing = lines
        .iter()
        .find(|l| l["path"] == "/public/recipe/signinup/codes")
        .unwrap();
    assert_eq!(listing["query"]["deviceId"], "<redacted>");
    let missing = lines.iter().find(|l| l["path"] == "/nowhere").unwrap();
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["apiKey"], true);
}
