//! The extractors: [`SuperTokens`], [`SessionContainer`] (and `Option<SessionContainer>`), and
//! the ones `#[protected]` expands to, a verified session plus the response changes the verification asks
//! for (a replacement access token after a refresh), with the verify options as const
//! parameters. Those are for generated code: they are reached only through `__private`.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::MissingInstance;
use crate::SuperTokens;
use crate::recipe::session::claims::ClaimValidator;
use crate::recipe::session::{
    AntiCsrfCheck, GetSessionOptions, PendingChanges, ResponseChanges, SessionContainer,
    SessionError,
};
use crate::recipe::user_roles::NEEDS_USER_ROLES;

/// Anti-CSRF check as SuperTokens decides by default (every method but GET).
#[doc(hidden)]
pub const ANTI_CSRF_DEFAULT: u8 = 0;
/// Always check anti-CSRF.
#[doc(hidden)]
pub const ANTI_CSRF_CHECK: u8 = 1;
/// Never check anti-CSRF.
#[doc(hidden)]
pub const ANTI_CSRF_SKIP: u8 = 2;

/// The claim checks of a `#[protected]` route with `roles`, `permissions`, `any_role` or
/// `claims`: the macro implements it on a type of its own for the handler.
#[doc(hidden)]
pub trait RouteClaims: 'static {
    /// Whether the route has checks of its own (else the app-wide ones apply).
    const OWN_CHECKS: bool = true;
    /// Whether the checks read roles or permissions (the app needs the UserRoles recipe).
    const NEEDS_USER_ROLES: bool;
    /// The route's checks, from the app-wide ones.
    fn validators(globals: Vec<ClaimValidator>) -> Vec<ClaimValidator>;
}

/// A route without checks of its own: the app-wide ones apply.
#[doc(hidden)]
#[derive(Debug)]
pub struct GlobalClaims;

impl RouteClaims for GlobalClaims {
    const OWN_CHECKS: bool = false;
    const NEEDS_USER_ROLES: bool = false;

    fn validators(globals: Vec<ClaimValidator>) -> Vec<ClaimValidator> {
        globals
    }
}

/// A required, verified session with the given options.
#[doc(hidden)]
#[derive(Debug)]
pub struct Verified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8, C = GlobalClaims> {
    /// The session.
    pub session: SessionContainer,
    /// Headers to add to the response (e.g. a new access token); return them with the response.
    pub changes: ResponseChanges,
    /// The route's claim checks.
    pub claims: std::marker::PhantomData<C>,
}

/// An optional session with the given options: `None` when the request carries none.
#[doc(hidden)]
#[derive(Debug)]
pub struct MaybeVerified<const CHECK_DATABASE: bool, const ANTI_CSRF: u8, C = GlobalClaims> {
    /// The session, if any.
    pub session: Option<SessionContainer>,
    /// Headers to add to the response.
    pub changes: ResponseChanges,
    /// The route's claim checks.
    pub claims: std::marker::PhantomData<C>,
}

/// The instance of a request: the one [`SuperTokens::layer`] or a
/// [`SessionGuard`](crate::session::SessionGuard) attached, else the global one.
pub(crate) fn instance(extensions: &http::Extensions) -> Result<SuperTokens, MissingInstance> {
    match extensions.get::<SuperTokens>() {
        Some(st) => Ok(st.clone()),
        None => SuperTokens::global().map_err(MissingInstance::new),
    }
}

impl From<MissingInstance> for SessionError {
    fn from(e: MissingInstance) -> Self {
        SessionError::other_with_source(e.to_string(), e)
    }
}

/// The session a [`SessionGuard`](crate::session::SessionGuard) verified for the request
/// (`None`: an optional guard found none). The session extractors take it from the request
/// extensions instead of verifying again.
#[derive(Clone)]
pub(crate) struct GuardedSession(pub(crate) Option<SessionContainer>);

fn options(check_database: bool, anti_csrf: u8, required: bool) -> GetSessionOptions {
    let anti_csrf = match anti_csrf {
        ANTI_CSRF_CHECK => AntiCsrfCheck::Check,
        ANTI_CSRF_SKIP => AntiCsrfCheck::Skip,
        _ => AntiCsrfCheck::ByMethod,
    };
    GetSessionOptions::for_route(required, check_database, anti_csrf)
}

/// The options of a `#[protected]` route whose claim checks are `C`'s.
fn route_options<C: RouteClaims>(
    check_database: bool,
    anti_csrf: u8,
    required: bool,
) -> GetSessionOptions {
    let options = options(check_database, anti_csrf, required);
    if C::OWN_CHECKS {
        options.claim_validators(C::validators)
    } else {
        options
    }
}

/// The session verified by a guard over the route, else the request's session verified now with
/// the defaults (`None`: there is none and `required` is false).
async fn plain(parts: &Parts, required: bool) -> Result<Option<SessionContainer>, SessionError> {
    if let Some(GuardedSession(session)) = parts.extensions.get::<GuardedSession>() {
        return Ok(session.clone());
    }
    Ok(
        extract(parts, options(false, ANTI_CSRF_DEFAULT, required), false)
            .await?
            .0,
    )
}

/// The request's session verified with `opts`, and the changes for the response. The changes
/// follow the request: if the handler revokes the session, they clear its tokens instead.
async fn extract(
    parts: &Parts,
    opts: GetSessionOptions,
    needs_user_roles: bool,
) -> Result<(Option<SessionContainer>, ResponseChanges), SessionError> {
    let st = instance(&parts.extensions)?;
    if needs_user_roles && !st.user_roles_enabled() {
        // The attribute checks this at compile time when the app is in the same crate.
        return Err(SessionError::other(NEEDS_USER_ROLES));
    }
    // Without the layer's queue, one of its own lets a revocation reach the changes.
    let pending = parts
        .extensions
        .get::<PendingChanges>()
        .cloned()
        .unwrap_or_default();
    let (session, changes) = st
        .session()
        .session_of_request(&parts.headers, &parts.method, &opts, Some(pending.clone()))
        .await?;
    Ok((session, changes.for_request(pending)))
}

impl<S, const CHECK_DATABASE: bool, const ANTI_CSRF: u8, C> FromRequestParts<S>
    for Verified<CHECK_DATABASE, ANTI_CSRF, C>
where
    S: Send + Sync,
    C: RouteClaims,
{
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let opts = route_options::<C>(CHECK_DATABASE, ANTI_CSRF, true);
        match extract(parts, opts, C::NEEDS_USER_ROLES).await? {
            (Some(session), changes) => Ok(Self {
                session,
                changes,
                claims: std::marker::PhantomData,
            }),
            (None, _) => Err(SessionError::unauthorised_keep_tokens("no session")),
        }
    }
}

impl<S, const CHECK_DATABASE: bool, const ANTI_CSRF: u8, C> FromRequestParts<S>
    for MaybeVerified<CHECK_DATABASE, ANTI_CSRF, C>
where
    S: Send + Sync,
    C: RouteClaims,
{
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let opts = route_options::<C>(CHECK_DATABASE, ANTI_CSRF, false);
        let (session, changes) = extract(parts, opts, C::NEEDS_USER_ROLES).await?;
        Ok(Self {
            session,
            changes,
            claims: std::marker::PhantomData,
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionContainer {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        plain(parts, true)
            .await?
            .ok_or_else(|| SessionError::unauthorised_keep_tokens("no session"))
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for SessionContainer {
    type Rejection = SessionError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        plain(parts, false).await
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SuperTokens {
    type Rejection = MissingInstance;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        instance(&parts.extensions)
    }
}
