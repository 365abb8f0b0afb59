//! UserRoles: roles with permissions, given to users per tenant, kept in the core, and the
//! session claims that carry them ([`UserRoleClaim`], [`PermissionClaim`]).
//!
//! Roles and their permissions belong to the app; a user is given a role in one tenant (the
//! `public` tenant when the app has no others). Any user id may be given a role: the core does
//! not check that the user exists. Removing a role takes it from every user; removing a user
//! takes all its roles.
//!
//! The functions keep the names of the other SuperTokens SDKs (`createNewRoleOrAddPermissions`
//! is [`create_new_role_or_add_permissions`](UserRolesRecipe::create_new_role_or_add_permissions),
//! and so on), with Rust types for their answers.
//!
//! ```no_run
//! # async fn demo(st: supertokens::SuperTokens) -> Result<(), supertokens::core::CoreError> {
//! use supertokens::user_roles::AddRoleToUserResult;
//!
//! let roles = st.user_roles();
//! roles.create_new_role_or_add_permissions("admin", &["orders:read", "orders:write"]).await?;
//! match roles.add_role_to_user("public", "user-id", "admin").await? {
//!     AddRoleToUserResult::Added | AddRoleToUserResult::AlreadyHad => {}
//!     AddRoleToUserResult::UnknownRole => unreachable!("created above"),
//! }
//! assert_eq!(roles.get_roles_for_user("public", "user-id").await?, ["admin"]);
//! # Ok(())
//! # }
//! ```

mod claims;
mod config;
mod recipe;

pub(crate) use claims::claims_of;
pub use claims::{PermissionClaim, UserRoleClaim};
pub(crate) use config::NEEDS_USER_ROLES;
pub use config::UserRolesConfig;
pub use recipe::{AddRoleToUserResult, RemoveUserRoleResult, UserRolesRecipe};
