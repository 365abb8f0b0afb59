//! A bounded cache of access tokens whose signature and structure were verified, so a token
//! seen again is not verified again. Entries are keyed by the whole token and never outlive its
//! expiry; tokens that need the core (after a refresh) are never cached.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, RwLock};

use super::token::AccessToken;

/// Number of independently locked shards (contention stays low under load).
const SHARDS: usize = 16;

/// How many bytes at the end of a token its hash reads.
const HASHED_TAIL: usize = 16;

/// Hashes a token by its last [`HASHED_TAIL`] bytes, the end of its RS256 signature: random
/// bytes nobody can choose, so hashing the whole token (≈ 700 bytes, twice per request) buys
/// nothing. Only tokens whose signature verified are inserted, so no one can fill a bucket with
/// colliding keys; lookups of other strings insert nothing.
#[derive(Default, Clone, Copy)]
struct TailHasher(u64);

impl Hasher for TailHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in &bytes[bytes.len().saturating_sub(HASHED_TAIL)..] {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        // The multiplications leave the best bits on top; fold them into the low bits too.
        self.0 ^ (self.0 >> 32)
    }
}

type Shard = HashMap<Arc<str>, Arc<AccessToken>, BuildHasherDefault<TailHasher>>;

pub(crate) struct VerifiedCache {
    shards: Vec<RwLock<Shard>>,
    per_shard: usize,
}

impl VerifiedCache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            shards: (0..SHARDS).map(|_| RwLock::new(Shard::default())).collect(),
            per_shard: capacity.div_ceil(SHARDS),
        }
    }

    fn shard(&self, token: &str) -> &RwLock<Shard> {
        // The signature bytes are already uniformly distributed.
        let last = token
            .as_bytes()
            .iter()
            .rev()
            .take(4)
            .fold(0usize, |acc, b| acc * 31 + usize::from(*b));
        &self.shards[last % SHARDS]
    }

    /// The verified token, if cached and unexpired at `now_ms`.
    pub(crate) fn get(&self, token: &str, now_ms: i64) -> Option<Arc<AccessToken>> {
        if self.per_shard == 0 {
            return None;
        }
        let lock = self.shard(token);
        let hit = lock
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(token)?
            .clone();
        if hit.expiry_ms <= now_ms {
            lock.write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(token);
            return None;
        }
        Some(hit)
    }

    /// Remembers a verified token.
    pub(crate) fn insert(&self, token: Arc<AccessToken>, now_ms: i64) {
        if self.per_shard == 0 || token.parent_refresh_token_hash1.is_some() {
            return;
        }
        let mut shard = self
            .shard(&token.raw)
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if shard.len() >= self.per_shard {
            shard.retain(|_, t| t.expiry_ms > now_ms);
            if shard.len() >= self.per_shard {
                // Still full of live tokens: drop about a quarter, whichever they are.
                let drop = (self.per_shard / 4).max(1);
                let victims: Vec<Arc<str>> = shard.keys().take(drop).cloned().collect();
                for k in victims {
                    shard.remove(&k);
                }
            }
        }
        shard.insert(Arc::clone(&token.raw), token);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().unwrap().len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(raw: &str, expiry_ms: i64, parent: Option<&str>) -> Arc<AccessToken> {
        Arc::new(AccessToken {
            raw: raw.into(),
            version: 5,
            kid: Some("d-1".into()),
            alg_rs256: true,
            payload: Arc::new(serde_json::Map::new()),
            user_id: "u".into(),
            recipe_user_id: "u".into(),
            session_handle: "h".into(),
            tenant_id: "public".into(),
            expiry_ms,
            anti_csrf_token: None,
            parent_refresh_token_hash1: parent.map(str::to_owned),
        })
    }

    #[test]
    fn tokens_differing_only_before_the_tail_are_told_apart() {
        let cache = VerifiedCache::new(32);
        let tail = "x".repeat(HASHED_TAIL);
        cache.insert(token(&format!("a{tail}"), 1000, None), 0);
        cache.insert(token(&format!("b{tail}"), 1000, None), 0);
        assert_eq!(
            &*cache.get(&format!("a{tail}"), 0).unwrap().raw,
            format!("a{tail}")
        );
        assert_eq!(
            &*cache.get(&format!("b{tail}"), 0).unwrap().raw,
            format!("b{tail}")
        );
        assert!(cache.get(&format!("c{tail}"), 0).is_none());
        assert!(cache.get("", 0).is_none());
    }

    #[test]
    fn honours_expiry_and_bounds() {
        let cache = VerifiedCache::new(32);
        cache.insert(token("a", 1000, None), 0);
        assert!(cache.get("a", 999).is_some());
        assert!(cache.get("a", 1000).is_none());
        assert!(cache.get("a", 0).is_none(), "expired entries are removed");
        cache.insert(token("p", 1000, Some("x")), 0);
        assert!(
            cache.get("p", 0).is_none(),
            "tokens awaiting promotion are not cached"
        );
        for i in 0..1000 {
            cache.insert(token(&format!("t{i}"), 10_000, None), 0);
        }
        assert!(cache.len() <= 32 + SHARDS, "{}", cache.len());
        let off = VerifiedCache::new(0);
        off.insert(token("a", 1000, None), 0);
        assert!(off.get("a", 0).is_none());
    }
}
