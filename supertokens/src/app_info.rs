//! [`AppInfo`]: where the API and the website live, as the configuration resolved them. A leaf:
//! the configuration builds it, the recipes read it.

/// Normalised information about the app: where the API and the website live. Made by
/// [`ConfigBuilder::build`](crate::ConfigBuilder::build), read with
/// [`Config::app_info`](crate::Config::app_info).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppInfo {
    /// The app's name, used in e-mails and SMS.
    pub app_name: String,
    /// Normalised API domain, `scheme://host[:port]`.
    pub api_domain: String,
    /// Normalised website domain (the origin), `scheme://host[:port]`.
    pub website_domain: String,
    /// The API base path including the gateway path, e.g. `/auth`; `""` for the root.
    pub api_base_path: String,
    /// The website base path, e.g. `/auth`; `""` for the root.
    pub website_base_path: String,
    /// The API gateway path, e.g. `/dev`; `""` when none.
    pub api_gateway_path: String,
}

#[cfg(test)]
impl AppInfo {
    /// An app info for unit tests: the two domains as given, base paths `/auth`, no gateway.
    pub(crate) fn for_tests(api_domain: &str, website_domain: &str) -> Self {
        Self {
            app_name: "Test".into(),
            api_domain: api_domain.into(),
            website_domain: website_domain.into(),
            api_base_path: "/auth".into(),
            website_base_path: "/auth".into(),
            api_gateway_path: String::new(),
        }
    }
}
