//! The UserMetadata recipe: a JSON object per user id, read, merged into and removed whole.
//! Any user id may have metadata (the real core does not check that the user exists).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::http::{CoreHttpError, CoreJson, CoreQuery, Scope, require_public_tenant};
use crate::state::SharedState;
use crate::store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    component: "user_metadata",
    version: 1,
    sql: "CREATE TABLE user_metadata (
              app_id TEXT NOT NULL,
              user_id TEXT NOT NULL,
              metadata TEXT NOT NULL,
              PRIMARY KEY (app_id, user_id)
          )",
}];

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/recipe/user/metadata",
            get(get_metadata).put(update_metadata),
        )
        .route("/recipe/user/metadata/remove", post(remove_metadata))
}

fn read(
    conn: &rusqlite::Connection,
    app: &str,
    user: &str,
) -> rusqlite::Result<Map<String, Value>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT metadata FROM user_metadata WHERE app_id = ?1 AND user_id = ?2")?
        .query_row(params![app, user], |r| r.get(0))
        .optional()?;
    Ok(text
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default())
}

async fn get_metadata(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<Value>, CoreHttpError> {
    let user = query.require("userId")?.to_owned();
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    let metadata = state
        .store
        .read(move |conn| Ok(read(conn, &app, &user)?))
        .await?;
    Ok(Json(json!({"status": "OK", "metadata": metadata})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UpdateRequest {
    user_id: String,
    metadata_update: Map<String, Value>,
}

/// `PUT /recipe/user/metadata`: a shallow merge; a `null` value removes its key.
async fn update_metadata(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<UpdateRequest>,
) -> Result<Json<Value>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    let metadata = state
        .store
        .write(move |tx| {
            let mut metadata = read(tx, &app, &req.user_id)?;
            for (key, value) in req.metadata_update {
                if value.is_null() {
                    metadata.remove(&key);
                } else {
                    metadata.insert(key, value);
                }
            }
            tx.prepare_cached(
                "INSERT INTO user_metadata (app_id, user_id, metadata) VALUES (?1, ?2, ?3)
                 ON CONFLICT (app_id, user_id) DO UPDATE SET metadata = excluded.metadata",
            )?
            .execute(params![
                app,
                req.user_id,
                Value::Object(metadata.clone()).to_string()
            ])?;
            Ok(metadata)
        })
        .await?;
    Ok(Json(json!({"status": "OK", "metadata": metadata})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RemoveRequest {
    user_id: String,
}

async fn remove_metadata(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<RemoveRequest>,
) -> Result<Json<Value>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    state
        .store
        .write(move |tx| {
            tx.prepare_cached("DELETE FROM user_metadata WHERE app_id = ?1 AND user_id = ?2")?
                .execute(params![app, req.user_id])?;
            Ok(())
        })
        .await?;
    Ok(Json(json!({"status": "OK"})))
}
