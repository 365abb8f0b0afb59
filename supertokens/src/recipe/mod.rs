//! The recipes: [`session`] and [`passwordless`].

pub mod passwordless;
pub mod session;
