//! Settings of the Twilio SMS service (always compiled, so a configuration can name them even
//! when the `twilio` feature is off; start-up then fails with a clear error).

use crate::error::ConfigError;
use supertokens_rules::passwordless as rules;
use supertokens_rules::required::Required;

/// Twilio's REST API, `https://api.twilio.com`.
pub const TWILIO_API_BASE_URL: &str = "https://api.twilio.com";

/// The Twilio account and sender used to send SMS.
///
/// Set exactly one sender: `from` (a Twilio number or an alphanumeric sender id) or
/// `messaging_service_sid`.
///
/// ```
/// use supertokens::delivery::TwilioSettings;
///
/// let twilio = TwilioSettings::new()
///     .account_sid("AC0123456789abcdef0123456789abcdef")
///     .auth_token("your-auth-token")
///     .from("+15005550006");
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct TwilioSettings {
    pub(crate) account_sid: Option<String>,
    pub(crate) auth_token: Option<String>,
    pub(crate) from: Option<String>,
    pub(crate) messaging_service_sid: Option<String>,
    pub(crate) api_base_url: Option<String>,
}

impl std::fmt::Debug for TwilioSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioSettings")
            .field("account_sid", &self.account_sid)
            .field("auth_token", &self.auth_token.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .field("messaging_service_sid", &self.messaging_service_sid)
            .field("api_base_url", &self.api_base_url)
            .finish()
    }
}

impl TwilioSettings {
    /// Empty settings; set `account_sid`, `auth_token` and one sender.
    pub fn new() -> Self {
        Self::default()
    }

    /// The account SID (`AC…`).
    pub fn account_sid(mut self, sid: impl Into<String>) -> Self {
        self.account_sid = Some(sid.into());
        self
    }

    /// The auth token.
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = Some(token.into());
        self
    }

    /// The sending number (E.164) or alphanumeric sender id.
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// The messaging service (`MG…`) that picks the sender.
    pub fn messaging_service_sid(mut self, sid: impl Into<String>) -> Self {
        self.messaging_service_sid = Some(sid.into());
        self
    }

    /// Where Twilio's REST API lives (default [`TWILIO_API_BASE_URL`]); for tests and proxies.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = Some(url.into());
        self
    }

    /// Every problem of these settings, with field names under `prefix` (e.g. `passwordless.twilio`).
    pub(crate) fn validate(&self, prefix: &str) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let field = |name: &str| format!("{prefix}.{name}");
        let mut check = |name: &str,
                         value: &Option<String>,
                         rule: fn(&str) -> Result<String, supertokens_rules::Invalid>,
                         required: Option<Required>| {
            match value {
                None => {
                    if let Some(required) = required {
                        errors.push(ConfigError::new(field(name), required.missing().0));
                    }
                }
                Some(v) => {
                    if let Err(e) = rule(v) {
                        errors.push(ConfigError::new(field(name), e.0));
                    }
                }
            }
        };
        check(
            "account_sid",
            &self.account_sid,
            rules::twilio_account_sid,
            Some(Required::TwilioAccountSid),
        );
        check(
            "auth_token",
            &self.auth_token,
            rules::twilio_auth_token,
            Some(Required::TwilioAuthToken),
        );
        check("from", &self.from, rules::twilio_from, None);
        check(
            "messaging_service_sid",
            &self.messaging_service_sid,
            rules::twilio_messaging_service_sid,
            None,
        );
        if let Err(e) =
            rules::twilio_sender(self.from.as_deref(), self.messaging_service_sid.as_deref())
        {
            errors.push(ConfigError::new(field("from"), e.0));
        }
        if let Some(url) = &self.api_base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            errors.push(ConfigError::new(
                field("api_base_url"),
                format!("`\"{url}\"` is not an http(s) URL; use e.g. `\"https://api.twilio.com\"`"),
            ));
        }
        if !cfg!(feature = "twilio") {
            errors.push(super::feature_off(prefix, "Twilio", "twilio"));
        }
        errors
    }
}
