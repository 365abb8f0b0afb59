//! The session recipe's frontend API: `POST {api_base_path}/session/refresh`,
//! `POST {api_base_path}/signout`, `GET {api_base_path}/jwt/jwks.json`.

use crate::SuperTokens;

/// The session routes, at their full paths (api base path included).
pub(crate) fn routes(_st: &SuperTokens) -> axum::Router {
    axum::Router::new()
}
