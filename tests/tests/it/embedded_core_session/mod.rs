//! The embedded core's session half, through the SDK's CDI client over both transports
//! (in-process and HTTP on loopback): access tokens, the legacy refresh rotation with theft
//! detection, revocation, regeneration, session data, signing-key rotation and bad input.
//! Every scenario runs on both transports.

mod input;
mod keys;
mod manage;
mod tokens;

use std::time::Duration;

use http::Method;
use serde_json::{Value, json};
use tests::client::Reply;
use tests::embedded_core::CoreHarness;
use tests::sign_in::SESSION;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// A request exactly as given (no client in between), over the harness's transport.
async fn call(
    core: &CoreHarness,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let request = core
        .raw
        .request(Method::from_bytes(method.as_bytes()).unwrap(), path)
        .headers(headers);
    match body {
        Some(body) => request.body(body),
        None => request,
    }
    .send()
    .await
}

/// A CDI call with the usual headers (`cdi-version: 5.4`, `rid: session`).
async fn cdi_call(core: &CoreHarness, method: &str, path: &str, body: Option<&str>) -> Reply {
    let mut headers = vec![("cdi-version", "5.4"), ("rid", "session")];
    if body.is_some() {
        headers.push(("content-type", "application/json; charset=utf-8"));
    }
    call(core, method, path, &headers, body).await
}

async fn post(core: &CoreHarness, path: &str, body: Value) -> Value {
    core.client
        .post(path, SESSION, &body)
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

async fn put(core: &CoreHarness, path: &str, body: Value) -> Value {
    core.client
        .request(http::Method::PUT, path, SESSION, &[], Some(&body))
        .await
        .unwrap_or_else(|e| panic!("PUT {path}: {e}"))
}

/// `GET path?query` (the query as written in `path`, plain values).
async fn get(core: &CoreHarness, path_and_query: &str) -> Value {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    core.client
        .get(path, SESSION, &pairs)
        .await
        .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
}

async fn create(core: &CoreHarness, user: &str, dynamic: bool, anti_csrf: bool) -> Value {
    post(
        core,
        "/public/recipe/session",
        json!({
            "userId": user,
            "userDataInJWT": {"iss": "https://api.example.com/auth", "role": "admin"},
            "userDataInDatabase": {"plan": "free"},
            "enableAntiCsrf": anti_csrf,
            "useDynamicSigningKey": dynamic,
        }),
    )
    .await
}

async fn verify(core: &CoreHarness, access_token: &str, check_database: bool) -> Value {
    post(
        core,
        "/recipe/session/verify",
        json!({
            "accessToken": access_token,
            "doAntiCsrfCheck": false,
            "enableAntiCsrf": false,
            "checkDatabase": check_database,
        }),
    )
    .await
}

async fn refresh(core: &CoreHarness, refresh_token: &str) -> Value {
    refresh_with(core, refresh_token, true).await
}

/// A refresh asking for the rotating (`dynamic`) or the static signing key.
async fn refresh_with(core: &CoreHarness, refresh_token: &str, dynamic: bool) -> Value {
    post(
        core,
        "/recipe/session/refresh",
        json!({"refreshToken": refresh_token, "enableAntiCsrf": false, "useDynamicSigningKey": dynamic}),
    )
    .await
}

/// `POST /recipe/session/regenerate`.
async fn regenerate(core: &CoreHarness, body: Value) -> Value {
    post(core, "/recipe/session/regenerate", body).await
}

/// `POST /recipe/session/remove` of these handles.
async fn remove(core: &CoreHarness, handles: &[&str]) -> Value {
    post(
        core,
        "/recipe/session/remove",
        json!({ "sessionHandles": handles }),
    )
    .await
}

/// `GET /recipe/session` of a handle.
async fn info(core: &CoreHarness, handle: &str) -> Value {
    get(core, &format!("/recipe/session?sessionHandle={handle}")).await
}

fn access(answer: &Value) -> String {
    answer["accessToken"]["token"].as_str().unwrap().to_owned()
}

fn refresh_of(answer: &Value) -> String {
    answer["refreshToken"]["token"].as_str().unwrap().to_owned()
}

fn handle(answer: &Value) -> String {
    answer["session"]["handle"].as_str().unwrap().to_owned()
}

/// The `kid`s the JWKS publishes.
fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}
