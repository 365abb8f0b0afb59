//! What the frontend API handlers share: the recipes and the send limits.

use super::error::ApiError;
use crate::recipe::multitenancy::MultitenancyRecipe;
use crate::recipe::passwordless::functions::Contact;
use crate::recipe::passwordless::recipe::PasswordlessRecipe;
use crate::recipe::session::SessionRecipe;

/// The state of the passwordless routes.
#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) recipe: PasswordlessRecipe,
    /// Signing in ends in a session.
    pub(super) session: SessionRecipe,
    /// Which factors each tenant allows.
    pub(super) tenants: MultitenancyRecipe,
}

impl Ctx {
    /// Now, by the SDK's clock.
    pub(super) fn now_ms(&self) -> i64 {
        self.session.clock().now_ms()
    }
}

/// Whether the tenant allows one of the factors this recipe offers that match `keep` (a
/// factor id such as `otp-email`).
pub(super) async fn check_first_factor(
    ctx: &Ctx,
    tenant_id: &str,
    keep: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    let available = ctx.recipe.first_factors();
    let factors: Vec<&str> = available.iter().copied().filter(|f| keep(f)).collect();
    ctx.tenants
        .check_first_factor(tenant_id, &factors, available)
        .await
}

pub(super) async fn check_limits(
    ctx: &Ctx,
    parts: &http::request::Parts,
    contact: &Contact,
    device: Option<&str>,
) -> Result<(), ApiError> {
    let Some(limiter) = &ctx.recipe.inner.limiter else {
        return Ok(());
    };
    let ip = limiter.client_ip().of(parts);
    limiter
        .try_send(contact, ip, device, ctx.now_ms())
        .await
        .map_err(ApiError::RateLimited)
}
