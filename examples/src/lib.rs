//! Shared pieces of the supertokens-rs examples: the login page they serve on the website
//! domain (`http://localhost:3000`).
//!
//! The page (`page/index.html`) is a small page of our own built on the official
//! supertokens-web-js browser bundles. By default it loads them from a public CDN at the pinned
//! version; when `SUPERTOKENS_WEBJS_DIR` names a directory (the `bundle/` folder of the npm
//! package, as the end-to-end tests do), it serves them from there instead.
//!
//! Bring your own frontend: when `SUPERTOKENS_WEBSITE_DIR` names a directory (a built
//! single-page app, such as one mounting the prebuilt UI of supertokens-auth-react), every
//! example serves it on the website port instead of its page, `header_mode` included: a request
//! gets the file at its path when there is one, else the directory's `index.html`, so the app's
//! own routes (`/auth`, `/auth/verify`) open it. See [`SpaDir`].

pub mod custom;

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig, SendLimits};
use supertokens::session::SessionContainer;
use supertokens::{ConfigBuilder, protected};

/// The supertokens-web-js version the page is written against.
pub const WEBJS_VERSION: &str = "0.16.0";

/// The browser bundles the page needs, in the order they must load. Their names carry content
/// hashes, fixed for the pinned version.
const WEBJS_BUNDLES: [&str; 6] = [
    "website.c7860dc40a39421c659b.js",
    "supertokens.a91fb11593adf048be46.js",
    "session.1e8cb79cef1389b3f612.js",
    "passwordless.06c921a336f28639c49c.js",
    "multitenancy.9ec2e04361f295e02385.js",
    "userroles.ecced425742ececfec8b.js",
];

const PAGE: &str = include_str!("../page/index.html");
const PAGE_CONFIG_SLOT: &str = "<!-- supertokens-page-config -->";

/// The login page: what it tells supertokens-web-js, and where it gets the bundles from.
#[derive(Debug, Clone)]
pub struct LoginPage {
    app_name: String,
    api_domain: String,
    api_base_path: String,
    contact_method: ContactMethod,
    flow_type: FlowType,
    actions: Vec<Action>,
    webjs_dir: Option<PathBuf>,
}

/// A button of the signed-in view: calls an API route of the app and shows the answer.
#[derive(Debug, Clone)]
struct Action {
    label: String,
    method: String,
    path: String,
}

impl LoginPage {
    /// A page for the app `app_name` whose API is at `api_domain` (base path `/auth`), signing
    /// in by phone with a one-time code. The bundle directory is read from
    /// `SUPERTOKENS_WEBJS_DIR`.
    pub fn new(app_name: impl Into<String>, api_domain: impl Into<String>) -> Self {
        Self {
            app_name: app_name.into(),
            api_domain: api_domain.into(),
            api_base_path: "/auth".into(),
            contact_method: ContactMethod::Phone,
            flow_type: FlowType::UserInputCode,
            actions: Vec::new(),
            webjs_dir: std::env::var_os("SUPERTOKENS_WEBJS_DIR")
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from),
        }
    }

    /// The contact method, as configured in the passwordless recipe.
    pub fn contact_method(mut self, contact_method: ContactMethod) -> Self {
        self.contact_method = contact_method;
        self
    }

    /// The flow type, as configured in the passwordless recipe.
    pub fn flow_type(mut self, flow_type: FlowType) -> Self {
        self.flow_type = flow_type;
        self
    }

    /// Adds a button to the signed-in view that calls `method path` on the API (with the
    /// session, through supertokens-web-js) and shows the status and body of the answer.
    pub fn action(
        mut self,
        label: impl Into<String>,
        method: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        self.actions.push(Action {
            label: label.into(),
            method: method.into(),
            path: path.into(),
        });
        self
    }

    /// The page's HTML, with its settings and the script tags of the bundles filled in.
    pub fn html(&self) -> String {
        let settings = serde_json::json!({
            "appName": self.app_name,
            "apiDomain": self.api_domain,
            "apiBasePath": self.api_base_path,
            "contactMethod": self.contact_method.as_str(),
            "flowType": self.flow_type.as_str(),
            "actions": self.actions.iter().map(|a| serde_json::json!({
                "label": a.label,
                "method": a.method,
                "path": a.path,
            })).collect::<Vec<_>>(),
        });
        // `</` inside a script element would end it early.
        let settings = settings.to_string().replace("</", "<\\/");
        let mut head = format!("<script>window.SUPERTOKENS_PAGE = {settings};</script>\n");
        for bundle in WEBJS_BUNDLES {
            let src = match self.webjs_dir {
                Some(_) => format!("/webjs/{bundle}"),
                None => format!(
                    "https://cdn.jsdelivr.net/npm/supertokens-web-js@{WEBJS_VERSION}/bundle/{bundle}"
                ),
            };
            head.push_str(&format!("<script src=\"{src}\"></script>\n"));
        }
        PAGE.replacen(PAGE_CONFIG_SLOT, &head, 1)
    }

    /// The website: the page for every path (so a magic link to `/auth/verify` opens it), and
    /// the bundles under `/webjs/` when they are served locally.
    pub fn router(self) -> Router {
        let html = Html(self.html());
        Router::new()
            .route("/webjs/{file}", get(bundle))
            .fallback(get(move || async move { html }))
            .with_state(self.webjs_dir)
    }

    /// Serves the website on `addr` until the process ends.
    pub async fn serve(self, addr: SocketAddr) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        axum::serve(listener, self.router()).await
    }
}

async fn bundle(State(dir): State<Option<PathBuf>>, Path(file): Path<String>) -> Response {
    // Only the known file names, so no path from the request reaches the file system.
    let (Some(dir), true) = (dir, WEBJS_BUNDLES.contains(&file.as_str())) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(dir.join(&file)).await {
        Ok(body) => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            body,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A directory served as a single-page app: the file a path names when there is one, else
/// `index.html` (so the app's own routes work when opened directly, such as a magic link to
/// `/auth/verify`). Only plain path segments reach the file system (letters, digits, `.`, `-`,
/// `_`, `@`, `+`, `~`, not starting with a dot); a path with anything else gets `index.html`.
#[derive(Debug, Clone)]
pub struct SpaDir {
    dir: PathBuf,
}

impl SpaDir {
    /// The directory `dir`; it must contain `index.html` by the time requests come.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory named by `SUPERTOKENS_WEBSITE_DIR`, when it is set and not empty.
    pub fn from_env() -> Option<Self> {
        std::env::var_os("SUPERTOKENS_WEBSITE_DIR")
            .filter(|dir| !dir.is_empty())
            .map(Self::new)
    }

    /// The website: the directory for every path.
    pub fn router(self) -> Router {
        Router::new().fallback(get(spa_file)).with_state(self.dir)
    }

    /// The file under the directory that `path` (a request path) names, when it names one
    /// safely; `None` sends the request to `index.html`.
    fn file_for(dir: &std::path::Path, path: &str) -> Option<PathBuf> {
        let safe = |segment: &str| {
            !segment.is_empty()
                && !segment.starts_with('.')
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-@+~".contains(&b))
        };
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        segments
            .iter()
            .all(|s| safe(s))
            .then(|| segments.iter().fold(dir.to_path_buf(), |p, s| p.join(s)))
    }
}

async fn spa_file(State(dir): State<PathBuf>, uri: Uri) -> Response {
    if let Some(file) = SpaDir::file_for(&dir, uri.path())
        && let Ok(body) = tokio::fs::read(&file).await
    {
        return ([(header::CONTENT_TYPE, content_type(&file))], body).into_response();
    }
    match tokio::fs::read(dir.join("index.html")).await {
        Ok(body) => Html(body).into_response(),
        Err(e) => (
            StatusCode::NOT_FOUND,
            format!(
                "no index.html in SUPERTOKENS_WEBSITE_DIR ({}): {e}\n",
                dir.display()
            ),
        )
            .into_response(),
    }
}

/// The content type of a built web app's file, by its extension.
fn content_type(file: &std::path::Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Serves the API on 127.0.0.1:3001 and the website on 127.0.0.1:3000 (the ports of
/// `http://localhost:3001` and `http://localhost:3000`) until the process ends: the directory
/// named by `SUPERTOKENS_WEBSITE_DIR` when it is set (see [`SpaDir`]), else `page` when there is
/// one. Exits the process with a message when a port is taken.
pub async fn serve(api: Router, page: impl Into<Option<LoginPage>>) {
    let api_addr = SocketAddr::from(([127, 0, 0, 1], 3001));
    let page_addr = SocketAddr::from(([127, 0, 0, 1], 3000));
    let api = async {
        let listener = tokio::net::TcpListener::bind(api_addr).await.map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot listen on {api_addr}: {e}"))
        })?;
        // The peer address is what the send limits count clients by.
        axum::serve(
            listener,
            api.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    };
    let website = match SpaDir::from_env() {
        Some(spa) => {
            println!(
                "website: serving {} on http://localhost:3000 (SUPERTOKENS_WEBSITE_DIR)",
                spa.dir.display()
            );
            Some(spa.router())
        }
        None => page.into().map(LoginPage::router),
    };
    let website = async {
        let Some(website) = website else {
            return Ok(());
        };
        let listener = tokio::net::TcpListener::bind(page_addr)
            .await
            .map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot listen on {page_addr}: {e}"))
            })?;
        axum::serve(listener, website).await
    };
    if let Err(e) = tokio::try_join!(api, website) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The routes every example serves: the SDK's routes under `/auth` and [`routes`].
pub fn api() -> Router {
    routes().merge(supertokens::router())
}

/// The examples' own route: [`session_info`] at `/sessioninfo`, which the login page calls.
pub fn routes() -> Router {
    Router::new().route("/sessioninfo", get(session_info))
}

/// `GET /sessioninfo`, the protected route of the examples: who is signed in, with the
/// session's handle and access-token payload.
#[protected]
pub async fn session_info(session: SessionContainer) -> Json<Value> {
    let payload = session.access_token_payload();
    Json(json!({
        "userId": session.user_id(),
        "sessionHandle": session.handle(),
        "tenantId": session.tenant_id(),
        "accessTokenPayload": *payload,
    }))
}

/// The examples' `configure = …` hook: everything they read from the environment, applied at
/// start-up before the SDK starts.
///
/// - Logs: a `tracing` subscriber printing to stderr, filtered by `RUST_LOG` (default `info`),
///   so the SDK's warnings and errors show next to the console delivery lines on stdout.
/// - The embedded core: `SUPERTOKENS_ACCESS_TOKEN_VALIDITY_SECS` (the end-to-end tests make
///   access tokens short-lived to watch the frontend refresh them) and `SUPERTOKENS_EMBEDDED_DB`
///   (a SQLite file, or `:memory:`). Ignored when a remote core is configured.
/// - `SUPERTOKENS_RESEND_INTERVAL_SECS`: the shortest time between two sends to one device
///   (default 30 s; the other send limits keep their defaults), so a test can resend a code
///   without waiting half a minute.
///
/// # Panics
/// If `SUPERTOKENS_ACCESS_TOKEN_VALIDITY_SECS` or `SUPERTOKENS_RESEND_INTERVAL_SECS` is set but
/// not a whole number of seconds.
pub fn from_env(builder: ConfigBuilder) -> ConfigBuilder {
    install_logging();
    let builder = embedded_core_from_env(builder);
    match secs_from_env("SUPERTOKENS_RESEND_INTERVAL_SECS") {
        Some(interval) => builder.passwordless(
            PasswordlessConfig::new().send_limits(SendLimits::new().resend_interval(interval)),
        ),
        None => builder,
    }
}

fn secs_from_env(name: &str) -> Option<Duration> {
    let secs = std::env::var(name).ok()?;
    let n: u64 = secs
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{name}={secs:?} is not a number of seconds"));
    Some(Duration::from_secs(n))
}

/// Installs the examples' log subscriber once; later calls (and a subscriber someone else
/// installed first) leave it as it is.
fn install_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // `try_init` fails only when a global subscriber exists already, which is fine to keep.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn embedded_core_from_env(builder: ConfigBuilder) -> ConfigBuilder {
    let mut core = EmbeddedCoreConfig::default();
    if let Some(validity) = secs_from_env("SUPERTOKENS_ACCESS_TOKEN_VALIDITY_SECS") {
        core.access_token_validity = validity;
    }
    if let Ok(db) = std::env::var("SUPERTOKENS_EMBEDDED_DB") {
        core.database = Database::parse(&db);
    }
    builder.embedded_core(core)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_gets_settings_and_bundles_in_order() {
        let mut page =
            LoginPage::new("Demo", "http://localhost:3001").contact_method(ContactMethod::Email);
        page.webjs_dir = None;
        let html = page.html();
        assert!(!html.contains(PAGE_CONFIG_SLOT));
        assert!(html.contains(r#""apiDomain":"http://localhost:3001""#));
        assert!(html.contains(r#""contactMethod":"EMAIL""#));
        let positions: Vec<usize> = WEBJS_BUNDLES
            .iter()
            .map(|b| html.find(b).expect("bundle missing"))
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
        assert!(html.contains("https://cdn.jsdelivr.net/npm/supertokens-web-js@0.16.0/bundle/"));
    }

    #[test]
    fn spa_paths_reach_only_plain_files_under_the_directory() {
        let dir = std::path::Path::new("/site");
        let file = |path| SpaDir::file_for(dir, path);
        assert_eq!(file("/app.js"), Some(PathBuf::from("/site/app.js")));
        assert_eq!(
            file("/assets/logo@2x.png"),
            Some(PathBuf::from("/site/assets/logo@2x.png"))
        );
        // Not files: the app's routes get index.html.
        for path in [
            "/",
            "/auth/",
            "/../etc/passwd",
            "/a/../../x",
            "/.env",
            "/a%2F..%2Fb",
            "/a\\b",
            "//etc/passwd",
        ] {
            assert_eq!(file(path), None, "{path}");
        }
    }

    #[tokio::test]
    async fn spa_serves_files_and_index_for_routes() {
        use tower::ServiceExt as _;
        let dir = std::env::temp_dir().join(format!("examples-spa-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<p>app</p>").unwrap();
        std::fs::write(dir.join("app.js"), "run()").unwrap();
        let get = |path: &'static str| {
            let router = SpaDir::new(&dir).router();
            async move {
                let response = router
                    .oneshot(
                        axum::http::Request::get(path)
                            .body(axum::body::Body::empty())
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                let status = response.status();
                let kind = response.headers()[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .to_owned();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .unwrap();
                (status, kind, String::from_utf8(body.to_vec()).unwrap())
            }
        };
        let (status, kind, body) = get("/app.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "run()"));
        assert!(kind.starts_with("text/javascript"), "{kind}");
        for route in [
            "/",
            "/auth",
            "/auth/verify?preAuthSessionId=x",
            "/missing.js",
        ] {
            let (status, kind, body) = get(route).await;
            assert_eq!(
                (status, body.as_str()),
                (StatusCode::OK, "<p>app</p>"),
                "{route}"
            );
            assert!(kind.starts_with("text/html"), "{route}: {kind}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn settings_cannot_close_the_script_element() {
        let mut page = LoginPage::new("</script><b>x", "http://localhost:3001");
        page.webjs_dir = Some(PathBuf::from("/nowhere"));
        let html = page.html();
        assert!(!html.contains("</script><b>x"));
        assert!(html.contains("/webjs/website.c7860dc40a39421c659b.js"));
    }
}
