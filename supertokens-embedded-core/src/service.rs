//! The embedded core as a value: open it, get its tower service, serve it.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use supertokens_cdi::Clock;
use tower::ServiceExt;

use crate::apps::Apps;
use crate::cdi_version::{self, CdiVersion, SERVED_CDI_VERSIONS};
use crate::components::routes;
use crate::config::EmbeddedCoreConfig;
use crate::http::{CoreHttpError, Scope, api_key_of};
use crate::request_log::{RequestLog, RequestLogTarget};
use crate::state::{CoreState, SharedState};
use crate::store::StoreError;

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
///
/// ```
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::ServiceExt as _;
/// use supertokens_embedded_core::{Database, EmbeddedCore, EmbeddedCoreConfig};
///
/// let core = EmbeddedCore::open(EmbeddedCoreConfig {
///     database: Database::Memory,
///     ..Default::default()
/// })?;
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let server = axum::serve(listener, core.service().into_make_service());
/// # drop(server);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct EmbeddedCore {
    apps: Arc<Apps>,
    clock: Clock,
    log: Option<Arc<RequestLog>>,
}

impl std::fmt::Debug for EmbeddedCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedCore")
            .field("database", self.apps.public().store.database())
            .field("request_log", &self.log.is_some())
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
        let apps = Apps::open(config, clock.clone(), app_router)?;
        Ok(Self {
            apps,
            clock,
            log: None,
        })
    }

    /// Logs every request as one JSON line (method, path, query, `cdi-version`, `rid`, whether
    /// an api key was sent, the request body and the reply status) to `target`. Codes, link
    /// codes, device ids, tokens and api keys are replaced by `"<redacted>"`.
    ///
    /// Meant for finding where another SuperTokens backend and this core disagree.
    pub fn with_request_log(mut self, target: RequestLogTarget) -> Result<Self, EmbeddedCoreError> {
        self.log = Some(Arc::new(
            RequestLog::open(&target).map_err(EmbeddedCoreError)?,
        ));
        Ok(self)
    }

    /// The clock this core uses.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The CDI server as a tower service (requests may carry `/appid-…` and tenant prefixes).
    pub fn service(&self) -> EmbeddedCoreService {
        EmbeddedCoreService {
            inner: Arc::new(ServiceInner {
                apps: self.apps.clone(),
                log: self.log.clone(),
            }),
        }
    }
}

/// The embedded core's CDI server as a tower service. Serve it with
/// `axum::serve(listener, service.into_make_service())` (with `axum::ServiceExt` in scope), or
/// call it in-process with `tower::ServiceExt::oneshot`.
#[derive(Clone)]
pub struct EmbeddedCoreService {
    inner: Arc<ServiceInner>,
}

struct ServiceInner {
    apps: Arc<Apps>,
    log: Option<Arc<RequestLog>>,
}

impl tower_service::Service<Request<Body>> for EmbeddedCoreService {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let inner = self.inner.clone();
        Box::pin(async move {
            Ok(match inner.log.clone() {
                None => inner.route(req).await,
                Some(log) => log.around(req, |req| inner.route(req)).await,
            })
        })
    }
}

impl ServiceInner {
    async fn route(&self, req: Request<Body>) -> Response<Body> {
        let req = dispatch(req);
        let scope = req.extensions().get::<Scope>().cloned().unwrap_or_default();
        let Some(app) = self.apps.get(&scope.app_id) else {
            return not_found_error(&scope).into_response();
        };
        match app.router.oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }
}

/// An app's routes over its state: every component's, behind the gate.
fn app_router(state: SharedState) -> Router {
    routes()
        // Only matched routes pass the gate: an unknown path is a 404 whatever its prefix.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate_layer,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// The real core's answer for an app or tenant it does not have.
fn not_found_error(scope: &Scope) -> CoreHttpError {
    CoreHttpError::bad_request(format!(
        "AppId or tenantId not found => Tenant with the following connectionURIDomain, appId \
         and tenantId combination not found: (, {}, {})",
        scope.app_id, scope.tenant_id
    ))
}

async fn gate_layer(
    State(state): State<SharedState>,
    mut req: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    match gate(&state, &mut req) {
        Ok(()) => next.run(req).await,
        Err(refused) => refused.into_response(),
    }
}

/// The checks every routed request passes before its handler: api key, app and tenant, CDI
/// version.
fn gate(state: &CoreState, req: &mut Request<Body>) -> Result<(), CoreHttpError> {
    let path = req.uri().path();
    if path == "/hello" {
        return Ok(());
    }
    let public_path = path == "/.well-known/jwks.json";
    let version_free = public_path || path == "/apiversion";
    // Asking for a tenant that does not exist is answered by its handler.
    let tenant_lookup =
        path == "/recipe/multitenancy/tenant/v2" && req.method() == axum::http::Method::GET;
    if !public_path && let Some(expected) = &state.config.api_key {
        let given = api_key_of(req.headers());
        let valid = given.is_some_and(|given| {
            aws_lc_rs::constant_time::verify_slices_are_equal(
                given.as_bytes(),
                expected.expose().as_bytes(),
            )
            .is_ok()
        });
        if !valid {
            return Err(CoreHttpError {
                status: StatusCode::UNAUTHORIZED,
                message: "Invalid API key".into(),
            });
        }
    }
    let scope = req.extensions().get::<Scope>().cloned().unwrap_or_default();
    if !tenant_lookup && !state.tenants.contains(&scope.tenant_id) {
        return Err(not_found_error(&scope));
    }
    if !version_free {
        let version = match req.headers().get("cdi-version") {
            None => cdi_version::newest().to_owned(),
            Some(value) => {
                let asked = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
                if !SERVED_CDI_VERSIONS.contains(&asked.as_str()) {
                    return Err(CoreHttpError::bad_request(format!(
                        "cdi-version {asked} not supported"
                    )));
                }
                asked
            }
        };
        req.extensions_mut().insert(CdiVersion(version));
    }
    Ok(())
}

async fn not_found() -> CoreHttpError {
    CoreHttpError {
        status: StatusCode::NOT_FOUND,
        message: "Not found".into(),
    }
}

async fn method_not_allowed() -> CoreHttpError {
    CoreHttpError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        message: "Method not supported".into(),
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
fn dispatch(mut req: Request<Body>) -> Request<Body> {
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
