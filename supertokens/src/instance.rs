//! The SDK instance: configuration, core client and recipes, set up once by [`init`].

use std::sync::{Arc, OnceLock};

use crate::Config;
use crate::config::CoreConnection;
use crate::core::CoreClient;
use crate::error::{ConfigError, ConfigErrors, Error};
use crate::recipe::passwordless::PasswordlessRecipe;
use crate::recipe::session::{self, SessionRecipe};

/// An initialised SDK: its configuration, its core client and its recipes. Cheap to clone.
///
/// [`init`] makes one and installs it process-wide; tests can make several with
/// [`SuperTokens::new`] and hand one to requests with [`SuperTokens::layer`].
///
/// It is also an axum extractor, on every route: the instance [`SuperTokens::layer`] (or a
/// [`SessionGuard`](crate::session::SessionGuard) made with [`SuperTokens::session_guard`])
/// attached to the request, else the one [`init`] installed. With neither, the request is
/// answered `500` with a [`MissingInstance`](crate::MissingInstance) that says what to do.
/// Handlers use it for what the session alone does not offer:
///
/// ```
/// use supertokens::SuperTokens;
/// use supertokens::session::{SessionContainer, SessionError};
///
/// /// Signs the user out of every other device.
/// async fn sign_out_elsewhere(
///     st: SuperTokens,
///     session: SessionContainer,
/// ) -> Result<String, SessionError> {
///     let handles = st.session().get_all_session_handles_for_user(session.user_id()).await?;
///     let mut revoked = 0;
///     for handle in handles.iter().filter(|h| h.as_str() != session.handle()) {
///         revoked += usize::from(st.session().revoke_session(handle).await?);
///     }
///     Ok(format!("signed out of {revoked} other sessions"))
/// }
/// # let _: axum::Router = axum::Router::new().route("/", axum::routing::post(sign_out_elsewhere));
/// ```
#[derive(Clone)]
pub struct SuperTokens {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) core: CoreClient,
    #[cfg(feature = "embedded-core")]
    pub(crate) embedded: Option<crate::embedded::EmbeddedCore>,
    pub(crate) session: SessionRecipe,
    pub(crate) session_frontend: session::api::Frontend,
    pub(crate) passwordless: Option<PasswordlessRecipe>,
    pub(crate) multitenancy: crate::multitenancy::MultitenancyRecipe,
    pub(crate) user_roles: crate::user_roles::UserRolesRecipe,
    pub(crate) user_metadata: crate::user_metadata::UserMetadataRecipe,
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
        let app_info = config.app_info();
        #[cfg(feature = "embedded-core")]
        let mut embedded = None;
        let core = match config.core() {
            CoreConnection::Remote { hosts, api_key } => {
                CoreClient::http(hosts.clone(), api_key.clone(), config.core_timeout())?
                    .with_clock(config.clock().clone())
            }
            #[cfg(feature = "embedded-core")]
            CoreConnection::Embedded(settings) => {
                let core = crate::embedded::EmbeddedCore::open_with_clock(
                    settings.clone(),
                    config.clock().clone(),
                )
                .map_err(Error::embedded_core)?;
                // The embedded core checks its key on every call, in-process ones included.
                let client = CoreClient::in_process(
                    core.service(),
                    settings.api_key.clone(),
                    config.core_timeout(),
                )
                .for_app(&settings.app_id.trim().to_lowercase());
                embedded = Some(core);
                client
            }
        };
        let core = core.with_app_info(app_info.api_domain.clone(), app_info.website_domain.clone());
        // A built configuration always has the session recipe.
        let session_config = config.session().ok_or_else(|| {
            Error::Config(ConfigErrors(vec![ConfigError::new(
                "session",
                "the session recipe is not enabled; add `session()` to the configuration",
            )]))
        })?;
        let (session, session_frontend) = session::init::init(
            session_config,
            app_info,
            core.clone(),
            config.clock().clone(),
            crate::recipe::user_roles::claims_of(config.user_roles()),
        )?;
        let multitenancy =
            crate::multitenancy::MultitenancyRecipe::new(core.clone(), config.clock().clone());
        let passwordless = match config.passwordless() {
            Some(cfg) => Some(PasswordlessRecipe::new(cfg, app_info, core.clone())?),
            None => None,
        };
        let user_roles = crate::user_roles::UserRolesRecipe::new(core.clone());
        let user_metadata = crate::user_metadata::UserMetadataRecipe::new(core.clone());
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                core,
                #[cfg(feature = "embedded-core")]
                embedded,
                session,
                session_frontend,
                passwordless,
                user_roles,
                user_metadata,
                multitenancy,
            }),
        })
    }

    /// Whether the UserRoles recipe is enabled.
    pub(crate) fn user_roles_enabled(&self) -> bool {
        self.inner.config.user_roles().is_some()
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
        self.inner.config.clock()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The core client.
    pub fn core(&self) -> &CoreClient {
        &self.inner.core
    }

    /// The session recipe: session operations for your own code (create, verify, refresh,
    /// revoke, list).
    pub fn session(&self) -> &SessionRecipe {
        &self.inner.session
    }

    /// The tenants of the app: create, update, list and remove them, and add users to them.
    pub fn multitenancy(&self) -> &crate::multitenancy::MultitenancyRecipe {
        &self.inner.multitenancy
    }

    /// The UserRoles functions: roles and their permissions, and the roles of each user.
    pub fn user_roles(&self) -> &crate::user_roles::UserRolesRecipe {
        &self.inner.user_roles
    }

    /// The UserMetadata functions: a JSON object per user, read, merged into and cleared.
    pub fn user_metadata(&self) -> &crate::user_metadata::UserMetadataRecipe {
        &self.inner.user_metadata
    }

    /// The passwordless recipe, when enabled: its recipe functions for custom flows.
    pub fn passwordless(&self) -> Option<&PasswordlessRecipe> {
        self.inner.passwordless.as_ref()
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

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::time::Duration;

    use super::*;
    use crate::core::CoreError;
    use crate::recipe::passwordless::{Contact, PasswordlessConfig, PasswordlessError};
    use crate::recipe::session::{SessionConfig, SessionErrorKind};

    /// The `CoreError::Timeout` at the bottom of `error`'s source chain.
    fn timeout_in(error: &(dyn std::error::Error + 'static)) -> bool {
        let mut next = Some(error);
        while let Some(e) = next {
            if let Some(CoreError::Timeout(_)) = e.downcast_ref::<CoreError>() {
                return true;
            }
            next = e.source();
        }
        false
    }

    #[tokio::test]
    async fn errors_caused_by_a_core_time_out_keep_it_as_their_source() {
        // A core that accepts connections (into the backlog) and never answers.
        let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = Config::builder()
            .app_name("Test")
            .api_domain("http://localhost:3001")
            .website_domain("http://localhost:3000")
            .connection_uri(format!("http://{}", silent.local_addr().unwrap()))
            .core_timeout(Duration::from_millis(200))
            .session(SessionConfig::new())
            .passwordless(
                PasswordlessConfig::new()
                    .flow_type(crate::passwordless::FlowType::UserInputCode)
                    .contact_method(crate::passwordless::ContactMethod::Email),
            )
            .build()
            .unwrap();
        let st = SuperTokens::new(config).unwrap();

        let error = st.session().revoke_session("a-handle").await.unwrap_err();
        assert_eq!(error.kind(), &SessionErrorKind::Core);
        assert!(
            matches!(
                error.source().and_then(|s| s.downcast_ref::<CoreError>()),
                Some(CoreError::Timeout(_))
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("timed out"), "{error}");

        let passwordless = st.passwordless().unwrap();
        let error = passwordless
            .create_code("public", Contact::Email("a@example.com".into()))
            .await
            .unwrap_err();
        assert!(matches!(error, PasswordlessError::Core(_)), "{error:?}");
        assert!(timeout_in(&error), "{error:?}");
        assert!(error.source().is_some());

        let error = Error::from(st.core().cdi_version().await.unwrap_err());
        assert!(timeout_in(&error), "{error:?}");
        assert!(error.source().is_some());
    }
}
