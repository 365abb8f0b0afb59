//! Validation of a [`ConfigBuilder`] into a [`Config`]: every rule of `supertokens-rules` applied
//! to the values as written, every problem collected.

use supertokens_rules::Invalid;
use supertokens_rules::app_info as rules;
use supertokens_rules::required::{self, Required};

use crate::Secret;

use super::{AppInfo, Config, ConfigBuilder, ConfigError, ConfigErrors, CoreConnection, CoreHost};

/// Why a build without the `embedded-core` feature needs a remote core.
#[cfg(not(feature = "embedded-core"))]
pub(crate) const NO_EMBEDDED_CORE: &str = "this build has no embedded core; enable the \
    `embedded-core` feature of supertokens or set `connection_uri`";

/// Collects problems, each under the field name spelled as in `#[supertokens::app(...)]`.
#[derive(Default)]
struct Problems(Vec<ConfigError>);

impl Problems {
    /// Applies `rule` to `value` (when given), recording a failure under `field`.
    fn check<T>(
        &mut self,
        field: &str,
        value: Option<&str>,
        rule: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match rule(value?) {
            Ok(normalised) => Some(normalised),
            Err(invalid) => {
                self.0.push(ConfigError::new(field, invalid.0));
                None
            }
        }
    }

    /// As [`check`](Self::check), for a setting without a default: a missing value is a
    /// problem too.
    fn required<T>(
        &mut self,
        field: &str,
        setting: Required,
        value: Option<&str>,
        rule: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<T> {
        match setting.check(value) {
            Ok(value) => self.check(field, Some(value), rule),
            Err(missing) => {
                self.push(field, missing.0);
                None
            }
        }
    }

    fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(ConfigError::new(field, message));
    }
}

pub(super) fn build(builder: ConfigBuilder) -> Result<Config, ConfigErrors> {
    let mut problems = Problems::default();
    let ConfigBuilder {
        app_name,
        api_domain,
        website_domain,
        api_base_path,
        website_base_path,
        api_gateway_path,
        connection_uri,
        api_key,
        core_timeout,
        #[cfg(feature = "embedded-core")]
        embedded_core,
        session,
        passwordless,
        user_roles,
        user_metadata,
        clock,
    } = builder;

    let app_name = problems.required(
        "app_name",
        Required::AppName,
        app_name.as_deref(),
        rules::app_name,
    );
    let api_domain = problems.required(
        "api_domain",
        Required::ApiDomain,
        api_domain.as_deref(),
        rules::api_domain,
    );
    // Without a website domain, a magic-link flow is the reason to give one.
    let flow = passwordless.as_ref().and_then(|p| p.flow_type);
    if website_domain.is_none() {
        problems.push("website_domain", required::missing_website_domain(flow).0);
    }
    let website_domain = problems.check(
        "website_domain",
        website_domain.as_deref(),
        rules::website_domain,
    );
    let api_base_path = problems.check(
        "api_base_path",
        Some(
            api_base_path
                .as_deref()
                .unwrap_or(rules::DEFAULT_API_BASE_PATH),
        ),
        rules::api_base_path,
    );
    let website_base_path = problems.check(
        "website_base_path",
        Some(
            website_base_path
                .as_deref()
                .unwrap_or(rules::DEFAULT_WEBSITE_BASE_PATH),
        ),
        rules::website_base_path,
    );
    let api_gateway_path = problems.check(
        "api_gateway_path",
        Some(api_gateway_path.as_deref().unwrap_or("")),
        rules::api_gateway_path,
    );

    let hosts = problems.check(
        "connection_uri",
        connection_uri.as_deref(),
        supertokens_rules::core::connection_uri,
    );
    let api_key = problems.check(
        "api_key",
        api_key.as_ref().map(Secret::expose),
        supertokens_rules::core::api_key,
    );
    if let Err(e) = supertokens_rules::core::api_key_needs_connection_uri(
        connection_uri.is_some(),
        api_key.is_some(),
    ) {
        problems.push("api_key", e.0);
    }

    let core_timeout = core_timeout.unwrap_or(super::DEFAULT_CORE_TIMEOUT);
    if let Err(e) = supertokens_rules::core::core_timeout(core_timeout) {
        problems.push("core_timeout", e.0);
    }

    if let Err(e) = required::some_recipe(session.is_some(), passwordless.is_some()) {
        problems.push("session", e.0);
    } else if let Err(e) =
        required::passwordless_needs_session(passwordless.is_some(), session.is_some())
    {
        problems.push("passwordless", e.0);
    }

    // The recipes' own rules read the app info (secure cookies depend on api_domain, magic links
    // on website_domain). When part of it is invalid, they still run, against a stand-in that
    // satisfies every cross-field rule, so their value errors are reported in the same pass
    // without inventing cross-field ones. (A stand-in is only used where a problem has been
    // recorded already, so such a configuration never builds.)
    let stand_in =
        |value: Option<String>, placeholder: &str| value.unwrap_or_else(|| placeholder.to_owned());
    let api_gateway_path = stand_in(api_gateway_path, "");
    let api_base_path = stand_in(api_base_path, rules::DEFAULT_API_BASE_PATH);
    let app_info = AppInfo {
        app_name: stand_in(app_name, "app"),
        api_domain: stand_in(api_domain, "https://example.invalid"),
        website_domain: stand_in(website_domain, "https://example.invalid"),
        api_base_path: rules::full_api_base_path(&api_gateway_path, &api_base_path),
        website_base_path: stand_in(website_base_path, rules::DEFAULT_WEBSITE_BASE_PATH),
        api_gateway_path,
    };

    if let Some(session) = &session {
        problems.0.extend(session.validate(&app_info));
    }
    if let Some(passwordless) = &passwordless {
        problems.0.extend(passwordless.validate(&app_info));
    }
    let core = match hosts {
        Some(hosts) => Some(CoreConnection::Remote {
            hosts: hosts
                .into_iter()
                .map(|h| CoreHost {
                    domain: h.domain,
                    base_path: h.base_path,
                })
                .collect(),
            api_key: api_key.map(Secret::from),
        }),
        #[cfg(feature = "embedded-core")]
        None => Some(CoreConnection::Embedded(embedded_core.unwrap_or_default())),
        #[cfg(not(feature = "embedded-core"))]
        None => {
            if connection_uri.is_none() {
                problems.push("connection_uri", NO_EMBEDDED_CORE);
            }
            None
        }
    };

    // `core` is `None` only when a problem has been recorded.
    let Some(core) = core.filter(|_| problems.0.is_empty()) else {
        return Err(ConfigErrors(problems.0));
    };
    Ok(Config {
        app_info,
        core,
        core_timeout,
        session,
        passwordless,
        user_roles,
        user_metadata,
        clock: clock.unwrap_or_else(crate::Clock::system),
    })
}
