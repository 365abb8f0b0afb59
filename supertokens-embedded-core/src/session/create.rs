//! `POST /<tenant>/recipe/session`: a new session.

use axum::Json;
use axum::extract::State;
use supertokens_cdi::{CreateSessionRequest, CreateSessionResponse, NewSession, TokenInfo};

use super::db::{self, SessionRow};
use super::jwt;
use super::refresh_token::{self, RefreshTokenInfo, sha256_hex};
use super::tokens::{AccessTokenSpec, CoreResult, session_info, uuid};
use crate::http::{CoreHttpError, CoreJson, Scope};
use crate::state::SharedState;

const PUBLIC: &str = "public";

/// `POST /<tenant>/recipe/session`
pub(super) async fn create(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<CreateSessionRequest>,
) -> CoreResult<CreateSessionResponse> {
    jwt::refuse_protected_claims(&req.user_data_in_jwt)?;
    let app = scope.app_id.as_str();
    let now = state.clock.now_ms();
    let mut handle = uuid();
    if scope.tenant_id != PUBLIC {
        handle = format!("{handle}_{}", scope.tenant_id);
    }
    let anti_csrf_token = req.enable_anti_csrf.then(uuid);
    let keys = state.session.keys.app(&state.store, app, now).await?;
    let refresh_token = refresh_token::seal(
        keys.refresh_key(),
        &RefreshTokenInfo {
            session_handle: handle.clone(),
            user_id: req.user_id.clone(),
            parent_refresh_token_hash1: None,
            anti_csrf_token: anti_csrf_token.clone(),
        },
    )
    .ok_or_else(|| CoreHttpError::internal("cannot seal a refresh token"))?;
    let refresh_hash1 = sha256_hex(&refresh_token);
    let row = SessionRow {
        handle: handle.clone(),
        tenant_id: scope.tenant_id.clone(),
        // No account linking: the user is its own primary user.
        user_id: req.user_id.clone(),
        recipe_user_id: req.user_id.clone(),
        refresh_token_hash2: sha256_hex(&refresh_hash1),
        session_data: req.user_data_in_database,
        jwt_payload: req.user_data_in_jwt.clone(),
        expires_at: state.refresh_expiry(now),
        created_at: now,
        use_static_key: !req.use_dynamic_signing_key,
    };
    // Sign before storing: a failure leaves nothing behind.
    let access_token = state
        .mint(
            app,
            now,
            AccessTokenSpec::new(&row, refresh_hash1, None, anti_csrf_token.clone()),
        )
        .await?;
    let session = session_info(&row, row.jwt_payload.clone());
    let cleanup = state.cleanup_due(now);
    let app_id = app.to_owned();
    state
        .store
        .write(move |tx| {
            if cleanup {
                db::delete_expired(tx, now)?;
            }
            db::insert(tx, &app_id, &row)
        })
        .await?;
    Ok(Json(CreateSessionResponse::Ok(NewSession {
        session,
        access_token,
        refresh_token: TokenInfo {
            token: refresh_token,
            expiry: state.refresh_expiry(now),
            created_time: now,
        },
        anti_csrf_token,
    })))
}
