//! `POST /signinup/code/consume`: signs in with a code or a magic link, and creates the session.

use axum::extract::State;
use axum::response::IntoResponse;
use http::HeaderMap;
use serde_json::{Map, Value, json};
use supertokens_rules::passwordless::FlowType;

use super::context::{Ctx, check_first_factor};
use super::error::{ApiError, ApiResult, bad};
use super::input::{ApiPost, check_linking_flag, string_field};
use crate::core::CoreError;
use crate::core::cdi::{ConsumeCodeRequest, ConsumeCodeResponse, User};
use crate::recipe::passwordless::functions::CodesFilter;

/// The highest version in an `fdi-version` header (`None` when absent or unreadable: latest).
fn fdi_version(headers: &HeaderMap) -> Option<Vec<u32>> {
    let raw = headers.get("fdi-version")?.to_str().ok()?;
    raw.split(',')
        .filter_map(|v| {
            v.trim()
                .split('.')
                .map(|n| n.parse::<u32>().ok())
                .collect::<Option<Vec<u32>>>()
        })
        .max()
}

/// Whether the consume response takes the pre-account-linking shape (`createdNewUser`): FDI
/// before 1.18, and the 2.x line.
fn legacy_consume_shape(version: Option<&[u32]>) -> bool {
    match version {
        None => false,
        Some(v) => v < [1, 18].as_slice() || (v >= [2].as_slice() && v < [3].as_slice()),
    }
}

fn legacy_user(user: &User, recipe_user_id: &str) -> Value {
    let method = user
        .login_methods
        .iter()
        .find(|m| m.recipe_user_id == recipe_user_id)
        .or_else(|| user.login_methods.first());
    let mut out = Map::new();
    out.insert("id".into(), Value::String(user.id.clone()));
    out.insert(
        "timeJoined".into(),
        json!(method.map_or(user.time_joined, |m| m.time_joined)),
    );
    if let Some(email) = method.and_then(|m| m.email.clone()) {
        out.insert("email".into(), Value::String(email));
    }
    if let Some(phone) = method.and_then(|m| m.phone_number.clone()) {
        out.insert("phoneNumber".into(), Value::String(phone));
    }
    Value::Object(out)
}

pub(super) async fn consume_code(State(ctx): State<Ctx>, post: ApiPost) -> ApiResult {
    let (tenant_id, parts, body) = (post.tenant_id, post.parts, post.body);
    let pre_auth_session_id = string_field(&body, "preAuthSessionId")?;
    let link_code = string_field(&body, "linkCode")?;
    let device_id = string_field(&body, "deviceId")?;
    let user_input_code = string_field(&body, "userInputCode")?;
    check_linking_flag(&body)?;
    let Some(pre_auth_session_id) = pre_auth_session_id else {
        return Err(bad("Please provide preAuthSessionId"));
    };
    const ONE_OF: &str =
        "Please provide one of (linkCode) or (deviceId+userInputCode) and not both";
    if link_code.is_some() && (device_id.is_some() || user_input_code.is_some()) {
        return Err(bad(ONE_OF));
    }
    if device_id.is_some() != user_input_code.is_some() {
        return Err(bad("Please provide both deviceId and userInputCode"));
    }
    if link_code.is_none() && device_id.is_none() {
        return Err(bad(ONE_OF));
    }
    let recipe = &ctx.recipe;
    match recipe.inner.flow {
        FlowType::MagicLink if link_code.is_none() => {
            return Err(bad(
                "Please provide a linkCode: the flowType is \"MAGIC_LINK\", so one-time codes are not accepted",
            ));
        }
        FlowType::UserInputCode if link_code.is_some() => {
            return Err(bad(
                "Please provide deviceId and userInputCode: the flowType is \"USER_INPUT_CODE\", so magic links are not accepted",
            ));
        }
        _ => {}
    }
    let kind = if link_code.is_some() { "link-" } else { "otp-" };
    check_first_factor(&ctx, &tenant_id, |f| f.starts_with(kind)).await?;
    if recipe
        .device(
            &tenant_id,
            CodesFilter::PreAuthSessionId(pre_auth_session_id.clone()),
        )
        .await?
        .is_none()
    {
        return Err(ApiError::Status("RESTART_FLOW_ERROR"));
    }
    let request = ConsumeCodeRequest {
        pre_auth_session_id,
        link_code,
        device_id,
        user_input_code,
    };
    let response = match recipe.consume_code(&tenant_id, request).await {
        Ok(r) => r,
        // The core's 400s are about the input (ids of different devices, malformed base64).
        Err(CoreError::Status {
            status: 400, body, ..
        }) => return Err(bad(body.trim().to_owned())),
        Err(e) => return Err(e.into()),
    };
    match response {
        ConsumeCodeResponse::Ok {
            created_new_user,
            user,
            recipe_user_id,
            ..
        } => {
            let (_session, changes) = ctx
                .session
                .create_new_session(
                    &parts.headers,
                    &tenant_id,
                    &recipe_user_id,
                    Map::new(),
                    Map::new(),
                )
                .await
                .map_err(|e| ApiError::Session(Box::new(e)))?;
            let body = if legacy_consume_shape(fdi_version(&parts.headers).as_deref()) {
                json!({
                    "status": "OK",
                    "createdNewUser": created_new_user,
                    "user": legacy_user(&user, &recipe_user_id),
                })
            } else {
                json!({
                    "status": "OK",
                    "createdNewRecipeUser": created_new_user,
                    "user": user,
                })
            };
            let mut response = axum::Json(body).into_response();
            changes.apply(&mut response);
            Ok(response)
        }
        ConsumeCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count,
            maximum_code_input_attempts,
        } => Ok(axum::Json(json!({
            "status": "INCORRECT_USER_INPUT_CODE_ERROR",
            "failedCodeInputAttemptCount": failed_code_input_attempt_count,
            "maximumCodeInputAttempts": maximum_code_input_attempts,
        }))
        .into_response()),
        ConsumeCodeResponse::ExpiredUserInputCode {
            failed_code_input_attempt_count,
            maximum_code_input_attempts,
        } => Ok(axum::Json(json!({
            "status": "EXPIRED_USER_INPUT_CODE_ERROR",
            "failedCodeInputAttemptCount": failed_code_input_attempt_count,
            "maximumCodeInputAttempts": maximum_code_input_attempts,
        }))
        .into_response()),
        ConsumeCodeResponse::RestartFlow => Err(ApiError::Status("RESTART_FLOW_ERROR")),
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn fdi_versions_choose_the_consume_shape() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert("fdi-version", HeaderValue::from_str(v).unwrap());
            fdi_version(&m)
        };
        assert_eq!(h("3.1,4.0,4.1,4.2"), Some(vec![4, 2]));
        assert_eq!(h("1.10,1.9"), Some(vec![1, 10]));
        assert!(!legacy_consume_shape(None));
        assert!(!legacy_consume_shape(h("3.1,4.0").as_deref()));
        assert!(!legacy_consume_shape(h("1.18").as_deref()));
        assert!(!legacy_consume_shape(h("1.19").as_deref()));
        assert!(legacy_consume_shape(h("1.17").as_deref()));
        assert!(legacy_consume_shape(h("1.16,1.17").as_deref()));
        assert!(legacy_consume_shape(h("2.0").as_deref()));
        assert!(!legacy_consume_shape(h("3.0").as_deref()));
    }

    proptest::proptest! {
        #[test]
        fn any_fdi_version_header_reads_without_panicking(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            let mut m = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_bytes(&bytes) {
                m.insert("fdi-version", v);
            }
            let _ = legacy_consume_shape(fdi_version(&m).as_deref());
        }

        #[test]
        fn the_highest_fdi_version_wins(
            versions in proptest::collection::vec((0_u32..20, 0_u32..30), 1..6),
            junk in "[a-z ]{0,5}",
        ) {
            let mut list: Vec<String> =
                versions.iter().map(|(a, b)| format!(" {a}.{b} ")).collect();
            list.push(junk);
            let mut m = HeaderMap::new();
            m.insert("fdi-version", HeaderValue::from_str(&list.join(",")).unwrap());
            let highest = versions.iter().max().map(|&(a, b)| vec![a, b]);
            let read = fdi_version(&m);
            // Junk that happens to read as a version ("") is dropped; only numbers count.
            proptest::prop_assert_eq!(read, highest);
        }
    }
}
