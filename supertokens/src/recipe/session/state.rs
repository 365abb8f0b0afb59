//! [`Base`]: what the SDK's own session functions work with (the resolved configuration, the
//! core client, the clock and the caches of signing keys and verified tokens).

use super::cache::VerifiedCache;
use super::jwks::JwksCache;
use super::resolved::Resolved;
use crate::Clock;
use crate::core::CoreClient;

/// State of the default recipe functions, shared with every session of the recipe.
pub(crate) struct Base {
    pub(crate) config: Resolved,
    pub(crate) core: CoreClient,
    pub(crate) clock: Clock,
    pub(crate) jwks: JwksCache,
    pub(crate) cache: VerifiedCache,
}

impl Base {
    pub(crate) fn new(config: Resolved, core: CoreClient, clock: Clock) -> Self {
        Self {
            jwks: JwksCache::new(core.clone(), clock.clone(), config.jwks_refresh_interval),
            cache: VerifiedCache::new(config.verified_token_cache_size),
            config,
            core,
            clock,
        }
    }
}
