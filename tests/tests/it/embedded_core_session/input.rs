//! Bad input and garbage tokens: 400s and refusals in the core's own words.

use http::StatusCode;
use serde_json::json;
use tests::embedded_core::{CoreHarness, Transport};

use super::{cdi_call, create, refresh, regenerate, verify};

tests::both_transports! {
    bad_input_is_a_400_with_the_cores_words, garbage_tokens_are_refused_in_the_cores_terms,
}

async fn bad_input_is_a_400_with_the_cores_words(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "POST",
            "/public/recipe/session",
            "{not json",
            "Invalid Json Input",
        ),
        ("POST", "/public/recipe/session", "[]", "Invalid Json Input"),
        (
            "POST",
            "/public/recipe/session",
            r#"{"userDataInJWT":{},"userDataInDatabase":{},"enableAntiCsrf":false}"#,
            "Field name 'userId' is invalid in JSON input",
        ),
        (
            "POST",
            "/public/recipe/session",
            r#"{"userId":"u","userDataInJWT":[],"userDataInDatabase":{},"enableAntiCsrf":false}"#,
            "Field name 'userDataInJWT' is invalid in JSON input",
        ),
        (
            "POST",
            "/public/recipe/session",
            r#"{"userId":"u","userDataInJWT":{"sub":"x"},"userDataInDatabase":{},"enableAntiCsrf":false}"#,
            "The user payload contains protected field",
        ),
        (
            "POST",
            "/recipe/session/verify",
            r#"{"accessToken":"x","doAntiCsrfCheck":false,"enableAntiCsrf":false}"#,
            "Field name 'checkDatabase' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/refresh",
            r#"{"refreshToken":"x","enableAntiCsrf":false}"#,
            "Field name 'useDynamicSigningKey' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/refresh",
            r#"{"refreshToken":7,"enableAntiCsrf":false,"useDynamicSigningKey":true}"#,
            "Field name 'refreshToken' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/remove",
            "{}",
            "Invalid JSON input - use one of userId or sessionHandles array",
        ),
        (
            "POST",
            "/recipe/session/remove",
            r#"{"userId":"u","sessionHandles":["h"]}"#,
            "Invalid JSON input - use one of userId or sessionHandles array",
        ),
        (
            "GET",
            "/recipe/session",
            "",
            "Field name 'sessionHandle' is missing in GET request",
        ),
        (
            "GET",
            "/recipe/session/user",
            "",
            "Field name 'userId' is missing in GET request",
        ),
        (
            "PUT",
            "/public/recipe/jwt/data",
            r#"{"sessionHandle":"h","userDataInJWT":{"exp":1}}"#,
            "The user payload contains protected field",
        ),
        (
            "PUT",
            "/recipe/session/data",
            r#"{"sessionHandle":"h","userDataInDatabase":"x"}"#,
            "Field name 'userDataInDatabase' is invalid in JSON input",
        ),
        (
            "POST",
            "/recipe/session/regenerate",
            r#"{"userDataInJWT":{}}"#,
            "Field name 'accessToken' is invalid in JSON input",
        ),
    ];
    for (method, path, body, message) in cases {
        let body = (!body.is_empty()).then_some(*body);
        let answer = cdi_call(&core, method, path, body).await;
        // One line, as the real core sends it.
        assert_eq!(
            (answer.status, answer.text.as_str()),
            (StatusCode::BAD_REQUEST, format!("{message}\n").as_str()),
            "{method} {path} {body:?}"
        );
    }
}

async fn garbage_tokens_are_refused_in_the_cores_terms(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    create(&core, "user-15", true, false).await;
    for token in [
        "",
        "abc",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.e30.",
        // a well-formed header with an unknown key id
        "eyJraWQiOiJkLTEiLCJ0eXAiOiJKV1QiLCJ2ZXJzaW9uIjoiNSIsImFsZyI6IlJTMjU2In0.e30.c2ln",
    ] {
        let verified = verify(&core, token, false).await;
        assert_eq!(verified["status"], "TRY_REFRESH_TOKEN", "{token:?}");
        assert!(verified["message"].is_string());
    }
    for token in ["", "abc", "a.b.V2", "x.000000000000000000000000.V2"] {
        assert_eq!(
            refresh(&core, token).await,
            json!({"status": "UNAUTHORISED", "message": "Invalid refresh token"}),
            "{token:?}"
        );
    }
    let regenerated = regenerate(&core, json!({"accessToken": "a.b.c"})).await;
    assert_eq!(regenerated["status"], "UNAUTHORISED");
}
