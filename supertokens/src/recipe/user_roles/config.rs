//! [`UserRolesConfig`]: what the UserRoles recipe adds to sessions.

/// The settings of the UserRoles recipe (`user_roles(...)` in `#[supertokens::app]`, or
/// [`ConfigBuilder::user_roles`](crate::ConfigBuilder::user_roles)).
///
/// By default every new session's access token carries the user's roles (`st-role`) and their
/// permissions (`st-perm`), so role checks need no core call until the values are refreshed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct UserRolesConfig {
    pub(crate) skip_adding_roles_to_access_token: bool,
    pub(crate) skip_adding_permissions_to_access_token: bool,
}

impl UserRolesConfig {
    /// Roles and permissions added to new sessions.
    pub fn new() -> Self {
        Self::default()
    }

    /// New sessions start without `st-role`: a role check fetches it on first use.
    pub fn skip_adding_roles_to_access_token(mut self) -> Self {
        self.skip_adding_roles_to_access_token = true;
        self
    }

    /// New sessions start without `st-perm`: a permission check fetches it on first use.
    pub fn skip_adding_permissions_to_access_token(mut self) -> Self {
        self.skip_adding_permissions_to_access_token = true;
        self
    }
}

/// What a role or permission check says when the app has no UserRoles recipe (at compile time
/// from `#[protected]`, else when the route is called).
pub(crate) const NEEDS_USER_ROLES: &str = "`#[protected(roles = …)]`, `any_role` and `permissions` check the UserRoles recipe's claims, which this app does not enable: add `user_roles()` to `#[supertokens::app(...)]` (or `.user_roles(UserRolesConfig::new())` to the `ConfigBuilder`)";
