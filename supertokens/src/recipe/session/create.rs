//! Creating sessions: [`SessionRecipe::create_new_session`], and the tokens of a new (or
//! refreshed) session written to the response.

use std::sync::Arc;

use http::HeaderMap;
use serde_json::{Map, Value};
use supertokens_rules::session::{SameSite, TokenTransfer};

use super::claims::{self, ClaimContext};
use super::container::SessionContainer;
use super::error::SessionError;
use super::functions::{CreateNewSessionInput, VerifiedToken};
use super::recipe::SessionRecipe;
use super::response_changes::{Front, ResponseChanges};
use super::{token, transfer};
use crate::core::cdi;

impl SessionRecipe {
    /// Creates a session for `recipe_user_id` (after your own sign-in check, say) and returns it
    /// with the response headers carrying its tokens: cookies when the request's `st-auth-mode`
    /// is `cookie`, headers otherwise (or as configured with
    /// [`token_transfer`](super::SessionConfig::token_transfer)).
    ///
    /// ```no_run
    /// # async fn f(st: supertokens::SuperTokens, headers: http::HeaderMap) -> Result<(), supertokens::session::SessionError> {
    /// let (session, changes) = st
    ///     .session()
    ///     .create_new_session(&headers, "public", "user-1", Default::default(), Default::default())
    ///     .await?;
    /// // return `(changes, body)` from the handler
    /// # Ok(()) }
    /// ```
    pub async fn create_new_session(
        &self,
        request_headers: &HeaderMap,
        tenant_id: &str,
        recipe_user_id: &str,
        access_token_payload: Map<String, Value>,
        session_data_in_database: Map<String, Value>,
    ) -> Result<(SessionContainer, ResponseChanges), SessionError> {
        let config = &self.base().config;
        let mut payload = token::user_claims(&access_token_payload);
        payload.insert("iss".to_owned(), Value::String(config.issuer.clone()));
        let base = self.base();
        if !base.claims.is_empty() {
            // Claims of other recipes (roles, say) start out fetched, over any given value.
            let ctx = ClaimContext {
                user_id: recipe_user_id.to_owned(),
                recipe_user_id: recipe_user_id.to_owned(),
                tenant_id: tenant_id.to_owned(),
                current_payload: Arc::new(payload.clone()),
                core: base.core.clone(),
            };
            for (key, value) in claims::build_all(&base.claims, &ctx, base.clock.now_ms()).await? {
                payload.insert(key, value);
            }
        }
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
        let created = self
            .functions()
            .create_new_session(CreateNewSessionInput {
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
            changes.clear(config, transfer::other(method));
        }
        let container = self.attach_new_session(&created, method, &mut changes)?;
        Ok((container, changes))
    }

    /// Writes a new session's tokens and builds its container.
    pub(super) fn attach_new_session(
        &self,
        created: &cdi::NewSession,
        method: TokenTransfer,
        changes: &mut ResponseChanges,
    ) -> Result<SessionContainer, SessionError> {
        let base = self.base();
        let parsed = token::parse(&created.access_token.token).map_err(|e| {
            SessionError::other(format!("the core issued an unreadable access token: {e}"))
        })?;
        changes.access_token(
            &base.config,
            method,
            &created.access_token.token,
            base.clock.now_ms(),
            Front {
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
            self.clone(),
            VerifiedToken {
                access_token: Arc::clone(&parsed.raw),
                access_token_updated: true,
                payload: parsed.payload,
                user_id: created.session.user_id.as_str().into(),
                recipe_user_id: created.session.recipe_user_id.as_str().into(),
                session_handle: created.session.handle.as_str().into(),
                tenant_id: created.session.tenant_id.as_str().into(),
                expiry_ms: created.access_token.expiry,
            },
            method,
            Some(created.refresh_token.token.clone()),
            created.anti_csrf_token.clone(),
            None,
        ))
    }
}
