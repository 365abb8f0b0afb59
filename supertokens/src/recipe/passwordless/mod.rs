//! Passwordless sign-in: one-time codes and magic links, by e-mail and/or SMS.

/// Configuration of the passwordless recipe.
#[derive(Debug, Clone)]
#[must_use]
pub struct PasswordlessConfig {}
