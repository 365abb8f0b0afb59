//! Where the send counters live: in the process ([`MemoryStore`], the default), or in a store
//! that several app instances share and that outlives a restart
//! (`RedisStore` with the `redis` feature, or a [`LimitStore`] of your own).
//!
//! A counter is the list of recent send times under a [`Key`]. A send is one [`Attempt`]: the
//! [`Rule`]s it must pass, in order, and the times to [`Record`] when it passes. A store checks
//! and records as one atomic step, so two instances can never both take the last send a limit
//! allows.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use crate::future::BoxFuture;

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeyKind {
    /// Sends to one contact requested from one client network.
    ContactNetwork,
    /// Sends to one contact from every network.
    Contact,
    /// Sends requested from one client network.
    Network,
    /// Sends to one device (a preAuthSessionId).
    Device,
    /// Every send of the app.
    All,
    /// Every SMS of the app.
    Sms,
}

impl KeyKind {
    const ALL: [Self; 6] = [
        Self::ContactNetwork,
        Self::Contact,
        Self::Network,
        Self::Device,
        Self::All,
        Self::Sms,
    ];

    /// A short name, usable in a store's key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContactNetwork => "contact-network",
            Self::Contact => "contact",
            Self::Network => "network",
            Self::Device => "device",
            Self::All => "all",
            Self::Sms => "sms",
        }
    }

    /// App-wide counters are one key each, never forgotten to make room for others.
    fn is_app_wide(self) -> bool {
        matches!(self, Self::All | Self::Sms)
    }
}

/// One counter. `value` is what it counts: a lowercased contact, a network, a device, both of a
/// contact and a network, or empty for the app-wide counters. It may be personal data (an
/// e-mail address, a phone number, an IP address): a shared store should keep only a digest of
/// it, as `RedisStore` does.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Key {
    /// What is counted.
    pub kind: KeyKind,
    /// Which one.
    pub value: String,
}

/// A check on the send times under a key. Times are milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Rule {
    /// Refuses while `max` sends within the last `window_ms` are recorded; the next send may go
    /// when the oldest of them leaves the window.
    Window {
        /// The counter.
        key: Key,
        /// Sends allowed within the window.
        max: u32,
        /// The window.
        window_ms: i64,
    },
    /// Refuses until `interval_ms` after the newest send.
    Interval {
        /// The counter.
        key: Key,
        /// The shortest time between two sends.
        interval_ms: i64,
    },
    /// Growing waits. Applies only when `guard` has a send within `window_ms` (the asking
    /// network asked for this contact lately). Then, with `n >= after` sends under `key` within
    /// `window_ms`, the next send waits `first_ms · 2^(n − after)`, at most `longest_ms`, after
    /// the newest.
    BackOff {
        /// The counter whose sends grow the wait.
        key: Key,
        /// The counter that must have a recent send for the wait to apply.
        guard: Key,
        /// Sends within the window before waits start.
        after: u32,
        /// The window.
        window_ms: i64,
        /// The first wait.
        first_ms: i64,
        /// The longest wait.
        longest_ms: i64,
    },
}

/// A send time to record when the send passes every rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// The counter.
    pub key: Key,
    /// How many of the newest times the counter keeps (older ones can refuse nothing).
    pub keep: u32,
    /// How long the time matters: a counter with no send within this long can be forgotten.
    pub ttl_ms: i64,
}

/// One send: checked against `rules` in order, then recorded in `records` at `now_ms`. Its
/// serde form (JSON, say) is what a store of your own may hand to a server-side script.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attempt {
    /// When the send is asked for.
    pub now_ms: i64,
    /// The checks, in order: the first that refuses decides.
    pub rules: Vec<Rule>,
    /// What to record when every rule passes.
    pub records: Vec<Record>,
}

/// A refused send: which rule refused it (an index into [`Attempt::rules`]), and when a send
/// may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The index of the rule that refused.
    pub rule: usize,
    /// When a send may go, in milliseconds since the Unix epoch.
    pub free_at_ms: i64,
}

impl Attempt {
    /// The first rule that refuses the send, given the times recorded under each key (oldest
    /// first; empty for a key with none). A store that can lock what it reads (a row lock in a
    /// transaction) reads the times, calls this, and records when it answers `None`.
    pub fn refusal<'a>(&self, mut times: impl FnMut(&Key) -> &'a [i64]) -> Option<Refusal> {
        let now = self.now_ms;
        self.rules.iter().enumerate().find_map(|(rule, r)| {
            let free_at_ms = match r {
                Rule::Window {
                    key,
                    max,
                    window_ms,
                } => {
                    let t = times(key);
                    let recent = &t[t.partition_point(|s| *s <= now - window_ms)..];
                    let over = recent.len().checked_sub(*max as usize)?;
                    recent[over] + window_ms
                }
                Rule::Interval { key, interval_ms } => {
                    let next = times(key).last()? + interval_ms;
                    (now < next).then_some(next)?
                }
                Rule::BackOff {
                    key,
                    guard,
                    after,
                    window_ms,
                    first_ms,
                    longest_ms,
                } => {
                    let since = now - window_ms;
                    times(guard).last().filter(|last| **last > since)?;
                    let t = times(key);
                    let recent = t.len() - t.partition_point(|s| *s <= since);
                    let over = recent.checked_sub(*after as usize)?;
                    let doublings = u32::try_from(over).unwrap_or(u32::MAX).min(30);
                    let wait = first_ms.saturating_mul(1 << doublings).min(*longest_ms);
                    let next = t.last()? + wait;
                    (now < next).then_some(next)?
                }
            };
            Some(Refusal { rule, free_at_ms })
        })
    }
}

/// A store could not be reached or answered wrongly. The SDK then counts in the process (the
/// limits hold per instance) and logs a warning.
#[derive(Debug, thiserror::Error)]
#[error("send-limit store: {0}")]
pub struct LimitStoreError(pub String);

/// Keeps the send counters. Implement it to share them through a store of your own; the
/// check and the recording of one [`Attempt`] must be one atomic step.
pub trait LimitStore: std::fmt::Debug + Send + Sync + 'static {
    /// Checks `attempt` and, when no rule refuses, records it. `Ok(Some(_))` is a refused send
    /// (nothing recorded), `Ok(None)` a counted one.
    fn check_and_record<'a>(
        &'a self,
        attempt: &'a Attempt,
    ) -> BoxFuture<'a, Result<Option<Refusal>, LimitStoreError>>;
}

/// The counters of one kind: at most a bound of keys, forgetting the one inserted first when
/// full, so that a flood of new contacts or addresses cannot grow memory without end.
#[derive(Default)]
struct Tracked {
    /// Each key's generation, the newest moment its times matter, and its times.
    map: HashMap<String, (u64, i64, Vec<i64>)>,
    /// Keys in insertion order, each with its generation (a key forgotten and inserted again
    /// has a newer one, and its old place is skipped).
    order: VecDeque<(String, u64)>,
    generation: u64,
}

impl Tracked {
    fn times(&self, value: &str) -> &[i64] {
        self.map.get(value).map_or(&[], |(_, _, t)| t)
    }

    fn record(&mut self, value: &str, now_ms: i64, r: &Record, bound: Option<usize>) {
        if !self.map.contains_key(value) {
            if let Some(bound) = bound {
                while self.map.len() >= bound && self.evict_oldest() {}
            }
            self.generation += 1;
            self.order.push_back((value.to_owned(), self.generation));
        }
        let generation = self.generation;
        let (_, expires, times) = self
            .map
            .entry(value.to_owned())
            .or_insert_with(|| (generation, 0, Vec::new()));
        *expires = now_ms.saturating_add(r.ttl_ms);
        times.push(now_ms);
        let excess = times.len().saturating_sub(r.keep.max(1) as usize);
        times.drain(..excess);
    }

    fn evict_oldest(&mut self) -> bool {
        while let Some((key, generation)) = self.order.pop_front() {
            if self.map.get(&key).is_some_and(|(g, ..)| *g == generation) {
                self.map.remove(&key);
                return true;
            }
        }
        false
    }

    /// Forgets the keys whose times no longer matter.
    fn sweep(&mut self, now_ms: i64) {
        self.map.retain(|_, (_, expires, _)| *expires > now_ms);
        if self.order.len() > 2 * self.map.len() + 64 {
            let map = &self.map;
            self.order
                .retain(|(k, g)| map.get(k).is_some_and(|(live, ..)| live == g));
        }
    }
}

#[derive(Default)]
struct Counters {
    kinds: [Tracked; KeyKind::ALL.len()],
    last_sweep_ms: i64,
}

impl Counters {
    fn of(&self, kind: KeyKind) -> &Tracked {
        &self.kinds[kind as usize]
    }
}

/// The in-process store (the default): counters in this process's memory, at most a bound of
/// keys of each kind. With several app instances, each counts on its own.
#[derive(Default)]
pub struct MemoryStore {
    counters: Mutex<Counters>,
    bound: usize,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("max_tracked", &self.bound)
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// A store remembering at most `max_tracked` contacts, networks, devices (each kind on its
    /// own).
    pub fn new(max_tracked: usize) -> Self {
        Self {
            counters: Mutex::default(),
            bound: max_tracked.max(1),
        }
    }

    /// [`LimitStore::check_and_record`] without the future.
    pub(crate) fn check_and_record_now(&self, attempt: &Attempt) -> Option<Refusal> {
        let mut guard = self
            .counters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let c = &mut *guard;
        let now = attempt.now_ms;
        // Forget what can no longer refuse anything, at most once a minute.
        if now - c.last_sweep_ms >= 60_000 {
            c.last_sweep_ms = now;
            c.kinds.iter_mut().for_each(|t| t.sweep(now));
        }
        if let Some(refusal) = attempt.refusal(|key| c.of(key.kind).times(&key.value)) {
            return Some(refusal);
        }
        for r in &attempt.records {
            let bound = (!r.key.kind.is_app_wide()).then_some(self.bound);
            c.kinds[r.key.kind as usize].record(&r.key.value, now, r, bound);
        }
        None
    }

    #[cfg(test)]
    pub(crate) fn tracked(&self, kind: KeyKind) -> Vec<String> {
        let c = self.counters.lock().unwrap();
        let t = c.of(kind);
        assert!(
            t.order.len() <= 2 * t.map.len() + 64,
            "the order list is bounded"
        );
        t.map.keys().cloned().collect()
    }
}

impl LimitStore for MemoryStore {
    fn check_and_record<'a>(
        &'a self,
        attempt: &'a Attempt,
    ) -> BoxFuture<'a, Result<Option<Refusal>, LimitStoreError>> {
        Box::pin(std::future::ready(Ok(self.check_and_record_now(attempt))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: KeyKind, value: &str) -> Key {
        Key {
            kind,
            value: value.to_owned(),
        }
    }

    #[test]
    fn window_frees_when_the_oldest_counted_send_leaves() {
        let k = key(KeyKind::Network, "n");
        let a = Attempt {
            now_ms: 10_000,
            rules: vec![Rule::Window {
                key: k.clone(),
                max: 2,
                window_ms: 5_000,
            }],
            records: vec![],
        };
        let times = [1_000, 6_000, 7_000, 9_000];
        let r = a.refusal(|_| &times).unwrap();
        // 6 000, 7 000 and 9 000 are within the window (1 000 is not): two may stay, so the
        // send may go when 7 000 leaves.
        assert_eq!(
            r,
            Refusal {
                rule: 0,
                free_at_ms: 12_000
            }
        );
        assert_eq!(
            a.refusal(|_| &times[..2]),
            None,
            "one send within the window"
        );
    }

    #[test]
    fn back_off_needs_a_recent_guard() {
        let rule = |after| Rule::BackOff {
            key: key(KeyKind::Contact, "c"),
            guard: key(KeyKind::ContactNetwork, "c n"),
            after,
            window_ms: 100_000,
            first_ms: 1_000,
            longest_ms: 3_000,
        };
        let contact = [90_000, 95_000, 99_000];
        let attempt = |after, guard: &'static [i64]| {
            Attempt {
                now_ms: 100_000,
                rules: vec![rule(after)],
                records: vec![],
            }
            .refusal(|k| {
                if k.kind == KeyKind::Contact {
                    &contact
                } else {
                    guard
                }
            })
        };
        assert_eq!(attempt(1, &[]), None, "no recent send from this network");
        assert_eq!(attempt(1, &[0]), None, "its last send left the window");
        // Three sends, waits after one: 1 s · 2² = 4 s, capped at 3 s after 99 000.
        assert_eq!(attempt(1, &[99_000]).unwrap().free_at_ms, 102_000);
        // Waits after three: 1 s after 99 000, already over.
        assert_eq!(attempt(3, &[99_000]), None);
    }
}
