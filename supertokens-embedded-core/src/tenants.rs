//! The tenant APIs of the multitenancy recipe, in the real core's CDI 5.x `v2` forms: create or
//! update a tenant of the request's app, get it, list the app's tenants, remove one, and
//! associate users with a tenant or take them out of it. Answers and refusals are the real
//! core's.
//!
//! Every app has its `public` tenant; the others are rows of `tenants` (the tenant's first
//! factors, required secondary factors and core config as JSON). The `public` tenant's core
//! config is the app's; a row for it holds only its factors. A tenant's own core config is kept
//! and shown; the app's settings are what this core applies on every tenant.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::apps::{Apps, PUBLIC, app_config, normalise_id};
use crate::http::{CoreHttpError, CoreJson, Scope};
use crate::state::SharedState;
use crate::store::Migration;
use crate::users::{self, Contact};

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    component: "tenants",
    version: 1,
    sql: "CREATE TABLE tenants (
              app_id TEXT NOT NULL,
              tenant_id TEXT NOT NULL,
              config TEXT NOT NULL,
              PRIMARY KEY (app_id, tenant_id)
          )",
}];

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route(
            "/recipe/multitenancy/tenant/v2",
            put(create_or_update_tenant).get(get_tenant),
        )
        .route("/recipe/multitenancy/tenant/list/v2", get(list_tenants))
        .route("/recipe/multitenancy/tenant/remove", post(remove_tenant))
        .route(
            "/recipe/multitenancy/tenant/user",
            post(|state, scope, body| with_user(state, scope, body, associate)),
        )
        .route(
            "/recipe/multitenancy/tenant/user/remove",
            post(|state, scope, body| with_user(state, scope, body, disassociate)),
        )
}

/// Words the real core keeps out of tenant ids (they start app-level paths).
const RESERVED: &[&str] = &["recipe", "config", "users", "hello"];

/// A tenant id as the real core takes it (`Utils.normalizeAndValidateTenantId`): trimmed,
/// lowercased, letters, digits and hyphens, not a reserved word, not `appid-…`.
pub(crate) fn normalise_tenant_id(raw: &str) -> Result<String, CoreHttpError> {
    normalise_id(raw, "tenantId", RESERVED)
}

fn forbidden(message: &str) -> CoreHttpError {
    CoreHttpError {
        status: StatusCode::FORBIDDEN,
        message: message.to_owned(),
    }
}

fn invalid_field(name: &str) -> CoreHttpError {
    CoreHttpError::bad_request(format!("Field name '{name}' is invalid in JSON input"))
}

/// What the `tenants` table holds for a tenant.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TenantConfig {
    /// `None`: every factor (the real core's `null`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_factors: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    required_secondary_factors: Option<Vec<String>>,
    #[serde(default)]
    core_config: Map<String, Value>,
}

impl TenantConfig {
    /// The tenant JSON of the real core's `v2` APIs.
    fn to_json(&self, tenant_id: &str, core_config: &Map<String, Value>) -> Value {
        let mut tenant = json!({"tenantId": tenant_id, "thirdParty": {"providers": []}});
        if let Some(first) = &self.first_factors {
            tenant["firstFactors"] = json!(first);
        }
        if let Some(required) = &self.required_secondary_factors {
            tenant["requiredSecondaryFactors"] = json!(required);
        }
        tenant["coreConfig"] = Value::Object(core_config.clone());
        tenant
    }
}

fn stored_config(
    conn: &Connection,
    app_id: &str,
    tenant_id: &str,
) -> rusqlite::Result<Option<TenantConfig>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT config FROM tenants WHERE app_id = ?1 AND tenant_id = ?2")?
        .query_row(params![app_id, tenant_id], |r| r.get(0))
        .optional()?;
    Ok(text.map(|t| serde_json::from_str(&t).unwrap_or_default()))
}

/// A factor list of the `v2` body: absent (`None`), `null` (`Some(None)`) or strings.
fn factors(
    body: &Map<String, Value>,
    name: &str,
) -> Result<Option<Option<Vec<String>>>, CoreHttpError> {
    let list = match body.get(name) {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(None)),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid_field(name)),
    };
    let names = list
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid_field(name))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let distinct: std::collections::HashSet<&String> = names.iter().collect();
    if distinct.len() != names.len() {
        return Err(CoreHttpError::bad_request(format!(
            "{name} input should not contain duplicate values"
        )));
    }
    Ok(Some(Some(names)))
}

/// Factor names the real core accepts: `^[0-9a-zA-Z_(\.)-]+$`.
fn valid_factor_names(list: Option<&Vec<String>>, name: &str) -> Result<(), CoreHttpError> {
    let valid = |f: &String| {
        !f.is_empty()
            && f.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_().-".contains(&b))
    };
    if list.is_some_and(|l| !l.iter().all(valid)) {
        return Err(CoreHttpError::bad_request(format!(
            "{name} should contain only 0-9,a-z,A-Z,_,.,- characters"
        )));
    }
    Ok(())
}

/// The core config of a `PUT`, merged over `current` as the real core merges it (`null` removes
/// a setting).
fn merged_core_config(
    body: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Result<Option<Map<String, Value>>, CoreHttpError> {
    let update = match body.get("coreConfig") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(update)) => update,
        Some(_) => return Err(invalid_field("coreConfig")),
    };
    let mut merged = current.clone();
    for (key, value) in update {
        if value.is_null() {
            merged.remove(key);
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    Ok(Some(merged))
}

fn apps(state: &SharedState) -> Result<Arc<Apps>, CoreHttpError> {
    state
        .apps
        .upgrade()
        .ok_or_else(|| CoreHttpError::internal("the core is shutting down"))
}

/// `PUT [/appid-<a>][/<t>]/recipe/multitenancy/tenant/v2`
async fn create_or_update_tenant(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<Map<String, Value>>,
) -> Result<Json<Value>, CoreHttpError> {
    let target = match body.get("tenantId") {
        None | Some(Value::Null) => PUBLIC.to_owned(),
        Some(Value::String(id)) => normalise_tenant_id(id)?,
        Some(_) => return Err(invalid_field("tenantId")),
    };
    let app_id = scope.app_id.clone();
    let tenant = target.clone();
    let existing = state
        .store
        .read(move |conn| Ok(stored_config(conn, &app_id, &tenant)?))
        .await?;
    let is_public = target == PUBLIC;
    let created = !is_public && existing.is_none();
    let mut config = existing.unwrap_or_else(|| TenantConfig {
        // A tenant created with the `v2` API starts with no first factor, as in the real core.
        first_factors: (!is_public).then(Vec::new),
        ..TenantConfig::default()
    });
    let current_core = if is_public {
        state.core_config.clone()
    } else {
        config.core_config.clone()
    };
    let core_config = merged_core_config(&body, &current_core)?;
    for (field, shown) in [
        ("emailPasswordEnabled", "emailPasswordEnabled"),
        ("thirdPartyEnabled", "thirdParty"),
        ("passwordlessEnabled", "passwordless"),
    ] {
        if body.contains_key(field) {
            return Err(CoreHttpError::bad_request(format!(
                "{shown} is not a valid input for this API"
            )));
        }
    }
    if let Some(first) = factors(&body, "firstFactors")? {
        config.first_factors = first;
    }
    if let Some(required) = factors(&body, "requiredSecondaryFactors")? {
        config.required_secondary_factors = required;
    }
    valid_factor_names(config.first_factors.as_ref(), "firstFactors")?;
    valid_factor_names(
        config.required_secondary_factors.as_ref(),
        "requiredSecondaryFactors",
    )?;
    if is_public {
        if scope.app_id != PUBLIC && scope.tenant_id != PUBLIC {
            return Err(forbidden(
                "You must use the public or same app to add/update an app",
            ));
        }
    } else if scope.tenant_id != PUBLIC && scope.tenant_id != target {
        return Err(forbidden(
            "You must use the public or same tenant to add/update a tenant",
        ));
    }
    if let Some(core) = &core_config {
        if is_public {
            if scope.app_id == PUBLIC && !core.is_empty() {
                return Err(CoreHttpError::bad_request("Cannot modify base config"));
            }
            let update = body.get("coreConfig").and_then(Value::as_object).cloned();
            apps(&state)?
                .create_or_update(&scope.app_id, update)
                .await?;
        } else {
            // Checked as the app's settings would be, though the app's are the ones applied.
            app_config(&state.config, core)
                .map_err(|e| CoreHttpError::bad_request(format!("Invalid core config: {e}")))?;
            config.core_config = core.clone();
        }
    }
    let text = serde_json::to_string(&config).map_err(CoreHttpError::internal)?;
    let (app_id, tenant) = (scope.app_id.clone(), target.clone());
    state
        .store
        .write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO tenants (app_id, tenant_id, config) VALUES (?1, ?2, ?3)
                 ON CONFLICT (app_id, tenant_id) DO UPDATE SET config = excluded.config",
            )?
            .execute(params![app_id, tenant, text])?;
            Ok(())
        })
        .await?;
    if !is_public {
        state.tenants.insert(&target);
    }
    Ok(Json(json!({"status": "OK", "createdNew": created})))
}

/// The tenants of the app `state` serves, `public` first, each as the `v2` JSON.
pub(crate) async fn tenants_json(
    state: &SharedState,
    app_id: &str,
) -> Result<Vec<Value>, CoreHttpError> {
    let app = app_id.to_owned();
    let rows = state
        .store
        .read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT tenant_id, config FROM tenants WHERE app_id = ?1 ORDER BY tenant_id",
            )?;
            let rows = stmt.query_map(params![app], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await?;
    let mut public = TenantConfig::default();
    let mut others = Vec::new();
    for (tenant_id, text) in rows {
        let config: TenantConfig = serde_json::from_str(&text).unwrap_or_default();
        if tenant_id == PUBLIC {
            public = config;
        } else {
            others.push(config.to_json(&tenant_id, &config.core_config));
        }
    }
    let mut all = vec![public.to_json(PUBLIC, &state.core_config)];
    all.extend(others);
    Ok(all)
}

/// `GET [/appid-<a>][/<t>]/recipe/multitenancy/tenant/v2`
async fn get_tenant(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Json<Value>, CoreHttpError> {
    if !state.tenants.contains(&scope.tenant_id) {
        return Ok(Json(json!({"status": "TENANT_NOT_FOUND_ERROR"})));
    }
    let (app_id, tenant) = (scope.app_id.clone(), scope.tenant_id.clone());
    let stored = state
        .store
        .read(move |conn| Ok(stored_config(conn, &app_id, &tenant)?))
        .await?;
    let Some(config) = stored.or_else(|| (scope.tenant_id == PUBLIC).then(TenantConfig::default))
    else {
        return Ok(Json(json!({"status": "TENANT_NOT_FOUND_ERROR"})));
    };
    let core = if scope.tenant_id == PUBLIC {
        &state.core_config
    } else {
        &config.core_config
    };
    let mut tenant = config.to_json(&scope.tenant_id, core);
    tenant["status"] = "OK".into();
    Ok(Json(tenant))
}

/// `GET [/appid-<a>]/recipe/multitenancy/tenant/list/v2`
async fn list_tenants(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Json<Value>, CoreHttpError> {
    if scope.tenant_id != PUBLIC {
        return Err(forbidden(
            "Only the public tenantId is allowed to list all tenants associated with this app",
        ));
    }
    let tenants = tenants_json(&state, &scope.app_id).await?;
    Ok(Json(json!({"status": "OK", "tenants": tenants})))
}

/// The tables holding a tenant's own data, each with `app_id` and `tenant_id` columns (codes
/// before the devices they belong to).
const TENANT_TABLES: &[&str] = &[
    "passwordless_codes",
    "passwordless_devices",
    "session_info",
    "user_roles",
    "user_tenants",
    "tenants",
];

/// `POST [/appid-<a>]/recipe/multitenancy/tenant/remove`: the tenant, its devices, codes,
/// sessions, user roles and user associations go; its users stay in the app, as in the real
/// core.
async fn remove_tenant(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<Map<String, Value>>,
) -> Result<Json<Value>, CoreHttpError> {
    let Some(Value::String(tenant)) = body.get("tenantId") else {
        return Err(invalid_field("tenantId"));
    };
    let tenant = normalise_tenant_id(tenant)?;
    if tenant == PUBLIC {
        return Err(forbidden(
            "Cannot delete public tenant, use remove app API instead",
        ));
    }
    if scope.tenant_id != PUBLIC {
        return Err(forbidden(
            "Only the public tenantId is allowed to delete a tenant",
        ));
    }
    // Out of the gate's list first, so no new request reaches the tenant while its rows go.
    state.tenants.remove(&tenant);
    let app_id = scope.app_id.clone();
    let existed = state
        .store
        .write(move |tx| {
            let existed = stored_config(tx, &app_id, &tenant)?.is_some();
            for table in TENANT_TABLES {
                tx.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE app_id = ?1 AND tenant_id = ?2"
                ))?
                .execute(params![app_id, tenant])?;
            }
            Ok(existed)
        })
        .await?;
    Ok(Json(json!({"status": "OK", "didExist": existed})))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserTenantRequest {
    recipe_user_id: Option<Value>,
}

/// A change to a user's tenants, and its answer.
type UserChange = fn(&Connection, &Scope, users::UserRow) -> rusqlite::Result<Value>;

/// Runs an association change for the request's user in one transaction: the user id comes
/// trimmed, with the real core's messages, and an id the app does not have is answered
/// `UNKNOWN_USER_ID_ERROR`.
async fn with_user(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(body): CoreJson<UserTenantRequest>,
    change: UserChange,
) -> Result<Json<Value>, CoreHttpError> {
    let Some(Value::String(user_id)) = body.recipe_user_id else {
        return Err(invalid_field("recipeUserId"));
    };
    let user_id = user_id.trim().to_owned();
    if user_id.is_empty() {
        return Err(CoreHttpError::bad_request(
            "Field name 'userId' cannot be an empty String",
        ));
    }
    let answer = state
        .store
        .write(move |tx| {
            Ok(match users::user_by_id(tx, &scope.app_id, &user_id)? {
                None => json!({"status": "UNKNOWN_USER_ID_ERROR"}),
                Some(user) => change(tx, &scope, user)?,
            })
        })
        .await?;
    Ok(Json(answer))
}

/// `POST [/appid-<a>]/<t>/recipe/multitenancy/tenant/user`: associates a user of the app with
/// the tenant, unless another user there has its e-mail or phone number.
fn associate(tx: &Connection, scope: &Scope, user: users::UserRow) -> rusqlite::Result<Value> {
    if user.tenant_ids.contains(&scope.tenant_id) {
        return Ok(json!({"status": "OK", "wasAlreadyAssociated": true}));
    }
    let taken = users::contact_taken(
        tx,
        &scope.app_id,
        &scope.tenant_id,
        &user.id,
        user.email.as_deref(),
        user.phone_number.as_deref(),
    )?;
    Ok(match taken {
        Some(Contact::Email(_)) => json!({"status": "EMAIL_ALREADY_EXISTS_ERROR"}),
        Some(Contact::Phone(_)) => json!({"status": "PHONE_NUMBER_ALREADY_EXISTS_ERROR"}),
        None => {
            users::add_to_tenant(tx, &scope.app_id, &scope.tenant_id, &user)?;
            json!({"status": "OK", "wasAlreadyAssociated": false})
        }
    })
}

/// `POST [/appid-<a>]/<t>/recipe/multitenancy/tenant/user/remove`: takes a user out of the
/// tenant and ends its sessions and takes its roles there; the user stays in the app.
fn disassociate(tx: &Connection, scope: &Scope, user: users::UserRow) -> rusqlite::Result<Value> {
    let removed = tx
        .prepare_cached(
            "DELETE FROM user_tenants WHERE app_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
        )?
        .execute(params![scope.app_id, scope.tenant_id, user.id])?;
    tx.prepare_cached(
        "DELETE FROM session_info
         WHERE app_id = ?1 AND tenant_id = ?2 AND (user_id = ?3 OR recipe_user_id = ?3)",
    )?
    .execute(params![scope.app_id, scope.tenant_id, user.id])?;
    // As in the real core, the user's roles in the tenant go too.
    tx.prepare_cached(
        "DELETE FROM user_roles WHERE app_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
    )?
    .execute(params![scope.app_id, scope.tenant_id, user.id])?;
    Ok(json!({"status": "OK", "wasAssociated": removed > 0}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_normalised_and_checked_as_the_real_core_does() {
        assert_eq!(normalise_tenant_id(" Customer-1 ").unwrap(), "customer-1");
        let cases = [
            ("", "tenantId should not be an empty String"),
            ("  ", "tenantId should not be an empty String"),
            ("Recipe", "Cannot use 'recipe' as a tenantId"),
            ("hello", "Cannot use 'hello' as a tenantId"),
            ("appid-x", "tenantId must not start with 'appid-'"),
            (
                "a_b",
                "tenantId can only contain letters, numbers and hyphens",
            ),
            (
                "é",
                "tenantId can only contain letters, numbers and hyphens",
            ),
        ];
        for (raw, message) in cases {
            assert_eq!(
                normalise_tenant_id(raw).unwrap_err().message,
                message,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn factor_lists_are_read_as_the_real_core_reads_them() {
        let body = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(factors(&body(json!({})), "firstFactors").unwrap(), None);
        assert_eq!(
            factors(&body(json!({"firstFactors": null})), "firstFactors").unwrap(),
            Some(None)
        );
        assert_eq!(
            factors(
                &body(json!({"firstFactors": ["otp-email"]})),
                "firstFactors"
            )
            .unwrap(),
            Some(Some(vec!["otp-email".to_owned()]))
        );
        let duplicate = factors(&body(json!({"firstFactors": ["a", "a"]})), "firstFactors");
        assert_eq!(
            duplicate.unwrap_err().message,
            "firstFactors input should not contain duplicate values"
        );
        for bad in [json!({"firstFactors": "a"}), json!({"firstFactors": [1]})] {
            assert_eq!(
                factors(&body(bad), "firstFactors").unwrap_err().message,
                "Field name 'firstFactors' is invalid in JSON input"
            );
        }
        let names = vec!["otp-email".to_owned(), "custom_(1).x".to_owned()];
        assert!(valid_factor_names(Some(&names), "firstFactors").is_ok());
        assert!(valid_factor_names(Some(&vec!["a b".to_owned()]), "firstFactors").is_err());
    }

    #[test]
    fn the_v2_json_shows_factors_only_when_set() {
        let core = Map::new();
        let all = TenantConfig::default().to_json("t", &core);
        assert_eq!(
            all,
            json!({"tenantId": "t", "thirdParty": {"providers": []}, "coreConfig": {}})
        );
        let none = TenantConfig {
            first_factors: Some(vec![]),
            required_secondary_factors: Some(vec!["otp-phone".into()]),
            ..TenantConfig::default()
        };
        assert_eq!(none.to_json("t", &core)["firstFactors"], json!([]));
        assert_eq!(
            none.to_json("t", &core)["requiredSecondaryFactors"],
            json!(["otp-phone"])
        );
    }
}
