//! Shared by the passwordless tests: an app on an in-memory embedded core whose codes land in an
//! outbox, and a helper that drives its router like a frontend would.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::Value;
use supertokens::core::embedded_config::{Database, EmbeddedCoreConfig};
use supertokens::delivery::{DeliveryError, LoginMessage};
use supertokens::passwordless::PasswordlessConfig;
use supertokens::session::SessionConfig;
use supertokens::{Clock, Config, SuperTokens};
use tower::ServiceExt as _;

/// Every message the app "sent", by e-mail or SMS.
#[derive(Clone, Default)]
pub struct Outbox(Arc<Mutex<Vec<(Channel, LoginMessage)>>>);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Outbox {
    pub fn all(&self) -> Vec<(Channel, LoginMessage)> {
        self.0.lock().unwrap().clone()
    }

    pub fn last(&self) -> (Channel, LoginMessage) {
        self.all().pop().expect("a message was sent")
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

pub struct App {
    pub st: SuperTokens,
    pub router: Router,
    pub outbox: Outbox,
    pub clock: Clock,
}

pub const WEBSITE: &str = "http://localhost:3000";

/// An app with the given flow and contact method, send limits off, codes captured.
pub fn app(flow: &str, contact: &str) -> App {
    app_with(flow, contact, |c| c.no_send_limits())
}

/// As [`app`], with more passwordless settings.
pub fn app_with(
    flow: &str,
    contact: &str,
    more: impl FnOnce(PasswordlessConfig) -> PasswordlessConfig,
) -> App {
    let outbox = Outbox::default();
    let (email_box, sms_box) = (outbox.clone(), outbox.clone());
    let passwordless = PasswordlessConfig::new()
        .flow_type(flow)
        .contact_method(contact)
        .email_delivery(move |m: LoginMessage| {
            let b = email_box.clone();
            async move {
                b.0.lock().unwrap().push((Channel::Email, m));
                Ok::<(), DeliveryError>(())
            }
        })
        .sms_delivery(move |m: LoginMessage| {
            let b = sms_box.clone();
            async move {
                b.0.lock().unwrap().push((Channel::Sms, m));
                Ok::<(), DeliveryError>(())
            }
        });
    let mut app = app_from(more(passwordless));
    app.outbox = outbox;
    app
}

/// An app with exactly this passwordless configuration (no capturing delivery).
pub fn app_from(passwordless: PasswordlessConfig) -> App {
    let clock = Clock::system();
    let config = Config::builder()
        .app_name("Test App")
        .api_domain("http://localhost:3001")
        .website_domain(WEBSITE)
        .embedded_core(EmbeddedCoreConfig {
            database: Database::Memory,
            ..EmbeddedCoreConfig::default()
        })
        .session(SessionConfig::new())
        .passwordless(passwordless)
        .clock(clock.clone())
        .build()
        .expect("valid config");
    let st = SuperTokens::new(config).expect("instance");
    let router = st.router();
    App {
        st,
        router,
        outbox: Outbox::default(),
        clock,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: String,
}

impl App {
    /// Sends a request with a raw body (`None`: no body) and optional extra headers.
    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_owned())))
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let raw = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }

    /// POSTs JSON like web-js does (`rid`, `fdi-version`, header-mode sessions).
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.raw(
            Method::POST,
            path,
            &[
                ("rid", "passwordless"),
                ("fdi-version", "3.1,4.0,4.1,4.2"),
                ("st-auth-mode", "header"),
            ],
            Some(&body.to_string()),
        )
        .await
    }

    pub async fn get(&self, path_and_query: &str) -> Reply {
        self.raw(
            Method::GET,
            path_and_query,
            &[("rid", "passwordless")],
            None,
        )
        .await
    }

    /// createCode for a contact (`{"email":…}` or `{"phoneNumber":…}`), asserting OK; returns
    /// (deviceId, preAuthSessionId) and the message sent.
    pub async fn create_code(&self, body: Value) -> (String, String, LoginMessage) {
        let before = self.outbox.len();
        let r = self.post("/auth/signinup/code", body).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.raw);
        assert_eq!(r.body["status"], "OK", "{}", r.raw);
        assert_eq!(self.outbox.len(), before + 1, "one message per code");
        let (_, message) = self.outbox.last();
        (
            r.body["deviceId"].as_str().unwrap().to_owned(),
            r.body["preAuthSessionId"].as_str().unwrap().to_owned(),
            message,
        )
    }
}

/// The link code of a magic link (its fragment), checking the link's shape.
pub fn link_code(link: &str, pre_auth_session_id: &str, tenant: &str) -> String {
    let expected =
        format!("{WEBSITE}/auth/verify?preAuthSessionId={pre_auth_session_id}&tenantId={tenant}#");
    assert!(
        link.starts_with(&expected),
        "{link} should start with {expected}"
    );
    link[expected.len()..].to_owned()
}
