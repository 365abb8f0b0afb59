//! Sessions: token transfer (cookies or headers), verification against the core's JWKS, refresh,
//! sign-out, and [`SessionContainer`], the verified session a handler receives.
//!
//! In a handler, take a [`SessionContainer`] (or `Option<SessionContainer>`) as an extractor,
//! or use `#[protected]`:
//!
//! ```
//! use supertokens::session::SessionContainer;
//!
//! async fn like_comment(session: SessionContainer) -> String {
//!     format!("liked by {}", session.user_id())
//! }
//! ```
//!
//! Access tokens are verified locally against the core's signing keys (cached, refreshed every
//! [`jwks_refresh_interval`](SessionConfig::jwks_refresh_interval) and re-fetched once when a
//! token names an unknown key), and a verified token is remembered until it expires, so the hot
//! path costs a map lookup. The core is asked only right after a refresh (the first request
//! with the new access token commits the rotation and gets a replacement token) or when
//! `check_database` is requested.
//!
//! A replacement token reaches the client through [`ResponseChanges`]: `#[protected]` handlers
//! return them with their answer, and routes under [`SuperTokens::layer`] (which
//! [`crate::router`] applies, and which you can apply to your own routes) get them written by the
//! layer. Without either, the session still works; the core is asked on every request until the
//! next refresh.

pub(crate) mod api;
mod cache;
mod config;
mod container;
mod error;
mod jwks;
mod overrides;
mod protect;
mod token;
mod transfer;

use std::sync::Arc;

use http::{HeaderMap, Method};
use serde_json::{Map, Value};

pub use config::{AntiCsrf, SameSite, SessionConfig, TokenTransfer};
pub use container::SessionContainer;
pub use error::{ClaimValidationError, SessionError, SessionErrorKind};
pub use overrides::{
    BoxFuture, CreateNewSessionInput, Func, GetSessionInput, RefreshPost, RefreshSessionInput,
    RegenerateInput, Regenerated, SessionApis, SessionFunctions, SessionInformation,
    SignOutOutcome, UserSessionsInput, VerifiedToken,
};
pub use protect::{
    ANTI_CSRF_CHECK, ANTI_CSRF_DEFAULT, ANTI_CSRF_SKIP, MaybeVerified, PendingChanges, Verified,
};
pub use transfer::ResponseChanges;

use crate::config::AppInfo;
use crate::core::CoreClient;
use crate::core::cdi;
use crate::{Clock, SuperTokens};
use config::Resolved;
use token::AccessToken;

/// State the default recipe functions work with.
pub(crate) struct Base {
    pub(crate) config: Resolved,
    pub(crate) core: CoreClient,
    pub(crate) clock: Clock,
    pub(crate) jwks: jwks::JwksCache,
    pub(crate) cache: cache::VerifiedCache,
}

/// The session recipe of an initialised SDK.
pub(crate) struct SessionRecipe {
    pub(crate) shared: Arc<Shared>,
}

/// What a [`SessionContainer`] needs from its recipe.
pub(crate) struct Shared {
    pub(crate) base: Arc<Base>,
    pub(crate) functions: SessionFunctions,
    pub(crate) apis: SessionApis,
}

/// Options of [`get_session`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct GetSessionOptions {
    /// `false`: a request without a session gives `Ok(None)` instead of an error (default true).
    pub session_required: Option<bool>,
    /// Ask the core that the session still exists (default false: local verification only).
    pub check_database: bool,
    /// Check anti-CSRF (default: for every method but GET).
    pub anti_csrf_check: Option<bool>,
}

impl GetSessionOptions {
    /// The defaults: session required, no database check, anti-CSRF by method.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a session is required.
    pub fn session_required(mut self, required: bool) -> Self {
        self.session_required = Some(required);
        self
    }

    /// Whether to ask the core that the session still exists.
    pub fn check_database(mut self, check: bool) -> Self {
        self.check_database = check;
        self
    }

    /// Whether to check anti-CSRF.
    pub fn anti_csrf_check(mut self, check: bool) -> Self {
        self.anti_csrf_check = Some(check);
        self
    }
}

impl SessionRecipe {
    pub(crate) fn new(
        config: &SessionConfig,
        app_info: &AppInfo,
        core: CoreClient,
        clock: crate::Clock,
    ) -> Result<Self, crate::Error> {
        let resolved = Resolved::new(config, app_info)
            .map_err(|e| crate::Error::Config(crate::config::ConfigErrors(e)))?;
        let base = Arc::new(Base {
            jwks: jwks::JwksCache::new(core.clone(), clock.clone(), resolved.jwks_refresh_interval),
            cache: cache::VerifiedCache::new(resolved.verified_token_cache_size),
            config: resolved,
            core,
            clock,
        });
        let mut functions = default_functions(&base);
        for f in &config.override_functions {
            functions = f(functions);
        }
        let mut apis = SessionApis::defaults();
        for f in &config.override_apis {
            apis = f(apis);
        }
        Ok(Self {
            shared: Arc::new(Shared {
                base,
                functions,
                apis,
            }),
        })
    }

    /// Creates a session for `recipe_user_id` and returns it with the response headers that
    /// carry its tokens (cookies or headers, by the request's `st-auth-mode` and the
    /// configuration).
    pub(crate) async fn create_new_session(
        &self,
        request_headers: &http::HeaderMap,
        tenant_id: &str,
        recipe_user_id: &str,
        access_token_payload: serde_json::Map<String, Value>,
        session_data_in_database: serde_json::Map<String, Value>,
    ) -> Result<(SessionContainer, ResponseChanges), SessionError> {
        let shared = &self.shared;
        let config = &shared.base.config;
        let mut payload = token::user_claims(&access_token_payload);
        payload.insert("iss".to_owned(), Value::String(config.issuer.clone()));
        let method = transfer::method_for_new_session(config, request_headers);
        if method == TokenTransfer::Cookie
            && config.same_site == SameSite::None
            && !config.cookie_secure
            && !config.both_local
        {
            return Err(SessionError::other(
                "Since your API and website domain are different, for sessions to work, please use https on your apiDomain and dont set cookieSecure to false.",
            ));
        }
        let created = (shared.functions.create_new_session)(CreateNewSessionInput {
            tenant_id: tenant_id.to_owned(),
            recipe_user_id: recipe_user_id.to_owned(),
            access_token_payload: payload,
            session_data_in_database,
            disable_anti_csrf: method == TokenTransfer::Header,
        })
        .await?;
        let mut changes = ResponseChanges::new();
        let other_carried = match method {
            TokenTransfer::Cookie => transfer::bearer(request_headers).is_some(),
            _ => transfer::cookie(request_headers, transfer::ACCESS_TOKEN_COOKIE).is_some(),
        };
        if other_carried {
            changes.clear(config, other(method));
        }
        let container = self.attach_new_session(&created, method, &mut changes)?;
        Ok((container, changes))
    }

    /// Writes a new session's tokens and builds its container.
    fn attach_new_session(
        &self,
        created: &cdi::NewSession,
        method: TokenTransfer,
        changes: &mut ResponseChanges,
    ) -> Result<SessionContainer, SessionError> {
        let base = &self.shared.base;
        let parsed = token::parse(&created.access_token.token).map_err(|e| {
            SessionError::other(format!("the core issued an unreadable access token: {e}"))
        })?;
        changes.access_token(
            &base.config,
            method,
            &created.access_token.token,
            base.clock.now_ms(),
            transfer::Front {
                user_id: &created.session.user_id,
                expiry_ms: created.access_token.expiry,
                payload: &parsed.payload,
            },
        );
        changes.refresh_token(
            &base.config,
            method,
            &created.refresh_token.token,
            created.refresh_token.expiry,
        );
        if let Some(anti_csrf) = &created.anti_csrf_token {
            changes.anti_csrf(anti_csrf);
        }
        Ok(SessionContainer::new(
            self.shared.clone(),
            VerifiedToken {
                access_token: created.access_token.token.clone(),
                access_token_updated: true,
                payload: parsed.payload,
                user_id: created.session.user_id.clone(),
                recipe_user_id: created.session.recipe_user_id.clone(),
                session_handle: created.session.handle.clone(),
                tenant_id: created.session.tenant_id.clone(),
                expiry_ms: created.access_token.expiry,
            },
            method,
            Some(created.refresh_token.token.clone()),
            created.anti_csrf_token.clone(),
            None,
        ))
    }

    /// Adds the configured statuses and, where the error asks for it, the clearing of every
    /// transfer method's tokens.
    fn contextualise(&self, error: SessionError) -> SessionError {
        let config = &self.shared.base.config;
        let mut changes = ResponseChanges::new();
        if error.clears_tokens() {
            changes.clear_all(config);
        }
        error.with_context(
            config.session_expired_status_code,
            config.invalid_claim_status_code,
            changes,
        )
    }

    /// [`Self::contextualise`] for errors raised outside the recipe's own flows.
    pub(crate) fn contextualise_public(&self, error: SessionError) -> SessionError {
        self.contextualise(error)
    }

    /// The session of a request (see [`get_session`]).
    pub(crate) async fn get_session_from_request(
        &self,
        headers: &HeaderMap,
        method: &Method,
        options: &GetSessionOptions,
        pending: Option<PendingChanges>,
    ) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
        self.get_session_inner(headers, method, options, pending)
            .await
            .map_err(|e| self.contextualise(e))
    }

    async fn get_session_inner(
        &self,
        headers: &HeaderMap,
        method: &Method,
        options: &GetSessionOptions,
        pending: Option<PendingChanges>,
    ) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
        let shared = &self.shared;
        let config = &shared.base.config;
        let required = options.session_required.unwrap_or(true);
        if *method == Method::OPTIONS || *method == Method::TRACE {
            return if required {
                Err(SessionError::unauthorised_keep_tokens(
                    "no session on OPTIONS or TRACE requests",
                ))
            } else {
                Ok((None, ResponseChanges::new()))
            };
        }
        if transfer::cookie(headers, transfer::LEGACY_ID_REFRESH_COOKIE).is_some() {
            return Err(SessionError::try_refresh_token(
                "using legacy session, please call the refresh API",
            ));
        }
        let allowed = transfer::allowed_method(config);
        // A token verified before needs no parsing; others are parsed and structure-checked,
        // and a candidate that fails is ignored (a foreign bearer token must not break cookie
        // auth).
        let now = shared.base.clock.now_ms();
        let usable = |raw: &str| -> Option<Arc<AccessToken>> {
            shared
                .base
                .cache
                .get(raw, now)
                .or_else(|| token::parse(raw).ok().map(Arc::new))
        };
        let mut picked: Option<(Arc<AccessToken>, TokenTransfer)> = None;
        if allowed != TokenTransfer::Cookie
            && let Some(raw) = transfer::bearer(headers)
            && let Some(t) = usable(&raw)
        {
            picked = Some((t, TokenTransfer::Header));
        }
        if picked.is_none()
            && allowed != TokenTransfer::Header
            && let Some(raw) = transfer::cookie(headers, transfer::ACCESS_TOKEN_COOKIE)
            && let Some(t) = usable(&raw)
        {
            if transfer::cookie_count(headers, transfer::ACCESS_TOKEN_COOKIE) > 1 {
                return Err(SessionError::try_refresh_token(
                    "Multiple access tokens present in the request cookies.",
                ));
            }
            picked = Some((t, TokenTransfer::Cookie));
        }
        let Some((access, transfer_method)) = picked else {
            return if required {
                Err(SessionError::unauthorised_keep_tokens(
                    "Session does not exist. Are you sending the session tokens in the request with the appropriate token transfer method?",
                ))
            } else {
                Ok((None, ResponseChanges::new()))
            };
        };
        let mut anti_csrf_check = options.anti_csrf_check.unwrap_or(*method != Method::GET)
            && transfer_method == TokenTransfer::Cookie;
        if anti_csrf_check && config.anti_csrf == AntiCsrf::ViaCustomHeader {
            if headers.contains_key("rid") {
                anti_csrf_check = false;
            } else {
                return Err(SessionError::try_refresh_token(
                    "anti-csrf check failed. Please pass 'rid: \"session\"' header in the request, or set doAntiCsrfCheck to false for this API",
                ));
            }
        }
        let verified = (shared.functions.get_session)(GetSessionInput {
            access_token: access.raw.clone(),
            anti_csrf_token: headers
                .get(transfer::ANTI_CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            anti_csrf_check: anti_csrf_check && config.anti_csrf == AntiCsrf::ViaToken,
            check_database: options.check_database,
        })
        .await?;
        let mut changes = ResponseChanges::new();
        if verified.access_token_updated {
            changes.access_token(
                config,
                transfer_method,
                &verified.access_token,
                shared.base.clock.now_ms(),
                transfer::Front {
                    user_id: &verified.user_id,
                    expiry_ms: verified.expiry_ms,
                    payload: &verified.payload,
                },
            );
        }
        if let Some(p) = &pending
            && !changes.is_empty()
        {
            p.push(changes.clone());
        }
        let container = SessionContainer::new(
            shared.clone(),
            verified,
            transfer_method,
            None,
            None,
            pending,
        );
        Ok((Some(container), changes))
    }

    /// The refresh flow of `POST /session/refresh` (see [`refresh_session`]).
    pub(crate) async fn refresh_from_request(
        &self,
        headers: &HeaderMap,
    ) -> Result<(SessionContainer, ResponseChanges), SessionError> {
        let mut legacy = ResponseChanges::new();
        let config = &self.shared.base.config;
        let has_legacy = transfer::cookie(headers, transfer::LEGACY_ID_REFRESH_COOKIE).is_some();
        if has_legacy {
            legacy.clear_legacy(config);
        }
        match self.refresh_inner(headers).await {
            Ok((container, mut changes)) => {
                changes.extend(legacy);
                Ok((container, changes))
            }
            Err(e) => {
                let clears = e.clears_tokens();
                let mut e = self.contextualise(e);
                if clears && has_legacy {
                    let mut c = e.inner.changes.take().unwrap_or_default();
                    c.extend(legacy);
                    e.inner.changes = Some(c);
                }
                Err(e)
            }
        }
    }

    async fn refresh_inner(
        &self,
        headers: &HeaderMap,
    ) -> Result<(SessionContainer, ResponseChanges), SessionError> {
        let shared = &self.shared;
        let config = &shared.base.config;
        let allowed = transfer::allowed_method(config);
        if allowed != TokenTransfer::Header {
            for (name, path) in [
                (transfer::ACCESS_TOKEN_COOKIE, "/"),
                (transfer::REFRESH_TOKEN_COOKIE, config.refresh_path.as_str()),
            ] {
                if transfer::cookie_count(headers, name) > 1 {
                    let Some(older) = &config.older_cookie_domain else {
                        return Err(SessionError::other(
                            "The request contains multiple session cookies. This may happen if you've changed the 'cookieDomain' value in your configuration. To clear tokens from the previous domain, set 'olderCookieDomain' in your config.",
                        ));
                    };
                    let mut changes = ResponseChanges::new();
                    changes.clear_cookie_with_domain(config, name, path, older);
                    let mut e: SessionError = SessionErrorKind::ClearDuplicateSessionCookies {
                        message: "The request contains multiple session cookies. We are clearing the cookie from olderCookieDomain. Session will be refreshed in the next refresh call.".to_owned(),
                    }
                    .into();
                    e.inner.changes = Some(changes);
                    return Err(e);
                }
            }
        }
        let mut found: Option<(String, TokenTransfer)> = None;
        if allowed != TokenTransfer::Cookie
            && let Some(t) = transfer::bearer(headers)
        {
            found = Some((t, TokenTransfer::Header));
        }
        if found.is_none()
            && allowed != TokenTransfer::Header
            && let Some(t) =
                transfer::cookie(headers, transfer::REFRESH_TOKEN_COOKIE).filter(|t| !t.is_empty())
        {
            found = Some((t, TokenTransfer::Cookie));
        }
        let Some((refresh_token, method)) = found else {
            let access_cookie = transfer::cookie(headers, transfer::ACCESS_TOKEN_COOKIE).is_some();
            return Err(SessionError::unauthorised(
                if access_cookie && allowed != TokenTransfer::Header {
                    "Refresh token not found but access token is present. Clearing all tokens."
                } else {
                    "Refresh token not found. Are you sending the refresh token in the request?"
                },
            ));
        };
        let mut disable_anti_csrf = method == TokenTransfer::Header;
        if config.anti_csrf == AntiCsrf::ViaCustomHeader && method == TokenTransfer::Cookie {
            if !headers.contains_key("rid") {
                return Err(SessionError::unauthorised(
                    "anti-csrf check failed. Please pass 'rid: \"session\"' header in the request.",
                ));
            }
            disable_anti_csrf = true;
        }
        let result = (shared.functions.refresh_session)(RefreshSessionInput {
            refresh_token,
            anti_csrf_token: headers
                .get(transfer::ANTI_CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            disable_anti_csrf,
        })
        .await;
        let created = match result {
            Ok(created) => created,
            Err(e) => {
                if let SessionErrorKind::TokenTheftDetected { session_handle, .. } = e.kind() {
                    // The session is compromised: end it before answering.
                    (shared.functions.revoke_session)(session_handle.clone()).await?;
                }
                return Err(e);
            }
        };
        let mut changes = ResponseChanges::new();
        let other_carried = match method {
            TokenTransfer::Header => {
                transfer::cookie(headers, transfer::REFRESH_TOKEN_COOKIE).is_some()
            }
            _ => transfer::bearer(headers).is_some(),
        };
        if other_carried {
            changes.clear(config, other(method));
        }
        let container = self.attach_new_session(&created, method, &mut changes)?;
        Ok((container, changes))
    }
}

fn other(method: TokenTransfer) -> TokenTransfer {
    match method {
        TokenTransfer::Cookie => TokenTransfer::Header,
        _ => TokenTransfer::Cookie,
    }
}

fn recipe(st: &SuperTokens) -> Result<&SessionRecipe, SessionError> {
    st.inner.session.as_ref().ok_or_else(|| {
        SessionError::other(
            "the session recipe is not enabled; add `session()` to the configuration",
        )
    })
}

// --- public recipe functions ------------------------------------------------------------------

/// Creates a session for `recipe_user_id` (after your own sign-in check, say) and returns it
/// with the response headers carrying its tokens: cookies when the request's `st-auth-mode` is
/// `cookie`, headers otherwise (or as configured with
/// [`token_transfer`](SessionConfig::token_transfer)).
///
/// ```no_run
/// # async fn f(st: supertokens::SuperTokens, headers: http::HeaderMap) -> Result<(), supertokens::session::SessionError> {
/// let (session, changes) =
///     supertokens::session::create_new_session(&st, &headers, "public", "user-1", Default::default(), Default::default()).await?;
/// // return `(changes, body)` from the handler
/// # Ok(()) }
/// ```
pub async fn create_new_session(
    st: &SuperTokens,
    request_headers: &HeaderMap,
    tenant_id: &str,
    recipe_user_id: &str,
    access_token_payload: Map<String, Value>,
    session_data_in_database: Map<String, Value>,
) -> Result<(SessionContainer, ResponseChanges), SessionError> {
    recipe(st)?
        .create_new_session(
            request_headers,
            tenant_id,
            recipe_user_id,
            access_token_payload,
            session_data_in_database,
        )
        .await
}

/// The session of a request: `Ok(None)` only when `session_required` is false and there is
/// none. The changes (a replacement access token) belong on the response.
pub async fn get_session(
    st: &SuperTokens,
    request_headers: &HeaderMap,
    method: &Method,
    options: GetSessionOptions,
) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
    recipe(st)?
        .get_session_from_request(request_headers, method, &options, None)
        .await
}

/// Exchanges the request's refresh token for new tokens (what `POST /session/refresh` does).
/// A reused refresh token revokes the session and answers "token theft detected".
pub async fn refresh_session(
    st: &SuperTokens,
    request_headers: &HeaderMap,
) -> Result<(SessionContainer, ResponseChanges), SessionError> {
    recipe(st)?.refresh_from_request(request_headers).await
}

/// Revokes a session by its handle; `true` if it existed.
pub async fn revoke_session(st: &SuperTokens, session_handle: &str) -> Result<bool, SessionError> {
    (recipe(st)?.shared.functions.revoke_session)(session_handle.to_owned()).await
}

/// Revokes every session of a user, in every tenant; returns the revoked handles.
pub async fn revoke_all_sessions_for_user(
    st: &SuperTokens,
    user_id: &str,
) -> Result<Vec<String>, SessionError> {
    (recipe(st)?.shared.functions.revoke_all_sessions_for_user)(UserSessionsInput {
        user_id: user_id.to_owned(),
        tenant_id: None,
    })
    .await
}

/// The handles of a user's live sessions, in every tenant.
pub async fn get_all_session_handles_for_user(
    st: &SuperTokens,
    user_id: &str,
) -> Result<Vec<String>, SessionError> {
    (recipe(st)?
        .shared
        .functions
        .get_all_session_handles_for_user)(UserSessionsInput {
        user_id: user_id.to_owned(),
        tenant_id: None,
    })
    .await
}

/// What the core knows about a session (`None` if it does not exist).
pub async fn get_session_information(
    st: &SuperTokens,
    session_handle: &str,
) -> Result<Option<SessionInformation>, SessionError> {
    (recipe(st)?.shared.functions.get_session_information)(session_handle.to_owned()).await
}

/// Replaces a session's database data; `false` if the session does not exist.
pub async fn update_session_data_in_database(
    st: &SuperTokens,
    session_handle: &str,
    data: Map<String, Value>,
) -> Result<bool, SessionError> {
    (recipe(st)?.shared.functions.update_session_data_in_database)((
        session_handle.to_owned(),
        data,
    ))
    .await
}

// --- the default recipe functions --------------------------------------------------------------

fn to_token(token: Result<AccessToken, &'static str>) -> Result<AccessToken, SessionError> {
    token.map_err(|e| SessionError::unauthorised_keep_tokens(format!("Token parsing failed: {e}")))
}

/// Local verification: signature (RS256, key by kid), expiry, signing-key kind.
pub(crate) async fn verify_locally(
    base: &Base,
    raw: &str,
) -> Result<Arc<AccessToken>, SessionError> {
    let now = base.clock.now_ms();
    if let Some(hit) = base.cache.get(raw, now) {
        return Ok(hit);
    }
    let parsed = to_token(token::parse(raw))?;
    let failed = || SessionError::try_refresh_token("Failed to verify access token");
    if !parsed.alg_rs256 {
        return Err(failed());
    }
    let keys = base
        .jwks
        .keys_for(parsed.kid.as_deref())
        .await
        .map_err(|e| {
            if let jwks::KeyError::Fetch(m) = &e {
                tracing::warn!(error = %m, "session: cannot fetch the core's signing keys");
            }
            failed()
        })?;
    if !keys.iter().any(|k| token::signature_ok(raw, k)) {
        return Err(failed());
    }
    if parsed.version >= 3
        && let Some(kid) = &parsed.kid
        && kid.starts_with("d-") != base.config.use_dynamic_signing_key
    {
        return Err(SessionError::try_refresh_token(
            "The access token doesn't match the useDynamicAccessTokenSigningKey setting",
        ));
    }
    if parsed.expiry_ms <= now {
        return Err(SessionError::try_refresh_token("Access token expired"));
    }
    let parsed = Arc::new(parsed);
    base.cache.insert(parsed.clone(), now);
    Ok(parsed)
}

async fn default_get_session(
    base: Arc<Base>,
    input: GetSessionInput,
) -> Result<VerifiedToken, SessionError> {
    let token = verify_locally(&base, &input.access_token).await?;
    let enable_anti_csrf = base.config.anti_csrf_configured == Some(AntiCsrf::ViaToken);
    if input.anti_csrf_check && enable_anti_csrf {
        match (&input.anti_csrf_token, &token.anti_csrf_token) {
            (None, _) => {
                return Err(SessionError::try_refresh_token(
                    "Provided antiCsrfToken is undefined. If you do not want anti-csrf check for this API, please set doAntiCsrfCheck to false for this API",
                ));
            }
            (Some(given), expected) if expected.as_deref() != Some(given.as_str()) => {
                return Err(SessionError::try_refresh_token("anti-csrf check failed"));
            }
            _ => {}
        }
    }
    let local = VerifiedToken {
        access_token: token.raw.clone(),
        access_token_updated: false,
        payload: Arc::clone(&token.payload),
        user_id: token.user_id.clone(),
        recipe_user_id: token.recipe_user_id.clone(),
        session_handle: token.session_handle.clone(),
        tenant_id: token.tenant_id.clone(),
        expiry_ms: token.expiry_ms,
    };
    if !input.check_database && token.parent_refresh_token_hash1.is_none() {
        return Ok(local);
    }
    let answer: cdi::VerifySessionResponse = base
        .core
        .post(
            "/recipe/session/verify",
            Some("session"),
            &cdi::VerifySessionRequest {
                access_token: input.access_token,
                anti_csrf_token: input.anti_csrf_token,
                do_anti_csrf_check: input.anti_csrf_check,
                enable_anti_csrf,
                check_database: input.check_database,
            },
        )
        .await?;
    match answer {
        cdi::VerifySessionResponse::Ok {
            session,
            access_token,
        } => match access_token {
            None => Ok(VerifiedToken {
                user_id: session.user_id,
                recipe_user_id: session.recipe_user_id,
                ..local
            }),
            Some(new) => {
                let parsed = token::parse(&new.token).map_err(|e| {
                    SessionError::other(format!("the core issued an unreadable access token: {e}"))
                })?;
                Ok(VerifiedToken {
                    access_token: new.token,
                    access_token_updated: true,
                    payload: parsed.payload,
                    user_id: session.user_id,
                    recipe_user_id: session.recipe_user_id,
                    session_handle: session.handle,
                    tenant_id: session.tenant_id,
                    expiry_ms: new.expiry,
                })
            }
        },
        cdi::VerifySessionResponse::Unauthorised { message } => {
            Err(SessionError::unauthorised(message))
        }
        cdi::VerifySessionResponse::TryRefreshToken { message } => {
            Err(SessionError::try_refresh_token(message))
        }
    }
}

fn default_functions(base: &Arc<Base>) -> SessionFunctions {
    macro_rules! func {
        (|$base:ident, $input:ident : $ty:ty| $body:expr) => {{
            let b = base.clone();
            Arc::new(move |$input: $ty| {
                let $base = b.clone();
                Box::pin(async move { $body })
            })
        }};
    }
    SessionFunctions {
        create_new_session: func!(|base, input: CreateNewSessionInput| {
            let enable_anti_csrf = !input.disable_anti_csrf
                && base.config.anti_csrf_configured == Some(AntiCsrf::ViaToken);
            let answer: cdi::CreateSessionResponse = base
                .core
                .post(
                    &cdi::tenant_path(&input.tenant_id, "/recipe/session"),
                    Some("session"),
                    &cdi::CreateSessionRequest {
                        user_id: input.recipe_user_id,
                        user_data_in_jwt: input.access_token_payload,
                        user_data_in_database: input.session_data_in_database,
                        enable_anti_csrf,
                        use_dynamic_signing_key: base.config.use_dynamic_signing_key,
                    },
                )
                .await?;
            let cdi::CreateSessionResponse::Ok(created) = answer;
            Ok(created)
        }),
        get_session: func!(|base, input: GetSessionInput| default_get_session(base, input).await),
        refresh_session: func!(|base, input: RefreshSessionInput| {
            let answer: cdi::RefreshSessionResponse = base
                .core
                .post(
                    "/recipe/session/refresh",
                    Some("session"),
                    &cdi::RefreshSessionRequest {
                        refresh_token: input.refresh_token,
                        anti_csrf_token: input.anti_csrf_token,
                        enable_anti_csrf: !input.disable_anti_csrf
                            && base.config.anti_csrf_configured == Some(AntiCsrf::ViaToken),
                        use_dynamic_signing_key: base.config.use_dynamic_signing_key,
                    },
                )
                .await?;
            match answer {
                cdi::RefreshSessionResponse::Ok(created) => Ok(created),
                cdi::RefreshSessionResponse::Unauthorised { message } => {
                    Err(SessionError::unauthorised(message))
                }
                cdi::RefreshSessionResponse::TokenTheftDetected { session } => {
                    Err(SessionErrorKind::TokenTheftDetected {
                        session_handle: session.handle,
                        user_id: session.user_id,
                        recipe_user_id: session.recipe_user_id,
                    }
                    .into())
                }
            }
        }),
        revoke_session: func!(|base, handle: String| {
            let answer: cdi::RemoveSessionsResponse = base
                .core
                .post(
                    "/recipe/session/remove",
                    Some("session"),
                    &cdi::RemoveSessionsRequest {
                        session_handles: Some(vec![handle]),
                        ..Default::default()
                    },
                )
                .await?;
            let cdi::RemoveSessionsResponse::Ok {
                session_handles_revoked,
            } = answer;
            Ok(session_handles_revoked.len() == 1)
        }),
        revoke_all_sessions_for_user: func!(|base, input: UserSessionsInput| {
            let across = input.tenant_id.is_none();
            let path = match &input.tenant_id {
                Some(t) => cdi::tenant_path(t, "/recipe/session/remove"),
                None => "/recipe/session/remove".to_owned(),
            };
            let answer: cdi::RemoveSessionsResponse = base
                .core
                .post(
                    &path,
                    Some("session"),
                    &cdi::RemoveSessionsRequest {
                        user_id: Some(input.user_id),
                        revoke_across_all_tenants: Some(across),
                        revoke_sessions_for_linked_accounts: Some(true),
                        ..Default::default()
                    },
                )
                .await?;
            let cdi::RemoveSessionsResponse::Ok {
                session_handles_revoked,
            } = answer;
            Ok(session_handles_revoked)
        }),
        get_all_session_handles_for_user: func!(|base, input: UserSessionsInput| {
            let across = if input.tenant_id.is_none() {
                "true"
            } else {
                "false"
            };
            let path = match &input.tenant_id {
                Some(t) => cdi::tenant_path(t, "/recipe/session/user"),
                None => "/recipe/session/user".to_owned(),
            };
            let answer: cdi::SessionHandlesResponse = base
                .core
                .get(
                    &path,
                    Some("session"),
                    &[
                        ("userId", input.user_id.as_str()),
                        ("fetchAcrossAllTenants", across),
                        ("fetchSessionsForAllLinkedAccounts", "true"),
                    ],
                )
                .await?;
            let cdi::SessionHandlesResponse::Ok { session_handles } = answer;
            Ok(session_handles)
        }),
        get_session_information: func!(|base, handle: String| {
            let answer: cdi::GetSessionResponse = base
                .core
                .get(
                    "/recipe/session",
                    Some("session"),
                    &[("sessionHandle", handle.as_str())],
                )
                .await?;
            Ok(match answer {
                cdi::GetSessionResponse::Ok {
                    session_handle,
                    user_id,
                    recipe_user_id,
                    user_data_in_database,
                    user_data_in_jwt,
                    expiry,
                    time_created,
                    tenant_id,
                } => Some(SessionInformation {
                    session_handle,
                    user_id,
                    recipe_user_id,
                    session_data_in_database: user_data_in_database,
                    expiry,
                    custom_claims_in_access_token_payload: user_data_in_jwt,
                    time_created,
                    tenant_id,
                }),
                cdi::GetSessionResponse::Unauthorised { .. } => None,
            })
        }),
        update_session_data_in_database: func!(|base, input: (String, Map<String, Value>)| {
            let answer: cdi::UpdateSessionResponse = base
                .core
                .put(
                    "/recipe/session/data",
                    Some("session"),
                    &cdi::UpdateSessionDataRequest {
                        session_handle: input.0,
                        user_data_in_database: input.1,
                    },
                )
                .await?;
            Ok(matches!(answer, cdi::UpdateSessionResponse::Ok))
        }),
        regenerate_access_token: func!(|base, input: RegenerateInput| {
            let answer: cdi::RegenerateSessionResponse = base
                .core
                .post(
                    "/recipe/session/regenerate",
                    Some("session"),
                    &cdi::RegenerateSessionRequest {
                        access_token: input.access_token,
                        user_data_in_jwt: input.new_access_token_payload,
                    },
                )
                .await?;
            Ok(match answer {
                cdi::RegenerateSessionResponse::Ok {
                    session,
                    access_token,
                } => Some(Regenerated {
                    user_data_in_jwt: session.user_data_in_jwt,
                    access_token,
                }),
                cdi::RegenerateSessionResponse::Unauthorised { .. } => None,
            })
        }),
    }
}
