//! The core hosts of a client and the failover between them: round robin, the next host when
//! one cannot be reached, retries after a `429 Too Many Requests`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::HeaderMap;

use super::CoreError;
use super::transport::{Answer, AttemptError, Call, Transport};

/// How many times one call is retried after a `429 Too Many Requests`.
const MAX_429_RETRIES: u32 = 5;

/// One SuperTokens Core host: its domain and optional base path (the "multi app" `/appid-…` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreHost {
    /// `scheme://host[:port]`.
    pub domain: String,
    /// Base path such as `/appid-myapp`; `""` when none.
    pub base_path: String,
}

/// The hosts of one client and the round-robin position.
pub(super) struct Hosts {
    list: Vec<CoreHost>,
    next: AtomicUsize,
}

impl Clone for Hosts {
    /// The same hosts, round robin starting afresh.
    fn clone(&self) -> Self {
        Self::new(self.list.clone())
    }
}

impl Hosts {
    fn new(list: Vec<CoreHost>) -> Self {
        Self {
            list,
            next: AtomicUsize::new(0),
        }
    }

    /// Remote hosts, checked to be HTTP(S) and with their joins made exact (hosts may come from
    /// elsewhere than the configuration).
    pub(super) fn remote(hosts: Vec<CoreHost>) -> Result<Self, CoreError> {
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
        Ok(Self::new(
            hosts
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
                .collect(),
        ))
    }

    /// The one empty host of an in-process core.
    pub(super) fn in_process() -> Self {
        Self::new(vec![CoreHost {
            domain: String::new(),
            base_path: String::new(),
        }])
    }

    pub(super) fn list(&self) -> &[CoreHost] {
        &self.list
    }

    /// Sends one call: round robin over the hosts, the next host on a connection failure,
    /// retries after a 429. Any status other than 200 is an error.
    pub(super) async fn send(
        &self,
        transport: &Transport,
        call: &Call<'_>,
        path_and_query: &str,
        headers: &HeaderMap,
        timeout: Duration,
    ) -> Result<Answer, CoreError> {
        let mut tries_left = self.list.len();
        let mut retries_429_left = MAX_429_RETRIES;
        let mut failures: Vec<String> = Vec::new();
        while tries_left > 0 {
            let index = self.next.fetch_add(1, Ordering::Relaxed) % self.list.len();
            let host = &self.list[index];
            let target = format!("{}{path_and_query}", host.base_path);
            let attempt = transport
                .attempt(&host.domain, &target, call, headers, timeout)
                .await;
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
                Err(AttemptError::Timeout) => return Err(CoreError::Timeout(timeout)),
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
}

fn host_label(host: &CoreHost) -> String {
    if host.domain.is_empty() {
        format!("in-process core{}", host.base_path)
    } else {
        format!("{}{}", host.domain, host.base_path)
    }
}
