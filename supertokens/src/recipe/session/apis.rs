//! The session recipe's frontend APIs as an overridable trait ([`SessionApis`]), and the names
//! to disable them with ([`SessionApi`]).

use http::HeaderMap;

use super::container::SessionContainer;
use super::error::SessionError;
use super::recipe::SessionRecipe;
use super::response_changes::ResponseChanges;
use crate::future::BoxFuture;

/// One of the session recipe's frontend APIs, to disable with
/// [`SessionConfig::disable_api`](super::SessionConfig::disable_api).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SessionApi {
    /// `POST {api_base_path}/session/refresh`.
    Refresh,
    /// `POST {api_base_path}/signout`.
    SignOut,
}

/// Outcome of the sign-out API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOutOutcome {
    /// Signed out: `200 {"status":"OK"}`, tokens cleared.
    Ok,
    /// `200 {"status":"GENERAL_ERROR","message":…}`, tokens left as they are.
    GeneralError {
        /// Shown to the user.
        message: String,
    },
}

/// The session recipe's frontend APIs. The SDK's implementation does what the official SDKs do;
/// wrap it with [`SessionConfig::override_apis`](super::SessionConfig::override_apis). As with
/// [`SessionFunctions`](super::SessionFunctions), every method forwards to
/// [`original`](Self::original) unless overridden. Each method receives the recipe, for the
/// session operations it may need.
pub trait SessionApis: Send + Sync + 'static {
    /// The implementation this one wraps; unchanged methods forward to it.
    fn original(&self) -> &dyn SessionApis;

    /// `POST {api_base_path}/session/refresh`: the request headers in; the new session and the
    /// headers carrying its tokens out (the body is `{}`).
    fn refresh_post<'a>(
        &'a self,
        recipe: &'a SessionRecipe,
        request_headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<(SessionContainer, ResponseChanges), SessionError>> {
        self.original().refresh_post(recipe, request_headers)
    }

    /// `POST {api_base_path}/signout`: the verified session in (its tokens are cleared after an
    /// `Ok`).
    fn sign_out_post<'a>(
        &'a self,
        recipe: &'a SessionRecipe,
        session: SessionContainer,
    ) -> BoxFuture<'a, Result<SignOutOutcome, SessionError>> {
        self.original().sign_out_post(recipe, session)
    }
}

/// The SDK's frontend APIs.
pub(crate) struct DefaultApis;

impl SessionApis for DefaultApis {
    fn original(&self) -> &dyn SessionApis {
        self
    }

    fn refresh_post<'a>(
        &'a self,
        recipe: &'a SessionRecipe,
        request_headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<(SessionContainer, ResponseChanges), SessionError>> {
        Box::pin(recipe.refresh_session(request_headers))
    }

    fn sign_out_post<'a>(
        &'a self,
        _recipe: &'a SessionRecipe,
        session: SessionContainer,
    ) -> BoxFuture<'a, Result<SignOutOutcome, SessionError>> {
        Box::pin(async move {
            session.revoke_session().await?;
            Ok(SignOutOutcome::Ok)
        })
    }
}
