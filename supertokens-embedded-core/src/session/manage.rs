//! The endpoints that read, change and end existing sessions: get, regenerate, remove, list a
//! user's sessions, and update the session data or the access-token payload.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value};
use supertokens_cdi::{
    GetSessionResponse, RegenerateSessionRequest, RegenerateSessionResponse, RemoveSessionsRequest,
    RemoveSessionsResponse, SessionHandlesResponse, UpdateJwtDataRequest, UpdateSessionDataRequest,
    UpdateSessionResponse,
};

use super::db::{self, JsonColumn};
use super::jwt;
use super::tokens::{AccessTokenSpec, CoreResult, session_ok};
use crate::http::{CoreHttpError, CoreJson, CoreQuery, Scope, require_public_tenant};
use crate::state::SharedState;

const NO_SESSION: &str = "Session does not exist.";

/// `GET /recipe/session?sessionHandle=`
pub(super) async fn get_session(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> CoreResult<GetSessionResponse> {
    let handle = query.require("sessionHandle")?.to_owned();
    let now = state.clock.now_ms();
    let app_id = scope.app_id.clone();
    let row = state
        .store
        .read(move |conn| db::get(conn, &app_id, &handle, now))
        .await?;
    Ok(Json(match row {
        Some(row) => GetSessionResponse::Ok {
            session_handle: row.handle,
            user_id: row.user_id,
            recipe_user_id: row.recipe_user_id,
            user_data_in_database: row.session_data,
            user_data_in_jwt: row.jwt_payload,
            expiry: row.expires_at,
            time_created: row.created_at,
            tenant_id: row.tenant_id,
        },
        None => GetSessionResponse::Unauthorised {
            message: NO_SESSION.into(),
        },
    }))
}

/// `POST /recipe/session/regenerate`: replaces the stored custom claims and, unless the given
/// token has expired, issues a token with them (same expiry, same refresh-token hashes).
pub(super) async fn regenerate(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<RegenerateSessionRequest>,
) -> CoreResult<RegenerateSessionResponse> {
    if let Some(payload) = &req.user_data_in_jwt {
        jwt::refuse_protected_claims(payload)?;
    }
    let app = scope.app_id.as_str();
    let now = state.clock.now_ms();
    // Expired tokens are accepted here (the claims still change), forged ones are not.
    let claims = match state
        .check_access_token(app, &req.access_token, now)
        .await?
    {
        Ok(c) => c,
        Err(e) => {
            return Ok(Json(RegenerateSessionResponse::Unauthorised {
                message: e.message(),
            }));
        }
    };
    let (app_id, handle, new_payload) = (
        app.to_owned(),
        claims.session_handle.clone(),
        req.user_data_in_jwt,
    );
    let row = state
        .store
        .write(move |tx| {
            let Some(mut row) = db::get(tx, &app_id, &handle, now)? else {
                return Ok(None);
            };
            if let Some(payload) = new_payload {
                db::update_json(
                    tx,
                    &app_id,
                    None,
                    &handle,
                    JsonColumn::JwtPayload,
                    &payload,
                    now,
                )?;
                row.jwt_payload = payload;
            }
            Ok(Some(row))
        })
        .await?;
    let Some(row) = row else {
        return Ok(Json(RegenerateSessionResponse::Unauthorised {
            message: NO_SESSION.into(),
        }));
    };
    if claims.exp.saturating_mul(1000) < now {
        // The client has to refresh anyway; the new token will carry the new claims.
        return session_ok(&claims, row.jwt_payload, None);
    }
    let access_token = state
        .mint(
            app,
            now,
            // New claims, same lifetime.
            AccessTokenSpec {
                expiry_s: Some(claims.exp),
                ..AccessTokenSpec::reissue(&claims, row.jwt_payload.clone(), row.use_static_key)
            },
        )
        .await?;
    session_ok(&claims, row.jwt_payload, Some(access_token))
}

/// `POST [/<tenant>]/recipe/session/remove`
pub(super) async fn remove(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<RemoveSessionsRequest>,
) -> CoreResult<RemoveSessionsResponse> {
    let app_id = scope.app_id.clone();
    let removed = match (req.session_handles, req.user_id) {
        (Some(handles), None) => {
            state
                .store
                .write(move |tx| db::delete_handles(tx, &app_id, &handles))
                .await?
        }
        (None, Some(user_id)) => {
            let across_all = req.revoke_across_all_tenants.unwrap_or(true);
            if across_all {
                require_public_tenant(&scope)?;
            }
            let tenant = (!across_all).then(|| scope.tenant_id.clone());
            state
                .store
                .write(move |tx| {
                    let handles =
                        db::handles_of_user(tx, &app_id, &user_id, tenant.as_deref(), None)?;
                    db::delete_handles(tx, &app_id, &handles)
                })
                .await?
        }
        _ => {
            return Err(CoreHttpError::bad_request(
                "Invalid JSON input - use one of userId or sessionHandles array",
            ));
        }
    };
    Ok(Json(RemoveSessionsResponse::Ok {
        session_handles_revoked: removed,
    }))
}

/// `GET [/<tenant>]/recipe/session/user?userId=`
pub(super) async fn user_sessions(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> CoreResult<SessionHandlesResponse> {
    let user_id = query.require("userId")?.to_owned();
    let across_all = query.bool("fetchAcrossAllTenants")?.unwrap_or(true);
    // No account linking: a user's linked accounts are the user alone.
    query.bool("fetchSessionsForAllLinkedAccounts")?;
    if across_all {
        require_public_tenant(&scope)?;
    }
    let tenant = (!across_all).then(|| scope.tenant_id.clone());
    let now = state.clock.now_ms();
    let app_id = scope.app_id.clone();
    let session_handles = state
        .store
        .read(move |conn| {
            db::handles_of_user(conn, &app_id, &user_id, tenant.as_deref(), Some(now))
        })
        .await?;
    Ok(Json(SessionHandlesResponse::Ok { session_handles }))
}

fn update_outcome(updated: bool) -> UpdateSessionResponse {
    if updated {
        UpdateSessionResponse::Ok
    } else {
        UpdateSessionResponse::Unauthorised {
            message: NO_SESSION.into(),
        }
    }
}

/// `PUT /recipe/session/data`
pub(super) async fn update_session_data(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<UpdateSessionDataRequest>,
) -> CoreResult<UpdateSessionResponse> {
    let (handle, data) = (req.session_handle, req.user_data_in_database);
    update_json(
        &state,
        scope.app_id,
        None,
        handle,
        JsonColumn::SessionData,
        data,
    )
    .await
}

/// `PUT /<tenant>/recipe/jwt/data`: the claims go into tokens issued from now on.
pub(super) async fn update_jwt_data(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<UpdateJwtDataRequest>,
) -> CoreResult<UpdateSessionResponse> {
    jwt::refuse_protected_claims(&req.user_data_in_jwt)?;
    let (handle, claims) = (req.session_handle, req.user_data_in_jwt);
    let tenant = Some(scope.tenant_id);
    update_json(
        &state,
        scope.app_id,
        tenant,
        handle,
        JsonColumn::JwtPayload,
        claims,
    )
    .await
}

/// Replaces a JSON column of a live session (of `tenant`, when given).
async fn update_json(
    state: &SharedState,
    app_id: String,
    tenant: Option<String>,
    handle: String,
    column: JsonColumn,
    value: Map<String, Value>,
) -> CoreResult<UpdateSessionResponse> {
    let now = state.clock.now_ms();
    let updated = state
        .store
        .write(move |tx| {
            db::update_json(tx, &app_id, tenant.as_deref(), &handle, column, &value, now)
        })
        .await?;
    Ok(Json(update_outcome(updated)))
}
