//! A passwordless app on an in-memory embedded core whose codes land in an [`Outbox`] instead
//! of being sent, driven through its router like a frontend (web-js) drives it.

use std::sync::{Arc, Mutex};

use axum::Router;
use http::StatusCode;
use serde_json::{Value, json};
use supertokens::delivery::{DeliveryError, LoginMessage};
use supertokens::passwordless::PasswordlessConfig;
use supertokens::{Clock, SuperTokens};

use crate::client::{Client, Reply};

/// The website domain of the apps (magic links point there).
pub const WEBSITE: &str = "http://localhost:3000";

/// The app name messages carry.
pub const APP_NAME: &str = "Test App";

/// Every message an app "sent", by e-mail or SMS, oldest first. Cheap to clone.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(Channel, LoginMessage)>>>);

/// How a message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// By e-mail.
    Email,
    /// By SMS.
    Sms,
}

impl Outbox {
    /// Every message so far.
    pub fn all(&self) -> Vec<(Channel, LoginMessage)> {
        self.0.lock().expect("the outbox").clone()
    }

    /// The newest message.
    ///
    /// # Panics
    /// If nothing was sent.
    pub fn last(&self) -> (Channel, LoginMessage) {
        self.all().pop().expect("a message was sent")
    }

    /// How many messages were sent.
    pub fn len(&self) -> usize {
        self.0.lock().expect("the outbox").len()
    }

    /// Whether nothing was sent.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn push(&self, channel: Channel, message: LoginMessage) {
        self.0.lock().expect("the outbox").push((channel, message));
    }
}

/// An app: the instance, its routes, the messages it sent and its clock.
pub struct App {
    /// The instance.
    pub st: SuperTokens,
    /// What requests go to (the instance's FDI routes unless replaced).
    pub router: Router,
    /// A client of `router`.
    pub client: Client,
    /// What the capturing delivery received ([`app`], [`app_with`]).
    pub outbox: Outbox,
    /// The instance's clock (tests move it forward).
    pub clock: Clock,
}

/// An app with the given flow and contact method, send limits off, codes captured.
pub fn app(flow: &str, contact: &str) -> App {
    app_with(flow, contact, PasswordlessConfig::no_send_limits)
}

/// As [`app`], with the send limits on by default and more passwordless settings.
pub fn app_with(
    flow: &str,
    contact: &str,
    more: impl FnOnce(PasswordlessConfig) -> PasswordlessConfig,
) -> App {
    let outbox = Outbox::default();
    let capture = |channel: Channel| {
        let outbox = outbox.clone();
        move |message: LoginMessage| {
            let outbox = outbox.clone();
            async move {
                outbox.push(channel, message);
                Ok::<(), DeliveryError>(())
            }
        }
    };
    let passwordless = PasswordlessConfig::new()
        .flow_type(flow.parse().expect("a flow type"))
        .contact_method(contact.parse().expect("a contact method"))
        .email_delivery(capture(Channel::Email))
        .sms_delivery(capture(Channel::Sms));
    App {
        outbox,
        ..app_from(more(passwordless))
    }
}

/// An app with exactly this passwordless configuration (no capturing delivery), on
/// `supertokens::testing::config()` named [`APP_NAME`].
///
/// # Panics
/// If the configuration is refused.
pub fn app_from(passwordless: PasswordlessConfig) -> App {
    let clock = Clock::system();
    let config = supertokens::testing::config()
        .app_name(APP_NAME)
        .passwordless(passwordless)
        .clock(clock.clone())
        .build()
        .expect("valid config");
    let st = SuperTokens::new(config).expect("instance");
    let router = st.router();
    App {
        st,
        client: Client::router(router.clone()),
        router,
        outbox: Outbox::default(),
        clock,
    }
}

impl App {
    /// Sends requests to `router` from now on.
    pub fn set_router(&mut self, router: Router) {
        self.client = Client::router(router.clone());
        self.router = router;
    }

    /// POSTs JSON like web-js does (`rid`, `fdi-version`, header-mode sessions).
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.client
            .post(path)
            .header("rid", "passwordless")
            .header("fdi-version", "3.1,4.0,4.1,4.2")
            .header("st-auth-mode", "header")
            .json(&body)
            .send()
            .await
    }

    /// GETs like web-js does (`rid`).
    pub async fn get(&self, path_and_query: &str) -> Reply {
        self.client
            .get(path_and_query)
            .header("rid", "passwordless")
            .send()
            .await
    }

    /// createCode with `body` (`{"email":…}` or `{"phoneNumber":…}`), whatever the answer.
    pub async fn send_code(&self, body: Value) -> Reply {
        self.post("/auth/signinup/code", body).await
    }

    /// consumeCode with `body` (see [`App::post`]).
    pub async fn consume(&self, body: Value) -> Reply {
        self.post("/auth/signinup/code/consume", body).await
    }

    /// consumeCode typing `user_input_code` on the device.
    pub async fn consume_code(
        &self,
        pre_auth_session_id: &str,
        device_id: &str,
        user_input_code: &str,
    ) -> Reply {
        self.consume(
            json!({"preAuthSessionId": pre_auth_session_id, "deviceId": device_id,
                            "userInputCode": user_input_code}),
        )
        .await
    }

    /// consumeCode following a magic link.
    pub async fn consume_link(&self, pre_auth_session_id: &str, link_code: &str) -> Reply {
        self.consume(json!({"preAuthSessionId": pre_auth_session_id, "linkCode": link_code}))
            .await
    }

    /// resendCode for the device.
    pub async fn resend(&self, device_id: &str, pre_auth_session_id: &str) -> Reply {
        self.post(
            "/auth/signinup/code/resend",
            json!({"deviceId": device_id, "preAuthSessionId": pre_auth_session_id}),
        )
        .await
    }

    /// createCode for a contact (`{"email":…}` or `{"phoneNumber":…}`), asserting it was sent;
    /// returns (deviceId, preAuthSessionId) and the message.
    pub async fn create_code(&self, body: Value) -> (String, String, LoginMessage) {
        let before = self.outbox.len();
        let r = self.send_code(body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["status"], "OK", "{}", r.text);
        assert_eq!(self.outbox.len(), before + 1, "one message per code");
        let (_, message) = self.outbox.last();
        let field = |name: &str| r.body[name].as_str().expect(name).to_owned();
        (field("deviceId"), field("preAuthSessionId"), message)
    }
}

/// The link code of a magic link (its fragment), checking the link's shape.
///
/// # Panics
/// If the link does not lead to the website's verify page for this attempt and tenant.
pub fn link_code(link: &str, pre_auth_session_id: &str, tenant: &str) -> String {
    let expected =
        format!("{WEBSITE}/auth/verify?preAuthSessionId={pre_auth_session_id}&tenantId={tenant}#");
    assert!(
        link.starts_with(&expected),
        "{link} should start with {expected}"
    );
    link[expected.len()..].to_owned()
}
