//! Token transfer, the writing side: the response headers session operations write
//! ([`ResponseChanges`]: cookies, token headers, `front-token`, `Access-Control-Expose-Headers`),
//! and the changes queued while a request is handled ([`PendingChanges`]).

use std::sync::{Arc, Mutex};

use axum::response::{IntoResponseParts, Response, ResponseParts};
use base64::Engine;
use cookie::Cookie;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use supertokens_rules::session::{SameSite, TokenTransfer};
use time::{OffsetDateTime, PrimitiveDateTime};

use super::resolved::Resolved;
use super::transfer::{
    ACCESS_TOKEN_COOKIE, ACCESS_TOKEN_HEADER, ANTI_CSRF_HEADER, FRONT_TOKEN_HEADER,
    LEGACY_ID_REFRESH_COOKIE, REFRESH_TOKEN_COOKIE, REFRESH_TOKEN_HEADER,
};

/// Access-token cookies live a year; the token inside expires much sooner.
const ACCESS_COOKIE_LIFETIME_MS: i64 = 31_536_000_000;

/// What `encodeURIComponent` leaves alone: cookie values are encoded as the official SDKs encode
/// them.
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
    /// The queue of the request these changes were made for, when they are handed to a handler
    /// (`#[protected]`): if the handler revokes the session, the clearing queued there is
    /// written instead. Never carried into a queue (no reference cycle).
    request: Option<PendingChanges>,
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

    /// These changes for a handler of the request `pending` belongs to: when the handler
    /// revokes the session, they write the clearing of its tokens instead.
    pub(crate) fn for_request(mut self, pending: PendingChanges) -> Self {
        self.request = Some(pending);
        self
    }

    fn write(mut self, headers: &mut HeaderMap) {
        match self.request.take().and_then(|p| p.revocation()) {
            Some(clearing) => clearing.write_now(headers),
            None => self.write_now(headers),
        }
    }

    fn write_now(self, headers: &mut HeaderMap) {
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

    /// Sets a session cookie (replacing a queued one of the same name): the value as
    /// `encodeURIComponent` writes it, `Path` (`/` when empty), `Domain` when given and not
    /// empty, `Expires` (second precision), `HttpOnly`, `Secure` as configured, and `SameSite`.
    fn cookie(
        &mut self,
        config: &Resolved,
        name: &str,
        value: &str,
        path: &str,
        expires_ms: i64,
        domain: Option<&str>,
    ) {
        let value = utf8_percent_encode(value, URI_COMPONENT).to_string();
        let mut cookie = Cookie::build((name, value))
            .path(if path.is_empty() { "/" } else { path })
            .expires(expires_at(expires_ms))
            .http_only(true)
            .secure(config.cookie_secure)
            .same_site(match config.same_site {
                SameSite::Strict => cookie::SameSite::Strict,
                SameSite::Lax => cookie::SameSite::Lax,
                SameSite::None => cookie::SameSite::None,
            });
        if let Some(domain) = domain.filter(|d| !d.is_empty()) {
            cookie = cookie.domain(domain);
        }
        if let Ok(v) = HeaderValue::from_str(&cookie.build().to_string()) {
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
                &config.refresh_path,
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

    /// Clears a cookie set with another (older) domain (`""`: a host-only cookie).
    pub(crate) fn clear_cookie_with_domain(
        &mut self,
        config: &Resolved,
        name: &str,
        path: &str,
        domain: &str,
    ) {
        let mut apart = ResponseChanges::new();
        apart.cookie(config, name, "", path, 0, Some(domain));
        // Keyed apart from the current-domain cookie of the same name.
        for (_, v) in apart.cookies {
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

/// The instant `ms` milliseconds after the epoch, whole seconds (the epoch at the least, the end
/// of year 9999 at the most).
fn expires_at(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000).max(0))
        .unwrap_or(PrimitiveDateTime::MAX.assume_utc())
}

/// Response changes queued while a request is handled (by the extractors and by
/// [`SessionContainer::merge_into_access_token_payload`](super::SessionContainer::merge_into_access_token_payload));
/// the SDK's layer puts one in each request's extensions and writes it into the response after
/// the handler.
///
/// Once the request's session is revoked ([`revoked`](Self::revoked)), what was queued is
/// replaced by the clearing of its tokens, and later changes are dropped: a response must not
/// hand out tokens of a session that no longer exists.
#[derive(Debug, Clone, Default)]
pub(crate) struct PendingChanges(Arc<Mutex<Queue>>);

#[derive(Debug, Default)]
struct Queue {
    changes: ResponseChanges,
    revoked: bool,
}

impl PendingChanges {
    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues changes (dropped once the session is revoked).
    pub(crate) fn push(&self, changes: ResponseChanges) {
        let mut queue = self.queue();
        if !queue.revoked {
            queue.changes.extend(changes);
        }
    }

    /// The request's session was revoked: `clearing` (the sign-out headers) replaces whatever
    /// was queued, and nothing queued later reaches the response.
    pub(crate) fn revoked(&self, mut clearing: ResponseChanges) {
        // A queued replacement token may have set the access-token header in cookie mode
        // (`expose_access_token_in_cookie_mode`); the clearing of cookies does not overwrite it.
        let header = HeaderName::from_static(ACCESS_TOKEN_HEADER);
        if !clearing.headers.iter().any(|(n, _)| *n == header) {
            clearing.remove_header(header);
        }
        let mut queue = self.queue();
        queue.revoked = true;
        queue.changes = clearing;
    }

    /// The clearing of the session's tokens, once it is revoked.
    fn revocation(&self) -> Option<ResponseChanges> {
        let queue = self.queue();
        queue.revoked.then(|| queue.changes.clone())
    }

    /// Takes what was queued.
    pub(crate) fn take(&self) -> ResponseChanges {
        std::mem::take(&mut self.queue().changes)
    }

    /// Writes what was queued into the response's headers (what the SDK's layers do after the
    /// handler).
    pub(crate) fn write_into(&self, headers: &mut HeaderMap) {
        let changes = self.take();
        if !changes.is_empty() {
            changes.write(headers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app_info::AppInfo;
    use crate::recipe::session::SessionConfig;

    fn resolved(config: SessionConfig) -> Resolved {
        let app = AppInfo::for_tests("https://api.example.com", "https://example.com");
        Resolved::new(&config, &app).unwrap()
    }

    #[test]
    fn expiry_dates() {
        let secs = |ms| expires_at(ms).unix_timestamp();
        assert_eq!(secs(0), 0);
        assert_eq!(secs(-5), 0, "never before the epoch");
        assert_eq!(secs(1_700_000_000_999), 1_700_000_000, "whole seconds");
        assert_eq!(expires_at(i64::MAX).year(), 9999, "clamped, not wrapped");
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
            "sAccessToken=a.b%2Bc; HttpOnly; SameSite=Lax; Secure; Path=/; Domain=example.com; Expires=Fri, 01 Jan 1971 00:00:00 GMT"
        );
        assert_eq!(
            set[2],
            "sRefreshToken=rt; HttpOnly; SameSite=Lax; Secure; Path=/auth/session/refresh; Domain=example.com; Expires=Tue, 14 Nov 2023 22:13:20 GMT"
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
    fn clearing_cookies() {
        let mut config = resolved(SessionConfig::new());
        config.same_site = SameSite::None;
        config.cookie_secure = false;
        let mut changes = ResponseChanges::new();
        changes.clear(&config, TokenTransfer::Cookie);
        changes.clear_legacy(&config);
        changes.clear_cookie_with_domain(
            &config,
            REFRESH_TOKEN_COOKIE,
            "/auth/session/refresh",
            "",
        );
        let mut headers = HeaderMap::new();
        changes.apply_to_headers(&mut headers);
        let set: Vec<_> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        // No `Secure` without secure cookies, even with `SameSite=None`.
        assert_eq!(
            set,
            [
                "sAccessToken=; HttpOnly; SameSite=None; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "sRefreshToken=; HttpOnly; SameSite=None; Path=/auth/session/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "sIdRefreshToken=; HttpOnly; SameSite=None; Path=/auth/session/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "sRefreshToken=; HttpOnly; SameSite=None; Path=/auth/session/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ]
        );
        assert_eq!(headers["front-token"], "remove");
    }

    proptest::proptest! {
        /// The user id and payload come from an access token, so from the network: whatever
        /// they hold, the front-token is a valid header value that decodes back to them.
        #[test]
        fn a_front_token_decodes_to_what_it_was_made_of(
            user_id in "\\PC{0,24}",
            expiry_ms in proptest::prelude::any::<i64>(),
            claims in proptest::collection::btree_map("\\PC{0,8}", "\\PC{0,16}", 0..4),
        ) {
            let payload: serde_json::Map<String, serde_json::Value> = claims
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::from(v)))
                .collect();
            let front = front_token(&user_id, expiry_ms, &payload);
            proptest::prop_assert!(http::HeaderValue::from_str(&front).is_ok());
            let decoded = base64::engine::general_purpose::STANDARD.decode(front).unwrap();
            let json: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
            proptest::prop_assert_eq!(
                json,
                serde_json::json!({"uid": user_id, "ate": expiry_ms, "up": payload})
            );
            let _ = expires_at(expiry_ms);
        }
    }
}
