//! The apps one core serves, as the SuperTokens Core's "multi app setup" has them: `public`
//! and any created with `PUT /recipe/multitenancy/app/v2`, each reached under
//! `/appid-<appId>/…`. Every row of every table carries its app's id (users, devices, codes,
//! sessions, signing keys), every query names it, and each app has its own state (key cache,
//! core config over the core's), so apps never see each other's data.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use axum::Router;
use rusqlite::params;
use serde_json::{Map, Value};
use supertokens_cdi::Clock;

use crate::components::migrations;
use crate::config::EmbeddedCoreConfig;
use crate::http::CoreHttpError;
use crate::state::{CoreState, SharedState, TenantIds};
use crate::store::{Migration, Store, StoreError};

/// The id of the app every core has.
pub(crate) const PUBLIC: &str = "public";

/// An app: its state, and its routes over that state.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) state: SharedState,
    pub(crate) router: Router,
}

/// Every app of the core.
pub(crate) struct Apps {
    base: EmbeddedCoreConfig,
    clock: Clock,
    /// Builds an app's router over its state (the service's routes, gate and fallbacks).
    router: fn(SharedState) -> Router,
    apps: RwLock<HashMap<String, App>>,
    /// The database of every app, which also lists the apps.
    store: Arc<Store>,
    this: Weak<Apps>,
}

/// The core config settings an app may set, in the real core's names and units.
const SETTINGS: &[&str] = &[
    "access_token_validity",
    "refresh_token_validity",
    "access_token_dynamic_signing_key_update_interval",
    "passwordless_code_lifetime",
    "passwordless_max_code_input_attempts",
];

/// A number given as a JSON number or as text holding one, as the real core accepts both.
fn number(config: &Map<String, Value>, key: &str) -> Result<Option<f64>, String> {
    let n = match config.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if n.is_finite() && n > 0.0 => Ok(Some(n)),
        _ => Err(format!("'{key}' must be a number greater than 0")),
    }
}

/// `base` with an app's `core_config` over it; a 400 message for a value out of range.
pub(crate) fn app_config(
    base: &EmbeddedCoreConfig,
    core_config: &Map<String, Value>,
) -> Result<EmbeddedCoreConfig, String> {
    let mut config = base.clone();
    let secs = |n: f64, unit: f64| Duration::from_secs_f64(n * unit);
    if let Some(n) = number(core_config, "access_token_validity")? {
        if !(1.0..=86_400_000.0).contains(&n) {
            return Err(
                "'access_token_validity' must be between 1 and 86400000 seconds inclusive.".into(),
            );
        }
        config.access_token_validity = secs(n.trunc(), 1.0);
    }
    if let Some(n) = number(core_config, "refresh_token_validity")? {
        config.refresh_token_validity = secs(n, 60.0);
    }
    if let Some(n) = number(
        core_config,
        "access_token_dynamic_signing_key_update_interval",
    )? {
        config.signing_key_rotation = secs(n, 3600.0);
    }
    if let Some(n) = number(core_config, "passwordless_code_lifetime")? {
        config.code_lifetime = secs(n, 0.001);
    }
    if let Some(n) = number(core_config, "passwordless_max_code_input_attempts")? {
        config.max_code_input_attempts = u32::try_from(n.trunc() as u64).unwrap_or(u32::MAX);
    }
    if config.refresh_token_validity <= config.access_token_validity {
        return Err(
            "'refresh_token_validity' must be strictly greater than 'access_token_validity'."
                .into(),
        );
    }
    let ignored: Vec<&str> = core_config
        .keys()
        .map(String::as_str)
        .filter(|k| !SETTINGS.contains(k))
        .collect();
    if !ignored.is_empty() {
        tracing::warn!(
            ?ignored,
            "embedded core: app settings this core does not use are kept but have no effect"
        );
    }
    Ok(config)
}

/// An app id as the real core takes it: trimmed, lowercased, letters, digits and hyphens.
pub(crate) fn normalise_app_id(app_id: &str) -> Result<String, CoreHttpError> {
    normalise_id(app_id, "appId", &[])
}

/// An app or tenant id (`name` says which) as the real core takes it: trimmed, lowercased, not
/// empty, not one of `reserved`, not `appid-…`, only letters, digits and hyphens.
pub(crate) fn normalise_id(
    raw: &str,
    name: &str,
    reserved: &[&str],
) -> Result<String, CoreHttpError> {
    let id = raw.trim().to_lowercase();
    let refusal = if id.is_empty() {
        format!("{name} should not be an empty String")
    } else if reserved.contains(&id.as_str()) {
        format!("Cannot use '{id}' as a {name}")
    } else if id.starts_with("appid-") {
        format!("{name} must not start with 'appid-'")
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        format!("{name} can only contain letters, numbers and hyphens")
    } else {
        return Ok(id);
    };
    Err(CoreHttpError::bad_request(refusal))
}

/// The apps other than `public`, with the core config each was given.
pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    component: "apps",
    version: 1,
    sql: "CREATE TABLE apps (
              app_id TEXT PRIMARY KEY,
              core_config TEXT NOT NULL
          )",
}];

/// The tables holding an app's data, each with an `app_id` column.
const APP_TABLES: &[&str] = &[
    "passwordless_codes",
    "passwordless_devices",
    "passwordless_users",
    "session_info",
    "session_signing_keys",
    "session_refresh_token_keys",
    "user_metadata",
    "user_roles",
    "role_permissions",
    "roles",
    "user_tenants",
    "tenants",
    "apps",
];

impl Apps {
    /// Opens the public app on `base.database` and every app listed there, creating
    /// `base.app_id` when missing.
    pub(crate) fn open(
        base: EmbeddedCoreConfig,
        clock: Clock,
        router: fn(SharedState) -> Router,
    ) -> Result<Arc<Self>, StoreError> {
        let own_app = normalise_app_id(&base.app_id)
            .map_err(|e| StoreError::Other(format!("app_id `{}`: {}", base.app_id, e.message)))?;
        let (store, (listed, tenants)) =
            Store::open_reading(&base.database, &migrations(), |conn| {
                if own_app != PUBLIC {
                    conn.execute(
                        "INSERT OR IGNORE INTO apps (app_id, core_config) VALUES (?1, '{}')",
                        params![own_app],
                    )?;
                }
                let mut stmt =
                    conn.prepare("SELECT app_id, core_config FROM apps ORDER BY app_id")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let apps = rows.collect::<Result<Vec<(String, String)>, _>>()?;
                let mut stmt = conn.prepare("SELECT app_id, tenant_id FROM tenants")?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                let tenants = rows.collect::<Result<Vec<(String, String)>, _>>()?;
                Ok((apps, tenants))
            })?;
        let tenants_of = |app_id: &str| {
            TenantIds::new(
                tenants
                    .iter()
                    .filter(|(app, _)| app == app_id)
                    .map(|(_, tenant)| tenant.clone()),
            )
        };
        let store = Arc::new(store);
        let apps = Arc::new_cyclic(|this| Self {
            base,
            clock,
            router,
            apps: RwLock::default(),
            store,
            this: this.clone(),
        });
        for (app_id, core_config) in listed {
            let core_config: Map<String, Value> =
                serde_json::from_str(&core_config).unwrap_or_default();
            let config = app_config(&apps.base, &core_config).map_err(|e| {
                StoreError::Other(format!("the stored config of app `{app_id}`: {e}"))
            })?;
            apps.insert(&app_id, config, core_config, tenants_of(&app_id));
        }
        if apps.get(PUBLIC).is_none() {
            apps.insert(PUBLIC, apps.base.clone(), Map::new(), tenants_of(PUBLIC));
        }
        Ok(apps)
    }

    fn insert(
        &self,
        app_id: &str,
        config: EmbeddedCoreConfig,
        core_config: Map<String, Value>,
        tenants: TenantIds,
    ) {
        let state = Arc::new(CoreState::new(
            config,
            core_config,
            self.clock.clone(),
            self.store.clone(),
            self.this.clone(),
            tenants,
        ));
        let app = App {
            router: (self.router)(state.clone()),
            state,
        };
        self.write().insert(app_id.to_owned(), app);
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, App>> {
        self.apps
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The app with this (normalised) id.
    pub(crate) fn get(&self, app_id: &str) -> Option<App> {
        self.apps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(app_id)
            .cloned()
    }

    /// The public app's state.
    pub(crate) fn public(&self) -> SharedState {
        self.get(PUBLIC)
            .expect("the public app always exists")
            .state
    }

    /// Every app, ordered by id.
    pub(crate) fn list(&self) -> Vec<(String, App)> {
        let mut all: Vec<_> = self
            .apps
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(id, app)| (id.clone(), app.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Creates the app, or updates its core config (merged: a `null` value removes a
    /// setting). Answers whether it was created.
    pub(crate) async fn create_or_update(
        &self,
        app_id: &str,
        update: Option<Map<String, Value>>,
    ) -> Result<bool, CoreHttpError> {
        let existing = self.get(app_id);
        let mut core_config = existing
            .as_ref()
            .map(|a| a.state.core_config.clone())
            .unwrap_or_default();
        for (key, value) in update.unwrap_or_default() {
            if value.is_null() {
                core_config.remove(&key);
            } else {
                core_config.insert(key, value);
            }
        }
        let config = app_config(&self.base, &core_config)
            .map_err(|e| CoreHttpError::bad_request(format!("Invalid core config: {e}")))?;
        let text = Value::Object(core_config.clone()).to_string();
        let id = app_id.to_owned();
        self.store
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO apps (app_id, core_config) VALUES (?1, ?2)
                     ON CONFLICT (app_id) DO UPDATE SET core_config = excluded.core_config",
                    params![id, text],
                )?;
                Ok(())
            })
            .await
            .map_err(CoreHttpError::internal)?;
        // An updated app keeps its tenants.
        let tenants = existing
            .as_ref()
            .map(|a| a.state.tenants.clone())
            .unwrap_or_default();
        self.insert(app_id, config, core_config, tenants);
        Ok(existing.is_none())
    }

    /// Removes an app other than `public` with all its data. Answers whether it existed.
    pub(crate) async fn remove(&self, app_id: &str) -> Result<bool, CoreHttpError> {
        // Out of the map first, so no new request reaches the app while its rows go.
        let existed = self.write().remove(app_id).is_some();
        let id = app_id.to_owned();
        self.store
            .write(move |tx| {
                for table in APP_TABLES {
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE app_id = ?1"),
                        params![id],
                    )?;
                }
                Ok(())
            })
            .await
            .map_err(CoreHttpError::internal)?;
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: Value) -> Map<String, Value> {
        pairs.as_object().unwrap().clone()
    }

    #[test]
    fn settings_are_read_in_the_real_cores_units_as_numbers_or_text() {
        let base = EmbeddedCoreConfig::default();
        let c = app_config(
            &base,
            &config(serde_json::json!({
                "access_token_validity": "2",
                "refresh_token_validity": 1.5,
                "access_token_dynamic_signing_key_update_interval": "0.001",
                "passwordless_code_lifetime": 3000,
                "passwordless_max_code_input_attempts": "7",
                "something_else": true,
            })),
        )
        .unwrap();
        assert_eq!(c.access_token_validity, Duration::from_secs(2));
        assert_eq!(c.refresh_token_validity, Duration::from_secs(90));
        assert_eq!(c.signing_key_rotation, Duration::from_secs_f64(3.6));
        assert_eq!(c.code_lifetime, Duration::from_secs(3));
        assert_eq!(c.max_code_input_attempts, 7);
        for bad in [
            serde_json::json!({"access_token_validity": "soon"}),
            serde_json::json!({"passwordless_code_lifetime": 0}),
            serde_json::json!({"access_token_validity": 86_400_001}),
            serde_json::json!({"access_token_validity": 7200, "refresh_token_validity": 60}),
        ] {
            assert!(app_config(&base, &config(bad.clone())).is_err(), "{bad}");
        }
    }

    #[test]
    fn app_ids_are_normalised_and_checked_as_the_real_core_does() {
        assert_eq!(normalise_app_id(" Shop-1 ").unwrap(), "shop-1");
        for bad in ["", "appid-x", "shop_1", "a/b", "é"] {
            assert!(normalise_app_id(bad).is_err(), "{bad:?}");
        }
    }
}
