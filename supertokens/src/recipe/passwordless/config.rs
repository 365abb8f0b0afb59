//! [`PasswordlessConfig`]: flow type, contact method, validators, code generator, delivery, send
//! limits, overrides.

use std::collections::BTreeSet;
use std::sync::Arc;

use supertokens_rules::passwordless::{self as rules, ContactMethod, FlowType};
use supertokens_rules::required::Required;

use super::functions::PasswordlessFunctions;
use super::limits::SendLimits;
use crate::app_info::AppInfo;
use crate::delivery::{EmailDelivery, SmsDelivery, SmtpSettings, TwilioSettings};
use crate::error::ConfigError;
use crate::setters::setters;

/// Checks an e-mail address (as typed, trimmed) for a tenant: `Err(message)` is answered to the
/// frontend as `{"status":"GENERAL_ERROR","message":…}`.
pub type EmailValidator = Arc<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;
/// Checks a phone number (as typed) for a tenant: `Err(message)` is answered to the frontend as
/// `{"status":"GENERAL_ERROR","message":…}`.
pub type PhoneValidator = Arc<dyn Fn(&str, &str) -> Result<(), String> + Send + Sync>;
/// Makes the one-time code for a tenant (called for every code, resends included).
pub type CodeGenerator = Arc<dyn Fn(&str) -> String + Send + Sync>;
/// Wraps the recipe functions (see [`PasswordlessConfig::override_functions`]).
pub(crate) type FunctionsOverride =
    Arc<dyn Fn(Arc<dyn PasswordlessFunctions>) -> Arc<dyn PasswordlessFunctions> + Send + Sync>;

/// One of the recipe's frontend APIs, to disable with [`PasswordlessConfig::disable_api`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PasswordlessApi {
    /// `POST /signinup/code`.
    CreateCode,
    /// `POST /signinup/code/resend`.
    ResendCode,
    /// `POST /signinup/code/consume`.
    ConsumeCode,
    /// `GET /passwordless/email/exists` and `GET /signup/email/exists`.
    EmailExists,
    /// `GET /passwordless/phonenumber/exists` and `GET /signup/phonenumber/exists`.
    PhoneNumberExists,
}

#[derive(Clone)]
pub(crate) enum EmailChoice {
    Service(Arc<dyn EmailDelivery>),
    Smtp(SmtpSettings),
    Console,
}

#[derive(Clone)]
pub(crate) enum SmsChoice {
    Service(Arc<dyn SmsDelivery>),
    Twilio(TwilioSettings),
    Console,
}

/// Configuration of the passwordless recipe; [`crate::ConfigBuilder::build`] validates it.
/// [`FlowType`] and [`ContactMethod`] are required; a value read as text becomes one with
/// `parse` (`"MAGIC_LINK".parse::<FlowType>()`), whose error lists the accepted spellings.
///
/// ```
/// use std::time::Duration;
/// use supertokens::delivery::SmtpSettings;
/// use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig, SendLimits};
///
/// let config = PasswordlessConfig::new()
///     .flow_type(FlowType::UserInputCodeAndMagicLink)
///     .contact_method(ContactMethod::Email)
///     .smtp(
///         SmtpSettings::new()
///             .host("smtp.example.com")
///             .from_email("no-reply@example.com")
///             .password("secret"),
///     )
///     .send_limits(SendLimits::new().per_identifier(3, Duration::from_secs(600)))
///     .validate_email_address(|email: &str, _tenant: &str| {
///         if email.ends_with("@example.com") {
///             Ok(())
///         } else {
///             Err("Please use your example.com address".to_owned())
///         }
///     });
/// ```
///
/// **Delivery.** Without a delivery service, debug builds print codes and links on stdout
/// ([`crate::delivery::ConsoleDelivery`]); a release build refuses to start unless a service, SMTP,
/// Twilio, or the console ([`console_email`](Self::console_email) /
/// [`console_sms`](Self::console_sms)) is chosen for each channel the contact method uses.
#[derive(Clone, Default)]
#[must_use]
pub struct PasswordlessConfig {
    pub(crate) flow_type: Option<FlowType>,
    pub(crate) contact_method: Option<ContactMethod>,
    pub(crate) email: Vec<(&'static str, EmailChoice)>,
    pub(crate) sms: Vec<(&'static str, SmsChoice)>,
    pub(crate) send_limits: Option<SendLimits>,
    pub(crate) validate_email_address: Option<EmailValidator>,
    pub(crate) validate_phone_number: Option<PhoneValidator>,
    pub(crate) user_input_code_generator: Option<CodeGenerator>,
    pub(crate) override_functions: Vec<FunctionsOverride>,
    pub(crate) disabled_apis: BTreeSet<PasswordlessApi>,
}

impl std::fmt::Debug for PasswordlessConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordlessConfig")
            .field("flow_type", &self.flow_type)
            .field("contact_method", &self.contact_method)
            .field(
                "email_delivery",
                &self.email.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field(
                "sms_delivery",
                &self.sms.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            )
            .field("send_limits", &self.send_limits)
            .field(
                "validate_email_address",
                &self.validate_email_address.is_some(),
            )
            .field(
                "validate_phone_number",
                &self.validate_phone_number.is_some(),
            )
            .field(
                "user_input_code_generator",
                &self.user_input_code_generator.is_some(),
            )
            .field("override_functions", &self.override_functions.len())
            .field("disabled_apis", &self.disabled_apis)
            .finish()
    }
}

impl PasswordlessConfig {
    /// An empty configuration; set at least `flow_type` and `contact_method`.
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// How users prove they own the contact: a typed code, a magic link, or either (required).
        ///
        /// ```
        /// use supertokens::passwordless::{FlowType, PasswordlessConfig};
        /// let config = PasswordlessConfig::new().flow_type(FlowType::UserInputCode);
        /// # let _ = config;
        /// ```
        flow_type: FlowType,
        /// Where codes and links are sent: e-mail, SMS, or the user's choice (required).
        ///
        /// ```
        /// use supertokens::passwordless::{ContactMethod, PasswordlessConfig};
        /// let config = PasswordlessConfig::new().contact_method(ContactMethod::Phone);
        /// # let _ = config;
        /// ```
        contact_method: ContactMethod,
    }

    /// Sends e-mails with your own service (any `async fn(LoginMessage) -> Result<(), DeliveryError>`
    /// closure qualifies).
    pub fn email_delivery(mut self, service: impl EmailDelivery) -> Self {
        self.email
            .push(("email_delivery", EmailChoice::Service(Arc::new(service))));
        self
    }

    /// Sends SMS with your own service.
    pub fn sms_delivery(mut self, service: impl SmsDelivery) -> Self {
        self.sms
            .push(("sms_delivery", SmsChoice::Service(Arc::new(service))));
        self
    }

    /// Sends e-mails over SMTP.
    pub fn smtp(mut self, settings: SmtpSettings) -> Self {
        self.email.push(("smtp", EmailChoice::Smtp(settings)));
        self
    }

    /// Sends SMS through Twilio.
    pub fn twilio(mut self, settings: TwilioSettings) -> Self {
        self.sms.push(("twilio", SmsChoice::Twilio(settings)));
        self
    }

    /// Prints e-mails on stdout, also in release builds.
    pub fn console_email(mut self) -> Self {
        self.email.push(("console_email", EmailChoice::Console));
        self
    }

    /// Prints SMS on stdout, also in release builds.
    pub fn console_sms(mut self) -> Self {
        self.sms.push(("console_sms", SmsChoice::Console));
        self
    }

    setters! {
        /// Limits on how often codes are sent (default: [`SendLimits::new`]).
        send_limits: SendLimits,
    }

    /// Turns the send limits off (as the official SDKs behave).
    pub fn no_send_limits(mut self) -> Self {
        self.send_limits = Some(SendLimits::disabled());
        self
    }

    /// Replaces the e-mail check (default: SuperTokens' e-mail regex, message `Email is invalid`).
    /// Called with the trimmed address and the tenant id.
    pub fn validate_email_address<F>(mut self, validator: F) -> Self
    where
        F: Fn(&str, &str) -> Result<(), String> + Send + Sync + 'static,
    {
        self.validate_email_address = Some(Arc::new(validator));
        self
    }

    /// Replaces the phone check (default: a valid number with its `+country` prefix, message
    /// `Phone number is invalid`). Called with the number as typed and the tenant id. Numbers it
    /// accepts are stored in E.164 form when they parse, else as typed (trimmed).
    pub fn validate_phone_number<F>(mut self, validator: F) -> Self
    where
        F: Fn(&str, &str) -> Result<(), String> + Send + Sync + 'static,
    {
        self.validate_phone_number = Some(Arc::new(validator));
        self
    }

    /// Makes the one-time codes (default: the core's 6 random digits). Called with the tenant id
    /// for every code, resends included; return a fresh, unguessable code each time.
    pub fn user_input_code_generator<F>(mut self, generator: F) -> Self
    where
        F: Fn(&str) -> String + Send + Sync + 'static,
    {
        self.user_input_code_generator = Some(Arc::new(generator));
        self
    }

    /// Wraps the recipe functions (the calls to the core), e.g. to audit sign-ins or veto codes.
    /// The closure receives the current implementation and returns the new one; several
    /// overrides nest, the last one added outermost. Every caller, the frontend APIs included,
    /// goes through the result.
    ///
    /// An implementation of [`PasswordlessFunctions`] names the one it wraps in
    /// [`original`](PasswordlessFunctions::original) and overrides only the methods it changes;
    /// the others forward to `original`. Here every sign-in is logged:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use supertokens::BoxFuture;
    /// use supertokens::core::CoreError;
    /// use supertokens::core::cdi::{ConsumeCodeRequest, ConsumeCodeResponse};
    /// use supertokens::passwordless::{
    ///     ContactMethod, FlowType, PasswordlessConfig, PasswordlessFunctions,
    /// };
    ///
    /// struct LogSignIns {
    ///     original: Arc<dyn PasswordlessFunctions>,
    /// }
    ///
    /// impl PasswordlessFunctions for LogSignIns {
    ///     fn original(&self) -> &dyn PasswordlessFunctions {
    ///         &*self.original
    ///     }
    ///
    ///     fn consume_code(
    ///         &self,
    ///         tenant_id: String,
    ///         request: ConsumeCodeRequest,
    ///     ) -> BoxFuture<'_, Result<ConsumeCodeResponse, CoreError>> {
    ///         Box::pin(async move {
    ///             let response = self.original.consume_code(tenant_id, request).await?;
    ///             if let ConsumeCodeResponse::Ok { user, .. } = &response {
    ///                 println!("signed in: {}", user.id);
    ///             }
    ///             Ok(response)
    ///         })
    ///     }
    /// }
    ///
    /// let config = PasswordlessConfig::new()
    ///     .flow_type(FlowType::UserInputCode)
    ///     .contact_method(ContactMethod::Phone)
    ///     .override_functions(|original| Arc::new(LogSignIns { original }));
    /// ```
    pub fn override_functions<F>(mut self, wrap: F) -> Self
    where
        F: Fn(Arc<dyn PasswordlessFunctions>) -> Arc<dyn PasswordlessFunctions>
            + Send
            + Sync
            + 'static,
    {
        self.override_functions.push(Arc::new(wrap));
        self
    }

    /// Does not serve one of the frontend APIs: requests to it fall through to your router (404
    /// if you route nothing there). To replace an API, disable it and route your own handler at
    /// the same path, using the recipe functions of
    /// [`SuperTokens::passwordless`](crate::SuperTokens::passwordless).
    ///
    /// Here the exists check is turned off (it tells anyone whether an address has an
    /// account), and code creation is replaced by a handler that only serves company addresses:
    ///
    /// ```
    /// use axum::{Json, Router, extract::State, routing::post};
    /// use serde_json::{Value, json};
    /// use supertokens::SuperTokens;
    /// use supertokens::passwordless::{
    ///     Contact, ContactMethod, FlowType, PasswordlessApi, PasswordlessConfig,
    /// };
    ///
    /// let config = PasswordlessConfig::new()
    ///     .flow_type(FlowType::UserInputCode)
    ///     .contact_method(ContactMethod::Email)
    ///     .disable_api(PasswordlessApi::EmailExists)
    ///     .disable_api(PasswordlessApi::CreateCode);
    ///
    /// async fn create_code(State(st): State<SuperTokens>, Json(body): Json<Value>) -> Json<Value> {
    ///     let email = body["email"].as_str().unwrap_or_default().trim().to_owned();
    ///     if !email.ends_with("@example.com") {
    ///         return Json(json!({"status": "GENERAL_ERROR", "message": "Staff only"}));
    ///     }
    ///     let passwordless = st.passwordless().expect("enabled");
    ///     match passwordless.send_code("public", Contact::Email(email)).await {
    ///         Ok(code) => Json(json!({
    ///             "status": "OK",
    ///             "deviceId": code.device_id,
    ///             "preAuthSessionId": code.pre_auth_session_id,
    ///             "flowType": passwordless.flow_type().as_str(),
    ///         })),
    ///         Err(_) => Json(json!({"status": "GENERAL_ERROR", "message": "Please try again"})),
    ///     }
    /// }
    ///
    /// fn app(st: SuperTokens) -> Router {
    ///     Router::new()
    ///         .route("/auth/signinup/code", post(create_code))
    ///         .with_state(st.clone())
    ///         .merge(st.router())
    /// }
    /// ```
    pub fn disable_api(mut self, api: PasswordlessApi) -> Self {
        self.disabled_apis.insert(api);
        self
    }

    /// This configuration with what `later` sets: see [`ConfigBuilder::passwordless`].
    ///
    /// [`ConfigBuilder::passwordless`]: crate::ConfigBuilder::passwordless
    pub(crate) fn refine(self, later: Self) -> Self {
        let Self {
            flow_type,
            contact_method,
            email,
            sms,
            send_limits,
            validate_email_address,
            validate_phone_number,
            user_input_code_generator,
            override_functions,
            disabled_apis,
        } = later;
        Self {
            flow_type: flow_type.or(self.flow_type),
            contact_method: contact_method.or(self.contact_method),
            email: if email.is_empty() { self.email } else { email },
            sms: if sms.is_empty() { self.sms } else { sms },
            send_limits: send_limits.or(self.send_limits),
            validate_email_address: validate_email_address.or(self.validate_email_address),
            validate_phone_number: validate_phone_number.or(self.validate_phone_number),
            user_input_code_generator: user_input_code_generator.or(self.user_input_code_generator),
            override_functions: [self.override_functions, override_functions].concat(),
            disabled_apis: self.disabled_apis.union(&disabled_apis).copied().collect(),
        }
    }

    /// Every problem of this configuration, given the app info (empty when valid).
    pub(crate) fn validate(&self, app_info: &AppInfo) -> Vec<ConfigError> {
        let mut errors = Vec::new();
        if self.flow_type.is_none() {
            let missing = Required::FlowType.missing();
            errors.push(ConfigError::new("passwordless.flow_type", missing.0));
        }
        if self.contact_method.is_none() {
            let missing = Required::ContactMethod.missing();
            errors.push(ConfigError::new("passwordless.contact_method", missing.0));
        }
        if let Some(flow) = self.flow_type
            && let Err(e) =
                rules::magic_link_needs_website_domain(flow, Some(&app_info.website_domain))
        {
            errors.push(ConfigError::new("website_domain", e.0));
        }
        errors.extend(several_deliveries(
            "passwordless.email_delivery",
            "e-mail",
            &self.email,
        ));
        errors.extend(several_deliveries(
            "passwordless.sms_delivery",
            "SMS",
            &self.sms,
        ));
        for (_, choice) in &self.email {
            if let EmailChoice::Smtp(s) = choice {
                errors.extend(s.validate("passwordless.smtp"));
            }
        }
        for (_, choice) in &self.sms {
            if let SmsChoice::Twilio(t) = choice {
                errors.extend(t.validate("passwordless.twilio"));
            }
        }
        if let Some(contact) = self.contact_method
            && !cfg!(debug_assertions)
        {
            errors.extend(release_delivery_errors(
                contact,
                self.email.is_empty(),
                self.sms.is_empty(),
            ));
        }
        if let Some(limits) = &self.send_limits {
            errors.extend(limits.validate("passwordless.send_limits"));
        }
        errors
    }
}

/// The error when more than one delivery is chosen for one channel (`what`: "e-mail", "SMS").
fn several_deliveries<T>(
    field: &str,
    what: &str,
    chosen: &[(&'static str, T)],
) -> Option<ConfigError> {
    (chosen.len() > 1).then(|| {
        ConfigError::new(
            field,
            format!(
                "several {what} deliveries are set ({}); keep exactly one",
                names(chosen.iter().map(|(n, _)| *n))
            ),
        )
    })
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// In a release build, every channel the contact method uses needs a delivery chosen on purpose.
fn release_delivery_errors(
    contact: ContactMethod,
    no_email: bool,
    no_sms: bool,
) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    if contact.uses_email() && no_email {
        errors.push(ConfigError::new(
            "passwordless.email_delivery",
            format!(
                "no e-mail delivery is set and contact method `\"{contact}\"` sends e-mails; in a \
                 release build codes are not printed unless you ask for it: set `smtp(...)`, \
                 `email_delivery(...)`, or `console_email()`"
            ),
        ));
    }
    if contact.uses_phone() && no_sms {
        errors.push(ConfigError::new(
            "passwordless.sms_delivery",
            format!(
                "no SMS delivery is set and contact method `\"{contact}\"` sends SMS; in a \
                 release build codes are not printed unless you ask for it: set `twilio(...)`, \
                 `sms_delivery(...)`, or `console_sms()`"
            ),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_info(website: &str) -> AppInfo {
        AppInfo::for_tests("http://localhost:3001", website)
    }

    fn fields(errors: &[ConfigError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_complete_config_is_valid() {
        let c = PasswordlessConfig::new()
            .flow_type(FlowType::UserInputCodeAndMagicLink)
            .contact_method(ContactMethod::EmailOrPhone);
        assert_eq!(c.validate(&app_info("http://localhost:3000")), vec![]);
    }

    #[test]
    fn missing_and_unknown_values_are_reported_by_field() {
        let e = PasswordlessConfig::new().validate(&app_info("http://localhost:3000"));
        assert_eq!(
            fields(&e),
            ["passwordless.flow_type", "passwordless.contact_method"]
        );
        assert_eq!(e[0].message, Required::FlowType.missing().0);
        // Unknown spellings are refused by `parse`, before a configuration exists.
        let e = "MAGIC".parse::<FlowType>().unwrap_err();
        assert!(e.0.contains("`\"MAGIC_LINK\"`"), "{e}");
        assert!("SMS".parse::<ContactMethod>().is_err());
    }

    #[test]
    fn magic_links_need_the_website_domain() {
        let e = PasswordlessConfig::new()
            .flow_type(FlowType::MagicLink)
            .contact_method(ContactMethod::Email)
            .validate(&app_info(""));
        assert_eq!(fields(&e), ["website_domain"]);
    }

    #[test]
    fn delivery_settings_are_checked() {
        let e = PasswordlessConfig::new()
            .flow_type(FlowType::UserInputCode)
            .contact_method(ContactMethod::EmailOrPhone)
            .smtp(SmtpSettings::new().host("smtp.example.com").port(0))
            .twilio(
                TwilioSettings::new()
                    .account_sid(format!("AC{}", "a".repeat(32)))
                    .auth_token("t")
                    .from("+15005550006")
                    .messaging_service_sid(format!("MG{}", "b".repeat(32))),
            )
            .console_email()
            .validate(&app_info("http://localhost:3000"));
        let f = fields(&e);
        assert!(f.contains(&"passwordless.email_delivery"), "{f:?}");
        assert!(f.contains(&"passwordless.smtp.port"), "{f:?}");
        assert!(f.contains(&"passwordless.smtp.from_email"), "{f:?}");
        assert!(f.contains(&"passwordless.twilio.from"), "{f:?}");
        assert!(!f.contains(&"passwordless.sms_delivery"), "{f:?}");
    }

    #[test]
    fn release_builds_need_a_delivery_per_channel() {
        let e = release_delivery_errors(ContactMethod::EmailOrPhone, true, false);
        assert_eq!(fields(&e), ["passwordless.email_delivery"]);
        assert!(e[0].message.contains("`console_email()`"));
        let e = release_delivery_errors(ContactMethod::Phone, true, true);
        assert_eq!(fields(&e), ["passwordless.sms_delivery"]);
        assert!(release_delivery_errors(ContactMethod::Email, false, true).is_empty());
    }
}
