//! The request log: one JSON line per request (method, path, query, `cdi-version`, `rid`, whether
//! an api key was sent, the request body, the reply status and time), with secrets redacted.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;

use crate::http::api_key_of;

/// Where [`EmbeddedCore::with_request_log`](crate::EmbeddedCore::with_request_log) writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestLogTarget {
    /// Standard output.
    Stdout,
    /// A file, appended to (created if missing).
    File(PathBuf),
}

/// Request fields that hold secrets; their values never reach the log.
const REDACTED: &[&str] = &[
    "userInputCode",
    "linkCode",
    "deviceId",
    "accessToken",
    "refreshToken",
    "antiCsrfToken",
    "api-key",
    "apiKey",
];

/// Largest request body the log reads (larger ones are answered 413 while logging is on).
const MAX_LOGGED_BODY: usize = 2 * 1024 * 1024;

/// The request log: one JSON line per request.
pub(crate) struct RequestLog {
    out: Mutex<Box<dyn Write + Send>>,
}

impl RequestLog {
    /// Opens `target`.
    pub(crate) fn open(target: &RequestLogTarget) -> Result<Self, String> {
        let out: Box<dyn Write + Send> = match target {
            RequestLogTarget::Stdout => Box::new(std::io::stdout()),
            RequestLogTarget::File(path) => Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| format!("cannot open the request log {}: {e}", path.display()))?,
            ),
        };
        Ok(Self {
            out: Mutex::new(out),
        })
    }

    /// Runs `next` on the request and logs the exchange.
    pub(crate) async fn around<F, Fut>(&self, req: Request<Body>, next: F) -> Response<Body>
    where
        F: FnOnce(Request<Body>) -> Fut,
        Fut: std::future::Future<Output = Response<Body>>,
    {
        let started = std::time::Instant::now();
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_LOGGED_BODY).await {
            Ok(bytes) => bytes,
            Err(_) => {
                return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large").into_response();
            }
        };
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        let query: serde_json::Map<String, serde_json::Value> = parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .map(|(k, v)| {
                        let v = if REDACTED.contains(&k.as_str()) {
                            "<redacted>".to_owned()
                        } else {
                            v
                        };
                        (k, serde_json::Value::String(v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let body_entry = if bytes.is_empty() {
            serde_json::Value::Null
        } else {
            match serde_json::from_slice::<serde_json::Value>(&bytes) {
                Ok(mut value) => {
                    redact(&mut value);
                    value
                }
                Err(_) => format!("<not JSON, {} bytes>", bytes.len()).into(),
            }
        };
        let mut line = serde_json::json!({
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "query": query,
            "cdiVersion": header("cdi-version"),
            "rid": header("rid"),
            "apiKey": api_key_of(&parts.headers).is_some(),
            "body": body_entry,
        });
        let response = next(Request::from_parts(parts, Body::from(bytes))).await;
        line["status"] = response.status().as_u16().into();
        line["ms"] = (started.elapsed().as_micros() as f64 / 1000.0).into();
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        // A log that cannot be written must not fail the request it describes.
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
        response
    }
}

/// Replaces the values of [`REDACTED`] fields, at any depth.
fn redact(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if REDACTED.contains(&key.as_str()) {
                    *v = "<redacted>".into();
                } else {
                    redact(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}
