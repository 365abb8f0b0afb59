//! The CDI client: one [`CoreClient`] speaks to one SuperTokens Core deployment, negotiating the
//! CDI version, sending the api key, and decoding answers into typed values. Where requests go
//! is [`super::hosts`] (failover) and [`super::transport`] (HTTP or in-process).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use tower::ServiceExt;

use super::CoreError;
use super::cdi::{ApiVersionResponse, Jwks};
use super::hosts::{BackOff, CoreHost, Hosts};
use super::negotiation::{CDI_VERSIONS, pick_cdi_version};
use super::transport::{Answer, Call, InProcessService, Transport, path_and_query};
use crate::{Clock, Secret};

const CONTENT_TYPE_JSON: &str = "application/json; charset=utf-8";

/// A client of a SuperTokens Core. Cheap to clone; clones share the negotiated CDI version and
/// the round-robin position.
///
/// ```no_run
/// # async fn demo() -> Result<(), supertokens::core::CoreError> {
/// use std::time::Duration;
/// use supertokens::core::{CoreClient, CoreHost};
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
    hosts: Hosts,
    api_key: Option<Secret>,
    timeout: Duration,
    app_info: Option<(String, String)>,
    version: OnceCell<String>,
}

impl std::fmt::Debug for CoreClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The api key is deliberately left out.
        f.debug_struct("CoreClient")
            .field("transport", &self.inner.transport.name())
            .field("hosts", &self.inner.hosts.list())
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

impl CoreClient {
    fn from_parts(
        transport: Transport,
        hosts: Hosts,
        api_key: Option<Secret>,
        timeout: Duration,
        app_info: Option<(String, String)>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport,
                hosts,
                api_key,
                timeout,
                app_info,
                version: OnceCell::new(),
            }),
        }
    }

    /// A client of remote cores over HTTP(S), used round robin with failover.
    ///
    /// Each host is `scheme://host[:port]` plus an optional base path (`/appid-myapp`) that is
    /// prefixed to every path. `timeout` bounds each request (the configuration's default is
    /// 10 s); a host that does not accept a connection within half of it counts
    /// as down and the next host is tried. A host that is down is skipped for a back-off
    /// (see [`with_host_back_off`](Self::with_host_back_off)).
    pub fn http(
        hosts: Vec<CoreHost>,
        api_key: Option<Secret>,
        timeout: Duration,
    ) -> Result<Self, CoreError> {
        let hosts = Hosts::remote(hosts)?;
        check_api_key(api_key.as_ref())?;
        let transport = Transport::http(timeout)?;
        Ok(Self::from_parts(transport, hosts, api_key, timeout, None))
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
    pub fn in_process<S>(service: S, api_key: Option<Secret>, timeout: Duration) -> Self
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
        let service: InProcessService = Arc::new(move |req| {
            let service = service.clone();
            Box::pin(async move {
                match service.oneshot(req).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            })
        });
        Self::from_parts(
            Transport::InProcess(service),
            Hosts::in_process(String::new()),
            api_key,
            timeout,
            None,
        )
    }

    /// The same client, sending `apiDomain` and `websiteDomain` with the version negotiation
    /// (`GET /apiversion`), as the official SDKs do. Call it before the first request: the
    /// returned client negotiates afresh.
    pub fn with_app_info(
        self,
        api_domain: impl Into<String>,
        website_domain: impl Into<String>,
    ) -> Self {
        let app_info = Some((api_domain.into(), website_domain.into()));
        self.rebuilt(self.inner.hosts.clone(), app_info)
    }

    /// The same client, timing the back-off of hosts that refuse connections with `clock`
    /// (the system clock by default; a test moves its own forward to end a back-off). Call it
    /// before the first request: the returned client negotiates afresh, with every host up.
    pub fn with_clock(self, clock: Clock) -> Self {
        let back_off = self.inner.hosts.back_off();
        self.with_hosts(|hosts| hosts.with(clock, back_off))
    }

    /// The same client with another back-off for hosts that refuse connections: such a host is
    /// skipped for `first`, then probed by one call; each failed probe doubles the back-off, up
    /// to `max`. The default is 1 s doubling to 30 s. Call it before the first request, as
    /// [`with_clock`](Self::with_clock).
    ///
    /// ```
    /// use std::time::Duration;
    /// use supertokens::core::{CoreClient, CoreHost};
    ///
    /// let hosts = ["http://core-1:3567", "http://core-2:3567"]
    ///     .map(|domain| CoreHost { domain: domain.into(), base_path: String::new() });
    /// let core = CoreClient::http(hosts.to_vec(), None, Duration::from_secs(10))
    ///     .unwrap()
    ///     .with_host_back_off(Duration::from_millis(500), Duration::from_secs(10));
    /// assert_eq!(core.hosts().len(), 2);
    /// ```
    pub fn with_host_back_off(self, first: Duration, max: Duration) -> Self {
        let clock = self.inner.hosts.clock().clone();
        self.with_hosts(|hosts| hosts.with(clock, BackOff { first, max }))
    }

    /// The same in-process client, calling the app `app_id` of the core (`/appid-<id>/…`)
    /// instead of `public`.
    pub(crate) fn for_app(self, app_id: &str) -> Self {
        if app_id == "public" {
            return self;
        }
        self.with_hosts(|_| Hosts::in_process(format!("/appid-{app_id}")))
    }

    fn with_hosts(self, change: impl FnOnce(Hosts) -> Hosts) -> Self {
        self.rebuilt(
            change(self.inner.hosts.clone()),
            self.inner.app_info.clone(),
        )
    }

    /// A client like this one with `hosts` and `app_info`, negotiating afresh.
    fn rebuilt(&self, hosts: Hosts, app_info: Option<(String, String)>) -> Self {
        let inner = &self.inner;
        Self::from_parts(
            inner.transport.clone(),
            hosts,
            inner.api_key.clone(),
            inner.timeout,
            app_info,
        )
    }

    /// The timeout of one request.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The hosts this client uses (one empty host for the in-process transport).
    pub fn hosts(&self) -> &[CoreHost] {
        self.inner.hosts.list()
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
        self.request(Method::POST, path, rid, &[], Some(body)).await
    }

    /// Any other call: `method path?query`, with a JSON body when there is one, decoding a 200
    /// JSON answer as `R`.
    ///
    /// ```no_run
    /// # async fn f(client: supertokens::core::CoreClient) -> Result<(), supertokens::core::CoreError> {
    /// use http::Method;
    /// use serde_json::{Value, json};
    ///
    /// let body = json!({ "userId": "u-1", "email": "new@example.com" });
    /// let _: Value = client
    ///     .request(Method::PUT, "/recipe/user", Some("passwordless"), &[], Some(&body))
    ///     .await?;
    /// let _: Value = client
    ///     .request(Method::DELETE, "/recipe/thing", None, &[("id", "1")], None::<&()>)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn request<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        rid: Option<&str>,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<R, CoreError> {
        let body = body.map(|body| encode_body(path, body)).transpose()?;
        self.json_call(method, path, rid, query, body).await
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

    /// Sends one call through the hosts (see [`Hosts::send`]).
    async fn send(&self, call: Call<'_>) -> Result<Answer, CoreError> {
        let inner = &*self.inner;
        let headers = self.headers(&call)?;
        let path_and_query = path_and_query(call.path, call.query);
        inner
            .hosts
            .send(
                &inner.transport,
                &call,
                &path_and_query,
                &headers,
                inner.timeout,
            )
            .await
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
            let mut value = HeaderValue::from_str(key.expose()).map_err(|_| invalid("api key"))?;
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
}

fn check_api_key(api_key: Option<&Secret>) -> Result<(), CoreError> {
    if let Some(key) = api_key
        && HeaderValue::from_str(key.expose()).is_err()
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

    const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

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
                let client = CoreClient::in_process(echo_core(), Some(key.into()), DEFAULT_TIMEOUT);
                let _ = client.get::<serde_json::Value>(&path, rid.as_deref(), &[("v", &value)]).await;
                let _ = client.post::<_, serde_json::Value>(&path, rid.as_deref(), &value).await;
            });
        }
    }
}
