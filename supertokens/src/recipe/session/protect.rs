//! The extractors `#[protected]` expands to: a verified session plus the response changes the
//! verification asks for (a refreshed access token after promotion), with the verify options
//! as const parameters.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::{ResponseChanges, SessionContainer, SessionError};

/// Anti-CSRF check as SuperTokens decides by default (every method but GET).
pub const ANTI_CSRF_DEFAULT: u8 = 0;
/// Always check anti-CSRF.
pub const ANTI_CSRF_CHECK: u8 = 1;
/// Never check anti-CSRF.
pub const ANTI_CSRF_SKIP: u8 = 2;

/// A required, verified session with the given options.
#[derive(Debug)]
pub struct Verified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8> {
    /// The session.
    pub session: SessionContainer,
    /// Headers to add to the response (e.g. a new access token); return them with the response.
    pub changes: ResponseChanges,
}

/// An optional session with the given options: `None` when the request carries none.
#[derive(Debug)]
pub struct MaybeVerified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8> {
    /// The session, if any.
    pub session: Option<SessionContainer>,
    /// Headers to add to the response.
    pub changes: ResponseChanges,
}

impl<S: Send + Sync, const CHECK_DATABASE: bool, const ANTI_CSRF: u8> FromRequestParts<S>
    for Verified<CHECK_DATABASE, ANTI_CSRF>
{
    type Rejection = SessionError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        unimplemented!("issue 4")
    }
}

impl<S: Send + Sync, const CHECK_DATABASE: bool, const ANTI_CSRF: u8> FromRequestParts<S>
    for MaybeVerified<CHECK_DATABASE, ANTI_CSRF>
{
    type Rejection = SessionError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        unimplemented!("issue 4")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionContainer {
    type Rejection = SessionError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        unimplemented!("issue 4")
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for SessionContainer {
    type Rejection = SessionError;

    async fn from_request_parts(
        _parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        unimplemented!("issue 4")
    }
}
