//! UserMetadata: a JSON object per user, kept in the core: preferences, profile fields, whatever
//! the app wants to store beside a user.
//!
//! Any user id may have metadata (the core does not check that the user exists); removing a user
//! removes it. Updates are a shallow merge: each top-level key given replaces the stored one
//! whole, and a `null` value removes its key.
//!
//! ```no_run
//! # async fn demo(st: supertokens::SuperTokens) -> Result<(), supertokens::core::CoreError> {
//! use serde_json::{Map, Value, json};
//!
//! let metadata = st.user_metadata();
//! let Value::Object(update) = json!({ "theme": "dark", "plan": null }) else { unreachable!() };
//! let merged: Map<String, Value> = metadata.update_user_metadata("user-id", update).await?;
//! assert_eq!(merged.get("theme"), Some(&json!("dark")));
//! # Ok(())
//! # }
//! ```

mod recipe;

pub use recipe::UserMetadataRecipe;
