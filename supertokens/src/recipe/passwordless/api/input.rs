//! Reading frontend API requests: the extractors of the tenant ([`Tenant`]) and of a JSON body
//! ([`ApiPost`]), the body's fields, query parameters.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use http::Uri;
use http::request::Parts;
use serde_json::{Map, Value};

use super::error::{ApiError, bad};

/// Request bodies larger than this are refused; real ones are a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

/// The tenant of the request: the path's `{tenant}` segment, else `public`; a segment that
/// cannot be a tenant id is a 404.
pub(crate) struct Tenant(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::Internal(e.body_text()))?;
        tenant(&params).map(Tenant)
    }
}

fn tenant(params: &RawPathParams) -> Result<String, ApiError> {
    match params.iter().find(|(k, _)| *k == "tenant") {
        None => Ok("public".to_owned()),
        Some((_, t))
            if !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            Ok(t.to_owned())
        }
        Some(_) => Err(ApiError::NotFound),
    }
}

/// A POST to the API: its tenant (checked first), its parts, and its body as a JSON object.
pub(super) struct ApiPost {
    pub(super) tenant_id: String,
    pub(super) parts: Parts,
    pub(super) body: Map<String, Value>,
}

impl<S: Send + Sync> FromRequest<S> for ApiPost {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let (mut parts, body) = request.into_parts();
        let Tenant(tenant_id) = Tenant::from_request_parts(&mut parts, state).await?;
        let bytes: Bytes = axum::body::to_bytes(body, MAX_BODY)
            .await
            .map_err(|_| bad(format!("The request body is larger than {MAX_BODY} bytes")))?;
        Ok(Self {
            tenant_id,
            parts,
            body: json_object(&bytes)?,
        })
    }
}

/// The body as a JSON object: empty is `{}`; anything but an object is a 400.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad("Please send a JSON object as the request body")),
        Err(_) => Err(bad("Please send valid JSON in the request body")),
    }
}

/// A string field: absent and `null` are `None`; another type is a 400.
pub(super) fn string_field(
    body: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, ApiError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(format!("Please make sure that {name} is a string"))),
    }
}

/// `shouldTryLinkingWithSessionUser` only matters with account linking, which this SDK does not
/// have; it is still type-checked.
pub(super) fn check_linking_flag(body: &Map<String, Value>) -> Result<(), ApiError> {
    match body.get("shouldTryLinkingWithSessionUser") {
        None | Some(Value::Null | Value::Bool(_)) => Ok(()),
        Some(_) => Err(bad(
            "Please make sure that shouldTryLinkingWithSessionUser is a boolean",
        )),
    }
}

/// The first value of a query parameter (`+` decodes to a space, as in the other SDKs).
pub(super) fn query_param(uri: &Uri, name: &str) -> Option<String> {
    let query = uri.query()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(json_object(b"").unwrap().is_empty());
        assert!(json_object(b"  \n").unwrap().is_empty());
        assert!(json_object(br#"{"a":1}"#).is_ok());
        for body in [&b"false"[..], b"null", b"[]", b"\"x\"", b"{", b"1"] {
            assert!(
                matches!(json_object(body), Err(ApiError::BadInput(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn string_fields_reject_other_types() {
        let body = json_object(br#"{"email":{},"phoneNumber":null,"x":"y"}"#).unwrap();
        assert!(
            matches!(string_field(&body, "email"), Err(ApiError::BadInput(m)) if m == "Please make sure that email is a string")
        );
        assert!(matches!(string_field(&body, "phoneNumber"), Ok(None)));
        assert!(matches!(string_field(&body, "x"), Ok(Some(v)) if v == "y"));
    }

    proptest::proptest! {
        #[test]
        fn any_body_reads_without_panicking(
            body in proptest::prop_oneof![
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
                "\\PC{0,64}".prop_map(String::into_bytes),
                // JSON objects with the fields the API reads, holding any JSON type.
                (
                    proptest::sample::select(vec![
                        "email", "phoneNumber", "preAuthSessionId", "deviceId", "userInputCode",
                        "linkCode", "shouldTryLinkingWithSessionUser",
                    ]),
                    proptest::sample::select(vec![
                        "null", "true", "1", "1.5e400", "\"x\"", "[]", "{}", "\"\\ud800\"",
                    ]),
                )
                    .prop_map(|(k, v)| format!("{{\"{k}\":{v}}}").into_bytes()),
            ],
        ) {
            if let Ok(map) = json_object(&body) {
                for name in ["email", "phoneNumber", "preAuthSessionId", "deviceId"] {
                    let _ = string_field(&map, name);
                }
                let _ = check_linking_flag(&map);
            }
        }

        #[test]
        fn any_query_reads_without_panicking(query in "[ -~]{0,60}", name in "[a-zA-Z]{1,8}") {
            if let Ok(uri) = format!("/x?{query}").parse::<Uri>() {
                let _ = query_param(&uri, &name);
                let _ = query_param(&uri, "email");
            }
        }
    }
}
