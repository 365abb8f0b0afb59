//! The session configuration: what users set ([`SessionConfig`]) and what the recipe resolves it
//! to once the app info is known ([`Resolved`]).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use supertokens_rules::session as rules;
pub use supertokens_rules::session::{AntiCsrf, SameSite, TokenTransfer};

use super::apis::{SessionApi, SessionApis};
use super::claims::{self, AnyClaim, Claim, ClaimValidator, ClaimValue};
use super::functions::SessionFunctions;
use super::resolved::Resolved;
use crate::app_info::AppInfo;
use crate::error::ConfigError;
use crate::setters::setters;

/// Wraps the session recipe functions (see [`SessionConfig::override_functions`]).
pub(crate) type FunctionsOverride =
    Arc<dyn Fn(Arc<dyn SessionFunctions>) -> Arc<dyn SessionFunctions> + Send + Sync>;
/// Wraps the session recipe's frontend APIs (see [`SessionConfig::override_apis`]).
pub(crate) type ApisOverride =
    Arc<dyn Fn(Arc<dyn SessionApis>) -> Arc<dyn SessionApis> + Send + Sync>;

/// Configuration of the session recipe; [`crate::ConfigBuilder::build`] validates it against the
/// app info.
///
/// Every setter has the name of the matching `#[supertokens::app(session(...))]` argument. The
/// settings SuperTokens spells as fixed strings take enums ([`SameSite`], [`AntiCsrf`],
/// [`TokenTransfer`]); a value read as text (from a file, say) becomes one with `parse`, whose
/// error says what is accepted.
///
/// ```
/// use std::time::Duration;
/// use supertokens::session::{AntiCsrf, SameSite, SessionConfig};
///
/// let session = SessionConfig::new()
///     .cookie_same_site(SameSite::Lax)
///     .anti_csrf(AntiCsrf::ViaCustomHeader)
///     .jwks_refresh_interval(Duration::from_secs(3600));
/// # let _ = session;
/// let same_site: SameSite = "lax".parse().expect("a SameSite value");
/// assert_eq!(same_site, SameSite::Lax);
/// # let _ = session;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct SessionConfig {
    pub(crate) cookie_secure: Option<bool>,
    pub(crate) cookie_same_site: Option<SameSite>,
    pub(crate) cookie_domain: Option<String>,
    pub(crate) older_cookie_domain: Option<String>,
    pub(crate) anti_csrf: Option<AntiCsrf>,
    pub(crate) token_transfer: Option<TokenTransfer>,
    pub(crate) session_expired_status_code: Option<u16>,
    pub(crate) invalid_claim_status_code: Option<u16>,
    pub(crate) use_dynamic_access_token_signing_key: Option<bool>,
    pub(crate) expose_access_token_to_frontend_in_cookie_based_auth: Option<bool>,
    pub(crate) jwks_refresh_interval: Option<Duration>,
    pub(crate) verified_token_cache_size: Option<usize>,
    pub(crate) check_database: Option<bool>,
    pub(crate) override_functions: Vec<FunctionsOverride>,
    pub(crate) override_apis: Vec<ApisOverride>,
    pub(crate) disabled_apis: BTreeSet<SessionApi>,
    pub(crate) global_validators: Vec<ClaimValidator>,
    pub(crate) claims: Vec<Arc<dyn AnyClaim>>,
}

impl std::fmt::Debug for SessionConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionConfig")
            .field("cookie_secure", &self.cookie_secure)
            .field("cookie_same_site", &self.cookie_same_site)
            .field("cookie_domain", &self.cookie_domain)
            .field("older_cookie_domain", &self.older_cookie_domain)
            .field("anti_csrf", &self.anti_csrf)
            .field("token_transfer", &self.token_transfer)
            .field(
                "session_expired_status_code",
                &self.session_expired_status_code,
            )
            .field("invalid_claim_status_code", &self.invalid_claim_status_code)
            .field(
                "use_dynamic_access_token_signing_key",
                &self.use_dynamic_access_token_signing_key,
            )
            .field(
                "expose_access_token_to_frontend_in_cookie_based_auth",
                &self.expose_access_token_to_frontend_in_cookie_based_auth,
            )
            .field("jwks_refresh_interval", &self.jwks_refresh_interval)
            .field("verified_token_cache_size", &self.verified_token_cache_size)
            .field("check_database", &self.check_database)
            .field("override_functions", &self.override_functions.len())
            .field("override_apis", &self.override_apis.len())
            .field("disabled_apis", &self.disabled_apis)
            .field("global_validators", &self.global_validators)
            .field("claims", &self.claims.len())
            .finish()
    }
}

impl SessionConfig {
    /// The default configuration (same as [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    setters! {
        /// Whether the session cookies carry `Secure` (default: the API domain is `https`).
        cookie_secure: bool,
        /// The `SameSite` attribute of the session cookies. Default, per app: [`SameSite::None`]
        /// when the API and the website differ in protocol or top-level domain (public suffix list,
        /// private section included), else [`SameSite::Lax`]. `None` needs secure cookies.
        ///
        /// ```
        /// use supertokens::session::{SameSite, SessionConfig};
        /// let session = SessionConfig::new().cookie_same_site(SameSite::Strict);
        /// # let _ = session;
        /// ```
        cookie_same_site: SameSite,
        /// The `Domain` of the session cookies, e.g. `.example.com` to share them with subdomains
        /// (default: none, a host-only cookie).
        cookie_domain: impl Into<String>,
        /// The cookie domain of an earlier configuration, so that the refresh API can clear cookies
        /// left with it (`""` for host-only cookies).
        older_cookie_domain: impl Into<String>,
        /// How requests prove they are not cross-site forgeries. Default:
        /// [`AntiCsrf::ViaCustomHeader`] when the cookies are cross-site (`SameSite=None`), else
        /// [`AntiCsrf::None`].
        ///
        /// ```
        /// use supertokens::session::{AntiCsrf, SessionConfig};
        /// let session = SessionConfig::new().anti_csrf(AntiCsrf::ViaToken);
        /// # let _ = session;
        /// ```
        anti_csrf: AntiCsrf,
        /// How session tokens travel, as the other SDKs' `getTokenTransferMethod` answers:
        /// [`TokenTransfer::Cookie`], [`TokenTransfer::Header`] or [`TokenTransfer::Any`]. Default:
        /// new sessions follow the request's `st-auth-mode` header (`header` when absent); requests
        /// may use either.
        ///
        /// ```
        /// use supertokens::session::{SessionConfig, TokenTransfer};
        /// let session = SessionConfig::new().token_transfer(TokenTransfer::Header);
        /// # let _ = session;
        /// ```
        token_transfer: TokenTransfer,
        /// The status of "no valid session" answers (default 401).
        session_expired_status_code: u16,
        /// The status of "invalid claim" answers (default 403; must differ from the expired status).
        invalid_claim_status_code: u16,
        /// Sign access tokens with the core's rotating key (`true`, default) or its static key.
        use_dynamic_access_token_signing_key: bool,
        /// In cookie mode, also send the access token in the `st-access-token` header (default false).
        expose_access_token_to_frontend_in_cookie_based_auth: bool,
        /// How long the core's signing keys are cached (default 4 hours). An unknown key id always
        /// triggers a refetch (at most one every 500 ms).
        jwks_refresh_interval: Duration,
        /// How many verified access tokens are remembered, so a repeated token is not verified again
        /// (default 10 000; `0` turns the cache off). Entries never outlive the token's expiry.
        verified_token_cache_size: usize,
        /// Whether every session verification also asks the core that the session still exists
        /// (default false). Access tokens are verified locally by default: a revoked session's
        /// access token stays valid until it expires (an hour by default) unless this is on. It
        /// costs one core call per request; `#[protected(check_database)]`,
        /// [`GetSessionOptions::check_database`](super::GetSessionOptions::check_database) and
        /// the router guard turn it on for single routes, and `check_database(false)` there
        /// turns the app-wide setting off again.
        ///
        /// ```
        /// use supertokens::session::SessionConfig;
        /// let session = SessionConfig::new().check_database(true);
        /// # let _ = session;
        /// ```
        check_database: bool,
    }

    /// Wraps the recipe functions (the core-facing layer: creating, verifying, refreshing and
    /// revoking sessions), e.g. to audit them or to change what a session starts with. The
    /// closure receives the current implementation and returns the new one; several overrides
    /// nest, the last one added outermost. Every caller goes through the result: the extractor,
    /// the refresh and sign-out APIs, the passwordless sign-in, [`SessionContainer`] methods.
    ///
    /// An implementation of [`SessionFunctions`] names the one it wraps in
    /// [`original`](SessionFunctions::original) and overrides only the methods it changes; the
    /// others forward to `original`. Here every new session gets a `role` claim:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use supertokens::BoxFuture;
    /// use supertokens::core::cdi::NewSession;
    /// use supertokens::session::{
    ///     CreateNewSessionInput, SessionConfig, SessionError, SessionFunctions,
    /// };
    ///
    /// struct WithRole {
    ///     original: Arc<dyn SessionFunctions>,
    /// }
    ///
    /// impl SessionFunctions for WithRole {
    ///     fn original(&self) -> &dyn SessionFunctions {
    ///         &*self.original
    ///     }
    ///
    ///     fn create_new_session(
    ///         &self,
    ///         mut input: CreateNewSessionInput,
    ///     ) -> BoxFuture<'_, Result<NewSession, SessionError>> {
    ///         input
    ///             .access_token_payload
    ///             .insert("role".to_owned(), "reader".into());
    ///         self.original.create_new_session(input)
    ///     }
    /// }
    ///
    /// let config =
    ///     SessionConfig::new().override_functions(|original| Arc::new(WithRole { original }));
    /// # let _ = config;
    /// ```
    ///
    /// [`SessionContainer`]: super::SessionContainer
    pub fn override_functions<F>(mut self, wrap: F) -> Self
    where
        F: Fn(Arc<dyn SessionFunctions>) -> Arc<dyn SessionFunctions> + Send + Sync + 'static,
    {
        self.override_functions.push(Arc::new(wrap));
        self
    }

    /// Wraps the frontend APIs (`POST /session/refresh`, `POST /signout`), the same way as
    /// [`override_functions`](Self::override_functions): the closure receives the current
    /// [`SessionApis`] and returns the new ones. Here sign-outs are logged:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use supertokens::BoxFuture;
    /// use supertokens::session::{
    ///     SessionApis, SessionConfig, SessionContainer, SessionError, SessionRecipe,
    ///     SignOutOutcome,
    /// };
    ///
    /// struct LogSignOuts {
    ///     original: Arc<dyn SessionApis>,
    /// }
    ///
    /// impl SessionApis for LogSignOuts {
    ///     fn original(&self) -> &dyn SessionApis {
    ///         &*self.original
    ///     }
    ///
    ///     fn sign_out_post<'a>(
    ///         &'a self,
    ///         recipe: &'a SessionRecipe,
    ///         session: SessionContainer,
    ///     ) -> BoxFuture<'a, Result<SignOutOutcome, SessionError>> {
    ///         Box::pin(async move {
    ///             let user = session.user_id().to_owned();
    ///             let outcome = self.original.sign_out_post(recipe, session).await?;
    ///             println!("signed out: {user}");
    ///             Ok(outcome)
    ///         })
    ///     }
    /// }
    ///
    /// let config = SessionConfig::new().override_apis(|original| Arc::new(LogSignOuts { original }));
    /// # let _ = config;
    /// ```
    pub fn override_apis<F>(mut self, wrap: F) -> Self
    where
        F: Fn(Arc<dyn SessionApis>) -> Arc<dyn SessionApis> + Send + Sync + 'static,
    {
        self.override_apis.push(Arc::new(wrap));
        self
    }

    /// Does not serve one of the frontend APIs: requests to it fall through to your router (404
    /// if you route nothing there).
    ///
    /// ```
    /// use supertokens::session::{SessionApi, SessionConfig};
    ///
    /// // No sign-out API: the route is not served.
    /// let config = SessionConfig::new().disable_api(SessionApi::SignOut);
    /// # let _ = config;
    /// ```
    pub fn disable_api(mut self, api: SessionApi) -> Self {
        self.disabled_apis.insert(api);
        self
    }

    /// Adds a claim check every route with a session makes (`#[protected]`, guards, the
    /// extractor), unless the route replaces the app-wide checks
    /// ([`GetSessionOptions::claim_validators`](super::GetSessionOptions::claim_validators)).
    /// Sign-out checks none.
    ///
    /// ```
    /// use supertokens::session::SessionConfig;
    /// use supertokens::session::claims::BooleanClaim;
    ///
    /// let accepted_terms = BooleanClaim::new("terms", |_ctx| async { Ok(Some(false)) });
    /// let config = SessionConfig::new().global_claim_validator(accepted_terms.is_true());
    /// # let _ = config;
    /// ```
    pub fn global_claim_validator(mut self, validator: ClaimValidator) -> Self {
        self.global_validators.push(validator);
        self
    }

    /// Adds a claim every new session's access token starts with (fetched for its user when
    /// the session is created).
    pub fn claim<V: ClaimValue>(mut self, claim: &Claim<V>) -> Self {
        self.claims.push(claims::erase(claim));
        self
    }

    /// This configuration with what `later` sets: see [`ConfigBuilder::session`].
    ///
    /// [`ConfigBuilder::session`]: crate::ConfigBuilder::session
    pub(crate) fn refine(self, later: Self) -> Self {
        let Self {
            cookie_secure,
            cookie_same_site,
            cookie_domain,
            older_cookie_domain,
            anti_csrf,
            token_transfer,
            session_expired_status_code,
            invalid_claim_status_code,
            use_dynamic_access_token_signing_key,
            expose_access_token_to_frontend_in_cookie_based_auth,
            jwks_refresh_interval,
            verified_token_cache_size,
            check_database,
            override_functions,
            override_apis,
            disabled_apis,
            global_validators,
            claims,
        } = later;
        Self {
            cookie_secure: cookie_secure.or(self.cookie_secure),
            cookie_same_site: cookie_same_site.or(self.cookie_same_site),
            cookie_domain: cookie_domain.or(self.cookie_domain),
            older_cookie_domain: older_cookie_domain.or(self.older_cookie_domain),
            anti_csrf: anti_csrf.or(self.anti_csrf),
            token_transfer: token_transfer.or(self.token_transfer),
            session_expired_status_code: session_expired_status_code
                .or(self.session_expired_status_code),
            invalid_claim_status_code: invalid_claim_status_code.or(self.invalid_claim_status_code),
            use_dynamic_access_token_signing_key: use_dynamic_access_token_signing_key
                .or(self.use_dynamic_access_token_signing_key),
            expose_access_token_to_frontend_in_cookie_based_auth:
                expose_access_token_to_frontend_in_cookie_based_auth
                    .or(self.expose_access_token_to_frontend_in_cookie_based_auth),
            jwks_refresh_interval: jwks_refresh_interval.or(self.jwks_refresh_interval),
            verified_token_cache_size: verified_token_cache_size.or(self.verified_token_cache_size),
            check_database: check_database.or(self.check_database),
            override_functions: [self.override_functions, override_functions].concat(),
            override_apis: [self.override_apis, override_apis].concat(),
            disabled_apis: self.disabled_apis.union(&disabled_apis).copied().collect(),
            global_validators: [self.global_validators, global_validators].concat(),
            claims: [self.claims, claims].concat(),
        }
    }

    /// Every problem of this configuration, given the app info (empty when valid).
    pub(crate) fn validate(&self, app_info: &AppInfo) -> Vec<ConfigError> {
        match Resolved::new(self, app_info) {
            Ok(_) => Vec::new(),
            Err(errors) => errors,
        }
    }
}

/// Default JWKS refresh interval (4 hours).
const DEFAULT_JWKS_REFRESH: Duration = Duration::from_secs(4 * 3600);

impl Resolved {
    pub(crate) fn new(
        config: &SessionConfig,
        app_info: &AppInfo,
    ) -> Result<Self, Vec<ConfigError>> {
        let mut errors = Vec::new();
        let mut check = |field: &str, r: Result<(), supertokens_rules::Invalid>| {
            if let Err(e) = r {
                errors.push(ConfigError::new(format!("session.{field}"), e.0));
            }
        };

        fn parse<T>(
            field: &str,
            r: Result<T, supertokens_rules::Invalid>,
            errs: &mut Vec<ConfigError>,
        ) -> Option<T> {
            match r {
                Ok(v) => Some(v),
                Err(e) => {
                    errs.push(ConfigError::new(format!("session.{field}"), e.0));
                    None
                }
            }
        }
        let mut errs = Vec::new();
        let same_site_cfg = config.cookie_same_site;
        let anti_csrf_cfg = config.anti_csrf;
        let token_transfer = config.token_transfer;
        let cookie_domain = config
            .cookie_domain
            .as_deref()
            .and_then(|v| parse("cookie_domain", rules::cookie_domain(v), &mut errs));
        let older_cookie_domain = config.older_cookie_domain.as_deref().and_then(|v| {
            parse(
                "older_cookie_domain",
                rules::older_cookie_domain(v),
                &mut errs,
            )
        });
        // A status code: the configured one if it is an HTTP error status, else the default.
        let mut status = |field: &str, configured: Option<u16>, default: u16| match configured {
            Some(code) => parse(field, rules::status_code(code), &mut errs),
            None => Some(default),
        };
        let expired = status(
            "session_expired_status_code",
            config.session_expired_status_code,
            rules::DEFAULT_SESSION_EXPIRED_STATUS_CODE,
        );
        let invalid_claim = status(
            "invalid_claim_status_code",
            config.invalid_claim_status_code,
            rules::DEFAULT_INVALID_CLAIM_STATUS_CODE,
        );
        let jwks_secs =
            config
                .jwks_refresh_interval
                .map_or(Some(DEFAULT_JWKS_REFRESH.as_secs()), |d| {
                    parse(
                        "jwks_refresh_interval",
                        rules::jwks_refresh_interval_secs(d.as_secs()),
                        &mut errs,
                    )
                });

        let cookie_secure = config
            .cookie_secure
            .unwrap_or_else(|| rules::default_cookie_secure(&app_info.api_domain));
        let api_host = host_of(&app_info.api_domain);
        let website_host = host_of(&app_info.website_domain);
        let api_top = api_host.as_deref().and_then(top_level_domain);
        let website_top = website_host.as_deref().and_then(top_level_domain);
        let both_local =
            api_top.as_deref() == Some("localhost") && website_top.as_deref() == Some("localhost");
        let protocol = |d: &str| d.split("://").next().unwrap_or("").to_owned();
        let cross_site = protocol(&app_info.api_domain) != protocol(&app_info.website_domain)
            || api_top.is_none()
            || api_top != website_top;
        let same_site = same_site_cfg.unwrap_or(if cross_site {
            SameSite::None
        } else {
            SameSite::Lax
        });
        let anti_csrf = anti_csrf_cfg.unwrap_or(rules::default_anti_csrf(same_site));

        if let Some(ss) = same_site_cfg {
            check(
                "cookie_same_site",
                rules::same_site_none_needs_secure(ss, cookie_secure),
            );
        }
        check(
            "anti_csrf",
            rules::cross_site_cookies_need_anti_csrf(same_site, anti_csrf, token_transfer),
        );
        if let (Some(e), Some(i)) = (expired, invalid_claim) {
            check(
                "invalid_claim_status_code",
                rules::distinct_status_codes(e, i),
            );
        }
        errs.extend(errors);
        if !errs.is_empty() {
            return Err(errs);
        }
        Ok(Self {
            cookie_secure,
            same_site,
            cookie_domain,
            older_cookie_domain,
            anti_csrf,
            anti_csrf_configured: anti_csrf_cfg,
            token_transfer,
            session_expired_status_code: expired
                .unwrap_or(rules::DEFAULT_SESSION_EXPIRED_STATUS_CODE),
            invalid_claim_status_code: invalid_claim
                .unwrap_or(rules::DEFAULT_INVALID_CLAIM_STATUS_CODE),
            use_dynamic_signing_key: config.use_dynamic_access_token_signing_key.unwrap_or(true),
            expose_access_token_in_cookie_mode: config
                .expose_access_token_to_frontend_in_cookie_based_auth
                .unwrap_or(false),
            jwks_refresh_interval: Duration::from_secs(
                jwks_secs.unwrap_or(DEFAULT_JWKS_REFRESH.as_secs()),
            ),
            verified_token_cache_size: config.verified_token_cache_size.unwrap_or(10_000),
            check_database: config.check_database.unwrap_or(false),
            refresh_path: format!("{}/session/refresh", app_info.api_base_path),
            issuer: format!("{}{}", app_info.api_domain, app_info.api_base_path),
            both_local,
        })
    }
}

/// The host of a normalised domain (`scheme://host[:port]`).
fn host_of(domain: &str) -> Option<String> {
    url::Url::parse(domain)
        .ok()?
        .host_str()
        .map(|h| h.trim_matches(['[', ']']).to_owned())
}

/// The top-level domain (eTLD+1) of a host as SuperTokens computes it: `localhost` for hosts
/// starting with `localhost` and for IPv4 addresses; else the registrable domain by the public
/// suffix list, private section included.
pub(crate) fn top_level_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.starts_with("localhost") || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some("localhost".to_owned());
    }
    if host.parse::<std::net::Ipv6Addr>().is_ok() {
        return Some(host);
    }
    let suffix = psl::suffix(host.as_bytes())?;
    let suffix_str = std::str::from_utf8(suffix.as_bytes()).ok()?;
    if host.ends_with(".amazonaws.com") && suffix_str == host {
        return Some(host);
    }
    if !suffix.is_known() && host.ends_with(".local") {
        return Some(host);
    }
    match psl::domain_str(&host) {
        Some(d) => Some(d.to_owned()),
        None if !suffix.is_known() => Some(host),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(api: &str, web: &str) -> AppInfo {
        AppInfo::for_tests(api, web)
    }

    #[test]
    fn top_level_domains() {
        assert_eq!(top_level_domain("localhost").as_deref(), Some("localhost"));
        assert_eq!(
            top_level_domain("localhost.org").as_deref(),
            Some("localhost")
        );
        assert_eq!(top_level_domain("127.0.0.1").as_deref(), Some("localhost"));
        assert_eq!(
            top_level_domain("api.example.com").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            top_level_domain("a.b.example.co.uk").as_deref(),
            Some("example.co.uk")
        );
        // The private section: herokuapp.com is a public suffix, so apps are distinct sites.
        assert_eq!(
            top_level_domain("app1.herokuapp.com").as_deref(),
            Some("app1.herokuapp.com")
        );
        assert_eq!(
            top_level_domain("printer.local").as_deref(),
            Some("printer.local")
        );
    }

    #[test]
    fn same_site_and_anti_csrf_defaults() {
        let same = Resolved::new(
            &SessionConfig::new(),
            &app("https://api.example.com", "https://example.com"),
        )
        .unwrap();
        assert_eq!(same.same_site, SameSite::Lax);
        assert_eq!(same.anti_csrf, AntiCsrf::None);
        assert!(same.cookie_secure);
        assert_eq!(same.refresh_path, "/auth/session/refresh");
        assert_eq!(same.issuer, "https://api.example.com/auth");

        let cross = Resolved::new(
            &SessionConfig::new(),
            &app("https://api.example.com", "https://example.org"),
        )
        .unwrap();
        assert_eq!(cross.same_site, SameSite::None);
        assert_eq!(cross.anti_csrf, AntiCsrf::ViaCustomHeader);

        let heroku = Resolved::new(
            &SessionConfig::new(),
            &app("https://api.herokuapp.com", "https://web.herokuapp.com"),
        )
        .unwrap();
        assert_eq!(heroku.same_site, SameSite::None);

        let proto = Resolved::new(
            &SessionConfig::new(),
            &app("http://localhost:3001", "https://localhost:3000"),
        )
        .unwrap();
        assert_eq!(proto.same_site, SameSite::None);

        let local = Resolved::new(
            &SessionConfig::new(),
            &app("http://localhost:3001", "http://localhost:3000"),
        )
        .unwrap();
        assert_eq!(local.same_site, SameSite::Lax);
        assert!(!local.cookie_secure);
        assert!(local.both_local);
    }

    #[test]
    fn validation_reports_every_field() {
        // Text values are refused by `parse`, before a configuration exists.
        assert!("sometimes".parse::<SameSite>().is_err());
        assert!("via_token".parse::<AntiCsrf>().is_err());
        assert!("carrier-pigeon".parse::<TokenTransfer>().is_err());
        let config = SessionConfig::new()
            .cookie_domain("exa mple.com")
            .session_expired_status_code(403);
        let errors = config.validate(&app("https://api.example.com", "https://example.com"));
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"session.cookie_domain"), "{fields:?}");
        assert!(
            fields.contains(&"session.invalid_claim_status_code"),
            "{fields:?}"
        );
    }

    #[test]
    fn cross_field_rules_apply() {
        let api = app("http://api.example.com", "http://example.com");
        let errors = SessionConfig::new()
            .cookie_same_site(SameSite::None)
            .validate(&api);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "session.cookie_same_site");
        let errors = SessionConfig::new()
            .cookie_same_site(SameSite::None)
            .cookie_secure(true)
            .anti_csrf(AntiCsrf::None)
            .validate(&api);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "session.anti_csrf");
        assert!(
            SessionConfig::new()
                .cookie_same_site(SameSite::None)
                .cookie_secure(true)
                .validate(&api)
                .is_empty()
        );
    }
}
