//! `GET /auth/<tenantId>/loginmethods`: what a tenant's sign-in page may offer, and the check
//! every sign-in makes that its factor is one the tenant allows.

use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use super::MultitenancyRecipe;
use crate::recipe::passwordless::api::{ApiError, Tenant};
use crate::recipe::session::SessionError;

/// The factor ids the official SDKs know; a tenant may list others (custom factors).
const KNOWN_FACTORS: &[&str] = &[
    "emailpassword",
    "otp-email",
    "otp-phone",
    "link-email",
    "link-phone",
    "thirdparty",
    "totp",
    "webauthn",
];

/// The first factors of `tenant_first_factors` (the tenant's list, `None` for "whatever the
/// backend offers") that can be used here, `available` being what this backend offers.
fn usable_first_factors(
    tenant_first_factors: Option<&[String]>,
    available: &[&str],
) -> Vec<String> {
    match tenant_first_factors {
        None => available.iter().map(|f| (*f).to_owned()).collect(),
        Some(listed) => listed
            .iter()
            .filter(|f| available.contains(&f.as_str()) || !KNOWN_FACTORS.contains(&f.as_str()))
            .cloned()
            .collect(),
    }
}

impl MultitenancyRecipe {
    /// Whether a sign-in on `tenant_id` with one of `factors` is allowed: an unknown tenant is
    /// [`ApiError::UnknownTenant`], a tenant that allows none of them answers 401 as the
    /// official SDKs do.
    pub(crate) async fn check_first_factor(
        &self,
        tenant_id: &str,
        factors: &[&str],
        available: &[&str],
    ) -> Result<(), ApiError> {
        let tenant = self
            .tenant_for_sign_in(tenant_id)
            .await
            .map_err(ApiError::from)?
            .ok_or(ApiError::UnknownTenant)?;
        let usable = usable_first_factors(tenant.first_factors.as_deref(), available);
        if factors.iter().any(|f| usable.iter().any(|u| u == f)) {
            Ok(())
        } else {
            Err(ApiError::Session(Box::new(SessionError::unauthorised(
                "A valid session is required to authenticate with secondary factors",
            ))))
        }
    }
}

/// The state of the route: the tenants, and the first factors this backend offers.
#[derive(Clone)]
struct Ctx {
    tenants: MultitenancyRecipe,
    available: &'static [&'static str],
}

pub(crate) fn routes(
    tenants: &MultitenancyRecipe,
    available: &'static [&'static str],
    base: &str,
) -> Router {
    Router::new()
        .route(&format!("{base}/loginmethods"), get(login_methods))
        .route(
            &format!("{base}/{{tenant}}/loginmethods"),
            get(login_methods),
        )
        .with_state(Ctx {
            tenants: tenants.clone(),
            available,
        })
}

async fn login_methods(State(ctx): State<Ctx>, Tenant(tenant_id): Tenant) -> Response {
    let tenant = match ctx.tenants.get_tenant(&tenant_id).await {
        Ok(Some(tenant)) => tenant,
        Ok(None) => return ApiError::UnknownTenant.into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let factors = usable_first_factors(tenant.first_factors.as_deref(), ctx.available);
    let has = |f: &str| factors.iter().any(|x| x == f);
    let passwordless = ["otp-email", "otp-phone", "link-email", "link-phone"]
        .iter()
        .any(|f| has(f));
    axum::Json(json!({
        "status": "OK",
        "emailPassword": { "enabled": has("emailpassword") },
        "thirdParty": { "enabled": has("thirdparty"), "providers": [] },
        "passwordless": { "enabled": passwordless },
        "webauthn": { "enabled": has("webauthn") },
        "firstFactors": factors,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenants_factors_are_kept_when_offered_here_or_custom() {
        let available = ["otp-email", "link-email"];
        assert_eq!(usable_first_factors(None, &available), available);
        let listed = ["emailpassword", "otp-email", "my-factor", "otp-phone"].map(String::from);
        assert_eq!(
            usable_first_factors(Some(&listed), &available),
            ["otp-email", "my-factor"]
        );
        assert!(usable_first_factors(Some(&[]), &available).is_empty());
    }
}
