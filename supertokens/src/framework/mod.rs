//! The axum glue: [`router`] with every recipe's frontend API (FDI) routes, and [`cors`].

/// The FDI routes of every enabled recipe (under `api_base_path`, `/auth` by default), for the
/// instance set up by [`crate::init`].
pub fn router() -> axum::Router {
    unimplemented!("issue 4")
}

/// A CORS layer for the website domain, with credentials and the SuperTokens headers.
pub fn cors() -> tower_http::cors::CorsLayer {
    unimplemented!("issue 4")
}

/// The request headers the frontend SDKs send, for CORS `allow_headers`:
/// `rid, fdi-version, anti-csrf, authorization, st-auth-mode`.
pub fn all_cors_headers() -> Vec<http::HeaderName> {
    unimplemented!("issue 4")
}
