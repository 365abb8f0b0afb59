//! [`UserRoleClaim`] and [`PermissionClaim`]: a session's roles and permissions in its access
//! token (`"st-role"` and `"st-perm"`, each `{"v": [...], "t": ms}`), read from the core.

use std::collections::BTreeSet;
use std::ops::Deref;
use std::sync::LazyLock;

use crate::session::SessionError;
use crate::session::claims::{ClaimContext, PrimitiveArrayClaim};

/// The user's roles in the session's tenant, under `st-role`.
///
/// ```
/// use supertokens::user_roles::UserRoleClaim;
///
/// let admins_only = UserRoleClaim.includes("admin");
/// assert_eq!(admins_only.id(), "st-role");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct UserRoleClaim;

/// The permissions of the user's roles, under `st-perm`.
///
/// ```
/// use supertokens::user_roles::PermissionClaim;
///
/// let readers = PermissionClaim.includes("orders:read");
/// assert_eq!(readers.id(), "st-perm");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PermissionClaim;

static ROLES: LazyLock<PrimitiveArrayClaim<String>> = LazyLock::new(|| {
    PrimitiveArrayClaim::new("st-role", |ctx: ClaimContext| async move {
        super::recipe::roles_of(&ctx.core, &ctx.tenant_id, &ctx.user_id)
            .await
            .map(Some)
            .map_err(SessionError::from)
    })
});

static PERMISSIONS: LazyLock<PrimitiveArrayClaim<String>> = LazyLock::new(|| {
    PrimitiveArrayClaim::new("st-perm", |ctx: ClaimContext| async move {
        // The roles are read again: the role claim may be absent or older.
        let roles = super::recipe::roles_of(&ctx.core, &ctx.tenant_id, &ctx.user_id).await?;
        let mut permissions = BTreeSet::new();
        for role in roles {
            // A role deleted meanwhile has no permissions.
            if let Some(of_role) = super::recipe::permissions_of(&ctx.core, &role).await? {
                permissions.extend(of_role);
            }
        }
        Ok(Some(permissions.into_iter().collect()))
    })
});

impl Deref for UserRoleClaim {
    type Target = PrimitiveArrayClaim<String>;

    fn deref(&self) -> &Self::Target {
        &ROLES
    }
}

impl Deref for PermissionClaim {
    type Target = PrimitiveArrayClaim<String>;

    fn deref(&self) -> &Self::Target {
        &PERMISSIONS
    }
}

/// The claims the UserRoles recipe adds to every new session, as configured.
pub(crate) fn claims_of(
    config: Option<&super::UserRolesConfig>,
) -> Vec<std::sync::Arc<dyn crate::session::claims::AnyClaim>> {
    let Some(config) = config else {
        return Vec::new();
    };
    let mut claims = Vec::new();
    if !config.skip_adding_roles_to_access_token {
        claims.push(crate::session::claims::erase(&*ROLES));
    }
    if !config.skip_adding_permissions_to_access_token {
        claims.push(crate::session::claims::erase(&*PERMISSIONS));
    }
    claims
}
