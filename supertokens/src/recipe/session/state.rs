//! [`Base`]: what the SDK's own session functions work with (the resolved configuration, the
//! core client, the clock and the caches of signing keys and verified tokens).

use std::sync::Arc;

use super::cache::VerifiedCache;
use super::claims::{AnyClaim, ClaimValidator};
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
    /// Checked on every route with a session unless the route says otherwise.
    pub(crate) global_validators: Vec<ClaimValidator>,
    /// Fetched into every new session's access token.
    pub(crate) claims: Vec<Arc<dyn AnyClaim>>,
}

impl Base {
    pub(crate) fn new(config: Resolved, core: CoreClient, clock: Clock) -> Self {
        Self {
            jwks: JwksCache::new(core.clone(), clock.clone(), config.jwks_refresh_interval),
            cache: VerifiedCache::new(config.verified_token_cache_size),
            config,
            core,
            clock,
            global_validators: Vec::new(),
            claims: Vec::new(),
        }
    }
}
