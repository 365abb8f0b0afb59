//! Refreshing sessions: [`SessionRecipe::refresh_session`], what `POST /session/refresh` does
//! (duplicate cookies, legacy cookies, anti-CSRF, token theft).

use http::HeaderMap;
use supertokens_rules::session::{AntiCsrf, TokenTransfer};

use super::container::SessionContainer;
use super::error::{SessionError, SessionErrorKind};
use super::functions::RefreshSessionInput;
use super::recipe::SessionRecipe;
use super::response_changes::ResponseChanges;
use super::transfer;

impl SessionRecipe {
    /// Exchanges the request's refresh token for new tokens (what `POST /session/refresh` does).
    /// A reused refresh token revokes the session and answers "token theft detected".
    pub async fn refresh_session(
        &self,
        request_headers: &HeaderMap,
    ) -> Result<(SessionContainer, ResponseChanges), SessionError> {
        let mut legacy = ResponseChanges::new();
        let config = &self.base().config;
        let has_legacy =
            transfer::cookie(request_headers, transfer::LEGACY_ID_REFRESH_COOKIE).is_some();
        if has_legacy {
            legacy.clear_legacy(config);
        }
        match self.refresh_request(request_headers).await {
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

    async fn refresh_request(
        &self,
        headers: &HeaderMap,
    ) -> Result<(SessionContainer, ResponseChanges), SessionError> {
        let config = &self.base().config;
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
            found = Some((t.to_owned(), TokenTransfer::Header));
        }
        if found.is_none()
            && allowed != TokenTransfer::Header
            && let Some(t) =
                transfer::cookie(headers, transfer::REFRESH_TOKEN_COOKIE).filter(|t| !t.is_empty())
        {
            found = Some((t.into_owned(), TokenTransfer::Cookie));
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
        let result = self
            .functions()
            .refresh_session(RefreshSessionInput {
                refresh_token,
                anti_csrf_token: transfer::anti_csrf_token(headers),
                disable_anti_csrf,
            })
            .await;
        let created = match result {
            Ok(created) => created,
            Err(e) => {
                if let SessionErrorKind::TokenTheftDetected { session_handle, .. } = e.kind() {
                    // The session is compromised: end it before answering.
                    self.functions()
                        .revoke_session(session_handle.clone())
                        .await?;
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
            changes.clear(config, transfer::other(method));
        }
        let container = self.attach_new_session(&created, method, &mut changes)?;
        Ok((container, changes))
    }
}
