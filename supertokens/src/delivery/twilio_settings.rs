//! Settings of the Twilio SMS service (always compiled, so a configuration can name them even
//! when the `twilio` feature is off; start-up then fails with a clear error).

use crate::Secret;
use crate::error::ConfigError;
use crate::setters::setters;
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
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct TwilioSettings {
    pub(crate) account_sid: Option<String>,
    pub(crate) auth_token: Option<Secret>,
    pub(crate) from: Option<String>,
    pub(crate) messaging_service_sid: Option<String>,
    pub(crate) api_base_url: Option<String>,
}

impl TwilioSettings {
    /// Empty settings; set `account_sid`, `auth_token` and one sender.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// The account SID (`AC…`).
        account_sid: impl Into<String>,
        /// The auth token.
        auth_token: impl Into<Secret>,
        /// The sending number (E.164) or alphanumeric sender id.
        from: impl Into<String>,
        /// The messaging service (`MG…`) that picks the sender.
        messaging_service_sid: impl Into<String>,
        /// Where Twilio's REST API lives (default [`TWILIO_API_BASE_URL`]); for tests and proxies.
        api_base_url: impl Into<String>,
    }

    /// Every problem of these settings, with field names under `prefix` (e.g. `passwordless.twilio`).
    pub(crate) fn validate(&self, prefix: &str) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        let field = |name: &str| format!("{prefix}.{name}");
        let mut check = |name: &str,
                         value: Option<&str>,
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
            self.account_sid.as_deref(),
            rules::twilio_account_sid,
            Some(Required::TwilioAccountSid),
        );
        check(
            "auth_token",
            self.auth_token.as_ref().map(Secret::expose),
            rules::twilio_auth_token,
            Some(Required::TwilioAuthToken),
        );
        check("from", self.from.as_deref(), rules::twilio_from, None);
        check(
            "messaging_service_sid",
            self.messaging_service_sid.as_deref(),
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
