//! [`PasswordlessRecipe`]: the passwordless recipe of an initialised SDK, with the recipe
//! functions for custom flows, and what they return ([`CreatedCode`], [`SignedInUp`]).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use supertokens_rules::passwordless::{ContactMethod, FlowType};
use supertokens_rules::required::Required;

use super::config::{
    CodeGenerator, EmailChoice, EmailValidator, PasswordlessApi, PasswordlessConfig,
    PhoneValidator, SmsChoice,
};
use super::error::PasswordlessError;
use super::functions::{CodesFilter, Contact, CoreFunctions, PasswordlessFunctions};
use super::limits::{RateLimited, SendLimiter};
use super::validate;

use crate::app_info::AppInfo;
use crate::core::cdi::{
    ConsumeCodeRequest, ConsumeCodeResponse, CreateCodeResponse, DeviceInfo, UpdateUserRequest,
    UpdateUserResponse, User,
};
use crate::core::{CoreClient, CoreError};
use crate::delivery::{ConsoleDelivery, EmailDelivery, LoginMessage, SmsDelivery};
use crate::error::{ConfigError, ConfigErrors, Error};

/// A code created for a contact.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedCode {
    /// The device (standard base64); with the code, it signs the user in.
    pub device_id: String,
    /// The device's public id.
    pub pre_auth_session_id: String,
    /// The code's id (for [`PasswordlessRecipe::revoke_code`]).
    pub code_id: String,
    /// The one-time code.
    pub user_input_code: String,
    /// The magic-link code.
    pub link_code: String,
    /// The magic link, when the flow type includes links.
    pub magic_link: Option<String>,
    /// How long the code stays valid.
    pub code_lifetime: Duration,
    /// When the code was created, in milliseconds since the Unix epoch.
    pub time_created_ms: i64,
}

impl std::fmt::Debug for CreatedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedCode")
            .field("device_id", &"…")
            .field("pre_auth_session_id", &self.pre_auth_session_id)
            .field("code_id", &self.code_id)
            .field("user_input_code", &"…")
            .field("link_code", &"…")
            .field("magic_link", &self.magic_link.as_ref().map(|_| "…"))
            .field("code_lifetime", &self.code_lifetime)
            .field("time_created_ms", &self.time_created_ms)
            .finish()
    }
}

/// The outcome of a server-side [`PasswordlessRecipe::sign_in_up`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedInUp {
    /// Whether the user was created by this call.
    pub created_new_user: bool,
    /// The user.
    pub user: User,
    /// The passwordless login method's user id.
    pub recipe_user_id: String,
}

/// The passwordless recipe of an initialised SDK: its settings and the recipe functions for
/// custom flows. Cheap to clone.
#[derive(Clone)]
pub struct PasswordlessRecipe {
    pub(crate) inner: Arc<RecipeInner>,
}

impl std::fmt::Debug for PasswordlessRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordlessRecipe")
            .field("flow_type", &self.inner.flow)
            .field("contact_method", &self.inner.contact)
            .finish_non_exhaustive()
    }
}

pub(crate) struct RecipeInner {
    pub(crate) flow: FlowType,
    pub(crate) contact: ContactMethod,
    pub(crate) app_info: AppInfo,
    pub(crate) functions: Arc<dyn PasswordlessFunctions>,
    email: Option<Arc<dyn EmailDelivery>>,
    sms: Option<Arc<dyn SmsDelivery>>,
    pub(crate) email_check: EmailValidator,
    pub(crate) phone_check: PhoneValidator,
    code_generator: Option<CodeGenerator>,
    pub(crate) limiter: Option<SendLimiter>,
    pub(crate) disabled: BTreeSet<PasswordlessApi>,
}

fn config_error(field: &str, message: impl Into<String>) -> Error {
    Error::Config(ConfigErrors(vec![ConfigError::new(field, message)]))
}

impl PasswordlessRecipe {
    pub(crate) fn new(
        config: &PasswordlessConfig,
        app_info: &AppInfo,
        core: CoreClient,
    ) -> Result<Self, Error> {
        let errors = config.validate(app_info);
        if !errors.is_empty() {
            return Err(Error::Config(ConfigErrors(errors)));
        }
        // Both are present once `validate` passed; `check` keeps that from being an `unwrap`.
        let flow = Required::FlowType
            .check(config.flow_type)
            .map_err(|e| config_error("passwordless.flow_type", e.0))?;
        let contact = Required::ContactMethod
            .check(config.contact_method)
            .map_err(|e| config_error("passwordless.contact_method", e.0))?;
        let console_default = cfg!(debug_assertions);
        let email: Option<Arc<dyn EmailDelivery>> = match config.email.first().map(|(_, c)| c) {
            Some(EmailChoice::Service(s)) => Some(s.clone()),
            Some(EmailChoice::Console) => Some(Arc::new(ConsoleDelivery)),
            #[cfg(feature = "smtp")]
            Some(EmailChoice::Smtp(settings)) => Some(Arc::new(
                crate::delivery::SmtpDelivery::new(settings, &app_info.app_name)
                    .map_err(|e| config_error("passwordless.smtp", e.to_string()))?,
            )),
            #[cfg(not(feature = "smtp"))]
            Some(EmailChoice::Smtp(_)) => None,
            None if console_default => Some(Arc::new(ConsoleDelivery)),
            None => None,
        };
        let sms: Option<Arc<dyn SmsDelivery>> = match config.sms.first().map(|(_, c)| c) {
            Some(SmsChoice::Service(s)) => Some(s.clone()),
            Some(SmsChoice::Console) => Some(Arc::new(ConsoleDelivery)),
            #[cfg(feature = "twilio")]
            Some(SmsChoice::Twilio(settings)) => Some(Arc::new(
                crate::delivery::TwilioDelivery::new(settings)
                    .map_err(|e| config_error("passwordless.twilio", e.to_string()))?,
            )),
            #[cfg(not(feature = "twilio"))]
            Some(SmsChoice::Twilio(_)) => None,
            None if console_default => Some(Arc::new(ConsoleDelivery)),
            None => None,
        };
        let mut functions = CoreFunctions::shared(core);
        for wrap in &config.override_functions {
            functions = wrap(functions);
        }
        Ok(Self {
            inner: Arc::new(RecipeInner {
                flow,
                contact,
                app_info: app_info.clone(),
                functions,
                email,
                sms,
                email_check: config
                    .validate_email_address
                    .clone()
                    .unwrap_or_else(|| Arc::new(validate::default_email_check)),
                phone_check: config
                    .validate_phone_number
                    .clone()
                    .unwrap_or_else(|| Arc::new(validate::default_phone_check)),
                code_generator: config.user_input_code_generator.clone(),
                limiter: SendLimiter::new(config.send_limits.clone().unwrap_or_default()),
                disabled: config.disabled_apis.clone(),
            }),
        })
    }

    /// The flow type.
    pub fn flow_type(&self) -> FlowType {
        self.inner.flow
    }

    /// The contact method.
    pub fn contact_method(&self) -> ContactMethod {
        self.inner.contact
    }

    /// The first factors this recipe offers (`otp-email`, `link-phone`, …), as tenants list
    /// them: by contact method and flow.
    pub fn first_factors(&self) -> &'static [&'static str] {
        use {ContactMethod as C, FlowType as F};
        match (self.inner.contact, self.inner.flow) {
            (C::Email, F::UserInputCode) => &["otp-email"],
            (C::Email, F::MagicLink) => &["link-email"],
            (C::Email, F::UserInputCodeAndMagicLink) => &["otp-email", "link-email"],
            (C::Phone, F::UserInputCode) => &["otp-phone"],
            (C::Phone, F::MagicLink) => &["link-phone"],
            (C::Phone, F::UserInputCodeAndMagicLink) => &["otp-phone", "link-phone"],
            (C::EmailOrPhone, F::UserInputCode) => &["otp-email", "otp-phone"],
            (C::EmailOrPhone, F::MagicLink) => &["link-email", "link-phone"],
            (C::EmailOrPhone, F::UserInputCodeAndMagicLink) => {
                &["otp-email", "otp-phone", "link-email", "link-phone"]
            }
        }
    }

    /// The recipe functions (overrides applied), for calls this type has no shortcut for.
    pub fn functions(&self) -> &dyn PasswordlessFunctions {
        &*self.inner.functions
    }

    /// The magic link for a device:
    /// `{website_domain}{website_base_path}/verify?preAuthSessionId=…&tenantId=…#{link_code}`.
    pub fn magic_link(
        &self,
        tenant_id: &str,
        pre_auth_session_id: &str,
        link_code: &str,
    ) -> String {
        let info = &self.inner.app_info;
        format!(
            "{}{}/verify?preAuthSessionId={pre_auth_session_id}&tenantId={tenant_id}#{link_code}",
            info.website_domain, info.website_base_path
        )
    }

    fn user_input_code(&self, tenant_id: &str) -> Option<String> {
        self.inner.code_generator.as_ref().map(|g| g(tenant_id))
    }

    /// Trims an e-mail address, or puts a phone number in E.164 form when it parses.
    pub(crate) fn normalise(contact: Contact) -> Contact {
        match contact {
            Contact::Email(e) => Contact::Email(e.trim().to_owned()),
            Contact::Phone(p) => Contact::Phone(validate::normalise_phone(&p)),
        }
    }

    fn created(
        &self,
        tenant_id: &str,
        response: CreateCodeResponse,
    ) -> Result<CreatedCode, PasswordlessError> {
        match response {
            CreateCodeResponse::Ok {
                pre_auth_session_id,
                code_id,
                device_id,
                user_input_code,
                link_code,
                time_created,
                code_lifetime,
            } => Ok(CreatedCode {
                magic_link: self
                    .inner
                    .flow
                    .has_magic_link()
                    .then(|| self.magic_link(tenant_id, &pre_auth_session_id, &link_code)),
                device_id,
                pre_auth_session_id,
                code_id,
                user_input_code,
                link_code,
                code_lifetime: Duration::from_millis(u64::try_from(code_lifetime).unwrap_or(0)),
                time_created_ms: time_created,
            }),
            CreateCodeResponse::RestartFlow => Err(PasswordlessError::RestartFlow),
            CreateCodeResponse::UserInputCodeAlreadyUsed => {
                Err(PasswordlessError::CodeGenerationFailed)
            }
        }
    }

    /// Creates a code for a contact (trimmed / put in E.164 form), without sending it. The custom
    /// code generator is used when configured.
    pub async fn create_code(
        &self,
        tenant_id: &str,
        contact: Contact,
    ) -> Result<CreatedCode, PasswordlessError> {
        let contact = Self::normalise(contact);
        let response = self
            .inner
            .functions
            .create_code(
                tenant_id.to_owned(),
                contact,
                self.user_input_code(tenant_id),
            )
            .await?;
        self.created(tenant_id, response)
    }

    /// Creates a code for a contact and sends it with the configured delivery (no send limits:
    /// those guard the frontend APIs).
    pub async fn send_code(
        &self,
        tenant_id: &str,
        contact: Contact,
    ) -> Result<CreatedCode, PasswordlessError> {
        let contact = Self::normalise(contact);
        let created = self.create_code(tenant_id, contact.clone()).await?;
        self.deliver(tenant_id, &contact, &created).await?;
        Ok(created)
    }

    /// Applies the send limits to a send of your own (say, from a handler that replaces the
    /// createCode API) and counts it: call it before [`send_code`](Self::send_code), and return
    /// the error as the response (429, as the built-in APIs answer). `now_ms` is
    /// [`SuperTokens::clock`](crate::SuperTokens::clock)`().now_ms()`; `client_ip` is `None` when
    /// unknown (such sends are counted in one shared network; [`ClientIp::of`](super::ClientIp::of) reads the
    /// address from a request). Always `Ok` when the limits are off.
    pub async fn check_send_limits(
        &self,
        contact: &Contact,
        client_ip: Option<std::net::IpAddr>,
        now_ms: i64,
    ) -> Result<(), RateLimited> {
        match &self.inner.limiter {
            Some(limiter) => {
                let contact = Self::normalise(contact.clone());
                limiter.try_send(&contact, client_ip, None, now_ms).await
            }
            None => Ok(()),
        }
    }

    /// Sends a new code to an existing device (up to three tries when a custom generator
    /// repeats a code). [`PasswordlessError::RestartFlow`] when the device is gone.
    pub async fn resend_code(
        &self,
        tenant_id: &str,
        device_id: &str,
    ) -> Result<CreatedCode, PasswordlessError> {
        let device = self
            .device(tenant_id, CodesFilter::DeviceId(device_id.to_owned()))
            .await?
            .ok_or(PasswordlessError::RestartFlow)?;
        let contact = match (&device.phone_number, &device.email) {
            (Some(p), _) => Contact::Phone(p.clone()),
            (None, Some(e)) => Contact::Email(e.clone()),
            (None, None) => return Err(PasswordlessError::RestartFlow),
        };
        self.new_code_for_device(tenant_id, device_id, &contact)
            .await
    }

    /// New code for a device whose contact is known, then delivery.
    pub(crate) async fn new_code_for_device(
        &self,
        tenant_id: &str,
        device_id: &str,
        contact: &Contact,
    ) -> Result<CreatedCode, PasswordlessError> {
        for _ in 0..3 {
            let response = self
                .inner
                .functions
                .create_new_code_for_device(
                    tenant_id.to_owned(),
                    device_id.to_owned(),
                    self.user_input_code(tenant_id),
                )
                .await?;
            match self.created(tenant_id, response) {
                Err(PasswordlessError::CodeGenerationFailed) => continue,
                Err(e) => return Err(e),
                Ok(created) => {
                    self.deliver(tenant_id, contact, &created).await?;
                    return Ok(created);
                }
            }
        }
        Err(PasswordlessError::CodeGenerationFailed)
    }

    /// The one device matching `filter`, if any.
    pub(crate) async fn device(
        &self,
        tenant_id: &str,
        filter: CodesFilter,
    ) -> Result<Option<DeviceInfo>, CoreError> {
        let mut devices = self
            .inner
            .functions
            .list_codes(tenant_id.to_owned(), filter)
            .await?;
        Ok(if devices.len() == 1 {
            devices.pop()
        } else {
            None
        })
    }

    /// Sends a created code to a contact.
    pub(crate) async fn deliver(
        &self,
        tenant_id: &str,
        contact: &Contact,
        created: &CreatedCode,
    ) -> Result<(), PasswordlessError> {
        let message = LoginMessage {
            to: contact.value().to_owned(),
            user_input_code: self
                .inner
                .flow
                .has_user_input_code()
                .then(|| created.user_input_code.clone()),
            url_with_link_code: created.magic_link.clone(),
            code_lifetime: created.code_lifetime,
            pre_auth_session_id: created.pre_auth_session_id.clone(),
            tenant_id: tenant_id.to_owned(),
            app_name: self.inner.app_info.app_name.clone(),
        };
        match contact {
            Contact::Phone(_) => {
                let sms = self
                    .inner
                    .sms
                    .as_ref()
                    .ok_or(PasswordlessError::NoDelivery("SMS"))?;
                sms.send_sms(&message).await?;
            }
            Contact::Email(_) => {
                let email = self
                    .inner
                    .email
                    .as_ref()
                    .ok_or(PasswordlessError::NoDelivery("e-mail"))?;
                email.send_email(&message).await?;
            }
        }
        Ok(())
    }

    /// Consumes a code (`device_id` + `user_input_code`) or a link code; signs the user in or up
    /// on the core. No session is created: see [`SessionRecipe::create_new_session`] for that.
    ///
    /// [`SessionRecipe::create_new_session`]: crate::session::SessionRecipe::create_new_session
    pub async fn consume_code(
        &self,
        tenant_id: &str,
        request: ConsumeCodeRequest,
    ) -> Result<ConsumeCodeResponse, CoreError> {
        self.inner
            .functions
            .consume_code(tenant_id.to_owned(), request)
            .await
    }

    /// A magic link for a contact, without sending it (e.g. for an invitation you send
    /// yourself). The link signs in whoever opens it, until it expires.
    pub async fn create_magic_link(
        &self,
        tenant_id: &str,
        contact: Contact,
    ) -> Result<String, PasswordlessError> {
        let created = self.create_code(tenant_id, contact).await?;
        Ok(created.magic_link.clone().unwrap_or_else(|| {
            self.magic_link(tenant_id, &created.pre_auth_session_id, &created.link_code)
        }))
    }

    /// Signs a contact in (or up) on the server, without any message: creates a code and
    /// consumes it at once. No session is created.
    pub async fn sign_in_up(
        &self,
        tenant_id: &str,
        contact: Contact,
    ) -> Result<SignedInUp, PasswordlessError> {
        let created = self.create_code(tenant_id, contact).await?;
        let request = if self.inner.flow == FlowType::MagicLink {
            ConsumeCodeRequest {
                pre_auth_session_id: created.pre_auth_session_id.clone(),
                link_code: Some(created.link_code.clone()),
                ..ConsumeCodeRequest::default()
            }
        } else {
            ConsumeCodeRequest {
                pre_auth_session_id: created.pre_auth_session_id.clone(),
                device_id: Some(created.device_id.clone()),
                user_input_code: Some(created.user_input_code.clone()),
                ..ConsumeCodeRequest::default()
            }
        };
        match self.consume_code(tenant_id, request).await? {
            ConsumeCodeResponse::Ok {
                created_new_user,
                user,
                recipe_user_id,
                ..
            } => Ok(SignedInUp {
                created_new_user,
                user,
                recipe_user_id,
            }),
            ConsumeCodeResponse::RestartFlow => Err(PasswordlessError::RestartFlow),
            other => Err(PasswordlessError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Revokes every code of a contact (as given: e-mails trimmed, phones in E.164).
    pub async fn revoke_all_codes(
        &self,
        tenant_id: &str,
        contact: Contact,
    ) -> Result<(), CoreError> {
        self.inner
            .functions
            .revoke_all_codes(tenant_id.to_owned(), Self::normalise(contact))
            .await
    }

    /// Revokes one code.
    pub async fn revoke_code(&self, tenant_id: &str, code_id: &str) -> Result<(), CoreError> {
        self.inner
            .functions
            .revoke_code(tenant_id.to_owned(), code_id.to_owned())
            .await
    }

    /// Lists devices and their code ids (never the codes).
    pub async fn list_codes(
        &self,
        tenant_id: &str,
        filter: CodesFilter,
    ) -> Result<Vec<DeviceInfo>, CoreError> {
        self.inner
            .functions
            .list_codes(tenant_id.to_owned(), filter)
            .await
    }

    /// A user by id.
    pub async fn get_user_by_id(&self, user_id: &str) -> Result<Option<User>, CoreError> {
        self.inner.functions.get_user(user_id.to_owned()).await
    }

    /// The passwordless user with this e-mail address in a tenant.
    pub async fn get_user_by_email(
        &self,
        tenant_id: &str,
        email: &str,
    ) -> Result<Option<User>, CoreError> {
        let email = email.trim().to_lowercase();
        let users = self
            .inner
            .functions
            .users_by_contact(tenant_id.to_owned(), Contact::Email(email.clone()))
            .await?;
        Ok(users.into_iter().find(|u| {
            u.login_methods.iter().any(|m| {
                m.recipe_id == "passwordless"
                    && m.email.as_deref().map(|e| e.trim().to_lowercase()) == Some(email.clone())
            })
        }))
    }

    /// The passwordless user with this phone number in a tenant.
    pub async fn get_user_by_phone_number(
        &self,
        tenant_id: &str,
        phone_number: &str,
    ) -> Result<Option<User>, CoreError> {
        let phone = validate::normalise_phone(phone_number);
        let users = self
            .inner
            .functions
            .users_by_contact(tenant_id.to_owned(), Contact::Phone(phone.clone()))
            .await?;
        Ok(users.into_iter().find(|u| {
            u.login_methods.iter().any(|m| {
                m.recipe_id == "passwordless" && m.phone_number.as_deref() == Some(phone.as_str())
            })
        }))
    }

    /// Changes a user's e-mail and/or phone number: `None` keeps it, `Some(None)` clears it.
    pub async fn update_user(
        &self,
        recipe_user_id: &str,
        email: Option<Option<String>>,
        phone_number: Option<Option<String>>,
    ) -> Result<UpdateUserResponse, CoreError> {
        self.inner
            .functions
            .update_user(UpdateUserRequest {
                recipe_user_id: recipe_user_id.to_owned(),
                email: email.map(|e| e.map(|e| e.trim().to_owned())),
                phone_number: phone_number.map(|p| p.map(|p| validate::normalise_phone(&p))),
            })
            .await
    }
}
