//! Rules for the session recipe: the values of `session(...)` in SuperTokens' spellings, and the
//! rules that tie several of them together.

use crate::Invalid;

crate::spelled_enum! {
    /// The `SameSite` attribute of the session cookies (`cookieSameSite` of the other SDKs).
    pub enum SameSite {
        /// `SameSite=Strict`.
        Strict = "strict",
        /// `SameSite=Lax`.
        Lax = "lax",
        /// `SameSite=None` (cross-site cookies; needs `Secure`).
        None = "none",
    }
    refused(value) => crate::not_one_of(
        format!(
            "cookie same site must be one of \"strict\", \"lax\", or \"none\", not {value:?}; \
             write `cookie_same_site = \"lax\"` (or leave it out to choose per request)"
        ),
        value,
        SameSite::ALL,
    );
}

impl SameSite {
    /// The attribute value as written in a `Set-Cookie` header.
    pub fn as_cookie_value(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

crate::spelled_enum! {
    /// How requests prove they are not cross-site forgeries.
    pub enum AntiCsrf {
        /// No check.
        None = "NONE",
        /// Non-GET requests must carry a `rid` header (which a cross-site form cannot set).
        ViaCustomHeader = "VIA_CUSTOM_HEADER",
        /// The core issues an anti-CSRF token that requests echo in the `anti-csrf` header.
        ViaToken = "VIA_TOKEN",
    }
    refused(value) => crate::not_one_of(
        format!(
            "antiCsrf config must be one of 'NONE' or 'VIA_CUSTOM_HEADER' or 'VIA_TOKEN', not \
             {value:?}; write `anti_csrf = \"VIA_CUSTOM_HEADER\"` (or leave it out to choose per request)"
        ),
        value,
        AntiCsrf::ALL,
    );
}

crate::spelled_enum! {
    /// How session tokens travel between the frontend and the API: the other SDKs'
    /// `getTokenTransferMethod` answer (`"cookie"`, `"header"` or `"any"`), fixed for the app.
    pub enum TokenTransfer {
        /// `sAccessToken` / `sRefreshToken` cookies.
        Cookie = "cookie",
        /// `authorization: Bearer …` on requests, `st-access-token` / `st-refresh-token` on
        /// responses.
        Header = "header",
        /// Either; new sessions follow the request's `st-auth-mode` header.
        Any = "any",
    }
    refused(value) => crate::not_one_of(
        format!(
            "token transfer method must be one of \"cookie\", \"header\" or \"any\", not {value:?}; \
             write `token_transfer = \"cookie\"` (or leave it out to follow each request's `st-auth-mode`)"
        ),
        value,
        TokenTransfer::ALL,
    );
}

/// `cookie_domain` (and `older_cookie_domain`): normalised as SuperTokens does: trimmed,
/// lowercased, the host only; a leading `.` is kept (the cookie then covers subdomains), except
/// for `localhost` and IP addresses.
pub fn cookie_domain(value: &str) -> Result<String, Invalid> {
    let trimmed = value.trim().to_ascii_lowercase();
    let invalid = || {
        Invalid(format!(
            "{value:?} is not a domain name; write the host only, e.g. `cookie_domain = \".example.com\"`"
        ))
    };
    let leading_dot = trimmed.starts_with('.');
    let without_dot = trimmed.strip_prefix('.').unwrap_or(&trimmed);
    if without_dot.is_empty() {
        return Err(invalid());
    }
    let with_scheme = if without_dot.starts_with("http://") || without_dot.starts_with("https://") {
        without_dot.to_owned()
    } else {
        format!("http://{without_dot}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|_| invalid())?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => return Ok(ip.to_string()),
        Some(url::Host::Ipv6(_)) | None => return Err(invalid()),
    };
    if host == "localhost" || !leading_dot {
        Ok(host)
    } else {
        Ok(format!(".{host}"))
    }
}

/// `older_cookie_domain`: as [`cookie_domain`], except that `""` (the host-only cookie of an
/// earlier configuration) is kept.
pub fn older_cookie_domain(value: &str) -> Result<String, Invalid> {
    if value.is_empty() {
        Ok(String::new())
    } else {
        cookie_domain(value)
    }
}

/// The status of "no valid session" answers when none is configured.
pub const DEFAULT_SESSION_EXPIRED_STATUS_CODE: u16 = 401;
/// The status of "invalid claim" answers when none is configured.
pub const DEFAULT_INVALID_CLAIM_STATUS_CODE: u16 = 403;

/// Whether the session cookies are `Secure` when `cookie_secure` is not configured: when the
/// (normalised) API domain is served over https.
pub fn default_cookie_secure(api_domain: &str) -> bool {
    api_domain.starts_with("https")
}

/// The anti-CSRF mode when none is configured: a custom header for cross-site cookies, else none.
pub fn default_anti_csrf(same_site: SameSite) -> AntiCsrf {
    if same_site == SameSite::None {
        AntiCsrf::ViaCustomHeader
    } else {
        AntiCsrf::None
    }
}

/// `session_expired_status_code` and `invalid_claim_status_code`: an HTTP error status (400–599).
pub fn status_code(value: u16) -> Result<u16, Invalid> {
    if (400..=599).contains(&value) {
        Ok(value)
    } else {
        Err(Invalid(format!(
            "{value} is not an HTTP error status; use a code from 400 to 599, e.g. `401`"
        )))
    }
}

/// `jwks_refresh_interval`, in seconds: at least one second.
pub fn jwks_refresh_interval_secs(value: u64) -> Result<u64, Invalid> {
    if value == 0 {
        Err(Invalid(
            "the JWKS refresh interval must be at least one second; leave it out for the default of 4 hours, e.g. `jwks_refresh_interval = 14400`"
                .to_owned(),
        ))
    } else {
        Ok(value)
    }
}

/// Cross-field rule: `SameSite=None` cookies are dropped by browsers unless they are `Secure`.
pub fn same_site_none_needs_secure(
    same_site: SameSite,
    cookie_secure: bool,
) -> Result<(), Invalid> {
    if same_site == SameSite::None && !cookie_secure {
        Err(Invalid(
            "cookies with SameSite=None must be secure, or browsers drop them; serve the API over \
             https and set `cookie_secure = true` (or use `cookie_same_site = \"lax\"`)"
                .to_owned(),
        ))
    } else {
        Ok(())
    }
}

/// Cross-field rule: cross-site cookies (`SameSite=None`) without an anti-CSRF check leave every
/// protected route open to cross-site request forgery.
pub fn cross_site_cookies_need_anti_csrf(
    same_site: SameSite,
    anti_csrf: AntiCsrf,
    token_transfer: Option<TokenTransfer>,
) -> Result<(), Invalid> {
    let cookies_used = token_transfer != Some(TokenTransfer::Header);
    if same_site == SameSite::None && anti_csrf == AntiCsrf::None && cookies_used {
        Err(Invalid(
            "cross-site cookies (SameSite=None) need an anti-CSRF check; set \
             `anti_csrf = \"VIA_CUSTOM_HEADER\"` (or leave `anti_csrf` out to choose per request)"
                .to_owned(),
        ))
    } else {
        Ok(())
    }
}

/// Cross-field rule: the frontend tells "refresh the session" (expired) from "claims invalid" by
/// the status code, so the two must differ.
pub fn distinct_status_codes(session_expired: u16, invalid_claim: u16) -> Result<(), Invalid> {
    if session_expired == invalid_claim {
        Err(Invalid(format!(
            "session_expired_status_code and invalid_claim_status_code are both {session_expired}; \
             the frontend needs them different, e.g. `session_expired_status_code = 401` and \
             `invalid_claim_status_code = 403`"
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_site_values() {
        assert_eq!(" Lax ".parse(), Ok(SameSite::Lax));
        assert_eq!("NONE".parse(), Ok(SameSite::None));
        assert_eq!("strict".parse(), Ok(SameSite::Strict));
        assert_eq!(SameSite::Lax.to_string(), "lax");
        let err = "relaxed".parse::<SameSite>().unwrap_err();
        assert!(err.0.contains("`cookie_same_site = \"lax\"`"), "{err}");
        let err = "lax-ish".parse::<SameSite>().unwrap_err();
        assert!(
            err.0
                .ends_with("(or leave it out to choose per request) (did you mean `\"lax\"`?)"),
            "{err}"
        );
    }

    #[test]
    fn anti_csrf_values_are_exact() {
        for &mode in AntiCsrf::ALL {
            assert_eq!(
                mode.parse::<AntiCsrf>().map(|m| m.to_string()),
                Ok(mode.to_owned())
            );
        }
        assert_eq!("VIA_TOKEN".parse(), Ok(AntiCsrf::ViaToken));
        assert!("via_token".parse::<AntiCsrf>().is_err());
        assert!("".parse::<AntiCsrf>().is_err());
        let err = "VIA_HEADER".parse::<AntiCsrf>().unwrap_err();
        assert!(
            err.0.ends_with("(did you mean `\"VIA_CUSTOM_HEADER\"`?)"),
            "{err}"
        );
    }

    #[test]
    fn token_transfer_values() {
        assert_eq!("Header".parse(), Ok(TokenTransfer::Header));
        assert_eq!("any".parse(), Ok(TokenTransfer::Any));
        assert_eq!(TokenTransfer::Cookie.to_string(), "cookie");
        let err = "both".parse::<TokenTransfer>().unwrap_err();
        assert!(!err.0.contains("did you mean"), "{err}");
        let err = "cookies".parse::<TokenTransfer>().unwrap_err();
        assert!(err.0.ends_with("(did you mean `\"cookie\"`?)"), "{err}");
    }

    #[test]
    fn cookie_domain_normalisation() {
        assert_eq!(cookie_domain(" .Example.COM ").unwrap(), ".example.com");
        assert_eq!(cookie_domain("example.com").unwrap(), "example.com");
        assert_eq!(
            cookie_domain("https://api.example.com:8080/x").unwrap(),
            "api.example.com"
        );
        assert_eq!(cookie_domain(".localhost").unwrap(), "localhost");
        assert_eq!(cookie_domain("127.0.0.1:3000").unwrap(), "127.0.0.1");
        assert!(cookie_domain("").is_err());
        assert!(cookie_domain(".").is_err());
        assert!(cookie_domain("exa mple.com").is_err());
        assert_eq!(older_cookie_domain("").unwrap(), "");
    }

    #[test]
    fn status_codes() {
        assert_eq!(status_code(401), Ok(401));
        assert!(status_code(200).is_err());
        assert!(distinct_status_codes(401, 401).is_err());
        assert!(distinct_status_codes(401, 403).is_ok());
    }

    #[test]
    fn cross_field_rules() {
        assert!(same_site_none_needs_secure(SameSite::None, false).is_err());
        assert!(same_site_none_needs_secure(SameSite::None, true).is_ok());
        assert!(same_site_none_needs_secure(SameSite::Lax, false).is_ok());
        assert!(cross_site_cookies_need_anti_csrf(SameSite::None, AntiCsrf::None, None).is_err());
        assert!(
            cross_site_cookies_need_anti_csrf(
                SameSite::None,
                AntiCsrf::None,
                Some(TokenTransfer::Header)
            )
            .is_ok()
        );
        assert!(
            cross_site_cookies_need_anti_csrf(SameSite::None, AntiCsrf::ViaToken, None).is_ok()
        );
        assert!(jwks_refresh_interval_secs(0).is_err());
        assert!(default_cookie_secure("https://api.example.com"));
        assert!(!default_cookie_secure("http://localhost:3001"));
        assert_eq!(default_anti_csrf(SameSite::None), AntiCsrf::ViaCustomHeader);
        assert_eq!(default_anti_csrf(SameSite::Lax), AntiCsrf::None);
    }
}
