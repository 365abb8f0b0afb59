//! An HTTP client for tests that talks to an axum [`Router`] (or any tower service) in-process,
//! or to a server over loopback, and hands back status, headers and body in one [`Reply`].
//!
//! ```no_run
//! # async fn demo(router: axum::Router) {
//! let app = tests::client::Client::service(router);
//! let reply = app
//!     .post("/auth/signinup/code")
//!     .header("rid", "passwordless")
//!     .json(&serde_json::json!({"email": "ada@example.com"}))
//!     .send()
//!     .await;
//! assert_eq!(reply.status, 200, "{}", reply.text);
//! assert_eq!(reply.body["status"], "OK");
//! # }
//! ```

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use base64::Engine as _;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::Value;
use tower::ServiceExt as _;
use tower::util::BoxCloneSyncService;

type Service = BoxCloneSyncService<Request<Body>, Response<Body>, Infallible>;

/// Where a [`Client`] sends its requests. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    target: Target,
}

#[derive(Clone)]
enum Target {
    /// Called directly, no socket.
    Service(Service),
    /// `http://127.0.0.1:<port>`, over reqwest.
    Http { base: String, http: reqwest::Client },
}

impl Client {
    /// A client calling `service` in-process (an axum [`Router`], or any tower service of
    /// requests and responses with axum's body).
    pub fn service<S>(service: S) -> Self
    where
        S: tower::Service<Request<Body>, Response = Response<Body>, Error = Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Self {
            target: Target::Service(BoxCloneSyncService::new(service)),
        }
    }

    /// A client of the router of an app: shorthand for [`Client::service`].
    pub fn router(router: Router) -> Self {
        Self::service(router)
    }

    /// A client sending over HTTP to `base` (`http://host:port`, no trailing slash).
    pub fn http(base: impl Into<String>) -> Self {
        Self {
            target: Target::Http {
                base: base.into(),
                http: reqwest::Client::new(),
            },
        }
    }

    /// A request with `method` to `path_and_query`.
    pub fn request(&self, method: Method, path_and_query: &str) -> RequestBuilder<'_> {
        RequestBuilder {
            client: self,
            request: Request::builder().method(method).uri(path_and_query),
            body: None,
        }
    }

    /// A `GET` request.
    pub fn get(&self, path_and_query: &str) -> RequestBuilder<'_> {
        self.request(Method::GET, path_and_query)
    }

    /// A `POST` request.
    pub fn post(&self, path_and_query: &str) -> RequestBuilder<'_> {
        self.request(Method::POST, path_and_query)
    }
}

/// A request being put together; [`send`](RequestBuilder::send) it.
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'a> {
    client: &'a Client,
    request: http::request::Builder,
    body: Option<String>,
}

impl RequestBuilder<'_> {
    /// Adds a header (repeated names are all sent).
    pub fn header<V>(mut self, name: &str, value: V) -> Self
    where
        http::HeaderValue: TryFrom<V>,
        <http::HeaderValue as TryFrom<V>>::Error: Into<http::Error>,
    {
        self.request = self.request.header(name, value);
        self
    }

    /// Adds the header when there is a value.
    pub fn optional_header(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.header(name, value),
            None => self,
        }
    }

    /// Adds every `(name, value)` pair as a header.
    pub fn headers(self, headers: &[(&str, &str)]) -> Self {
        headers
            .iter()
            .fold(self, |request, (name, value)| request.header(name, *value))
    }

    /// `authorization: Bearer <token>` (header-mode sessions).
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// A `cookie` header, e.g. `sAccessToken=…; sRefreshToken=…`.
    pub fn cookie(self, cookies: &str) -> Self {
        self.header("cookie", cookies)
    }

    /// Hands the underlying [`http::request::Builder`] to `f`: for helpers that take one, such
    /// as `supertokens::testing::TestSession::authorize`.
    pub fn with(
        mut self,
        f: impl FnOnce(http::request::Builder) -> http::request::Builder,
    ) -> Self {
        self.request = f(self.request);
        self
    }

    /// The access token of a `supertokens::testing` session as a bearer token (header mode).
    pub fn session(self, session: &supertokens::testing::TestSession) -> Self {
        self.with(|request| session.authorize(request))
    }

    /// `body` as it is, with no `content-type`.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// A body of JSON text as written (it may be malformed on purpose), sent as
    /// `content-type: application/json`.
    pub fn json_text(self, json: &str) -> Self {
        self.header("content-type", "application/json").body(json)
    }

    /// `value` serialised, sent as `content-type: application/json`.
    pub fn json(self, value: &Value) -> Self {
        self.json_text(&value.to_string())
    }

    /// Sends the request and reads the whole reply.
    ///
    /// # Panics
    /// If the request cannot be built or sent: a test has nothing to do but fail then.
    pub async fn send(self) -> Reply {
        let request = self.request.body(self.body).expect("a well-formed request");
        match &self.client.target {
            Target::Service(service) => {
                let (parts, body) = request.into_parts();
                let request = Request::from_parts(parts, body.map_or_else(Body::empty, Body::from));
                let response = service
                    .clone()
                    .oneshot(request)
                    .await
                    .unwrap_or_else(|e| match e {});
                let (parts, body) = response.into_parts();
                let bytes = body.collect().await.expect("the body").to_bytes();
                Reply::new(parts.status, parts.headers, &bytes)
            }
            Target::Http { base, http } => {
                let (parts, body) = request.into_parts();
                let mut request = http
                    .request(parts.method, format!("{base}{}", parts.uri))
                    .headers(parts.headers);
                if let Some(body) = body {
                    request = request.body(body);
                }
                let response = request.send().await.expect("the server answers");
                let (status, headers) = (response.status(), response.headers().clone());
                let bytes = response.bytes().await.expect("the body");
                Reply::new(status, headers, &bytes)
            }
        }
    }
}

/// A reply, read in full.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// Every header of the reply.
    pub headers: HeaderMap,
    /// The body as JSON, or as a JSON string holding the text when it is not JSON.
    pub body: Value,
    /// The body as text.
    pub text: String,
}

impl Reply {
    fn new(status: StatusCode, headers: HeaderMap, bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let body = serde_json::from_slice(bytes).unwrap_or_else(|_| Value::String(text.clone()));
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    /// A header's value as text, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().expect("a text header").to_owned())
    }

    /// Every `set-cookie` header, in order.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().expect("a text cookie").to_owned())
            .collect()
    }

    /// The whole `set-cookie` line of the cookie `name`, if one was set.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.cookies().into_iter().find(|c| c.starts_with(&prefix))
    }

    /// The value the reply sets for the cookie `name`, if one was set.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        let cookie = self.cookie(name)?;
        let value = &cookie[name.len() + 1..];
        Some(value.split(';').next().unwrap_or_default().to_owned())
    }

    /// The `front-token` header, decoded (standard base64 of JSON).
    ///
    /// # Panics
    /// If there is none, or it does not decode.
    pub fn front_token(&self) -> Value {
        let raw = self.header("front-token").expect("a front-token header");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw)
            .expect("base64");
        serde_json::from_slice(&bytes).expect("JSON")
    }
}
