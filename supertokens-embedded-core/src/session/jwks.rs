//! The public keys that verify access tokens: `/.well-known/jwks.json` and `/recipe/jwt/jwks`.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use supertokens_cdi::{Jwk, Jwks};

use crate::http::{CoreHttpError, Scope, require_public_tenant};
use crate::state::{CoreState, SharedState};

/// `GET /.well-known/jwks.json`: no api key, no CDI version; cached by clients until the next key
/// is published.
pub(super) async fn well_known_jwks(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Response, CoreHttpError> {
    let (keys, cache_seconds) = published_keys(&state, &scope).await?;
    let mut response = Json(Jwks { keys }).into_response();
    let cache = format!("max-age={cache_seconds}, must-revalidate");
    if let Ok(value) = HeaderValue::from_str(&cache) {
        response.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    Ok(response)
}

/// `GET /recipe/jwt/jwks`: the same keys, with a status.
pub(super) async fn jwt_jwks(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Json<Value>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let (keys, _) = published_keys(&state, &scope).await?;
    Ok(Json(serde_json::json!({
        "status": "OK",
        "keys": keys,
    })))
}

/// The keys published now for the app of `scope`, and for how many seconds a client may cache
/// them (until the next key is published).
async fn published_keys(
    state: &CoreState,
    scope: &Scope,
) -> Result<(Vec<Jwk>, i64), CoreHttpError> {
    let now = state.clock.now_ms();
    let keys = state
        .session
        .keys
        .app(&state.store, &scope.app_id, now)
        .await?;
    let times = state.session.keys.times();
    Ok((keys.jwks(now, times), keys.cache_seconds(now, times)))
}
