//! Rules for the core connection (`connection_uri`, `api_key`).

use url::Url;

use crate::Invalid;
use crate::app_info::{normalise_url_domain, normalise_url_path};

/// One SuperTokens Core host of a `connection_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreHost {
    /// `http(s)://host[:port]`.
    pub domain: String,
    /// The base path prefixed to every CDI path, e.g. `/appid-myapp`; `""` when none.
    pub base_path: String,
}

/// `connection_uri`: one or more SuperTokens Core hosts separated by `;`.
///
/// Each part is trimmed and empty parts are dropped. A host is `http(s)://host[:port]` with an
/// optional base path (SuperTokens' multi-app form `…/appid-<app>`); a scheme-less host is read as
/// SuperTokens reads it (`localhost:3567` → `http://`, others `https://`).
///
/// ```
/// use supertokens_rules::core::connection_uri;
/// let hosts = connection_uri("http://localhost:3567/appid-shop ; https://core.example.com;").unwrap();
/// assert_eq!(hosts.len(), 2);
/// assert_eq!(hosts[0].domain, "http://localhost:3567");
/// assert_eq!(hosts[0].base_path, "/appid-shop");
/// assert_eq!(hosts[1].base_path, "");
/// ```
pub fn connection_uri(value: &str) -> Result<Vec<CoreHost>, Invalid> {
    let hosts = value
        .split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(host)
        .collect::<Result<Vec<_>, _>>()?;
    if hosts.is_empty() {
        return Err(Invalid(
            "names no host: give one or more hosts separated by `;`, e.g. \
             `connection_uri = \"http://localhost:3567\"`, or leave it out to use the embedded core"
                .to_owned(),
        ));
    }
    Ok(hosts)
}

fn host(raw: &str) -> Result<CoreHost, Invalid> {
    let shown = without_credentials(raw);
    let text = shown.as_str();
    const EXAMPLE: &str = "`http://localhost:3567` or `https://core.example.com`";
    if text != raw {
        return Err(Invalid(format!(
            "host `{text}` carries credentials: remove them from the URL and set `api_key` instead"
        )));
    }
    if text.contains('*') {
        return Err(Invalid(format!(
            "host `{text}` contains `*`: give each core host exactly, e.g. {EXAMPLE}"
        )));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid(format!(
            "host `{text}` contains whitespace: separate hosts with `;`, e.g. \
             `http://core-1:3567;http://core-2:3567`"
        )));
    }
    let lower = text.to_lowercase();
    let with_scheme = match lower.split_once("://") {
        Some(("http" | "https", _)) => text.to_owned(),
        Some((scheme, _)) => {
            return Err(Invalid(format!(
                "host `{text}` uses the scheme `{scheme}`: the core is reached over `http://` or \
                 `https://`, e.g. {EXAMPLE}"
            )));
        }
        None => format!("http://{text}"),
    };
    let not_a_url = || Invalid(format!("host `{text}` is not a URL: write it as {EXAMPLE}"));
    let url = Url::parse(&with_scheme).map_err(|_| not_a_url())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid(format!(
            "host `{text}` carries credentials: remove them from the URL and set `api_key` instead"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Invalid(format!(
            "host `{text}` carries a query or fragment: give `scheme://host[:port][/base-path]` only, \
             e.g. `http://localhost:3567/appid-myapp`"
        )));
    }
    let domain = normalise_url_domain(text).map_err(|_| not_a_url())?;
    // From the URL with its scheme: `core.example.com:3567` alone would read as a path.
    let base_path = normalise_url_path(&with_scheme).map_err(|_| not_a_url())?;
    Ok(CoreHost { domain, base_path })
}

/// `text` with any `user:password@` before the host replaced by `***@`, so messages never show
/// credentials.
fn without_credentials(text: &str) -> String {
    let start = text.find("://").map_or(0, |i| i + 3);
    let authority_end = text[start..]
        .find(['/', '?', '#'])
        .map_or(text.len(), |i| start + i);
    match text[start..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..start], &text[start + at..]),
        None => text.to_owned(),
    }
}

/// `api_key`: the key the core requires (its `api_keys` setting). Non-empty, no whitespace, and
/// only characters an HTTP header can carry. The key itself never appears in a message.
///
/// ```
/// use supertokens_rules::core::api_key;
/// assert!(api_key("Key-1234567890-abcdefgh=").is_ok());
/// assert!(api_key("key\n").is_err());
/// ```
pub fn api_key(value: &str) -> Result<String, Invalid> {
    if value.is_empty() {
        return Err(Invalid(
            "is empty: set the key configured in the core (its `api_keys` setting), or leave \
             `api_key` out if the core has none"
                .to_owned(),
        ));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(Invalid(
            "contains whitespace (a trailing newline from the environment?): give the key exactly \
             as configured in the core, e.g. `api_key = env(\"SUPERTOKENS_API_KEY\")` with no \
             spaces"
                .to_owned(),
        ));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Invalid(
            "contains characters an HTTP header cannot carry: core keys use letters, digits, `=` \
             and `-`"
                .to_owned(),
        ));
    }
    Ok(value.to_owned())
}

/// `embedded_core(app_id = …)`: the app of the embedded core the SDK uses, as a SuperTokens
/// core takes app ids: trimmed and lowercased, letters, digits and hyphens, not `appid-…`.
///
/// ```
/// use supertokens_rules::core::app_id;
/// assert_eq!(app_id(" Shop-1 ").unwrap(), "shop-1");
/// assert!(app_id("shop_1").is_err());
/// assert!(app_id("appid-shop").is_err());
/// ```
pub fn app_id(value: &str) -> Result<String, Invalid> {
    let id = value.trim().to_lowercase();
    if id.is_empty() {
        return Err(Invalid(
            "is empty: give the app's id, e.g. `app_id = \"shop\"`, or leave it out for the \
             `public` app"
                .to_owned(),
        ));
    }
    if let Some(rest) = id.strip_prefix("appid-") {
        return Err(Invalid(format!(
            "`{id}` starts with `appid-`, which is the path prefix, not part of the id: write \
             `app_id = \"{rest}\"`"
        )));
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Invalid(format!(
            "`{value}` is not an app id: use only letters, digits and hyphens, e.g. `shop-eu`"
        )));
    }
    Ok(id)
}

/// Cross-field rule: an `api_key` without a `connection_uri` would be ignored, since the
/// embedded core is then used (most likely the `connection_uri` variable is missing from the
/// environment, and the app would quietly keep its users in a local file).
pub fn api_key_needs_connection_uri(
    connection_uri_set: bool,
    api_key_set: bool,
) -> Result<(), Invalid> {
    if api_key_set && !connection_uri_set {
        return Err(Invalid(
            "is set but `connection_uri` is not, so the embedded core would be used and the key \
             ignored: set `connection_uri` to your core (e.g. `connection_uri = \
             env(\"SUPERTOKENS_CONNECTION_URI\")`), or remove `api_key`"
                .to_owned(),
        ));
    }
    Ok(())
}

/// `core_timeout`: more than zero.
pub fn core_timeout(value: std::time::Duration) -> Result<std::time::Duration, Invalid> {
    if value.is_zero() {
        return Err(Invalid(
            "is zero, so every call to the core would time out: give a duration such as 10 s"
                .to_owned(),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn host(domain: &str, base_path: &str) -> CoreHost {
        CoreHost {
            domain: domain.to_owned(),
            base_path: base_path.to_owned(),
        }
    }

    #[test]
    fn several_hosts_trimmed_empty_parts_dropped() {
        assert_eq!(
            connection_uri(
                "http://localhost:8080;try.supertokens.io;try.supertokens.io:8080;localhost:90"
            )
            .unwrap(),
            vec![
                host("http://localhost:8080", ""),
                host("https://try.supertokens.io", ""),
                host("https://try.supertokens.io:8080", ""),
                host("http://localhost:90", ""),
            ]
        );
        assert_eq!(
            connection_uri(" ;http://a.example.com ; ;https://b.example.com/;").unwrap(),
            vec![
                host("http://a.example.com", ""),
                host("https://b.example.com", "")
            ]
        );
    }

    #[test]
    fn a_host_keeps_its_base_path() {
        assert_eq!(
            connection_uri("http://localhost:3567/appid-myapp").unwrap(),
            vec![host("http://localhost:3567", "/appid-myapp")]
        );
        assert_eq!(
            connection_uri("https://core.example.com/core/").unwrap(),
            vec![host("https://core.example.com", "/core")]
        );
    }

    #[test]
    fn bad_hosts_are_rejected_with_the_fix() {
        for (bad, needle) in [
            ("", "names no host"),
            (" ; ;", "names no host"),
            ("postgres://localhost:5432", "scheme `postgres`"),
            ("http://localhost:3567;grpc://x:1", "scheme `grpc`"),
            ("http://*.example.com", "`*`"),
            ("http://a:3567 http://b:3567", "whitespace"),
            ("http://user:secret@core.example.com", "credentials"),
            ("postgres://user:secret@db:5432", "credentials"),
            ("user:secret@core.example.com", "credentials"),
            ("http://localhost:3567?x=1", "query"),
            ("corehost", "not a URL"),
            ("http://[::1", "not a URL"),
        ] {
            let err = connection_uri(bad).expect_err(bad);
            assert!(err.0.contains(needle), "{bad:?}: {err}");
            assert!(
                !err.0.contains("secret"),
                "credentials stay out of messages: {err}"
            );
        }
    }

    #[test]
    fn api_keys() {
        assert_eq!(api_key("abc-DEF=123").unwrap(), "abc-DEF=123");
        assert!(api_key("").unwrap_err().0.contains("is empty"));
        for bad in [" s3cr3t", "s3cr3t\n", "s3 cr3t", "s3cr3té"] {
            let err = api_key(bad).expect_err(bad);
            assert!(
                !err.0.contains("s3"),
                "the key stays out of messages: {err}"
            );
        }
    }

    #[test]
    fn an_api_key_needs_a_connection_uri() {
        assert!(api_key_needs_connection_uri(false, true).is_err());
        assert!(api_key_needs_connection_uri(true, true).is_ok());
        assert!(api_key_needs_connection_uri(false, false).is_ok());
    }

    #[test]
    fn a_core_timeout_is_not_zero() {
        assert!(core_timeout(Duration::ZERO).is_err());
        assert_eq!(
            core_timeout(Duration::from_secs(10)),
            Ok(Duration::from_secs(10))
        );
    }
}
