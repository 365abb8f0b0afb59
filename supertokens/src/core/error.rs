//! [`CoreError`]: how a call to the core failed.

use std::time::Duration;

/// A failed call to the core.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The core answered with a non-200 status.
    #[error("SuperTokens core answered {method} {path} with status {status}: {body}")]
    Status {
        /// HTTP method of the request.
        method: String,
        /// Path of the request (without host and query).
        path: String,
        /// HTTP status code.
        status: u16,
        /// The response body, as text (the core's message).
        body: String,
    },
    /// No host could be reached.
    #[error("no SuperTokens core available to query: {0}")]
    Unavailable(String),
    /// The core and the SDK share no CDI version.
    #[error(
        "the SuperTokens core offers CDI versions {core:?} and this SDK speaks {ours:?}; use SuperTokens Core 10.1 or newer (CDI 5.3 or 5.4)"
    )]
    IncompatibleVersion {
        /// What the core offers.
        core: Vec<String>,
        /// What the SDK speaks.
        ours: Vec<String>,
    },
    /// The request timed out.
    #[error("request to the SuperTokens core timed out after {0:?}")]
    Timeout(Duration),
    /// The core's answer could not be decoded as the expected type.
    #[error("unexpected answer from the SuperTokens core for {path}: {message}")]
    Decode {
        /// Path of the request.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The request could not be built (a path, recipe id or key that cannot go into an HTTP
    /// request, or a body that cannot be serialised). Nothing was sent.
    #[error("cannot send a request to the SuperTokens core for {path}: {message}")]
    InvalidRequest {
        /// Path of the request.
        path: String,
        /// What is wrong.
        message: String,
    },
}
