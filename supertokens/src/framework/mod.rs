//! The axum glue: [`router`] with every recipe's frontend API (FDI) routes, [`cors`], the
//! per-request layer ([`SuperTokensLayer`]), the session guard ([`SessionGuard`]) and the
//! extractors.

pub(crate) mod extract;
mod guard;

pub use guard::{SessionGuard, SessionGuardService};

use std::task::{Context, Poll};

use http::{HeaderName, HeaderValue, Method, Request, Response};

use crate::SuperTokens;
use crate::future::BoxFuture;
use crate::recipe::session::PendingChanges;
use crate::recipe::{multitenancy, passwordless, session};

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
        let base = &self.config().app_info().api_base_path;
        let mut router = session::api::routes(self.session(), &self.inner.session_frontend, base);
        let tenants = self.multitenancy();
        if let Some(recipe) = self.passwordless() {
            router = router.merge(passwordless::api::routes(
                recipe,
                self.session(),
                tenants,
                base,
            ));
        }
        let first_factors = self.passwordless().map_or(&[][..], |p| p.first_factors());
        router = router.merge(multitenancy::api::routes(tenants, first_factors, base));
        router.layer(self.layer())
    }

    /// A CORS layer for this instance's website domain, with credentials and the SuperTokens
    /// headers (see [`cors`]).
    pub fn cors(&self) -> tower_http::cors::CorsLayer {
        cors_for(Some(&self.config().app_info().website_domain))
    }

    /// A layer that makes requests under it use this instance instead of the global one, and
    /// writes the response headers session operations queue during a request (a replacement
    /// access token found while verifying, a merged payload). [`SuperTokens::router`] applies it
    /// to the SDK's routes; apply it to your own routes too
    /// (`Router::new().route(..).layer(st.layer())`) so a plain
    /// [`SessionContainer`](crate::session::SessionContainer) extractor can pass a replacement
    /// token on to the client.
    pub fn layer(&self) -> SuperTokensLayer {
        SuperTokensLayer::new(self.clone())
    }
}

/// A CORS layer for the website domain of the instance set up by [`crate::init`]: that origin
/// only, credentials allowed, request headers `content-type` plus [`all_cors_headers`], and the
/// response headers the SDK writes (`front-token`, `st-access-token`, `st-refresh-token`,
/// `anti-csrf`) exposed.
///
/// Place it outside the routes (`.layer(supertokens::cors())` last), so it answers preflight
/// requests. It never panics: before `init` it allows no origin (and logs why).
pub fn cors() -> tower_http::cors::CorsLayer {
    match SuperTokens::global() {
        Ok(st) => st.cors(),
        Err(e) => {
            tracing::error!(error = %e, "supertokens::cors() before init: no origin is allowed");
            cors_for(None)
        }
    }
}

/// The headers the SDK writes that the frontend must read.
const EXPOSED: [&str; 4] = [
    "front-token",
    "st-access-token",
    "st-refresh-token",
    "anti-csrf",
];

fn cors_for(origin: Option<&str>) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let origins: Vec<HeaderValue> = origin
        .and_then(|o| HeaderValue::from_str(o).ok())
        .into_iter()
        .collect();
    let mut headers = vec![http::header::CONTENT_TYPE];
    headers.extend(all_cors_headers());
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
            Method::HEAD,
        ])
        .allow_headers(headers)
        // The list covers every name the SDK adds per response, so the SDK's own
        // `Access-Control-Expose-Headers` survives this layer.
        .expose_headers(EXPOSED.map(HeaderName::from_static))
}

/// The request headers the frontend SDKs send, for CORS `allow_headers`:
/// `rid, fdi-version, anti-csrf, authorization, st-auth-mode`.
pub fn all_cors_headers() -> Vec<HeaderName> {
    [
        "rid",
        "fdi-version",
        "anti-csrf",
        "authorization",
        "st-auth-mode",
    ]
    .into_iter()
    .map(HeaderName::from_static)
    .collect()
}

/// The rejection of the [`SuperTokens`] extractor (and of a [`SessionGuard`] made with
/// [`SessionGuard::new`]) when a request has no instance: neither [`SuperTokens::layer`] nor a
/// guard made with [`SuperTokens::session_guard`] is on its route, and [`crate::init`] was not
/// called. Answered `500` with a text that says so; the [`Error::NotInitialised`](crate::Error)
/// is its [`source`](std::error::Error::source).
#[derive(Debug)]
pub struct MissingInstance {
    source: crate::Error,
}

impl MissingInstance {
    pub(crate) fn new(source: crate::Error) -> Self {
        Self { source }
    }
}

impl std::fmt::Display for MissingInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "no SuperTokens instance for this request: call `supertokens::init` at start-up \
             (or use `#[supertokens::app]`), or apply `st.layer()` to the route",
        )
    }
}

impl std::error::Error for MissingInstance {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl axum::response::IntoResponse for MissingInstance {
    fn into_response(self) -> axum::response::Response {
        let message = self.to_string();
        tracing::error!(error = %message, "supertokens: request without an instance");
        (http::StatusCode::INTERNAL_SERVER_ERROR, message).into_response()
    }
}

/// The layer of [`SuperTokens::layer`]: requests under it use this instance (instead of the
/// global one), and the response headers session operations queue during the request (a
/// replacement access token found by the [`SessionContainer`](crate::session::SessionContainer)
/// extractor, a merged payload) are written into the response.
#[derive(Clone, Debug)]
pub struct SuperTokensLayer {
    st: SuperTokens,
}

impl SuperTokensLayer {
    fn new(st: SuperTokens) -> Self {
        Self { st }
    }
}

impl<S> tower_layer::Layer<S> for SuperTokensLayer {
    type Service = SuperTokensService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SuperTokensService {
            inner,
            st: self.st.clone(),
        }
    }
}

/// The service of [`SuperTokensLayer`].
#[derive(Clone, Debug)]
pub struct SuperTokensService<S> {
    inner: S,
    st: SuperTokens,
}

impl<S, B, ResBody> tower_service::Service<Request<B>> for SuperTokensService<S>
where
    S: tower_service::Service<Request<B>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let pending = PendingChanges::default();
        req.extensions_mut().insert(self.st.clone());
        req.extensions_mut().insert(pending.clone());
        let future = self.inner.call(req);
        Box::pin(async move {
            let mut response = future.await?;
            pending.write_into(response.headers_mut());
            Ok(response)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cors_header_order() {
        let names: Vec<String> = all_cors_headers().iter().map(ToString::to_string).collect();
        assert_eq!(
            names,
            [
                "rid",
                "fdi-version",
                "anti-csrf",
                "authorization",
                "st-auth-mode"
            ]
        );
    }

    /// No unit test installs a global instance, so these routes have none.
    #[tokio::test]
    async fn without_an_instance_the_extractors_and_the_guard_answer_500() {
        use tower::ServiceExt;
        let guard = crate::session::SessionGuard::new();
        let app = axum::Router::new()
            .route("/st", axum::routing::get(|_: SuperTokens| async { "no" }))
            .route(
                "/session",
                axum::routing::get(|_: session::SessionContainer| async { "no" }),
            )
            .merge(
                axum::Router::new()
                    .route("/guarded", axum::routing::get(|| async { "no" }))
                    .layer(guard),
            );
        let get = |path: &str| {
            app.clone()
                .oneshot(Request::get(path).body(axum::body::Body::empty()).unwrap())
        };
        let expected = "no SuperTokens instance for this request: call `supertokens::init` at \
                        start-up (or use `#[supertokens::app]`), or apply `st.layer()` to the route";
        for path in ["/st", "/guarded"] {
            let r = get(path).await.unwrap();
            assert_eq!(r.status(), 500, "{path}");
            let body = http_body_util::BodyExt::collect(r.into_body())
                .await
                .unwrap()
                .to_bytes();
            assert_eq!(std::str::from_utf8(&body).unwrap(), expected, "{path}");
        }
        assert_eq!(get("/session").await.unwrap().status(), 500);
        assert!(SuperTokens::global().is_err(), "nothing else installed one");
    }

    #[tokio::test]
    async fn cors_layer_answers_preflight_and_keeps_exposed_headers() {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(
                "/x",
                axum::routing::post(|| async {
                    (
                        [(
                            "access-control-expose-headers",
                            "front-token, st-access-token",
                        )],
                        "ok",
                    )
                }),
            )
            .layer(cors_for(Some("http://localhost:3000")));
        let preflight = Request::builder()
            .method("OPTIONS")
            .uri("/x")
            .header("origin", "http://localhost:3000")
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "rid,st-auth-mode,content-type",
            )
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.clone().oneshot(preflight).await.unwrap();
        assert_eq!(
            r.headers()["access-control-allow-origin"],
            "http://localhost:3000"
        );
        assert_eq!(r.headers()["access-control-allow-credentials"], "true");
        let allowed = r.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_owned();
        for h in [
            "content-type",
            "rid",
            "fdi-version",
            "anti-csrf",
            "authorization",
            "st-auth-mode",
        ] {
            assert!(allowed.contains(h), "{allowed}");
        }
        let post = Request::builder()
            .method("POST")
            .uri("/x")
            .header("origin", "http://localhost:3000")
            .body(axum::body::Body::empty())
            .unwrap();
        let r = app.oneshot(post).await.unwrap();
        let exposed = r.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_owned();
        for h in EXPOSED {
            assert!(exposed.contains(h), "{exposed}");
        }
        // No origin configured: nothing allowed, and no panic.
        let _ = cors_for(None);
        let _ = cors_for(Some("not a header value\n"));
    }
}
