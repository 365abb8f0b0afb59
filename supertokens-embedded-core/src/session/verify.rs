//! `POST /recipe/session/verify`: checks an access token, promotes a child refresh token on its
//! first use, and reissues a token whose payload is stale.

use axum::Json;
use axum::extract::State;
use supertokens_cdi::{VerifySessionRequest, VerifySessionResponse};

use super::db;
use super::refresh_token::sha256_hex;
use super::tokens::{AccessTokenSpec, CoreResult, anti_csrf_matches, session_ok};
use crate::http::{CoreJson, Scope};
use crate::state::SharedState;

/// `POST /recipe/session/verify`
pub(super) async fn verify(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<VerifySessionRequest>,
) -> CoreResult<VerifySessionResponse> {
    let try_refresh =
        |message: String| Ok(Json(VerifySessionResponse::TryRefreshToken { message }));
    let app = scope.app_id.as_str();
    let now = state.clock.now_ms();
    let checked = state
        .check_access_token(app, &req.access_token, now)
        .await?;
    let claims = match checked {
        Ok(claims) => claims,
        Err(e) => return try_refresh(e.message()),
    };
    if claims.exp.saturating_mul(1000) < now {
        return try_refresh("Access token expired".into());
    }
    if req.enable_anti_csrf && req.do_anti_csrf_check {
        match &claims.anti_csrf_token {
            None => {
                return try_refresh(
                    "Access token does not contain all the information. Maybe the structure has changed?"
                        .into(),
                );
            }
            Some(expected) if !anti_csrf_matches(req.anti_csrf_token.as_deref(), expected) => {
                return try_refresh("anti-csrf check failed".into());
            }
            Some(_) => {}
        }
    }
    let mut payload_changed = false;
    if req.check_database {
        let (app_id, handle) = (app.to_owned(), claims.session_handle.clone());
        let row = state
            .store
            .read(move |conn| db::get(conn, &app_id, &handle, now))
            .await?;
        match row {
            None => {
                return Ok(Json(VerifySessionResponse::Unauthorised {
                    message: "Either the session has ended or has been blacklisted".into(),
                }));
            }
            Some(row) => payload_changed = row.jwt_payload != claims.custom,
        }
    }
    if claims.parent_refresh_token_hash1.is_none() && !payload_changed {
        return session_ok(&claims, claims.custom.clone(), None);
    }

    // The token is the first use of a child refresh token (promote it), or its payload is stale.
    let app_id = app.to_owned();
    let handle = claims.session_handle.clone();
    let parent = claims.parent_refresh_token_hash1.clone();
    let own_hash2 = sha256_hex(&claims.refresh_token_hash1);
    let refresh_expiry = state.refresh_expiry(now);
    let outcome = state
        .store
        .write(move |tx| {
            let Some(row) = db::get(tx, &app_id, &handle, now)? else {
                return Ok(None);
            };
            let promote = parent
                .as_deref()
                .is_some_and(|p| sha256_hex(p) == row.refresh_token_hash2);
            if promote {
                db::update_rotation(
                    tx,
                    &app_id,
                    &handle,
                    &own_hash2,
                    refresh_expiry,
                    row.use_static_key,
                )?;
            }
            let reissue = promote || row.refresh_token_hash2 == own_hash2 || payload_changed;
            Ok(Some((row, reissue)))
        })
        .await?;
    let Some((row, reissue)) = outcome else {
        return Ok(Json(VerifySessionResponse::Unauthorised {
            message: "Session missing in db".into(),
        }));
    };
    if !reissue {
        // An older token of the session (its refresh token was superseded): valid, unchanged.
        return session_ok(&claims, claims.custom.clone(), None);
    }
    let access_token = state
        .mint(
            app,
            now,
            // Promotion: the new token no longer names a parent refresh token.
            AccessTokenSpec {
                parent_refresh_token_hash1: None,
                ..AccessTokenSpec::reissue(&claims, row.jwt_payload.clone(), row.use_static_key)
            },
        )
        .await?;
    session_ok(&claims, row.jwt_payload, Some(access_token))
}
