//! [`SessionContainer`]: a verified session, what handlers receive.

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use supertokens_rules::session::TokenTransfer;

use super::claims::{self, Claim, ClaimContext, ClaimValidator, ClaimValue};
use super::error::SessionError;
use super::functions::{RegenerateInput, SessionInformation, VerifiedToken};
use super::recipe::SessionRecipe;
use super::response_changes::{Front, PendingChanges, ResponseChanges};
use super::token;

/// The parts of a session that change when its access token is replaced.
#[derive(Debug, Clone)]
struct TokenState {
    access_token: Arc<str>,
    payload: Arc<Map<String, Value>>,
    expiry_ms: i64,
}

/// A verified session: who the user is, the access-token payload, and operations on the
/// session. Cheap to clone; clones share the token state.
///
/// Take it as an axum extractor (a request without a valid session is answered 401), or as
/// `Option<SessionContainer>` where a session is optional.
#[derive(Clone)]
pub struct SessionContainer {
    recipe: SessionRecipe,
    user_id: Arc<str>,
    recipe_user_id: Arc<str>,
    handle: Arc<str>,
    tenant_id: Arc<str>,
    transfer: TokenTransfer,
    refresh_token: Option<String>,
    anti_csrf_token: Option<String>,
    state: Arc<Mutex<TokenState>>,
    pending: Option<PendingChanges>,
}

impl std::fmt::Debug for SessionContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Tokens stay out of debug output (and so out of logs).
        f.debug_struct("SessionContainer")
            .field("user_id", &self.user_id)
            .field("recipe_user_id", &self.recipe_user_id)
            .field("handle", &self.handle)
            .field("tenant_id", &self.tenant_id)
            .field("transfer", &self.transfer)
            .finish_non_exhaustive()
    }
}

impl SessionContainer {
    pub(crate) fn new(
        recipe: SessionRecipe,
        verified: VerifiedToken,
        transfer: TokenTransfer,
        refresh_token: Option<String>,
        anti_csrf_token: Option<String>,
        pending: Option<PendingChanges>,
    ) -> Self {
        Self {
            recipe,
            user_id: verified.user_id,
            recipe_user_id: verified.recipe_user_id,
            handle: verified.session_handle,
            tenant_id: verified.tenant_id,
            transfer,
            refresh_token,
            anti_csrf_token,
            state: Arc::new(Mutex::new(TokenState {
                access_token: verified.access_token,
                payload: verified.payload,
                expiry_ms: verified.expiry_ms,
            })),
            pending,
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TokenState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The (primary) user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The recipe user id (the login method's user).
    pub fn recipe_user_id(&self) -> &str {
        &self.recipe_user_id
    }

    /// The session handle (stable across refreshes).
    pub fn handle(&self) -> &str {
        &self.handle
    }

    /// The tenant.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// How the session's tokens travel (cookie or header).
    pub fn token_transfer(&self) -> TokenTransfer {
        self.transfer
    }

    /// The full access-token payload (SuperTokens' claims and yours), shared: reading it copies
    /// nothing. It is a snapshot; after
    /// [`merge_into_access_token_payload`](Self::merge_into_access_token_payload), call it again.
    ///
    /// ```
    /// # async fn f(session: supertokens::session::SessionContainer) {
    /// let payload = session.access_token_payload();
    /// let role = payload.get("role").and_then(|v| v.as_str());
    /// # let _ = role;
    /// # }
    /// ```
    pub fn access_token_payload(&self) -> Arc<Map<String, Value>> {
        Arc::clone(&self.state().payload)
    }

    /// The current access token. Treat it as a secret.
    pub fn access_token(&self) -> String {
        self.state().access_token.to_string()
    }

    /// The refresh token, when this session was just created or refreshed. Treat it as a secret.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_deref()
    }

    /// The anti-CSRF token, when one was just issued.
    pub fn anti_csrf_token(&self) -> Option<&str> {
        self.anti_csrf_token.as_deref()
    }

    /// Expiry of the current access token, milliseconds since the epoch.
    pub fn access_token_expiry(&self) -> i64 {
        self.state().expiry_ms
    }

    async fn information(&self) -> Result<SessionInformation, SessionError> {
        self.recipe
            .functions()
            .get_session_information(self.handle.to_string())
            .await?
            .ok_or_else(|| SessionError::unauthorised("Session does not exist anymore"))
    }

    /// When the session was created, milliseconds since the epoch (asks the core).
    pub async fn time_created(&self) -> Result<i64, SessionError> {
        Ok(self.information().await?.time_created)
    }

    /// When the session expires unless refreshed, milliseconds since the epoch (asks the core).
    pub async fn expiry(&self) -> Result<i64, SessionError> {
        Ok(self.information().await?.expiry)
    }

    /// The session's data in the database (asks the core).
    pub async fn session_data_in_database(&self) -> Result<Map<String, Value>, SessionError> {
        Ok(self.information().await?.session_data_in_database)
    }

    /// Replaces the session's data in the database.
    pub async fn update_session_data_in_database(
        &self,
        data: Map<String, Value>,
    ) -> Result<(), SessionError> {
        if self
            .recipe
            .functions()
            .update_session_data_in_database(self.handle.to_string(), data)
            .await?
        {
            Ok(())
        } else {
            Err(SessionError::unauthorised("Session does not exist anymore"))
        }
    }

    /// Revokes this session in the core. Its refresh token stops working at once; its access
    /// token stays valid until it expires (at most the access-token lifetime, an hour by
    /// default) on routes without the database check, and is refused at once on routes with it
    /// (see [Revocation](super#revocation-what-stays-valid-and-for-how-long)).
    ///
    /// The response of the current request then clears the session's tokens as sign-out does,
    /// and carries no token made for it earlier in the request (such as the replacement access
    /// token of a just-refreshed session): under
    /// [`SuperTokens::layer`](crate::SuperTokens::layer), under a
    /// [`SessionGuard`](super::SessionGuard), and in a `#[protected]` handler.
    pub async fn revoke_session(&self) -> Result<(), SessionError> {
        self.recipe
            .functions()
            .revoke_session(self.handle.to_string())
            .await?;
        self.revoked();
        Ok(())
    }

    /// Revokes every session of this session's user, in every tenant, this one included ("sign
    /// out everywhere"); returns the revoked handles. The response clears this session's tokens
    /// as [`revoke_session`](Self::revoke_session) does. The other sessions' access tokens
    /// stay valid as that method says: until they expire, on routes without the database check.
    ///
    /// ```no_run
    /// use supertokens::session::{SessionContainer, SessionError};
    ///
    /// async fn sign_out_everywhere(session: SessionContainer) -> Result<String, SessionError> {
    ///     let revoked = session.revoke_all_for_user().await?;
    ///     Ok(format!("signed out of {} sessions", revoked.len()))
    /// }
    /// ```
    pub async fn revoke_all_for_user(&self) -> Result<Vec<String>, SessionError> {
        let handles = self
            .recipe
            .revoke_all_sessions_for_user(&self.user_id)
            .await?;
        // Even when the list lacks this handle (revoked by another request meanwhile), the
        // session is gone: its tokens must not be handed out.
        self.revoked();
        Ok(handles)
    }

    /// After this session was revoked: the response of the current request clears its tokens
    /// instead of carrying new ones.
    fn revoked(&self) {
        if let Some(pending) = &self.pending {
            pending.revoked(self.recipe.clearing(self.transfer));
        }
    }

    fn claim_context(&self, payload: Arc<Map<String, Value>>) -> ClaimContext {
        ClaimContext {
            user_id: self.user_id.to_string(),
            recipe_user_id: self.recipe_user_id.to_string(),
            tenant_id: self.tenant_id.to_string(),
            current_payload: payload,
            core: self.recipe.base().core.clone(),
        }
    }

    /// Checks the session's claims: claims missing or older than a validator allows are fetched
    /// again and written into a new access token (returned as changes, and written to the
    /// response under the SDK's layers as a refresh's are), then every validator runs. Fails
    /// with [`SessionErrorKind::InvalidClaims`](super::SessionErrorKind::InvalidClaims) (403)
    /// listing each failed check.
    ///
    /// ```no_run
    /// use supertokens::session::{SessionContainer, SessionError};
    /// use supertokens::user_roles::UserRoleClaim;
    ///
    /// async fn delete_post(session: SessionContainer) -> Result<&'static str, SessionError> {
    ///     session.assert_claims(&[UserRoleClaim.includes("admin")]).await?;
    ///     Ok("deleted")
    /// }
    /// ```
    pub async fn assert_claims(
        &self,
        validators: &[ClaimValidator],
    ) -> Result<ResponseChanges, SessionError> {
        if validators.is_empty() {
            return Ok(ResponseChanges::new());
        }
        let payload = self.access_token_payload();
        let now = self.recipe.clock().now_ms();
        let ctx = self.claim_context(Arc::clone(&payload));
        let checked = claims::check(validators, &payload, &ctx, now).await?;
        let changes = match checked.update {
            Some(update) => {
                self.merge_into_access_token_payload(token::user_claims(&update))
                    .await?
            }
            None => ResponseChanges::new(),
        };
        if checked.failures.is_empty() {
            Ok(changes)
        } else {
            Err(self
                .recipe
                .contextualise(SessionError::invalid_claims(checked.failures)))
        }
    }

    /// Fetches `claim`'s value for this session's user and writes it into a new access token
    /// (nothing changes when the claim has no value for the user).
    pub async fn fetch_and_set_claim<V: ClaimValue>(
        &self,
        claim: &Claim<V>,
    ) -> Result<ResponseChanges, SessionError> {
        let ctx = self.claim_context(self.access_token_payload());
        let now = self.recipe.clock().now_ms();
        match claims::erase(claim).build(ctx, now).await? {
            Some(entry) => self.merge_into_access_token_payload(entry).await,
            None => Ok(ResponseChanges::new()),
        }
    }

    /// Sets `claim` to `value` in a new access token.
    pub async fn set_claim_value<V: ClaimValue>(
        &self,
        claim: &Claim<V>,
        value: &V,
    ) -> Result<ResponseChanges, SessionError> {
        let entry = claim.entry(value, self.recipe.clock().now_ms())?;
        self.merge_into_access_token_payload(entry).await
    }

    /// `claim`'s value in the access token, if it has one.
    pub fn get_claim_value<V: ClaimValue>(&self, claim: &Claim<V>) -> Option<V> {
        claim.value_in(&self.state().payload)
    }

    /// Removes `claim` from the access token (a new one is issued).
    pub async fn remove_claim<V: ClaimValue>(
        &self,
        claim: &Claim<V>,
    ) -> Result<ResponseChanges, SessionError> {
        let mut update = Map::new();
        update.insert(claim.key().to_owned(), Value::Null);
        self.merge_into_access_token_payload(update).await
    }

    /// Merges `update` into the access-token payload (a `null` value removes a claim) and issues
    /// a new access token. Returns the headers carrying it; under [`crate::SuperTokens::layer`]
    /// they are also written to the response of the current request.
    pub async fn merge_into_access_token_payload(
        &self,
        update: Map<String, Value>,
    ) -> Result<ResponseChanges, SessionError> {
        let (access_token, mut payload) = {
            let state = self.state();
            (
                state.access_token.to_string(),
                token::user_claims(&state.payload),
            )
        };
        for (k, v) in update {
            if v.is_null() {
                payload.remove(&k);
            } else {
                payload.insert(k, v);
            }
        }
        let regenerated = self
            .recipe
            .functions()
            .regenerate_access_token(RegenerateInput {
                access_token,
                new_access_token_payload: Some(payload),
            })
            .await?
            .ok_or_else(|| SessionError::unauthorised("Session does not exist anymore"))?;
        let mut changes = ResponseChanges::new();
        match regenerated.access_token {
            Some(new) => {
                let parsed = token::parse(&new.token).map_err(|e| {
                    SessionError::other(format!("the core issued an unreadable access token: {e}"))
                })?;
                let base = self.recipe.base();
                changes.access_token(
                    &base.config,
                    self.transfer,
                    &new.token,
                    base.clock.now_ms(),
                    Front {
                        user_id: &self.user_id,
                        expiry_ms: new.expiry,
                        payload: &parsed.payload,
                    },
                );
                let mut state = self.state();
                state.access_token = parsed.raw;
                state.payload = parsed.payload;
                state.expiry_ms = new.expiry;
            }
            None => {
                let mut state = self.state();
                for (k, v) in regenerated.user_data_in_jwt {
                    Arc::make_mut(&mut state.payload).insert(k, v);
                }
            }
        }
        if let Some(pending) = &self.pending
            && !changes.is_empty()
        {
            pending.push(changes.clone());
        }
        Ok(changes)
    }
}
