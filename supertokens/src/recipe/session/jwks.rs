//! The cache of the core's signing keys (JWKS): refreshed on an interval, re-fetched (at most every
//! 500 ms) when a token names a key id the cache does not hold.
//!
//! One fetch at a time, whatever the number of requests: those that need it wait for the one in
//! flight and take its outcome. A failed fetch is remembered for two seconds, in which requests
//! that need the core's keys fail at once. Keys past the refresh interval still verify the tokens
//! they signed: such a request does not wait, and the refresh runs in the background, so tokens
//! keep verifying while the core is slow or down.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;

use crate::Clock;
use crate::core::CoreClient;

/// Minimum time between two fetches triggered by unknown key ids.
const COOLDOWN: Duration = Duration::from_millis(500);

/// How long (clock ms) a failed fetch is remembered: requests within it do not ask the core again.
const FAILURE_MEMORY_MS: i64 = 2_000;

/// One RS256 public key of the JWKS, parsed once when fetched so that a verification costs only
/// the signature check.
pub(crate) struct VerifyKey(ParsedPublicKey);

impl VerifyKey {
    /// The key from the JWKS's base64url modulus and exponent; `None` if they are not an RSA
    /// key of at least 2048 bits.
    pub(crate) fn from_components(n: &str, e: &str) -> Option<Self> {
        let decode = |v: &str| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(v.trim_end_matches('='))
                .ok()
        };
        let (n, e) = (decode(n)?, decode(e)?);
        RsaPublicKeyComponents {
            n: n.as_slice(),
            e: e.as_slice(),
        }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .ok()
        .map(Self)
    }

    /// Whether `signature` is this key's RS256 signature of `message`.
    pub(crate) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        self.0.verify_sig(message, signature).is_ok()
    }
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, Arc<VerifyKey>>,
    /// When the keys were fetched (clock ms); `None` before the first fetch.
    fetched_at_ms: Option<i64>,
    last_fetch: Option<Instant>,
    /// When (clock ms) and why the last fetch failed; `None` after a success.
    failed: Option<(i64, String)>,
}

/// Why no key could be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The core's JWKS could not be fetched.
    Fetch(String),
    /// The JWKS does not hold this key id.
    Unknown,
}

/// What the cache holds for one key id, read at one instant.
struct View {
    found: Option<Vec<Arc<VerifyKey>>>,
    /// Fetched within the refresh interval.
    fresh: bool,
    last_fetch: Option<Instant>,
    /// Why the last fetch failed, if it failed within the failure memory.
    recent_failure: Option<String>,
}

pub(crate) struct JwksCache {
    shared: Arc<Shared>,
}

struct Shared {
    core: CoreClient,
    clock: Clock,
    refresh_interval_ms: i64,
    keys: RwLock<Keys>,
    /// Held by the one fetch in flight.
    fetch: Arc<tokio::sync::Mutex<()>>,
    /// Fetches finished so far: a request that waited for the lock sees whether one finished
    /// meanwhile.
    fetches: AtomicU64,
}

impl JwksCache {
    pub(crate) fn new(core: CoreClient, clock: Clock, refresh_interval: Duration) -> Self {
        Self {
            shared: Arc::new(Shared {
                core,
                clock,
                refresh_interval_ms: i64::try_from(refresh_interval.as_millis())
                    .unwrap_or(i64::MAX),
                keys: RwLock::new(Keys::default()),
                fetch: Arc::new(tokio::sync::Mutex::new(())),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// The key(s) for `kid` (every key for legacy tokens without one).
    pub(crate) async fn keys_for(
        &self,
        kid: Option<&str>,
    ) -> Result<Vec<Arc<VerifyKey>>, KeyError> {
        let shared = &self.shared;
        let fetches_seen = shared.fetches.load(Ordering::SeqCst);
        let view = shared.lookup(kid);
        if let Some(found) = view.found {
            if !view.fresh && view.recent_failure.is_none() {
                self.refresh_in_background();
            }
            return Ok(found);
        }
        if let Some(why) = view.recent_failure {
            return Err(KeyError::Fetch(why));
        }
        if view.fresh && view.last_fetch.is_some_and(|at| at.elapsed() < COOLDOWN) {
            return Err(KeyError::Unknown);
        }
        let _guard = shared.fetch.lock().await;
        if shared.fetches.load(Ordering::SeqCst) != fetches_seen {
            // A fetch finished while this request waited: its outcome is this one's.
            let view = shared.lookup(kid);
            return view.found.ok_or_else(|| {
                view.recent_failure
                    .map_or(KeyError::Unknown, KeyError::Fetch)
            });
        }
        shared.refetch().await?;
        shared.lookup(kid).found.ok_or(KeyError::Unknown)
    }

    /// Refreshes the keys on a task of its own, unless a fetch is in flight.
    fn refresh_in_background(&self) {
        let Ok(guard) = self.shared.fetch.clone().try_lock_owned() else {
            return;
        };
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let _guard = guard;
            // A failure is remembered; the stale keys stay.
            let _ = shared.refetch().await;
        });
    }
}

impl Shared {
    fn lookup(&self, kid: Option<&str>) -> View {
        let keys = self
            .keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = self.clock.now_ms();
        let fresh = keys
            .fetched_at_ms
            .is_some_and(|at| now.saturating_sub(at) < self.refresh_interval_ms);
        let found = match kid {
            Some(kid) => keys.by_kid.get(kid).map(|k| vec![k.clone()]),
            None if keys.by_kid.is_empty() => None,
            None => Some(keys.by_kid.values().cloned().collect()),
        };
        let recent_failure = keys
            .failed
            .as_ref()
            .filter(|(at, _)| now.saturating_sub(*at) < FAILURE_MEMORY_MS)
            .map(|(_, why)| why.clone());
        View {
            found,
            fresh,
            last_fetch: keys.last_fetch,
            recent_failure,
        }
    }

    /// Fetches the keys; the caller holds the fetch lock.
    async fn refetch(&self) -> Result<(), KeyError> {
        let result = self.core.jwks().await;
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.fetches.fetch_add(1, Ordering::SeqCst);
        keys.last_fetch = Some(Instant::now());
        let (jwks, _) = match result {
            Ok(answer) => answer,
            Err(e) => {
                let why = e.to_string();
                keys.failed = Some((self.clock.now_ms(), why.clone()));
                return Err(KeyError::Fetch(why));
            }
        };
        let by_kid = jwks
            .keys
            .iter()
            .filter(|k| k.kty == "RSA")
            .filter_map(|k| {
                Some((
                    k.kid.clone(),
                    Arc::new(VerifyKey::from_components(&k.n, &k.e)?),
                ))
            })
            .collect();
        keys.by_kid = by_kid;
        keys.fetched_at_ms = Some(self.clock.now_ms());
        keys.failed = None;
        Ok(())
    }
}
