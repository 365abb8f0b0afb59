//! Configuration: app info, the core connection and the recipe list.
//!
//! [`Config::builder`] is what `#[supertokens::app]` expands to and what people can call by hand.
//! Every setter takes the value as written (a string where SuperTokens' docs use one), and
//! [`ConfigBuilder::build`] validates all of them with the rules of `supertokens-rules`, the same
//! rules the macro applies to literals at compile time.

use std::time::Duration;

use crate::core::embedded_config::EmbeddedCoreConfig;
use crate::recipe::passwordless::PasswordlessConfig;
use crate::recipe::session::SessionConfig;

/// A configuration value that failed validation, with the field it belongs to and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {message}")]
pub struct ConfigError {
    /// The configuration field, as spelled in `#[supertokens::app(...)]` (e.g. `api_domain`,
    /// `session.cookie_same_site`).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Normalised information about the app: where the API and the website live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppInfo {
    /// The app's name, used in e-mails and SMS.
    pub app_name: String,
    /// Normalised API domain, `scheme://host[:port]`.
    pub api_domain: String,
    /// Normalised website domain (the origin), `scheme://host[:port]`.
    pub website_domain: String,
    /// The API base path including the gateway path, e.g. `/auth`; `""` for the root.
    pub api_base_path: String,
    /// The website base path, e.g. `/auth`; `""` for the root.
    pub website_base_path: String,
    /// The API gateway path, e.g. `/dev`; `""` when none.
    pub api_gateway_path: String,
}

/// One SuperTokens Core host: its domain and optional base path (the "multi app" `/appid-…` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreHost {
    /// `scheme://host[:port]`.
    pub domain: String,
    /// Base path such as `/appid-myapp`; `""` when none.
    pub base_path: String,
}

/// Where the SDK finds its SuperTokens Core.
#[derive(Debug, Clone)]
pub enum CoreConnection {
    /// The embedded core, in-process (the default when no `connection_uri` is set).
    Embedded(EmbeddedCoreConfig),
    /// One or more remote cores, used round robin with failover.
    Remote {
        /// The hosts from `connection_uri`, in order.
        hosts: Vec<CoreHost>,
        /// Sent as the `api-key` header.
        api_key: Option<String>,
    },
}

/// A complete, validated configuration. Build it with [`Config::builder`].
#[derive(Debug, Clone)]
pub struct Config {
    /// The app info.
    pub app_info: AppInfo,
    /// The core connection.
    pub core: CoreConnection,
    /// Timeout of one request to the core.
    pub core_timeout: Duration,
    /// The session recipe, if enabled.
    pub session: Option<SessionConfig>,
    /// The passwordless recipe, if enabled.
    pub passwordless: Option<PasswordlessConfig>,
    /// The clock (the system clock unless a test set one).
    pub clock: crate::Clock,
}

impl Config {
    /// Starts a configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }
}

/// Builder of [`Config`]; every setter takes the value as written and [`build`](Self::build)
/// validates all of them.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ConfigBuilder {
    pub(crate) app_name: Option<String>,
    pub(crate) api_domain: Option<String>,
    pub(crate) website_domain: Option<String>,
    pub(crate) api_base_path: Option<String>,
    pub(crate) website_base_path: Option<String>,
    pub(crate) api_gateway_path: Option<String>,
    pub(crate) connection_uri: Option<String>,
    pub(crate) api_key: Option<String>,
    pub(crate) core_timeout: Option<Duration>,
    pub(crate) embedded_core: Option<EmbeddedCoreConfig>,
    pub(crate) session: Option<SessionConfig>,
    pub(crate) passwordless: Option<PasswordlessConfig>,
    pub(crate) clock: Option<crate::Clock>,
}

macro_rules! string_setters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.$name = Some(value.into());
            self
        }
    )*};
}

impl ConfigBuilder {
    string_setters! {
        /// The app's name (required).
        app_name,
        /// Where the API is served, e.g. `https://api.example.com` (required).
        api_domain,
        /// Where the website is served, e.g. `https://example.com` (required).
        website_domain,
        /// Path under which the SuperTokens APIs are served (default `/auth`).
        api_base_path,
        /// Path of the login UI on the website (default `/auth`).
        website_base_path,
        /// Path prefix added by an API gateway (default none).
        api_gateway_path,
        /// The SuperTokens Core(s): `http(s)://host[:port][/base-path]`, several separated by `;`.
        /// Absent: the embedded core.
        connection_uri,
        /// The core's API key.
        api_key,
    }

    /// Timeout of one request to the core (default 10 s).
    pub fn core_timeout(mut self, timeout: Duration) -> Self {
        self.core_timeout = Some(timeout);
        self
    }

    /// Settings of the embedded core (used when no `connection_uri` is set).
    pub fn embedded_core(mut self, config: EmbeddedCoreConfig) -> Self {
        self.embedded_core = Some(config);
        self
    }

    /// Enables the session recipe.
    pub fn session(mut self, config: SessionConfig) -> Self {
        self.session = Some(config);
        self
    }

    /// Enables the passwordless recipe.
    pub fn passwordless(mut self, config: PasswordlessConfig) -> Self {
        self.passwordless = Some(config);
        self
    }

    /// The clock used for token expiry here and in the embedded core. Tests pass a clock they
    /// can move forward; the default is the system clock.
    pub fn clock(mut self, clock: crate::Clock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Validates every value and builds the configuration. All problems are reported, each with
    /// the field it belongs to.
    pub fn build(self) -> Result<Config, ConfigErrors> {
        build::build(self)
    }
}

mod build;

/// Every problem found in a configuration (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ConfigErrors(pub Vec<ConfigError>);
