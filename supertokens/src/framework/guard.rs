//! [`SessionGuard`]: a layer that requires a session on every route of a router, with the
//! options of `#[protected]`.

use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use http::Request;

use super::extract::{GuardedSession, instance};
use crate::SuperTokens;
use crate::future::BoxFuture;
use crate::recipe::session::claims::{ClaimValidator, RouteValidators};
use crate::recipe::session::{AntiCsrfCheck, GetSessionOptions, PendingChanges};
use crate::setters::setters;

/// A layer that verifies the session of every request to the routes under it, before any
/// handler runs: what [`#[protected]`](crate::protected) does for one handler, for a whole
/// [`Router`](axum::Router).
///
/// A request without a valid session is answered as `#[protected]` answers it (401 with
/// `try refresh token` or `unauthorised`, and so on) and reaches no handler. Handlers below
/// take the verified session with the plain
/// [`SessionContainer`](crate::session::SessionContainer) extractor (or
/// `Option<SessionContainer>` under [`optional`](Self::optional)), which then verifies nothing
/// again, and whatever the verification or the handler queues for the
/// response (a replacement access token, the clearing of a revoked session) is written into it.
///
/// The options are those of `#[protected]`:
///
/// | `#[protected(...)]` | `SessionGuard` |
/// |---|---|
/// | `#[protected]` | `SessionGuard::new()` |
/// | `optional` | [`.optional()`](Self::optional) |
/// | `check_database` | [`.check_database()`](Self::check_database) |
/// | `anti_csrf = "check"` / `"skip"` | [`.anti_csrf(AntiCsrfCheck::Check)`](Self::anti_csrf) / `AntiCsrfCheck::Skip` |
/// | `roles`, `any_role`, `permissions`, `claims` | [`.claim_validators(...)`](Self::claim_validators) |
///
/// ```
/// use axum::{Router, routing::get};
/// use supertokens::session::{SessionContainer, SessionGuard};
///
/// async fn whoami(session: SessionContainer) -> String {
///     session.user_id().to_owned()
/// }
///
/// async fn settings(session: SessionContainer) -> String {
///     format!("settings of {}", session.user_id())
/// }
///
/// let account: Router = Router::new()
///     .route("/whoami", get(whoami))
///     .route("/settings", get(settings))
///     .layer(SessionGuard::new().check_database());
/// let app: Router = Router::new().nest("/account", account);
/// ```
///
/// A `#[protected]` handler below a guard verifies again, with its own options (so it can ask
/// for more, such as `check_database`, on one route).
///
/// [`SessionGuard::new`] uses the instance of the request ([`SuperTokens::layer`] outside it),
/// else the one [`crate::init`] installed; [`SuperTokens::session_guard`] makes a guard that
/// carries its instance and needs neither.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct SessionGuard {
    st: Option<SuperTokens>,
    optional: bool,
    check_database: bool,
    anti_csrf: AntiCsrfCheck,
    claims: RouteValidators,
}

impl SessionGuard {
    /// A guard that requires a session, verified locally, with anti-CSRF checked as configured
    /// (every method but GET): `#[protected]`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets requests without a session through, with no session for the handlers
    /// (`Option<SessionContainer>` is `None`): `#[protected(optional)]`. A session that is
    /// there must still be valid.
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    /// Also asks the core whether the session still exists, so a revoked session is refused
    /// at once (one core call per request): `#[protected(check_database)]`.
    pub fn check_database(mut self) -> Self {
        self.check_database = true;
        self
    }

    setters! {
        plain:
        /// When anti-CSRF protection is checked: `#[protected(anti_csrf = "check")]` is
        /// `.anti_csrf(AntiCsrfCheck::Check)`.
        anti_csrf: AntiCsrfCheck,
    }

    /// The claim checks of the routes below, made from the app-wide ones:
    /// `#[protected(roles = ["admin"])]` is
    /// `.claim_validators(|mut v| { v.push(UserRoleClaim.includes("admin")); v })`.
    ///
    /// ```
    /// use axum::{Router, routing::get};
    /// use supertokens::session::SessionGuard;
    /// use supertokens::user_roles::UserRoleClaim;
    ///
    /// let admin: Router = Router::new()
    ///     .route("/stats", get(|| async { "42" }))
    ///     .layer(SessionGuard::new().claim_validators(|mut checks| {
    ///         checks.push(UserRoleClaim.includes("admin"));
    ///         checks
    ///     }));
    /// ```
    pub fn claim_validators<F>(mut self, validators: F) -> Self
    where
        F: Fn(Vec<ClaimValidator>) -> Vec<ClaimValidator> + Send + Sync + 'static,
    {
        self.claims = RouteValidators(Some(std::sync::Arc::new(validators)));
        self
    }

    fn options(&self) -> GetSessionOptions {
        GetSessionOptions::for_route(!self.optional, self.check_database, self.anti_csrf)
            .claim_validators_shared(self.claims.0.clone())
    }
}

impl SuperTokens {
    /// A [`SessionGuard`] for this instance: it verifies with it and hands it to the handlers
    /// below (as [`layer`](Self::layer) does), so the routes need no other layer.
    ///
    /// ```
    /// # fn demo(st: supertokens::SuperTokens) {
    /// use axum::{Router, routing::get};
    ///
    /// let account: Router = Router::new()
    ///     .route("/whoami", get(|| async { "signed in" }))
    ///     .layer(st.session_guard().optional());
    /// # }
    /// ```
    pub fn session_guard(&self) -> SessionGuard {
        SessionGuard {
            st: Some(self.clone()),
            ..SessionGuard::default()
        }
    }
}

impl<S> tower_layer::Layer<S> for SessionGuard {
    type Service = SessionGuardService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionGuardService {
            inner,
            guard: self.clone(),
        }
    }
}

/// The service of [`SessionGuard`].
#[derive(Clone, Debug)]
pub struct SessionGuardService<S> {
    inner: S,
    guard: SessionGuard,
}

impl<S, B> tower_service::Service<Request<B>> for SessionGuardService<S>
where
    S: tower_service::Service<Request<B>, Response = Response> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // The service polled ready serves this request; the clone waits for the next one.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let guard = self.guard.clone();
        Box::pin(async move {
            let st = match guard.st {
                Some(ref st) => st.clone(),
                None => match instance(req.extensions()) {
                    Ok(st) => st,
                    Err(e) => return Ok(e.into_response()),
                },
            };
            // Under `st.layer()` the layer writes the queued changes; alone, the guard does.
            let outer = req.extensions().get::<PendingChanges>().cloned();
            let pending = outer.clone().unwrap_or_default();
            let verified = st
                .session()
                .session_of_request(
                    req.headers(),
                    req.method(),
                    &guard.options(),
                    Some(pending.clone()),
                )
                .await;
            let session = match verified {
                Ok((session, _queued)) => session,
                Err(e) => return Ok(e.into_response()),
            };
            let extensions = req.extensions_mut();
            extensions.insert(st);
            extensions.insert(pending.clone());
            extensions.insert(GuardedSession(session));
            let mut response = inner.call(req).await?;
            if outer.is_none() {
                pending.write_into(response.headers_mut());
            }
            Ok(response)
        })
    }
}
