//! Validation of a [`ConfigBuilder`] into a [`Config`].

use super::{Config, ConfigBuilder, ConfigErrors};

pub(super) fn build(_builder: ConfigBuilder) -> Result<Config, ConfigErrors> {
    unimplemented!("config validation: issue 2")
}
