//! Rules for the passwordless recipe and its delivery services.
//!
//! Each rule takes a value as written (so the macros can check literals and the runtime can check
//! values read from the environment) and returns the parsed value or an [`Invalid`] that says how
//! to fix it. Cross-field rules take the already-parsed values.

use crate::Invalid;

crate::spelled_enum! {
    /// How the user proves they own the contact: a typed one-time code, a magic link, or either.
    pub enum FlowType {
        /// `USER_INPUT_CODE`: the user types a one-time code.
        UserInputCode = "USER_INPUT_CODE",
        /// `MAGIC_LINK`: the user clicks a link.
        MagicLink = "MAGIC_LINK",
        /// `USER_INPUT_CODE_AND_MAGIC_LINK`: the message carries both.
        UserInputCodeAndMagicLink = "USER_INPUT_CODE_AND_MAGIC_LINK",
    }
    refused(value) => not_accepted(value, FlowType::ALL);
}

impl FlowType {
    /// Whether messages carry a magic link.
    pub fn has_magic_link(self) -> bool {
        matches!(
            self,
            FlowType::MagicLink | FlowType::UserInputCodeAndMagicLink
        )
    }

    /// Whether messages carry a one-time code.
    pub fn has_user_input_code(self) -> bool {
        matches!(
            self,
            FlowType::UserInputCode | FlowType::UserInputCodeAndMagicLink
        )
    }
}

crate::spelled_enum! {
    /// Where codes and links are sent: a phone (SMS), an e-mail address, or either.
    pub enum ContactMethod {
        /// `PHONE`: SMS only.
        Phone = "PHONE",
        /// `EMAIL`: e-mail only.
        Email = "EMAIL",
        /// `EMAIL_OR_PHONE`: the user chooses.
        EmailOrPhone = "EMAIL_OR_PHONE",
    }
    refused(value) => not_accepted(value, ContactMethod::ALL);
}

impl ContactMethod {
    /// Whether e-mail addresses are accepted (so an e-mail delivery is needed).
    pub fn uses_email(self) -> bool {
        matches!(self, ContactMethod::Email | ContactMethod::EmailOrPhone)
    }

    /// Whether phone numbers are accepted (so an SMS delivery is needed).
    pub fn uses_phone(self) -> bool {
        matches!(self, ContactMethod::Phone | ContactMethod::EmailOrPhone)
    }
}

/// The error of an upper-case setting: the accepted spellings, and the one meant when the value
/// differs only in case or is close to one.
fn not_accepted(value: &str, accepted: &[&str]) -> Invalid {
    let list = accepted
        .iter()
        .map(|a| format!("`\"{a}\"`"))
        .collect::<Vec<_>>()
        .join(", ");
    let hint = accepted
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value.trim()))
        .map(|a| format!(" (did you mean `\"{a}\"`? values are upper case)"))
        .unwrap_or_default();
    crate::not_one_of(
        format!("`\"{value}\"` is not accepted{hint}; use one of {list}"),
        value,
        accepted,
    )
}

/// A magic-link flow needs the website's domain, since the link points at the website's
/// `/verify` page. `website_domain` is the configured (normalised) domain, `None` or empty if unset.
pub fn magic_link_needs_website_domain(
    flow: FlowType,
    website_domain: Option<&str>,
) -> Result<(), Invalid> {
    if flow.has_magic_link() && website_domain.is_none_or(|d| d.trim().is_empty()) {
        return Err(Invalid(format!(
            "the flow type `\"{flow}\"` sends magic links to the website, so the website's domain \
             must be known; set `website_domain = \"https://your-site.example\"`, or use \
             `flow_type = \"USER_INPUT_CODE\"`"
        )));
    }
    Ok(())
}

/// `smtp.host`: a host name or IP address, without a scheme or port.
pub fn smtp_host(value: &str) -> Result<String, Invalid> {
    let host = value.trim();
    if host.is_empty() {
        return Err(Invalid(
            "the SMTP host is empty; set it to your mail server, e.g. `host = \"smtp.example.com\"`"
                .into(),
        ));
    }
    if host.contains("://") || host.contains('/') {
        return Err(Invalid(format!(
            "`\"{host}\"` is not a host name; give the host alone, without a scheme or path, \
             e.g. `\"smtp.example.com\"` (set the port with `port = 587`)"
        )));
    }
    if host.contains(char::is_whitespace) {
        return Err(Invalid(format!(
            "`\"{host}\"` contains spaces; give a host name such as `\"smtp.example.com\"`"
        )));
    }
    Ok(host.to_owned())
}

/// `smtp.port`: a TCP port, 1–65535 (587 for STARTTLS, 465 for implicit TLS).
pub fn smtp_port(value: &str) -> Result<u16, Invalid> {
    match value.trim().parse::<u16>() {
        Ok(0) | Err(_) => Err(Invalid(format!(
            "`{value}` is not a TCP port; use a number from 1 to 65535, usually `587` \
             (STARTTLS) or `465` (with `secure = true`)"
        ))),
        Ok(port) => Ok(port),
    }
}

/// `smtp.from_email`: the sender's address, `name@domain`.
pub fn smtp_from_email(value: &str) -> Result<String, Invalid> {
    let email = value.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.contains(char::is_whitespace)
                && !email.contains(['<', '>', '"', ','])
        }
        None => false,
    };
    if valid {
        Ok(email.to_owned())
    } else {
        Err(Invalid(format!(
            "`\"{value}\"` is not an e-mail address; give the sender's address alone, e.g. \
             `from_email = \"no-reply@example.com\"` (the display name goes in `from_name`)"
        )))
    }
}

/// `smtp.from_name`: the sender's display name (may be empty: then the app name is used).
pub fn smtp_from_name(value: &str) -> Result<String, Invalid> {
    if value.contains(['\r', '\n']) {
        return Err(Invalid(
            "the sender name contains a line break; use a single line such as `\"My App\"`".into(),
        ));
    }
    Ok(value.trim().to_owned())
}

/// The SMTP credentials: a user name needs a password (without both, no login is attempted;
/// a password alone logs in as `from_email`).
pub fn smtp_credentials(username: Option<&str>, password: Option<&str>) -> Result<(), Invalid> {
    match (username, password) {
        (Some(_), None) => Err(Invalid(
            "an SMTP user name is set without a password; set `password = \"…\"` too, or drop \
             `username` to send without logging in"
                .into(),
        )),
        (_, Some("")) => Err(Invalid(
            "the SMTP password is empty; set the real password, or drop `password` to send \
             without logging in"
                .into(),
        )),
        _ => Ok(()),
    }
}

fn twilio_sid(value: &str, prefix: &str, what: &str, setter: &str) -> Result<String, Invalid> {
    let v = value.trim();
    let ok =
        v.len() == 34 && v.starts_with(prefix) && v[2..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(v.to_owned())
    } else {
        Err(Invalid(format!(
            "`\"{value}\"` is not a Twilio {what}: it starts with `{prefix}` followed by 32 hex \
             digits; copy it from the Twilio console into `{setter} = \"{prefix}…\"`"
        )))
    }
}

/// `twilio.account_sid`: `AC` followed by 32 hex digits.
pub fn twilio_account_sid(value: &str) -> Result<String, Invalid> {
    twilio_sid(value, "AC", "account SID", "account_sid")
}

/// `twilio.messaging_service_sid`: `MG` followed by 32 hex digits.
pub fn twilio_messaging_service_sid(value: &str) -> Result<String, Invalid> {
    twilio_sid(
        value,
        "MG",
        "messaging service SID",
        "messaging_service_sid",
    )
}

/// `twilio.auth_token`: not empty.
pub fn twilio_auth_token(value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        Err(Invalid(
            "the Twilio auth token is empty; copy it from the Twilio console into \
             `auth_token = \"…\"` (better: read it from the environment)"
                .into(),
        ))
    } else {
        Ok(v.to_owned())
    }
}

/// `twilio.from`: the sending number in E.164 (`+` and digits), or an alphanumeric sender id
/// (1–11 letters, digits or spaces, at least one letter).
pub fn twilio_from(value: &str) -> Result<String, Invalid> {
    let v = value.trim();
    let e164 = v.len() > 2
        && v.len() <= 16
        && v.starts_with('+')
        && v[1..].chars().all(|c| c.is_ascii_digit());
    let alnum = !v.is_empty()
        && v.len() <= 11
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ')
        && v.chars().any(|c| c.is_ascii_alphabetic());
    if e164 || alnum {
        Ok(v.to_owned())
    } else {
        Err(Invalid(format!(
            "`\"{value}\"` is not a Twilio sender; use your Twilio number in E.164 form such as \
             `from = \"+15005550006\"`, or an alphanumeric sender id of at most 11 characters"
        )))
    }
}

/// Twilio needs exactly one sender: `from` or `messaging_service_sid`.
pub fn twilio_sender(
    from: Option<&str>,
    messaging_service_sid: Option<&str>,
) -> Result<(), Invalid> {
    match (from, messaging_service_sid) {
        (Some(_), Some(_)) | (None, None) => Err(Invalid(
            "Twilio needs exactly one sender: set either `from = \"+1…\"` or \
             `messaging_service_sid = \"MG…\"`, not both and not neither"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// A send-limit count: at least 1.
pub fn send_limit_count(value: &str) -> Result<u32, Invalid> {
    match value.trim().parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(Invalid(format!(
            "`{value}` is not a usable limit; give a whole number of at least 1, or turn the \
             limits off with `no_send_limits()`"
        ))),
    }
}

/// A send-limit window or interval, in seconds: at least 1.
pub fn send_limit_seconds(value: &str) -> Result<u64, Invalid> {
    match value.trim().parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(Invalid(format!(
            "`{value}` is not a usable duration; give a whole number of seconds of at least 1"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_types_parse_and_name_the_accepted_values() {
        assert_eq!("MAGIC_LINK".parse(), Ok(FlowType::MagicLink));
        for &flow in FlowType::ALL {
            assert_eq!(
                flow.parse::<FlowType>().map(|f| f.to_string()),
                Ok(flow.to_owned())
            );
        }
        let e = "MAGIC".parse::<FlowType>().unwrap_err().0;
        assert_eq!(
            e,
            "`\"MAGIC\"` is not accepted; use one of `\"USER_INPUT_CODE\"`, `\"MAGIC_LINK\"`, \
             `\"USER_INPUT_CODE_AND_MAGIC_LINK\"` (did you mean `\"MAGIC_LINK\"`?)"
        );
        let e = "magic_link".parse::<FlowType>().unwrap_err().0;
        assert!(
            e.contains("(did you mean `\"MAGIC_LINK\"`? values are upper case)"),
            "{e}"
        );
        assert_eq!(e.matches("did you mean").count(), 1, "{e}");
        let e = "QR_CODE".parse::<FlowType>().unwrap_err().0;
        assert!(!e.contains("did you mean"), "{e}");
    }

    #[test]
    fn contact_methods_parse() {
        assert_eq!("PHONE".parse(), Ok(ContactMethod::Phone));
        assert_eq!("EMAIL".parse(), Ok(ContactMethod::Email));
        assert_eq!("EMAIL_OR_PHONE".parse(), Ok(ContactMethod::EmailOrPhone));
        assert_eq!(ContactMethod::EmailOrPhone.to_string(), "EMAIL_OR_PHONE");
        let e = "SMS".parse::<ContactMethod>().unwrap_err().0;
        assert!(e.contains("`\"EMAIL_OR_PHONE\"`"), "{e}");
        assert!(
            ContactMethod::EmailOrPhone.uses_email() && ContactMethod::EmailOrPhone.uses_phone()
        );
        assert!(!ContactMethod::Phone.uses_email());
    }

    #[test]
    fn magic_links_need_a_website_domain() {
        assert!(magic_link_needs_website_domain(FlowType::MagicLink, None).is_err());
        assert!(
            magic_link_needs_website_domain(FlowType::UserInputCodeAndMagicLink, Some(" "))
                .is_err()
        );
        assert!(magic_link_needs_website_domain(FlowType::UserInputCode, None).is_ok());
        assert!(
            magic_link_needs_website_domain(FlowType::MagicLink, Some("https://a.example")).is_ok()
        );
    }

    #[test]
    fn smtp_rules() {
        assert_eq!(
            smtp_host(" smtp.example.com "),
            Ok("smtp.example.com".into())
        );
        assert!(
            smtp_host("smtp://smtp.example.com")
                .unwrap_err()
                .0
                .contains("without a scheme")
        );
        assert!(smtp_host("").is_err());
        assert_eq!(smtp_port("587"), Ok(587));
        assert!(smtp_port("0").is_err());
        assert!(smtp_port("70000").is_err());
        assert!(smtp_from_email("no-reply@example.com").is_ok());
        assert!(smtp_from_email("App <no-reply@example.com>").is_err());
        assert!(smtp_from_email("nobody").is_err());
        assert!(smtp_from_name("A\nB").is_err());
        assert!(smtp_credentials(Some("u"), None).is_err());
        assert!(smtp_credentials(None, Some("")).is_err());
        assert!(smtp_credentials(None, Some("p")).is_ok());
        assert!(smtp_credentials(None, None).is_ok());
    }

    #[test]
    fn twilio_rules() {
        let sid = format!("AC{}", "0123456789abcdef".repeat(2));
        assert_eq!(twilio_account_sid(&sid), Ok(sid.clone()));
        assert!(twilio_account_sid("AC123").is_err());
        assert!(twilio_messaging_service_sid(&sid).is_err());
        assert!(twilio_messaging_service_sid(&format!("MG{}", "a".repeat(32))).is_ok());
        assert!(twilio_from("+15005550006").is_ok());
        assert!(twilio_from("MyApp").is_ok());
        assert!(twilio_from("5005550006").is_err());
        assert!(twilio_auth_token(" ").is_err());
        assert!(twilio_sender(Some("+1"), None).is_ok());
        assert!(twilio_sender(None, Some("MG")).is_ok());
        let e = twilio_sender(Some("+1"), Some("MG")).unwrap_err().0;
        assert!(e.contains("exactly one sender"), "{e}");
        assert!(twilio_sender(None, None).is_err());
    }

    #[test]
    fn send_limit_rules() {
        assert_eq!(send_limit_count("5"), Ok(5));
        assert!(send_limit_count("0").is_err());
        assert_eq!(send_limit_seconds("30"), Ok(30));
        assert!(send_limit_seconds("-1").is_err());
    }
}
