//! The CDI client: version negotiation, hosts, api key, retries, timeouts, typed errors.
//!
//! One [`CoreClient`] speaks to one SuperTokens Core deployment over one of two transports: HTTP
//! (remote cores, several hosts in round robin) or in-process (a tower service such as the
//! embedded core's router, with no socket). Both build the same request — method, path, query,
//! headers, JSON body — so the embedded core sees exactly what a remote core would.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use tower::ServiceExt;

use crate::config::CoreHost;
use crate::core::cdi::{ApiVersionResponse, Jwks};

/// The CDI versions this SDK speaks; the highest one the core also offers is used.
pub const CDI_VERSIONS: &[&str] = &["5.3", "5.4"];

/// How many times one call is retried after a `429 Too Many Requests`.
const MAX_429_RETRIES: u32 = 5;

const CONTENT_TYPE_JSON: &str = "application/json; charset=utf-8";

/// A failed call to the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The core answered with a non-200 status.
    #[error("SuperTokens core answered {method} {path} with status {status}: {body}")]
    Status {
        /// HTTP method of the request.
        method: String,
        /// Path of the request (without host and query).
        path: String,
        /// HTTP status code.
        status: u16,
        /// The response body, as text (the core's message).
        body: String,
    },
    /// No host could be reached.
    #[error("no SuperTokens core available to query: {0}")]
    Unavailable(String),
    /// The core and the SDK share no CDI version.
    #[error(
        "the SuperTokens core offers CDI versions {core:?} and this SDK speaks {ours:?}; use SuperTokens Core 10.1 or newer (CDI 5.3 or 5.4)"
    )]
    IncompatibleVersion {
        /// What the core offers.
        core: Vec<String>,
        /// What the SDK speaks.
        ours: Vec<String>,
    },
    /// The request timed out.
    #[error("request to the SuperTokens core timed out after {0:?}")]
    Timeout(Duration),
    /// The core's answer could not be decoded as the expected type.
    #[error("unexpected answer from the SuperTokens core for {path}: {message}")]
    Decode {
        /// Path of the request.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The request could not be built (a path, recipe id or key that cannot go into an HTTP
    /// request, or a body that cannot be serialised). Nothing was sent.
    #[error("cannot send a request to the SuperTokens core for {path}: {message}")]
    InvalidRequest {
        /// Path of the request.
        path: String,
        /// What is wrong.
        message: String,
    },
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
type InProcessService =
    Arc<dyn Fn(http::Request<Body>) -> BoxFuture<http::Response<Body>> + Send + Sync>;

#[derive(Clone)]
enum Transport {
    Http(reqwest::Client),
    InProcess(InProcessService),
}

/// A client of a SuperTokens Core. Cheap to clone; clones share the negotiated CDI version and
/// the round-robin position.
///
/// ```no_run
/// # async fn demo() -> Result<(), supertokens::core::CoreError> {
/// use std::time::Duration;
/// use supertokens::config::CoreHost;
/// use supertokens::core::CoreClient;
///
/// let core = CoreClient::http(
///     vec![CoreHost { domain: "http://localhost:3567".into(), base_path: String::new() }],
///     None,
///     Duration::from_secs(10),
/// )?
/// .with_app_info("http://localhost:3001", "http://localhost:3000");
/// println!("speaking CDI {}", core.cdi_version().await?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CoreClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    hosts: Vec<CoreHost>,
    api_key: Option<String>,
    timeout: Duration,
    app_info: Option<(String, String)>,
    next_host: AtomicUsize,
    version: OnceCell<String>,
}

impl Inner {
    fn new(
        transport: Transport,
        hosts: Vec<CoreHost>,
        api_key: Option<String>,
        timeout: Duration,
        app_info: Option<(String, String)>,
    ) -> Self {
        Self {
            transport,
            hosts,
            api_key,
            timeout,
            app_info,
            next_host: AtomicUsize::new(0),
            version: OnceCell::new(),
        }
    }
}

impl std::fmt::Debug for CoreClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match self.inner.transport {
            Transport::Http(_) => "http",
            Transport::InProcess(_) => "in-process",
        };
        // The api key is deliberately left out.
        f.debug_struct("CoreClient")
            .field("transport", &transport)
            .field("hosts", &self.inner.hosts)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// One request as the client means it, before it is put on a transport.
struct Call<'a> {
    method: Method,
    path: &'a str,
    rid: Option<&'a str>,
    query: &'a [(&'a str, &'a str)],
    body: Option<Bytes>,
    send_api_key: bool,
    cdi_version: Option<String>,
}

/// A response with its body read.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

/// Why one attempt on one host failed.
enum AttemptError {
    /// The host could not be reached (refused, reset, DNS, connect timeout): try the next one.
    Unreachable(String),
    /// No answer within the timeout.
    Timeout,
    /// Anything else: give up.
    Fatal(CoreError),
}

impl CoreClient {
    /// A client of remote cores over HTTP(S), used round robin with failover.
    ///
    /// Each host is `scheme://host[:port]` plus an optional base path (`/appid-myapp`) that is
    /// prefixed to every path. `timeout` bounds each request (the configuration's default is
    /// 10 s); a host that does not accept a connection within half of it counts
    /// as down and the next host is tried.
    pub fn http(
        hosts: Vec<CoreHost>,
        api_key: Option<String>,
        timeout: Duration,
    ) -> Result<Self, CoreError> {
        if hosts.is_empty() {
            return Err(CoreError::Unavailable(
                "no core host was given; set `connection_uri`".to_owned(),
            ));
        }
        for host in &hosts {
            let lower = host.domain.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                return Err(CoreError::Unavailable(format!(
                    "core host `{}` is not an http:// or https:// URL",
                    host.domain
                )));
            }
        }
        check_api_key(api_key.as_deref())?;
        // Hosts may come from elsewhere than the configuration: make the joins below exact.
        let hosts = hosts
            .into_iter()
            .map(|host| {
                let base_path = host.base_path.trim_end_matches('/');
                CoreHost {
                    domain: host.domain.trim_end_matches('/').to_owned(),
                    base_path: if base_path.is_empty() || base_path.starts_with('/') {
                        base_path.to_owned()
                    } else {
                        format!("/{base_path}")
                    },
                }
            })
            .collect();
        let client = reqwest::Client::builder()
            .connect_timeout(timeout / 2)
            .timeout(timeout)
            // A redirect would carry the api-key header to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| CoreError::Unavailable(format!("cannot create the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner::new(
                Transport::Http(client),
                hosts,
                api_key,
                timeout,
                None,
            )),
        })
    }

    /// A client of an in-process CDI server (a tower service such as the embedded core's
    /// router): each call becomes an `http::Request` handed to the service, with no socket.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use std::time::Duration;
    /// use axum::{Json, Router, routing::get};
    /// use supertokens::core::CoreClient;
    ///
    /// let core = Router::new().route(
    ///     "/apiversion",
    ///     get(|| async { Json(serde_json::json!({ "versions": ["5.3"] })) }),
    /// );
    /// let client = CoreClient::in_process(core, None, Duration::from_secs(10));
    /// assert_eq!(client.cdi_version().await.unwrap(), "5.3");
    /// # }
    /// ```
    pub fn in_process<S>(service: S, api_key: Option<String>, timeout: Duration) -> Self
    where
        S: tower_service::Service<
                http::Request<Body>,
                Response = http::Response<Body>,
                Error = Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        let call: InProcessService = Arc::new(move |req| {
            let service = service.clone();
            Box::pin(async move {
                match service.oneshot(req).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            })
        });
        let host = CoreHost {
            domain: String::new(),
            base_path: String::new(),
        };
        Self {
            inner: Arc::new(Inner::new(
                Transport::InProcess(call),
                vec![host],
                api_key,
                timeout,
                None,
            )),
        }
    }

    /// The same client, sending `apiDomain` and `websiteDomain` with the version negotiation
    /// (`GET /apiversion`), as the official SDKs do. Call it before the first request: the
    /// returned client negotiates afresh.
    pub fn with_app_info(
        self,
        api_domain: impl Into<String>,
        website_domain: impl Into<String>,
    ) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner::new(
                inner.transport.clone(),
                inner.hosts.clone(),
                inner.api_key.clone(),
                inner.timeout,
                Some((api_domain.into(), website_domain.into())),
            )),
        }
    }

    /// The timeout of one request.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The hosts this client uses (one empty host for the in-process transport).
    pub fn hosts(&self) -> &[CoreHost] {
        &self.inner.hosts
    }

    /// `GET path?query`, decoding a 200 JSON answer as `R`.
    ///
    /// `rid` is sent as the `rid` header (e.g. `Some("passwordless")` on `/recipe/user`). Query
    /// values are URL-encoded.
    pub async fn get<R: DeserializeOwned>(
        &self,
        path: &str,
        rid: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<R, CoreError> {
        self.json_call(Method::GET, path, rid, query, None).await
    }

    /// `POST path` with a JSON body, decoding a 200 JSON answer as `R`.
    pub async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        rid: Option<&str>,
        body: &B,
    ) -> Result<R, CoreError> {
        let body = encode_body(path, body)?;
        self.json_call(Method::POST, path, rid, &[], Some(body))
            .await
    }

    /// `PUT path` with a JSON body, decoding a 200 JSON answer as `R`.
    pub async fn put<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        rid: Option<&str>,
        body: &B,
    ) -> Result<R, CoreError> {
        let body = encode_body(path, body)?;
        self.json_call(Method::PUT, path, rid, &[], Some(body))
            .await
    }

    /// `DELETE path?query`, decoding a 200 JSON answer as `R`.
    pub async fn delete<R: DeserializeOwned>(
        &self,
        path: &str,
        rid: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<R, CoreError> {
        self.json_call(Method::DELETE, path, rid, query, None).await
    }

    /// `GET /.well-known/jwks.json` (no api key, no cdi-version): the keys and the cache lifetime
    /// the core asks for (`Cache-Control: max-age`).
    pub async fn jwks(&self) -> Result<(Jwks, Option<Duration>), CoreError> {
        let path = "/.well-known/jwks.json";
        let answer = self
            .send(Call {
                method: Method::GET,
                path,
                rid: None,
                query: &[],
                body: None,
                send_api_key: false,
                cdi_version: None,
            })
            .await?;
        let max_age = answer
            .headers
            .get_all(http::header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(max_age);
        let jwks = decode(&Method::GET, path, answer)?;
        Ok((jwks, max_age))
    }

    /// The negotiated CDI version (negotiated once, lazily, with `GET /apiversion`).
    ///
    /// Concurrent first calls share one negotiation; a failed negotiation is retried by the
    /// next call.
    pub async fn cdi_version(&self) -> Result<String, CoreError> {
        self.inner
            .version
            .get_or_try_init(|| self.negotiate())
            .await
            .cloned()
    }

    async fn negotiate(&self) -> Result<String, CoreError> {
        let path = "/apiversion";
        let query: Vec<(&str, &str)> = match &self.inner.app_info {
            Some((api, website)) => vec![("apiDomain", api), ("websiteDomain", website)],
            None => Vec::new(),
        };
        let answer = self
            .send(Call {
                method: Method::GET,
                path,
                rid: None,
                query: &query,
                body: None,
                send_api_key: true,
                cdi_version: None,
            })
            .await?;
        let offered: ApiVersionResponse = decode(&Method::GET, path, answer)?;
        match pick_cdi_version(&offered.versions) {
            Some(version) => {
                tracing::debug!(cdi_version = version, "negotiated the CDI version");
                Ok(version.to_owned())
            }
            None => Err(CoreError::IncompatibleVersion {
                core: offered.versions,
                ours: CDI_VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
            }),
        }
    }

    async fn json_call<R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        rid: Option<&str>,
        query: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<R, CoreError> {
        let version = self.cdi_version().await?;
        let answer = self
            .send(Call {
                method: method.clone(),
                path,
                rid,
                query,
                body,
                send_api_key: true,
                cdi_version: Some(version),
            })
            .await?;
        decode(&method, path, answer)
    }

    /// Sends one call: round robin over the hosts, the next host on a connection failure,
    /// retries after a 429. Any status other than 200 is an error.
    async fn send(&self, call: Call<'_>) -> Result<Answer, CoreError> {
        let inner = &*self.inner;
        let headers = self.headers(&call)?;
        let path_and_query = path_and_query(call.path, call.query);
        let mut tries_left = inner.hosts.len();
        let mut retries_429_left = MAX_429_RETRIES;
        let mut failures: Vec<String> = Vec::new();
        while tries_left > 0 {
            let index = inner.next_host.fetch_add(1, Ordering::Relaxed) % inner.hosts.len();
            let host = &inner.hosts[index];
            let attempt = self.attempt(host, &call, &path_and_query, &headers).await;
            match attempt {
                Ok(answer) if answer.status == 429 && retries_429_left > 0 => {
                    let attempts_made = u64::from(MAX_429_RETRIES - retries_429_left);
                    retries_429_left -= 1;
                    tracing::debug!(
                        method = %call.method,
                        path = call.path,
                        "the core is rate limiting; retrying"
                    );
                    tokio::time::sleep(Duration::from_millis(10 + 250 * attempts_made)).await;
                }
                Ok(answer) if answer.status == 200 => return Ok(answer),
                Ok(answer) => {
                    return Err(CoreError::Status {
                        method: call.method.to_string(),
                        path: call.path.to_owned(),
                        status: answer.status,
                        body: String::from_utf8_lossy(&answer.body).into_owned(),
                    });
                }
                Err(AttemptError::Timeout) => return Err(CoreError::Timeout(inner.timeout)),
                Err(AttemptError::Fatal(error)) => return Err(error),
                Err(AttemptError::Unreachable(why)) => {
                    tracing::warn!(host = %host_label(host), error = %why, "SuperTokens core host unreachable");
                    failures.push(format!("{}: {why}", host_label(host)));
                    tries_left -= 1;
                }
            }
        }
        Err(CoreError::Unavailable(failures.join("; ")))
    }

    fn headers(&self, call: &Call<'_>) -> Result<HeaderMap, CoreError> {
        let invalid = |what: &str| CoreError::InvalidRequest {
            path: call.path.to_owned(),
            message: format!("the {what} cannot be sent as an HTTP header"),
        };
        let mut headers = HeaderMap::new();
        if call.send_api_key
            && let Some(key) = &self.inner.api_key
        {
            let mut value = HeaderValue::from_str(key).map_err(|_| invalid("api key"))?;
            value.set_sensitive(true);
            headers.insert(HeaderName::from_static("api-key"), value);
        }
        if let Some(version) = &call.cdi_version {
            let value = HeaderValue::from_str(version).map_err(|_| invalid("cdi version"))?;
            headers.insert(HeaderName::from_static("cdi-version"), value);
        }
        if let Some(rid) = call.rid {
            let value = HeaderValue::from_str(rid).map_err(|_| invalid("recipe id"))?;
            headers.insert(HeaderName::from_static("rid"), value);
        }
        if call.body.is_some() {
            headers.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static(CONTENT_TYPE_JSON),
            );
        }
        Ok(headers)
    }

    async fn attempt(
        &self,
        host: &CoreHost,
        call: &Call<'_>,
        path_and_query: &str,
        headers: &HeaderMap,
    ) -> Result<Answer, AttemptError> {
        let target = format!("{}{path_and_query}", host.base_path);
        match &self.inner.transport {
            Transport::Http(client) => {
                let url = format!("{}{target}", host.domain);
                let mut request = client
                    .request(call.method.clone(), url)
                    .headers(headers.clone());
                if let Some(body) = &call.body {
                    request = request.body(body.clone());
                }
                let response = request
                    .send()
                    .await
                    .map_err(|e| transport_error(call.path, e))?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| transport_error(call.path, e))?;
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            }
            Transport::InProcess(service) => {
                let mut builder = http::Request::builder()
                    .method(call.method.clone())
                    .uri(&target);
                if let Some(h) = builder.headers_mut() {
                    h.extend(headers.clone());
                }
                let body = call
                    .body
                    .clone()
                    .map(Body::from)
                    .unwrap_or_else(Body::empty);
                let request = builder.body(body).map_err(|e| {
                    AttemptError::Fatal(CoreError::InvalidRequest {
                        path: call.path.to_owned(),
                        message: e.to_string(),
                    })
                })?;
                let response = service(request);
                let exchange = async move {
                    let response = response.await;
                    let status = response.status().as_u16();
                    let (parts, body) = response.into_parts();
                    let body = body.collect().await.map(|b| b.to_bytes());
                    (status, parts.headers, body)
                };
                let (status, headers, body) = tokio::time::timeout(self.inner.timeout, exchange)
                    .await
                    .map_err(|_| AttemptError::Timeout)?;
                let body = body.map_err(|e| AttemptError::Unreachable(e.to_string()))?;
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            }
        }
    }
}

/// The highest version common to the core's list (unordered) and ours, by numeric dotted
/// comparison.
pub(crate) fn pick_cdi_version(offered: &[String]) -> Option<&'static str> {
    CDI_VERSIONS
        .iter()
        .copied()
        .filter(|ours| offered.iter().any(|v| v.trim() == *ours))
        .max_by(|a, b| version_key(a).cmp(&version_key(b)))
}

fn version_key(version: &str) -> Vec<u64> {
    version
        .split('.')
        .map(|part| part.parse().unwrap_or(0))
        .collect()
}

fn check_api_key(api_key: Option<&str>) -> Result<(), CoreError> {
    if let Some(key) = api_key
        && HeaderValue::from_str(key).is_err()
    {
        return Err(CoreError::InvalidRequest {
            path: String::new(),
            message: "the api key cannot be sent as an HTTP header; check `api_key`".to_owned(),
        });
    }
    Ok(())
}

fn encode_body<B: Serialize + ?Sized>(path: &str, body: &B) -> Result<Bytes, CoreError> {
    serde_json::to_vec(body)
        .map(Bytes::from)
        .map_err(|e| CoreError::InvalidRequest {
            path: path.to_owned(),
            message: format!("the body cannot be serialised: {e}"),
        })
}

fn decode<R: DeserializeOwned>(
    method: &Method,
    path: &str,
    answer: Answer,
) -> Result<R, CoreError> {
    serde_json::from_slice(&answer.body).map_err(|e| CoreError::Decode {
        path: path.to_owned(),
        message: format!("{method} answered 200 with a body that is not the expected JSON: {e}"),
    })
}

/// `path` (a leading `/` added if missing) and the URL-encoded query.
fn path_and_query(path: &str, query: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        out.push('/');
    }
    out.push_str(path);
    if !query.is_empty() {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        out.push('?');
        out.push_str(&encoded);
    }
    out
}

fn host_label(host: &CoreHost) -> String {
    if host.domain.is_empty() {
        format!("in-process core{}", host.base_path)
    } else {
        format!("{}{}", host.domain, host.base_path)
    }
}

fn transport_error(path: &str, error: reqwest::Error) -> AttemptError {
    // The URL may carry query values (session handles, device ids): keep it out of messages.
    let error = error.without_url();
    if error.is_builder() {
        // Not the host's fault: no other host would take this request either.
        AttemptError::Fatal(CoreError::InvalidRequest {
            path: path.to_owned(),
            message: error_chain(&error),
        })
    } else if error.is_timeout() && !error.is_connect() {
        AttemptError::Timeout
    } else {
        AttemptError::Unreachable(error_chain(&error))
    }
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The `max-age` of one `Cache-Control` header value.
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        value
            .trim()
            .trim_matches('"')
            .parse()
            .ok()
            .map(Duration::from_secs)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_CORE_TIMEOUT as DEFAULT_TIMEOUT;

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn picks_the_highest_common_version_from_an_unordered_list() {
        assert_eq!(
            pick_cdi_version(&owned(&["2.21", "5.3", "5.1"])),
            Some("5.3")
        );
        assert_eq!(
            pick_cdi_version(&owned(&["5.4", "2.9", "5.3"])),
            Some("5.4")
        );
        assert_eq!(
            pick_cdi_version(&owned(&["5.6", "5.5", "5.4"])),
            Some("5.4")
        );
        assert_eq!(pick_cdi_version(&owned(&["2.21", "5.2"])), None);
        assert_eq!(pick_cdi_version(&[]), None);
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_key("5.10") > version_key("5.9"));
        assert!(version_key("5.3.1") > version_key("5.3"));
    }

    #[test]
    fn query_values_are_url_encoded() {
        assert_eq!(
            path_and_query("/recipe/signinup/codes", &[("deviceId", "a+b/c=")]),
            "/recipe/signinup/codes?deviceId=a%2Bb%2Fc%3D"
        );
        assert_eq!(path_and_query("hello", &[]), "/hello");
    }

    #[test]
    fn reads_max_age() {
        assert_eq!(
            max_age("max-age=60, must-revalidate"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(max_age("no-store"), None);
        assert_eq!(max_age("Max-Age = 5"), Some(Duration::from_secs(5)));
        assert_eq!(max_age("max-age=-1"), None);
    }

    /// A CDI server that echoes what it received, answering `/apiversion` with 5.3.
    fn echo_core() -> axum::Router {
        use axum::routing::{any, get};
        fn header(h: &HeaderMap, name: &str) -> serde_json::Value {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map_or(serde_json::Value::Null, |v| v.into())
        }
        axum::Router::new()
            .route(
                "/apiversion",
                get(|| async { axum::Json(serde_json::json!({"versions": ["2.21", "5.3"]})) }),
            )
            .route(
                "/{*rest}",
                any(
                    |method: Method, uri: http::Uri, headers: HeaderMap, body: Bytes| async move {
                        axum::Json(serde_json::json!({
                            "method": method.as_str(),
                            "uri": uri.to_string(),
                            "apiKey": header(&headers, "api-key"),
                            "cdiVersion": header(&headers, "cdi-version"),
                            "rid": header(&headers, "rid"),
                            "contentType": header(&headers, "content-type"),
                            "body": String::from_utf8_lossy(&body),
                        }))
                    },
                ),
            )
    }

    #[tokio::test]
    async fn in_process_calls_carry_the_cdi_headers() {
        let client = CoreClient::in_process(echo_core(), Some("key-123".into()), DEFAULT_TIMEOUT);
        let seen: serde_json::Value = client
            .post(
                "/public/recipe/signinup/code",
                Some("passwordless"),
                &serde_json::json!({"a": 1}),
            )
            .await
            .unwrap();
        assert_eq!(seen["method"], "POST");
        assert_eq!(seen["uri"], "/public/recipe/signinup/code");
        assert_eq!(seen["apiKey"], "key-123");
        assert_eq!(seen["cdiVersion"], "5.3");
        assert_eq!(seen["rid"], "passwordless");
        assert_eq!(seen["contentType"], CONTENT_TYPE_JSON);
        assert_eq!(seen["body"], r#"{"a":1}"#);

        let seen: serde_json::Value = client
            .get("/recipe/user", None, &[("userId", "a b+c")])
            .await
            .unwrap();
        assert_eq!(seen["uri"], "/recipe/user?userId=a+b%2Bc");
        assert_eq!(seen["rid"], serde_json::Value::Null);
        assert_eq!(seen["contentType"], serde_json::Value::Null);
    }

    #[tokio::test]
    async fn undecodable_answers_are_decode_errors() {
        let client = CoreClient::in_process(echo_core(), None, DEFAULT_TIMEOUT);
        let err = client
            .get::<Jwks>("/recipe/anything", None, &[])
            .await
            .unwrap_err();
        assert!(matches!(err, CoreError::Decode { .. }), "{err:?}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever a caller passes as path, recipe id or query, the answer is a value or an
        /// error, never a panic.
        #[test]
        fn odd_requests_never_panic(
            path in "\\PC{0,24}",
            rid in proptest::option::of("\\PC{0,8}"),
            key in "\\PC{0,8}",
            value in "\\PC{0,16}",
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let client = CoreClient::in_process(echo_core(), Some(key), DEFAULT_TIMEOUT);
                let _ = client.get::<serde_json::Value>(&path, rid.as_deref(), &[("v", &value)]).await;
                let _ = client.post::<_, serde_json::Value>(&path, rid.as_deref(), &value).await;
            });
        }
    }
}
