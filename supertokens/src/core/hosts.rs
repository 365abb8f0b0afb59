//! The core hosts of a client and the failover between them: round robin, the next host when
//! one cannot be reached, a back-off that keeps a host that refused connections out of the
//! rotation, retries after a `429 Too Many Requests`.
//!
//! One call tries each host at most once, starting from the round-robin position. A host that
//! refused a connection is skipped for a back-off (1 s at first, doubling to 30 s while it keeps
//! refusing); once the back-off is over, one call probes it, and a host that answers is in the
//! rotation again. Hosts in back-off are still tried, last, when every other host failed: a call
//! is never failed without trying.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use http::{HeaderMap, Method};

use super::CoreError;
use super::transport::{Answer, AttemptError, Call, Transport};
use crate::Clock;

/// How many times one call is retried after a `429 Too Many Requests`.
const MAX_429_RETRIES: u32 = 5;

/// The back-off of a host that refused a connection: how long it is skipped at first, and the
/// most it grows to (it doubles with each failed probe).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BackOff {
    pub(super) first: Duration,
    pub(super) max: Duration,
}

impl Default for BackOff {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(1),
            max: Duration::from_secs(30),
        }
    }
}

/// One SuperTokens Core host: its domain and optional base path (the "multi app" `/appid-…` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreHost {
    /// `scheme://host[:port]`.
    pub domain: String,
    /// Base path such as `/appid-myapp`; `""` when none.
    pub base_path: String,
}

/// A host in back-off.
#[derive(Debug, Clone, Copy)]
struct Down {
    /// Until when (clock ms) calls skip it.
    until_ms: i64,
    /// The current back-off.
    back_off_ms: i64,
    /// A call took the probe after the back-off: its refusal grows the back-off (refusals of
    /// calls that were already under way when the host went down do not).
    probing: bool,
}

/// The hosts of one client, the round-robin position and which hosts are in back-off.
pub(super) struct Hosts {
    list: Vec<CoreHost>,
    next: AtomicUsize,
    down: Vec<Mutex<Option<Down>>>,
    clock: Clock,
    back_off: BackOff,
}

impl Clone for Hosts {
    /// The same hosts, round robin and back-offs starting afresh.
    fn clone(&self) -> Self {
        Self::new(self.list.clone()).with(self.clock.clone(), self.back_off)
    }
}

impl Hosts {
    fn new(list: Vec<CoreHost>) -> Self {
        Self {
            down: list.iter().map(|_| Mutex::new(None)).collect(),
            list,
            next: AtomicUsize::new(0),
            clock: Clock::system(),
            back_off: BackOff::default(),
        }
    }

    /// The same hosts, timing back-offs with `clock` and `back_off`, all of them up.
    pub(super) fn with(self, clock: Clock, back_off: BackOff) -> Self {
        Self {
            clock,
            back_off,
            ..Self::new(self.list)
        }
    }

    pub(super) fn back_off(&self) -> BackOff {
        self.back_off
    }

    pub(super) fn clock(&self) -> &Clock {
        &self.clock
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

    /// The one host of an in-process core: no domain, and `base_path` (an app's
    /// `/appid-<id>`, or empty).
    pub(super) fn in_process(base_path: String) -> Self {
        Self::new(vec![CoreHost {
            domain: String::new(),
            base_path,
        }])
    }

    pub(super) fn list(&self) -> &[CoreHost] {
        &self.list
    }

    /// Sends one call: each host at most once, from the round-robin position, hosts in back-off
    /// last; the next host when one cannot be reached or the request was not sent; retries after
    /// a 429. Any status other than 200 is an error.
    pub(super) async fn send(
        &self,
        transport: &Transport,
        call: &Call<'_>,
        path_and_query: &str,
        headers: &HeaderMap,
        timeout: Duration,
    ) -> Result<Answer, CoreError> {
        let mut retries_429_left = MAX_429_RETRIES;
        let mut failures: Vec<String> = Vec::new();
        for index in self.order() {
            let host = &self.list[index];
            let target = format!("{}{path_and_query}", host.base_path);
            loop {
                let attempt = transport
                    .attempt(&host.domain, &target, call, headers, timeout)
                    .await;
                if !matches!(attempt, Err(AttemptError::Unreachable(_))) {
                    self.reached(index);
                }
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
                            // The core ends its messages with a newline.
                            body: String::from_utf8_lossy(&answer.body).trim_end().to_owned(),
                        });
                    }
                    Err(AttemptError::Timeout) => return Err(CoreError::Timeout(timeout)),
                    Err(AttemptError::Fatal(error)) => return Err(error),
                    Err(AttemptError::Unreachable(why)) => {
                        tracing::warn!(host = %host_label(host), error = %why, "SuperTokens core host unreachable");
                        self.refused(index);
                        failures.push(format!("{}: {why}", host_label(host)));
                        break;
                    }
                    Err(AttemptError::NotSent(why)) => {
                        tracing::debug!(host = %host_label(host), error = %why, "connection closed before the request was sent");
                        failures.push(format!("{}: {why}", host_label(host)));
                        break;
                    }
                    Err(AttemptError::Broken(why)) if is_safe(&call.method) => {
                        tracing::warn!(host = %host_label(host), error = %why, "connection to a SuperTokens core host broke");
                        failures.push(format!("{}: {why}", host_label(host)));
                        break;
                    }
                    Err(AttemptError::Broken(why)) => {
                        return Err(CoreError::Unavailable(format!(
                            "{}: {why}; the connection broke after {} {} was sent, and it is not sent again because the core may have acted on it",
                            host_label(host),
                            call.method,
                            call.path
                        )));
                    }
                }
            }
        }
        Err(CoreError::Unavailable(failures.join("; ")))
    }

    /// The hosts one call tries, in order: from the round-robin position, those in back-off
    /// left out and put last (soonest back first).
    fn order(&self) -> Vec<usize> {
        let n = self.list.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        let now = self.clock.now_ms();
        let mut order = Vec::with_capacity(n);
        let mut skipped = Vec::new();
        for index in (0..n).map(|k| (start + k) % n) {
            match self.admit(index, now) {
                None => order.push(index),
                Some(until_ms) => skipped.push((until_ms, index)),
            }
        }
        skipped.sort_unstable();
        order.extend(skipped.into_iter().map(|(_, index)| index));
        order
    }

    /// Whether a call may try host `index` now: `None` if it may (an up host, or the probe of a
    /// host whose back-off is over: other calls skip it for one more back-off meanwhile), else
    /// until when it is skipped.
    fn admit(&self, index: usize, now: i64) -> Option<i64> {
        let mut down = lock(&self.down[index]);
        let state = down.as_mut()?;
        if now < state.until_ms {
            return Some(state.until_ms);
        }
        state.probing = true;
        state.until_ms = now.saturating_add(state.back_off_ms);
        None
    }

    /// Host `index` accepted a connection: it is up.
    fn reached(&self, index: usize) {
        let mut down = lock(&self.down[index]);
        if down.take().is_some() {
            tracing::info!(host = %host_label(&self.list[index]), "SuperTokens core host is back");
        }
    }

    /// Host `index` refused a connection: into back-off, or a longer one after a failed probe.
    fn refused(&self, index: usize) {
        let now = self.clock.now_ms();
        let first = millis(self.back_off.first);
        let max = millis(self.back_off.max).max(first);
        let mut down = lock(&self.down[index]);
        let back_off_ms = match *down {
            None => first,
            Some(state) if state.probing => state.back_off_ms.saturating_mul(2).min(max),
            // A call begun before the host was marked down: the back-off stands.
            Some(_) => return,
        };
        *down = Some(Down {
            until_ms: now.saturating_add(back_off_ms),
            back_off_ms,
            probing: false,
        });
    }
}

/// Whether a request with `method` may be sent again after a connection broke under it: the
/// methods HTTP defines as safe (reads).
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn host_label(host: &CoreHost) -> String {
    if host.domain.is_empty() {
        format!("in-process core{}", host.base_path)
    } else {
        format!("{}{}", host.domain, host.base_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_hosts(clock: &Clock) -> Hosts {
        let host = |port| CoreHost {
            domain: format!("http://127.0.0.1:{port}"),
            base_path: String::new(),
        };
        Hosts::remote(vec![host(1), host(2)])
            .unwrap()
            .with(clock.clone(), BackOff::default())
    }

    #[test]
    fn a_refusing_host_goes_last_and_its_back_off_doubles_up_to_the_max() {
        let clock = Clock::system();
        let hosts = two_hosts(&clock);
        hosts.refused(0);
        // Refusals of calls already under way when the host went down do not grow it.
        hosts.refused(0);
        for _ in 0..4 {
            assert_eq!(hosts.order(), vec![1, 0]);
        }
        // The back-off in effect before each probe: each failed probe doubles it, up to 30 s.
        for back_off in [1, 2, 4, 8, 16, 30, 30] {
            clock.advance(Duration::from_secs(back_off) - Duration::from_millis(100));
            assert_eq!(hosts.order(), vec![1, 0], "in back-off");
            clock.advance(Duration::from_millis(100));
            // Over: one call probes it, the others keep skipping it meanwhile.
            let probe = hosts.order();
            assert_eq!(probe.len(), 2);
            assert_eq!(hosts.order(), vec![1, 0]);
            hosts.refused(0);
        }

        clock.advance(Duration::from_secs(30));
        let _probe = hosts.order();
        hosts.reached(0);
        let firsts: Vec<usize> = (0..4).map(|_| hosts.order()[0]).collect();
        assert_eq!(firsts, vec![0, 1, 0, 1], "up again, round robin");
    }
}
