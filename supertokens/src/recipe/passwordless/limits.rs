//! Send limits: how often codes may be sent per contact, per client IP and per device.
//!
//! **A deviation from SuperTokens**: the official SDKs send a code for every request. Without a
//! limit, anyone can make an app send unlimited SMS (costly) or e-mails (spam) to any contact.
//! Requests over a limit are answered with HTTP 429, a `Retry-After` header and
//! `{"status":"RATE_LIMITED","message":…,"retryAfterSeconds":N}`; no code is created and nothing
//! is sent.
//!
//! The counters live in the process's memory: with several app instances behind a load balancer,
//! each instance counts on its own (the limits then apply per instance).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::client_ip::{ClientIp, Network};
use crate::error::ConfigError;

/// Limits on code sends, on by default: [`SendLimits::new`] allows 5 sends per contact per hour,
/// 30 sends per client network (an IPv4 address, an IPv6 /64) per hour, and one send per device
/// every 30 seconds.
///
/// ```
/// use std::time::Duration;
/// use supertokens::passwordless::{ClientIp, SendLimits};
///
/// let limits = SendLimits::new()
///     .per_identifier(3, Duration::from_secs(15 * 60))
///     .per_ip(100, Duration::from_secs(3600))
///     .resend_interval(Duration::from_secs(60))
///     // behind one reverse proxy that appends the address it saw to X-Forwarded-For:
///     .client_ip(ClientIp::XForwardedFor { trusted_hops: 1 });
/// ```
///
/// The client's address is the connection's peer address unless [`client_ip`](Self::client_ip)
/// says otherwise: serve the app with `into_make_service_with_connect_info::<SocketAddr>()`.
/// When the address is unknown, the request is counted in one network shared by every such
/// request (and a warning is logged once).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct SendLimits {
    pub(crate) per_identifier: Option<(u32, Duration)>,
    pub(crate) per_ip: Option<(u32, Duration)>,
    pub(crate) resend_interval: Option<Duration>,
    pub(crate) client_ip: ClientIp,
}

impl Default for SendLimits {
    fn default() -> Self {
        Self::new()
    }
}

impl SendLimits {
    /// The defaults: 5 per contact per hour, 30 per IP per hour, 30 s between sends to a device.
    pub fn new() -> Self {
        Self {
            per_identifier: Some((5, Duration::from_secs(3600))),
            per_ip: Some((30, Duration::from_secs(3600))),
            resend_interval: Some(Duration::from_secs(30)),
            client_ip: ClientIp::Peer,
        }
    }

    /// No limits at all.
    pub fn disabled() -> Self {
        Self {
            per_identifier: None,
            per_ip: None,
            resend_interval: None,
            client_ip: ClientIp::Peer,
        }
    }

    /// At most `max` sends to one e-mail address or phone number within `window`.
    pub fn per_identifier(mut self, max: u32, window: Duration) -> Self {
        self.per_identifier = Some((max, window));
        self
    }

    /// No per-contact limit.
    pub fn no_per_identifier_limit(mut self) -> Self {
        self.per_identifier = None;
        self
    }

    /// At most `max` sends requested from one client network (an IPv4 address, an IPv6 /64)
    /// within `window`.
    pub fn per_ip(mut self, max: u32, window: Duration) -> Self {
        self.per_ip = Some((max, window));
        self
    }

    /// No per-IP limit.
    pub fn no_per_ip_limit(mut self) -> Self {
        self.per_ip = None;
        self
    }

    /// The shortest time between two sends to the same device (a code and its resends).
    pub fn resend_interval(mut self, interval: Duration) -> Self {
        self.resend_interval = Some(interval);
        self
    }

    /// No minimum time between resends.
    pub fn no_resend_interval(mut self) -> Self {
        self.resend_interval = None;
        self
    }

    /// Where the client's address comes from: the peer address by default.
    pub fn client_ip(mut self, source: ClientIp) -> Self {
        self.client_ip = source;
        self
    }

    pub(crate) fn is_disabled(&self) -> bool {
        self.per_identifier.is_none() && self.per_ip.is_none() && self.resend_interval.is_none()
    }

    pub(crate) fn validate(&self, prefix: &str) -> Vec<ConfigError> {
        use supertokens_rules::passwordless as rules;
        let mut errors = Vec::new();
        let mut check = |name: &str, limit: Option<(u32, Duration)>| {
            if let Some((max, window)) = limit {
                if let Err(e) = rules::send_limit_count(&max.to_string()) {
                    errors.push(ConfigError::new(format!("{prefix}.{name}"), e.0));
                }
                if let Err(e) = rules::send_limit_seconds(&window.as_secs().to_string()) {
                    errors.push(ConfigError::new(format!("{prefix}.{name}"), e.0));
                }
            }
        };
        check("per_identifier", self.per_identifier);
        check("per_ip", self.per_ip);
        if let Some(interval) = self.resend_interval
            && let Err(e) = rules::send_limit_seconds(&interval.as_secs().to_string())
        {
            errors.push(ConfigError::new(format!("{prefix}.resend_interval"), e.0));
        }
        if self.client_ip.trusted_hops() == Some(0) {
            errors.push(ConfigError::new(
                format!("{prefix}.client_ip"),
                "`trusted_hops: 0` trusts no entry of the header; give the number of your \
                 proxies that append to it (at least 1), or use `ClientIp::Peer` without a proxy",
            ));
        }
        errors
    }
}

/// Which limit refused a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LimitKind {
    Identifier,
    Ip,
    Device,
}

/// A send refused by a limit. As a response it is what the frontend APIs answer: 429 with
/// `Retry-After` and `{"status":"RATE_LIMITED","message":…,"retryAfterSeconds":N}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    pub(crate) kind: LimitKind,
    pub(crate) retry_after_secs: u64,
}

impl RateLimited {
    /// Whole seconds until a send may succeed (at least 1).
    pub fn retry_after_secs(&self) -> u64 {
        self.retry_after_secs
    }

    /// What to tell the user.
    pub fn message(&self) -> String {
        let n = self.retry_after_secs;
        let s = if n == 1 { "" } else { "s" };
        match self.kind {
            LimitKind::Identifier => {
                format!(
                    "Too many codes were sent to this contact. Please try again in {n} second{s}."
                )
            }
            LimitKind::Ip => format!(
                "Too many codes were requested from your network. Please try again in {n} second{s}."
            ),
            LimitKind::Device => format!(
                "A code was sent moments ago. Please wait {n} second{s} before asking for another."
            ),
        }
    }
}

impl std::fmt::Display for RateLimited {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for RateLimited {}

impl axum::response::IntoResponse for RateLimited {
    fn into_response(self) -> axum::response::Response {
        let mut response = (
            http::StatusCode::TOO_MANY_REQUESTS,
            axum::Json(serde_json::json!({
                "status": "RATE_LIMITED",
                "message": self.message(),
                "retryAfterSeconds": self.retry_after_secs,
            })),
        )
            .into_response();
        response.headers_mut().insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from(self.retry_after_secs),
        );
        response
    }
}

#[derive(Default)]
struct Counters {
    identifiers: HashMap<String, VecDeque<i64>>,
    ips: HashMap<Network, VecDeque<i64>>,
    devices: HashMap<String, i64>,
    last_sweep_ms: i64,
}

/// The in-memory counters of one recipe instance.
pub(crate) struct SendLimiter {
    limits: SendLimits,
    counters: Mutex<Counters>,
    warned_unknown: AtomicBool,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn secs_until(now_ms: i64, at_ms: i64) -> u64 {
    let wait = (at_ms - now_ms).max(0);
    // Round up, and never tell a client to retry in 0 s.
    (u64::try_from(wait).unwrap_or(0).div_ceil(1000)).max(1)
}

/// When the oldest of `max` sends within `window` leaves it, or `None` if a send fits now.
fn window_full(times: &VecDeque<i64>, max: u32, window_ms: i64, now_ms: i64) -> Option<i64> {
    let recent: Vec<i64> = times
        .iter()
        .copied()
        .filter(|t| *t > now_ms - window_ms)
        .collect();
    if recent.len() < max as usize {
        None
    } else {
        recent
            .len()
            .checked_sub(max as usize)
            .map(|i| recent[i] + window_ms)
    }
}

impl SendLimiter {
    pub(crate) fn new(limits: SendLimits) -> Option<Self> {
        if limits.is_disabled() {
            None
        } else {
            Some(Self {
                limits,
                counters: Mutex::new(Counters::default()),
                warned_unknown: AtomicBool::new(false),
            })
        }
    }

    pub(crate) fn client_ip(&self) -> &ClientIp {
        &self.limits.client_ip
    }

    fn network(&self, ip: Option<IpAddr>) -> Network {
        if ip.is_none() && !self.warned_unknown.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "passwordless: a client's address is unknown, so the send limits count it in one \
                 network shared by all such clients; {}",
                self.limits.client_ip.advice()
            );
        }
        Network::of(ip)
    }

    /// Checks every limit that applies and, when all pass, counts the send. `ip` is the
    /// client's address, `None` when unknown; `device` is the preAuthSessionId of a resend (a
    /// first send has none yet: see [`Self::sent_to_device`]).
    pub(crate) fn try_send(
        &self,
        identifier: &str,
        ip: Option<IpAddr>,
        device: Option<&str>,
        now_ms: i64,
    ) -> Result<(), RateLimited> {
        let network = self.network(ip);
        let mut c = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.sweep(&mut c, now_ms);
        if let (Some(interval), Some(device)) = (self.limits.resend_interval, device)
            && let Some(last) = c.devices.get(device)
            && now_ms < last + ms(interval)
        {
            return Err(RateLimited {
                kind: LimitKind::Device,
                retry_after_secs: secs_until(now_ms, last + ms(interval)),
            });
        }
        let identifier = identifier.trim().to_lowercase();
        if let Some((max, window)) = self.limits.per_identifier
            && let Some(times) = c.identifiers.get(&identifier)
            && let Some(free_at) = window_full(times, max, ms(window), now_ms)
        {
            return Err(RateLimited {
                kind: LimitKind::Identifier,
                retry_after_secs: secs_until(now_ms, free_at),
            });
        }
        if let Some((max, window)) = self.limits.per_ip
            && let Some(times) = c.ips.get(&network)
            && let Some(free_at) = window_full(times, max, ms(window), now_ms)
        {
            return Err(RateLimited {
                kind: LimitKind::Ip,
                retry_after_secs: secs_until(now_ms, free_at),
            });
        }
        if self.limits.per_identifier.is_some() {
            c.identifiers
                .entry(identifier)
                .or_default()
                .push_back(now_ms);
        }
        if self.limits.per_ip.is_some() {
            c.ips.entry(network).or_default().push_back(now_ms);
        }
        if let Some(device) = device {
            c.devices.insert(device.to_owned(), now_ms);
        }
        Ok(())
    }

    /// Records a send to a new device, so its first resend waits for the interval.
    pub(crate) fn sent_to_device(&self, device: &str, now_ms: i64) {
        if self.limits.resend_interval.is_some() {
            let mut c = self
                .counters
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            c.devices.insert(device.to_owned(), now_ms);
        }
    }

    /// Drops counters that can no longer refuse anything, at most once a minute, so memory stays
    /// bounded by the traffic of the longest window.
    fn sweep(&self, c: &mut Counters, now_ms: i64) {
        if now_ms - c.last_sweep_ms < 60_000 {
            return;
        }
        c.last_sweep_ms = now_ms;
        if let Some((_, window)) = self.limits.per_identifier {
            let w = ms(window);
            c.identifiers.retain(|_, times| {
                while times.front().is_some_and(|t| *t <= now_ms - w) {
                    times.pop_front();
                }
                !times.is_empty()
            });
        }
        if let Some((_, window)) = self.limits.per_ip {
            let w = ms(window);
            c.ips.retain(|_, times| {
                while times.front().is_some_and(|t| *t <= now_ms - w) {
                    times.pop_front();
                }
                !times.is_empty()
            });
        }
        let interval = self.limits.resend_interval.map_or(0, ms);
        c.devices.retain(|_, last| *last + interval > now_ms);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    #[test]
    fn per_identifier_limit_counts_within_the_window() {
        let l = SendLimiter::new(SendLimits::disabled().per_identifier(2, Duration::from_secs(60)))
            .unwrap();
        assert!(l.try_send("A@x.example", None, None, T0).is_ok());
        assert!(l.try_send("a@x.example ", None, None, T0 + 1000).is_ok());
        let e = l
            .try_send("a@x.example", None, None, T0 + 2000)
            .unwrap_err();
        assert_eq!(e.kind, LimitKind::Identifier);
        assert_eq!(e.retry_after_secs, 58);
        assert!(l.try_send("b@x.example", None, None, T0 + 2000).is_ok());
        assert!(l.try_send("a@x.example", None, None, T0 + 60_001).is_ok());
    }

    #[test]
    fn per_ip_limit_counts_unknown_clients_together() {
        let l =
            SendLimiter::new(SendLimits::disabled().per_ip(1, Duration::from_secs(10))).unwrap();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!(l.try_send("a", Some(ip), None, T0).is_ok());
        let e = l.try_send("b", Some(ip), None, T0 + 1).unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Ip, 10));
        assert!(l.try_send("b", None, None, T0 + 1).is_ok());
        assert!(l.try_send("c", None, None, T0 + 2).is_err());
        assert!(
            l.try_send("b", Some("10.0.0.2".parse().unwrap()), None, T0 + 1)
                .is_ok()
        );
    }

    #[test]
    fn resends_to_a_device_wait_for_the_interval() {
        let l = SendLimiter::new(SendLimits::disabled().resend_interval(Duration::from_secs(30)))
            .unwrap();
        l.sent_to_device("dev", T0);
        let e = l.try_send("a", None, Some("dev"), T0 + 10_000).unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Device, 20));
        assert!(e.message().contains("20 seconds"));
        assert!(l.try_send("a", None, Some("dev"), T0 + 30_000).is_ok());
        assert!(l.try_send("a", None, Some("dev"), T0 + 30_500).is_err());
    }

    #[test]
    fn a_refused_send_is_not_counted_and_old_entries_are_swept() {
        let l = SendLimiter::new(SendLimits::disabled().per_identifier(1, Duration::from_secs(60)))
            .unwrap();
        assert!(l.try_send("a", None, None, T0).is_ok());
        for i in 1..5 {
            assert!(l.try_send("a", None, None, T0 + i).is_err());
        }
        assert!(l.try_send("a", None, None, T0 + 60_001).is_ok());
        assert!(l.try_send("b", None, None, T0 + 200_000).is_ok());
        let c = l.counters.lock().unwrap();
        assert!(!c.identifiers.contains_key("a"), "swept");
    }

    #[test]
    fn disabled_limits_make_no_limiter_and_validation_names_fields() {
        assert!(SendLimiter::new(SendLimits::disabled()).is_none());
        let e = SendLimits::new()
            .per_identifier(0, Duration::from_secs(60))
            .resend_interval(Duration::from_millis(10))
            .client_ip(ClientIp::XForwardedFor { trusted_hops: 0 })
            .validate("passwordless.send_limits");
        let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            f,
            [
                "passwordless.send_limits.per_identifier",
                "passwordless.send_limits.resend_interval",
                "passwordless.send_limits.client_ip"
            ]
        );
    }
}
