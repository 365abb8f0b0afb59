//! Consuming codes: wrong and expired one-time codes with their attempt counts, and magic links.

use std::time::Duration;

use serde_json::{Value, json};
use supertokens::core::cdi::{CheckCodeResponse, ConsumeCodeResponse};
use supertokens::embedded::EmbeddedCoreConfig;
use tests::codes::{wrong_link_code, wrong_user_input_code};
use tests::embedded_core::{Transport, in_memory};
use tests::sign_in::PASSWORDLESS;

use super::{Harness, code_of, status_of};

tests::both_transports! {
    fifth_wrong_code_restarts_the_flow, lowered_maximum_restarts_a_device_over_it,
    expired_code_counts_and_keeps_the_device, link_codes,
}

async fn fifth_wrong_code_restarts_the_flow(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("attempts@example.com").await;
    let bad = wrong_user_input_code(&code.user_input_code);
    for n in 1..=4 {
        assert_eq!(
            h.consume_typed(&code, &bad).await,
            ConsumeCodeResponse::IncorrectUserInputCode {
                failed_code_input_attempt_count: n,
                maximum_code_input_attempts: 5
            }
        );
        let devices = h
            .devices("preAuthSessionId", &code.pre_auth_session_id)
            .await;
        assert_eq!(devices[0].failed_code_input_attempt_count, n);
    }
    assert_eq!(
        h.consume_typed(&code, &bad).await,
        ConsumeCodeResponse::RestartFlow
    );
    assert!(
        h.devices("preAuthSessionId", &code.pre_auth_session_id)
            .await
            .is_empty()
    );
    // The right code is useless now, and so is the link.
    assert_eq!(
        h.consume_typed(&code, &code.user_input_code).await,
        ConsumeCodeResponse::RestartFlow
    );
    assert_eq!(
        h.consume_link(&code.pre_auth_session_id, &code.link_code)
            .await,
        ConsumeCodeResponse::RestartFlow
    );
    // A right code after fewer failures still works and reports them.
    let code = h.create_for_email("attempts@example.com").await;
    h.consume_typed(&code, &wrong_user_input_code(&code.user_input_code))
        .await;
    h.consume_typed(&code, &wrong_user_input_code(&code.user_input_code))
        .await;
    let consumed_device = h.consume_right(&code).await.consumed_device;
    assert_eq!(consumed_device.failed_code_input_attempt_count, 2);
}

async fn lowered_maximum_restarts_a_device_over_it(t: Transport) {
    // A core configured with 2 attempts: the 2nd wrong attempt restarts.
    let h = Harness::with(
        t,
        EmbeddedCoreConfig {
            max_code_input_attempts: 2,
            ..in_memory()
        },
    )
    .await;
    let code = h.create_for_email("two@example.com").await;
    let bad = wrong_user_input_code(&code.user_input_code);
    assert_eq!(
        h.consume_typed(&code, &bad).await,
        ConsumeCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count: 1,
            maximum_code_input_attempts: 2
        }
    );
    assert_eq!(
        h.consume_typed(&code, &bad).await,
        ConsumeCodeResponse::RestartFlow
    );
}

async fn expired_code_counts_and_keeps_the_device(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("late@example.com").await;
    // Just inside the lifetime it works (checked with `check`, which consumes nothing).
    h.core.clock().advance(Duration::from_secs(599));
    let check = h.check(&code.right()).await;
    assert!(matches!(check, CheckCodeResponse::Ok { .. }));
    h.core.clock().advance(Duration::from_secs(2));
    assert_eq!(
        h.consume_typed(&code, &code.user_input_code).await,
        ConsumeCodeResponse::ExpiredUserInputCode {
            failed_code_input_attempt_count: 1,
            maximum_code_input_attempts: 5
        }
    );
    // A wrong code after expiry is simply incorrect (and counts).
    assert_eq!(
        h.consume_typed(&code, &wrong_user_input_code(&code.user_input_code))
            .await,
        ConsumeCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count: 2,
            maximum_code_input_attempts: 5
        }
    );
    // The device is kept: a resend and its new code sign the user in.
    let devices = h.devices("email", "late@example.com").await;
    assert_eq!(devices.len(), 1);
    let resent = code_of(h.resend(&code.device_id, None).await);
    assert_eq!(resent.pre_auth_session_id, code.pre_auth_session_id);
    assert_eq!(resent.device_id, code.device_id);
    assert_ne!(resent.code_id, code.code_id);
    let consumed_device = h.consume_right(&resent).await.consumed_device;
    assert_eq!(consumed_device.failed_code_input_attempt_count, 2);
}

async fn link_codes(t: Transport) {
    let h = Harness::new(t).await;
    // A wrong link code restarts the flow without counting an attempt.
    let code = h.create_for_email("link@example.com").await;
    let forged = wrong_link_code(&code.link_code);
    assert_eq!(
        h.consume_link(&code.pre_auth_session_id, &forged).await,
        ConsumeCodeResponse::RestartFlow
    );
    let devices = h
        .devices("preAuthSessionId", &code.pre_auth_session_id)
        .await;
    assert_eq!(devices[0].failed_code_input_attempt_count, 0);
    // Malformed base64 is a 400.
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code/consume",
            PASSWORDLESS,
            &json!({"preAuthSessionId": code.pre_auth_session_id, "linkCode": "not base64 !!"}),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    // Another device's preAuthSessionId is a 400.
    let other = h.create_for_email("other@example.com").await;
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code/consume",
            PASSWORDLESS,
            &json!({"preAuthSessionId": other.pre_auth_session_id, "linkCode": code.link_code}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        status_of(err),
        (400, "preAuthSessionId and deviceId doesn't match".into())
    );
    // The link works, with or without `=` padding on both ids.
    let padded = format!("{}=", code.link_code);
    let ConsumeCodeResponse::Ok {
        user,
        created_new_user,
        ..
    } = h
        .consume_link(&format!("{}=", code.pre_auth_session_id), &padded)
        .await
    else {
        panic!()
    };
    assert!(created_new_user);
    assert_eq!(user.emails, ["link@example.com"]);
    // An expired link restarts, and does not count.
    let late = h.create_for_email("late-link@example.com").await;
    h.core.clock().advance(Duration::from_secs(601));
    assert_eq!(
        h.consume_link(&late.pre_auth_session_id, &late.link_code)
            .await,
        ConsumeCodeResponse::RestartFlow
    );
    let devices = h
        .devices("preAuthSessionId", &late.pre_auth_session_id)
        .await;
    assert_eq!(devices[0].failed_code_input_attempt_count, 0);
    // The link of a resent code works.
    let resent = code_of(h.resend(&late.device_id, None).await);
    assert!(matches!(
        h.consume_link(&resent.pre_auth_session_id, &resent.link_code)
            .await,
        ConsumeCodeResponse::Ok { .. }
    ));
}
