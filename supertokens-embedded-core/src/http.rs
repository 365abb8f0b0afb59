//! HTTP plumbing shared by the embedded core's handlers: the tenant scope of a request, JSON
//! bodies and query parameters with the core's 400 messages, error responses, and the api key a
//! request carries.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::store::StoreError;

/// The app and tenant a request is for, taken from its `/appid-<app>/<tenant>` prefix
/// (both default to `public`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scope {
    pub(crate) app_id: String,
    pub(crate) tenant_id: String,
    /// Whether the request named a tenant explicitly (app-scoped APIs reject non-public ones).
    pub(crate) explicit_tenant: bool,
}

impl Default for Scope {
    fn default() -> Self {
        Self {
            app_id: "public".into(),
            tenant_id: "public".into(),
            explicit_tenant: false,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Scope {
    type Rejection = CoreHttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Scope>().cloned().unwrap_or_default())
    }
}

/// An error answer of the core: a status and a plain-text message, as the real core sends them.
#[derive(Debug)]
pub(crate) struct CoreHttpError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl CoreHttpError {
    /// 400 with the given message.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    /// 500 "Internal Error"; the cause is logged, never sent.
    pub(crate) fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "embedded core internal error");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "Internal Error".into(),
        }
    }
}

impl From<StoreError> for CoreHttpError {
    fn from(e: StoreError) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for CoreHttpError {
    /// The message as one line of text: the real core ends its error bodies with a newline,
    /// and clients that compare bodies compare that. (Its content type is `text/html`; this
    /// core says `text/plain`, so a message that repeats request input is never rendered.)
    fn into_response(self) -> Response {
        let mut body = self.message;
        body.push('\n');
        (
            self.status,
            [("content-type", "text/plain; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

/// A JSON request body. Malformed JSON, a non-object, a missing field or a wrongly typed one is a
/// 400 with a message in the core's words, never a 500.
pub(crate) struct CoreJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CoreJson<T> {
    type Rejection = CoreHttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| CoreHttpError::bad_request("Invalid Json Input"))?;
        // Only an object is a request body (serde would also take an array for a struct).
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(CoreHttpError::bad_request("Invalid Json Input"));
        }
        if let Ok(parsed) = serde_json::from_slice::<T>(&bytes) {
            return Ok(CoreJson(parsed));
        }
        // Parsed again as a value, which takes duplicate keys (the last one wins) like the core.
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| CoreHttpError::bad_request("Invalid Json Input"))?;
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) => return Ok(CoreJson(parsed)),
            Err(e) => e,
        };
        let field = offending_field(&error).unwrap_or_else(|| "input".to_owned());
        Err(CoreHttpError::bad_request(format!(
            "Field name '{field}' is invalid in JSON input"
        )))
    }
}

/// The field a deserialisation error is about: the one serde names as missing, else the top-level
/// field the error was found under. serde itself does not name a wrongly typed field;
/// `serde_path_to_error` tracks the path while deserialising, so one pass finds it, however many
/// fields the body has.
fn offending_field(error: &serde_path_to_error::Error<serde_json::Error>) -> Option<String> {
    if let Some(rest) = error.inner().to_string().strip_prefix("missing field `") {
        return rest.split('`').next().map(str::to_owned);
    }
    match error.path().iter().next()? {
        serde_path_to_error::Segment::Map { key } => Some(key.clone()),
        _ => None,
    }
}

/// The query parameters of a GET request, with the core's 400 messages for missing ones.
#[derive(Debug, Clone, Default)]
pub(crate) struct CoreQuery(pub(crate) Vec<(String, String)>);

impl CoreQuery {
    /// The first value of `name`, if present.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or 400 "Field name 'name' is missing in GET request".
    pub(crate) fn require(&self, name: &str) -> Result<&str, CoreHttpError> {
        self.get(name).ok_or_else(|| {
            CoreHttpError::bad_request(format!("Field name '{name}' is missing in GET request"))
        })
    }

    /// A `true`/`false` parameter; `None` when absent, 400 when it is something else.
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, CoreHttpError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(CoreHttpError::bad_request(format!(
                "Field name '{name}' must be a boolean in the GET request"
            ))),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CoreQuery {
    type Rejection = CoreHttpError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(CoreQuery(
            url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

/// 403 for an app-level API called with a non-public tenant in its path.
pub(crate) fn require_public_tenant(scope: &Scope) -> Result<(), CoreHttpError> {
    if scope.explicit_tenant && scope.tenant_id != "public" {
        return Err(CoreHttpError {
            status: StatusCode::FORBIDDEN,
            message: "Only public tenantId can call this app specific API".into(),
        });
    }
    Ok(())
}

/// The api key of a request: the `api-key` header, else `Authorization: Bearer <key>` or a raw
/// `Authorization: <key>`.
pub(crate) fn api_key_of(headers: &HeaderMap) -> Option<&str> {
    if let Some(key) = headers.get("api-key").and_then(|v| v.to_str().ok()) {
        return Some(key.trim());
    }
    let auth = headers.get("authorization")?.to_str().ok()?.trim();
    Some(auth.strip_prefix("Bearer ").map(str::trim).unwrap_or(auth))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use axum::body::Body;
    use serde::{Deserialize, Deserializer};
    use serde_json::{Map, Value, json};

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Input {
        user_id: String,
        nested: Nested,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Nested {
        flag: bool,
    }

    thread_local! {
        static DESERIALISED: Cell<usize> = const { Cell::new(0) };
    }

    /// [`Input`], counting how often it is deserialised.
    #[derive(Debug)]
    struct Counted;

    impl<'de> Deserialize<'de> for Counted {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            DESERIALISED.with(|n| n.set(n.get() + 1));
            Input::deserialize(d).map(|_| Counted)
        }
    }

    async fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, String> {
        let request = Request::new(Body::from(body.to_string()));
        CoreJson::<T>::from_request(request, &())
            .await
            .map(|CoreJson(t)| t)
            .map_err(|e| e.message)
    }

    /// `fields` after `count` unrelated ones.
    fn body_with_filler(count: usize, fields: Value) -> Value {
        let mut object: Map<String, Value> =
            (0..count).map(|i| (format!("k{i}"), json!(i))).collect();
        object.extend(fields.as_object().unwrap().clone());
        Value::Object(object)
    }

    fn invalid(field: &str) -> String {
        format!("Field name '{field}' is invalid in JSON input")
    }

    #[tokio::test]
    async fn the_wrong_field_is_found_without_a_pass_per_field() {
        DESERIALISED.with(|n| n.set(0));
        let body = body_with_filler(1_000, json!({"userId": 7, "nested": {"flag": true}}));
        assert_eq!(
            parse::<Counted>(&body).await.unwrap_err(),
            invalid("userId")
        );
        let passes = DESERIALISED.with(Cell::get);
        assert!(passes <= 2, "{passes} passes over the body");
    }

    #[tokio::test]
    async fn large_and_nested_bodies_name_the_wrong_field() {
        let cases = [
            (json!({"userId": 7, "nested": {"flag": true}}), "userId"),
            (json!({"userId": "u", "nested": {"flag": "yes"}}), "nested"),
            (json!({"userId": "u", "nested": []}), "nested"),
            (json!({"userId": "u"}), "nested"),
            (json!({"userId": "u", "nested": {}}), "flag"),
            (json!({"nested": {"flag": true}}), "userId"),
        ];
        for (fields, field) in cases {
            for filler in [0, 20_000] {
                let body = body_with_filler(filler, fields.clone());
                let error = parse::<Input>(&body).await.unwrap_err();
                assert_eq!(error, invalid(field), "{fields} after {filler} fields");
            }
        }
        let fine = body_with_filler(20_000, json!({"userId": "u", "nested": {"flag": true}}));
        assert_eq!(parse::<Input>(&fine).await.unwrap().user_id, "u");
        // A duplicate key: the last one counts.
        let request = Request::new(Body::from(
            r#"{"userId": 1, "userId": "u", "nested": {"flag": false}}"#,
        ));
        let CoreJson(parsed) = CoreJson::<Input>::from_request(request, &()).await.unwrap();
        assert_eq!(parsed.user_id, "u");
    }
}
