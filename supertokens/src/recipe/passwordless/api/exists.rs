//! `GET /passwordless/email/exists` and `GET /passwordless/phonenumber/exists` (and their
//! `/signup/…` spellings).

use axum::extract::State;
use axum::response::IntoResponse;
use http::Uri;
use serde_json::json;

use super::context::Ctx;
use super::error::{ApiResult, bad};
use super::input::{Tenant, query_param};
use crate::core::cdi::User;
use crate::recipe::passwordless::functions::Contact;

pub(super) async fn email_exists(
    State(ctx): State<Ctx>,
    Tenant(tenant_id): Tenant,
    uri: Uri,
) -> ApiResult {
    let Some(email) = query_param(&uri, "email") else {
        return Err(bad("Please provide the email as a GET param"));
    };
    let wanted = email.trim().to_lowercase();
    answer(&ctx, tenant_id, Contact::Email(email), |u| {
        u.login_methods.iter().any(|m| {
            m.recipe_id == "passwordless"
                && m.email
                    .as_deref()
                    .is_some_and(|e| e.trim().to_lowercase() == wanted)
        })
    })
    .await
}

pub(super) async fn phone_number_exists(
    State(ctx): State<Ctx>,
    Tenant(tenant_id): Tenant,
    uri: Uri,
) -> ApiResult {
    let Some(phone) = query_param(&uri, "phoneNumber") else {
        return Err(bad("Please provide the phoneNumber as a GET param"));
    };
    answer(&ctx, tenant_id, Contact::Phone(phone), |_| true).await
}

/// `{"status": "OK", "exists": …}`: whether one of the users the core finds by `contact` is
/// `a_match`.
async fn answer(
    ctx: &Ctx,
    tenant_id: String,
    contact: Contact,
    a_match: impl Fn(&User) -> bool,
) -> ApiResult {
    let users = ctx
        .recipe
        .inner
        .functions
        .users_by_contact(tenant_id, contact)
        .await?;
    let exists = users.iter().any(a_match);
    Ok(axum::Json(json!({"status": "OK", "exists": exists})).into_response())
}
