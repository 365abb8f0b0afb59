//! The two transports a call travels on: HTTP (reqwest) to remote cores, or an in-process tower
//! service (such as the embedded core's router) with no socket. Both carry the same request:
//! method, path, query, headers, JSON body.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;

use super::CoreError;
use crate::future::BoxFuture;

/// An in-process CDI server: each call becomes an `http::Request` handed to it.
pub(super) type InProcessService =
    Arc<dyn Fn(http::Request<Body>) -> BoxFuture<'static, http::Response<Body>> + Send + Sync>;

/// How requests reach the core.
#[derive(Clone)]
pub(super) enum Transport {
    Http(reqwest::Client),
    InProcess(InProcessService),
}

/// One request as the client means it, before it is put on a transport.
pub(super) struct Call<'a> {
    pub(super) method: Method,
    pub(super) path: &'a str,
    pub(super) rid: Option<&'a str>,
    pub(super) query: &'a [(&'a str, &'a str)],
    pub(super) body: Option<Bytes>,
    pub(super) send_api_key: bool,
    pub(super) cdi_version: Option<String>,
}

/// A response with its body read.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

/// Why one attempt on one host failed.
pub(super) enum AttemptError {
    /// No connection to the host (refused, DNS, connect timeout): the host is down; try the
    /// next one.
    Unreachable(String),
    /// The connection closed before the request was written (a pooled connection the host had
    /// closed): nothing was sent; try the next host.
    NotSent(String),
    /// The connection broke after the request may have been written: the host may have acted on
    /// it, so only a request that is safe to repeat goes to the next host.
    Broken(String),
    /// No answer within the timeout.
    Timeout,
    /// Anything else: give up.
    Fatal(CoreError),
}

impl Transport {
    /// HTTP(S) with `timeout` per request; a host that does not accept a connection within half
    /// of it counts as down.
    pub(super) fn http(timeout: Duration) -> Result<Self, CoreError> {
        reqwest::Client::builder()
            .connect_timeout(timeout / 2)
            .timeout(timeout)
            // A redirect would carry the api-key header to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map(Self::Http)
            .map_err(|e| CoreError::Unavailable(format!("cannot create the HTTP client: {e}")))
    }

    /// The transport's name, for debug output.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Transport::Http(_) => "http",
            Transport::InProcess(_) => "in-process",
        }
    }

    /// One attempt of `call` at `domain` (empty in-process) and `target` (base path, path and
    /// query).
    pub(super) async fn attempt(
        &self,
        domain: &str,
        target: &str,
        call: &Call<'_>,
        headers: &HeaderMap,
        timeout: Duration,
    ) -> Result<Answer, AttemptError> {
        match self {
            Transport::Http(client) => {
                let mut request = client
                    .request(call.method.clone(), format!("{domain}{target}"))
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
                    .uri(target);
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
                let (status, headers, body) = tokio::time::timeout(timeout, exchange)
                    .await
                    .map_err(|_| AttemptError::Timeout)?;
                let body = body.map_err(|e| AttemptError::Broken(e.to_string()))?;
                Ok(Answer {
                    status,
                    headers,
                    body,
                })
            }
        }
    }
}

/// `path` (a leading `/` added if missing) and the URL-encoded query.
pub(super) fn path_and_query(path: &str, query: &[(&str, &str)]) -> String {
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

fn transport_error(path: &str, error: reqwest::Error) -> AttemptError {
    // The URL may carry query values (session handles, device ids): keep it out of messages.
    let error = error.without_url();
    if error.is_builder() {
        // Not the host's fault: no other host would take this request either.
        AttemptError::Fatal(CoreError::InvalidRequest {
            path: path.to_owned(),
            message: error_chain(&error),
        })
    } else if error.is_connect() {
        AttemptError::Unreachable(error_chain(&error))
    } else if error.is_timeout() {
        AttemptError::Timeout
    } else if never_written(&error) {
        AttemptError::NotSent(error_chain(&error))
    } else {
        AttemptError::Broken(error_chain(&error))
    }
}

/// Whether hyper gave the request back unsent: it reports a request it cancelled before writing
/// it (the connection closed first) as "canceled", and every other failure otherwise.
fn never_written(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
            return hyper.is_canceled();
        }
        source = cause.source();
    }
    false
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_url_encoded() {
        assert_eq!(
            path_and_query("/recipe/signinup/codes", &[("deviceId", "a+b/c=")]),
            "/recipe/signinup/codes?deviceId=a%2Bb%2Fc%3D"
        );
        assert_eq!(path_and_query("hello", &[]), "/hello");
    }
}
