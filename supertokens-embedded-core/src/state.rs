//! The state every handler of the embedded core shares.

use std::sync::Arc;

use supertokens_cdi::Clock;

use crate::config::EmbeddedCoreConfig;
use crate::passwordless::state::PasswordlessState;
use crate::session::state::SessionState;
use crate::store::Store;

/// State shared by every handler of the embedded core.
pub(crate) struct CoreState {
    pub(crate) config: EmbeddedCoreConfig,
    pub(crate) clock: Clock,
    pub(crate) store: Store,
    pub(crate) session: SessionState,
    pub(crate) passwordless: PasswordlessState,
}

impl CoreState {
    /// The state of a core on `store`, with nothing cached yet.
    pub(crate) fn new(config: EmbeddedCoreConfig, clock: Clock, store: Store) -> Self {
        Self {
            session: SessionState::new(&config),
            passwordless: PasswordlessState::default(),
            config,
            clock,
            store,
        }
    }
}

pub(crate) type SharedState = Arc<CoreState>;
