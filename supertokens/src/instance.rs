//! The SDK instance: configuration, core client and recipes, set up once by [`init`].

use std::sync::Arc;

use crate::Config;
use crate::core::CoreClient;
use crate::error::Error;
use crate::recipe::passwordless::PasswordlessRecipe;
use crate::recipe::session::SessionRecipe;

/// An initialised SDK: its configuration, its core client and its recipes. Cheap to clone.
///
/// [`init`] makes one and installs it process-wide; tests can make several with
/// [`SuperTokens::new`] and hand one to requests with [`SuperTokens::layer`].
#[derive(Clone)]
pub struct SuperTokens {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) core: CoreClient,
    #[cfg(feature = "embedded-core")]
    pub(crate) embedded: Option<crate::core::embedded::EmbeddedCore>,
    pub(crate) session: Option<SessionRecipe>,
    pub(crate) passwordless: Option<PasswordlessRecipe>,
}

impl std::fmt::Debug for SuperTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuperTokens").finish_non_exhaustive()
    }
}

impl SuperTokens {
    /// Sets up an instance without installing it process-wide (for tests, or several apps in
    /// one process). Opens the embedded core when no `connection_uri` is configured.
    pub fn new(_config: Config) -> Result<Self, Error> {
        unimplemented!("issue 2")
    }

    /// The process-wide instance set up by [`init`].
    pub fn global() -> Result<Self, Error> {
        unimplemented!("issue 2")
    }

    /// A layer that makes requests under it use this instance instead of the global one.
    pub fn layer(&self) -> axum::Extension<SuperTokens> {
        axum::Extension(self.clone())
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The core client.
    pub fn core(&self) -> &CoreClient {
        &self.inner.core
    }
}

/// Sets up the SDK process-wide. A second call is an error.
pub fn init(_config: Config) -> Result<SuperTokens, Error> {
    unimplemented!("issue 2")
}
