//! The UserRoles recipe's CDI: roles and their permissions (per app), and which users have
//! which role (per tenant).

use serde::{Deserialize, Serialize};

/// `PUT /recipe/role` (create a role or add permissions to it) and
/// `POST /recipe/role/permissions/remove` request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolePermissionsRequest {
    /// The role.
    pub role: String,
    /// Permissions to add (or remove). On removal, `None` removes every permission of the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
}

/// `PUT /recipe/role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum CreateRoleResponse {
    /// The role exists with the permissions added.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether the role did not exist before.
        created_new_role: bool,
    },
}

/// `POST /recipe/role/remove` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRequest {
    /// The role.
    pub role: String,
}

/// `POST /recipe/role/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RemoveRoleResponse {
    /// The role is gone, and every user's association with it.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether it existed.
        did_role_exist: bool,
    },
}

/// `GET /recipe/roles`, `GET /<tenant>/recipe/user/roles` and `GET /recipe/permission/roles`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RolesResponse {
    /// The roles.
    #[serde(rename = "OK")]
    Ok {
        /// The roles.
        roles: Vec<String>,
    },
}

/// `PUT /<tenant>/recipe/user/role` and `POST /<tenant>/recipe/user/role/remove` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRoleRequest {
    /// The user (any id: the core does not check that the user exists).
    pub user_id: String,
    /// The role.
    pub role: String,
}

/// `PUT /<tenant>/recipe/user/role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum AddUserRoleResponse {
    /// The user has the role in the tenant.
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether the user had it already.
        did_user_already_have_role: bool,
    },
    /// No such role in the app.
    #[serde(rename = "UNKNOWN_ROLE_ERROR")]
    UnknownRole,
}

/// `POST /<tenant>/recipe/user/role/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RemoveUserRoleResponse {
    /// The user does not have the role in the tenant (any more).
    #[serde(rename = "OK", rename_all = "camelCase")]
    Ok {
        /// Whether the user had it.
        did_user_have_role: bool,
    },
    /// No such role in the app.
    #[serde(rename = "UNKNOWN_ROLE_ERROR")]
    UnknownRole,
}

/// `GET /<tenant>/recipe/role/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RoleUsersResponse {
    /// The users of the tenant with the role.
    #[serde(rename = "OK")]
    Ok {
        /// Their ids.
        users: Vec<String>,
    },
    /// No such role in the app.
    #[serde(rename = "UNKNOWN_ROLE_ERROR")]
    UnknownRole,
}

/// `GET /recipe/role/permissions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RolePermissionsResponse {
    /// The role's permissions.
    #[serde(rename = "OK")]
    Ok {
        /// The permissions.
        permissions: Vec<String>,
    },
    /// No such role in the app.
    #[serde(rename = "UNKNOWN_ROLE_ERROR")]
    UnknownRole,
}

/// `POST /recipe/role/permissions/remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status")]
pub enum RemovePermissionsResponse {
    /// The permissions are not the role's (any more).
    #[serde(rename = "OK")]
    Ok,
    /// No such role in the app.
    #[serde(rename = "UNKNOWN_ROLE_ERROR")]
    UnknownRole,
}
