//! Settings of the SMTP e-mail service (always compiled, so a configuration can name them even
//! when the `smtp` feature is off; start-up then fails with a clear error).

use crate::error::ConfigError;
use supertokens_rules::passwordless as rules;
use supertokens_rules::required::Required;

/// Where and how to send e-mail over SMTP.
///
/// ```
/// use supertokens::delivery::SmtpSettings;
///
/// let smtp = SmtpSettings::new()
///     .host("smtp.example.com")
///     .port(587)
///     .from_name("Demo")
///     .from_email("no-reply@example.com")
///     .username("no-reply@example.com")
///     .password("app-password");
/// ```
///
/// `secure(true)` speaks TLS from the first byte (usually port 465); otherwise the connection
/// upgrades with STARTTLS when the server offers it (port 587 or 25). Without a password, no
/// login is attempted; a password without a user name logs in as `from_email`.
#[derive(Clone, Default)]
#[must_use]
pub struct SmtpSettings {
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) from_name: Option<String>,
    pub(crate) from_email: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<String>,
    pub(crate) secure: bool,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from_name", &self.from_name)
            .field("from_email", &self.from_email)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("secure", &self.secure)
            .finish()
    }
}

impl SmtpSettings {
    /// Empty settings; set at least `host` and `from_email`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The mail server's host name.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The mail server's port (default 465 with `secure(true)`, else 587).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The sender's display name (default: the app name).
    pub fn from_name(mut self, name: impl Into<String>) -> Self {
        self.from_name = Some(name.into());
        self
    }

    /// The sender's address.
    pub fn from_email(mut self, email: impl Into<String>) -> Self {
        self.from_email = Some(email.into());
        self
    }

    /// The login name (default: `from_email`, when a password is set).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// The password; without one, no login is attempted.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// TLS from the first byte (implicit TLS, port 465) instead of STARTTLS.
    pub fn secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Every problem of these settings, with field names under `prefix` (e.g. `passwordless.smtp`).
    pub(crate) fn validate(&self, prefix: &str) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let field = |name: &str| format!("{prefix}.{name}");
        match &self.host {
            None => errors.push(ConfigError::new(
                field("host"),
                Required::SmtpHost.missing().0,
            )),
            Some(h) => {
                if let Err(e) = rules::smtp_host(h) {
                    errors.push(ConfigError::new(field("host"), e.0));
                }
            }
        }
        if let Some(port) = self.port
            && let Err(e) = rules::smtp_port(&port.to_string())
        {
            errors.push(ConfigError::new(field("port"), e.0));
        }
        match &self.from_email {
            None => errors.push(ConfigError::new(
                field("from_email"),
                Required::SmtpFromEmail.missing().0,
            )),
            Some(e) => {
                if let Err(e) = rules::smtp_from_email(e) {
                    errors.push(ConfigError::new(field("from_email"), e.0));
                }
            }
        }
        if let Some(name) = &self.from_name
            && let Err(e) = rules::smtp_from_name(name)
        {
            errors.push(ConfigError::new(field("from_name"), e.0));
        }
        if let Err(e) = rules::smtp_credentials(self.username.as_deref(), self.password.as_deref())
        {
            errors.push(ConfigError::new(field("password"), e.0));
        }
        if !cfg!(feature = "smtp") {
            errors.push(super::feature_off(prefix, "SMTP", "smtp"));
        }
        errors
    }

    /// The port to use.
    pub(crate) fn effective_port(&self) -> u16 {
        self.port.unwrap_or(if self.secure { 465 } else { 587 })
    }
}
