//! What the session endpoints share: minting and checking access tokens, and the session part of
//! their answers.

use std::sync::atomic::Ordering;

use axum::Json;
use serde_json::{Map, Value};
use supertokens_cdi::{SessionInfo, TokenInfo, VerifySessionResponse};

use super::db::SessionRow;
use super::jwt::{self, AccessClaims, TokenError};
use crate::http::CoreHttpError;
use crate::state::CoreState;

pub(super) type CoreResult<T> = Result<Json<T>, CoreHttpError>;

/// The session part of an answer, from the stored session.
pub(super) fn session_info(row: &SessionRow, user_data_in_jwt: Map<String, Value>) -> SessionInfo {
    SessionInfo {
        handle: row.handle.clone(),
        user_id: row.user_id.clone(),
        recipe_user_id: row.recipe_user_id.clone(),
        user_data_in_jwt,
        tenant_id: row.tenant_id.clone(),
    }
}

/// The session part of an answer, from a verified access token.
/// A verify or regenerate `OK`: the session as `claims` name it, with `user_data_in_jwt`, and
/// the new access token when one was signed.
pub(super) fn session_ok(
    claims: &AccessClaims,
    user_data_in_jwt: Map<String, Value>,
    access_token: Option<TokenInfo>,
) -> CoreResult<VerifySessionResponse> {
    Ok(Json(VerifySessionResponse::Ok {
        session: session_info_from_claims(claims, user_data_in_jwt),
        access_token,
    }))
}

pub(super) fn session_info_from_claims(
    claims: &AccessClaims,
    user_data_in_jwt: Map<String, Value>,
) -> SessionInfo {
    SessionInfo {
        handle: claims.session_handle.clone(),
        user_id: claims.sub.clone(),
        recipe_user_id: claims.rsub.clone(),
        user_data_in_jwt,
        tenant_id: claims.tenant_id.clone(),
    }
}

/// What a new access token is made of, apart from its times and key.
pub(super) struct AccessTokenSpec<'a> {
    pub(super) handle: &'a str,
    pub(super) user_id: &'a str,
    pub(super) recipe_user_id: &'a str,
    pub(super) tenant_id: &'a str,
    pub(super) refresh_token_hash1: String,
    pub(super) parent_refresh_token_hash1: Option<String>,
    pub(super) anti_csrf_token: Option<String>,
    pub(super) payload: Map<String, Value>,
    pub(super) use_static_key: bool,
    /// Keep this expiry (seconds) instead of a fresh one.
    pub(super) expiry_s: Option<i64>,
}

impl<'a> AccessTokenSpec<'a> {
    /// A new token for the stored session `row`, tied to the refresh token whose hash is
    /// `refresh_token_hash1` (and, for a child refresh token, to its parent's).
    pub(super) fn new(
        row: &'a SessionRow,
        refresh_token_hash1: String,
        parent_refresh_token_hash1: Option<String>,
        anti_csrf_token: Option<String>,
    ) -> Self {
        Self {
            handle: &row.handle,
            user_id: &row.user_id,
            recipe_user_id: &row.recipe_user_id,
            tenant_id: &row.tenant_id,
            refresh_token_hash1,
            parent_refresh_token_hash1,
            anti_csrf_token,
            payload: row.jwt_payload.clone(),
            use_static_key: row.use_static_key,
            expiry_s: None,
        }
    }

    /// A new token for the session `claims` belong to, with the same identity, refresh-token
    /// hashes and anti-CSRF token; callers change what a reissue changes.
    pub(super) fn reissue(
        claims: &'a AccessClaims,
        payload: Map<String, Value>,
        use_static_key: bool,
    ) -> Self {
        Self {
            handle: &claims.session_handle,
            user_id: &claims.sub,
            recipe_user_id: &claims.rsub,
            tenant_id: &claims.tenant_id,
            refresh_token_hash1: claims.refresh_token_hash1.clone(),
            parent_refresh_token_hash1: claims.parent_refresh_token_hash1.clone(),
            anti_csrf_token: claims.anti_csrf_token.clone(),
            payload,
            use_static_key,
            expiry_s: None,
        }
    }
}

impl CoreState {
    /// Signs a new access token issued at `now`.
    pub(super) async fn mint(
        &self,
        app: &str,
        now: i64,
        spec: AccessTokenSpec<'_>,
    ) -> Result<TokenInfo, CoreHttpError> {
        let key = (self.session.keys)
            .signing_key(&self.store, app, now, spec.use_static_key)
            .await?;
        let iat = now.div_euclid(1000);
        let exp = spec
            .expiry_s
            .unwrap_or_else(|| iat.saturating_add(self.session.access_validity_s));
        let claims = AccessClaims {
            sub: spec.user_id.to_owned(),
            rsub: spec.recipe_user_id.to_owned(),
            exp,
            iat,
            session_handle: spec.handle.to_owned(),
            refresh_token_hash1: spec.refresh_token_hash1,
            parent_refresh_token_hash1: spec.parent_refresh_token_hash1,
            anti_csrf_token: spec.anti_csrf_token,
            tenant_id: spec.tenant_id.to_owned(),
            custom: spec.payload,
        };
        let token = jwt::sign(&key, &claims).map_err(CoreHttpError::internal)?;
        Ok(TokenInfo {
            token,
            expiry: exp.saturating_mul(1000),
            created_time: iat.saturating_mul(1000),
        })
    }

    /// Checks an access token's signature against this app's keys and reads its claims.
    pub(super) async fn check_access_token(
        &self,
        app: &str,
        token: &str,
        now: i64,
    ) -> Result<Result<AccessClaims, TokenError>, CoreHttpError> {
        let unverified = match jwt::decode(token) {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        let keys = self.session.keys.app(&self.store, app, now).await?;
        let Some(key) = keys.find(&unverified.kid, now, self.session.keys.times()) else {
            return Ok(Err(TokenError::KeyNotFound));
        };
        Ok(unverified.verify(&key))
    }

    pub(super) fn refresh_expiry(&self, now: i64) -> i64 {
        now.saturating_add(self.session.refresh_validity_ms)
    }

    /// Whether this write should also delete expired sessions (at most once a minute).
    pub(super) fn cleanup_due(&self, now: i64) -> bool {
        let last = self.session.last_cleanup_ms.load(Ordering::Relaxed);
        now - last >= 60_000
            && self
                .session
                .last_cleanup_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// Whether a request's anti-CSRF token is the session's. Compared in constant time: how long a
/// refusal takes says nothing about how much of a guess was right.
pub(super) fn anti_csrf_matches(given: Option<&str>, expected: &str) -> bool {
    given.is_some_and(|given| {
        aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), expected.as_bytes())
            .is_ok()
    })
}

pub(super) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
