//! Send limits: how often codes may be sent per contact, per client network, per device and by
//! the whole app.
//!
//! **A deviation from SuperTokens**: the official SDKs send a code for every request. Without a
//! limit, anyone can make an app send unlimited SMS (costly) or e-mails (spam) to any contact.
//! Requests over a limit are answered with HTTP 429, a `Retry-After` header and
//! `{"status":"RATE_LIMITED","message":…,"retryAfterSeconds":N}`; no code is created and nothing
//! is sent.
//!
//! The limits must not become a way to lock someone out: a stranger asking for codes to your
//! address is slowed down on *their* network, and what they cause for the address as a whole is
//! a growing wait that binds only the networks that asked, never an hour's refusal for everyone.
//!
//! The counters live in the process's memory by default, at most [`SendLimits::max_tracked`]
//! keys of each kind: with several app instances behind a load balancer, each instance then
//! counts on its own and a restart forgets. [`SendLimits::store`] shares them instead (Redis with
//! the `redis` feature, or a [`LimitStore`] of your own).

#[cfg(feature = "redis")]
mod redis;
mod store;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

#[cfg(feature = "redis")]
pub use self::redis::RedisStore;
pub use store::{
    Attempt, Key, KeyKind, LimitStore, LimitStoreError, MemoryStore, Record, Refusal, Rule,
};

use super::client_ip::{ClientIp, Network};
use super::functions::Contact;
use crate::error::ConfigError;
use crate::setters::setters;

/// Limits on code sends, on by default. [`SendLimits::new`] allows, per hour:
///
/// | what | default | setting |
/// |---|---|---|
/// | sends to one contact from one client network | 5 | [`per_identifier`](Self::per_identifier) |
/// | sends to one contact from all networks before waits grow (1 min, 2, 4 … 15 min) | 3 | [`contact_back_off`](Self::contact_back_off) |
/// | sends requested from one client network | 30 | [`per_ip`](Self::per_ip) |
/// | sends by the whole app | 5000 | [`global`](Self::global) |
/// | SMS by the whole app | 200 | [`global_sms`](Self::global_sms) |
///
/// and one send per device every 30 seconds ([`resend_interval`](Self::resend_interval)).
/// A client network is an IPv4 address or an IPv6 /64, from the connection's peer address
/// unless [`client_ip`](Self::client_ip) says otherwise.
///
/// ```
/// use std::time::Duration;
/// use supertokens::passwordless::{BackOff, ClientIp, SendLimits};
///
/// let limits = SendLimits::new()
///     .per_identifier(3, Duration::from_secs(15 * 60))
///     .contact_back_off(BackOff::new(2, Duration::from_secs(3600)))
///     .per_ip(100, Duration::from_secs(3600))
///     .global_sms(50, Duration::from_secs(3600))
///     .resend_interval(Duration::from_secs(60))
///     // behind one reverse proxy that appends the address it saw to X-Forwarded-For:
///     .client_ip(ClientIp::XForwardedFor { trusted_hops: 1 });
/// ```
///
/// Serve the app with `into_make_service_with_connect_info::<SocketAddr>()` (or set
/// [`client_ip`](Self::client_ip)): when the client's address is unknown, the request is counted
/// in one network shared by every such request, and a warning is logged once.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct SendLimits {
    pub(crate) per_identifier: Option<(u32, Duration)>,
    pub(crate) contact_back_off: Option<BackOff>,
    pub(crate) per_ip: Option<(u32, Duration)>,
    pub(crate) resend_interval: Option<Duration>,
    pub(crate) global: Option<(u32, Duration)>,
    pub(crate) global_sms: Option<(u32, Duration)>,
    pub(crate) max_tracked: usize,
    pub(crate) client_ip: ClientIp,
    pub(crate) store: Option<SharedStore>,
}

/// A [`LimitStore`] in the settings: equal when it is the same store.
#[derive(Clone)]
pub(crate) struct SharedStore(Arc<dyn LimitStore>);

impl PartialEq for SharedStore {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedStore {}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Growing waits between sends to one contact: after `after` sends within `window`, from any
/// network, the next send waits [`first_wait`](Self::waits) (1 minute) after the previous one,
/// the one after twice that, and so on up to the longest wait (15 minutes).
///
/// The wait binds the networks that asked for this contact within the window; a network that
/// did not (the contact's owner at home, while a stranger asks from elsewhere) is not held back
/// by it, only by its own limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackOff {
    after: u32,
    window: Duration,
    first_wait: Duration,
    max_wait: Duration,
}

impl BackOff {
    /// Waits start after `after` sends within `window`: 1 minute, doubling up to 15 minutes.
    pub fn new(after: u32, window: Duration) -> Self {
        Self {
            after,
            window,
            first_wait: Duration::from_secs(60),
            max_wait: Duration::from_secs(15 * 60),
        }
    }

    /// The first wait, and the longest one.
    #[must_use]
    pub fn waits(mut self, first: Duration, longest: Duration) -> Self {
        self.first_wait = first;
        self.max_wait = longest;
        self
    }
}

impl Default for SendLimits {
    fn default() -> Self {
        Self::new()
    }
}

impl SendLimits {
    /// The defaults (see the table above).
    pub fn new() -> Self {
        let hour = Duration::from_secs(3600);
        Self {
            per_identifier: Some((5, hour)),
            contact_back_off: Some(BackOff::new(3, hour)),
            per_ip: Some((30, hour)),
            resend_interval: Some(Duration::from_secs(30)),
            global: Some((5000, hour)),
            global_sms: Some((200, hour)),
            max_tracked: 100_000,
            client_ip: ClientIp::Peer,
            store: None,
        }
    }

    /// No limits at all.
    pub fn disabled() -> Self {
        Self {
            per_identifier: None,
            contact_back_off: None,
            per_ip: None,
            resend_interval: None,
            global: None,
            global_sms: None,
            max_tracked: 100_000,
            client_ip: ClientIp::Peer,
            store: None,
        }
    }

    setters! {
        toggles:
        /// At most `max` sends to one e-mail address or phone number requested from one client
        /// network within `window`.
        per_identifier(max: u32, window: Duration) = (max, window);
        /// No per-contact-and-network limit.
        no_per_identifier_limit;
        /// Growing waits between sends to one contact, counted over all networks.
        contact_back_off(back_off: BackOff) = back_off;
        /// No waits between sends to one contact beyond the other limits.
        no_contact_back_off;
        /// At most `max` sends requested from one client network (an IPv4 address, an IPv6 /64)
        /// within `window`.
        per_ip(max: u32, window: Duration) = (max, window);
        /// No per-network limit.
        no_per_ip_limit;
        /// The shortest time between two sends to the same device (a code and its resends).
        resend_interval(interval: Duration) = interval;
        /// No minimum time between resends.
        no_resend_interval;
        /// At most `max` sends, by e-mail and SMS together, by the whole app within `window`.
        global(max: u32, window: Duration) = (max, window);
        /// No cap on the app's sends.
        no_global_limit;
        /// At most `max` SMS by the whole app within `window` (they cost money).
        global_sms(max: u32, window: Duration) = (max, window);
        /// No cap on the app's SMS.
        no_global_sms_limit;
    }

    setters! {
        plain:
        /// How many contacts, networks, devices (each kind on its own) the counters remember: when
        /// full, the oldest is forgotten. 100 000 by default.
        max_tracked: usize,
        /// Where the client's address comes from: the peer address by default.
        client_ip: ClientIp,
    }

    /// Keeps the counters in `store`, shared by every app instance that uses it and kept
    /// across restarts, instead of in this process. While the store cannot be reached, sends
    /// are counted in the process (the limits then hold per instance) and a warning is logged
    /// once a minute.
    ///
    /// ```no_run
    /// # #[cfg(feature = "redis")] {
    /// use supertokens::passwordless::{RedisStore, SendLimits};
    ///
    /// let redis = RedisStore::new("redis://127.0.0.1:6379/").expect("a Redis URL");
    /// let limits = SendLimits::new().store(redis);
    /// # }
    /// ```
    pub fn store(mut self, store: impl LimitStore) -> Self {
        self.store = Some(SharedStore(Arc::new(store)));
        self
    }

    /// Counts in this process (the default).
    pub fn in_process(mut self) -> Self {
        self.store = None;
        self
    }

    pub(crate) fn is_disabled(&self) -> bool {
        self.per_identifier.is_none()
            && self.contact_back_off.is_none()
            && self.per_ip.is_none()
            && self.resend_interval.is_none()
            && self.global.is_none()
            && self.global_sms.is_none()
    }

    pub(crate) fn validate(&self, prefix: &str) -> Vec<ConfigError> {
        use supertokens_rules::passwordless as rules;
        let check = |name: &str, count: Option<u32>, durations: &[Duration]| {
            let field = format!("{prefix}.{name}");
            let count = count.map(|n| rules::send_limit_count(&n.to_string()).map(drop));
            let durations = durations
                .iter()
                .map(|d| rules::send_limit_seconds(&d.as_secs().to_string()).map(drop));
            count
                .into_iter()
                .chain(durations)
                .filter_map(Result::err)
                .map(|e| ConfigError::new(field.clone(), e.0))
                .collect::<Vec<_>>()
        };
        let mut errors = Vec::new();
        for (name, limit) in [
            ("per_identifier", self.per_identifier),
            ("per_ip", self.per_ip),
            ("global", self.global),
            ("global_sms", self.global_sms),
        ] {
            if let Some((max, window)) = limit {
                errors.extend(check(name, Some(max), &[window]));
            }
        }
        if let Some(b) = self.contact_back_off {
            errors.extend(check(
                "contact_back_off",
                Some(b.after),
                &[b.window, b.first_wait],
            ));
            if b.max_wait < b.first_wait {
                errors.push(ConfigError::new(
                    format!("{prefix}.contact_back_off"),
                    "the longest wait is shorter than the first; give `waits(first, longest)` \
                     with `longest >= first`",
                ));
            }
        }
        if let Some(interval) = self.resend_interval {
            errors.extend(check("resend_interval", None, &[interval]));
        }
        if self.max_tracked == 0 {
            errors.push(ConfigError::new(
                format!("{prefix}.max_tracked"),
                "`0` keys cannot count anything; give at least 1 (the default is 100000)",
            ));
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
    Global,
    GlobalSms,
}

/// A send refused by a limit. As a response it is what the frontend APIs answer: 429 with
/// `Retry-After` and `{"status":"RATE_LIMITED","message":…,"retryAfterSeconds":N}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    pub(crate) kind: LimitKind,
    pub(crate) retry_after_secs: u64,
}

impl RateLimited {
    fn until(kind: LimitKind, now_ms: i64, at_ms: i64) -> Self {
        let wait = (at_ms - now_ms).max(0);
        Self {
            kind,
            // Round up, and never tell a client to retry in 0 s.
            retry_after_secs: u64::try_from(wait).unwrap_or(0).div_ceil(1000).max(1),
        }
    }

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
            LimitKind::Global => format!(
                "This app is sending too many codes right now. Please try again in {n} second{s}."
            ),
            LimitKind::GlobalSms => format!(
                "This app has sent too many text messages right now. Please try again in {n} \
                 second{s}."
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

/// The send limits of one recipe instance, over their store.
pub(crate) struct SendLimiter {
    limits: SendLimits,
    /// The store several instances share, if one is set.
    shared: Option<Arc<dyn LimitStore>>,
    /// The counters in this process: the only ones without a shared store, else those used
    /// while it cannot be reached.
    memory: MemoryStore,
    warned_unknown: AtomicBool,
    /// When the store's failure was last logged (ms), to log it once a minute.
    store_warned_ms: AtomicI64,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl SendLimiter {
    pub(crate) fn new(limits: SendLimits) -> Option<Self> {
        if limits.is_disabled() {
            return None;
        }
        Some(Self {
            shared: limits.store.as_ref().map(|s| s.0.clone()),
            memory: MemoryStore::new(limits.max_tracked),
            limits,
            warned_unknown: AtomicBool::new(false),
            store_warned_ms: AtomicI64::new(i64::MIN),
        })
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

    /// The rules a send must pass and what it records, with the limit each rule stands for.
    fn attempt(
        &self,
        contact: &Contact,
        network: Network,
        device: Option<&str>,
        now_ms: i64,
    ) -> (Attempt, Vec<LimitKind>) {
        let l = &self.limits;
        let key = |kind, value: String| Key { kind, value };
        let sms = matches!(contact, Contact::Phone(_));
        let contact = contact.value().trim().to_lowercase();
        let pair = key(KeyKind::ContactNetwork, format!("{contact} {network}"));
        let contact = key(KeyKind::Contact, contact);
        let network = key(KeyKind::Network, network.to_string());
        let all = key(KeyKind::All, String::new());
        let sms = sms.then(|| key(KeyKind::Sms, String::new()));
        let window = |key: &Key, (max, w): (u32, Duration)| Rule::Window {
            key: key.clone(),
            max,
            window_ms: ms(w),
        };
        let mut rules = Vec::new();
        let mut records = Vec::new();
        let mut record = |key: &Key, keep: usize, ttl: Duration| {
            records.push(Record {
                key: key.clone(),
                keep: u32::try_from(keep).unwrap_or(u32::MAX),
                ttl_ms: ms(ttl),
            });
        };
        if let Some(device) = device {
            let device = key(KeyKind::Device, device.to_owned());
            if let Some(interval) = l.resend_interval {
                rules.push((
                    LimitKind::Device,
                    Rule::Interval {
                        key: device.clone(),
                        interval_ms: ms(interval),
                    },
                ));
                record(&device, 1, interval);
            }
        }
        if let Some(limit) = l.per_ip {
            rules.push((LimitKind::Ip, window(&network, limit)));
            record(&network, limit.0 as usize, limit.1);
        }
        if let Some(limit) = l.per_identifier {
            rules.push((LimitKind::Identifier, window(&pair, limit)));
        }
        if let Some(b) = l.contact_back_off {
            rules.push((
                LimitKind::Identifier,
                Rule::BackOff {
                    key: contact.clone(),
                    guard: pair.clone(),
                    after: b.after,
                    window_ms: ms(b.window),
                    first_ms: ms(b.first_wait),
                    longest_ms: ms(b.max_wait),
                },
            ));
            // Enough sends to reach the longest wait.
            record(&contact, b.after as usize + 31, b.window);
        }
        if l.per_identifier.is_some() || l.contact_back_off.is_some() {
            let keep = l.per_identifier.map_or(1, |(max, _)| max as usize);
            let (per, back) = (l.per_identifier.map(|(_, w)| w), l.contact_back_off);
            let ttl = per.into_iter().chain(back.map(|b| b.window)).max();
            record(&pair, keep, ttl.unwrap_or_default());
        }
        if let Some(limit) = l.global {
            rules.push((LimitKind::Global, window(&all, limit)));
            record(&all, limit.0 as usize, limit.1);
        }
        if let (Some(limit), Some(sms)) = (l.global_sms, &sms) {
            rules.push((LimitKind::GlobalSms, window(sms, limit)));
            record(sms, limit.0 as usize, limit.1);
        }
        let (kinds, rules) = rules.into_iter().unzip();
        let attempt = Attempt {
            now_ms,
            rules,
            records,
        };
        (attempt, kinds)
    }

    /// Checks every limit that applies and, when all pass, counts the send. `ip` is the
    /// client's address, `None` when unknown; `device` is the preAuthSessionId of a resend (a
    /// first send has none yet: see [`Self::sent_to_device`]).
    pub(crate) async fn try_send(
        &self,
        contact: &Contact,
        ip: Option<IpAddr>,
        device: Option<&str>,
        now_ms: i64,
    ) -> Result<(), RateLimited> {
        let (attempt, kinds) = self.attempt(contact, self.network(ip), device, now_ms);
        match self.check(&attempt).await {
            None => Ok(()),
            Some(r) => Err(RateLimited::until(kinds[r.rule], now_ms, r.free_at_ms)),
        }
    }

    /// Records a send to a new device (by its preAuthSessionId), so its first resend waits for
    /// the interval.
    pub(crate) async fn sent_to_device(&self, device: &str, now_ms: i64) {
        if let Some(interval) = self.limits.resend_interval {
            let attempt = Attempt {
                now_ms,
                rules: Vec::new(),
                records: vec![Record {
                    key: Key {
                        kind: KeyKind::Device,
                        value: device.to_owned(),
                    },
                    keep: 1,
                    ttl_ms: ms(interval),
                }],
            };
            self.check(&attempt).await;
        }
    }

    async fn check(&self, attempt: &Attempt) -> Option<Refusal> {
        let Some(shared) = &self.shared else {
            return self.memory.check_and_record_now(attempt);
        };
        let error = match shared.check_and_record(attempt).await {
            Ok(refusal) => return refusal,
            Err(e) => e,
        };
        let now = attempt.now_ms;
        let last = self.store_warned_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 60_000
            && self
                .store_warned_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                "passwordless: {error}; counting sends in this process until it answers again \
                 (the limits hold per instance meanwhile)"
            );
        }
        self.memory.check_and_record_now(attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_700_000_000_000;

    fn email(s: &str) -> Contact {
        Contact::Email(s.to_owned())
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn limiter(limits: SendLimits) -> SendLimiter {
        SendLimiter::new(limits).unwrap()
    }

    #[tokio::test]
    async fn per_identifier_limit_counts_within_the_window_per_network() {
        let l = limiter(SendLimits::disabled().per_identifier(2, Duration::from_secs(60)));
        let a = email("a@x.example");
        assert!(
            l.try_send(&email("A@x.example"), None, None, T0)
                .await
                .is_ok()
        );
        assert!(
            l.try_send(&email("a@x.example "), None, None, T0 + 1000)
                .await
                .is_ok()
        );
        let e = l.try_send(&a, None, None, T0 + 2000).await.unwrap_err();
        assert_eq!(e.kind, LimitKind::Identifier);
        assert_eq!(e.retry_after_secs, 58);
        assert!(
            l.try_send(&email("b@x.example"), None, None, T0 + 2000)
                .await
                .is_ok()
        );
        assert!(
            l.try_send(&a, ip("192.0.2.1"), None, T0 + 2000)
                .await
                .is_ok()
        );
        assert!(l.try_send(&a, None, None, T0 + 60_001).await.is_ok());
    }

    #[tokio::test]
    async fn per_ip_limit_counts_unknown_clients_together() {
        let l = limiter(SendLimits::disabled().per_ip(1, Duration::from_secs(10)));
        let known = ip("10.0.0.1");
        assert!(l.try_send(&email("a"), known, None, T0).await.is_ok());
        let e = l
            .try_send(&email("b"), known, None, T0 + 1)
            .await
            .unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Ip, 10));
        assert!(!l.warned_unknown.load(Ordering::Relaxed));
        assert!(l.try_send(&email("b"), None, None, T0 + 1).await.is_ok());
        assert!(l.warned_unknown.load(Ordering::Relaxed), "warned once");
        assert!(l.try_send(&email("c"), None, None, T0 + 2).await.is_err());
        assert!(
            l.try_send(&email("b"), ip("10.0.0.2"), None, T0 + 1)
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn sends_to_a_contact_back_off_for_the_networks_that_asked() {
        let back_off = BackOff::new(2, Duration::from_secs(3600))
            .waits(Duration::from_secs(60), Duration::from_secs(300));
        let l = limiter(SendLimits::disabled().contact_back_off(back_off));
        let (v, attacker) = (email("v@x.example"), ip("203.0.113.1"));
        let mut now = T0;
        let mut waits = Vec::new();
        for _ in 0..10 {
            match l.try_send(&v, attacker, None, now).await {
                Ok(()) => {}
                Err(e) => {
                    waits.push(e.retry_after_secs);
                    now += i64::try_from(e.retry_after_secs).unwrap() * 1000;
                }
            }
        }
        assert_eq!(waits, [60, 120, 240, 300]);
        // Another network that has not asked for this contact is not held back.
        assert!(l.try_send(&v, ip("198.51.100.1"), None, now).await.is_ok());
    }

    #[tokio::test]
    async fn global_caps_count_all_sends_and_sms_apart() {
        let l = limiter(
            SendLimits::disabled()
                .global(3, Duration::from_secs(60))
                .global_sms(1, Duration::from_secs(60)),
        );
        let phone = |n: &str| Contact::Phone(n.to_owned());
        assert!(l.try_send(&phone("+1"), None, None, T0).await.is_ok());
        let e = l
            .try_send(&phone("+2"), None, None, T0 + 1)
            .await
            .unwrap_err();
        assert_eq!(e.kind, LimitKind::GlobalSms);
        assert!(e.message().contains("text messages"));
        assert!(l.try_send(&email("a"), None, None, T0 + 2).await.is_ok());
        assert!(l.try_send(&email("b"), None, None, T0 + 3).await.is_ok());
        let e = l
            .try_send(&email("c"), None, None, T0 + 4)
            .await
            .unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Global, 60));
    }

    #[tokio::test]
    async fn resends_to_a_device_wait_for_the_interval() {
        let l = limiter(SendLimits::disabled().resend_interval(Duration::from_secs(30)));
        l.sent_to_device("dev", T0).await;
        let a = email("a");
        let e = l
            .try_send(&a, None, Some("dev"), T0 + 10_000)
            .await
            .unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Device, 20));
        assert!(e.message().contains("20 seconds"));
        assert!(l.try_send(&a, None, Some("dev"), T0 + 30_000).await.is_ok());
        assert!(
            l.try_send(&a, None, Some("dev"), T0 + 30_500)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn a_refused_send_is_not_counted_and_old_entries_are_swept() {
        let l = limiter(SendLimits::disabled().per_identifier(1, Duration::from_secs(60)));
        let a = email("a");
        assert!(l.try_send(&a, None, None, T0).await.is_ok());
        for i in 1..5 {
            assert!(l.try_send(&a, None, None, T0 + i).await.is_err());
        }
        assert!(l.try_send(&a, None, None, T0 + 60_001).await.is_ok());
        assert!(
            l.try_send(&email("b"), None, None, T0 + 200_000)
                .await
                .is_ok()
        );
        assert_eq!(
            l.memory.tracked(KeyKind::ContactNetwork),
            ["b unknown"],
            "a's counter is swept"
        );
    }

    #[tokio::test]
    async fn the_counters_never_track_more_keys_than_the_bound() {
        let l = limiter(SendLimits::new().max_tracked(3));
        for n in 0..50u8 {
            let contact = email(&format!("{n}@x.example"));
            let device = format!("device-{n}");
            let peer = Some(IpAddr::from([192, 0, 2, n]));
            assert!(
                l.try_send(&contact, peer, Some(&device), T0 + i64::from(n))
                    .await
                    .is_ok()
            );
        }
        for kind in [
            KeyKind::ContactNetwork,
            KeyKind::Contact,
            KeyKind::Network,
            KeyKind::Device,
        ] {
            assert_eq!(l.memory.tracked(kind).len(), 3, "{kind:?}");
        }
        // The newest keys are the ones kept, and the app-wide counter is never evicted.
        let contacts = l.memory.tracked(KeyKind::Contact);
        assert!(contacts.contains(&"49@x.example".to_owned()));
        assert!(!contacts.contains(&"0@x.example".to_owned()));
        assert_eq!(l.memory.tracked(KeyKind::All), [""]);
    }

    #[tokio::test]
    async fn disabled_limits_make_no_limiter_and_validation_names_fields() {
        assert!(SendLimiter::new(SendLimits::disabled()).is_none());
        let e = SendLimits::new()
            .per_identifier(0, Duration::from_secs(60))
            .resend_interval(Duration::from_millis(10))
            .global_sms(0, Duration::from_secs(60))
            .client_ip(ClientIp::XForwardedFor { trusted_hops: 0 })
            .validate("passwordless.send_limits");
        let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            f,
            [
                "passwordless.send_limits.per_identifier",
                "passwordless.send_limits.global_sms",
                "passwordless.send_limits.resend_interval",
                "passwordless.send_limits.client_ip"
            ]
        );
    }
}
