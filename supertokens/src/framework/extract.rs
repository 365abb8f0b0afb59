//! The extractors: [`SessionContainer`] (and `Option<SessionContainer>`), and the ones
//! `#[protected]` expands to, a verified session plus the response changes the verification asks
//! for (a replacement access token after a refresh), with the verify options as const
//! parameters. Those are for generated code: they are reached only through `__private`.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use crate::SuperTokens;
use crate::recipe::session::{
    GetSessionOptions, PendingChanges, ResponseChanges, SessionContainer, SessionError,
};

/// Anti-CSRF check as SuperTokens decides by default (every method but GET).
#[doc(hidden)]
pub const ANTI_CSRF_DEFAULT: u8 = 0;
/// Always check anti-CSRF.
#[doc(hidden)]
pub const ANTI_CSRF_CHECK: u8 = 1;
/// Never check anti-CSRF.
#[doc(hidden)]
pub const ANTI_CSRF_SKIP: u8 = 2;

/// A required, verified session with the given options.
#[doc(hidden)]
#[derive(Debug)]
pub struct Verified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8> {
    /// The session.
    pub session: SessionContainer,
    /// Headers to add to the response (e.g. a new access token); return them with the response.
    pub changes: ResponseChanges,
}

/// An optional session with the given options: `None` when the request carries none.
#[doc(hidden)]
#[derive(Debug)]
pub struct MaybeVerified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8> {
    /// The session, if any.
    pub session: Option<SessionContainer>,
    /// Headers to add to the response.
    pub changes: ResponseChanges,
}

/// The instance of a request: the one [`SuperTokens::layer`] attached, else the global one.
fn instance(parts: &Parts) -> Result<SuperTokens, SessionError> {
    match parts.extensions.get::<SuperTokens>() {
        Some(st) => Ok(st.clone()),
        None => {
            SuperTokens::global().map_err(|e| SessionError::other_with_source(e.to_string(), e))
        }
    }
}

fn options(check_database: bool, anti_csrf: u8, required: bool) -> GetSessionOptions {
    let mut options = GetSessionOptions::new().session_required(required);
    // Without the option, the app-wide setting decides.
    if check_database {
        options = options.check_database(true);
    }
    match anti_csrf {
        ANTI_CSRF_CHECK => options.anti_csrf_check(true),
        ANTI_CSRF_SKIP => options.anti_csrf_check(false),
        _ => options,
    }
}

async fn extract(
    parts: &Parts,
    opts: GetSessionOptions,
) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
    let st = instance(parts)?;
    let pending = parts.extensions.get::<PendingChanges>().cloned();
    st.session()
        .session_of_request(&parts.headers, &parts.method, &opts, pending)
        .await
}

impl<S: Send + Sync, const CHECK_DATABASE: bool, const ANTI_CSRF: u8> FromRequestParts<S>
    for Verified<CHECK_DATABASE, ANTI_CSRF>
{
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match extract(parts, options(CHECK_DATABASE, ANTI_CSRF, true)).await? {
            (Some(session), changes) => Ok(Self { session, changes }),
            (None, _) => Err(SessionError::unauthorised_keep_tokens("no session")),
        }
    }
}

impl<S: Send + Sync, const CHECK_DATABASE: bool, const ANTI_CSRF: u8> FromRequestParts<S>
    for MaybeVerified<CHECK_DATABASE, ANTI_CSRF>
{
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let (session, changes) = extract(parts, options(CHECK_DATABASE, ANTI_CSRF, false)).await?;
        Ok(Self { session, changes })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionContainer {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match extract(parts, options(false, ANTI_CSRF_DEFAULT, true)).await? {
            (Some(session), _) => Ok(session),
            (None, _) => Err(SessionError::unauthorised_keep_tokens("no session")),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for SessionContainer {
    type Rejection = SessionError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(extract(parts, options(false, ANTI_CSRF_DEFAULT, false))
            .await?
            .0)
    }
}
