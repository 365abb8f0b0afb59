//! Presence rules: the settings without a default, and the recipes that must be enabled. Each
//! message names what to add with an example, in the syntax of `#[supertokens::app(...)]`.

use crate::Invalid;
use crate::passwordless::{ContactMethod, FlowType, magic_link_needs_website_domain};

/// A setting that has no default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Required {
    /// `app_name`.
    AppName,
    /// `api_domain`.
    ApiDomain,
    /// `website_domain` (see also [`missing_website_domain`]).
    WebsiteDomain,
    /// `passwordless(flow_type = …)`.
    FlowType,
    /// `passwordless(contact_method = …)`.
    ContactMethod,
    /// `smtp(host = …)`.
    SmtpHost,
    /// `smtp(from_email = …)`.
    SmtpFromEmail,
    /// `twilio(account_sid = …)`.
    TwilioAccountSid,
    /// `twilio(auth_token = …)`.
    TwilioAuthToken,
}

impl Required {
    /// The setting with an example value, as it is written in `#[supertokens::app(...)]`.
    ///
    /// ```
    /// use supertokens_rules::required::Required;
    /// assert_eq!(Required::AppName.example(), "app_name = \"My app\"");
    /// ```
    pub const fn example(self) -> &'static str {
        match self {
            Required::AppName => "app_name = \"My app\"",
            Required::ApiDomain => "api_domain = \"https://api.example.com\"",
            Required::WebsiteDomain => "website_domain = \"https://example.com\"",
            Required::FlowType => "flow_type = \"USER_INPUT_CODE\"",
            Required::ContactMethod => "contact_method = \"PHONE\"",
            Required::SmtpHost => "host = \"smtp.example.com\"",
            Required::SmtpFromEmail => "from_email = \"no-reply@example.com\"",
            Required::TwilioAccountSid => "account_sid = env(\"TWILIO_ACCOUNT_SID\")",
            Required::TwilioAuthToken => "auth_token = env(\"TWILIO_AUTH_TOKEN\")",
        }
    }

    /// The setting's name, e.g. `from_email`.
    pub fn key(self) -> &'static str {
        let example = self.example();
        &example[..example.find(" =").unwrap_or(example.len())]
    }

    /// `value` when it is given, else what to add.
    ///
    /// ```
    /// use supertokens_rules::required::Required;
    /// assert_eq!(Required::AppName.check(Some("Demo")), Ok("Demo"));
    /// assert_eq!(
    ///     Required::SmtpHost.check(None::<&str>).unwrap_err().0,
    ///     "`smtp(...)` needs `host`: add `host = \"smtp.example.com\"`"
    /// );
    /// ```
    pub fn check<T>(self, value: Option<T>) -> Result<T, Invalid> {
        value.ok_or_else(|| self.missing())
    }

    /// What to add, when the setting is missing.
    pub fn missing(self) -> Invalid {
        let (key, example) = (self.key(), self.example());
        let others = |all: &[&str]| {
            let quoted: Vec<String> = all[1..].iter().map(|v| format!("`\"{v}\"`")).collect();
            format!(" (or {})", quoted.join(", "))
        };
        let (within, note) = match self {
            Required::AppName | Required::ApiDomain => (None, String::new()),
            Required::WebsiteDomain => (None, " (where the frontend is served)".to_owned()),
            Required::FlowType => (Some("passwordless"), others(FlowType::ALL)),
            Required::ContactMethod => (Some("passwordless"), others(ContactMethod::ALL)),
            Required::SmtpHost | Required::SmtpFromEmail => (Some("smtp"), String::new()),
            Required::TwilioAccountSid | Required::TwilioAuthToken => {
                (Some("twilio"), String::new())
            }
        };
        Invalid(match within {
            None => format!("`{key}` is missing: add `{example}`{note}"),
            Some(section) => format!("`{section}(...)` needs `{key}`: add `{example}`{note}"),
        })
    }
}

/// Why `website_domain` is needed when it is missing: with a magic-link `flow`, the links point
/// at the website; otherwise it is simply required.
pub fn missing_website_domain(flow: Option<FlowType>) -> Invalid {
    match flow.map(|flow| magic_link_needs_website_domain(flow, None)) {
        Some(Err(because_of_links)) => because_of_links,
        _ => Required::WebsiteDomain.missing(),
    }
}

/// At least one recipe must be enabled.
pub fn some_recipe(session: bool, passwordless: bool) -> Result<(), Invalid> {
    if session || passwordless {
        return Ok(());
    }
    Err(Invalid(
        "no recipe is enabled: add `passwordless(flow_type = \"USER_INPUT_CODE\", \
         contact_method = \"EMAIL\")` and `session()`"
            .to_owned(),
    ))
}

/// Passwordless sign-in ends in a session, so it needs the session recipe.
pub fn passwordless_needs_session(passwordless: bool, session: bool) -> Result<(), Invalid> {
    if passwordless && !session {
        return Err(Invalid(
            "passwordless sign-in creates a session, so it needs the session recipe: add \
             `session()`"
                .to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_settings_name_an_example() {
        let message = |r: Required| r.check(None::<()>).unwrap_err().0;
        assert_eq!(
            message(Required::AppName),
            "`app_name` is missing: add `app_name = \"My app\"`"
        );
        assert_eq!(
            message(Required::WebsiteDomain),
            "`website_domain` is missing: add `website_domain = \"https://example.com\"` \
             (where the frontend is served)"
        );
        assert_eq!(
            message(Required::FlowType),
            "`passwordless(...)` needs `flow_type`: add `flow_type = \"USER_INPUT_CODE\"` \
             (or `\"MAGIC_LINK\"`, `\"USER_INPUT_CODE_AND_MAGIC_LINK\"`)"
        );
        assert_eq!(
            message(Required::ContactMethod),
            "`passwordless(...)` needs `contact_method`: add `contact_method = \"PHONE\"` \
             (or `\"EMAIL\"`, `\"EMAIL_OR_PHONE\"`)"
        );
        assert_eq!(
            message(Required::TwilioAuthToken),
            "`twilio(...)` needs `auth_token`: add `auth_token = env(\"TWILIO_AUTH_TOKEN\")`"
        );
        assert_eq!(Required::SmtpFromEmail.key(), "from_email");
        assert_eq!(Required::ApiDomain.check(Some(1)), Ok(1));
    }

    #[test]
    fn a_missing_website_domain_is_explained_by_magic_links() {
        assert!(
            missing_website_domain(Some(FlowType::MagicLink))
                .0
                .contains("sends magic links to the website")
        );
        assert!(
            missing_website_domain(Some(FlowType::UserInputCode))
                .0
                .starts_with("`website_domain` is missing")
        );
        assert!(
            missing_website_domain(None)
                .0
                .starts_with("`website_domain` is missing")
        );
    }

    #[test]
    fn recipes() {
        assert!(some_recipe(false, false).is_err());
        assert!(some_recipe(true, false).is_ok());
        assert!(some_recipe(false, true).is_ok());
        assert!(passwordless_needs_session(true, false).is_err());
        assert!(passwordless_needs_session(true, true).is_ok());
        assert!(passwordless_needs_session(false, false).is_ok());
    }
}
