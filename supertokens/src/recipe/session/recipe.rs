//! [`SessionRecipe`]: the session recipe of an initialised SDK, the handle for session operations
//! in your own code. Its flows are in `create.rs`, `request.rs` and `refresh.rs`.

use std::sync::Arc;

use serde_json::{Map, Value};
use supertokens_rules::session::TokenTransfer;

use super::claims::{self, Claim, ClaimContext, ClaimValue};
use super::error::SessionError;
use super::functions::{SessionFunctions, SessionInformation, UserSessionsInput};
use super::response_changes::ResponseChanges;
use super::state::Base;
use super::token;
use crate::Clock;

/// The session recipe of an initialised SDK, reached with
/// [`SuperTokens::session`](crate::SuperTokens::session): creates, verifies, refreshes and
/// revokes sessions in your own handlers and tools. Cheap to clone.
///
/// ```no_run
/// # async fn demo(st: supertokens::SuperTokens, headers: http::HeaderMap) -> Result<(), supertokens::session::SessionError> {
/// let session = st.session();
/// // After your own sign-in check: a session, and the headers that carry its tokens.
/// let (created, changes) = session
///     .create_new_session(&headers, "public", "user-1", Default::default(), Default::default())
///     .await?;
/// // Later, say from an admin tool: sign the user out everywhere.
/// session.revoke_all_sessions_for_user(created.user_id()).await?;
/// # let _ = changes;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SessionRecipe {
    inner: Arc<Inner>,
}

struct Inner {
    base: Arc<Base>,
    functions: Arc<dyn SessionFunctions>,
}

impl std::fmt::Debug for SessionRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecipe")
            .field("config", &self.inner.base.config)
            .finish_non_exhaustive()
    }
}

impl SessionRecipe {
    pub(crate) fn new(base: Arc<Base>, functions: Arc<dyn SessionFunctions>) -> Self {
        Self {
            inner: Arc::new(Inner { base, functions }),
        }
    }

    pub(crate) fn base(&self) -> &Base {
        &self.inner.base
    }

    /// The SDK's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.base.clock
    }

    /// The recipe functions (overrides applied), for calls this type has no shortcut for.
    pub fn functions(&self) -> &dyn SessionFunctions {
        &*self.inner.functions
    }

    /// Adds the configured statuses and, where the error asks for it, the clearing of every
    /// transfer method's tokens.
    pub(crate) fn contextualise(&self, error: SessionError) -> SessionError {
        let config = &self.base().config;
        let mut changes = ResponseChanges::new();
        if error.clears_tokens() {
            changes.clear_all(config);
        }
        error.with_context(
            config.session_expired_status_code,
            config.invalid_claim_status_code,
            changes,
        )
    }

    /// The headers sign-out answers with: the session's tokens cleared for `transfer`.
    pub(crate) fn clearing(&self, transfer: TokenTransfer) -> ResponseChanges {
        let mut changes = ResponseChanges::new();
        changes.clear(&self.base().config, transfer);
        changes
    }

    /// Revokes a session by its handle; `true` if it existed. Its refresh token stops working at
    /// once.
    ///
    /// Until they expire, access tokens issued before stay valid on routes without the database
    /// check: see [Revocation](super#revocation-what-stays-valid-and-for-how-long).
    pub async fn revoke_session(&self, session_handle: &str) -> Result<bool, SessionError> {
        self.functions()
            .revoke_session(session_handle.to_owned())
            .await
    }

    /// Revokes every session of a user, in every tenant; returns the revoked handles. Their
    /// refresh tokens stop working at once.
    ///
    /// Until they expire, access tokens issued before stay valid on routes without the database
    /// check: see [Revocation](super#revocation-what-stays-valid-and-for-how-long).
    pub async fn revoke_all_sessions_for_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<String>, SessionError> {
        self.functions()
            .revoke_all_sessions_for_user(UserSessionsInput {
                user_id: user_id.to_owned(),
                tenant_id: None,
            })
            .await
    }

    /// The handles of a user's live sessions, in every tenant.
    pub async fn get_all_session_handles_for_user(
        &self,
        user_id: &str,
    ) -> Result<Vec<String>, SessionError> {
        self.functions()
            .get_all_session_handles_for_user(UserSessionsInput {
                user_id: user_id.to_owned(),
                tenant_id: None,
            })
            .await
    }

    /// What the core knows about a session (`None` if it does not exist).
    pub async fn get_session_information(
        &self,
        session_handle: &str,
    ) -> Result<Option<SessionInformation>, SessionError> {
        self.functions()
            .get_session_information(session_handle.to_owned())
            .await
    }

    /// Merges `update` into the custom access-token claims of a session by its handle (`null`
    /// removes one); the session's next access token (after its next refresh) carries them.
    /// `false` if the session does not exist.
    pub async fn merge_into_access_token_payload(
        &self,
        session_handle: &str,
        update: Map<String, Value>,
    ) -> Result<bool, SessionError> {
        let Some(info) = self.get_session_information(session_handle).await? else {
            return Ok(false);
        };
        let mut payload = token::user_claims(&info.custom_claims_in_access_token_payload);
        for (key, value) in update {
            if value.is_null() {
                payload.remove(&key);
            } else {
                payload.insert(key, value);
            }
        }
        self.functions()
            .update_access_token_payload(session_handle.to_owned(), payload)
            .await
    }

    /// Fetches `claim`'s value for a session's user and stores it in the session's claims (see
    /// [`merge_into_access_token_payload`](Self::merge_into_access_token_payload)). `false` if
    /// the session does not exist.
    pub async fn fetch_and_set_claim<V: ClaimValue>(
        &self,
        session_handle: &str,
        claim: &Claim<V>,
    ) -> Result<bool, SessionError> {
        let Some(info) = self.get_session_information(session_handle).await? else {
            return Ok(false);
        };
        let ctx = ClaimContext {
            user_id: info.user_id,
            recipe_user_id: info.recipe_user_id,
            tenant_id: info.tenant_id,
            current_payload: Arc::new(info.custom_claims_in_access_token_payload),
            core: self.base().core.clone(),
        };
        let entry = claims::erase(claim)
            .build(ctx, self.clock().now_ms())
            .await?
            .unwrap_or_default();
        self.merge_into_access_token_payload(session_handle, entry)
            .await
    }

    /// Sets `claim` to `value` in a session's claims; `false` if the session does not exist.
    pub async fn set_claim_value<V: ClaimValue>(
        &self,
        session_handle: &str,
        claim: &Claim<V>,
        value: &V,
    ) -> Result<bool, SessionError> {
        let entry = claim.entry(value, self.clock().now_ms())?;
        self.merge_into_access_token_payload(session_handle, entry)
            .await
    }

    /// `claim`'s value in a session's claims: `Ok(None)` when the session does not exist or has
    /// no value of the claim (tell them apart with
    /// [`get_session_information`](Self::get_session_information)).
    pub async fn get_claim_value<V: ClaimValue>(
        &self,
        session_handle: &str,
        claim: &Claim<V>,
    ) -> Result<Option<V>, SessionError> {
        Ok(self
            .get_session_information(session_handle)
            .await?
            .and_then(|info| claim.value_in(&info.custom_claims_in_access_token_payload)))
    }

    /// Removes `claim` from a session's claims; `false` if the session does not exist.
    pub async fn remove_claim<V: ClaimValue>(
        &self,
        session_handle: &str,
        claim: &Claim<V>,
    ) -> Result<bool, SessionError> {
        let mut update = Map::new();
        update.insert(claim.key().to_owned(), Value::Null);
        self.merge_into_access_token_payload(session_handle, update)
            .await
    }

    /// Replaces a session's database data; `false` if the session does not exist.
    pub async fn update_session_data_in_database(
        &self,
        session_handle: &str,
        data: Map<String, Value>,
    ) -> Result<bool, SessionError> {
        self.functions()
            .update_session_data_in_database(session_handle.to_owned(), data)
            .await
    }
}
