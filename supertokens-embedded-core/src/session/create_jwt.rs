//! `POST /recipe/jwt`: the JWT recipe's signing. Signs any payload with the app's keys (the
//! static key unless `useStaticSigningKey` is `false`), so anyone holding the JWKS can verify it.

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::jwt;
use crate::http::{CoreHttpError, CoreJson, Scope, require_public_tenant};
use crate::state::SharedState;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CreateJwtRequest {
    payload: Map<String, Value>,
    algorithm: String,
    jwks_domain: String,
    validity: i64,
    use_static_signing_key: Option<bool>,
}

/// `POST /recipe/jwt`
pub(super) async fn create_jwt(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<CreateJwtRequest>,
) -> Result<Json<Value>, CoreHttpError> {
    if req.validity <= 0 {
        return Err(CoreHttpError::bad_request(
            "validity must be greater than or equal to 0",
        ));
    }
    require_public_tenant(&scope)?;
    if !req.algorithm.eq_ignore_ascii_case("RS256") {
        return Ok(Json(json!({"status": "UNSUPPORTED_ALGORITHM_ERROR"})));
    }
    let now = state.clock.now_ms();
    let use_static_key = req.use_static_signing_key.unwrap_or(true);
    let key = (state.session.keys)
        .signing_key(&state.store, &scope.app_id, now, use_static_key)
        .await?;
    // The payload's own `iss`, `iat` and `exp` win, as with the real core.
    let mut claims = req.payload;
    let exp = now.saturating_add(req.validity.saturating_mul(1000));
    for (name, value) in [
        ("iss", Value::String(req.jwks_domain)),
        ("iat", json!(now.div_euclid(1000))),
        ("exp", json!(exp.div_euclid(1000))),
    ] {
        claims.entry(name).or_insert(value);
    }
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": key.kid});
    let token = jwt::sign_compact(
        &key.pair,
        &URL_SAFE_NO_PAD.encode(header.to_string()),
        &URL_SAFE_NO_PAD.encode(Value::Object(claims).to_string()),
    )
    .map_err(CoreHttpError::internal)?;
    Ok(Json(json!({"status": "OK", "jwt": token})))
}
