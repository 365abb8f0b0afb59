//! Access and refresh tokens: what create issues, the refresh rotation with promotion and theft
//! detection, expiry, and anti-CSRF tokens.

use std::time::Duration;

use serde_json::{Value, json};
use tests::embedded_core::{CoreHarness, Transport};
use tests::jwt::{header_text, kid, payload};

use super::{DAY, HOUR, access, create, get, handle, info, post, refresh, refresh_of, verify};

tests::both_transports! {
    create_issues_a_v5_token_and_an_opaque_refresh_token,
    refresh_issues_a_child_token_and_verify_promotes_it,
    theft_s1_r1_s2_r1_reusing_the_parent_after_the_child_was_verified,
    theft_s1_r1_r2_r1_reusing_the_parent_after_the_child_was_refreshed,
    an_access_token_of_the_grandparent_refresh_token_verifies_without_rolling_back,
    create_verify_refresh_verify_refresh, tokens_expire,
    anti_csrf_tokens_are_issued_and_checked,
}

async fn create_issues_a_v5_token_and_an_opaque_refresh_token(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let before = core.clock().now_ms();
    let created = create(&core, "user-1", true, false).await;
    assert_eq!(created["status"], "OK");
    assert!(
        created.get("antiCsrfToken").is_none(),
        "omitted when disabled"
    );

    let session = &created["session"];
    let handle = session["handle"].as_str().unwrap();
    assert_eq!(handle.len(), 36, "a UUID: {handle}");
    assert_eq!(&handle[14..15], "4", "UUID v4: {handle}");
    assert_eq!(session["userId"], "user-1");
    assert_eq!(session["recipeUserId"], "user-1");
    assert_eq!(session["tenantId"], "public");
    assert_eq!(
        session["userDataInJWT"],
        json!({"iss": "https://api.example.com/auth", "role": "admin"})
    );

    let token = access(&created);
    let header = header_text(&token);
    let kid = kid(&token);
    assert!(kid.starts_with("d-"), "{kid}");
    assert_eq!(
        header,
        format!(r#"{{"kid":"{kid}","typ":"JWT","version":"5","alg":"RS256"}}"#)
    );

    let claims = payload(&token);
    for (name, kind) in [
        ("sub", "string"),
        ("rsub", "string"),
        ("sessionHandle", "string"),
        ("refreshTokenHash1", "string"),
        ("tId", "string"),
    ] {
        assert!(claims[name].is_string(), "{name} should be a {kind}");
    }
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["sessionHandle"], handle);
    assert_eq!(claims["tId"], "public");
    assert!(claims["parentRefreshTokenHash1"].is_null());
    assert!(claims["antiCsrfToken"].is_null());
    assert_eq!(claims["iss"], "https://api.example.com/auth");
    assert_eq!(claims["role"], "admin");
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 3600);
    assert!(iat * 1000 >= before - 1000 && iat * 1000 <= core.clock().now_ms());
    assert_eq!(created["accessToken"]["expiry"], exp * 1000);
    assert_eq!(created["accessToken"]["createdTime"], iat * 1000);

    let rt = refresh_of(&created);
    assert!(rt.ends_with(".V2"), "{rt}");
    let rt_created = created["refreshToken"]["createdTime"].as_i64().unwrap();
    assert_eq!(
        created["refreshToken"]["expiry"].as_i64().unwrap() - rt_created,
        100 * 86_400_000
    );

    let verified = verify(&core, &token, true).await;
    assert_eq!(verified["status"], "OK");
    assert!(verified.get("accessToken").is_none());
    assert_eq!(verified["session"]["handle"], handle);
    assert_eq!(verified["session"]["userId"], "user-1");
    assert_eq!(verified["session"]["recipeUserId"], "user-1");
    assert_eq!(
        verified["session"]["userDataInJWT"],
        json!({"iss": "https://api.example.com/auth", "role": "admin"}),
        "custom claims only"
    );
}

async fn refresh_issues_a_child_token_and_verify_promotes_it(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-1", true, false).await;
    let (at0, rt0) = (access(&created), refresh_of(&created));

    let refreshed = refresh(&core, &rt0).await;
    assert_eq!(refreshed["status"], "OK");
    assert_eq!(handle(&refreshed), handle(&created));
    let (at1, rt1) = (access(&refreshed), refresh_of(&refreshed));
    assert_ne!(rt1, rt0);
    assert!(rt1.ends_with(".V2"));
    let claims1 = payload(&at1);
    assert_eq!(
        claims1["parentRefreshTokenHash1"],
        payload(&at0)["refreshTokenHash1"],
        "the child token names its parent"
    );
    assert_ne!(
        claims1["refreshTokenHash1"],
        claims1["parentRefreshTokenHash1"]
    );
    assert_eq!(claims1["role"], "admin", "custom claims carried over");

    // Until the child is used, the parent is still the session's token: refreshing with it again
    // is not theft.
    let again = refresh(&core, &rt0).await;
    assert_eq!(again["status"], "OK");

    // First use of the child's access token promotes the child and returns a clean token.
    let promoted = verify(&core, &at1, false).await;
    assert_eq!(promoted["status"], "OK");
    let at1b = access(&promoted);
    let claims1b = payload(&at1b);
    assert!(claims1b["parentRefreshTokenHash1"].is_null());
    assert_eq!(claims1b["refreshTokenHash1"], claims1["refreshTokenHash1"]);
    assert_eq!(claims1b["sessionHandle"], claims1["sessionHandle"]);
    assert_eq!(
        promoted["accessToken"]["expiry"],
        claims1b["exp"].as_i64().unwrap() * 1000
    );
    // The promoted token needs no more promotion.
    assert!(
        verify(&core, &at1b, false)
            .await
            .get("accessToken")
            .is_none()
    );

    // The child keeps working as the new parent.
    let next = refresh(&core, &rt1).await;
    assert_eq!(next["status"], "OK");
}

async fn theft_s1_r1_s2_r1_reusing_the_parent_after_the_child_was_verified(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-7", true, false).await;
    let rt0 = refresh_of(&created);
    let refreshed = refresh(&core, &rt0).await;
    verify(&core, &access(&refreshed), false).await;

    let theft = refresh(&core, &rt0).await;
    assert_eq!(
        theft,
        json!({
            "status": "TOKEN_THEFT_DETECTED",
            "session": {"handle": handle(&created), "userId": "user-7", "recipeUserId": "user-7"}
        })
    );
    // The core reports, it does not revoke: the session and its current token remain.
    let rt1 = refresh_of(&refreshed);
    assert_eq!(refresh(&core, &rt1).await["status"], "OK");
}

async fn theft_s1_r1_r2_r1_reusing_the_parent_after_the_child_was_refreshed(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-8", true, false).await;
    let rt0 = refresh_of(&created);
    let rt1 = refresh_of(&refresh(&core, &rt0).await);
    let second = refresh(&core, &rt1).await;
    assert_eq!(second["status"], "OK");
    assert_eq!(
        payload(&access(&second))["parentRefreshTokenHash1"],
        payload(&access(&refresh(&core, &rt1).await))["parentRefreshTokenHash1"],
        "after promotion the child is the parent, and may be refreshed again"
    );

    let theft = refresh(&core, &rt0).await;
    assert_eq!(theft["status"], "TOKEN_THEFT_DETECTED");
    assert_eq!(theft["session"]["handle"], handle(&created));
    assert_eq!(theft["session"]["userId"], "user-8");
    assert_eq!(theft["session"]["recipeUserId"], "user-8");
}

async fn an_access_token_of_the_grandparent_refresh_token_verifies_without_rolling_back(
    transport: Transport,
) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-9", true, false).await;
    let r1 = refresh(&core, &refresh_of(&created)).await;
    let at1 = access(&r1);
    verify(&core, &at1, false).await; // promotes RT1
    let r2 = refresh(&core, &refresh_of(&r1)).await;
    let promoted = verify(&core, &access(&r2), false).await; // promotes RT2
    assert!(promoted.get("accessToken").is_some());

    // AT1 belongs to RT1, whose parent (RT0) is now the grandparent: still a valid token until it
    // expires, but it neither promotes nor is re-issued.
    let old = verify(&core, &at1, false).await;
    assert_eq!(old["status"], "OK");
    assert!(old.get("accessToken").is_none());
    // The database still holds RT2: refreshing with it works, with RT1 is theft.
    assert_eq!(refresh(&core, &refresh_of(&r2)).await["status"], "OK");
    assert_eq!(
        refresh(&core, &refresh_of(&r1)).await["status"],
        "TOKEN_THEFT_DETECTED"
    );
}

async fn create_verify_refresh_verify_refresh(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let mut answer = create(&core, "user-10", true, false).await;
    for round in 0..4 {
        let verified = verify(&core, &access(&answer), false).await;
        assert_eq!(verified["status"], "OK", "round {round}");
        let next = refresh(&core, &refresh_of(&answer)).await;
        assert_eq!(next["status"], "OK", "round {round}");
        assert_eq!(handle(&next), handle(&answer));
        answer = next;
    }
}

async fn tokens_expire(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-12", true, false).await;
    let token = access(&created);
    core.clock().advance(HOUR + Duration::from_secs(1));
    assert_eq!(
        verify(&core, &token, false).await,
        json!({"status": "TRY_REFRESH_TOKEN", "message": "Access token expired"})
    );
    // The refresh token still works and gives a fresh access token.
    let refreshed = refresh(&core, &refresh_of(&created)).await;
    assert_eq!(refreshed["status"], "OK");
    let fresh = access(&refreshed);
    assert_eq!(verify(&core, &fresh, false).await["status"], "OK");

    // After the refresh-token validity (100 days) without use, the session is gone.
    let other = create(&core, "user-12", true, false).await;
    core.clock().advance(100 * DAY + Duration::from_millis(1));
    assert_eq!(
        refresh(&core, &refresh_of(&other)).await,
        json!({"status": "UNAUTHORISED", "message": "Session missing in db or has expired"})
    );
    assert_eq!(info(&core, &handle(&other)).await["status"], "UNAUTHORISED");
    assert_eq!(
        get(&core, "/recipe/session/user?userId=user-12").await["sessionHandles"],
        json!([])
    );
    // A new session after the clean-up works as usual.
    let later = create(&core, "user-12", true, false).await;
    assert_eq!(verify(&core, &access(&later), true).await["status"], "OK");
}

async fn anti_csrf_tokens_are_issued_and_checked(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-11", true, true).await;
    let csrf = created["antiCsrfToken"].as_str().unwrap().to_owned();
    assert_eq!(csrf.len(), 36);
    let token = access(&created);
    assert_eq!(payload(&token)["antiCsrfToken"], csrf);

    let check = |given: Option<&str>, do_check: bool| {
        let mut body = json!({"accessToken": token, "doAntiCsrfCheck": do_check,
                              "enableAntiCsrf": true, "checkDatabase": false});
        if let Some(given) = given {
            body["antiCsrfToken"] = json!(given);
        }
        body
    };
    let verify_with = |body: Value| {
        let core = core.clone();
        async move { post(&core, "/recipe/session/verify", body).await }
    };
    assert_eq!(verify_with(check(Some(&csrf), true)).await["status"], "OK");
    assert_eq!(
        verify_with(check(Some("wrong"), true)).await,
        json!({"status": "TRY_REFRESH_TOKEN", "message": "anti-csrf check failed"})
    );
    assert_eq!(
        verify_with(check(None, true)).await["status"],
        "TRY_REFRESH_TOKEN"
    );
    assert_eq!(verify_with(check(None, false)).await["status"], "OK");

    let rt = refresh_of(&created);
    let wrong = post(
        &core,
        "/recipe/session/refresh",
        json!({"refreshToken": rt, "antiCsrfToken": "wrong", "enableAntiCsrf": true, "useDynamicSigningKey": true}),
    )
    .await;
    assert_eq!(
        wrong,
        json!({"status": "UNAUTHORISED", "message": "Anti CSRF token missing, or not matching"})
    );
    let right = post(
        &core,
        "/recipe/session/refresh",
        json!({"refreshToken": rt, "antiCsrfToken": csrf, "enableAntiCsrf": true, "useDynamicSigningKey": true}),
    )
    .await;
    assert_eq!(right["status"], "OK");
    let new_csrf = right["antiCsrfToken"].as_str().unwrap();
    assert_ne!(new_csrf, csrf);
    assert_eq!(payload(&access(&right))["antiCsrfToken"], new_csrf);
}
