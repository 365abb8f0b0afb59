//! Signing keys of access tokens and the key that seals refresh tokens.
//!
//! Per app there are:
//! * dynamic RSA-2048 keys (`d-<createdAtMs>`), a new one every `signing_key_rotation`. A key is
//!   created (and published in the JWKS) [`overlap`](KeyTimes::overlap) before it is first used to
//!   sign, so verifiers that cached the JWKS have seen it by then; it stays in the JWKS until the
//!   last token it signed has expired (rotation + access-token validity after its creation);
//! * at most one static RSA-2048 key (`s-<uuid>`), created the first time a session asks for it
//!   (`useDynamicSigningKey: false`) and never rotated;
//! * one AES-256-GCM key sealing refresh tokens.
//!
//! Private keys live in SQLite (PKCS#8), so tokens survive a restart. RSA key generation is slow
//! (hundreds of milliseconds), so keys are made lazily, off the async threads, one at a time, and
//! cached here.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use aws_lc_rs::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::KeyPair as _;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rusqlite::{Connection, OptionalExtension};
use supertokens_cdi::Jwk;

use crate::config::EmbeddedCoreConfig;
use crate::store::{Store, StoreError};

/// One RSA signing key with its public half as a JWK.
pub(super) struct SigningKey {
    pub(super) kid: String,
    pub(super) created_at: i64,
    pub(super) pair: KeyPair,
    pub(super) jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    fn from_pkcs8(kid: String, created_at: i64, der: &[u8]) -> Result<Self, StoreError> {
        let pair = KeyPair::from_pkcs8(der)
            .map_err(|e| StoreError::Other(format!("stored signing key {kid} is unusable: {e}")))?;
        let jwk = public_jwk(&kid, &pair);
        Ok(Self {
            kid,
            created_at,
            pair,
            jwk,
        })
    }
}

/// The public half of `pair` as a JWK (`n` and `e` big-endian, no leading zeros, base64url).
pub(super) fn public_jwk(kid: &str, pair: &KeyPair) -> Jwk {
    let components = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
    Jwk {
        kty: "RSA".into(),
        kid: kid.to_owned(),
        n: URL_SAFE_NO_PAD.encode(&components.n),
        e: URL_SAFE_NO_PAD.encode(&components.e),
        alg: "RS256".into(),
        use_: "sig".into(),
    }
}

/// How long keys are used and kept, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyTimes {
    /// A new dynamic key every `rotation`.
    pub(super) rotation: i64,
    /// A new key is published this long before it signs (at most a minute, and at most a fifth
    /// of the rotation for very short rotations).
    pub(super) overlap: i64,
    /// A dynamic key is kept for verification this long after its creation.
    pub(super) lifetime: i64,
}

impl KeyTimes {
    pub(super) fn new(config: &EmbeddedCoreConfig) -> Self {
        let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let rotation = ms(config.signing_key_rotation).max(1);
        let overlap = (rotation / 5).min(60_000);
        let lifetime = rotation.saturating_add(ms(config.access_token_validity));
        Self {
            rotation,
            overlap,
            lifetime,
        }
    }
}

/// The keys of one app, as of some moment.
pub(super) struct AppKeys {
    /// Dynamic keys, newest first (may include keys past their lifetime; see [`Self::live`]).
    dynamic: Vec<Arc<SigningKey>>,
    static_key: Option<Arc<SigningKey>>,
    refresh: Arc<LessSafeKey>,
}

impl AppKeys {
    /// Dynamic keys that can still verify tokens at `now`, newest first.
    fn live(&self, now: i64, times: KeyTimes) -> impl Iterator<Item = &Arc<SigningKey>> {
        self.dynamic
            .iter()
            .filter(move |k| k.created_at.saturating_add(times.lifetime) >= now)
    }

    /// Whether a dynamic key young enough to sign exists (else a new one must be made).
    fn has_signing_key(&self, now: i64, times: KeyTimes) -> bool {
        self.dynamic.first().is_some_and(|k| {
            k.created_at.saturating_add(times.rotation) > now.saturating_add(times.overlap)
        })
    }

    /// The dynamic key to sign with at `now`: the newest, unless it was published less than
    /// `overlap` ago and the one before it is still within its rotation period.
    fn signing(&self, now: i64, times: KeyTimes) -> Option<Arc<SigningKey>> {
        let mut live = self.live(now, times);
        let newest = live.next()?;
        if let Some(previous) = live.next()
            && newest.created_at.saturating_add(times.overlap) > now
            && now < previous.created_at.saturating_add(times.rotation)
        {
            return Some(previous.clone());
        }
        Some(newest.clone())
    }

    /// The key with this `kid`, if it can still verify tokens.
    pub(super) fn find(&self, kid: &str, now: i64, times: KeyTimes) -> Option<Arc<SigningKey>> {
        if kid.starts_with("s-") {
            return self.static_key.clone().filter(|k| k.kid == kid);
        }
        self.live(now, times).find(|k| k.kid == kid).cloned()
    }

    /// The public keys to publish: live dynamic keys (newest first), then the static key.
    pub(super) fn jwks(&self, now: i64, times: KeyTimes) -> Vec<Jwk> {
        self.live(now, times)
            .chain(self.static_key.iter())
            .map(|k| k.jwk.clone())
            .collect()
    }

    /// Seconds a JWKS fetched at `now` may be cached: until the next key is published (min 1).
    pub(super) fn cache_seconds(&self, now: i64, times: KeyTimes) -> i64 {
        let next_publication = self
            .dynamic
            .first()
            .map(|k| k.created_at.saturating_add(times.rotation) - times.overlap)
            .unwrap_or(now);
        (next_publication.saturating_sub(now) / 1000).max(1)
    }

    pub(super) fn refresh_key(&self) -> &LessSafeKey {
        &self.refresh
    }
}

/// Every app's keys, loaded lazily from the database and cached.
pub(super) struct KeyRing {
    times: KeyTimes,
    apps: RwLock<HashMap<String, Arc<AppKeys>>>,
    /// Held while keys are loaded or made, so one request makes a key and the others wait.
    making: tokio::sync::Mutex<()>,
}

impl KeyRing {
    pub(super) fn new(times: KeyTimes) -> Self {
        Self {
            times,
            apps: RwLock::new(HashMap::new()),
            making: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) fn times(&self) -> KeyTimes {
        self.times
    }

    fn cached(&self, app: &str) -> Option<Arc<AppKeys>> {
        self.apps.read().ok().and_then(|m| m.get(app).cloned())
    }

    fn remember(&self, app: &str, keys: Arc<AppKeys>) {
        if let Ok(mut m) = self.apps.write() {
            m.insert(app.to_owned(), keys);
        }
    }

    /// The app's keys at `now`, with a dynamic key able to sign (made if needed).
    pub(super) async fn app(
        &self,
        store: &Store,
        app: &str,
        now: i64,
    ) -> Result<Arc<AppKeys>, StoreError> {
        if let Some(keys) = self
            .cached(app)
            .filter(|k| k.has_signing_key(now, self.times))
        {
            return Ok(keys);
        }
        let _making = self.making.lock().await;
        if let Some(keys) = self
            .cached(app)
            .filter(|k| k.has_signing_key(now, self.times))
        {
            return Ok(keys);
        }
        let mut keys = load(store, app).await?;
        if !keys.has_signing_key(now, self.times) {
            let pair = generate_rsa().await?;
            let der = pkcs8(&pair)?;
            let kid = format!("d-{now}");
            let app_id = app.to_owned();
            let oldest_kept = now.saturating_sub(self.times.lifetime);
            let stored_der = der.clone();
            let stored_kid = kid.clone();
            store
                .write(move |tx| {
                    tx.execute(
                        "DELETE FROM session_signing_keys
                         WHERE app_id = ?1 AND kind = 'dynamic' AND created_at < ?2",
                        (&app_id, oldest_kept),
                    )?;
                    // Two keys in the same millisecond cannot happen here (one maker at a time,
                    // and a fresh key stops further making), but stay safe on a replay.
                    tx.execute(
                        "INSERT OR IGNORE INTO session_signing_keys
                             (app_id, kid, kind, private_key, created_at)
                         VALUES (?1, ?2, 'dynamic', ?3, ?4)",
                        (&app_id, &stored_kid, &stored_der, now),
                    )?;
                    Ok(())
                })
                .await?;
            let key = SigningKey::from_pkcs8(kid, now, &der)?;
            keys.dynamic.insert(0, Arc::new(key));
        }
        let keys = Arc::new(keys);
        self.remember(app, keys.clone());
        Ok(keys)
    }

    /// The key to sign with at `now`: the current dynamic key, or the app's static key (made on
    /// first use).
    pub(super) async fn signing_key(
        &self,
        store: &Store,
        app: &str,
        now: i64,
        use_static_key: bool,
    ) -> Result<Arc<SigningKey>, StoreError> {
        let keys = self.app(store, app, now).await?;
        if !use_static_key {
            return keys
                .signing(now, self.times)
                .ok_or_else(|| StoreError::Other("no dynamic signing key".into()));
        }
        if let Some(key) = &keys.static_key {
            return Ok(key.clone());
        }
        let _making = self.making.lock().await;
        let mut keys = match self.cached(app) {
            Some(cached) if cached.static_key.is_some() => {
                return cached
                    .static_key
                    .clone()
                    .ok_or_else(|| StoreError::Other("static key vanished".into()));
            }
            _ => load(store, app).await?,
        };
        if keys.static_key.is_none() {
            let pair = generate_rsa().await?;
            let der = pkcs8(&pair)?;
            let kid = format!("s-{}", uuid::Uuid::new_v4());
            let (app_id, stored_kid, stored_der) = (app.to_owned(), kid.clone(), der.clone());
            store
                .write(move |tx| {
                    tx.execute(
                        "INSERT INTO session_signing_keys (app_id, kid, kind, private_key, created_at)
                         VALUES (?1, ?2, 'static', ?3, ?4)",
                        (&app_id, &stored_kid, &stored_der, now),
                    )?;
                    Ok(())
                })
                .await?;
            keys.static_key = Some(Arc::new(SigningKey::from_pkcs8(kid, now, &der)?));
        }
        let key = keys.static_key.clone();
        self.remember(app, Arc::new(keys));
        key.ok_or_else(|| StoreError::Other("static key vanished".into()))
    }
}

/// Reads an app's keys, creating its refresh-token key if it has none yet.
async fn load(store: &Store, app: &str) -> Result<AppKeys, StoreError> {
    let app_id = app.to_owned();
    let (rows, refresh) = store
        .read(move |conn| {
            let rows = read_signing_keys(conn, &app_id)?;
            let refresh = read_refresh_key(conn, &app_id)?;
            Ok((rows, refresh))
        })
        .await?;
    let refresh = match refresh {
        Some(key) => key,
        None => {
            let mut fresh = vec![0u8; 32];
            SystemRandom::new()
                .fill(&mut fresh)
                .map_err(|_| StoreError::Other("no randomness for the refresh-token key".into()))?;
            let app_id = app.to_owned();
            // If a key was stored meanwhile, keep that one: tokens may already be sealed with it.
            store
                .write(move |tx| {
                    tx.execute(
                        "INSERT OR IGNORE INTO session_refresh_token_keys (app_id, key) VALUES (?1, ?2)",
                        (&app_id, &fresh),
                    )?;
                    read_refresh_key(tx, &app_id)?
                        .ok_or_else(|| StoreError::Other("refresh-token key not stored".into()))
                })
                .await?
        }
    };
    let refresh = UnboundKey::new(&AES_256_GCM, &refresh)
        .map(LessSafeKey::new)
        .map_err(|_| StoreError::Other("stored refresh-token key is unusable".into()))?;
    let mut dynamic = Vec::new();
    let mut static_key = None;
    for (kid, kind, der, created_at) in rows {
        let key = Arc::new(SigningKey::from_pkcs8(kid, created_at, &der)?);
        if kind == "static" {
            static_key.get_or_insert(key);
        } else {
            dynamic.push(key);
        }
    }
    dynamic.sort_by_key(|k| std::cmp::Reverse(k.created_at));
    Ok(AppKeys {
        dynamic,
        static_key,
        refresh: Arc::new(refresh),
    })
}

fn read_refresh_key(conn: &Connection, app_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT key FROM session_refresh_token_keys WHERE app_id = ?1",
            [app_id],
            |row| row.get(0),
        )
        .optional()?)
}

type KeyRow = (String, String, Vec<u8>, i64);

fn read_signing_keys(conn: &Connection, app_id: &str) -> Result<Vec<KeyRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT kid, kind, private_key, created_at FROM session_signing_keys
         WHERE app_id = ?1 ORDER BY created_at",
    )?;
    let rows = stmt
        .query_map([app_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

async fn generate_rsa() -> Result<KeyPair, StoreError> {
    tokio::task::spawn_blocking(|| KeyPair::generate(KeySize::Rsa2048))
        .await
        .map_err(|e| StoreError::Other(format!("key generation stopped: {e}")))?
        .map_err(|_| StoreError::Other("RSA key generation failed".into()))
}

fn pkcs8(pair: &KeyPair) -> Result<Vec<u8>, StoreError> {
    pair.as_der()
        .map(|der| der.as_ref().to_vec())
        .map_err(|_| StoreError::Other("cannot encode the signing key".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn times() -> KeyTimes {
        KeyTimes {
            rotation: 7 * 86_400_000,
            overlap: 60_000,
            lifetime: 7 * 86_400_000 + 3_600_000,
        }
    }

    fn key(created_at: i64) -> Arc<SigningKey> {
        // Keys for the selection logic only; one real pair shared by all is enough.
        static PAIR: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let der =
            PAIR.get_or_init(|| pkcs8(&KeyPair::generate(KeySize::Rsa2048).unwrap()).unwrap());
        Arc::new(SigningKey::from_pkcs8(format!("d-{created_at}"), created_at, der).unwrap())
    }

    fn app(dynamic: Vec<Arc<SigningKey>>) -> AppKeys {
        AppKeys {
            dynamic,
            static_key: None,
            refresh: Arc::new(LessSafeKey::new(
                UnboundKey::new(&AES_256_GCM, &[7u8; 32]).unwrap(),
            )),
        }
    }

    #[test]
    fn a_new_key_is_needed_one_overlap_before_the_rotation_ends() {
        let t = times();
        let keys = app(vec![key(0)]);
        assert!(keys.has_signing_key(t.rotation - t.overlap - 1, t));
        assert!(!keys.has_signing_key(t.rotation - t.overlap, t));
        assert!(!app(vec![]).has_signing_key(0, t));
    }

    #[test]
    fn a_just_published_key_does_not_sign_until_the_overlap_has_passed() {
        let t = times();
        let published = t.rotation - t.overlap;
        let keys = app(vec![key(published), key(0)]);
        assert_eq!(keys.signing(published + 1, t).unwrap().kid, "d-0");
        assert_eq!(
            keys.signing(published + t.overlap, t).unwrap().kid,
            format!("d-{published}")
        );
    }

    #[test]
    fn old_keys_verify_until_their_last_token_has_expired() {
        let t = times();
        let keys = app(vec![key(t.rotation), key(0)]);
        assert!(keys.find("d-0", t.lifetime, t).is_some());
        assert!(keys.find("d-0", t.lifetime + 1, t).is_none());
        assert_eq!(keys.jwks(t.lifetime + 1, t).len(), 1);
        assert!(keys.find("d-unknown", 0, t).is_none());
        assert!(keys.find("s-0", 0, t).is_none());
    }

    #[test]
    fn the_jwks_may_be_cached_until_the_next_key_is_published() {
        let t = times();
        let keys = app(vec![key(0)]);
        assert_eq!(keys.cache_seconds(0, t), (t.rotation - t.overlap) / 1000);
        assert_eq!(keys.cache_seconds(t.rotation, t), 1);
    }

    #[test]
    fn a_rotation_too_long_to_count_does_not_overflow() {
        let config = EmbeddedCoreConfig {
            signing_key_rotation: std::time::Duration::MAX,
            access_token_validity: std::time::Duration::MAX,
            ..EmbeddedCoreConfig::default()
        };
        let t = KeyTimes::new(&config);
        let keys = app(vec![key(1), key(0)]);
        assert!(keys.has_signing_key(10_000_000_000_000, t));
        assert_eq!(keys.signing(2, t).unwrap().kid, "d-0");
        assert_eq!(keys.signing(1 + t.overlap, t).unwrap().kid, "d-1");
        assert!(keys.cache_seconds(0, t) > 1);
        assert!(keys.find("d-0", i64::MAX, t).is_some());
    }

    #[test]
    fn the_jwk_carries_the_public_key() {
        let k = key(5);
        assert_eq!(k.jwk.kid, "d-5");
        assert_eq!(k.jwk.kty, "RSA");
        assert_eq!(k.jwk.alg, "RS256");
        assert_eq!(k.jwk.use_, "sig");
        assert_eq!(k.jwk.e, "AQAB");
        // 2048-bit modulus: 256 bytes → 342 base64url characters.
        assert_eq!(k.jwk.n.len(), 342);
    }
}
