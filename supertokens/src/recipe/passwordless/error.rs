//! [`PasswordlessError`]: why a passwordless recipe function failed.

use crate::core::CoreError;
use crate::delivery::DeliveryError;

/// A recipe function failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordlessError {
    /// The core call failed (the [`CoreError`] is also the error's
    /// [`source`](std::error::Error::source)).
    #[error("{0}")]
    Core(#[from] CoreError),
    /// The message could not be delivered (the code stays valid); the [`DeliveryError`] is the
    /// error's source.
    #[error("delivery failed: {0}")]
    Delivery(#[from] DeliveryError),
    /// No delivery service is set up for this kind of contact.
    #[error("no {0} delivery is configured for the passwordless recipe")]
    NoDelivery(&'static str),
    /// Three custom codes in a row were already used on the device.
    #[error("Failed to generate a one time code. Please try again")]
    CodeGenerationFailed,
    /// The device is unknown, consumed or expired; start again with a new code.
    #[error("the sign-in attempt is unknown or over; start again with a new code")]
    RestartFlow,
    /// The core answered something this call does not expect.
    #[error("unexpected answer from the core: {0}")]
    Unexpected(String),
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn causes_are_sources() {
        let error = PasswordlessError::from(DeliveryError::new("relay down"));
        assert_eq!(error.to_string(), "delivery failed: relay down");
        let source = error.source().expect("a source");
        assert!(source.downcast_ref::<DeliveryError>().is_some());
        assert!(PasswordlessError::RestartFlow.source().is_none());
    }
}
