//! Token transfer: reading tokens from requests (cookies, `authorization`), and the response
//! headers session operations write ([`ResponseChanges`]: cookies, token headers, `front-token`,
//! `Access-Control-Expose-Headers`).

use axum::response::{IntoResponseParts, Response, ResponseParts};
use base64::Engine;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

use super::config::{Resolved, TokenTransfer};

pub(crate) const ACCESS_TOKEN_COOKIE: &str = "sAccessToken";
pub(crate) const REFRESH_TOKEN_COOKIE: &str = "sRefreshToken";
pub(crate) const LEGACY_ID_REFRESH_COOKIE: &str = "sIdRefreshToken";
pub(crate) const ACCESS_TOKEN_HEADER: &str = "st-access-token";
pub(crate) const REFRESH_TOKEN_HEADER: &str = "st-refresh-token";
pub(crate) const FRONT_TOKEN_HEADER: &str = "front-token";
pub(crate) const ANTI_CSRF_HEADER: &str = "anti-csrf";
pub(crate) const AUTH_MODE_HEADER: &str = "st-auth-mode";

/// Access-token cookies live a year; the token inside expires much sooner.
const ACCESS_COOKIE_LIFETIME_MS: i64 = 31_536_000_000;

/// What `encodeURIComponent` leaves alone.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Headers a session operation wants on the response: cookies (replacing a queued `Set-Cookie` of
/// the same name), token headers, `front-token`, and names to add to
/// `Access-Control-Expose-Headers` (merged with what is there).
///
/// Return it with the handler's answer (`(changes, body)`), or call [`apply`](Self::apply).
#[derive(Debug, Default, Clone)]
#[must_use]
pub struct ResponseChanges {
    cookies: Vec<(String, HeaderValue)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    removed: Vec<HeaderName>,
    expose: Vec<&'static str>,
}

impl ResponseChanges {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
            && self.headers.is_empty()
            && self.removed.is_empty()
            && self.expose.is_empty()
    }

    /// Adds `other`'s changes after these (later writes win).
    pub fn extend(&mut self, other: ResponseChanges) {
        for (name, value) in other.cookies {
            self.set_cookie_raw(name, value);
        }
        for (name, value) in other.headers {
            self.set_header(name, value);
        }
        for name in other.removed {
            self.remove_header(name);
        }
        for name in other.expose {
            self.expose(name);
        }
    }

    fn set_cookie_raw(&mut self, name: String, value: HeaderValue) {
        self.cookies.retain(|(n, _)| *n != name);
        self.cookies.push((name, value));
    }

    fn set_header(&mut self, name: HeaderName, value: HeaderValue) {
        self.removed.retain(|n| *n != name);
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value));
    }

    fn remove_header(&mut self, name: HeaderName) {
        self.headers.retain(|(n, _)| *n != name);
        if !self.removed.contains(&name) {
            self.removed.push(name);
        }
    }

    fn expose(&mut self, name: &'static str) {
        if !self.expose.contains(&name) {
            self.expose.push(name);
        }
    }

    fn write(self, headers: &mut HeaderMap) {
        for name in &self.removed {
            headers.remove(name);
        }
        if !self.cookies.is_empty() {
            let kept: Vec<HeaderValue> = headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter(|v| {
                    let name = cookie_name(v.as_bytes());
                    !self.cookies.iter().any(|(n, _)| n.as_bytes() == name)
                })
                .cloned()
                .collect();
            headers.remove(header::SET_COOKIE);
            for v in kept {
                headers.append(header::SET_COOKIE, v);
            }
            for (_, v) in self.cookies {
                headers.append(header::SET_COOKIE, v);
            }
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        if !self.expose.is_empty() {
            let mut names: Vec<String> = headers
                .get_all(header::ACCESS_CONTROL_EXPOSE_HEADERS)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            for name in self.expose {
                if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    names.push(name.to_owned());
                }
            }
            if let Ok(v) = HeaderValue::from_str(&names.join(", ")) {
                headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
            }
        }
    }

    /// Writes the changes into a response (replacing a `Set-Cookie` of the same name, merging the
    /// exposed-header list).
    pub fn apply(self, response: &mut Response) {
        self.write(response.headers_mut());
    }

    /// As [`apply`](Self::apply), on a bare header map.
    pub fn apply_to_headers(self, headers: &mut HeaderMap) {
        self.write(headers);
    }

    // --- what session operations write -------------------------------------------------------

    fn cookie(
        &mut self,
        config: &Resolved,
        name: &str,
        value: &str,
        path: &str,
        expires_ms: i64,
        domain: Option<&str>,
    ) {
        let mut s = format!("{name}={}", utf8_percent_encode(value, URI_COMPONENT));
        if let Some(d) = domain.filter(|d| !d.is_empty()) {
            s.push_str("; Domain=");
            s.push_str(d);
        }
        s.push_str("; Path=");
        s.push_str(if path.is_empty() { "/" } else { path });
        s.push_str("; Expires=");
        s.push_str(&http_date(expires_ms));
        s.push_str("; HttpOnly");
        if config.cookie_secure {
            s.push_str("; Secure");
        }
        s.push_str("; SameSite=");
        s.push_str(config.same_site.as_cookie_value());
        if let Ok(v) = HeaderValue::from_str(&s) {
            self.set_cookie_raw(name.to_owned(), v);
        }
    }

    fn token_header(&mut self, name: &'static str, value: &str) {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.set_header(HeaderName::from_static(name), v);
            self.expose(name);
        }
    }

    /// `front-token` with its expose entry.
    pub(crate) fn front_token(
        &mut self,
        user_id: &str,
        access_token_expiry_ms: i64,
        payload: &serde_json::Map<String, serde_json::Value>,
    ) {
        let value = front_token(user_id, access_token_expiry_ms, payload);
        self.token_header(FRONT_TOKEN_HEADER, &value);
    }

    /// The access token (+ `front-token`) by `method` (cookie or header).
    pub(crate) fn access_token(
        &mut self,
        config: &Resolved,
        method: TokenTransfer,
        token: &str,
        now_ms: i64,
        front: Front<'_>,
    ) {
        let Front {
            user_id,
            expiry_ms,
            payload,
        } = front;
        self.front_token(user_id, expiry_ms, payload);
        if method == TokenTransfer::Cookie {
            self.cookie(
                config,
                ACCESS_TOKEN_COOKIE,
                token,
                "/",
                now_ms + ACCESS_COOKIE_LIFETIME_MS,
                config.cookie_domain.as_deref(),
            );
            if config.expose_access_token_in_cookie_mode {
                self.token_header(ACCESS_TOKEN_HEADER, token);
            }
        } else {
            self.token_header(ACCESS_TOKEN_HEADER, token);
        }
    }

    /// The refresh token by `method`.
    pub(crate) fn refresh_token(
        &mut self,
        config: &Resolved,
        method: TokenTransfer,
        token: &str,
        expiry_ms: i64,
    ) {
        if method == TokenTransfer::Cookie {
            self.cookie(
                config,
                REFRESH_TOKEN_COOKIE,
                token,
                &config.refresh_path.clone(),
                expiry_ms,
                config.cookie_domain.as_deref(),
            );
        } else {
            self.token_header(REFRESH_TOKEN_HEADER, token);
        }
    }

    /// The `anti-csrf` response header.
    pub(crate) fn anti_csrf(&mut self, token: &str) {
        self.token_header(ANTI_CSRF_HEADER, token);
    }

    /// Clears the session tokens of one transfer method.
    pub(crate) fn clear(&mut self, config: &Resolved, method: TokenTransfer) {
        match method {
            TokenTransfer::Cookie => {
                self.cookie(
                    config,
                    ACCESS_TOKEN_COOKIE,
                    "",
                    "/",
                    0,
                    config.cookie_domain.as_deref(),
                );
                let path = config.refresh_path.clone();
                self.cookie(
                    config,
                    REFRESH_TOKEN_COOKIE,
                    "",
                    &path,
                    0,
                    config.cookie_domain.as_deref(),
                );
            }
            TokenTransfer::Header => {
                self.set_header(
                    HeaderName::from_static(ACCESS_TOKEN_HEADER),
                    HeaderValue::from_static(""),
                );
                self.expose(ACCESS_TOKEN_HEADER);
                self.set_header(
                    HeaderName::from_static(REFRESH_TOKEN_HEADER),
                    HeaderValue::from_static(""),
                );
                self.expose(REFRESH_TOKEN_HEADER);
            }
            TokenTransfer::Any => {
                self.clear(config, TokenTransfer::Cookie);
                self.clear(config, TokenTransfer::Header);
                return;
            }
        }
        self.remove_header(HeaderName::from_static(ANTI_CSRF_HEADER));
        self.set_header(
            HeaderName::from_static(FRONT_TOKEN_HEADER),
            HeaderValue::from_static("remove"),
        );
        self.expose(FRONT_TOKEN_HEADER);
    }

    /// Clears every transfer method (cookie, then header).
    pub(crate) fn clear_all(&mut self, config: &Resolved) {
        self.clear(config, TokenTransfer::Any);
    }

    /// Clears the legacy `sIdRefreshToken` cookie (it lived under the refresh path).
    pub(crate) fn clear_legacy(&mut self, config: &Resolved) {
        let path = config.refresh_path.clone();
        self.cookie(
            config,
            LEGACY_ID_REFRESH_COOKIE,
            "",
            &path,
            0,
            config.cookie_domain.as_deref(),
        );
    }

    /// Clears a cookie set with another (older) domain.
    pub(crate) fn clear_cookie_with_domain(
        &mut self,
        config: &Resolved,
        name: &str,
        path: &str,
        domain: &str,
    ) {
        // Keyed apart from the current-domain cookie of the same name.
        let mut s = format!("{name}=; ");
        if !domain.is_empty() {
            s.push_str("Domain=");
            s.push_str(domain);
            s.push_str("; ");
        }
        s.push_str(&format!(
            "Path={}; Expires={}; HttpOnly",
            if path.is_empty() { "/" } else { path },
            http_date(0)
        ));
        if config.cookie_secure {
            s.push_str("; Secure");
        }
        s.push_str("; SameSite=");
        s.push_str(config.same_site.as_cookie_value());
        if let Ok(v) = HeaderValue::from_str(&s) {
            self.cookies.push((format!("{name}@{domain}"), v));
        }
    }
}

impl IntoResponseParts for ResponseChanges {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        self.write(res.headers_mut());
        Ok(res)
    }
}

/// What the `front-token` of a new access token holds.
pub(crate) struct Front<'a> {
    pub(crate) user_id: &'a str,
    pub(crate) expiry_ms: i64,
    pub(crate) payload: &'a serde_json::Map<String, serde_json::Value>,
}

/// The cookie name at the start of a `Set-Cookie` value.
fn cookie_name(value: &[u8]) -> &[u8] {
    let end = value.iter().position(|b| *b == b'=').unwrap_or(value.len());
    value[..end].trim_ascii()
}

/// `front-token`: standard base64 of `{"uid","ate","up"}`.
pub(crate) fn front_token(
    user_id: &str,
    expiry_ms: i64,
    payload: &serde_json::Map<String, serde_json::Value>,
) -> String {
    let json = serde_json::json!({"uid": user_id, "ate": expiry_ms, "up": payload});
    base64::engine::general_purpose::STANDARD.encode(json.to_string())
}

/// An HTTP date (`Thu, 01 Jan 1970 00:00:00 GMT`) from milliseconds since the epoch.
pub(crate) fn http_date(ms: i64) -> String {
    let secs = ms.div_euclid(1000).max(0);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = WEEKDAYS[usize::try_from(days % 7).unwrap_or(0)];
    let month_name = MONTHS[usize::try_from(month - 1).unwrap_or(0)];
    format!("{weekday}, {day:02} {month_name} {year} {h:02}:{m:02}:{s:02} GMT")
}

/// The cookies of a request (every `Cookie` header), in order, values decoded.
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

/// The first cookie named `name`, percent-decoded.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let raw = cookies(headers).find(|(n, _)| *n == name)?.1;
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    Some(match percent_decode_str(raw).decode_utf8() {
        Ok(v) => v.into_owned(),
        Err(_) => raw.to_owned(),
    })
}

/// How many times `name` occurs in the raw `Cookie` headers.
pub(crate) fn cookie_count(headers: &HeaderMap, name: &str) -> usize {
    cookies(headers).filter(|(n, _)| *n == name).count()
}

/// The token in `authorization: Bearer <token>` (exact, case-sensitive prefix; trimmed).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?.trim();
    (!token.is_empty()).then(|| token.to_owned())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AppInfo;
    use crate::recipe::session::SessionConfig;

    fn resolved(config: SessionConfig) -> Resolved {
        let app = AppInfo {
            app_name: "t".into(),
            api_domain: "https://api.example.com".into(),
            website_domain: "https://example.com".into(),
            api_base_path: "/auth".into(),
            website_base_path: "/auth".into(),
            api_gateway_path: String::new(),
        };
        Resolved::new(&config, &app).unwrap()
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            http_date(1_700_000_000_000),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(http_date(951_782_400_000), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn cookies_are_set_and_replaced_by_name() {
        let config = resolved(SessionConfig::new().cookie_domain(".example.com"));
        let mut changes = ResponseChanges::new();
        let payload = serde_json::Map::new();
        changes.access_token(
            &config,
            TokenTransfer::Cookie,
            "a.b+c",
            0,
            Front {
                user_id: "u1",
                expiry_ms: 5000,
                payload: &payload,
            },
        );
        changes.refresh_token(&config, TokenTransfer::Cookie, "rt", 1_700_000_000_000);
        let mut response = Response::new(axum::body::Body::empty());
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("sAccessToken=old; Path=/"),
        );
        response
            .headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_static("theme=dark"));
        response.headers_mut().insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-mine"),
        );
        changes.apply(&mut response);
        let set: Vec<_> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(set.len(), 3, "{set:?}");
        assert_eq!(set[0], "theme=dark");
        assert_eq!(
            set[1],
            "sAccessToken=a.b%2Bc; Domain=.example.com; Path=/; Expires=Fri, 01 Jan 1971 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax"
        );
        assert_eq!(
            set[2],
            "sRefreshToken=rt; Domain=.example.com; Path=/auth/session/refresh; Expires=Tue, 14 Nov 2023 22:13:20 GMT; HttpOnly; Secure; SameSite=Lax"
        );
        assert_eq!(
            response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS],
            "x-mine, front-token"
        );
        let front = response.headers()["front-token"].to_str().unwrap();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(front)
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"uid": "u1", "ate": 5000, "up": {}})
        );
    }

    #[test]
    fn clearing_in_header_mode() {
        let config = resolved(SessionConfig::new());
        let mut changes = ResponseChanges::new();
        changes.anti_csrf("tok");
        changes.clear(&config, TokenTransfer::Header);
        let mut headers = HeaderMap::new();
        changes.apply_to_headers(&mut headers);
        assert_eq!(headers["st-access-token"], "");
        assert_eq!(headers["st-refresh-token"], "");
        assert_eq!(headers["front-token"], "remove");
        assert!(headers.get("anti-csrf").is_none());
        assert_eq!(
            headers[header::ACCESS_CONTROL_EXPOSE_HEADERS],
            "anti-csrf, st-access-token, st-refresh-token, front-token"
        );
    }

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
        assert_eq!(bearer(&headers).as_deref(), Some("abc"));
        headers.insert(AUTH_MODE_HEADER, HeaderValue::from_static("COOKIE"));
        let config = resolved(SessionConfig::new());
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
