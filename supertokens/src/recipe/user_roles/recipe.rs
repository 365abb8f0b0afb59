//! [`UserRolesRecipe`]: the UserRoles functions, each one call to the core.

use supertokens_cdi::{
    AddUserRoleResponse, CreateRoleResponse, RemovePermissionsResponse, RemoveRoleResponse,
    RemoveUserRoleResponse, RolePermissionsRequest, RolePermissionsResponse, RoleRequest,
    RoleUsersResponse, RolesResponse, UserRoleRequest, tenant_path,
};

use crate::core::{CoreClient, CoreError};

const RID: Option<&str> = Some("userroles");

/// What [`UserRolesRecipe::add_role_to_user`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddRoleToUserResult {
    /// The user has the role now.
    Added,
    /// The user had the role already (nothing changed).
    AlreadyHad,
    /// The app has no such role (create it with
    /// [`create_new_role_or_add_permissions`](UserRolesRecipe::create_new_role_or_add_permissions)).
    UnknownRole,
}

/// What [`UserRolesRecipe::remove_user_role`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RemoveUserRoleResult {
    /// The user had the role and does not any more.
    Removed,
    /// The user did not have the role (nothing changed).
    DidNotHave,
    /// The app has no such role.
    UnknownRole,
}

/// The UserRoles functions of an instance ([`SuperTokens::user_roles`](crate::SuperTokens::user_roles)).
///
/// Roles and permissions are the app's; a user's roles are per tenant. The core trims roles and
/// permissions and answers an error (a [`CoreError::Status`] 400) for an empty one.
#[derive(Clone)]
pub struct UserRolesRecipe {
    core: CoreClient,
}

impl std::fmt::Debug for UserRolesRecipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRolesRecipe").finish_non_exhaustive()
    }
}

fn owned(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl UserRolesRecipe {
    pub(crate) fn new(core: CoreClient) -> Self {
        Self { core }
    }

    /// Creates the role if the app does not have it, and adds the `permissions` it does not
    /// have yet (none taken away); `true` when the role was created.
    pub async fn create_new_role_or_add_permissions(
        &self,
        role: &str,
        permissions: &[&str],
    ) -> Result<bool, CoreError> {
        let request = RolePermissionsRequest {
            role: role.to_owned(),
            permissions: Some(owned(permissions)),
        };
        let CreateRoleResponse::Ok { created_new_role } = self
            .core
            .request(http::Method::PUT, "/recipe/role", RID, &[], Some(&request))
            .await?;
        Ok(created_new_role)
    }

    /// Removes the role, its permissions, and every user's association with it in every
    /// tenant; `true` when it existed.
    pub async fn delete_role(&self, role: &str) -> Result<bool, CoreError> {
        let request = RoleRequest {
            role: role.to_owned(),
        };
        let RemoveRoleResponse::Ok { did_role_exist } =
            self.core.post("/recipe/role/remove", RID, &request).await?;
        Ok(did_role_exist)
    }

    /// Every role of the app.
    pub async fn get_all_roles(&self) -> Result<Vec<String>, CoreError> {
        let RolesResponse::Ok { roles } = self.core.get("/recipe/roles", RID, &[]).await?;
        Ok(roles)
    }

    /// Gives the user the role in the tenant.
    pub async fn add_role_to_user(
        &self,
        tenant_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<AddRoleToUserResult, CoreError> {
        let path = "/recipe/user/role";
        let answer = self
            .user_role(http::Method::PUT, path, tenant_id, user_id, role)
            .await?;
        Ok(match answer {
            AddUserRoleResponse::Ok {
                did_user_already_have_role: false,
            } => AddRoleToUserResult::Added,
            AddUserRoleResponse::Ok {
                did_user_already_have_role: true,
            } => AddRoleToUserResult::AlreadyHad,
            AddUserRoleResponse::UnknownRole => AddRoleToUserResult::UnknownRole,
        })
    }

    /// Takes the role from the user in the tenant (the user keeps it in other tenants).
    ///
    /// A session's `st-role` claim keeps the old roles until the claim is fetched again.
    pub async fn remove_user_role(
        &self,
        tenant_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<RemoveUserRoleResult, CoreError> {
        let path = "/recipe/user/role/remove";
        let answer = self
            .user_role(http::Method::POST, path, tenant_id, user_id, role)
            .await?;
        Ok(match answer {
            RemoveUserRoleResponse::Ok {
                did_user_have_role: true,
            } => RemoveUserRoleResult::Removed,
            RemoveUserRoleResponse::Ok {
                did_user_have_role: false,
            } => RemoveUserRoleResult::DidNotHave,
            RemoveUserRoleResponse::UnknownRole => RemoveUserRoleResult::UnknownRole,
        })
    }

    /// A change to one user's role in a tenant.
    async fn user_role<R: serde::de::DeserializeOwned>(
        &self,
        method: http::Method,
        path: &str,
        tenant_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<R, CoreError> {
        let request = UserRoleRequest {
            user_id: user_id.to_owned(),
            role: role.to_owned(),
        };
        let path = tenant_path(tenant_id, path);
        self.core
            .request(method, &path, RID, &[], Some(&request))
            .await
    }

    /// The user's roles in the tenant, sorted (empty for a user with none, or an unknown
    /// user).
    ///
    /// One `GET /<tenant>/recipe/user/roles` to the core, nothing cached: what the `st-role`
    /// claim is fetched with.
    pub async fn get_roles_for_user(
        &self,
        tenant_id: &str,
        user_id: &str,
    ) -> Result<Vec<String>, CoreError> {
        roles_of(&self.core, tenant_id, user_id).await
    }

    /// The users of the tenant that have the role; `None` when the app has no such role.
    pub async fn get_users_that_have_role(
        &self,
        tenant_id: &str,
        role: &str,
    ) -> Result<Option<Vec<String>>, CoreError> {
        let path = tenant_path(tenant_id, "/recipe/role/users");
        let answer: RoleUsersResponse = self.core.get(&path, RID, &[("role", role)]).await?;
        Ok(match answer {
            RoleUsersResponse::Ok { users } => Some(users),
            RoleUsersResponse::UnknownRole => None,
        })
    }

    /// The role's permissions, sorted; `None` when the app has no such role (it may have
    /// been deleted since a user was seen with it).
    ///
    /// One `GET /recipe/role/permissions` to the core, nothing cached: what the `st-perm`
    /// claim is fetched with, once per role of the user.
    pub async fn get_permissions_for_role(
        &self,
        role: &str,
    ) -> Result<Option<Vec<String>>, CoreError> {
        permissions_of(&self.core, role).await
    }

    /// Takes `permissions` from the role (those it does not have are ignored); `false` when
    /// the app has no such role, and nothing changed.
    pub async fn remove_permissions_from_role(
        &self,
        role: &str,
        permissions: &[&str],
    ) -> Result<bool, CoreError> {
        let request = RolePermissionsRequest {
            role: role.to_owned(),
            permissions: Some(owned(permissions)),
        };
        let answer: RemovePermissionsResponse = self
            .core
            .post("/recipe/role/permissions/remove", RID, &request)
            .await?;
        Ok(match answer {
            RemovePermissionsResponse::Ok => true,
            RemovePermissionsResponse::UnknownRole => false,
        })
    }

    /// The roles that have the permission.
    pub async fn get_roles_that_have_permission(
        &self,
        permission: &str,
    ) -> Result<Vec<String>, CoreError> {
        let RolesResponse::Ok { roles } = self
            .core
            .get(
                "/recipe/permission/roles",
                RID,
                &[("permission", permission)],
            )
            .await?;
        Ok(roles)
    }
}

/// [`UserRolesRecipe::get_roles_for_user`] on any client: what the `st-role` and `st-perm`
/// claims are fetched with.
pub(crate) async fn roles_of(
    core: &CoreClient,
    tenant_id: &str,
    user_id: &str,
) -> Result<Vec<String>, CoreError> {
    let path = tenant_path(tenant_id, "/recipe/user/roles");
    let RolesResponse::Ok { roles } = core.get(&path, RID, &[("userId", user_id)]).await?;
    Ok(roles)
}

/// [`UserRolesRecipe::get_permissions_for_role`] on any client: what the `st-perm` claim is
/// fetched with, once per role.
pub(crate) async fn permissions_of(
    core: &CoreClient,
    role: &str,
) -> Result<Option<Vec<String>>, CoreError> {
    let answer: RolePermissionsResponse = core
        .get("/recipe/role/permissions", RID, &[("role", role)])
        .await?;
    Ok(match answer {
        RolePermissionsResponse::Ok { permissions } => Some(permissions),
        RolePermissionsResponse::UnknownRole => None,
    })
}
