//! The session recipe's frontend API: `POST {api_base_path}/session/refresh`,
//! `POST {api_base_path}/signout`, `GET {api_base_path}/jwt/jwks.json`.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::apis::{SessionApi, SessionApis, SignOutOutcome};
use super::error::SessionError;
use super::recipe::SessionRecipe;
use super::request::GetSessionOptions;
use super::response_changes::ResponseChanges;

/// The frontend APIs as configured: the (overridden) implementation and the disabled ones.
#[derive(Clone)]
pub(crate) struct Frontend {
    pub(crate) apis: Arc<dyn SessionApis>,
    pub(crate) disabled: BTreeSet<SessionApi>,
}

#[derive(Clone)]
struct Ctx {
    recipe: SessionRecipe,
    apis: Arc<dyn SessionApis>,
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut response = Response::new(axum::body::Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

fn with_changes(mut response: Response, changes: ResponseChanges) -> Response {
    changes.apply(&mut response);
    response
}

async fn refresh(ctx: Ctx, headers: HeaderMap) -> Response {
    match ctx.apis.refresh_post(&ctx.recipe, &headers).await {
        Ok((_session, changes)) => {
            with_changes(json(StatusCode::OK, &serde_json::json!({})), changes)
        }
        Err(e) => e.into_response(),
    }
}

/// Sign-out needs a session and checks none of its claims: a user whose claims fail must still
/// be able to sign out.
fn sign_out_options() -> GetSessionOptions {
    GetSessionOptions::new().claim_validators(|_| Vec::new())
}

async fn sign_out(ctx: Ctx, headers: HeaderMap, method: Method) -> Response {
    let recipe = &ctx.recipe;
    let session = match recipe
        .session_of_request(&headers, &method, &sign_out_options(), None)
        .await
    {
        Ok((Some(session), _)) => session,
        Ok((None, _)) => {
            return SessionError::unauthorised_keep_tokens("no session").into_response();
        }
        Err(e) => return e.into_response(),
    };
    let transfer = session.token_transfer();
    match ctx.apis.sign_out_post(recipe, session).await {
        Ok(SignOutOutcome::Ok) => with_changes(
            json(StatusCode::OK, &serde_json::json!({"status": "OK"})),
            recipe.clearing(transfer),
        ),
        Ok(SignOutOutcome::GeneralError { message }) => json(
            StatusCode::OK,
            &serde_json::json!({"status": "GENERAL_ERROR", "message": message}),
        ),
        Err(e) => recipe.contextualise(e).into_response(),
    }
}

async fn jwks(recipe: SessionRecipe) -> Response {
    match recipe.base().core.jwks().await {
        Ok((keys, max_age)) => {
            let mut response = json(StatusCode::OK, &serde_json::json!({"keys": keys.keys}));
            let secs = max_age.map_or(60, |d| d.as_secs());
            let headers = response.headers_mut();
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("max-age={secs}, must-revalidate")) {
                headers.insert(header::CACHE_CONTROL, v);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "session: cannot fetch the core's JWKS");
            json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &serde_json::json!({"message": "internal error"}),
            )
        }
    }
}

/// The session routes, at their full paths (`base` is the API base path). Disabled APIs are not
/// routed (requests fall through to the app).
pub(crate) fn routes(recipe: &SessionRecipe, frontend: &Frontend, base: &str) -> axum::Router {
    let mut router = axum::Router::new();
    let ctx = Ctx {
        recipe: recipe.clone(),
        apis: frontend.apis.clone(),
    };
    if !frontend.disabled.contains(&SessionApi::Refresh) {
        let ctx = ctx.clone();
        router = router.route(
            &format!("{base}/session/refresh"),
            post(move |headers: HeaderMap| refresh(ctx.clone(), headers)),
        );
    }
    if !frontend.disabled.contains(&SessionApi::SignOut) {
        let ctx = ctx.clone();
        router = router.route(
            &format!("{base}/signout"),
            post(move |method: Method, headers: HeaderMap| sign_out(ctx.clone(), headers, method)),
        );
    }
    let recipe = recipe.clone();
    router.route(
        &format!("{base}/jwt/jwks.json"),
        get(move || jwks(recipe.clone())),
    )
}
