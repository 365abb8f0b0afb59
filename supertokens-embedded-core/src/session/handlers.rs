//! The session endpoints of the CDI.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::db::{self, SessionRow};
use super::jwt::{self, AccessClaims, PROTECTED_FIELD_MESSAGE, TokenError};
use super::refresh_token::{self, RefreshTokenInfo, sha256_hex};
use crate::http::{CdiVersion, CoreHttpError, CoreJson, CoreQuery, Scope, require_public_tenant};
use crate::{CoreState, SharedState};
use supertokens_cdi::{
    CreateSessionRequest, CreateSessionResponse, GetSessionResponse, Jwks, NewSession,
    RefreshSessionResponse, RegenerateSessionRequest, RegenerateSessionResponse,
    RemoveSessionsRequest, RemoveSessionsResponse, SessionHandlesResponse, SessionInfo, TheftInfo,
    TokenInfo, UpdateJwtDataRequest, UpdateSessionDataRequest, UpdateSessionResponse,
    VerifySessionRequest, VerifySessionResponse,
};

const PUBLIC: &str = "public";
const NO_SESSION: &str = "Session does not exist.";

type CoreResult<T> = Result<Json<T>, CoreHttpError>;

/// The session part of an answer, from the stored session.
fn session_info(row: &SessionRow, user_data_in_jwt: Map<String, Value>) -> SessionInfo {
    SessionInfo {
        handle: row.handle.clone(),
        user_id: row.user_id.clone(),
        recipe_user_id: row.recipe_user_id.clone(),
        user_data_in_jwt,
        tenant_id: row.tenant_id.clone(),
    }
}

/// The session part of an answer, from a verified access token.
fn session_info_from_claims(
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
struct AccessTokenSpec<'a> {
    handle: &'a str,
    user_id: &'a str,
    recipe_user_id: &'a str,
    tenant_id: &'a str,
    refresh_token_hash1: String,
    parent_refresh_token_hash1: Option<String>,
    anti_csrf_token: Option<String>,
    payload: Map<String, Value>,
    use_static_key: bool,
    /// Keep this expiry (seconds) instead of a fresh one.
    expiry_s: Option<i64>,
}

impl<'a> AccessTokenSpec<'a> {
    /// A new token for the session `claims` belong to, with the same identity, refresh-token
    /// hashes and anti-CSRF token; callers change what a reissue changes.
    fn reissue(
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
    async fn mint(
        &self,
        app: &str,
        now: i64,
        spec: AccessTokenSpec<'_>,
    ) -> Result<TokenInfo, CoreHttpError> {
        let keys = &self.session.keys;
        let key = if spec.use_static_key {
            keys.static_signing_key(&self.store, app, now).await?
        } else {
            keys.dynamic_signing_key(&self.store, app, now).await?
        };
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
    async fn check_access_token(
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

    fn refresh_expiry(&self, now: i64) -> i64 {
        now.saturating_add(self.session.refresh_validity_ms)
    }

    /// Whether this write should also delete expired sessions (at most once a minute).
    fn cleanup_due(&self, now: i64) -> bool {
        let last = self.session.last_cleanup_ms.load(Ordering::Relaxed);
        now - last >= 60_000
            && self
                .session
                .last_cleanup_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `POST /<tenant>/recipe/session`
pub(super) async fn create(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<CreateSessionRequest>,
) -> CoreResult<CreateSessionResponse> {
    if jwt::has_protected_claim(&req.user_data_in_jwt) {
        return Err(CoreHttpError::bad_request(PROTECTED_FIELD_MESSAGE));
    }
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
            AccessTokenSpec {
                handle: &row.handle,
                user_id: &row.user_id,
                recipe_user_id: &row.recipe_user_id,
                tenant_id: &row.tenant_id,
                refresh_token_hash1: refresh_hash1,
                parent_refresh_token_hash1: None,
                anti_csrf_token: anti_csrf_token.clone(),
                payload: row.jwt_payload.clone(),
                use_static_key: row.use_static_key,
                expiry_s: None,
            },
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
    let claims = match state
        .check_access_token(app, &req.access_token, now)
        .await?
    {
        Ok(c) => c,
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
            Some(expected) if req.anti_csrf_token.as_ref() != Some(expected) => {
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
        let session = session_info_from_claims(&claims, claims.custom.clone());
        return Ok(Json(VerifySessionResponse::Ok {
            session,
            access_token: None,
        }));
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
        let session = session_info_from_claims(&claims, claims.custom.clone());
        return Ok(Json(VerifySessionResponse::Ok {
            session,
            access_token: None,
        }));
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
    Ok(Json(VerifySessionResponse::Ok {
        session: session_info_from_claims(&claims, row.jwt_payload),
        access_token: Some(access_token),
    }))
}

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
        && req.anti_csrf_token.as_ref() != Some(expected)
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
            AccessTokenSpec {
                handle: &row.handle,
                user_id: &row.user_id,
                recipe_user_id: &row.recipe_user_id,
                tenant_id: &row.tenant_id,
                refresh_token_hash1: sha256_hex(&child),
                parent_refresh_token_hash1: Some(hash1),
                anti_csrf_token: anti_csrf_token.clone(),
                payload: row.jwt_payload.clone(),
                use_static_key: row.use_static_key,
                expiry_s: None,
            },
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
    if req
        .user_data_in_jwt
        .as_ref()
        .is_some_and(jwt::has_protected_claim)
    {
        return Err(CoreHttpError::bad_request(PROTECTED_FIELD_MESSAGE));
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
                db::update_jwt_payload(tx, &app_id, None, &handle, &payload, now)?;
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
    let session = session_info_from_claims(&claims, row.jwt_payload.clone());
    if claims.exp.saturating_mul(1000) < now {
        // The client has to refresh anyway; the new token will carry the new claims.
        return Ok(Json(RegenerateSessionResponse::Ok {
            session,
            access_token: None,
        }));
    }
    let access_token = state
        .mint(
            app,
            now,
            // New claims, same lifetime.
            AccessTokenSpec {
                expiry_s: Some(claims.exp),
                ..AccessTokenSpec::reissue(&claims, row.jwt_payload, row.use_static_key)
            },
        )
        .await?;
    Ok(Json(RegenerateSessionResponse::Ok {
        session,
        access_token: Some(access_token),
    }))
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
    let now = state.clock.now_ms();
    let app_id = scope.app_id.clone();
    let updated = state
        .store
        .write(move |tx| {
            db::update_session_data(
                tx,
                &app_id,
                &req.session_handle,
                &req.user_data_in_database,
                now,
            )
        })
        .await?;
    Ok(Json(update_outcome(updated)))
}

/// `PUT /<tenant>/recipe/jwt/data`: the claims go into tokens issued from now on.
pub(super) async fn update_jwt_data(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<UpdateJwtDataRequest>,
) -> CoreResult<UpdateSessionResponse> {
    if jwt::has_protected_claim(&req.user_data_in_jwt) {
        return Err(CoreHttpError::bad_request(PROTECTED_FIELD_MESSAGE));
    }
    let now = state.clock.now_ms();
    let (app_id, tenant) = (scope.app_id.clone(), scope.tenant_id.clone());
    let updated = state
        .store
        .write(move |tx| {
            db::update_jwt_payload(
                tx,
                &app_id,
                Some(&tenant),
                &req.session_handle,
                &req.user_data_in_jwt,
                now,
            )
        })
        .await?;
    Ok(Json(update_outcome(updated)))
}

/// `GET /.well-known/jwks.json`: no api key, no CDI version; cached by clients until the next key
/// is published.
pub(super) async fn well_known_jwks(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Response, CoreHttpError> {
    let now = state.clock.now_ms();
    let keys = state
        .session
        .keys
        .app(&state.store, &scope.app_id, now)
        .await?;
    let times = state.session.keys.times();
    let cache = format!(
        "max-age={}, must-revalidate",
        keys.cache_seconds(now, times)
    );
    let mut response = Json(Jwks {
        keys: keys.jwks(now, times),
    })
    .into_response();
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
    let now = state.clock.now_ms();
    let keys = state
        .session
        .keys
        .app(&state.store, &scope.app_id, now)
        .await?;
    let times = state.session.keys.times();
    Ok(Json(serde_json::json!({
        "status": "OK",
        "keys": keys.jwks(now, times),
    })))
}

#[cfg(test)]
mod tests {
    //! Tenants and the user-removal hook, below the service's tenant gate (the service only
    //! lets known tenants through; here the scope is set directly).

    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use serde_json::json;
    use tower::ServiceExt as _;

    use super::*;
    use crate::Store;
    use crate::config::{Database, EmbeddedCoreConfig};
    use crate::session::SessionState;
    use supertokens_cdi::Clock;

    struct Harness {
        router: axum::Router,
        state: SharedState,
    }

    impl Harness {
        fn new() -> Self {
            let config = EmbeddedCoreConfig {
                database: Database::Memory,
                ..EmbeddedCoreConfig::default()
            };
            let clock = Clock::system();
            let store = Store::open(&config.database, super::super::MIGRATIONS).unwrap();
            let session = SessionState::new(&config, &clock, &store).unwrap();
            let state = Arc::new(CoreState {
                config,
                clock,
                store,
                session,
                passwordless: Default::default(),
            });
            Self {
                router: super::super::routes().with_state(state.clone()),
                state,
            }
        }

        async fn call(&self, tenant: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
            let mut req = Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            req.extensions_mut().insert(Scope {
                app_id: "public".into(),
                tenant_id: tenant.into(),
                explicit_tenant: tenant != PUBLIC,
            });
            let res = self.router.clone().oneshot(req).await.unwrap();
            let status = res.status().as_u16();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            let value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            (status, value)
        }

        async fn create(&self, tenant: &str, user: &str) -> Value {
            let body = json!({"userId": user, "userDataInJWT": {}, "userDataInDatabase": {},
                              "enableAntiCsrf": false});
            let (status, value) = self.call(tenant, "POST", "/recipe/session", body).await;
            assert_eq!(status, 200, "{value}");
            value
        }
    }

    fn claims_of(token: &str) -> Value {
        use base64::Engine as _;
        let part = token.split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn sessions_of_other_tenants_carry_the_tenant_in_handle_and_token() {
        let h = Harness::new();
        let created = h.create("t1", "u").await;
        let handle = created["session"]["handle"].as_str().unwrap();
        assert!(handle.ends_with("_t1"), "{handle}");
        assert_eq!(handle.len(), 36 + 3);
        assert_eq!(created["session"]["tenantId"], "t1");
        let token = created["accessToken"]["token"].as_str().unwrap();
        assert_eq!(claims_of(token)["tId"], "t1");

        // Verify and refresh are app-level: the tenant comes from the token / the session.
        let verify = json!({"accessToken": token, "doAntiCsrfCheck": false,
                            "enableAntiCsrf": false, "checkDatabase": true});
        let (_, verified) = h
            .call(PUBLIC, "POST", "/recipe/session/verify", verify)
            .await;
        assert_eq!(verified["session"]["tenantId"], "t1");
        let refresh = json!({"refreshToken": created["refreshToken"]["token"],
                             "enableAntiCsrf": false, "useDynamicSigningKey": true});
        let (_, refreshed) = h
            .call(PUBLIC, "POST", "/recipe/session/refresh", refresh)
            .await;
        assert_eq!(refreshed["session"]["tenantId"], "t1");
        assert_eq!(
            claims_of(refreshed["accessToken"]["token"].as_str().unwrap())["tId"],
            "t1"
        );
    }

    #[tokio::test]
    async fn listing_and_revoking_by_user_respect_the_tenant() {
        let h = Harness::new();
        let public = h.create(PUBLIC, "u").await["session"]["handle"].clone();
        let t1 = h.create("t1", "u").await["session"]["handle"].clone();

        let (_, all) = h
            .call(PUBLIC, "GET", "/recipe/session/user?userId=u", Value::Null)
            .await;
        assert_eq!(all["sessionHandles"].as_array().unwrap().len(), 2);
        let (_, only_t1) = h
            .call(
                "t1",
                "GET",
                "/recipe/session/user?userId=u&fetchAcrossAllTenants=false",
                Value::Null,
            )
            .await;
        assert_eq!(only_t1["sessionHandles"], json!([t1]));
        let (status, _) = h
            .call("t1", "GET", "/recipe/session/user?userId=u", Value::Null)
            .await;
        assert_eq!(status, 403, "across all tenants is for the public tenant");
        let (status, _) = h
            .call(
                "t1",
                "GET",
                "/recipe/session/user?userId=u&fetchAcrossAllTenants=maybe",
                Value::Null,
            )
            .await;
        assert_eq!(status, 400);

        let (status, _) = h
            .call(
                "t1",
                "POST",
                "/recipe/session/remove",
                json!({"userId": "u"}),
            )
            .await;
        assert_eq!(status, 403);
        let (_, removed) = h
            .call(
                "t1",
                "POST",
                "/recipe/session/remove",
                json!({"userId": "u", "revokeAcrossAllTenants": false}),
            )
            .await;
        assert_eq!(removed["sessionHandlesRevoked"], json!([t1]));
        let (_, left) = h
            .call(PUBLIC, "GET", "/recipe/session/user?userId=u", Value::Null)
            .await;
        assert_eq!(left["sessionHandles"], json!([public]));
    }

    #[tokio::test]
    async fn jwt_data_is_tenant_scoped() {
        let h = Harness::new();
        let handle = h.create("t1", "u").await["session"]["handle"].clone();
        let body = json!({"sessionHandle": handle, "userDataInJWT": {"a": 1}});
        let (_, wrong) = h
            .call(PUBLIC, "PUT", "/recipe/jwt/data", body.clone())
            .await;
        assert_eq!(wrong["status"], "UNAUTHORISED");
        let (_, right) = h.call("t1", "PUT", "/recipe/jwt/data", body).await;
        assert_eq!(right["status"], "OK");
        let (status, _) = h.call("t1", "GET", "/recipe/jwt/jwks", Value::Null).await;
        assert_eq!(status, 403);
    }

    #[tokio::test]
    async fn removing_a_user_removes_their_sessions() {
        let h = Harness::new();
        h.create(PUBLIC, "gone").await;
        h.create("t1", "gone").await;
        let kept = h.create(PUBLIC, "kept").await["session"]["handle"].clone();
        h.state
            .store
            .write(|tx| crate::on_user_removed(tx, "public", "gone"))
            .await
            .unwrap();
        let (_, gone) = h
            .call(
                PUBLIC,
                "GET",
                "/recipe/session/user?userId=gone",
                Value::Null,
            )
            .await;
        assert_eq!(gone["sessionHandles"], json!([]));
        let (_, still) = h
            .call(
                PUBLIC,
                "GET",
                "/recipe/session/user?userId=kept",
                Value::Null,
            )
            .await;
        assert_eq!(still["sessionHandles"], json!([kept]));
    }

    async fn count_sessions(h: &Harness) -> i64 {
        h.state
            .store
            .read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM session_info", [], |r| r.get(0))?))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn expired_sessions_are_deleted_lazily_by_a_later_create() {
        let h = Harness::new();
        h.create(PUBLIC, "old").await;
        assert_eq!(count_sessions(&h).await, 1);
        h.state
            .clock
            .advance(std::time::Duration::from_secs(101 * 86_400));
        h.create(PUBLIC, "new").await;
        assert_eq!(
            count_sessions(&h).await,
            1,
            "the expired session is gone, the new one stored"
        );
    }
}
