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
    fn into_response(self) -> Response {
        (
            self.status,
            [("content-type", "text/plain; charset=utf-8")],
            self.message,
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
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|_| CoreHttpError::bad_request("Invalid Json Input"))?;
        let error = match T::deserialize(&value) {
            Ok(parsed) => return Ok(CoreJson(parsed)),
            Err(e) => e.to_string(),
        };
        let field = offending_field::<T>(&value, &error).unwrap_or_else(|| "input".to_owned());
        Err(CoreHttpError::bad_request(format!(
            "Field name '{field}' is invalid in JSON input"
        )))
    }
}

/// The field a deserialisation error is about. serde names a missing field ("missing field
/// `x`") but not a wrongly typed one, so that one is found by leaving each field out in turn:
/// the field whose absence changes the error is the culprit. Only runs on bad input.
fn offending_field<T: DeserializeOwned>(value: &serde_json::Value, error: &str) -> Option<String> {
    if let Some(rest) = error.strip_prefix("missing field `") {
        return rest.split('`').next().map(str::to_owned);
    }
    let object = value.as_object()?;
    object.keys().find_map(|key| {
        let mut without = object.clone();
        without.remove(key);
        match T::deserialize(&serde_json::Value::Object(without)) {
            Ok(_) => Some(key.clone()),
            Err(e) if e.to_string() != error => Some(key.clone()),
            Err(_) => None,
        }
    })
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
