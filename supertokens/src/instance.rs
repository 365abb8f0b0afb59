//! The SDK instance: configuration, core client and recipes, set up once by [`init`].

use std::sync::{Arc, OnceLock};

use crate::Config;
use crate::config::CoreConnection;
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
    pub(crate) embedded: Option<crate::embedded::EmbeddedCore>,
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
    ///
    /// Nothing is sent to the core here: the CDI version is negotiated by the first call.
    ///
    /// ```
    /// use supertokens::embedded::{Database, EmbeddedCoreConfig};
    /// use supertokens::{Config, SuperTokens, session::SessionConfig};
    ///
    /// let config = Config::builder()
    ///     .app_name("Demo")
    ///     .api_domain("http://localhost:3001")
    ///     .website_domain("http://localhost:3000")
    ///     .embedded_core(EmbeddedCoreConfig { database: Database::Memory, ..Default::default() })
    ///     .session(SessionConfig::default())
    ///     .build()?;
    /// let st = SuperTokens::new(config)?;
    /// assert!(st.embedded_core().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(config: Config) -> Result<Self, Error> {
        let app_info = &config.app_info;
        #[cfg(feature = "embedded-core")]
        let mut embedded = None;
        let core = match &config.core {
            CoreConnection::Remote { hosts, api_key } => {
                CoreClient::http(hosts.clone(), api_key.clone(), config.core_timeout)?
            }
            #[cfg(feature = "embedded-core")]
            CoreConnection::Embedded(settings) => {
                let core = crate::embedded::EmbeddedCore::open_with_clock(
                    settings.clone(),
                    config.clock.clone(),
                )
                .map_err(|e| Error::EmbeddedCore(e.to_string()))?;
                // The embedded core checks its key on every call, in-process ones included.
                let client = CoreClient::in_process(
                    core.service(),
                    settings.api_key.clone(),
                    config.core_timeout,
                );
                embedded = Some(core);
                client
            }
        };
        let core = core.with_app_info(app_info.api_domain.clone(), app_info.website_domain.clone());
        let session = match &config.session {
            Some(cfg) => Some(SessionRecipe::new(
                cfg,
                app_info,
                core.clone(),
                config.clock.clone(),
            )?),
            None => None,
        };
        let passwordless = match &config.passwordless {
            Some(cfg) => Some(PasswordlessRecipe::new(cfg, app_info, core.clone())?),
            None => None,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                core,
                #[cfg(feature = "embedded-core")]
                embedded,
                session,
                passwordless,
            }),
        })
    }

    /// The process-wide instance set up by [`init`], or [`Error::NotInitialised`].
    pub fn global() -> Result<Self, Error> {
        GLOBAL.get().cloned().ok_or(Error::NotInitialised)
    }

    /// The embedded core this instance runs, when no `connection_uri` is configured. Tests use
    /// it to reach the core's clock.
    #[cfg(feature = "embedded-core")]
    pub fn embedded_core(&self) -> Option<&crate::embedded::EmbeddedCore> {
        self.inner.embedded.as_ref()
    }

    /// The clock shared by the SDK and the embedded core. Tests move it forward with
    /// [`Clock::advance`](crate::Clock::advance) to see tokens and codes expire.
    pub fn clock(&self) -> &crate::Clock {
        &self.inner.config.clock
    }

    /// A layer that makes requests under it use this instance instead of the global one, and
    /// writes the response headers session operations queue during a request (a replacement
    /// access token found while verifying, a merged payload). [`SuperTokens::router`] applies it
    /// to the SDK's routes; apply it to your own routes too
    /// (`Router::new().route(..).layer(st.layer())`) so a plain
    /// [`SessionContainer`](crate::session::SessionContainer) extractor can pass a replacement
    /// token on to the client.
    pub fn layer(&self) -> crate::framework::SuperTokensLayer {
        crate::framework::SuperTokensLayer::new(self.clone())
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

static GLOBAL: OnceLock<SuperTokens> = OnceLock::new();

/// Sets up the SDK process-wide (what `#[supertokens::app]` calls at start-up). A second call is
/// [`Error::AlreadyInitialised`], and leaves the first instance in place.
///
/// ```no_run
/// use supertokens::{Config, session::SessionConfig};
///
/// let config = Config::builder()
///     .app_name("Demo")
///     .api_domain("http://localhost:3001")
///     .website_domain("http://localhost:3000")
///     .session(SessionConfig::default())
///     .build()?;
/// supertokens::init(config)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn init(config: Config) -> Result<SuperTokens, Error> {
    // Checked first so a second call does not open the embedded core's database again.
    if GLOBAL.get().is_some() {
        return Err(Error::AlreadyInitialised);
    }
    let instance = SuperTokens::new(config)?;
    GLOBAL
        .set(instance.clone())
        .map_err(|_| Error::AlreadyInitialised)?;
    Ok(instance)
}
