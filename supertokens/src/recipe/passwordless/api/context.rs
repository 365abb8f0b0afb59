//! What the frontend API handlers share: the recipes, the client's IP and the send limits.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;

use super::error::ApiError;
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

/// The client's IP: from the configured header, else the connection's peer address.
fn client_ip(recipe: &PasswordlessRecipe, parts: &http::request::Parts) -> Option<IpAddr> {
    let limiter = recipe.inner.limiter.as_ref()?;
    if let Some(name) = limiter.client_ip_header() {
        return parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok());
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
}

pub(super) fn check_limits(
    ctx: &Ctx,
    parts: &http::request::Parts,
    identifier: &str,
    device: Option<&str>,
) -> Result<(), ApiError> {
    let Some(limiter) = &ctx.recipe.inner.limiter else {
        return Ok(());
    };
    let ip = client_ip(&ctx.recipe, parts);
    limiter
        .try_send(identifier, ip, device, ctx.now_ms())
        .map_err(ApiError::RateLimited)
}
