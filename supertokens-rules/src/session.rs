//! Rules for the session recipe.
