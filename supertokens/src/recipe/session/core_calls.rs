//! The SDK's implementation of [`SessionFunctions`]: the session calls to the core (and local
//! verification for `get_session`).

use std::sync::Arc;

use serde_json::{Map, Value};
use supertokens_rules::session::AntiCsrf;

use super::error::{SessionError, SessionErrorKind};
use super::functions::{
    CreateNewSessionInput, GetSessionInput, RefreshSessionInput, RegenerateInput, Regenerated,
    SessionFunctions, SessionInformation, UserSessionsInput, VerifiedToken,
};
use super::state::Base;
use super::verify;
use crate::core::cdi::{self, NewSession};
use crate::future::BoxFuture;

const RID: Option<&str> = Some("session");

/// The implementation that calls the core.
pub(crate) struct CoreFunctions {
    base: Arc<Base>,
}

impl CoreFunctions {
    pub(crate) fn shared(base: Arc<Base>) -> Arc<dyn SessionFunctions> {
        Arc::new(Self { base })
    }

    fn enable_anti_csrf(&self, disabled: bool) -> bool {
        !disabled && self.base.config.anti_csrf_configured == Some(AntiCsrf::ViaToken)
    }

    /// `PUT path` of a session's data or claims: `false` when the session does not exist.
    async fn update(&self, path: &str, body: &impl serde::Serialize) -> Result<bool, SessionError> {
        let answer: cdi::UpdateSessionResponse = self
            .base
            .core
            .request(http::Method::PUT, path, RID, &[], Some(body))
            .await?;
        Ok(matches!(answer, cdi::UpdateSessionResponse::Ok))
    }
}

impl SessionFunctions for CoreFunctions {
    fn original(&self) -> &dyn SessionFunctions {
        self
    }

    fn create_new_session(
        &self,
        input: CreateNewSessionInput,
    ) -> BoxFuture<'_, Result<NewSession, SessionError>> {
        Box::pin(async move {
            let answer: cdi::CreateSessionResponse = self
                .base
                .core
                .post(
                    &cdi::tenant_path(&input.tenant_id, "/recipe/session"),
                    RID,
                    &cdi::CreateSessionRequest {
                        user_id: input.recipe_user_id,
                        user_data_in_jwt: input.access_token_payload,
                        user_data_in_database: input.session_data_in_database,
                        enable_anti_csrf: self.enable_anti_csrf(input.disable_anti_csrf),
                        use_dynamic_signing_key: self.base.config.use_dynamic_signing_key,
                    },
                )
                .await?;
            let cdi::CreateSessionResponse::Ok(created) = answer;
            Ok(created)
        })
    }

    fn get_session(
        &self,
        input: GetSessionInput,
    ) -> BoxFuture<'_, Result<VerifiedToken, SessionError>> {
        Box::pin(verify::get_session(&self.base, input))
    }

    fn refresh_session(
        &self,
        input: RefreshSessionInput,
    ) -> BoxFuture<'_, Result<NewSession, SessionError>> {
        Box::pin(async move {
            let answer: cdi::RefreshSessionResponse = self
                .base
                .core
                .post(
                    "/recipe/session/refresh",
                    RID,
                    &cdi::RefreshSessionRequest {
                        refresh_token: input.refresh_token,
                        anti_csrf_token: input.anti_csrf_token,
                        enable_anti_csrf: self.enable_anti_csrf(input.disable_anti_csrf),
                        use_dynamic_signing_key: self.base.config.use_dynamic_signing_key,
                    },
                )
                .await?;
            match answer {
                cdi::RefreshSessionResponse::Ok(created) => Ok(created),
                cdi::RefreshSessionResponse::Unauthorised { message } => {
                    Err(SessionError::unauthorised(message))
                }
                cdi::RefreshSessionResponse::TokenTheftDetected { session } => {
                    Err(SessionErrorKind::TokenTheftDetected {
                        session_handle: session.handle,
                        user_id: session.user_id,
                        recipe_user_id: session.recipe_user_id,
                    }
                    .into())
                }
            }
        })
    }

    fn revoke_session(&self, session_handle: String) -> BoxFuture<'_, Result<bool, SessionError>> {
        Box::pin(async move {
            let answer: cdi::RemoveSessionsResponse = self
                .base
                .core
                .post(
                    "/recipe/session/remove",
                    RID,
                    &cdi::RemoveSessionsRequest {
                        session_handles: Some(vec![session_handle]),
                        ..Default::default()
                    },
                )
                .await?;
            let cdi::RemoveSessionsResponse::Ok {
                session_handles_revoked,
            } = answer;
            Ok(session_handles_revoked.len() == 1)
        })
    }

    fn revoke_all_sessions_for_user(
        &self,
        input: UserSessionsInput,
    ) -> BoxFuture<'_, Result<Vec<String>, SessionError>> {
        Box::pin(async move {
            let across = input.tenant_id.is_none();
            let path = match &input.tenant_id {
                Some(t) => cdi::tenant_path(t, "/recipe/session/remove"),
                None => "/recipe/session/remove".to_owned(),
            };
            let answer: cdi::RemoveSessionsResponse = self
                .base
                .core
                .post(
                    &path,
                    RID,
                    &cdi::RemoveSessionsRequest {
                        user_id: Some(input.user_id),
                        revoke_across_all_tenants: Some(across),
                        revoke_sessions_for_linked_accounts: Some(true),
                        ..Default::default()
                    },
                )
                .await?;
            let cdi::RemoveSessionsResponse::Ok {
                session_handles_revoked,
            } = answer;
            Ok(session_handles_revoked)
        })
    }

    fn get_all_session_handles_for_user(
        &self,
        input: UserSessionsInput,
    ) -> BoxFuture<'_, Result<Vec<String>, SessionError>> {
        Box::pin(async move {
            let across = if input.tenant_id.is_none() {
                "true"
            } else {
                "false"
            };
            let path = match &input.tenant_id {
                Some(t) => cdi::tenant_path(t, "/recipe/session/user"),
                None => "/recipe/session/user".to_owned(),
            };
            let answer: cdi::SessionHandlesResponse = self
                .base
                .core
                .get(
                    &path,
                    RID,
                    &[
                        ("userId", input.user_id.as_str()),
                        ("fetchAcrossAllTenants", across),
                        ("fetchSessionsForAllLinkedAccounts", "true"),
                    ],
                )
                .await?;
            let cdi::SessionHandlesResponse::Ok { session_handles } = answer;
            Ok(session_handles)
        })
    }

    fn get_session_information(
        &self,
        session_handle: String,
    ) -> BoxFuture<'_, Result<Option<SessionInformation>, SessionError>> {
        Box::pin(async move {
            let answer: cdi::GetSessionResponse = self
                .base
                .core
                .get(
                    "/recipe/session",
                    RID,
                    &[("sessionHandle", session_handle.as_str())],
                )
                .await?;
            Ok(match answer {
                cdi::GetSessionResponse::Ok {
                    session_handle,
                    user_id,
                    recipe_user_id,
                    user_data_in_database,
                    user_data_in_jwt,
                    expiry,
                    time_created,
                    tenant_id,
                } => Some(SessionInformation {
                    session_handle,
                    user_id,
                    recipe_user_id,
                    session_data_in_database: user_data_in_database,
                    expiry,
                    custom_claims_in_access_token_payload: user_data_in_jwt,
                    time_created,
                    tenant_id,
                }),
                cdi::GetSessionResponse::Unauthorised { .. } => None,
            })
        })
    }

    fn update_session_data_in_database(
        &self,
        session_handle: String,
        data: Map<String, Value>,
    ) -> BoxFuture<'_, Result<bool, SessionError>> {
        let body = cdi::UpdateSessionDataRequest {
            session_handle,
            user_data_in_database: data,
        };
        Box::pin(async move { self.update("/recipe/session/data", &body).await })
    }

    fn update_access_token_payload(
        &self,
        session_handle: String,
        payload: Map<String, Value>,
    ) -> BoxFuture<'_, Result<bool, SessionError>> {
        let body = cdi::UpdateJwtDataRequest {
            session_handle,
            user_data_in_jwt: payload,
        };
        Box::pin(async move { self.update("/recipe/jwt/data", &body).await })
    }

    fn regenerate_access_token(
        &self,
        input: RegenerateInput,
    ) -> BoxFuture<'_, Result<Option<Regenerated>, SessionError>> {
        Box::pin(async move {
            let answer: cdi::RegenerateSessionResponse = self
                .base
                .core
                .post(
                    "/recipe/session/regenerate",
                    RID,
                    &cdi::RegenerateSessionRequest {
                        access_token: input.access_token,
                        user_data_in_jwt: input.new_access_token_payload,
                    },
                )
                .await?;
            Ok(match answer {
                cdi::RegenerateSessionResponse::Ok {
                    session,
                    access_token,
                } => Some(Regenerated {
                    user_data_in_jwt: session.user_data_in_jwt,
                    access_token,
                }),
                cdi::RegenerateSessionResponse::Unauthorised { .. }
                | cdi::RegenerateSessionResponse::TryRefreshToken { .. } => None,
            })
        })
    }
}
