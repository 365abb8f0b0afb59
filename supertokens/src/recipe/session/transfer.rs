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
        // A value that is not ASCII names no mode, even `cooKie` written with the Kelvin sign,
        // which Unicode lowercases to `k`.
        headers.insert(
            AUTH_MODE_HEADER,
            HeaderValue::from_str("coo\u{212A}ie").unwrap(),
        );
        assert_eq!(auth_mode(&headers), None);
        headers.insert(AUTH_MODE_HEADER, HeaderValue::from_static("bogus"));
        assert_eq!(
            method_for_new_session(&config, &headers),
            TokenTransfer::Header
        );
    }

    mod properties {
        use http::{HeaderMap, HeaderName, HeaderValue, header};
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        use proptest::prelude::*;

        use super::super::*;
        use crate::app_info::AppInfo;
        use crate::recipe::session::SessionConfig;

        /// Header values as a client may send them: any bytes a header may hold, so also
        /// values that are not UTF-8.
        fn value() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                "\\PC{0,40}".prop_map(String::into_bytes),
                "[ a-zA-Z0-9=;,\"%+/._-]{0,40}".prop_map(String::into_bytes),
                prop::collection::vec(any::<u8>(), 0..40),
            ]
        }

        fn headers(values: &[(&'static str, Vec<u8>)]) -> HeaderMap {
            let mut headers = HeaderMap::new();
            for (name, bytes) in values {
                if let Ok(v) = HeaderValue::from_bytes(bytes) {
                    headers.append(HeaderName::from_static(name), v);
                }
            }
            headers
        }

        proptest! {
            #[test]
            fn reading_any_request_headers_never_panics(
                cookie_values in prop::collection::vec(value(), 0..3),
                authorization in value(),
                auth_mode_value in value(),
                anti_csrf in value(),
                rid in value(),
            ) {
                let mut values: Vec<(&'static str, Vec<u8>)> =
                    cookie_values.into_iter().map(|c| ("cookie", c)).collect();
                values.extend([
                    ("authorization", authorization),
                    ("st-auth-mode", auth_mode_value),
                    ("anti-csrf", anti_csrf),
                    ("rid", rid),
                ]);
                let headers = headers(&values);
                for name in [ACCESS_TOKEN_COOKIE, REFRESH_TOKEN_COOKIE, LEGACY_ID_REFRESH_COOKIE] {
                    let found = cookie(&headers, name);
                    prop_assert_eq!(found.is_some(), cookie_count(&headers, name) > 0);
                }
                let _ = cookies(&headers).count();
                if let Some(token) = bearer(&headers) {
                    prop_assert!(!token.is_empty() && token.trim() == token);
                }
                let _ = anti_csrf_token(&headers);
                let _ = auth_mode(&headers);
                let app = AppInfo::for_tests("https://api.example.com", "https://example.com");
                let config = Resolved::new(&SessionConfig::new(), &app).unwrap();
                let _ = method_for_new_session(&config, &headers);
            }

            #[test]
            fn a_cookie_reads_back_as_set(
                before in "[a-zA-Z]{1,8}",
                token in "\\PC{0,40}",
                quoted in any::<bool>(),
            ) {
                let encoded = utf8_percent_encode(&token, NON_ALPHANUMERIC).to_string();
                let value = if quoted { format!("\"{encoded}\"") } else { encoded };
                let raw = format!("{before}=x; {ACCESS_TOKEN_COOKIE}={value}; {before}=y");
                let mut headers = HeaderMap::new();
                headers.insert(header::COOKIE, HeaderValue::from_str(&raw).unwrap());
                let found = cookie(&headers, ACCESS_TOKEN_COOKIE);
                prop_assert_eq!(found.as_deref(), Some(token.as_str()));
            }

            #[test]
            fn a_bearer_token_reads_back_as_sent(token in "[!-~]{1,60}", pad in " {0,3}") {
                let mut headers = HeaderMap::new();
                headers.insert(
                    header::AUTHORIZATION,
                    HeaderValue::from_str(&format!("Bearer {pad}{token}{pad}")).unwrap(),
                );
                prop_assert_eq!(bearer(&headers), Some(token.as_str()));
            }

            #[test]
            fn auth_modes_ignore_case_and_spaces(
                // ASCII case only: `(?i)` would also give the Kelvin sign for `k`.
                mode in "[cC][oO][oO][kK][iI][eE]|[hH][eE][aA][dD][eE][rR]",
                pad in "[ \t]{0,2}",
            ) {
                let mut headers = HeaderMap::new();
                headers.insert(
                    AUTH_MODE_HEADER,
                    HeaderValue::from_str(&format!("{pad}{mode}{pad}")).unwrap(),
                );
                let expected = if mode.eq_ignore_ascii_case("cookie") {
                    TokenTransfer::Cookie
                } else {
                    TokenTransfer::Header
                };
                prop_assert_eq!(auth_mode(&headers), Some(expected));
            }
        }
    }
}
