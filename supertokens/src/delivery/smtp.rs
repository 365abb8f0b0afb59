//! The SMTP e-mail service (lettre over rustls).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::AsyncSmtpTransportBuilder;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{DeliveryError, EmailDelivery, LoginMessage, SmtpSettings};
use crate::future::BoxFuture;

/// Sends sign-in e-mails over SMTP: a plain-text and an HTML part, with the code, the link, or
/// both, depending on the flow type.
///
/// The transport (TLS set-up, credentials, lettre's connection pool) is built once and shared by
/// clones, so messages reuse pooled connections. lettre's pool runs a task on the Tokio runtime:
/// it is started by [`new`](Self::new) when called inside a runtime, else by the first message.
#[derive(Clone)]
pub struct SmtpDelivery {
    from: Mailbox,
    transport: Arc<SharedTransport>,
    /// Whether the connection must upgrade with STARTTLS (for the hint when a server cannot).
    starttls_required: bool,
}

impl std::fmt::Debug for SmtpDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpDelivery")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

/// The transport's settings, and the pooled transport once started.
struct SharedTransport {
    builder: AsyncSmtpTransportBuilder,
    started: OnceLock<Started>,
}

/// A pooled transport and the runtime its pool task lives on.
struct Started {
    runtime: tokio::runtime::Handle,
    transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
}

impl Drop for Started {
    fn drop(&mut self) {
        // Dropping the pool spawns its shutdown on the current runtime: do it in the pool's own
        // runtime, wherever the last clone of the service is dropped.
        let _entered = self.runtime.enter();
        drop(self.transport.take());
    }
}

/// The subject, text body and HTML body of a sign-in e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EmailContent {
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The e-mail for `message`, in our own words.
pub(crate) fn email_content(message: &LoginMessage) -> EmailContent {
    let app = &message.app_name;
    let lifetime = message.lifetime_text();
    let subject = match (&message.user_input_code, &message.url_with_link_code) {
        (Some(_), None) => format!("Your {app} sign-in code"),
        (None, Some(_)) => format!("Your {app} sign-in link"),
        _ => format!("Sign in to {app}"),
    };
    let mut text = format!("Hello,\n\nsomeone (hopefully you) asked to sign in to {app}.\n\n");
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif;color:#222\">\
         <p>Hello,</p><p>someone (hopefully you) asked to sign in to <b>{}</b>.</p>",
        escape(app)
    );
    if let Some(code) = &message.user_input_code {
        text.push_str(&format!("Your one-time code: {code}\n\n"));
        html.push_str(&format!(
            "<p>Your one-time code:</p><p style=\"font-size:24px;letter-spacing:4px;\
             font-family:monospace;padding:8px 16px;border:1px solid #ccc;display:inline-block\">{}</p>",
            escape(code)
        ));
    }
    if let Some(link) = &message.url_with_link_code {
        let lead = if message.user_input_code.is_some() {
            "Or open this link to sign in"
        } else {
            "Open this link to sign in"
        };
        text.push_str(&format!("{lead}:\n{link}\n\n"));
        html.push_str(&format!(
            "<p>{lead}:</p><p><a href=\"{href}\" style=\"background:#1a73e8;color:#fff;\
             padding:10px 20px;text-decoration:none;border-radius:4px\">Sign in</a></p>\
             <p style=\"font-size:12px;color:#666\">If the button does not work, copy this \
             address into your browser: {href}</p>",
            href = escape(link)
        ));
    }
    text.push_str(&format!(
        "This is valid for {lifetime}. If you did not ask to sign in, you can ignore this e-mail.\n\n\
         Sent to {to}\n",
        to = message.to
    ));
    html.push_str(&format!(
        "<p>This is valid for {lifetime}. If you did not ask to sign in, you can ignore this \
         e-mail.</p><p style=\"font-size:12px;color:#666\">Sent to {}</p></body></html>",
        escape(&message.to)
    ));
    EmailContent {
        subject,
        text,
        html,
    }
}

impl SmtpDelivery {
    /// A service for `settings` (validated beforehand); `app_name` is the default sender name.
    pub fn new(settings: &SmtpSettings, app_name: &str) -> Result<Self, DeliveryError> {
        let host = settings
            .host
            .clone()
            .ok_or_else(|| DeliveryError::new("no SMTP host is set"))?;
        let from_email = settings
            .from_email
            .as_deref()
            .ok_or_else(|| DeliveryError::new("no SMTP sender address is set"))?;
        let name = settings
            .from_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| app_name.to_owned());
        let from = Mailbox::new(
            Some(name),
            from_email.parse().map_err(|e| {
                DeliveryError::with_source(format!("invalid SMTP sender address: {e}"), e)
            })?,
        );
        // Fails at start-up, not at the first sign-in, if TLS cannot be set up for this host.
        let tls_params = TlsParameters::new(host.clone()).map_err(|e| {
            DeliveryError::with_source(format!("cannot set up TLS for SMTP: {e}"), e)
        })?;
        // STARTTLS is required, not opportunistic: an on-path attacker could otherwise strip the
        // server's offer and read the codes and the password.
        let starttls_required = !settings.secure && !settings.insecure_plaintext;
        let tls = if settings.secure {
            Tls::Wrapper(tls_params)
        } else if settings.insecure_plaintext {
            tracing::warn!(
                %host,
                "SMTP without TLS (`insecure_plaintext`): e-mails and the SMTP password cross the \
                 network readable by anyone on the path; only for a local test server"
            );
            Tls::None
        } else {
            Tls::Required(tls_params)
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.effective_port())
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)));
        if let Some(password) = &settings.password {
            let user = settings
                .username
                .clone()
                .unwrap_or_else(|| from.email.to_string());
            builder = builder.credentials(Credentials::new(user, password.expose().to_owned()));
        }
        let delivery = Self {
            from,
            transport: Arc::new(SharedTransport {
                builder,
                started: OnceLock::new(),
            }),
            starttls_required,
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            delivery.start(runtime);
        }
        Ok(delivery)
    }

    fn start(&self, runtime: tokio::runtime::Handle) -> &Started {
        self.transport.started.get_or_init(|| {
            let _entered = runtime.enter();
            let transport = self.transport.builder.clone().build();
            Started {
                runtime: runtime.clone(),
                transport: Some(transport),
            }
        })
    }

    /// The pooled transport, started on the current runtime if it is not yet.
    fn transport(&self) -> Result<&AsyncSmtpTransport<Tokio1Executor>, DeliveryError> {
        let started = match self.transport.started.get() {
            Some(started) => started,
            None => self.start(tokio::runtime::Handle::try_current().map_err(|e| {
                DeliveryError::with_source("SMTP delivery needs a Tokio runtime", e)
            })?),
        };
        started
            .transport
            .as_ref()
            .ok_or_else(|| DeliveryError::new("the SMTP transport was shut down"))
    }

    fn message(&self, message: &LoginMessage) -> Result<Message, DeliveryError> {
        // A bare address only: a display-name form such as `Eve <eve@x.example>` (which a custom
        // validator might let through) must not redirect the message.
        let address: Address = message.to.parse().map_err(|e| {
            DeliveryError::with_source(format!("cannot e-mail {:?}: {e}", message.to), e)
        })?;
        let to = Mailbox::new(None, address);
        let content = email_content(message);
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(content.subject)
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_PLAIN)
                            .body(content.text),
                    )
                    .singlepart(
                        SinglePart::builder()
                            .header(ContentType::TEXT_HTML)
                            .body(content.html),
                    ),
            )
            .map_err(|e| DeliveryError::with_source(format!("cannot build the e-mail: {e}"), e))
    }
}

impl EmailDelivery for SmtpDelivery {
    fn send_email<'a>(
        &'a self,
        message: &'a LoginMessage,
    ) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let email = self.message(message)?;
            self.transport()?
                .send(email)
                .await
                .map(|_| ())
                .map_err(|e| {
                    let hint = if self.starttls_required && e.to_string().contains("STARTTLS") {
                        "; nothing was sent: STARTTLS is required unless `secure(true)` (TLS \
                         from the first byte) is set, and `insecure_plaintext(true)` is only \
                         for a local test server"
                    } else {
                        ""
                    };
                    DeliveryError::with_source(format!("SMTP delivery failed: {e}{hint}"), e)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Settings for a server on loopback (nothing is sent in these tests).
    fn loopback() -> SmtpSettings {
        SmtpSettings::new()
            .host("127.0.0.1")
            .port(2525)
            .from_email("no-reply@x.example")
    }

    #[test]
    fn content_follows_the_flow_and_escapes_html() {
        let m = LoginMessage::new("a@b.example", "<Demo>").with_code("123456");
        let c = email_content(&m);
        assert!(c.text.contains("123456") && c.html.contains("123456"));
        assert!(!c.text.contains("link"));
        assert!(c.html.contains("&lt;Demo&gt;") && !c.html.contains("<Demo>"));
        assert!(c.text.contains("10 minutes"));
        let m = m.with_link("https://x.example/auth/verify?preAuthSessionId=p&tenantId=public#l");
        let c = email_content(&m);
        assert!(
            c.text
                .contains("https://x.example/auth/verify?preAuthSessionId=p&tenantId=public#l")
        );
        assert!(c.html.contains("preAuthSessionId=p&amp;tenantId=public#l"));
        assert!(c.text.contains("123456"));
        let mut link_only = m;
        link_only.user_input_code = None;
        let c = email_content(&link_only);
        assert!(c.subject.contains("link"), "{}", c.subject);
        assert!(
            !c.text.contains("code:") && c.text.contains("Open this link"),
            "{}",
            c.text
        );
    }

    #[test]
    fn a_bad_recipient_is_an_error_not_a_panic() {
        let s = loopback();
        let d = SmtpDelivery::new(&s, "App").unwrap();
        assert!(
            d.message(&LoginMessage::new("not an address", "App"))
                .is_err()
        );
    }

    #[test]
    fn the_transport_is_built_once_and_outlives_its_runtime() {
        let s = loopback();
        // Outside a runtime, nothing is started yet.
        let lazy = SmtpDelivery::new(&s, "App").unwrap();
        assert!(lazy.transport.started.get().is_none());
        assert!(lazy.transport().is_err());

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let delivery = runtime.block_on(async { SmtpDelivery::new(&s, "App").unwrap() });
        let clone = delivery.clone();
        let first: *const _ = delivery.transport().unwrap();
        assert!(std::ptr::eq(first, clone.transport().unwrap()));
        runtime.block_on(async {
            let started: *const _ = lazy.transport().unwrap();
            assert!(std::ptr::eq(started, lazy.transport().unwrap()));
        });
        // The pool is dropped after its runtime is gone, outside any runtime: no panic.
        drop(runtime);
        drop(delivery);
        drop(clone);
        drop(lazy);
    }
}
