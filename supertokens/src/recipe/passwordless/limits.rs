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
//! The counters live in the process's memory, at most [`SendLimits::max_tracked`] keys of each
//! kind: with several app instances behind a load balancer, each instance counts on its own (the
//! limits then apply per instance).

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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

    /// When the next send may go, if not now: `times` are the sends to the contact.
    fn next_send_at(&self, times: &VecDeque<i64>, now_ms: i64) -> Option<i64> {
        let recent = times
            .iter()
            .filter(|t| **t > now_ms - ms(self.window))
            .count();
        let over = recent.checked_sub(self.after as usize)?;
        let last = *times.back()?;
        let doublings = u32::try_from(over).unwrap_or(u32::MAX).min(30);
        let wait = ms(self.first_wait)
            .saturating_mul(1 << doublings)
            .min(ms(self.max_wait));
        (now_ms < last + wait).then_some(last + wait)
    }

    /// How many sends to keep per contact: enough to count the longest wait.
    fn kept(&self) -> usize {
        self.after as usize + 31
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
        }
    }

    /// At most `max` sends to one e-mail address or phone number requested from one client
    /// network within `window`.
    pub fn per_identifier(mut self, max: u32, window: Duration) -> Self {
        self.per_identifier = Some((max, window));
        self
    }

    /// No per-contact-and-network limit.
    pub fn no_per_identifier_limit(mut self) -> Self {
        self.per_identifier = None;
        self
    }

    /// Growing waits between sends to one contact, counted over all networks.
    pub fn contact_back_off(mut self, back_off: BackOff) -> Self {
        self.contact_back_off = Some(back_off);
        self
    }

    /// No waits between sends to one contact beyond the other limits.
    pub fn no_contact_back_off(mut self) -> Self {
        self.contact_back_off = None;
        self
    }

    /// At most `max` sends requested from one client network (an IPv4 address, an IPv6 /64)
    /// within `window`.
    pub fn per_ip(mut self, max: u32, window: Duration) -> Self {
        self.per_ip = Some((max, window));
        self
    }

    /// No per-network limit.
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

    /// At most `max` sends, by e-mail and SMS together, by the whole app within `window`.
    pub fn global(mut self, max: u32, window: Duration) -> Self {
        self.global = Some((max, window));
        self
    }

    /// No cap on the app's sends.
    pub fn no_global_limit(mut self) -> Self {
        self.global = None;
        self
    }

    /// At most `max` SMS by the whole app within `window` (they cost money).
    pub fn global_sms(mut self, max: u32, window: Duration) -> Self {
        self.global_sms = Some((max, window));
        self
    }

    /// No cap on the app's SMS.
    pub fn no_global_sms_limit(mut self) -> Self {
        self.global_sms = None;
        self
    }

    setters! {
        plain:
        /// How many contacts, networks, devices (each kind on its own) the counters remember: when
        /// full, the oldest is forgotten. 100 000 by default.
        max_tracked: usize,
        /// Where the client's address comes from: the peer address by default.
        client_ip: ClientIp,
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

/// A map that holds at most a given number of keys, forgetting the one inserted first when
/// full, so that a flood of new contacts or addresses cannot grow memory without end.
struct Tracked<K, V> {
    map: HashMap<K, (u64, V)>,
    /// Keys in insertion order, each with the generation it was inserted with (a key swept and
    /// inserted again has a newer one, and its old place is skipped).
    order: VecDeque<(K, u64)>,
    generation: u64,
}

impl<K, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            generation: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, V: Default> Tracked<K, V> {
    fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key).map(|(_, v)| v)
    }

    fn get_or_insert(&mut self, key: K, max: usize) -> &mut V {
        if !self.map.contains_key(&key) {
            while self.map.len() >= max && self.evict_oldest() {}
            self.generation += 1;
            self.order.push_back((key.clone(), self.generation));
        }
        let generation = self.generation;
        &mut self
            .map
            .entry(key)
            .or_insert_with(|| (generation, V::default()))
            .1
    }

    fn evict_oldest(&mut self) -> bool {
        while let Some((key, generation)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|(g, _)| *g == generation) {
                self.map.remove(&key);
                return true;
            }
        }
        false
    }

    fn retain(&mut self, mut keep: impl FnMut(&mut V) -> bool) {
        self.map.retain(|_, (_, v)| keep(v));
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order
                .retain(|(k, g)| map.get(k).is_some_and(|(live, _)| live == g));
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.len()
    }
}

#[derive(Default)]
struct Counters {
    /// Sends per (contact, network).
    pairs: Tracked<(String, Network), VecDeque<i64>>,
    /// Sends per contact, from every network.
    contacts: Tracked<String, VecDeque<i64>>,
    networks: Tracked<Network, VecDeque<i64>>,
    /// The last send per device (preAuthSessionId).
    devices: Tracked<String, i64>,
    all: VecDeque<i64>,
    sms: VecDeque<i64>,
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

/// When the oldest of `max` sends within `window` leaves it, or `None` if a send fits now.
fn window_full(times: &VecDeque<i64>, max: u32, window_ms: i64, now_ms: i64) -> Option<i64> {
    let recent: Vec<i64> = times
        .iter()
        .copied()
        .filter(|t| *t > now_ms - window_ms)
        .collect();
    recent
        .len()
        .checked_sub(max as usize)
        .map(|i| recent[i] + window_ms)
}

/// Records a send, keeping the newest `keep` times.
fn record(times: &mut VecDeque<i64>, now_ms: i64, keep: usize) {
    times.push_back(now_ms);
    while times.len() > keep {
        times.pop_front();
    }
}

/// Drops the times at or before `cutoff_ms`; `false` when none is left.
fn drop_before(times: &mut VecDeque<i64>, cutoff_ms: i64) -> bool {
    while times.front().is_some_and(|t| *t <= cutoff_ms) {
        times.pop_front();
    }
    !times.is_empty()
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
        contact: &Contact,
        ip: Option<IpAddr>,
        device: Option<&str>,
        now_ms: i64,
    ) -> Result<(), RateLimited> {
        let network = self.network(ip);
        let l = &self.limits;
        let mut guard = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let c = &mut *guard;
        self.sweep(c, now_ms);
        if let (Some(interval), Some(device)) = (l.resend_interval, device)
            && let Some(last) = c.devices.get(device)
            && now_ms < last + ms(interval)
        {
            return Err(RateLimited::until(
                LimitKind::Device,
                now_ms,
                last + ms(interval),
            ));
        }
        let sms = matches!(contact, Contact::Phone(_));
        let contact = contact.value().trim().to_lowercase();
        let pair = (contact, network);
        let pair_times = c.pairs.get(&pair);
        let refusal = if let Some((max, window)) = l.per_ip
            && let Some(times) = c.networks.get(&network)
            && let Some(free_at) = window_full(times, max, ms(window), now_ms)
        {
            Some((LimitKind::Ip, free_at))
        } else if let Some((max, window)) = l.per_identifier
            && let Some(times) = pair_times
            && let Some(free_at) = window_full(times, max, ms(window), now_ms)
        {
            Some((LimitKind::Identifier, free_at))
        } else if let Some(b) = l.contact_back_off
            // Only networks that asked for this contact lately wait: see `BackOff`.
            && pair_times
                .and_then(VecDeque::back)
                .is_some_and(|last| *last > now_ms - ms(b.window))
            && let Some(times) = c.contacts.get(&pair.0)
            && let Some(free_at) = b.next_send_at(times, now_ms)
        {
            Some((LimitKind::Identifier, free_at))
        } else if let Some((max, window)) = l.global
            && let Some(free_at) = window_full(&c.all, max, ms(window), now_ms)
        {
            Some((LimitKind::Global, free_at))
        } else if let Some((max, window)) = l.global_sms.filter(|_| sms)
            && let Some(free_at) = window_full(&c.sms, max, ms(window), now_ms)
        {
            Some((LimitKind::GlobalSms, free_at))
        } else {
            None
        };
        if let Some((kind, free_at)) = refusal {
            return Err(RateLimited::until(kind, now_ms, free_at));
        }
        let cap = l.max_tracked;
        if let Some(b) = l.contact_back_off {
            record(
                c.contacts.get_or_insert(pair.0.clone(), cap),
                now_ms,
                b.kept(),
            );
        }
        if l.per_identifier.is_some() || l.contact_back_off.is_some() {
            let keep = l.per_identifier.map_or(1, |(max, _)| max as usize);
            record(c.pairs.get_or_insert(pair, cap), now_ms, keep);
        }
        if let Some((max, _)) = l.per_ip {
            record(c.networks.get_or_insert(network, cap), now_ms, max as usize);
        }
        if let Some((max, _)) = l.global {
            record(&mut c.all, now_ms, max as usize);
        }
        if let Some((max, _)) = l.global_sms.filter(|_| sms) {
            record(&mut c.sms, now_ms, max as usize);
        }
        if let Some(device) = device {
            self.record_device(c, device, now_ms);
        }
        Ok(())
    }

    /// Records a send to a new device (by its preAuthSessionId), so its first resend waits for
    /// the interval.
    pub(crate) fn sent_to_device(&self, device: &str, now_ms: i64) {
        let mut c = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.record_device(&mut c, device, now_ms);
    }

    fn record_device(&self, c: &mut Counters, device: &str, now_ms: i64) {
        if self.limits.resend_interval.is_some() {
            *c.devices
                .get_or_insert(device.to_owned(), self.limits.max_tracked) = now_ms;
        }
    }

    /// Drops counters that can no longer refuse anything, at most once a minute.
    fn sweep(&self, c: &mut Counters, now_ms: i64) {
        if now_ms - c.last_sweep_ms < 60_000 {
            return;
        }
        c.last_sweep_ms = now_ms;
        let l = &self.limits;
        let window = |limit: Option<(u32, Duration)>| limit.map_or(0, |(_, w)| ms(w));
        let back_off = l.contact_back_off.map_or(0, |b| ms(b.window));
        let pairs = window(l.per_identifier).max(back_off);
        c.pairs.retain(|times| drop_before(times, now_ms - pairs));
        c.contacts
            .retain(|times| drop_before(times, now_ms - back_off));
        let networks = window(l.per_ip);
        c.networks
            .retain(|times| drop_before(times, now_ms - networks));
        drop_before(&mut c.all, now_ms - window(l.global));
        drop_before(&mut c.sms, now_ms - window(l.global_sms));
        let interval = l.resend_interval.map_or(0, ms);
        c.devices.retain(|last| *last + interval > now_ms);
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

    #[test]
    fn per_identifier_limit_counts_within_the_window_per_network() {
        let l = SendLimiter::new(SendLimits::disabled().per_identifier(2, Duration::from_secs(60)))
            .unwrap();
        let a = email("a@x.example");
        assert!(l.try_send(&email("A@x.example"), None, None, T0).is_ok());
        assert!(
            l.try_send(&email("a@x.example "), None, None, T0 + 1000)
                .is_ok()
        );
        let e = l.try_send(&a, None, None, T0 + 2000).unwrap_err();
        assert_eq!(e.kind, LimitKind::Identifier);
        assert_eq!(e.retry_after_secs, 58);
        assert!(
            l.try_send(&email("b@x.example"), None, None, T0 + 2000)
                .is_ok()
        );
        assert!(l.try_send(&a, ip("192.0.2.1"), None, T0 + 2000).is_ok());
        assert!(l.try_send(&a, None, None, T0 + 60_001).is_ok());
    }

    #[test]
    fn per_ip_limit_counts_unknown_clients_together() {
        let l =
            SendLimiter::new(SendLimits::disabled().per_ip(1, Duration::from_secs(10))).unwrap();
        let known = ip("10.0.0.1");
        assert!(l.try_send(&email("a"), known, None, T0).is_ok());
        let e = l.try_send(&email("b"), known, None, T0 + 1).unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Ip, 10));
        assert!(!l.warned_unknown.load(Ordering::Relaxed));
        assert!(l.try_send(&email("b"), None, None, T0 + 1).is_ok());
        assert!(l.warned_unknown.load(Ordering::Relaxed), "warned once");
        assert!(l.try_send(&email("c"), None, None, T0 + 2).is_err());
        assert!(
            l.try_send(&email("b"), ip("10.0.0.2"), None, T0 + 1)
                .is_ok()
        );
    }

    #[test]
    fn sends_to_a_contact_back_off_for_the_networks_that_asked() {
        let back_off = BackOff::new(2, Duration::from_secs(3600))
            .waits(Duration::from_secs(60), Duration::from_secs(300));
        let l = SendLimiter::new(SendLimits::disabled().contact_back_off(back_off)).unwrap();
        let (v, attacker) = (email("v@x.example"), ip("203.0.113.1"));
        let mut now = T0;
        let mut waits = Vec::new();
        for _ in 0..10 {
            match l.try_send(&v, attacker, None, now) {
                Ok(()) => {}
                Err(e) => {
                    waits.push(e.retry_after_secs);
                    now += i64::try_from(e.retry_after_secs).unwrap() * 1000;
                }
            }
        }
        assert_eq!(waits, [60, 120, 240, 300]);
        // Another network that has not asked for this contact is not held back.
        assert!(l.try_send(&v, ip("198.51.100.1"), None, now).is_ok());
    }

    #[test]
    fn global_caps_count_all_sends_and_sms_apart() {
        let l = SendLimiter::new(
            SendLimits::disabled()
                .global(3, Duration::from_secs(60))
                .global_sms(1, Duration::from_secs(60)),
        )
        .unwrap();
        let phone = |n: &str| Contact::Phone(n.to_owned());
        assert!(l.try_send(&phone("+1"), None, None, T0).is_ok());
        let e = l.try_send(&phone("+2"), None, None, T0 + 1).unwrap_err();
        assert_eq!(e.kind, LimitKind::GlobalSms);
        assert!(e.message().contains("text messages"));
        assert!(l.try_send(&email("a"), None, None, T0 + 2).is_ok());
        assert!(l.try_send(&email("b"), None, None, T0 + 3).is_ok());
        let e = l.try_send(&email("c"), None, None, T0 + 4).unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Global, 60));
    }

    #[test]
    fn resends_to_a_device_wait_for_the_interval() {
        let l = SendLimiter::new(SendLimits::disabled().resend_interval(Duration::from_secs(30)))
            .unwrap();
        l.sent_to_device("dev", T0);
        let a = email("a");
        let e = l.try_send(&a, None, Some("dev"), T0 + 10_000).unwrap_err();
        assert_eq!((e.kind, e.retry_after_secs), (LimitKind::Device, 20));
        assert!(e.message().contains("20 seconds"));
        assert!(l.try_send(&a, None, Some("dev"), T0 + 30_000).is_ok());
        assert!(l.try_send(&a, None, Some("dev"), T0 + 30_500).is_err());
    }

    #[test]
    fn a_refused_send_is_not_counted_and_old_entries_are_swept() {
        let l = SendLimiter::new(SendLimits::disabled().per_identifier(1, Duration::from_secs(60)))
            .unwrap();
        let a = email("a");
        assert!(l.try_send(&a, None, None, T0).is_ok());
        for i in 1..5 {
            assert!(l.try_send(&a, None, None, T0 + i).is_err());
        }
        assert!(l.try_send(&a, None, None, T0 + 60_001).is_ok());
        assert!(l.try_send(&email("b"), None, None, T0 + 200_000).is_ok());
        let c = l.counters.lock().unwrap();
        assert!(
            c.pairs.get(&("a".to_owned(), Network::Unknown)).is_none(),
            "swept"
        );
    }

    #[test]
    fn the_counters_never_track_more_keys_than_the_bound() {
        let l = SendLimiter::new(SendLimits::new().max_tracked(3)).unwrap();
        for n in 0..50u8 {
            let contact = email(&format!("{n}@x.example"));
            let device = format!("device-{n}");
            let peer = Some(IpAddr::from([192, 0, 2, n]));
            assert!(
                l.try_send(&contact, peer, Some(&device), T0 + i64::from(n))
                    .is_ok()
            );
        }
        let c = l.counters.lock().unwrap();
        let sizes = [
            c.pairs.len(),
            c.contacts.len(),
            c.networks.len(),
            c.devices.len(),
        ];
        assert_eq!(sizes, [3, 3, 3, 3]);
        assert!(c.contacts.order.len() <= 3 && c.devices.order.len() <= 3);
        // The newest keys are the ones kept.
        assert!(c.contacts.get("49@x.example").is_some());
        assert!(c.contacts.get("0@x.example").is_none());
    }

    #[test]
    fn disabled_limits_make_no_limiter_and_validation_names_fields() {
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
