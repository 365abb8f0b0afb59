//! The SDK instance: configuration, core client and recipes, set up once by [`init`].

use std::sync::Arc;

use crate::Config;
use crate::error::Error;

/// An initialised SDK: its configuration, its core client and its recipes. Cheap to clone.
///
/// [`init`] makes one and installs it process-wide; tests can make several with
/// [`SuperTokens::new`] and hand one to requests with [`SuperTokens::layer`].
#[derive(Clone)]
pub struct SuperTokens {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
}

impl std::fmt::Debug for SuperTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuperTokens").finish_non_exhaustive()
    }
}

/// Sets up the SDK process-wide. A second call is an error.
pub fn init(_config: Config) -> Result<SuperTokens, Error> {
    unimplemented!("issue 2")
}
