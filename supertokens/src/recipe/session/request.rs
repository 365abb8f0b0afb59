//! The session of a request: [`SessionRecipe::get_session`] finds the access token (header or
//! cookie, as the configuration allows), checks anti-CSRF, verifies the token through the recipe
//! functions and builds the [`SessionContainer`].

use std::sync::Arc;

use http::{HeaderMap, Method};
use supertokens_rules::session::{AntiCsrf, TokenTransfer};

use super::claims::{ClaimValidator, OverrideValidators};
use super::container::SessionContainer;
use super::error::SessionError;
use super::functions::{GetSessionInput, VerifiedToken};
use super::recipe::SessionRecipe;
use super::response_changes::{Front, PendingChanges, ResponseChanges};
use super::token::{self, AccessToken};
use super::transfer;

/// Options of [`SessionRecipe::get_session`], set with its builder methods.
#[derive(Clone, Default)]
#[must_use]
pub struct GetSessionOptions {
    session_required: Option<bool>,
    check_database: Option<bool>,
    anti_csrf_check: Option<bool>,
    claim_validators: Option<OverrideValidators>,
}

impl std::fmt::Debug for GetSessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GetSessionOptions")
            .field("session_required", &self.session_required)
            .field("check_database", &self.check_database)
            .field("anti_csrf_check", &self.anti_csrf_check)
            .field("claim_validators", &self.claim_validators.is_some())
            .finish()
    }
}

/// When a request's anti-CSRF protection is checked: the `anti_csrf` option of `#[protected]`
/// and of [`SessionGuard::anti_csrf`](super::SessionGuard::anti_csrf).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AntiCsrfCheck {
    /// On every method but GET, as the configured anti-CSRF mode asks (the default).
    #[default]
    ByMethod,
    /// On every method: `#[protected(anti_csrf = "check")]`.
    Check,
    /// Never: `#[protected(anti_csrf = "skip")]`, for requests that cannot carry the
    /// protection (a webhook, say).
    Skip,
}

impl GetSessionOptions {
    /// The options of a route (`#[protected]` or a guard): `check_database` only turns the
    /// check on; without it, the app-wide setting decides.
    pub(crate) fn for_route(
        required: bool,
        check_database: bool,
        anti_csrf: AntiCsrfCheck,
    ) -> Self {
        let options = Self::new().session_required(required).anti_csrf(anti_csrf);
        if check_database {
            options.check_database(true)
        } else {
            options
        }
    }

    /// Sets the anti-CSRF check from an [`AntiCsrfCheck`].
    pub(crate) fn anti_csrf(self, check: AntiCsrfCheck) -> Self {
        match check {
            AntiCsrfCheck::ByMethod => self,
            AntiCsrfCheck::Check => self.anti_csrf_check(true),
            AntiCsrfCheck::Skip => self.anti_csrf_check(false),
        }
    }

    /// The defaults: session required, the app's database check, anti-CSRF by method.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a session is required (default true); `false`: a request without a session
    /// gives `Ok(None)` instead of an error.
    pub fn session_required(mut self, required: bool) -> Self {
        self.session_required = Some(required);
        self
    }

    /// Whether to ask the core that the session still exists (default: the app-wide
    /// [`SessionConfig::check_database`](super::SessionConfig::check_database), itself false:
    /// local verification only).
    pub fn check_database(mut self, check: bool) -> Self {
        self.check_database = Some(check);
        self
    }

    /// Whether to check anti-CSRF (default: for every method but GET).
    pub fn anti_csrf_check(mut self, check: bool) -> Self {
        self.anti_csrf_check = Some(check);
        self
    }

    /// The claim checks of this request, made from the app-wide ones
    /// ([`SessionConfig::global_claim_validator`](super::SessionConfig::global_claim_validator)):
    /// return them with yours added, or a list of your own (an empty one checks nothing).
    ///
    /// ```
    /// use supertokens::session::GetSessionOptions;
    /// use supertokens::user_roles::UserRoleClaim;
    ///
    /// let options = GetSessionOptions::new().claim_validators(|mut globals| {
    ///     globals.push(UserRoleClaim.includes("admin"));
    ///     globals
    /// });
    /// # let _ = options;
    /// ```
    pub fn claim_validators<F>(mut self, validators: F) -> Self
    where
        F: Fn(Vec<ClaimValidator>) -> Vec<ClaimValidator> + Send + Sync + 'static,
    {
        self.claim_validators = Some(Arc::new(validators));
        self
    }

    /// Sets the claim checks from a shared function (guards and `#[protected]`).
    pub(crate) fn claim_validators_shared(
        mut self,
        validators: Option<OverrideValidators>,
    ) -> Self {
        self.claim_validators = validators;
        self
    }
}

impl SessionRecipe {
    /// The session of a request: `Ok(None)` only when `session_required` is false and there is
    /// none. The changes (a replacement access token) belong on the response.
    ///
    /// In handlers, the [`SessionContainer`] extractor (or `#[protected]`) does this for you.
    ///
    /// ```no_run
    /// # async fn f(st: supertokens::SuperTokens, headers: http::HeaderMap) -> Result<(), supertokens::session::SessionError> {
    /// use supertokens::session::GetSessionOptions;
    ///
    /// let options = GetSessionOptions::new().session_required(false);
    /// let (session, changes) = st.session().get_session(&headers, &http::Method::GET, options).await?;
    /// if let Some(session) = session {
    ///     println!("signed in: {}", session.user_id());
    /// }
    /// # let _ = changes;
    /// # Ok(()) }
    /// ```
    pub async fn get_session(
        &self,
        request_headers: &HeaderMap,
        method: &Method,
        options: GetSessionOptions,
    ) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
        self.session_of_request(request_headers, method, &options, None)
            .await
    }

    /// [`get_session`](Self::get_session), queueing the changes the session makes later on
    /// `pending` (the SDK's layer writes them into the response).
    pub(crate) async fn session_of_request(
        &self,
        headers: &HeaderMap,
        method: &Method,
        options: &GetSessionOptions,
        pending: Option<PendingChanges>,
    ) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
        let Some((verified, transfer_method)) = self
            .verify_request(headers, method, options)
            .await
            .map_err(|e| self.contextualise(e))?
        else {
            return Ok((None, ResponseChanges::new()));
        };
        let base = self.base();
        let mut changes = ResponseChanges::new();
        if verified.access_token_updated {
            changes.access_token(
                &base.config,
                transfer_method,
                &verified.access_token,
                base.clock.now_ms(),
                Front {
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
        let container =
            SessionContainer::new(self.clone(), verified, transfer_method, None, None, pending);
        let validators = match &options.claim_validators {
            Some(choose) => choose(base.global_validators.clone()),
            None if base.global_validators.is_empty() => Vec::new(),
            None => base.global_validators.clone(),
        };
        if !validators.is_empty() {
            // A claim fetched again goes out in a new access token, with the other changes.
            changes.extend(container.assert_claims(&validators).await?);
        }
        Ok((Some(container), changes))
    }

    /// The request's verified access token and how it came, or `None` when there is none and
    /// none is required.
    async fn verify_request(
        &self,
        headers: &HeaderMap,
        method: &Method,
        options: &GetSessionOptions,
    ) -> Result<Option<(VerifiedToken, TokenTransfer)>, SessionError> {
        let base = self.base();
        let config = &base.config;
        let required = options.session_required.unwrap_or(true);
        if *method == Method::OPTIONS || *method == Method::TRACE {
            return if required {
                Err(SessionError::unauthorised_keep_tokens(
                    "no session on OPTIONS or TRACE requests",
                ))
            } else {
                Ok(None)
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
        let now = base.clock.now_ms();
        let usable = |raw: &str| -> Option<Arc<AccessToken>> {
            base.cache
                .get(raw, now)
                .or_else(|| token::parse(raw).ok().map(Arc::new))
        };
        let mut picked: Option<(Arc<AccessToken>, TokenTransfer)> = None;
        if allowed != TokenTransfer::Cookie
            && let Some(raw) = transfer::bearer(headers)
            && let Some(t) = usable(raw)
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
                Ok(None)
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
        let verified = self
            .functions()
            .get_session(GetSessionInput {
                access_token: Arc::clone(&access.raw),
                anti_csrf_token: transfer::anti_csrf_token(headers),
                anti_csrf_check: anti_csrf_check && config.anti_csrf == AntiCsrf::ViaToken,
                check_database: options.check_database.unwrap_or(config.check_database),
            })
            .await?;
        Ok(Some((verified, transfer_method)))
    }
}
