//! The app APIs of the multitenancy recipe: create or update an app, list the apps, remove one.
//! Answers and refusals are the real core's (`CDI` 5.x, the `v2` forms).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::apps::{Apps, PUBLIC, normalise_app_id};
use crate::http::{CoreHttpError, CoreJson, Scope};
use crate::state::SharedState;

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/recipe/multitenancy/app/v2", put(create_or_update_app))
        .route("/recipe/multitenancy/app/list/v2", get(list_apps))
        .route("/recipe/multitenancy/app/remove", post(remove_app))
}

fn forbidden(message: &str) -> CoreHttpError {
    CoreHttpError {
        status: StatusCode::FORBIDDEN,
        message: message.to_owned(),
    }
}

/// Every app of the core this state belongs to.
fn apps(state: &SharedState) -> Result<Arc<Apps>, CoreHttpError> {
    state
        .apps
        .upgrade()
        .ok_or_else(|| CoreHttpError::internal("the core is shutting down"))
}

/// Only the public tenant of the public app manages every app.
fn require_public_app(scope: &Scope, message: &str) -> Result<(), CoreHttpError> {
    if scope.app_id == PUBLIC && scope.tenant_id == PUBLIC {
        Ok(())
    } else {
        Err(forbidden(message))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AppRequest {
    app_id: Option<String>,
    core_config: Option<Map<String, Value>>,
}

async fn create_or_update_app(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<AppRequest>,
) -> Result<Json<Value>, CoreHttpError> {
    let app_id = match body.app_id {
        Some(id) => normalise_app_id(&id)?,
        None => PUBLIC.to_owned(),
    };
    // An app is created or updated from the public app, or from itself, on its public tenant.
    if scope.tenant_id != PUBLIC || (scope.app_id != PUBLIC && scope.app_id != app_id) {
        return Err(forbidden(
            "You must use the public or same app to add/update an app",
        ));
    }
    if app_id == PUBLIC && body.core_config.as_ref().is_some_and(|c| !c.is_empty()) {
        return Err(CoreHttpError::bad_request("Cannot modify base config"));
    }
    let created = apps(&state)?
        .create_or_update(&app_id, body.core_config)
        .await?;
    Ok(Json(json!({"status": "OK", "createdNew": created})))
}

async fn list_apps(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Json<Value>, CoreHttpError> {
    require_public_app(
        &scope,
        "Only the public tenantId and public appId is allowed to list all apps associated with \
         this connection uri domain",
    )?;
    let mut listed = Vec::new();
    for (app_id, app) in apps(&state)?.list() {
        let tenants = crate::tenants::tenants_json(&app.state, &app_id).await?;
        listed.push(json!({"appId": app_id, "tenants": tenants}));
    }
    let apps = listed;
    Ok(Json(json!({"status": "OK", "apps": apps})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoveAppRequest {
    app_id: String,
}

async fn remove_app(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<RemoveAppRequest>,
) -> Result<Json<Value>, CoreHttpError> {
    let app_id = normalise_app_id(&body.app_id)?;
    if app_id == PUBLIC {
        return Err(forbidden(
            "Cannot delete the public app, use remove connection uri domain API instead",
        ));
    }
    require_public_app(
        &scope,
        "Only the public tenantId and public appId is allowed to delete an app",
    )?;
    let existed = apps(&state)?.remove(&app_id).await?;
    Ok(Json(json!({"status": "OK", "didExist": existed})))
}
