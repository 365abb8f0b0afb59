//! The SDK's top-level error.

/// An error of the SDK.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigErrors),
    /// A call to the core failed.
    #[error(transparent)]
    Core(#[from] crate::core::CoreError),
    /// The embedded core could not start. The message says what to do.
    #[error("{0}")]
    EmbeddedCore(String),
    /// `init` was called twice.
    #[error("supertokens::init was called twice; call it once, at start-up")]
    AlreadyInitialised,
    /// The SDK is used before `init`.
    #[error(
        "supertokens::init has not been called; call it at start-up (or use #[supertokens::app])"
    )]
    NotInitialised,
}
