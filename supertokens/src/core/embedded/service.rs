//! The embedded core as a value: open it, get its tower service, serve it.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response};
use axum::routing::get;
use futures_util_shim::BoxFuture;
use tower::ServiceExt;

use super::http::Scope;
use super::{CoreState, SharedState, Store, StoreError, migrations, session};
use crate::Clock;
use crate::core::cdi::ApiVersionResponse;
use crate::core::embedded_config::EmbeddedCoreConfig;

/// The CDI versions the embedded core serves (CDI ≤ 5.4 session semantics).
pub(crate) const SERVED_CDI_VERSIONS: &[&str] = &["4.0", "5.0", "5.1", "5.2", "5.3", "5.4"];

/// The embedded core failed to start.
#[derive(Debug, thiserror::Error)]
#[error("the embedded SuperTokens core cannot start: {0}")]
pub struct EmbeddedCoreError(String);

impl From<StoreError> for EmbeddedCoreError {
    fn from(e: StoreError) -> Self {
        Self(e.to_string())
    }
}

/// A running embedded core. Cheap to clone.
#[derive(Clone)]
pub struct EmbeddedCore {
    state: SharedState,
    router: Router,
}

impl std::fmt::Debug for EmbeddedCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedCore")
            .field("database", self.state.store.database())
            .finish()
    }
}

impl EmbeddedCore {
    /// Opens the database (creating it and applying migrations as needed) with the system clock.
    pub fn open(config: EmbeddedCoreConfig) -> Result<Self, EmbeddedCoreError> {
        Self::open_with_clock(config, Clock::system())
    }

    /// As [`open`](Self::open), with a clock tests can move forward.
    pub fn open_with_clock(
        config: EmbeddedCoreConfig,
        clock: Clock,
    ) -> Result<Self, EmbeddedCoreError> {
        let store = Store::open(&config.database, &migrations())?;
        let session = session::SessionState::new(&config, &clock, &store)?;
        let state = Arc::new(CoreState {
            config,
            clock,
            store,
            session,
        });
        let router = super::routes().with_state(state.clone());
        Ok(Self { state, router })
    }

    /// The clock this core uses.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// The CDI server as a tower service (requests may carry `/appid-…` and tenant prefixes).
    pub fn service(&self) -> EmbeddedCoreService {
        EmbeddedCoreService {
            router: self.router.clone(),
        }
    }
}

/// The embedded core's CDI server as a tower service. Serve it with
/// `axum::serve(listener, tower::make::Shared::new(service))`.
#[derive(Clone)]
pub struct EmbeddedCoreService {
    router: Router,
}

impl tower_service::Service<Request<Body>> for EmbeddedCoreService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Result<Response<Body>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let router = self.router.clone();
        Box::pin(async move { router.oneshot(dispatch(req)).await })
    }
}

/// Path segments that start app-level APIs; any other first segment is a tenant id.
const APP_LEVEL: &[&str] = &[
    "recipe",
    "users",
    "user",
    "hello",
    "apiversion",
    ".well-known",
    "config",
    "jwt",
];

/// Takes the `/appid-<app>` and `/<tenant>` prefixes off the path and records them as a [`Scope`].
pub(crate) fn dispatch(mut req: Request<Body>) -> Request<Body> {
    let path = req.uri().path().to_owned();
    let mut segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut scope = Scope::default();
    if let Some(app) = segments.first().and_then(|s| s.strip_prefix("appid-")) {
        scope.app_id = app.to_ascii_lowercase();
        segments.remove(0);
    }
    if let Some(first) = segments.first()
        && segments.len() > 1
        && !APP_LEVEL.contains(first)
    {
        scope.tenant_id = first.to_ascii_lowercase();
        scope.explicit_tenant = true;
        segments.remove(0);
    }
    let new_path = format!("/{}", segments.join("/"));
    let new_uri = match req.uri().query() {
        Some(q) => format!("{new_path}?{q}"),
        None => new_path,
    };
    if let Ok(uri) = new_uri.parse() {
        *req.uri_mut() = uri;
    }
    req.extensions_mut().insert(scope);
    req
}

pub(super) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/hello", get(hello))
        .route("/apiversion", get(api_version))
}

async fn hello() -> &'static str {
    "Hello"
}

async fn api_version(State(_state): State<SharedState>) -> axum::Json<ApiVersionResponse> {
    axum::Json(ApiVersionResponse {
        versions: SERVED_CDI_VERSIONS
            .iter()
            .map(|v| (*v).to_owned())
            .collect(),
    })
}

mod futures_util_shim {
    use std::future::Future;
    use std::pin::Pin;

    pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
}
