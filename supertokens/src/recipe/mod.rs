//! The recipes: [`session`], [`passwordless`], [`multitenancy`], [`user_roles`] and
//! [`user_metadata`].

pub mod multitenancy;
pub mod passwordless;
pub mod session;
pub mod user_metadata;
pub mod user_roles;
