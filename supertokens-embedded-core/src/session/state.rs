//! What the session component keeps in memory: cached signing keys and the token lifetimes.

use std::sync::atomic::AtomicI64;

use super::keys;
use crate::config::EmbeddedCoreConfig;

/// In-memory session state: cached signing keys and lifetimes.
pub(crate) struct SessionState {
    pub(super) keys: keys::KeyRing,
    /// Access-token lifetime, whole seconds (the token's `exp - iat`).
    pub(super) access_validity_s: i64,
    /// Refresh-token and session lifetime, milliseconds.
    pub(super) refresh_validity_ms: i64,
    /// When expired sessions were last deleted (they are cleaned lazily, at most once a minute).
    pub(super) last_cleanup_ms: AtomicI64,
}

impl SessionState {
    pub(crate) fn new(config: &EmbeddedCoreConfig) -> Self {
        Self {
            keys: keys::KeyRing::new(keys::KeyTimes::new(config)),
            access_validity_s: i64::try_from(config.access_token_validity.as_secs())
                .unwrap_or(i64::MAX / 2_000)
                .max(1),
            refresh_validity_ms: i64::try_from(config.refresh_token_validity.as_millis())
                .unwrap_or(i64::MAX / 2)
                .max(1),
            last_cleanup_ms: AtomicI64::new(0),
        }
    }
}
