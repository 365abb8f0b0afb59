//! `POST /recipe/session/refresh`: the legacy refresh-token rotation, with theft detection.

use axum::Json;
use axum::extract::State;
use supertokens_cdi::{NewSession, RefreshSessionResponse, TheftInfo, TokenInfo};

use super::db::{self, SessionRow};
use super::refresh_token::{self, RefreshTokenInfo, sha256_hex};
use super::tokens::{AccessTokenSpec, CoreResult, anti_csrf_matches, session_info, uuid};
use crate::cdi_version::CdiVersion;
use crate::http::{CoreHttpError, CoreJson, Scope};
use crate::state::SharedState;

/// `POST /recipe/session/refresh` as read here: `useDynamicSigningKey` may be absent before
/// CDI 5.0.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RefreshBody {
    refresh_token: String,
    #[serde(default)]
    anti_csrf_token: Option<String>,
    enable_anti_csrf: bool,
    #[serde(default)]
    use_dynamic_signing_key: Option<bool>,
}

/// What a refresh found in the database.
enum Rotation {
    /// The token is (now) the session's parent token: issue a child.
    Parent(SessionRow),
    Gone,
    Theft(TheftInfo),
}

/// `POST /recipe/session/refresh`: the legacy rotation (CDI ≤ 5.5).
///
/// The database holds `sha256(sha256(RT))` of the parent token only. Refreshing with the parent
/// issues a child RT′ and leaves the database as it is; the child becomes the parent (is
/// promoted) when it is itself refreshed or when its access token is first verified. Any other
/// token of the session is a reuse of a superseded token: token theft. The core reports it and
/// leaves the revocation to the caller.
pub(super) async fn refresh(
    State(state): State<SharedState>,
    scope: Scope,
    version: CdiVersion,
    CoreJson(req): CoreJson<RefreshBody>,
) -> CoreResult<RefreshSessionResponse> {
    // Required from CDI 5.0; before, a refresh keeps the session's kind of key.
    if req.use_dynamic_signing_key.is_none() && version.at_least(5, 0) {
        return Err(CoreHttpError::bad_request(
            "Field name 'useDynamicSigningKey' is invalid in JSON input",
        ));
    }
    let unauthorised = |message: &str| {
        Ok(Json(RefreshSessionResponse::Unauthorised {
            message: message.into(),
        }))
    };
    let app = scope.app_id.as_str();
    let now = state.clock.now_ms();
    let keys = state.session.keys.app(&state.store, app, now).await?;
    let Some(info) = refresh_token::open(keys.refresh_key(), &req.refresh_token) else {
        return unauthorised("Invalid refresh token");
    };
    if req.enable_anti_csrf
        && let Some(expected) = &info.anti_csrf_token
        && !anti_csrf_matches(req.anti_csrf_token.as_deref(), expected)
    {
        return unauthorised("Anti CSRF token missing, or not matching");
    }
    let requested_static_key = req.use_dynamic_signing_key.map(|dynamic| !dynamic);
    let hash1 = sha256_hex(&req.refresh_token);
    let hash2 = sha256_hex(&hash1);
    let refresh_expiry = state.refresh_expiry(now);
    let app_id = app.to_owned();
    let handle = info.session_handle.clone();
    let parent = info.parent_refresh_token_hash1.clone();
    let rotation = state
        .store
        .write(move |tx| {
            let Some(mut row) = db::get(tx, &app_id, &handle, now)? else {
                return Ok(Rotation::Gone);
            };
            let use_static_key = requested_static_key.unwrap_or(row.use_static_key);
            if row.refresh_token_hash2 == hash2 {
                if row.use_static_key != use_static_key {
                    db::update_rotation(
                        tx,
                        &app_id,
                        &handle,
                        &hash2,
                        row.expires_at,
                        use_static_key,
                    )?;
                    row.use_static_key = use_static_key;
                }
                return Ok(Rotation::Parent(row));
            }
            if parent
                .as_deref()
                .is_some_and(|p| sha256_hex(p) == row.refresh_token_hash2)
            {
                // The child's first refresh: it becomes the parent, then gets a child itself.
                db::update_rotation(tx, &app_id, &handle, &hash2, refresh_expiry, use_static_key)?;
                row.refresh_token_hash2 = hash2;
                row.expires_at = refresh_expiry;
                row.use_static_key = use_static_key;
                return Ok(Rotation::Parent(row));
            }
            Ok(Rotation::Theft(TheftInfo {
                handle: row.handle,
                user_id: row.user_id,
                recipe_user_id: row.recipe_user_id,
            }))
        })
        .await?;
    let row = match rotation {
        Rotation::Parent(row) => row,
        Rotation::Gone => return unauthorised("Session missing in db or has expired"),
        Rotation::Theft(session) => {
            tracing::warn!(session_handle = %session.handle, "refresh token reuse: token theft detected");
            return Ok(Json(RefreshSessionResponse::TokenTheftDetected { session }));
        }
    };
    let anti_csrf_token = req.enable_anti_csrf.then(uuid);
    let child = refresh_token::seal(
        keys.refresh_key(),
        &RefreshTokenInfo {
            session_handle: row.handle.clone(),
            user_id: row.recipe_user_id.clone(),
            parent_refresh_token_hash1: Some(hash1.clone()),
            anti_csrf_token: anti_csrf_token.clone(),
        },
    )
    .ok_or_else(|| CoreHttpError::internal("cannot seal a refresh token"))?;
    let access_token = state
        .mint(
            app,
            now,
            AccessTokenSpec::new(
                &row,
                sha256_hex(&child),
                Some(hash1),
                anti_csrf_token.clone(),
            ),
        )
        .await?;
    Ok(Json(RefreshSessionResponse::Ok(NewSession {
        session: session_info(&row, row.jwt_payload.clone()),
        access_token,
        refresh_token: TokenInfo {
            token: child,
            expiry: refresh_expiry,
            created_time: now,
        },
        anti_csrf_token,
    })))
}
