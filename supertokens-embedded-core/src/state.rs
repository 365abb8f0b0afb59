//! The state every handler of the embedded core shares.

use std::collections::BTreeSet;
use std::sync::{Arc, RwLock, Weak};

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
    /// The app's tenants other than `public` (the `tenants` table's ids), for the gate. Shared
    /// with the state that replaces this one when the app's config changes.
    pub(crate) tenants: TenantIds,
}

/// The ids of an app's created tenants, kept in step with the `tenants` table.
#[derive(Clone, Default)]
pub(crate) struct TenantIds(Arc<RwLock<BTreeSet<String>>>);

impl TenantIds {
    pub(crate) fn new(ids: impl IntoIterator<Item = String>) -> Self {
        Self(Arc::new(RwLock::new(ids.into_iter().collect())))
    }

    /// Whether requests may name this tenant: `public`, or one created in the app.
    pub(crate) fn contains(&self, tenant_id: &str) -> bool {
        tenant_id == crate::apps::PUBLIC
            || self
                .0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .contains(tenant_id)
    }

    pub(crate) fn insert(&self, tenant_id: &str) {
        self.write().insert(tenant_id.to_owned());
    }

    pub(crate) fn remove(&self, tenant_id: &str) {
        self.write().remove(tenant_id);
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeSet<String>> {
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl CoreState {
    /// The state of an app on `store`, with nothing cached yet.
    pub(crate) fn new(
        config: EmbeddedCoreConfig,
        core_config: serde_json::Map<String, serde_json::Value>,
        clock: Clock,
        store: Arc<Store>,
        apps: Weak<Apps>,
        tenants: TenantIds,
    ) -> Self {
        Self {
            apps,
            tenants,
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
