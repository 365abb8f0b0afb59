//! The passwordless recipe's frontend API: `/signinup/code`, `/signinup/code/resend`,
//! `/signinup/code/consume` and the exists checks, optionally tenant-prefixed.
//!
//! Input errors answer 400 `{"message": …}`, logical outcomes 200 with a `status`, send limits
//! 429; where this differs from the official SDKs is listed in the module docs of
//! [`crate::passwordless`].

mod code;
mod consume;
mod context;
mod error;
mod exists;
mod input;

pub(crate) use error::ApiError;
pub(crate) use input::Tenant;

use axum::Router;
use axum::routing::{MethodRouter, get, post};

use super::config::PasswordlessApi;
use super::recipe::PasswordlessRecipe;
use crate::recipe::multitenancy::MultitenancyRecipe;
use crate::recipe::session::SessionRecipe;
use context::Ctx;

/// The passwordless routes, at their full paths (`base` is the API base path).
pub(crate) fn routes(
    recipe: &PasswordlessRecipe,
    session: &SessionRecipe,
    tenants: &MultitenancyRecipe,
    base: &str,
) -> Router {
    let disabled = recipe.inner.disabled.clone();
    let endpoints: [(PasswordlessApi, &[&str], MethodRouter<Ctx>); 5] = [
        (
            PasswordlessApi::CreateCode,
            &["/signinup/code"],
            post(code::create_code),
        ),
        (
            PasswordlessApi::ResendCode,
            &["/signinup/code/resend"],
            post(code::resend_code),
        ),
        (
            PasswordlessApi::ConsumeCode,
            &["/signinup/code/consume"],
            post(consume::consume_code),
        ),
        (
            PasswordlessApi::EmailExists,
            &["/passwordless/email/exists", "/signup/email/exists"],
            get(exists::email_exists),
        ),
        (
            PasswordlessApi::PhoneNumberExists,
            &[
                "/passwordless/phonenumber/exists",
                "/signup/phonenumber/exists",
            ],
            get(exists::phone_number_exists),
        ),
    ];
    let mut router = Router::new();
    for (api, paths, handler) in endpoints {
        if disabled.contains(&api) {
            continue;
        }
        for path in paths {
            router = router
                .route(&format!("{base}{path}"), handler.clone())
                .route(&format!("{base}/{{tenant}}{path}"), handler.clone());
        }
    }
    router.with_state(Ctx {
        recipe: recipe.clone(),
        session: session.clone(),
        tenants: tenants.clone(),
    })
}
