//! The SDK's errors that are not a recipe's own: [`Error`], the configuration's
//! [`ConfigError`]s and [`StartError`]. A leaf: the configuration, the recipes and the instance
//! all use it, and it uses only the core client's [`CoreError`].

use crate::core::CoreError;

/// An error of the SDK.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// A call to the core failed.
    #[error("{0}")]
    Core(#[from] CoreError),
    /// The embedded core could not start (or this build has none and no `connection_uri` is
    /// set). The message says what to do; the source, when there is one, is the embedded core's
    /// own error.
    #[error("{message}")]
    EmbeddedCore {
        /// What went wrong and what to do.
        message: String,
        /// The embedded core's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// `init` was called twice.
    #[error("supertokens::init was called twice; call it once, at start-up")]
    AlreadyInitialised,
    /// The SDK is used before `init`.
    #[error(
        "supertokens::init has not been called; call it at start-up (or use #[supertokens::app])"
    )]
    NotInitialised,
}

impl Error {
    /// [`Error::EmbeddedCore`] caused by `source`, with its text as the message.
    pub(crate) fn embedded_core(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::EmbeddedCore {
            message: source.to_string(),
            source: Some(Box::new(source)),
        }
    }
}

/// A configuration value that failed validation, with the field it belongs to and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid `{field}`: {message}")]
pub struct ConfigError {
    /// The configuration field, as spelled in `#[supertokens::app(...)]` (e.g. `api_domain`,
    /// `session.cookie_same_site`).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// A new error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every problem found in a configuration (at least one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl ConfigErrors {
    /// The fields with a problem, in the order found.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }

    /// The problems of one field.
    pub fn for_field<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a ConfigError> + 'a {
        self.0.iter().filter(move |e| e.field == field)
    }
}

/// Why the SDK did not start (what `#[supertokens::app]`'s start-up reports): every
/// configuration problem, or the error of [`init`](crate::init).
///
/// Its `Debug` output is the readable list, so `main` returning `Result<_, StartError>` prints
/// it as it is.
pub struct StartError {
    pub(crate) problems: Vec<String>,
}

impl StartError {
    /// One line per problem.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "supertokens could not start:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

// `main` returning `Result` prints its error with `Debug`: show the readable form.
impl std::fmt::Debug for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for StartError {}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn the_core_error_is_the_source() {
        let error = Error::from(CoreError::Timeout(std::time::Duration::from_millis(5)));
        let source = error.source().expect("a source");
        assert!(
            matches!(
                source.downcast_ref::<CoreError>(),
                Some(CoreError::Timeout(_))
            ),
            "{source:?}"
        );
        assert_eq!(error.to_string(), source.to_string());
    }

    #[test]
    fn the_embedded_core_error_is_the_source() {
        let cause = std::io::Error::other("disk full");
        let error = Error::embedded_core(cause);
        assert_eq!(error.to_string(), "disk full");
        let source = error.source().expect("a source");
        assert!(source.downcast_ref::<std::io::Error>().is_some());
    }

    #[test]
    fn start_errors_list_every_problem() {
        let error = StartError {
            problems: vec!["one".into(), "two".into()],
        };
        assert_eq!(error.problems(), ["one", "two"]);
        assert_eq!(
            format!("{error:?}"),
            "supertokens could not start:\n  - one\n  - two"
        );
    }
}
