//! Setting the recipe up from its configuration: resolved settings, the SDK's functions and
//! APIs, and the overrides around them.

use std::sync::Arc;

use super::api::Frontend;
use super::apis::{DefaultApis, SessionApis};
use super::claims::AnyClaim;
use super::config::SessionConfig;
use super::core_calls::CoreFunctions;
use super::recipe::SessionRecipe;
use super::resolved::Resolved;
use super::state::Base;
use crate::Clock;
use crate::app_info::AppInfo;
use crate::core::CoreClient;
use crate::error::{ConfigErrors, Error};

/// The recipe and its frontend APIs for `config`, overrides applied (the last one added
/// outermost).
pub(crate) fn init(
    config: &SessionConfig,
    app_info: &AppInfo,
    core: CoreClient,
    clock: Clock,
    claims_of_recipes: Vec<Arc<dyn AnyClaim>>,
) -> Result<(SessionRecipe, Frontend), Error> {
    let resolved = Resolved::new(config, app_info).map_err(|e| Error::Config(ConfigErrors(e)))?;
    let mut base = Base::new(resolved, core, clock);
    base.global_validators.clone_from(&config.global_validators);
    base.claims = [claims_of_recipes, config.claims.clone()].concat();
    let base = Arc::new(base);
    let mut functions = CoreFunctions::shared(base.clone());
    for wrap in &config.override_functions {
        functions = wrap(functions);
    }
    let mut apis: Arc<dyn SessionApis> = Arc::new(DefaultApis);
    for wrap in &config.override_apis {
        apis = wrap(apis);
    }
    Ok((
        SessionRecipe::new(base, functions),
        Frontend {
            apis,
            disabled: config.disabled_apis.clone(),
        },
    ))
}
