//! The axum glue: [`router`] with every recipe's frontend API (FDI) routes, and [`cors`].

use crate::SuperTokens;

/// The FDI routes of every enabled recipe (under `api_base_path`, `/auth` by default), for the
/// instance set up by [`crate::init`].
///
/// # Panics
/// If [`crate::init`] has not been called (use [`SuperTokens::router`] to avoid the global).
pub fn router() -> axum::Router {
    match SuperTokens::global() {
        Ok(st) => st.router(),
        Err(e) => panic!("{e}"),
    }
}

impl SuperTokens {
    /// The FDI routes of every enabled recipe of this instance.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .merge(crate::recipe::session::api::routes(self))
            .merge(crate::recipe::passwordless::api::routes(self))
            .layer(self.layer())
    }
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
