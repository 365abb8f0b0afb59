//! The state every handler of the embedded core shares.

use std::sync::{Arc, Weak};

use supertokens_cdi::Clock;

use crate::apps::Apps;
use crate::config::EmbeddedCoreConfig;
use crate::passwordless::state::PasswordlessState;
use crate::session::state::SessionState;
use crate::store::Store;

/// The state of one app, shared by every handler serving it.
pub(crate) struct CoreState {
    /// The core's settings with the app's core config over them.
    pub(crate) config: EmbeddedCoreConfig,
    /// The core config the app was given (what the tenant APIs show).
    pub(crate) core_config: serde_json::Map<String, serde_json::Value>,
    pub(crate) clock: Clock,
    /// The database of every app (each row names its app).
    pub(crate) store: Arc<Store>,
    /// Every app of the core, for the APIs that manage them.
    pub(crate) apps: Weak<Apps>,
    pub(crate) session: SessionState,
    pub(crate) passwordless: PasswordlessState,
}

impl CoreState {
    /// The state of an app on `store`, with nothing cached yet.
    pub(crate) fn new(
        config: EmbeddedCoreConfig,
        core_config: serde_json::Map<String, serde_json::Value>,
        clock: Clock,
        store: Arc<Store>,
        apps: Weak<Apps>,
    ) -> Self {
        Self {
            apps,
            core_config,
            session: SessionState::new(&config),
            passwordless: PasswordlessState::default(),
            config,
            clock,
            store,
        }
    }
}

pub(crate) type SharedState = Arc<CoreState>;
