//! Settings of the SMTP e-mail service (always compiled, so a configuration can name them even
//! when the `smtp` feature is off; start-up then fails with a clear error).

use crate::Secret;
use crate::error::ConfigError;
use crate::setters::setters;
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
/// must upgrade with STARTTLS (port 587 or 25): nothing is sent, not even the login, to a server
/// that does not offer it, so an attacker on the path cannot strip the encryption.
/// [`insecure_plaintext(true)`](Self::insecure_plaintext) sends without TLS, for a local test
/// server only. Without a password, no login is attempted; a password without a user name logs
/// in as `from_email`.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct SmtpSettings {
    pub(crate) host: Option<String>,
    pub(crate) port: Option<u16>,
    pub(crate) from_name: Option<String>,
    pub(crate) from_email: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) password: Option<Secret>,
    pub(crate) secure: bool,
    pub(crate) insecure_plaintext: bool,
}

impl SmtpSettings {
    /// Empty settings; set at least `host` and `from_email`.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// The mail server's host name.
        host: impl Into<String>,
        /// The mail server's port (default 465 with `secure(true)`, else 587).
        port: u16,
        /// The sender's display name (default: the app name).
        from_name: impl Into<String>,
        /// The sender's address.
        from_email: impl Into<String>,
        /// The login name (default: `from_email`, when a password is set).
        username: impl Into<String>,
        /// The password; without one, no login is attempted.
        password: impl Into<Secret>,
    }

    setters! {
        plain:
        /// TLS from the first byte (implicit TLS, port 465) instead of a required STARTTLS.
        secure: bool,
        /// Sends without TLS, credentials and codes readable by anyone on the path: **only for a
        /// test server on the same machine** (such as aiosmtpd or MailHog), which offers no STARTTLS.
        /// Off by default; a warning is logged when the delivery service is built with it.
        insecure_plaintext: bool,
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
        if let Err(e) = rules::smtp_credentials(
            self.username.as_deref(),
            self.password.as_ref().map(Secret::expose),
        ) {
            errors.push(ConfigError::new(field("password"), e.0));
        }
        if self.secure && self.insecure_plaintext {
            errors.push(ConfigError::new(
                field("insecure_plaintext"),
                "`insecure_plaintext(true)` turns TLS off and `secure(true)` asks for TLS from the \
                 first byte: remove one of them",
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_and_implicit_tls_contradict_each_other() {
        let smtp = SmtpSettings::new()
            .host("127.0.0.1")
            .from_email("no-reply@example.com");
        assert!(
            smtp.clone()
                .insecure_plaintext(true)
                .validate("smtp")
                .is_empty()
        );
        let errors = smtp.secure(true).insecure_plaintext(true).validate("smtp");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "smtp.insecure_plaintext");
        assert!(errors[0].message.contains("remove one of them"));
    }
}
