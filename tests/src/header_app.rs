//! An app as a deployment runs it (the SDK's FDI routes and a protected route, its core
//! embedded or reached over HTTP) whose one-time codes can be read back over HTTP, and a
//! [`Frontend`] that drives it in header mode, as a mobile app or web-js with
//! `tokenTransferMethod: "header"` does: sign in, call the protected route, refresh, sign out.
//!
//! The core-restart test serves it in-process; the soak (`src/bin/soak.rs`) runs it as a
//! server process of its own, so the memory measured is the app's alone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use http::StatusCode;
use serde_json::{Value, json};
use supertokens::delivery::{DeliveryError, LoginMessage};
use supertokens::embedded::EmbeddedCoreConfig;
use supertokens::passwordless::{ContactMethod, FlowType, PasswordlessConfig};
use supertokens::session::{SessionConfig, SessionContainer};
use supertokens::{Config, SuperTokens};

use crate::client::{Client, Reply};

/// Where the app's core is.
pub enum Core {
    /// Embedded, with this configuration.
    Embedded(EmbeddedCoreConfig),
    /// A core at this URL, called with this timeout.
    Remote(String, Duration),
}

/// The protected route: `{"userId": …}` with a valid session.
pub const PROTECTED: &str = "/me";

/// The route a code is read (and removed) from: `/test/code/<e-mail>`.
const CODES: &str = "/test/code";

/// The last code sent to each e-mail address not yet read back. Reading removes it, so the
/// map holds only the sign-ins in progress.
type Codes = Arc<Mutex<HashMap<String, String>>>;

/// The app's instance and its routes: FDI under `/auth`, [`PROTECTED`], and the codes.
/// Passwordless by e-mail with a one-time code and no send limits (one address signs in many
/// times a second under load), sessions as `session` configures them.
///
/// # Panics
/// If the configuration is refused.
pub fn app(core: Core, session: SessionConfig) -> (SuperTokens, Router) {
    let codes = Codes::default();
    let sent = codes.clone();
    let passwordless = PasswordlessConfig::new()
        .flow_type(FlowType::UserInputCode)
        .contact_method(ContactMethod::Email)
        .no_send_limits()
        .email_delivery(move |message: LoginMessage| {
            let sent = sent.clone();
            async move {
                let code = message.user_input_code.unwrap_or_default();
                lock(&sent).insert(message.to, code);
                Ok::<(), DeliveryError>(())
            }
        });
    let config = Config::builder()
        .app_name("Header app")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .passwordless(passwordless)
        .session(session);
    let config = match core {
        Core::Embedded(embedded) => config.embedded_core(embedded),
        Core::Remote(url, timeout) => config.connection_uri(url).core_timeout(timeout),
    };
    let st = SuperTokens::new(config.build().expect("a valid configuration")).expect("an instance");
    let router = Router::new()
        .route(PROTECTED, get(me))
        .layer(st.layer())
        .merge(
            Router::new()
                .route(&format!("{CODES}/{{email}}"), get(take_code))
                .with_state(codes),
        )
        .merge(st.router());
    (st, router)
}

async fn me(session: SessionContainer) -> Json<Value> {
    Json(json!({ "userId": session.user_id() }))
}

async fn take_code(State(codes): State<Codes>, Path(email): Path<String>) -> (StatusCode, String) {
    match lock(&codes).remove(&email) {
        Some(code) => (StatusCode::OK, code),
        None => (StatusCode::NOT_FOUND, String::new()),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The two tokens of a signed-in frontend.
#[derive(Debug, Clone)]
pub struct Tokens {
    /// `st-access-token`.
    pub access: String,
    /// `st-refresh-token`.
    pub refresh: String,
}

/// A frontend of the app in header mode.
#[derive(Clone)]
pub struct Frontend {
    client: Client,
}

impl Frontend {
    /// A frontend sending its requests through `client`.
    pub fn new(client: Client) -> Self {
        Self { client }
    }

    /// Signs `email` in (create code, read it back, consume) and returns the tokens.
    ///
    /// # Errors
    /// The first step that did not answer `200 OK` with what it should, as text.
    pub async fn sign_in(&self, email: &str) -> Result<Tokens, String> {
        let created = self
            .fdi("/auth/signinup/code", "passwordless")
            .json(&json!({ "email": email }))
            .send()
            .await;
        expect_ok("create code", &created)?;
        let code = self.client.get(&format!("{CODES}/{email}")).send().await;
        if code.status != StatusCode::OK {
            return Err(format!("no code was sent to {email}: {}", code.status));
        }
        let consumed = self
            .fdi("/auth/signinup/code/consume", "passwordless")
            .json(&json!({
                "preAuthSessionId": created.body["preAuthSessionId"],
                "deviceId": created.body["deviceId"],
                "userInputCode": code.text,
            }))
            .send()
            .await;
        expect_ok("consume code", &consumed)?;
        tokens("consume code", &consumed)
    }

    /// Calls the protected route with `access` (the reply as it is: 200, 401, …).
    pub async fn verify(&self, access: &str) -> Reply {
        self.client.get(PROTECTED).bearer(access).send().await
    }

    /// Refreshes with `refresh` (the reply as it is).
    pub async fn refresh_reply(&self, refresh: &str) -> Reply {
        self.fdi("/auth/session/refresh", "session")
            .bearer(refresh)
            .send()
            .await
    }

    /// Refreshes with `refresh` and returns the new tokens.
    ///
    /// # Errors
    /// Any answer but `200` with both tokens, as text.
    pub async fn refresh(&self, refresh: &str) -> Result<Tokens, String> {
        let reply = self.refresh_reply(refresh).await;
        if reply.status != StatusCode::OK {
            return Err(format!("refresh: {} {}", reply.status, reply.text));
        }
        tokens("refresh", &reply)
    }

    /// Signs out with `access`.
    ///
    /// # Errors
    /// Any answer but `200 OK`, as text.
    pub async fn sign_out(&self, access: &str) -> Result<(), String> {
        let reply = self
            .fdi("/auth/signout", "session")
            .bearer(access)
            .send()
            .await;
        expect_ok("sign out", &reply)
    }

    fn fdi(&self, path: &str, rid: &str) -> crate::client::RequestBuilder<'_> {
        self.client
            .post(path)
            .header("rid", rid)
            .header("fdi-version", "4.1")
            .header("st-auth-mode", "header")
    }
}

fn expect_ok(step: &str, reply: &Reply) -> Result<(), String> {
    if reply.status == StatusCode::OK && reply.body["status"] == "OK" {
        Ok(())
    } else {
        Err(format!("{step}: {} {}", reply.status, reply.text))
    }
}

fn tokens(step: &str, reply: &Reply) -> Result<Tokens, String> {
    match (
        reply.header("st-access-token"),
        reply.header("st-refresh-token"),
    ) {
        (Some(access), Some(refresh)) if !access.is_empty() && !refresh.is_empty() => {
            Ok(Tokens { access, refresh })
        }
        _ => Err(format!("{step}: no tokens in {:?}", reply.headers)),
    }
}
