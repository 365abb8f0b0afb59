//! The cache of the core's signing keys (JWKS): refreshed on an interval, re-fetched once (single
//! flight, at most every 500 ms) when a token names a key id the cache does not hold.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;

use crate::Clock;
use crate::core::CoreClient;

/// Minimum time between two fetches triggered by unknown key ids.
const COOLDOWN: Duration = Duration::from_millis(500);

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
}

/// Why no key could be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyError {
    /// The core's JWKS could not be fetched.
    Fetch(String),
    /// The JWKS does not hold this key id.
    Unknown,
}

pub(crate) struct JwksCache {
    core: CoreClient,
    clock: Clock,
    refresh_interval_ms: i64,
    keys: RwLock<Keys>,
    fetch: tokio::sync::Mutex<()>,
}

impl JwksCache {
    pub(crate) fn new(core: CoreClient, clock: Clock, refresh_interval: Duration) -> Self {
        Self {
            core,
            clock,
            refresh_interval_ms: i64::try_from(refresh_interval.as_millis()).unwrap_or(i64::MAX),
            keys: RwLock::new(Keys::default()),
            fetch: tokio::sync::Mutex::new(()),
        }
    }

    fn lookup(&self, kid: Option<&str>) -> (Option<Vec<Arc<VerifyKey>>>, bool, Option<Instant>) {
        let keys = self
            .keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fresh = keys
            .fetched_at_ms
            .is_some_and(|at| self.clock.now_ms().saturating_sub(at) < self.refresh_interval_ms);
        let found = match kid {
            Some(kid) => keys.by_kid.get(kid).map(|k| vec![k.clone()]),
            None if keys.by_kid.is_empty() => None,
            None => Some(keys.by_kid.values().cloned().collect()),
        };
        (found, fresh, keys.last_fetch)
    }

    /// The key(s) for `kid` (every key for legacy tokens without one).
    pub(crate) async fn keys_for(
        &self,
        kid: Option<&str>,
    ) -> Result<Vec<Arc<VerifyKey>>, KeyError> {
        let (found, fresh, _) = self.lookup(kid);
        if fresh && let Some(found) = found {
            return Ok(found);
        }
        let _guard = self.fetch.lock().await;
        // Another request may have fetched while this one waited.
        let (found, fresh, last_fetch) = self.lookup(kid);
        if fresh {
            if let Some(found) = found {
                return Ok(found);
            }
            if last_fetch.is_some_and(|at| at.elapsed() < COOLDOWN) {
                return Err(KeyError::Unknown);
            }
        }
        self.refetch().await?;
        self.lookup(kid).0.ok_or(KeyError::Unknown)
    }

    async fn refetch(&self) -> Result<(), KeyError> {
        let result = self.core.jwks().await;
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.last_fetch = Some(Instant::now());
        let (jwks, _) = result.map_err(|e| KeyError::Fetch(e.to_string()))?;
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
        Ok(())
    }
}
