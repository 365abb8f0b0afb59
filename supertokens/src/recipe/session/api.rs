//! The session recipe's frontend API: `POST {api_base_path}/session/refresh`,
//! `POST {api_base_path}/signout`, `GET {api_base_path}/jwt/jwks.json`.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::overrides::SignOutOutcome;
use super::{GetSessionOptions, ResponseChanges, SessionError};
use crate::SuperTokens;

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

async fn refresh(st: SuperTokens, headers: HeaderMap) -> Response {
    let Some(recipe) = st.inner.session.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(api) = recipe.shared.apis.refresh_post.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match api((st.clone(), headers)).await {
        Ok((_session, changes)) => {
            with_changes(json(StatusCode::OK, &serde_json::json!({})), changes)
        }
        Err(e) => e.into_response(),
    }
}

async fn sign_out(st: SuperTokens, headers: HeaderMap, method: Method) -> Response {
    let Some(recipe) = st.inner.session.as_ref() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(api) = recipe.shared.apis.sign_out_post.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let session = match recipe
        .get_session_from_request(&headers, &method, &GetSessionOptions::new(), None)
        .await
    {
        Ok((Some(session), _)) => session,
        Ok((None, _)) => {
            return SessionError::unauthorised_keep_tokens("no session").into_response();
        }
        Err(e) => return e.into_response(),
    };
    let transfer = session.token_transfer();
    match api(session).await {
        Ok(SignOutOutcome::Ok) => {
            let mut changes = ResponseChanges::new();
            changes.clear(&recipe.shared.base.config, transfer);
            with_changes(
                json(StatusCode::OK, &serde_json::json!({"status": "OK"})),
                changes,
            )
        }
        Ok(SignOutOutcome::GeneralError { message }) => json(
            StatusCode::OK,
            &serde_json::json!({"status": "GENERAL_ERROR", "message": message}),
        ),
        Err(e) => recipe.contextualise_public(e).into_response(),
    }
}

async fn jwks(st: SuperTokens) -> Response {
    match st.core().jwks().await {
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

/// The session routes, at their full paths (api base path included). Disabled APIs are not
/// routed (requests fall through to the app).
pub(crate) fn routes(st: &SuperTokens) -> axum::Router {
    let mut router = axum::Router::new();
    let Some(recipe) = st.inner.session.as_ref() else {
        return router;
    };
    let base = &st.config().app_info.api_base_path;
    if recipe.shared.apis.refresh_post.is_some() {
        let st = st.clone();
        router = router.route(
            &format!("{base}/session/refresh"),
            post(move |headers: HeaderMap| refresh(st.clone(), headers)),
        );
    }
    if recipe.shared.apis.sign_out_post.is_some() {
        let st = st.clone();
        router = router.route(
            &format!("{base}/signout"),
            post(move |method: Method, headers: HeaderMap| sign_out(st.clone(), headers, method)),
        );
    }
    let st = st.clone();
    router.route(
        &format!("{base}/jwt/jwks.json"),
        get(move || jwks(st.clone())),
    )
}
