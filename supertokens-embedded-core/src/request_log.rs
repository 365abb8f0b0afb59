//! The request log: one JSON line per request (method, path, query, `cdi-version`, `rid`, whether
//! an api key was sent, the request body, the reply status and time), with secrets redacted.
//!
//! Lines are written by a thread of their own, fed by a bounded channel, so file I/O never runs
//! on the runtime's threads. A request waits (asynchronously, holding no thread) until its line
//! is written: the log is for finding where a backend and this core disagree, so it must be
//! complete and written out by the time the answer reaches the caller. So when the disk falls
//! behind, requests wait for it (the channel is full) rather than drop lines; the writer writes
//! whatever has queued up meanwhile with one flush.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use tokio::sync::{mpsc, oneshot};

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

/// Lines that may wait for the writer; one more request waits for room.
const QUEUE: usize = 1024;

/// The name of the writer thread.
const WRITER: &str = "embedded-core-request-log";

/// Most lines written between two flushes.
const MAX_BATCH: usize = 256;

/// A line for the writer, and who to tell once it is written.
struct Entry {
    line: serde_json::Value,
    written: oneshot::Sender<()>,
}

/// The request log's handle: a channel to its writer thread. The thread ends (after a last
/// flush) when every handle is gone.
pub(crate) struct RequestLog {
    lines: mpsc::Sender<Entry>,
}

impl RequestLog {
    /// Opens `target` and starts the writer thread.
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
        Self::writing_to(out)
    }

    /// Starts the writer thread on `out`.
    fn writing_to(out: Box<dyn Write + Send>) -> Result<Self, String> {
        let (lines, queued) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name(WRITER.into())
            .spawn(move || write_lines(BufWriter::new(out), queued))
            .map_err(|e| format!("cannot start the request log's writer: {e}"))?;
        Ok(Self { lines })
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
        let (written, done) = oneshot::channel();
        // A log that cannot be written must not fail the request it describes: if the writer
        // has stopped, the answer goes out without its line.
        if self.lines.send(Entry { line, written }).await.is_ok() {
            let _ = done.await;
        }
        response
    }
}

/// The writer thread: writes what is queued, flushes, then tells the waiting requests.
fn write_lines(mut out: BufWriter<Box<dyn Write + Send>>, mut queued: mpsc::Receiver<Entry>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queued.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queued.try_recv() {
                Ok(entry) => batch.push(entry),
                Err(_) => break,
            }
        }
        for entry in &batch {
            // A line that cannot be written is lost; the requests go on.
            let _ = writeln!(out, "{}", entry.line);
        }
        let _ = out.flush();
        for entry in batch.drain(..) {
            let _ = entry.written.send(());
        }
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// An output that remembers what was written, and on which threads.
    #[derive(Clone, Default)]
    struct Recorder {
        bytes: Arc<Mutex<Vec<u8>>>,
        threads: Arc<Mutex<Vec<Option<String>>>>,
    }

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let thread = std::thread::current().name().map(str::to_owned);
            self.threads.lock().unwrap().push(thread);
            self.bytes.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    async fn logged(log: &RequestLog, path: &str) -> Response<Body> {
        let req = Request::post(path).body(Body::from(r#"{"linkCode":"secret"}"#));
        log.around(req.unwrap(), |_| async { StatusCode::OK.into_response() })
            .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_line_is_written_by_the_writer_thread_before_its_answer_goes_out() {
        let out = Recorder::default();
        let log = Arc::new(RequestLog::writing_to(Box::new(out.clone())).unwrap());
        let requests: Vec<_> = (0..300)
            .map(|i| {
                let (log, out) = (log.clone(), out.clone());
                tokio::spawn(async move {
                    let path = format!("/r/{i}");
                    logged(&log, &path).await;
                    let written = String::from_utf8(out.bytes.lock().unwrap().clone()).unwrap();
                    assert!(written.contains(&format!(r#""path":"{path}""#)), "{path}");
                })
            })
            .collect();
        for request in requests {
            request.await.unwrap();
        }
        let text = String::from_utf8(out.bytes.lock().unwrap().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 300);
        assert!(lines.iter().all(|l| l["body"]["linkCode"] == "<redacted>"));
        let threads = out.threads.lock().unwrap();
        assert!(
            threads.iter().all(|t| t.as_deref() == Some(WRITER)),
            "{threads:?}"
        );
    }
}
