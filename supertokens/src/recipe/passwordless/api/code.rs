//! `POST /signinup/code` and `POST /signinup/code/resend`: a code for a contact, sent.

use axum::extract::State;
use axum::response::IntoResponse;
use serde_json::json;
use supertokens_rules::passwordless::ContactMethod;

use super::context::{Ctx, check_first_factor, check_limits};
use super::error::{ApiError, ApiResult, bad, is_unknown_tenant};
use super::input::{ApiPost, check_linking_flag, string_field};
use crate::core::CoreError;
use crate::recipe::passwordless::error::PasswordlessError;
use crate::recipe::passwordless::functions::{CodesFilter, Contact};
use crate::recipe::passwordless::recipe::PasswordlessRecipe;

pub(super) async fn create_code(State(ctx): State<Ctx>, post: ApiPost) -> ApiResult {
    let (tenant_id, parts, body) = (post.tenant_id, post.parts, post.body);
    let email = string_field(&body, "email")?;
    let phone = string_field(&body, "phoneNumber")?;
    check_linking_flag(&body)?;
    let recipe = &ctx.recipe;
    let inner = &recipe.inner;
    if email.is_some() == phone.is_some() {
        return Err(bad("Please provide exactly one of email or phoneNumber"));
    }
    if email.is_none() && inner.contact == ContactMethod::Email {
        return Err(bad(
            "Please provide an email since you have set the contactMethod to \"EMAIL\"",
        ));
    }
    if phone.is_none() && inner.contact == ContactMethod::Phone {
        return Err(bad(
            "Please provide a phoneNumber since you have set the contactMethod to \"PHONE\"",
        ));
    }
    let contact = match (email, phone) {
        (Some(email), _) => {
            let email = email.trim().to_owned();
            (inner.email_check)(&email, &tenant_id).map_err(ApiError::General)?;
            Contact::Email(email)
        }
        (None, Some(phone)) => {
            (inner.phone_check)(&phone, &tenant_id).map_err(ApiError::General)?;
            PasswordlessRecipe::normalise(Contact::Phone(phone))
        }
        (None, None) => return Err(bad("Please provide exactly one of email or phoneNumber")),
    };
    let medium = match contact {
        Contact::Email(_) => "-email",
        Contact::Phone(_) => "-phone",
    };
    check_first_factor(&ctx, &tenant_id, |f| f.ends_with(medium)).await?;
    check_limits(&ctx, &parts, &contact, None).await?;
    let created = recipe
        .create_code(&tenant_id, contact.clone())
        .await
        .map_err(|e| match e {
            // The core only answers OK for a new device; anything else is a fault.
            PasswordlessError::RestartFlow | PasswordlessError::CodeGenerationFailed => {
                ApiError::Internal(format!(
                    "the core refused to create a code for a new device: {e}"
                ))
            }
            e => e.into(),
        })?;
    if let Some(limiter) = &inner.limiter {
        // Devices are counted by preAuthSessionId: the core accepts one deviceId in several
        // spellings (padding optional, unused trailing bits ignored), but answers one
        // preAuthSessionId for them all.
        limiter
            .sent_to_device(&created.pre_auth_session_id, ctx.now_ms())
            .await;
    }
    recipe.deliver(&tenant_id, &contact, &created).await?;
    Ok(axum::Json(json!({
        "status": "OK",
        "deviceId": created.device_id,
        "preAuthSessionId": created.pre_auth_session_id,
        "flowType": inner.flow.as_str(),
    }))
    .into_response())
}

pub(super) async fn resend_code(State(ctx): State<Ctx>, post: ApiPost) -> ApiResult {
    let (tenant_id, parts, body) = (post.tenant_id, post.parts, post.body);
    let pre_auth_session_id = string_field(&body, "preAuthSessionId")?;
    let device_id = string_field(&body, "deviceId")?;
    check_linking_flag(&body)?;
    if pre_auth_session_id.is_none() {
        return Err(bad("Please provide preAuthSessionId"));
    }
    let Some(device_id) = device_id else {
        return Err(bad("Please provide a deviceId"));
    };
    let recipe = &ctx.recipe;
    let contact_method = recipe.inner.contact;
    let lookup = recipe
        .device(&tenant_id, CodesFilter::DeviceId(device_id.clone()))
        .await;
    let device = match lookup {
        // Besides an unknown tenant, the core's one 400 here is for a device id it cannot decode
        // (not base64): no device has it, so the flow restarts as for an unknown device. The
        // official SDKs answer a 500.
        Err(CoreError::Status {
            status: 400,
            ref body,
            ..
        }) if !is_unknown_tenant(body) => None,
        other => other?,
    };
    let Some(device) = device else {
        return Err(ApiError::Status("RESTART_FLOW_ERROR"));
    };
    let contact = match (contact_method, &device.phone_number, &device.email) {
        (ContactMethod::Phone | ContactMethod::EmailOrPhone, Some(phone), _) => {
            Contact::Phone(phone.clone())
        }
        (ContactMethod::Email | ContactMethod::EmailOrPhone, _, Some(email)) => {
            Contact::Email(email.clone())
        }
        _ => return Err(ApiError::Status("RESTART_FLOW_ERROR")),
    };
    check_limits(&ctx, &parts, &contact, Some(&device.pre_auth_session_id)).await?;
    recipe
        .new_code_for_device(&tenant_id, &device_id, &contact)
        .await?;
    Ok(axum::Json(json!({"status": "OK"})).into_response())
}
