//! The SMTP and Twilio delivery services against real servers on loopback: an aiosmtpd SMTP
//! server (from the workspace's Python venv, made by `scripts/setup/python.sh`) and a local HTTP
//! server standing in for Twilio's REST API.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use supertokens::delivery::{
    EmailDelivery, LoginMessage, SmtpDelivery, SmtpSettings, TwilioSettings,
};
use supertokens::passwordless::PasswordlessConfig;
use tests::passwordless::{App, WEBSITE, app_from, link_code};
use tests::server::{Server, refusing_addr};

// --- SMTP -------------------------------------------------------------------------------------

/// An aiosmtpd server that accepts any login and prints each message as a JSON line: envelope,
/// login, and the decoded subject, text and HTML parts.
const SMTP_SERVER: &str = r#"
import asyncio, email, json, sys, warnings
warnings.simplefilter("ignore")
from email import policy
from aiosmtpd.smtp import SMTP, AuthResult

logins = []

def authenticator(server, session, envelope, mechanism, auth_data):
    logins.append([auth_data.login.decode(), auth_data.password.decode()])
    return AuthResult(success=True)

class Handler:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        print(json.dumps({
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "subject": str(msg["Subject"]),
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "login": logins[-1] if logins else None,
        }), flush=True)
        return "250 OK"

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), authenticator=authenticator, auth_require_tls=False,
                     hostname="localhost"),
        "127.0.0.1", 0)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await asyncio.sleep(120)

asyncio.run(main())
"#;

fn venv_python() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: the SMTP test needs the workspace's Python venv with aiosmtpd; run \
         `bash scripts/test.sh` (or `bash scripts/setup/python.sh`) first",
        python.display()
    );
    python
}

struct SmtpServer {
    child: Child,
    lines: BufReader<ChildStdout>,
    port: u16,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpServer {
    fn start() -> Self {
        let mut child = Command::new(venv_python())
            .arg("-c")
            .arg(SMTP_SERVER)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the aiosmtpd server");
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let port = first
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("aiosmtpd did not start: {first:?}"));
        Self { child, lines, port }
    }

    /// The next message the server received.
    async fn next_message(mut self) -> (Value, Self) {
        tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            self.lines.read_line(&mut line).unwrap();
            (serde_json::from_str(&line).expect("a JSON line"), self)
        })
        .await
        .unwrap()
    }
}

/// The part of `text` after `start`, up to the end of the line or word.
fn after<'a>(text: &'a str, start: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {text}"))
        + start.len();
    let rest = &text[from..];
    &rest[..rest.find(['\r', '\n', ' ']).unwrap_or(rest.len())]
}

/// The magic link in a message's text.
fn link_in(text: &str) -> String {
    let page = format!("{WEBSITE}/auth/verify?");
    format!("{page}{}", after(text, &page))
}

#[tokio::test]
async fn smtp_delivers_the_code_and_the_link() {
    let server = SmtpServer::start();
    let app: App = app_from(
        PasswordlessConfig::new()
            .flow_type(supertokens::passwordless::FlowType::UserInputCodeAndMagicLink)
            .contact_method(supertokens::passwordless::ContactMethod::Email)
            .no_send_limits()
            .smtp(
                SmtpSettings::new()
                    .host("127.0.0.1")
                    .port(server.port)
                    .from_name("Test Sender")
                    .from_email("no-reply@example.com")
                    .username("mailer")
                    .password("mail-secret")
                    // aiosmtpd on loopback, without a certificate.
                    .insecure_plaintext(true),
            ),
    );
    let r = app.send_code(json!({"email": "ada@example.com"})).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let pre = r.body["preAuthSessionId"].as_str().unwrap().to_owned();
    let device_id = r.body["deviceId"].as_str().unwrap().to_owned();

    let (mail, server) = server.next_message().await;
    assert_eq!(mail["mail_from"], "no-reply@example.com");
    assert_eq!(mail["rcpt_tos"], json!(["ada@example.com"]));
    assert_eq!(mail["from"], "Test Sender <no-reply@example.com>");
    assert_eq!(mail["login"], json!(["mailer", "mail-secret"]));
    assert!(
        mail["subject"].as_str().unwrap().contains("Test App"),
        "{mail}"
    );
    let text = mail["text"].as_str().expect("a text part");
    let html = mail["html"].as_str().expect("an HTML part");
    let code = after(text, "Your one-time code: ").to_owned();
    assert!(
        code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()),
        "{code}"
    );
    assert!(html.contains(&code));
    let link = link_in(text);
    let first_link_code = link_code(&link, &pre, "public");
    assert!(html.contains(&link.replace('&', "&amp;")), "{html}");
    assert!(text.contains("10 minutes"), "{text}");

    // The code from the e-mail signs in; a second e-mail's link signs in too.
    let r = app.consume_code(&pre, &device_id, &code).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let r = app.send_code(json!({"email": "ada@example.com"})).await;
    let pre2 = r.body["preAuthSessionId"].as_str().unwrap().to_owned();
    let (mail, _server) = server.next_message().await;
    let text = mail["text"].as_str().unwrap();
    let link = link_in(text);
    let link_code2 = link_code(&link, &pre2, "public");
    assert_ne!(first_link_code, link_code2);
    let r = app.consume_link(&pre2, &link_code2).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    assert_eq!(r.body["createdNewRecipeUser"], false);
}

/// A server that offers no STARTTLS (aiosmtpd without a certificate) gets nothing, not even the
/// login, unless plaintext is asked for.
#[tokio::test]
async fn smtp_needs_starttls_unless_plaintext_is_asked_for() {
    let server = SmtpServer::start();
    let settings = SmtpSettings::new()
        .host("127.0.0.1")
        .port(server.port)
        .from_email("no-reply@example.com");
    let strict = SmtpDelivery::new(
        &settings.clone().username("mailer").password("mail-secret"),
        "Test App",
    )
    .unwrap();
    let error = strict
        .send_email(&LoginMessage::new("ada@example.com", "Test App").with_code("123456"))
        .await
        .expect_err("no STARTTLS, no e-mail");
    let message = error.to_string();
    assert!(message.contains("STARTTLS"), "{message}");
    assert!(message.contains("insecure_plaintext(true)"), "{message}");
    assert!(!message.contains("mail-secret"), "{message}");

    // The first message the server gets is the one sent in plaintext on purpose, without a login.
    let plain = SmtpDelivery::new(&settings.insecure_plaintext(true), "Test App").unwrap();
    plain
        .send_email(&LoginMessage::new("bob@example.com", "Test App").with_code("654321"))
        .await
        .unwrap();
    let (mail, _server) = server.next_message().await;
    assert_eq!(mail["rcpt_tos"], json!(["bob@example.com"]));
    assert_eq!(mail["login"], Value::Null);
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_a_clean_500() {
    let port = refusing_addr().port();
    let app = app_from(
        PasswordlessConfig::new()
            .flow_type(supertokens::passwordless::FlowType::UserInputCode)
            .contact_method(supertokens::passwordless::ContactMethod::Email)
            .smtp(
                SmtpSettings::new()
                    .host("127.0.0.1")
                    .port(port)
                    .from_email("no-reply@example.com"),
            ),
    );
    let r = app.send_code(json!({"email": "ada@example.com"})).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body, json!({"message": "Internal server error"}));
}

// --- Twilio -----------------------------------------------------------------------------------

/// A stand-in for Twilio's API: records each request, answers like Twilio (201 + JSON), or with
/// Twilio's error shape when the body asks for the magic number `+15005550001`.
struct Twilio {
    server: Server,
    requests: Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
}

impl Twilio {
    async fn start() -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(
                    |State(requests): State<Arc<Mutex<Vec<_>>>>, uri: http::Uri, headers: HeaderMap, body: String| async move {
                        let invalid = body.contains("To=%2B15005550001");
                        requests.lock().unwrap().push((uri.path().to_owned(), headers, body));
                        if invalid {
                            (
                                StatusCode::BAD_REQUEST,
                                axum::Json(json!({"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400})),
                            )
                        } else {
                            (StatusCode::CREATED, axum::Json(json!({"sid": "SM123", "status": "queued"})))
                        }
                    },
                ),
            )
            .with_state(requests.clone());
        Self {
            server: Server::serve(app).await,
            requests,
        }
    }

    /// The newest request: path, headers and body.
    fn last(&self) -> (String, HeaderMap, String) {
        self.requests
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("Twilio was called")
    }
}

fn form(body: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).unwrap()
    }
    body.split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-auth-token";

/// A USER_INPUT_CODE / PHONE app sending through the Twilio stand-in from `+15005550006`.
async fn twilio_app(more: impl FnOnce(PasswordlessConfig) -> PasswordlessConfig) -> (App, Twilio) {
    let twilio = Twilio::start().await;
    let config = PasswordlessConfig::new()
        .flow_type(supertokens::passwordless::FlowType::UserInputCode)
        .contact_method(supertokens::passwordless::ContactMethod::Phone)
        .no_send_limits()
        .twilio(
            TwilioSettings::new()
                .account_sid(SID)
                .auth_token(TOKEN)
                .from("+15005550006")
                .api_base_url(twilio.server.url()),
        );
    (app_from(more(config)), twilio)
}

#[tokio::test]
async fn twilio_sends_the_code_with_basic_auth_and_form_fields() {
    let (app, twilio) = twilio_app(|c| c).await;
    let r = app
        .send_code(json!({"phoneNumber": "+1 415 555 2671"}))
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let (path, headers, body) = twilio.last();
    assert_eq!(path, format!("/2010-04-01/Accounts/{SID}/Messages.json"));
    assert_eq!(
        headers["authorization"],
        format!("Basic {}", STANDARD.encode(format!("{SID}:{TOKEN}"))).as_str()
    );
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    let fields = form(&body);
    let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["To", "From", "Body"]);
    assert_eq!(fields[0].1, "+14155552671");
    assert_eq!(fields[1].1, "+15005550006");
    let text = &fields[2].1;
    assert!(
        text.contains("Test App") && text.contains("10 minutes"),
        "{text}"
    );
    let code: String = text.chars().take(6).collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
    let field = |name: &str| r.body[name].as_str().unwrap().to_owned();
    let r = app
        .consume_code(&field("preAuthSessionId"), &field("deviceId"), &code)
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn twilio_with_a_messaging_service_and_magic_links() {
    let twilio = Twilio::start().await;
    let mg = "MG0123456789abcdef0123456789abcdef";
    let app = app_from(
        PasswordlessConfig::new()
            .flow_type(supertokens::passwordless::FlowType::MagicLink)
            .contact_method(supertokens::passwordless::ContactMethod::EmailOrPhone)
            .no_send_limits()
            .console_email()
            .twilio(
                TwilioSettings::new()
                    .account_sid(SID)
                    .auth_token(TOKEN)
                    .messaging_service_sid(mg)
                    .api_base_url(twilio.server.url()),
            ),
    );
    let r = app.send_code(json!({"phoneNumber": "+36701234567"})).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let pre = r.body["preAuthSessionId"].as_str().unwrap().to_owned();
    let (_, _, body) = twilio.last();
    let fields = form(&body);
    assert_eq!(fields[0], ("To".to_owned(), "+36701234567".to_owned()));
    assert_eq!(fields[1], ("MessagingServiceSid".to_owned(), mg.to_owned()));
    assert!(!fields.iter().any(|(k, _)| k == "From"));
    let text = &fields[2].1;
    let link = link_in(text);
    let code = link_code(&link, &pre, "public");
    let r = app.consume_link(&pre, &code).await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
}

#[tokio::test]
async fn a_twilio_refusal_is_a_clean_500_without_secrets() {
    let (app, twilio) = twilio_app(|c| c.validate_phone_number(|_: &str, _: &str| Ok(()))).await;
    let r = app.send_code(json!({"phoneNumber": "+15005550001"})).await;
    assert_eq!(twilio.requests.lock().unwrap().len(), 1);
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body, json!({"message": "Internal server error"}));
    assert!(!r.text.contains(TOKEN));
}

#[test]
fn twilio_needs_exactly_one_sender() {
    let both = supertokens::testing::config()
        .passwordless(
            PasswordlessConfig::new()
                .flow_type(supertokens::passwordless::FlowType::UserInputCode)
                .contact_method(supertokens::passwordless::ContactMethod::Phone)
                .twilio(
                    TwilioSettings::new()
                        .account_sid(SID)
                        .auth_token(TOKEN)
                        .from("+15005550006")
                        .messaging_service_sid("MG0123456789abcdef0123456789abcdef"),
                ),
        )
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        both.contains("passwordless.twilio.from") && both.contains("exactly one sender"),
        "{both}"
    );
    let neither = supertokens::testing::config()
        .passwordless(
            PasswordlessConfig::new()
                .flow_type(supertokens::passwordless::FlowType::UserInputCode)
                .contact_method(supertokens::passwordless::ContactMethod::Phone)
                .twilio(TwilioSettings::new().account_sid(SID).auth_token(TOKEN)),
        )
        .build()
        .unwrap_err()
        .to_string();
    assert!(neither.contains("exactly one sender"), "{neither}");
}
