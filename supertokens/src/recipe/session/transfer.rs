//! Token transfer, the reading side: the names SuperTokens puts on the wire, and the tokens a
//! request carries (cookies, `authorization: Bearer`), with the transfer method they came by.
//! The writing side is [`super::response_changes`].

use std::borrow::Cow;

use http::{HeaderMap, header};
use percent_encoding::percent_decode_str;
use supertokens_rules::session::TokenTransfer;

use super::resolved::Resolved;

pub(crate) const ACCESS_TOKEN_COOKIE: &str = "sAccessToken";
pub(crate) const REFRESH_TOKEN_COOKIE: &str = "sRefreshToken";
pub(crate) const LEGACY_ID_REFRESH_COOKIE: &str = "sIdRefreshToken";
pub(crate) const ACCESS_TOKEN_HEADER: &str = "st-access-token";
pub(crate) const REFRESH_TOKEN_HEADER: &str = "st-refresh-token";
pub(crate) const FRONT_TOKEN_HEADER: &str = "front-token";
pub(crate) const ANTI_CSRF_HEADER: &str = "anti-csrf";
pub(crate) const AUTH_MODE_HEADER: &str = "st-auth-mode";

/// The cookies of a request (every `Cookie` header), in order, values as sent.
pub(crate) fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            Some((name.trim(), value.trim()))
        })
}

/// The first cookie named `name`, percent-decoded (borrowed when there was nothing to decode).
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<Cow<'a, str>> {
    let raw = cookies(headers).find(|(n, _)| *n == name)?.1;
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    Some(
        percent_decode_str(raw)
            .decode_utf8()
            .unwrap_or(Cow::Borrowed(raw)),
    )
}

/// How many times `name` occurs in the raw `Cookie` headers.
pub(crate) fn cookie_count(headers: &HeaderMap, name: &str) -> usize {
    cookies(headers).filter(|(n, _)| *n == name).count()
}

/// The token in `authorization: Bearer <token>` (exact, case-sensitive prefix; trimmed).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then_some(token)
}

/// The `anti-csrf` request header, if any.
pub(crate) fn anti_csrf_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(ANTI_CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The `st-auth-mode` header, lowercased, if it names a method.
pub(crate) fn auth_mode(headers: &HeaderMap) -> Option<TokenTransfer> {
    let v = headers
        .get(AUTH_MODE_HEADER)?
        .to_str()
        .ok()?
        .trim()
        .to_ascii_lowercase();
    match v.as_str() {
        "cookie" => Some(TokenTransfer::Cookie),
        "header" => Some(TokenTransfer::Header),
        _ => None,
    }
}

/// The transfer methods a request may use: the configured one, else `any`.
pub(crate) fn allowed_method(config: &Resolved) -> TokenTransfer {
    config.token_transfer.unwrap_or(TokenTransfer::Any)
}

/// The transfer method of a new session: the configured one, else `cookie` iff `st-auth-mode`
/// says so, else `header`.
pub(crate) fn method_for_new_session(config: &Resolved, headers: &HeaderMap) -> TokenTransfer {
    match config.token_transfer {
        Some(TokenTransfer::Cookie) => TokenTransfer::Cookie,
        Some(TokenTransfer::Header) => TokenTransfer::Header,
        _ => match auth_mode(headers) {
            Some(TokenTransfer::Cookie) => TokenTransfer::Cookie,
            _ => TokenTransfer::Header,
        },
    }
}

/// The method that is not `method` (cookie for header and any; header for cookie).
pub(crate) fn other(method: TokenTransfer) -> TokenTransfer {
    match method {
        TokenTransfer::Cookie => TokenTransfer::Header,
        _ => TokenTransfer::Cookie,
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;
    use crate::app_info::AppInfo;
    use crate::recipe::session::SessionConfig;

    #[test]
    fn reading_requests() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; sAccessToken=x%2By; sAccessToken=z"),
        );
        headers.append(header::COOKIE, HeaderValue::from_static("sRefreshToken=r"));
        assert_eq!(cookie(&headers, "sAccessToken").as_deref(), Some("x+y"));
        assert_eq!(cookie_count(&headers, "sAccessToken"), 2);
        assert_eq!(cookie(&headers, "sRefreshToken").as_deref(), Some("r"));
        assert_eq!(cookie(&headers, "none"), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer  abc "),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(AUTH_MODE_HEADER, HeaderValue::from_static("COOKIE"));
        let app = AppInfo::for_tests("https://api.example.com", "https://example.com");
        let config = Resolved::new(&SessionConfig::new(), &app).unwrap();
        assert_eq!(
            method_for_new_session(&config, &headers),
            TokenTransfer::Cookie
        );
        headers.insert(AUTH_MODE_HEADER, HeaderValue::from_static("bogus"));
        assert_eq!(
            method_for_new_session(&config, &headers),
            TokenTransfer::Header
        );
    }
}
