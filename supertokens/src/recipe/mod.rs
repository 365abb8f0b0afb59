//! The recipes: [`session`], [`passwordless`] and [`multitenancy`].

pub mod multitenancy;
pub mod passwordless;
pub mod session;
pub mod user_roles;
