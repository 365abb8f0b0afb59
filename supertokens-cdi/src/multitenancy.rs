//! The multitenancy recipe's CDI: tenants of an app, and which users belong to them (the `v2`
//! forms of CDI 5.x).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A tenant as the core describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantConfig {
    /// The tenant id.
    pub tenant_id: String,
    /// Third-party providers (`{"providers": […]}`).
    #[serde(default)]
    pub third_party: Value,
    /// The factors a user may sign in with on this tenant; `None`: every factor the backend
    /// offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_factors: Option<Vec<String>>,
    /// Factors required after the first (multi-factor authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_secondary_factors: Option<Vec<String>>,
    /// The tenant's core settings.
    #[serde(default)]
    pub core_config: Map<String, Value>,
}

/// `GET /<tenant>/recipe/multitenancy/tenant/v2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum GetTenantResponse {
    /// The tenant.
    #[serde(rename = "OK")]
    Ok(TenantConfig),
    /// No such tenant.
    #[serde(rename = "TENANT_NOT_FOUND_ERROR")]
    TenantNotFound,
}

/// `PUT /recipe/multitenancy/tenant/v2`: a field left `None` is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrUpdateTenantRequest {
    /// The tenant to create or update.
    pub tenant_id: String,
    /// The factors a user may sign in with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_factors: Option<Vec<String>>,
    /// Factors required after the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_secondary_factors: Option<Vec<String>>,
    /// Core settings to merge into the tenant's (`null` removes one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_config: Option<Map<String, Value>>,
}

/// `PUT /recipe/multitenancy/tenant/v2` (and `…/app/v2`) outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum CreatedResponse {
    /// Created or updated.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether it did not exist before.
        created_new: bool,
    },
}

/// `GET /recipe/multitenancy/tenant/list/v2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum ListTenantsResponse {
    /// Every tenant of the app.
    #[serde(rename = "OK")]
    Ok {
        /// The tenants.
        tenants: Vec<TenantConfig>,
    },
}

/// `POST /recipe/multitenancy/tenant/remove` (and `…/app/remove`) request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoveTenantRequest {
    /// The tenant.
    pub tenant_id: String,
}

/// `POST /recipe/multitenancy/tenant/remove` outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RemovedResponse {
    /// Removed, if it existed.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether it existed.
        did_exist: bool,
    },
}

/// `POST /<tenant>/recipe/multitenancy/tenant/user` (and `…/user/remove`) request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantUserRequest {
    /// The login method's user id.
    pub recipe_user_id: String,
}

/// `POST /<tenant>/recipe/multitenancy/tenant/user`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum AssociateUserResponse {
    /// The user is in the tenant now.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether it was already.
        was_already_associated: bool,
    },
    /// No such user.
    #[serde(rename = "UNKNOWN_USER_ID_ERROR")]
    UnknownUserId,
    /// Another user of the tenant has this user's e-mail address.
    #[serde(rename = "EMAIL_ALREADY_EXISTS_ERROR")]
    EmailAlreadyExists,
    /// Another user of the tenant has this user's phone number.
    #[serde(rename = "PHONE_NUMBER_ALREADY_EXISTS_ERROR")]
    PhoneNumberAlreadyExists,
    /// Another user of the tenant has this user's third-party account.
    #[serde(rename = "THIRD_PARTY_USER_ALREADY_EXISTS_ERROR")]
    ThirdPartyUserAlreadyExists,
    /// The core refuses the association.
    #[serde(rename = "ASSOCIATION_NOT_ALLOWED_ERROR")]
    AssociationNotAllowed {
        /// Why.
        reason: String,
    },
}

/// `POST /<tenant>/recipe/multitenancy/tenant/user/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum DisassociateUserResponse {
    /// The user is not in the tenant (any more).
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether it was.
        was_associated: bool,
    },
}
