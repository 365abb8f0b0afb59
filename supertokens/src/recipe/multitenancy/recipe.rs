//! [`MultitenancyRecipe`]: the tenant functions, with a short cache of tenant configurations
//! for the checks every sign-in makes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use supertokens_cdi::{
    AssociateUserResponse, Clock, CreateOrUpdateTenantRequest, CreatedResponse,
    DisassociateUserResponse, GetTenantResponse, ListTenantsResponse, RemoveTenantRequest,
    RemovedResponse, TenantConfig, TenantUserRequest, tenant_path,
};

use crate::core::{CoreClient, CoreError};

const RID: Option<&str> = Some("multitenancy");

/// How long a tenant's configuration read for a sign-in is reused (changes made through this
/// instance apply at once; changes made elsewhere within this long).
const CACHED_MS: i64 = 5_000;

/// What to set on a tenant: fields left unset keep their value.
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct TenantSettings {
    first_factors: Option<Vec<String>>,
    required_secondary_factors: Option<Vec<String>>,
    core_config: Option<Map<String, Value>>,
}

impl TenantSettings {
    /// Nothing to change (creates the tenant with the defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// The factors a user may sign in with on this tenant (`otp-email`, `otp-phone`,
    /// `link-email`, `link-phone` for passwordless).
    pub fn first_factors<S: Into<String>>(mut self, factors: impl IntoIterator<Item = S>) -> Self {
        self.first_factors = Some(factors.into_iter().map(Into::into).collect());
        self
    }

    /// Factors required after the first.
    pub fn required_secondary_factors<S: Into<String>>(
        mut self,
        factors: impl IntoIterator<Item = S>,
    ) -> Self {
        self.required_secondary_factors = Some(factors.into_iter().map(Into::into).collect());
        self
    }

    /// Core settings of the tenant, merged into its current ones (`null` removes one).
    pub fn core_config(mut self, config: Map<String, Value>) -> Self {
        self.core_config = Some(config);
        self
    }
}

/// The tenant functions of an instance ([`SuperTokens::multitenancy`](crate::SuperTokens::multitenancy)).
#[derive(Clone)]
pub struct MultitenancyRecipe {
    core: CoreClient,
    clock: Clock,
    cache: Arc<Mutex<TenantCache>>,
}

/// Tenant configurations read for sign-ins, with when each was read (`None`: no such tenant).
type TenantCache = HashMap<String, (i64, Option<TenantConfig>)>;

impl std::fmt::Debug for MultitenancyRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultitenancyRecipe").finish_non_exhaustive()
    }
}

impl MultitenancyRecipe {
    pub(crate) fn new(core: CoreClient, clock: Clock) -> Self {
        Self {
            core,
            clock,
            cache: Arc::default(),
        }
    }

    fn forget(&self, tenant_id: &str) {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(tenant_id);
    }

    /// Creates the tenant or updates it; `true` when it was created.
    pub async fn create_or_update_tenant(
        &self,
        tenant_id: &str,
        settings: TenantSettings,
    ) -> Result<bool, CoreError> {
        let request = CreateOrUpdateTenantRequest {
            tenant_id: tenant_id.to_owned(),
            first_factors: settings.first_factors,
            required_secondary_factors: settings.required_secondary_factors,
            core_config: settings.core_config,
        };
        let answer: Result<CreatedResponse, _> = self
            .core
            .request(
                http::Method::PUT,
                "/recipe/multitenancy/tenant/v2",
                RID,
                &[],
                Some(&request),
            )
            .await;
        self.forget(tenant_id);
        let CreatedResponse::Ok { created_new } = answer?;
        Ok(created_new)
    }

    /// Removes the tenant (its users stay in the app); `true` when it existed.
    pub async fn delete_tenant(&self, tenant_id: &str) -> Result<bool, CoreError> {
        let request = RemoveTenantRequest {
            tenant_id: tenant_id.to_owned(),
        };
        let answer: Result<RemovedResponse, _> = self
            .core
            .post("/recipe/multitenancy/tenant/remove", RID, &request)
            .await;
        self.forget(tenant_id);
        let RemovedResponse::Ok { did_exist } = answer?;
        Ok(did_exist)
    }

    /// The tenant's configuration, `None` when there is no such tenant.
    pub async fn get_tenant(&self, tenant_id: &str) -> Result<Option<TenantConfig>, CoreError> {
        let path = tenant_path(tenant_id, "/recipe/multitenancy/tenant/v2");
        let answer: GetTenantResponse = self.core.get(&path, RID, &[]).await?;
        Ok(match answer {
            GetTenantResponse::Ok(config) => Some(config),
            GetTenantResponse::TenantNotFound => None,
        })
    }

    /// [`get_tenant`](Self::get_tenant), reused for a few seconds: what sign-ins check.
    pub(crate) async fn tenant_for_sign_in(
        &self,
        tenant_id: &str,
    ) -> Result<Option<TenantConfig>, CoreError> {
        let now = self.clock.now_ms();
        if let Some((at, config)) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(tenant_id)
            && now - *at < CACHED_MS
        {
            return Ok(config.clone());
        }
        let config = self.get_tenant(tenant_id).await?;
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: tenant ids come from request paths.
        if cache.len() >= 10_000 {
            cache.clear();
        }
        cache.insert(tenant_id.to_owned(), (now, config.clone()));
        Ok(config)
    }

    /// Every tenant of the app.
    pub async fn list_all_tenants(&self) -> Result<Vec<TenantConfig>, CoreError> {
        let answer: ListTenantsResponse = self
            .core
            .get("/recipe/multitenancy/tenant/list/v2", RID, &[])
            .await?;
        let ListTenantsResponse::Ok { tenants } = answer;
        Ok(tenants)
    }

    /// Adds a user (by its login method's id) to a tenant.
    pub async fn associate_user_to_tenant(
        &self,
        tenant_id: &str,
        recipe_user_id: &str,
    ) -> Result<AssociateUserResponse, CoreError> {
        self.tenant_user(
            tenant_id,
            "/recipe/multitenancy/tenant/user",
            recipe_user_id,
        )
        .await
    }

    /// Takes a user out of a tenant; `true` when it was in it.
    pub async fn disassociate_user_from_tenant(
        &self,
        tenant_id: &str,
        recipe_user_id: &str,
    ) -> Result<bool, CoreError> {
        let path = "/recipe/multitenancy/tenant/user/remove";
        let DisassociateUserResponse::Ok { was_associated } =
            self.tenant_user(tenant_id, path, recipe_user_id).await?;
        Ok(was_associated)
    }

    async fn tenant_user<R: serde::de::DeserializeOwned>(
        &self,
        tenant_id: &str,
        path: &str,
        recipe_user_id: &str,
    ) -> Result<R, CoreError> {
        let request = TenantUserRequest {
            recipe_user_id: recipe_user_id.to_owned(),
        };
        self.core
            .post(&tenant_path(tenant_id, path), RID, &request)
            .await
    }
}
