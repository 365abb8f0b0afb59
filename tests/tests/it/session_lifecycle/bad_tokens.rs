//! Forged, tampered and garbage tokens, and duplicate or legacy cookies: refused with 401 (or the
//! configured answer), never a 500.

use http::HeaderValue;
use serde_json::json;
use supertokens::session::SessionConfig;
use tests::jwt::{decode_segment, encode_segment};

use super::{
    assert_401, assert_nothing_cleared, info_with_cookies, local_app, login_with_cookies,
    login_with_headers, refresh_with_cookies,
};

#[tokio::test]
async fn forged_tampered_and_garbage_tokens_are_401_never_500() {
    let (_st, app) = local_app(SessionConfig::new());
    let login = login_with_headers(&app).await;
    let token = login.header("st-access-token").unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    let header = decode_segment(parts[0]);
    let mut payload = decode_segment(parts[1]);

    // Tampered payload, original signature.
    payload["sub"] = json!("someone-else");
    let tampered = format!("{}.{}.{}", parts[0], encode_segment(&payload), parts[2]);
    // alg none, no signature.
    let mut none_header = header.clone();
    none_header["alg"] = json!("none");
    let alg_none = format!("{}.{}.", encode_segment(&none_header), parts[1]);
    // HS256 "signed" with the public key's kid.
    let mut hs_header = header.clone();
    hs_header["alg"] = json!("HS256");
    let hs256 = format!("{}.{}.{}", encode_segment(&hs_header), parts[1], parts[2]);
    // Wrong kid prefix (static vs dynamic key).
    let mut kid_header = header.clone();
    kid_header["kid"] = json!(format!("s-{}", header["kid"].as_str().unwrap()));
    let wrong_kid = format!("{}.{}.{}", encode_segment(&kid_header), parts[1], parts[2]);
    // Signature of another token.
    let other = login_with_headers(&app)
        .await
        .header("st-access-token")
        .unwrap();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        other.split('.').nth(2).unwrap()
    );

    for (name, bad) in [
        ("tampered", &tampered),
        ("alg none", &alg_none),
        ("HS256", &hs256),
        ("kid", &wrong_kid),
        ("swapped", &swapped),
    ] {
        let r = app.get("/sessioninfo").bearer(bad).send().await;
        assert_eq!(r.status, 401, "{name}");
        assert_eq!(r.body, json!({"message": "try refresh token"}), "{name}");
        let r = info_with_cookies(&app, &format!("sAccessToken={bad}")).await;
        assert_eq!(r.status, 401, "{name} (cookie)");
    }

    // Garbage: unparseable tokens count as no token (401 unauthorised, nothing cleared).
    let huge = "a".repeat(200_000);
    let garbage = [
        "x",
        "a.b.c",
        "...",
        "%%%",
        "eyJhbGciOiJub25lIn0.e30.",
        &huge,
        "\u{0}",
        "Bearer",
    ];
    for g in garbage {
        let bearer = format!("Bearer {g}");
        if HeaderValue::from_str(&bearer).is_err() {
            continue;
        }
        let r = app.get("/sessioninfo").bearer(g).send().await;
        assert_eq!(r.status, 401, "bearer {g:.20}");
        assert_eq!(r.body, json!({"message": "unauthorised"}), "bearer {g:.20}");
        assert_nothing_cleared(&r);
        let cookies = format!("sAccessToken={g}; sRefreshToken={g}");
        if HeaderValue::from_str(&cookies).is_err() {
            continue;
        }
        let r = info_with_cookies(&app, &cookies).await;
        assert_eq!(r.status, 401, "cookie {g:.20}");
        let r = refresh_with_cookies(&app, &cookies).await;
        assert_eq!(r.status, 401, "refresh with cookie {g:.20}: {:?}", r.body);
        let r = app
            .post("/auth/session/refresh")
            .header("authorization", format!("Bearer {g:.2000}"))
            .send()
            .await;
        assert_eq!(r.status, 401, "refresh with bearer {g:.20}: {:?}", r.body);
    }
    // Bytes that are not UTF-8 in the cookie header.
    let r = app
        .get("/sessioninfo")
        .header(
            "cookie",
            HeaderValue::from_bytes(b"sAccessToken=\xff\xfe").unwrap(),
        )
        .send()
        .await;
    assert_eq!(r.status, 401);
    // A foreign bearer token does not break cookie auth.
    let (_, at, _) = login_with_cookies(&app).await;
    let r = app
        .get("/sessioninfo")
        .header("authorization", "Bearer not-a-supertokens-token")
        .cookie(&format!("sAccessToken={at}"))
        .send()
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn duplicate_and_legacy_cookies() {
    let (_st, app) = local_app(SessionConfig::new());
    let (_, at, rt) = login_with_cookies(&app).await;

    let r = info_with_cookies(&app, &format!("sAccessToken={at}; sAccessToken={at}")).await;
    assert_401(&r, "try refresh token");

    // Duplicate refresh cookies without older_cookie_domain: a server-side configuration problem.
    let r = refresh_with_cookies(&app, &format!("sRefreshToken={rt}; sRefreshToken=old")).await;
    assert_eq!(r.status, 500);
    assert_eq!(r.body, json!({"message": "internal error"}));

    // With older_cookie_domain: the old-domain cookie is cleared, 200 with a message.
    let (_st, app) = local_app(SessionConfig::new().older_cookie_domain(".localhost.org"));
    let r = refresh_with_cookies(&app, "sRefreshToken=a; sRefreshToken=b").await;
    assert_eq!(r.status, 200);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("multiple session cookies"),
        "{:?}",
        r.body
    );
    let cleared = r.cookie("sRefreshToken").unwrap();
    assert!(
        cleared.contains("Domain=localhost.org") && cleared.contains("1970"),
        "{cleared}"
    );

    // The legacy cookie: verification asks for a refresh; refresh clears it.
    let (_, at, rt) = login_with_cookies(&app).await;
    let r = info_with_cookies(&app, &format!("sAccessToken={at}; sIdRefreshToken=x")).await;
    assert_401(&r, "try refresh token");
    let r = refresh_with_cookies(&app, &format!("sRefreshToken={rt}; sIdRefreshToken=x")).await;
    assert_eq!(r.status, 200);
    let legacy = r.cookie("sIdRefreshToken").expect("legacy cookie cleared");
    assert!(legacy.contains("1970"), "{legacy}");
}

/// A legacy (v2) access token as the core issued them: every part in standard base64, the header
/// padded. The SDK holds no v2 signing key, so it cannot verify one; like any token it cannot
/// verify with the current keys, it asks for a refresh rather than logging the user out.
#[tokio::test]
async fn a_v2_access_token_asks_for_a_refresh() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    let (_st, app) = local_app(SessionConfig::new());
    let header = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIyIn0=";
    assert_eq!(
        STANDARD.decode(header).unwrap(),
        br#"{"alg":"RS256","typ":"JWT","version":"2"}"#
    );
    let in_an_hour = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
        + 3_600_000;
    // `userData` chosen so that the payload's base64 holds `+`, `/` and padding.
    let payload = STANDARD.encode(
        json!({
            "sessionHandle": "3f1c2a5e-0000-4000-8000-000000000001",
            "userId": "user-1",
            "refreshTokenHash1": "a1b2",
            "parentRefreshTokenHash1": null,
            "userData": {"note": "??>>~~"},
            "antiCsrfToken": null,
            "expiryTime": in_an_hour,
            "timeCreated": in_an_hour - 3_600_000,
        })
        .to_string(),
    );
    let signature = STANDARD.encode([0xfb_u8, 0xff, 0xbe, 0x3e, 0x7f, 0x01, 0x02]);
    assert!(payload.contains(['+', '/']) && signature.contains(['+', '/', '=']));
    let v2 = format!("{header}.{payload}.{signature}");

    let r = app.get("/sessioninfo").bearer(&v2).send().await;
    assert_401(&r, "try refresh token");
    let r = info_with_cookies(&app, &format!("sAccessToken={v2}")).await;
    assert_401(&r, "try refresh token");
}
