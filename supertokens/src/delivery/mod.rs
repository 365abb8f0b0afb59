//! Delivery of one-time codes and magic links: the [`EmailDelivery`] and [`SmsDelivery`] traits,
//! and the console (development), SMTP and Twilio services.
//!
//! A delivery service receives one [`LoginMessage`] per code sent: the contact, the code and/or
//! the magic link (depending on the flow type), how long they stay valid, the device's
//! `preAuthSessionId`, the tenant and the app name. The recipe awaits the send; an error fails the
//! request with a 500 (the code stays valid, so the user can ask for it again).
//!
//! Any async closure taking a [`LoginMessage`] is a delivery service:
//!
//! ```
//! use supertokens::delivery::{DeliveryError, LoginMessage};
//! use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig};
//!
//! let config = PasswordlessConfig::new()
//!     .flow_type(FlowType::UserInputCode)
//!     .contact_method(ContactMethod::Email)
//!     .email_delivery(|message: LoginMessage| async move {
//!         // hand `message` to your mail queue here
//!         let _ = (message.to, message.user_input_code);
//!         Ok::<(), DeliveryError>(())
//!     });
//! ```

mod console;
#[cfg(feature = "smtp")]
mod smtp;
mod smtp_settings;
#[cfg(feature = "twilio")]
mod twilio;
mod twilio_settings;

use std::future::Future;
use std::time::Duration;

pub use console::ConsoleDelivery;
#[cfg(feature = "smtp")]
pub use smtp::SmtpDelivery;
pub use smtp_settings::SmtpSettings;
#[cfg(feature = "twilio")]
pub use twilio::TwilioDelivery;
pub use twilio_settings::{TWILIO_API_BASE_URL, TwilioSettings};

use crate::error::ConfigError;
use crate::future::BoxFuture;

/// One sign-in message to deliver.
///
/// Its `Debug` output hides the code and the link: they are secrets.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoginMessage {
    /// The e-mail address or the phone number (E.164) to send to.
    pub to: String,
    /// The one-time code, when the flow type includes `USER_INPUT_CODE`.
    pub user_input_code: Option<String>,
    /// The magic link, when the flow type includes `MAGIC_LINK`.
    pub url_with_link_code: Option<String>,
    /// How long the code and link stay valid.
    pub code_lifetime: Duration,
    /// The device's `preAuthSessionId` (identifies the sign-in attempt, not secret).
    pub pre_auth_session_id: String,
    /// The tenant the user signs in to.
    pub tenant_id: String,
    /// The app's name, for the message text.
    pub app_name: String,
}

impl LoginMessage {
    /// A message to `to` (for tests of your own delivery services).
    pub fn new(to: impl Into<String>, app_name: impl Into<String>) -> Self {
        Self {
            to: to.into(),
            user_input_code: None,
            url_with_link_code: None,
            code_lifetime: Duration::from_secs(600),
            pre_auth_session_id: String::new(),
            tenant_id: "public".to_owned(),
            app_name: app_name.into(),
        }
    }

    /// Sets the one-time code.
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.user_input_code = Some(code.into());
        self
    }

    /// Sets the magic link.
    #[must_use]
    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.url_with_link_code = Some(link.into());
        self
    }

    /// Sets the code lifetime.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.code_lifetime = lifetime;
        self
    }

    /// The lifetime in words, e.g. `10 minutes`.
    pub fn lifetime_text(&self) -> String {
        humanise_duration(self.code_lifetime)
    }
}

impl std::fmt::Debug for LoginMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginMessage")
            .field("to", &self.to)
            .field(
                "user_input_code",
                &self.user_input_code.as_ref().map(|_| "…"),
            )
            .field(
                "url_with_link_code",
                &self.url_with_link_code.as_ref().map(|_| "…"),
            )
            .field("code_lifetime", &self.code_lifetime)
            .field("pre_auth_session_id", &self.pre_auth_session_id)
            .field("tenant_id", &self.tenant_id)
            .field("app_name", &self.app_name)
            .finish()
    }
}

/// A message could not be delivered. The text is logged by the SDK (never sent to the client), so
/// it must not contain the code or the link; the source, when there is one, is the error that
/// caused it (the SMTP or HTTP client's, or your own service's).
///
/// ```
/// use std::error::Error as _;
/// use supertokens::delivery::DeliveryError;
///
/// let cause = std::io::Error::other("connection reset");
/// let error = DeliveryError::with_source("the mail relay hung up", cause);
/// assert_eq!(error.to_string(), "the mail relay hung up");
/// assert_eq!(error.source().unwrap().to_string(), "connection reset");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DeliveryError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl DeliveryError {
    /// A new error.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            source: None,
        }
    }

    /// A new error caused by `source`.
    pub fn with_source(
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The message, as logged.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Sends sign-in e-mails.
pub trait EmailDelivery: Send + Sync + 'static {
    /// Sends one message to `message.to`, an e-mail address.
    fn send_email<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>>;
}

/// Sends sign-in SMS.
pub trait SmsDelivery: Send + Sync + 'static {
    /// Sends one message to `message.to`, a phone number (E.164 unless a custom validator let
    /// something else through).
    fn send_sms<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>>;
}

/// Any `Fn(LoginMessage) -> impl Future<Output = Result<(), DeliveryError>>` is a delivery
/// service of both kinds.
macro_rules! deliver_with_closures {
    ($($service:ident::$send:ident),*) => {$(
        impl<F, Fut> $service for F
        where
            F: Fn(LoginMessage) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = Result<(), DeliveryError>> + Send + 'static,
        {
            fn $send<'a>(
                &'a self,
                message: &'a LoginMessage,
            ) -> BoxFuture<'a, Result<(), DeliveryError>> {
                Box::pin(self(message.clone()))
            }
        }
    )*};
}

deliver_with_closures!(EmailDelivery::send_email, SmsDelivery::send_sms);

/// A duration in words as SuperTokens' messages write it: whole seconds below a minute, whole
/// minutes below an hour, else hours with one decimal (`15 minutes`, `1 hour`, `1.5 hours`).
pub fn humanise_duration(lifetime: Duration) -> String {
    let secs = lifetime.as_secs();
    let plural = |n: &str, unit: &str, one: bool| {
        if one {
            format!("{n} {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if secs < 60 {
        plural(&secs.to_string(), "second", secs == 1)
    } else if secs < 3600 {
        let m = secs / 60;
        plural(&m.to_string(), "minute", m == 1)
    } else {
        let tenths = secs / 360;
        let text = if tenths.is_multiple_of(10) {
            (tenths / 10).to_string()
        } else {
            format!("{}.{}", tenths / 10, tenths % 10)
        };
        plural(&text, "hour", tenths == 10)
    }
}

/// The SMS text for a message, in our words: the code, the link, or both, and the lifetime.
pub(crate) fn sms_text(message: &LoginMessage) -> String {
    let app = &message.app_name;
    let lifetime = message.lifetime_text();
    match (&message.user_input_code, &message.url_with_link_code) {
        (Some(code), Some(link)) => format!(
            "{code} is your {app} sign-in code. Or sign in with this link: {link}\nValid for {lifetime}."
        ),
        (Some(code), None) => format!("{code} is your {app} sign-in code. Valid for {lifetime}."),
        (None, Some(link)) => {
            format!("Sign in to {app} with this link: {link}\nValid for {lifetime}.")
        }
        (None, None) => format!("A sign-in to {app} was requested. Valid for {lifetime}."),
    }
}

/// The error of a delivery chosen (settings under `field`) while the crate feature it needs is
/// off.
pub(crate) fn feature_off(field: &str, what: &str, feature: &str) -> ConfigError {
    ConfigError::new(
        field,
        format!(
            "{what} delivery needs the `{feature}` feature of the `supertokens` crate; \
             enable it in Cargo.toml (`features = [\"{feature}\"]`)"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_official_messages() {
        assert_eq!(
            humanise_duration(Duration::from_millis(900_000)),
            "15 minutes"
        );
        assert_eq!(humanise_duration(Duration::from_secs(600)), "10 minutes");
        assert_eq!(humanise_duration(Duration::from_secs(60)), "1 minute");
        assert_eq!(humanise_duration(Duration::from_secs(1)), "1 second");
        assert_eq!(humanise_duration(Duration::from_secs(45)), "45 seconds");
        assert_eq!(humanise_duration(Duration::from_secs(3600)), "1 hour");
        assert_eq!(humanise_duration(Duration::from_secs(5400)), "1.5 hours");
        assert_eq!(humanise_duration(Duration::from_secs(7200)), "2 hours");
    }

    #[test]
    fn debug_output_hides_code_and_link() {
        let m = LoginMessage::new("a@b.example", "App")
            .with_code("123456")
            .with_link("https://x.example/auth/verify?preAuthSessionId=p#secretlink");
        let shown = format!("{m:?}");
        assert!(!shown.contains("123456"), "{shown}");
        assert!(!shown.contains("secretlink"), "{shown}");
        assert!(shown.contains("a@b.example"));
    }

    #[test]
    fn sms_text_carries_what_the_flow_sends() {
        let m = LoginMessage::new("+14155550123", "Demo").with_code("123456");
        let t = sms_text(&m);
        assert!(
            t.contains("123456") && t.contains("Demo") && t.contains("10 minutes"),
            "{t}"
        );
        let t = sms_text(&m.clone().with_link("https://l.example/v#c"));
        assert!(
            t.contains("123456") && t.contains("https://l.example/v#c"),
            "{t}"
        );
        let mut only_link = m.with_link("https://l.example/v#c");
        only_link.user_input_code = None;
        let t = sms_text(&only_link);
        assert!(
            !t.contains("123456") && t.contains("https://l.example/v#c"),
            "{t}"
        );
    }

    #[tokio::test]
    async fn closures_are_delivery_services() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let service = move |m: LoginMessage| {
            let tx = tx.clone();
            async move {
                tx.send(m.to)
                    .map_err(|e| DeliveryError::new(e.to_string()))?;
                Ok(())
            }
        };
        let boxed: Box<dyn EmailDelivery> = Box::new(service);
        boxed
            .send_email(&LoginMessage::new("x@y.example", "App"))
            .await
            .unwrap();
        assert_eq!(rx.recv().await.as_deref(), Some("x@y.example"));
    }
}
