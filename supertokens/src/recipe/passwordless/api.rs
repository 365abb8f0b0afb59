//! The passwordless recipe's frontend API: `/signinup/code`, `/signinup/code/resend`,
//! `/signinup/code/consume` and the exists checks, optionally tenant-prefixed.

use crate::SuperTokens;

/// The passwordless routes, at their full paths (api base path included).
pub(crate) fn routes(_st: &SuperTokens) -> axum::Router {
    axum::Router::new()
}
