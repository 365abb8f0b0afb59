//! Roles and permissions (temporary).
mod claims;
mod config;
mod recipe;
pub(crate) use claims::claims_of;
pub use claims::{PermissionClaim, UserRoleClaim};
pub(crate) use config::NEEDS_USER_ROLES;
pub use config::UserRolesConfig;
