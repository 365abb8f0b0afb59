//! Configuration: app info, the core connection and the recipe list.
//!
//! [`Config::builder`] is what `#[supertokens::app]` expands to and what people can call by hand.
//! Every setter takes the value as written (a string where SuperTokens' docs use one; an enum
//! such as [`FlowType`](crate::passwordless::FlowType) where they list fixed spellings), and
//! [`ConfigBuilder::build`] validates all of them with the rules of `supertokens-rules`, the same
//! rules the macro applies to literals at compile time.
//!
//! ```
//! use supertokens::Config;
//! use supertokens::session::SessionConfig;
//!
//! let config = Config::builder()
//!     .app_name("Demo")
//!     .api_domain("localhost:3001")           // normalised to http://localhost:3001
//!     .website_domain("http://localhost:3000")
//!     .session(SessionConfig::default())
//!     .build()
//!     .expect("valid configuration");
//! assert_eq!(config.app_info().api_domain, "http://localhost:3001");
//! assert_eq!(config.app_info().api_base_path, "/auth");
//! ```
//!
//! Every problem is reported at once, each under its field name:
//!
//! ```
//! use supertokens::Config;
//! use supertokens::session::SessionConfig;
//!
//! let errors = Config::builder()
//!     .app_name("Demo")
//!     .api_domain("localhost:3001/auth")
//!     .session(SessionConfig::default())
//!     .build()
//!     .unwrap_err();
//! assert_eq!(errors.fields(), ["api_domain", "website_domain"]);
//! assert!(errors.to_string().contains(
//!     "set `api_domain = \"http://localhost:3001\"` and `api_base_path = \"/auth\"`"
//! ));
//! ```
//!
//! Without `connection_uri` the SDK runs the embedded core (a SQLite file, for one machine);
//! with it, it speaks to SuperTokens Core hosts over HTTP, round robin with failover.

use std::time::Duration;

use crate::Secret;
pub use crate::app_info::AppInfo;
pub use crate::core::CoreHost;
#[cfg(feature = "embedded-core")]
use crate::embedded::EmbeddedCoreConfig;
pub use crate::error::{ConfigError, ConfigErrors};
use crate::recipe::passwordless::PasswordlessConfig;
use crate::recipe::session::SessionConfig;
use crate::recipe::user_roles::UserRolesConfig;
use crate::setters::setters;

/// The default timeout of one request to the SuperTokens Core.
pub const DEFAULT_CORE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the SDK finds its SuperTokens Core.
#[derive(Clone, Debug)]
// `Embedded` exists only with the `embedded-core` feature.
#[non_exhaustive]
pub enum CoreConnection {
    /// The embedded core, in-process (the default when no `connection_uri` is set).
    #[cfg(feature = "embedded-core")]
    Embedded(EmbeddedCoreConfig),
    /// One or more remote cores, used round robin with failover.
    Remote {
        /// The hosts from `connection_uri`, in order.
        hosts: Vec<CoreHost>,
        /// Sent as the `api-key` header.
        api_key: Option<Secret>,
    },
}

/// A complete, validated configuration. Build it with [`Config::builder`]; read it with the
/// getters.
#[derive(Debug, Clone)]
pub struct Config {
    app_info: AppInfo,
    core: CoreConnection,
    core_timeout: Duration,
    session: Option<SessionConfig>,
    passwordless: Option<PasswordlessConfig>,
    user_roles: Option<UserRolesConfig>,
    user_metadata: bool,
    clock: crate::Clock,
}

impl Config {
    /// Starts a configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The app info, normalised.
    pub fn app_info(&self) -> &AppInfo {
        &self.app_info
    }

    /// The core connection.
    pub fn core(&self) -> &CoreConnection {
        &self.core
    }

    /// Timeout of one request to the core.
    pub fn core_timeout(&self) -> Duration {
        self.core_timeout
    }

    /// The session recipe's configuration (always set in a built configuration).
    pub fn session(&self) -> Option<&SessionConfig> {
        self.session.as_ref()
    }

    /// The passwordless recipe's configuration, if enabled.
    pub fn passwordless(&self) -> Option<&PasswordlessConfig> {
        self.passwordless.as_ref()
    }

    /// The UserRoles recipe's configuration, if enabled.
    pub fn user_roles(&self) -> Option<&UserRolesConfig> {
        self.user_roles.as_ref()
    }

    /// Whether the UserMetadata recipe is enabled.
    pub fn user_metadata(&self) -> bool {
        self.user_metadata
    }

    /// The clock (the system clock unless a test set one).
    pub fn clock(&self) -> &crate::Clock {
        &self.clock
    }
}

/// Builder of [`Config`]; every setter takes the value as written and [`build`](Self::build)
/// validates all of them.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ConfigBuilder {
    pub(crate) app_name: Option<String>,
    pub(crate) api_domain: Option<String>,
    pub(crate) website_domain: Option<String>,
    pub(crate) api_base_path: Option<String>,
    pub(crate) website_base_path: Option<String>,
    pub(crate) api_gateway_path: Option<String>,
    pub(crate) connection_uri: Option<String>,
    pub(crate) api_key: Option<Secret>,
    pub(crate) core_timeout: Option<Duration>,
    #[cfg(feature = "embedded-core")]
    pub(crate) embedded_core: Option<EmbeddedCoreConfig>,
    pub(crate) session: Option<SessionConfig>,
    pub(crate) passwordless: Option<PasswordlessConfig>,
    pub(crate) user_roles: Option<UserRolesConfig>,
    pub(crate) user_metadata: bool,
    pub(crate) clock: Option<crate::Clock>,
}

impl ConfigBuilder {
    setters! {
        /// The app's name (required), shown in e-mails and SMS.
        ///
        /// ```
        /// let builder = supertokens::Config::builder().app_name("Demo");
        /// ```
        app_name: impl Into<String>,
        /// Where the API is served (required): `http(s)://host[:port]`, no path.
        /// `localhost:3001` is read as `http://localhost:3001`, `api.example.com` as
        /// `https://api.example.com`. A path is an error that says to move it to
        /// [`api_base_path`](Self::api_base_path).
        ///
        /// ```
        /// let builder = supertokens::Config::builder().api_domain("https://api.example.com");
        /// ```
        api_domain: impl Into<String>,
        /// Where the website (the login UI) is served (required): `http(s)://host[:port]`.
        /// Magic links point here, and the CORS layer allows this origin.
        ///
        /// ```
        /// let builder = supertokens::Config::builder().website_domain("https://example.com");
        /// ```
        website_domain: impl Into<String>,
        /// Path under which the SuperTokens APIs are served (default `/auth`; `/` for the root).
        ///
        /// ```
        /// let builder = supertokens::Config::builder().api_base_path("/api/auth");
        /// ```
        api_base_path: impl Into<String>,
        /// Path of the login UI on the website (default `/auth`); magic links go to
        /// `{website_domain}{website_base_path}/verify`.
        ///
        /// ```
        /// let builder = supertokens::Config::builder().website_base_path("/login");
        /// ```
        website_base_path: impl Into<String>,
        /// Path prefix an API gateway adds in front of the API (default none), e.g. `/dev`. It
        /// is prefixed to the API base path: routes and the refresh-cookie path become
        /// `/dev/auth/…`.
        ///
        /// ```
        /// let builder = supertokens::Config::builder().api_gateway_path("/dev");
        /// ```
        api_gateway_path: impl Into<String>,
        /// The SuperTokens Core(s): `http(s)://host[:port][/base-path]`, several separated by
        /// `;` (used round robin, with failover when a host refuses connections, and a back-off
        /// of 1 s doubling to 30 s before such a host is tried again). A base path
        /// such as `/appid-myapp` selects an app of a multi-app core. Absent: the embedded core.
        ///
        /// ```
        /// let builder = supertokens::Config::builder()
        ///     .connection_uri("http://core-1:3567;http://core-2:3567")
        ///     .api_key("the-key-configured-in-the-core");
        /// ```
        connection_uri: impl Into<String>,
        /// The core's API key (its `api_keys` setting), sent as the `api-key` header. Only
        /// with [`connection_uri`](Self::connection_uri).
        ///
        /// ```
        /// # let key = "k";
        /// let builder = supertokens::Config::builder().api_key(key);
        /// ```
        api_key: impl Into<Secret>,
    }

    /// Timeout of one request to the core (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = supertokens::Config::builder().core_timeout(Duration::from_secs(3));
    /// ```
    pub fn core_timeout(mut self, timeout: Duration) -> Self {
        self.core_timeout = Some(timeout);
        self
    }

    /// Settings of the embedded core (used when no `connection_uri` is set). Needs the
    /// `embedded-core` feature (on by default).
    ///
    /// ```
    /// use supertokens::embedded::{Database, EmbeddedCoreConfig};
    /// let builder = supertokens::Config::builder().embedded_core(EmbeddedCoreConfig {
    ///     database: Database::Memory,
    ///     ..EmbeddedCoreConfig::default()
    /// });
    /// ```
    #[cfg(feature = "embedded-core")]
    pub fn embedded_core(mut self, config: EmbeddedCoreConfig) -> Self {
        self.embedded_core = Some(config);
        self
    }

    /// Enables the session recipe (required: every sign-in ends in a session).
    ///
    /// Called again, it refines: what `config` sets replaces what was set before, the rest
    /// stays, and overrides add up (see [`passwordless`](Self::passwordless)).
    ///
    /// ```
    /// use supertokens::session::SessionConfig;
    /// let builder = supertokens::Config::builder().session(SessionConfig::default());
    /// ```
    pub fn session(mut self, config: SessionConfig) -> Self {
        self.session = Some(match self.session.take() {
            Some(earlier) => earlier.refine(config),
            None => config,
        });
        self
    }

    /// Enables the passwordless recipe (needs [`session`](Self::session) too).
    ///
    /// ```
    /// use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig};
    /// let builder = supertokens::Config::builder().passwordless(
    ///     PasswordlessConfig::default()
    ///         .flow_type(FlowType::UserInputCode)
    ///         .contact_method(ContactMethod::Phone),
    /// );
    /// ```
    ///
    /// Called again, it refines, never resets: what `config` sets replaces what was set before
    /// (a delivery service replaces the earlier one of its channel), the rest stays, function
    /// overrides wrap the earlier ones and disabled APIs add up. This is how a `configure`
    /// function adds what only code can say to what `#[supertokens::app]` checked at compile
    /// time:
    ///
    /// ```
    /// use supertokens::ConfigBuilder;
    /// use supertokens::passwordless::{DeliveryError, LoginMessage, PasswordlessConfig};
    ///
    /// async fn send_email(message: LoginMessage) -> Result<(), DeliveryError> {
    ///     // hand the message to your mail service
    ///     # let _ = message;
    ///     Ok(())
    /// }
    ///
    /// // `#[supertokens::app(passwordless(flow_type = …, contact_method = …), configure = configure)]`
    /// fn configure(builder: ConfigBuilder) -> ConfigBuilder {
    ///     // The flow type and contact method set by the attribute stay.
    ///     builder.passwordless(PasswordlessConfig::new().email_delivery(send_email))
    /// }
    /// # let _ = configure;
    /// ```
    pub fn passwordless(mut self, config: PasswordlessConfig) -> Self {
        self.passwordless = Some(match self.passwordless.take() {
            Some(earlier) => earlier.refine(config),
            None => config,
        });
        self
    }

    /// Enables the UserRoles recipe: roles and permissions in the core
    /// ([`SuperTokens::user_roles`](crate::SuperTokens::user_roles)), carried in every new
    /// session's access token unless `config` says otherwise, and checked by
    /// `#[protected(roles = [...])]`. A later call replaces an earlier one.
    ///
    /// ```
    /// use supertokens::user_roles::UserRolesConfig;
    ///
    /// let builder = supertokens::Config::builder().user_roles(UserRolesConfig::new());
    /// # let _ = builder;
    /// ```
    pub fn user_roles(mut self, config: UserRolesConfig) -> Self {
        self.user_roles = Some(config);
        self
    }

    /// Enables the UserMetadata recipe: a JSON object per user in the core
    /// ([`SuperTokens::user_metadata`](crate::SuperTokens::user_metadata)).
    pub fn user_metadata(mut self) -> Self {
        self.user_metadata = true;
        self
    }

    /// The clock used for token expiry here and in the embedded core. Tests pass a clock they
    /// can move forward; the default is the system clock.
    ///
    /// ```
    /// let clock = supertokens::Clock::system();
    /// let builder = supertokens::Config::builder().clock(clock.clone());
    /// // later, in a test: clock.advance(std::time::Duration::from_secs(3600));
    /// ```
    pub fn clock(mut self, clock: crate::Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Validates every value and builds the configuration. All problems are reported, each with
    /// the field it belongs to (as spelled in `#[supertokens::app(...)]`) and how to fix it.
    ///
    /// Required: `app_name`, `api_domain`, `website_domain` and the session recipe.
    pub fn build(self) -> Result<Config, ConfigErrors> {
        build::build(self)
    }
}

mod build;

#[cfg(not(feature = "embedded-core"))]
pub(crate) use build::NO_EMBEDDED_CORE;

#[cfg(test)]
mod tests;
