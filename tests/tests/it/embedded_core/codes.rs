//! Codes and devices: their formats, custom codes and resends, listing and removing them,
//! checking a code, and the sweep of expired devices.

use std::time::Duration;

use serde_json::{Value, json};
use supertokens::core::cdi::{
    CheckCodeResponse, ConsumeCodeResponse, CreateCodeRequest, CreateCodeResponse, OkResponse,
    UsersByAccountInfoResponse,
};
use supertokens::embedded::EmbeddedCoreConfig;
use tests::codes::wrong_user_input_code;
use tests::embedded_core::{Transport, in_memory};
use tests::sign_in::PASSWORDLESS;

use super::{Harness, code_of, status_of};

tests::both_transports! {
    codes_have_the_core_formats, code_reuse_and_resend,
    consume_deletes_every_device_of_the_contact, check_code_counts_but_consumes_nothing,
    removing_and_listing_codes, expired_devices_are_swept_lazily,
}

async fn codes_have_the_core_formats(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("format@example.com").await;
    let std_b64 = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    };
    let url_b64 = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    };
    assert_eq!(code.device_id.len(), 44);
    assert!(code.device_id.ends_with('=') && std_b64(&code.device_id));
    assert_eq!(code.pre_auth_session_id.len(), 43);
    assert!(url_b64(&code.pre_auth_session_id));
    assert_eq!(code.link_code.len(), 43);
    assert!(url_b64(&code.link_code));
    assert_eq!(code.user_input_code.len(), 6);
    assert!(code.user_input_code.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(code.code_id.len(), 36);
    assert_eq!(code.code_lifetime, 600_000, "10 minutes by default");
    let now = h.core.clock().now_ms();
    assert!((now - code.time_created).abs() < 5_000);
    // Fresh randomness each time.
    let again = h.create_for_email("format@example.com").await;
    assert_ne!(again.device_id, code.device_id);
    assert_ne!(again.link_code, code.link_code);
    // The listing never shows a code, only ids and times (timeCreated is a number).
    let (_, listed) = h
        .raw(
            "GET",
            &format!(
                "/public/recipe/signinup/codes?preAuthSessionId={}",
                code.pre_auth_session_id
            ),
            &[],
            "",
        )
        .await;
    assert!(!listed.contains(&code.user_input_code) && !listed.contains(&code.link_code));
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert!(listed["devices"][0]["codes"][0]["timeCreated"].is_i64());
    // A configured lifetime is reported.
    let short = Harness::with(
        t,
        EmbeddedCoreConfig {
            code_lifetime: Duration::from_secs(90),
            ..in_memory()
        },
    )
    .await;
    assert_eq!(short.create_for_email("x@y.z").await.code_lifetime, 90_000);
}

async fn code_reuse_and_resend(t: Transport) {
    let h = Harness::new(t).await;
    let code = code_of(
        h.create(&CreateCodeRequest {
            email: Some("reuse@example.com".into()),
            user_input_code: Some("123456".into()),
            ..Default::default()
        })
        .await,
    );
    assert_eq!(code.user_input_code, "123456");
    assert_eq!(
        h.resend(&code.device_id, Some("123456")).await,
        CreateCodeResponse::UserInputCodeAlreadyUsed
    );
    // Another custom code on the same device is fine; both codes are live.
    let second = code_of(h.resend(&code.device_id, Some("654321")).await);
    assert_eq!(second.pre_auth_session_id, code.pre_auth_session_id);
    let devices = h.devices("deviceId", &code.device_id).await;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].codes.len(), 2);
    // The same custom code on another device is fine too.
    let other = h
        .create(&CreateCodeRequest {
            email: Some("reuse2@example.com".into()),
            user_input_code: Some("123456".into()),
            ..Default::default()
        })
        .await;
    assert!(matches!(other, CreateCodeResponse::Ok { .. }));
    // The first code still signs in.
    assert!(matches!(
        h.consume_typed(&code, "123456").await,
        ConsumeCodeResponse::Ok { .. }
    ));
    // The device is gone: a resend restarts, and so does an unknown device.
    assert_eq!(
        h.resend(&code.device_id, None).await,
        CreateCodeResponse::RestartFlow
    );
    let unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_eq!(
        h.resend(unknown, None).await,
        CreateCodeResponse::RestartFlow
    );
    // Undecodable device ids and empty codes are 400s.
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code",
            PASSWORDLESS,
            &json!({"deviceId": "%%%"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        status_of(err),
        (400, "Input encoding error in deviceId".into())
    );
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code",
            PASSWORDLESS,
            &json!({"email": "a@b.c", "userInputCode": ""}),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
}

async fn consume_deletes_every_device_of_the_contact(t: Transport) {
    let h = Harness::new(t).await;
    let first = h.create_for_email("many@example.com").await;
    let second = h.create_for_email("Many@Example.com").await;
    let bystander = h.create_for_email("bystander@example.com").await;
    assert_eq!(h.devices("email", "many@example.com").await.len(), 2);
    h.consume_right(&second).await;
    assert!(h.devices("email", "many@example.com").await.is_empty());
    assert_eq!(
        h.consume_typed(&first, &first.user_input_code).await,
        ConsumeCodeResponse::RestartFlow
    );
    assert_eq!(h.devices("email", "bystander@example.com").await.len(), 1);
    h.consume_right(&bystander).await;
}

async fn check_code_counts_but_consumes_nothing(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("check@example.com").await;
    let check = async |typed: &str| h.check(&code.typed(typed)).await;
    assert_eq!(
        check(&wrong_user_input_code(&code.user_input_code)).await,
        CheckCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count: 1,
            maximum_code_input_attempts: 5
        }
    );
    let CheckCodeResponse::Ok { consumed_device } = check(&code.user_input_code).await else {
        panic!()
    };
    assert_eq!(consumed_device.failed_code_input_attempt_count, 1);
    assert_eq!(consumed_device.email.as_deref(), Some("check@example.com"));
    // Nothing was consumed and no user exists yet.
    let users: UsersByAccountInfoResponse = h
        .client
        .get(
            "/public/users/by-accountinfo",
            None,
            &[
                ("email", "check@example.com"),
                ("doUnionOfAccountInfo", "false"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(users, UsersByAccountInfoResponse::Ok { users: vec![] });
    let created_new_user = h.consume_right(&code).await.created_new_user;
    assert!(created_new_user);
}

async fn removing_and_listing_codes(t: Transport) {
    let h = Harness::new(t).await;
    let a = h.create_for_email("list@example.com").await;
    let a2 = code_of(h.resend(&a.device_id, None).await);
    let b = h.create_for_phone("+14155550000").await;
    // Listing by each key.
    assert_eq!(h.devices("email", "LIST@example.com").await.len(), 1);
    assert_eq!(h.devices("phoneNumber", "+1 415 555 0000").await.len(), 1);
    let by_device = h.devices("deviceId", &a.device_id).await;
    assert_eq!(by_device.len(), 1);
    assert_eq!(by_device[0].pre_auth_session_id, a.pre_auth_session_id);
    let ids: Vec<_> = by_device[0]
        .codes
        .iter()
        .map(|c| c.code_id.clone())
        .collect();
    assert!(ids.contains(&a.code_id) && ids.contains(&a2.code_id));
    assert_eq!(by_device[0].codes[0].code_lifetime, 600_000);
    assert!(
        h.devices("preAuthSessionId", "nothing-here")
            .await
            .is_empty()
    );
    // Exactly one key.
    let err = h
        .client
        .get::<Value>(
            "/public/recipe/signinup/codes",
            PASSWORDLESS,
            &[("email", "list@example.com"), ("phoneNumber", "+1")],
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    let err = h
        .client
        .get::<Value>("/public/recipe/signinup/codes", PASSWORDLESS, &[])
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    // Removing one code leaves the device with the other; removing that removes the device.
    let remove = async |path: &str, body: Value| {
        h.client
            .post::<_, OkResponse>(path, PASSWORDLESS, &body)
            .await
    };
    let (one, all) = (
        "/public/recipe/signinup/code/remove",
        "/public/recipe/signinup/codes/remove",
    );
    let removed = remove(one, json!({"codeId": a.code_id})).await;
    assert_eq!(removed.unwrap(), OkResponse::Ok);
    assert!(matches!(
        h.consume_typed(&a, &a.user_input_code).await,
        ConsumeCodeResponse::IncorrectUserInputCode { .. }
    ));
    assert_eq!(h.devices("deviceId", &a.device_id).await[0].codes.len(), 1);
    remove(one, json!({"codeId": a2.code_id})).await.unwrap();
    assert!(h.devices("deviceId", &a.device_id).await.is_empty());
    // By preAuthSessionId: the whole device.
    let by_device = json!({"preAuthSessionId": b.pre_auth_session_id});
    remove(one, by_device).await.unwrap();
    assert!(h.devices("phoneNumber", "+14155550000").await.is_empty());
    // codes/remove by contact.
    h.create_for_email("gone@example.com").await;
    h.create_for_email("gone@example.com").await;
    remove(all, json!({"email": " GONE@example.com"}))
        .await
        .unwrap();
    assert!(h.devices("email", "gone@example.com").await.is_empty());
    for (path, body) in [
        (all, json!({})),
        (all, json!({"email": "a@b.c", "phoneNumber": "+1"})),
        (one, json!({})),
    ] {
        let err = remove(path, body).await.unwrap_err();
        assert_eq!(status_of(err).0, 400, "{path}");
    }
}

async fn expired_devices_are_swept_lazily(t: Transport) {
    let h = Harness::new(t).await;
    let old = h.create_for_email("old@example.com").await;
    // One lifetime later the device is kept (a resend may still follow an expired code)...
    h.core.clock().advance(Duration::from_secs(11 * 60));
    h.create_for_email("trigger@example.com").await;
    assert_eq!(
        h.devices("preAuthSessionId", &old.pre_auth_session_id)
            .await
            .len(),
        1
    );
    // ...and after a further lifetime it is swept on the next code creation.
    h.core.clock().advance(Duration::from_secs(11 * 60));
    h.create_for_email("trigger2@example.com").await;
    assert!(
        h.devices("preAuthSessionId", &old.pre_auth_session_id)
            .await
            .is_empty()
    );
    assert_eq!(h.devices("email", "trigger2@example.com").await.len(), 1);
}
