//! What the frontend API handlers share: the recipes and the send limits.

use super::error::ApiError;
use crate::recipe::passwordless::functions::Contact;
use crate::recipe::passwordless::recipe::PasswordlessRecipe;
use crate::recipe::session::SessionRecipe;

/// The state of the passwordless routes.
#[derive(Clone)]
pub(super) struct Ctx {
    pub(super) recipe: PasswordlessRecipe,
    /// Signing in ends in a session.
    pub(super) session: SessionRecipe,
}

impl Ctx {
    /// Now, by the SDK's clock.
    pub(super) fn now_ms(&self) -> i64 {
        self.session.clock().now_ms()
    }
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
