//! [`Resolved`]: the session configuration resolved against the app info (defaults applied,
//! values parsed), what the recipe works with. Resolution itself (`Resolved::new`) lives in
//! `config.rs`, next to the settings it reads.

use std::time::Duration;

use supertokens_rules::session::{AntiCsrf, SameSite, TokenTransfer};

/// The session configuration resolved against the app info: defaults applied, values parsed.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) cookie_secure: bool,
    pub(crate) same_site: SameSite,
    pub(crate) cookie_domain: Option<String>,
    pub(crate) older_cookie_domain: Option<String>,
    pub(crate) anti_csrf: AntiCsrf,
    /// Whether `anti_csrf` was configured (`VIA_TOKEN` only ever comes from configuration).
    pub(crate) anti_csrf_configured: Option<AntiCsrf>,
    pub(crate) token_transfer: Option<TokenTransfer>,
    pub(crate) session_expired_status_code: u16,
    pub(crate) invalid_claim_status_code: u16,
    pub(crate) use_dynamic_signing_key: bool,
    pub(crate) expose_access_token_in_cookie_mode: bool,
    pub(crate) jwks_refresh_interval: Duration,
    pub(crate) verified_token_cache_size: usize,
    /// The app-wide default of the database check.
    pub(crate) check_database: bool,
    pub(crate) refresh_path: String,
    pub(crate) issuer: String,
    /// Both top-level domains are `localhost` or IP addresses.
    pub(crate) both_local: bool,
}
