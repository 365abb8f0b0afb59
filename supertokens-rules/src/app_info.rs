//! Rules for the app info: URL-domain and URL-path normalisation.
//!
//! Two layers:
//!
//! * [`normalise_url_domain`] and [`normalise_url_path`] are SuperTokens' own normalisations, as
//!   the official backend SDKs apply them (`localhost:3000` → `http://localhost:3000`,
//!   `auth/` → `/auth`). They are lenient: a path after a domain is silently dropped.
//! * [`api_domain`], [`website_domain`], [`api_base_path`], [`website_base_path`] and
//!   [`api_gateway_path`] are what configuration values go through. They first reject values that
//!   normalise to something other than what was probably meant (a domain with a path, a query or a
//!   `*`; a base path that is really a URL), then normalise.

use url::Url;

use crate::Invalid;

/// The API base path when none is configured.
pub const DEFAULT_API_BASE_PATH: &str = "/auth";
/// The website base path when none is configured.
pub const DEFAULT_WEBSITE_BASE_PATH: &str = "/auth";

/// SuperTokens' URL-domain normalisation: `scheme://host[:port]`.
///
/// Trimmed and lowercased. A value starting with `http://`, `https://` or `supertokens://` keeps
/// its scheme; otherwise `localhost…` and IPv4 hosts get `http://` and other hosts `https://`.
/// Paths, queries and fragments are dropped; default ports are dropped.
///
/// ```
/// use supertokens_rules::app_info::normalise_url_domain;
/// assert_eq!(normalise_url_domain("localhost:3000").unwrap(), "http://localhost:3000");
/// assert_eq!(normalise_url_domain("api.example.com/x").unwrap(), "https://api.example.com");
/// assert!(normalise_url_domain("/auth").is_err());
/// ```
pub fn normalise_url_domain(value: &str) -> Result<String, Invalid> {
    let input = value.trim().to_lowercase();
    if has_domain_scheme(&input)
        && let Ok(url) = Url::parse(&input)
        && let Some(host) = url.host_str()
        && !host.is_empty()
    {
        return Ok(format!("{}://{}", url.scheme(), host_and_port(&url)));
    }
    let not_a_domain = || {
        Invalid(format!(
            "`{}` is not a valid domain: write it as `https://example.com` or `http://localhost:3001`",
            value.trim()
        ))
    };
    if input.starts_with('/') {
        return Err(not_a_domain());
    }
    let input = input.strip_prefix('.').unwrap_or(&input);
    if (input.contains('.') || input.starts_with("localhost"))
        && !input.starts_with("http://")
        && !input.starts_with("https://")
        && let Ok(url) = Url::parse(&format!("https://{input}"))
        && let Some(host) = url.host_str()
    {
        // The scheme was guessed, so it is chosen by the kind of host, not kept.
        let scheme = if host.starts_with("localhost") || is_ipv4(host) {
            "http"
        } else {
            "https"
        };
        return Ok(format!("{scheme}://{}", host_and_port(&url)));
    }
    Err(not_a_domain())
}

/// SuperTokens' URL-path normalisation: a path starting with `/`, or `""` for the root.
///
/// Trimmed; case preserved. A full URL (or something that looks like a domain followed by a
/// path) gives its path; otherwise a leading `/` is added. Query strings and fragments are
/// dropped, and one trailing `/` is removed.
///
/// ```
/// use supertokens_rules::app_info::normalise_url_path;
/// assert_eq!(normalise_url_path("auth/").unwrap(), "/auth");
/// assert_eq!(normalise_url_path("/").unwrap(), "");
/// assert_eq!(normalise_url_path("http://localhost:3567/appid-a").unwrap(), "/appid-a");
/// ```
pub fn normalise_url_path(value: &str) -> Result<String, Invalid> {
    normalise_path(value, 0).ok_or_else(|| {
        Invalid(format!(
            "`{}` is not a valid URL path: write it as `/auth`",
            value.trim()
        ))
    })
}

fn normalise_path(value: &str, depth: u8) -> Option<String> {
    // Each step below turns the input into a full http URL, so two levels always suffice.
    if depth > 3 {
        return None;
    }
    let input = value.trim();
    let lower = input.to_lowercase();
    if (lower.starts_with("http://") || lower.starts_with("https://"))
        && let Ok(url) = Url::parse(input)
    {
        let path = url.path();
        return Some(path.strip_suffix('/').unwrap_or(path).to_owned());
    }
    if (domain_given(input) || input.starts_with("localhost"))
        && !input.starts_with("http://")
        && !input.starts_with("https://")
    {
        return normalise_path(&format!("http://{input}"), depth + 1);
    }
    let rooted = if input.starts_with('/') {
        input.to_owned()
    } else {
        format!("/{input}")
    };
    let full = format!("http://example.com{rooted}");
    Url::parse(&full).ok()?;
    normalise_path(&full, depth + 1)
}

/// Whether a scheme-less value names a host with a dot (`api.example.com/x`, `1.2.3.4/x`).
fn domain_given(input: &str) -> bool {
    if !input.contains('.') || input.starts_with('/') {
        return false;
    }
    if let Ok(url) = Url::parse(input) {
        return url.host_str().is_some_and(|h| h.contains('.'));
    }
    Url::parse(&format!("http://{input}"))
        .ok()
        .and_then(|url| url.host_str().map(|h| h.contains('.')))
        .unwrap_or(false)
}

fn has_domain_scheme(lower: &str) -> bool {
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("supertokens://")
}

/// `host[:port]` as a URL's `host` (the port only when it is not the scheme's default).
fn host_and_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// A dotted-quad IPv4 address (each part 1–3 digits, at most 255).
pub fn is_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            (1..=3).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// `app_name`: any non-blank text (trimmed).
pub fn app_name(value: &str) -> Result<String, Invalid> {
    let name = value.trim();
    if name.is_empty() {
        return Err(Invalid(
            "is empty: name the app, e.g. `app_name = \"My App\"` (it appears in e-mails and SMS)"
                .to_owned(),
        ));
    }
    Ok(name.to_owned())
}

/// Which of the two domains a value is for, to name the right fields in the fix.
#[derive(Clone, Copy)]
enum Side {
    Api,
    Website,
}

impl Side {
    fn domain_field(self) -> &'static str {
        match self {
            Side::Api => "api_domain",
            Side::Website => "website_domain",
        }
    }

    fn base_path_field(self) -> &'static str {
        match self {
            Side::Api => "api_base_path",
            Side::Website => "website_base_path",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Side::Api => "http://localhost:3001",
            Side::Website => "http://localhost:3000",
        }
    }
}

/// `api_domain`: where the API is served, `http(s)://host[:port]`.
///
/// A scheme-less value is accepted as SuperTokens accepts it (`localhost:3001` →
/// `http://localhost:3001`, `api.example.com` → `https://api.example.com`). Rejected: a path
/// (which belongs in `api_base_path`), a query or fragment, credentials, `*`, another scheme.
///
/// ```
/// use supertokens_rules::app_info::api_domain;
/// assert_eq!(api_domain("localhost:3001").unwrap(), "http://localhost:3001");
/// let err = api_domain("localhost:3001/auth").unwrap_err();
/// assert!(err.0.contains("`api_base_path = \"/auth\"`"));
/// ```
pub fn api_domain(value: &str) -> Result<String, Invalid> {
    strict_domain(value, Side::Api)
}

/// `website_domain`: where the website (the login UI) is served, `http(s)://host[:port]`.
/// The same rules as [`api_domain`]; `supertokens://` is also accepted, as SuperTokens does.
pub fn website_domain(value: &str) -> Result<String, Invalid> {
    strict_domain(value, Side::Website)
}

fn strict_domain(value: &str, side: Side) -> Result<String, Invalid> {
    let text = value.trim();
    if text.is_empty() {
        return Err(Invalid(format!(
            "is empty: set it to the origin, e.g. `{} = \"{}\"`",
            side.domain_field(),
            side.example()
        )));
    }
    if text.contains('*') {
        return Err(Invalid(format!(
            "`{text}` contains `*`: wildcards are not supported; give one exact origin such as `{}`",
            side.example()
        )));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid(format!(
            "`{text}` contains whitespace: write one origin such as `{}`",
            side.example()
        )));
    }
    let lower = text.to_lowercase();
    let with_scheme = if let Some((scheme, _)) = lower.split_once("://") {
        let allowed = matches!(scheme, "http" | "https")
            || (matches!(side, Side::Website) && scheme == "supertokens");
        if !allowed {
            return Err(Invalid(format!(
                "`{text}` uses the scheme `{scheme}`: use `http://` or `https://`, e.g. `{}`",
                side.example()
            )));
        }
        text.to_owned()
    } else {
        format!("http://{text}")
    };
    let not_a_url = || {
        Invalid(format!(
            "`{text}` is not a URL: write it as `{}` or `https://example.com`",
            side.example()
        ))
    };
    let url = Url::parse(&with_scheme).map_err(|_| not_a_url())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Invalid(format!(
            "`{text}` carries credentials: remove the `user:password@` part"
        )));
    }
    let domain = normalise_url_domain(text).map_err(|_| not_a_url())?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Invalid(format!(
            "`{text}` carries a query or fragment: give the origin only, `{} = \"{domain}\"`",
            side.domain_field()
        )));
    }
    let path = url.path();
    if !path.is_empty() && path != "/" {
        let path = path.strip_suffix('/').unwrap_or(path);
        return Err(Invalid(format!(
            "`{text}` carries a path: set `{} = \"{domain}\"` and `{} = \"{path}\"`",
            side.domain_field(),
            side.base_path_field()
        )));
    }
    Ok(domain)
}

/// `api_base_path`: the path under which the SuperTokens APIs are served (default `/auth`;
/// `""` or `/` for the root). Normalised: `auth/` → `/auth`.
///
/// ```
/// use supertokens_rules::app_info::api_base_path;
/// assert_eq!(api_base_path("auth/").unwrap(), "/auth");
/// assert!(api_base_path("http://localhost:3001/auth").is_err());
/// ```
pub fn api_base_path(value: &str) -> Result<String, Invalid> {
    strict_path(value, "api_domain", "api_base_path")
}

/// `website_base_path`: the path of the login UI on the website (default `/auth`).
pub fn website_base_path(value: &str) -> Result<String, Invalid> {
    strict_path(value, "website_domain", "website_base_path")
}

/// `api_gateway_path`: a prefix an API gateway adds in front of every API path (default `""`),
/// e.g. `/dev`. It is prefixed to `api_base_path` (see [`full_api_base_path`]).
pub fn api_gateway_path(value: &str) -> Result<String, Invalid> {
    strict_path(value, "api_domain", "api_gateway_path")
}

/// The API base path as routes and cookies see it: the gateway path, then the base path (both
/// already normalised).
///
/// ```
/// use supertokens_rules::app_info::full_api_base_path;
/// assert_eq!(full_api_base_path("/dev", "/auth"), "/dev/auth");
/// assert_eq!(full_api_base_path("", ""), "");
/// ```
pub fn full_api_base_path(gateway_path: &str, api_base_path: &str) -> String {
    format!("{gateway_path}{api_base_path}")
}

fn strict_path(value: &str, domain_field: &str, path_field: &str) -> Result<String, Invalid> {
    let text = value.trim();
    if text.contains('*') {
        return Err(Invalid(format!(
            "`{text}` contains `*`: wildcards are not supported; give one path such as `/auth`"
        )));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Invalid(format!(
            "`{text}` contains whitespace: give one path such as `/auth`"
        )));
    }
    if text.contains('?') || text.contains('#') {
        return Err(Invalid(format!(
            "`{text}` carries a query or fragment: a base path is a path only, such as `/auth`"
        )));
    }
    if text
        .split('/')
        .any(|segment| segment == "." || segment == "..")
    {
        return Err(Invalid(format!(
            "`{text}` contains `.` or `..` segments: write the path out, such as `/auth`"
        )));
    }
    let lower = text.to_lowercase();
    if lower.contains("://") || domain_given(text) || lower.starts_with("localhost") {
        let fix = match (normalise_url_domain(text), normalise_url_path(text)) {
            (Ok(domain), Ok(path)) => format!(
                "set `{domain_field} = \"{domain}\"` and `{path_field} = \"{}\"`",
                if path.is_empty() { "/" } else { &path }
            ),
            _ => format!("give the path only, e.g. `{path_field} = \"/auth\"`"),
        };
        return Err(Invalid(format!("`{text}` is a URL, not a path: {fix}")));
    }
    if text.contains("//") {
        // SuperTokens' normalisation keeps inner empty segments, and `//` alone would become a
        // base path of `/`: routes such as `//signinup/code` that no client calls.
        return Err(Invalid(format!(
            "`{text}` contains an empty segment (`//`): write each segment once, such as `/auth`"
        )));
    }
    normalise_url_path(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_path_with_an_empty_segment_is_refused() {
        for value in ["//", "/auth//", "//auth", "/a//b"] {
            let error = api_base_path(value).unwrap_err().0;
            assert!(error.contains("empty segment"), "{value}: {error}");
        }
        assert_eq!(api_base_path("/auth/").as_deref(), Ok("/auth"));
    }

    #[track_caller]
    fn domain(input: &str, expected: &str) {
        assert_eq!(
            normalise_url_domain(input).as_deref(),
            Ok(expected),
            "{input:?}"
        );
    }

    #[track_caller]
    fn path(input: &str, expected: &str) {
        assert_eq!(
            normalise_url_path(input).as_deref(),
            Ok(expected),
            "{input:?}"
        );
    }

    #[test]
    fn domain_examples_of_the_reference() {
        domain("localhost:3000", "http://localhost:3000");
        domain("api.example.com/x", "https://api.example.com");
        domain("127.0.0.1:80", "http://127.0.0.1:80");
    }

    #[test]
    fn domain_keeps_an_explicit_scheme_and_drops_the_rest() {
        domain("http://api.example.com", "http://api.example.com");
        domain("https://api.example.com", "https://api.example.com");
        domain("http://api.example.com?hello=1", "http://api.example.com");
        domain("http://api.example.com/hello", "http://api.example.com");
        domain("http://api.example.com/", "http://api.example.com");
        domain("http://api.example.com:8080", "http://api.example.com:8080");
        domain("http://api.example.com#random2", "http://api.example.com");
        domain("https://localhost", "https://localhost");
        domain("http://api.example.com/one/two", "http://api.example.com");
        domain("http://1.2.3.4/one/two", "http://1.2.3.4");
        domain("https://1.2.3.4/one/two", "https://1.2.3.4");
        domain(
            "https://api.example.com/one/two/",
            "https://api.example.com",
        );
        domain(
            "http://api.example.com/one/two?hello=1",
            "http://api.example.com",
        );
        domain(
            "http://api.example.com/one/two#random2",
            "http://api.example.com",
        );
        domain("https://127.0.0.1:80/", "https://127.0.0.1:80");
        domain("  HTTP://API.Example.COM  ", "http://api.example.com");
        domain("http://localhost:80", "http://localhost");
        domain(
            "supertokens://app.example.com",
            "supertokens://app.example.com",
        );
    }

    #[test]
    fn domain_without_scheme_gets_one_by_host_kind() {
        domain("api.example.com/", "https://api.example.com");
        domain("api.example.com", "https://api.example.com");
        domain("api.example.com#random", "https://api.example.com");
        domain(".example.com", "https://example.com");
        domain("api.example.com/?hello=1&bye=2", "https://api.example.com");
        domain("localhost", "http://localhost");
        domain("1.2.3.4/one/two", "http://1.2.3.4");
        domain("api.example.com/one/two", "https://api.example.com");
        domain("api.example.com/one/two/#random", "https://api.example.com");
        domain(".example.com/one/two", "https://example.com");
        domain("localhost:4000", "http://localhost:4000");
        domain("127.0.0.1:4000", "http://127.0.0.1:4000");
        domain("127.0.0.1", "http://127.0.0.1");
        domain("localhost.org", "http://localhost.org");
        domain("api.example.com:443", "https://api.example.com");
    }

    #[test]
    fn domain_rejects_what_is_no_domain() {
        for bad in ["/one/two", "", "   ", "example", "/", "http://", "ftp:x"] {
            assert!(normalise_url_domain(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn path_examples_of_the_reference() {
        path("", "");
        path("/", "");
        path("/auth/", "/auth");
        path("auth", "/auth");
    }

    #[test]
    fn path_of_a_url_or_domain() {
        path("http://api.example.com", "");
        path("https://api.example.com", "");
        path("http://api.example.com?hello=1", "");
        path("http://api.example.com/hello", "/hello");
        path("http://api.example.com/", "");
        path("http://api.example.com:8080", "");
        path("http://api.example.com#random2", "");
        path("api.example.com/", "");
        path("api.example.com#random", "");
        path(".example.com", "");
        path("api.example.com/?hello=1&bye=2", "");
        path("http://api.example.com/one/two", "/one/two");
        path("http://1.2.3.4/one/two", "/one/two");
        path("1.2.3.4/one/two", "/one/two");
        path("https://api.example.com/one/two/", "/one/two");
        path("http://api.example.com/one/two?hello=1", "/one/two");
        path("http://api.example.com/hello/", "/hello");
        path("http://api.example.com:8080/one/two", "/one/two");
        path("http://api.example.com/one/two#random2", "/one/two");
        path("api.example.com/one/two", "/one/two");
        path("api.example.com/one/two/#random", "/one/two");
        path(".example.com/one/two", "/one/two");
        path("api.example.com/one/two?hello=1&bye=2", "/one/two");
        path("localhost:4000/one/two", "/one/two");
        path("127.0.0.1:4000/one/two", "/one/two");
        path("127.0.0.1/one/two", "/one/two");
        path("https://127.0.0.1:80/one/two", "/one/two");
        path("http://localhost:3567/appid-myapp", "/appid-myapp");
        path("http://localhost:3567/core/", "/core");
    }

    #[test]
    fn path_of_a_plain_path() {
        path("/one/two", "/one/two");
        path("one/two", "/one/two");
        path("one/two/", "/one/two");
        path("/one", "/one");
        path("one", "/one");
        path("one/", "/one");
        path("/one/two/", "/one/two");
        path("/one/two?hello=1", "/one/two");
        path("one/two?hello=1", "/one/two");
        path("/one/two/#random", "/one/two");
        path("one/two#random", "/one/two");
        path(
            "/auth/email/exists?email=john.doe%40gmail.com",
            "/auth/email/exists",
        );
        path("exists", "/exists");
        path("exists?email=john.doe%40gmail.com", "/exists");
        path("/Auth/", "/Auth");
        path("/auth//", "/auth/");
        path("  /auth  ", "/auth");
    }

    #[test]
    fn ipv4_is_a_dotted_quad() {
        assert!(is_ipv4("127.0.0.1"));
        assert!(is_ipv4("255.255.255.255"));
        assert!(!is_ipv4("256.0.0.1"));
        assert!(!is_ipv4("1.2.3"));
        assert!(!is_ipv4("a.b.c.d"));
        assert!(!is_ipv4("1.2.3.4.5"));
    }

    #[test]
    fn strict_domains_accept_origins() {
        type Rule = fn(&str) -> Result<String, Invalid>;
        let cases: [(Rule, &str, &str); 5] = [
            (api_domain, "http://localhost:3001", "http://localhost:3001"),
            (api_domain, "localhost:3001", "http://localhost:3001"),
            (
                api_domain,
                "https://api.example.com/",
                "https://api.example.com",
            ),
            (website_domain, "example.com", "https://example.com"),
            (website_domain, "supertokens://app", "supertokens://app"),
        ];
        for (rule, given, origin) in cases {
            assert_eq!(rule(given).unwrap(), origin, "{given:?}");
        }
    }

    #[test]
    fn strict_domain_with_a_path_says_where_the_path_goes() {
        let err = api_domain("localhost:3001/auth").unwrap_err();
        assert_eq!(
            err.0,
            "`localhost:3001/auth` carries a path: set `api_domain = \"http://localhost:3001\"` \
             and `api_base_path = \"/auth\"`"
        );
        let err = website_domain("https://example.com/login/").unwrap_err();
        assert!(
            err.0.contains("`website_domain = \"https://example.com\"`"),
            "{err}"
        );
        assert!(err.0.contains("`website_base_path = \"/login\"`"), "{err}");
    }

    #[test]
    fn strict_domain_rejects_malformed_values() {
        for (bad, needle) in [
            ("", "is empty"),
            ("  ", "is empty"),
            ("https://*.example.com", "`*`"),
            ("http://localhost:3001?x=1", "query"),
            ("http://localhost:3001#top", "fragment"),
            ("ftp://example.com", "scheme `ftp`"),
            ("supertokens://app", "scheme `supertokens`"),
            ("http://user:pw@example.com", "credentials"),
            ("example", "not a URL"),
            ("http://exa mple.com", "whitespace"),
            ("http://[::1", "not a URL"),
            ("/auth", "not a URL"),
        ] {
            let err = api_domain(bad).expect_err(bad);
            assert!(err.0.contains(needle), "{bad:?}: {err}");
            assert!(err.0.contains('`'), "the message names the fix: {err}");
        }
    }

    #[test]
    fn strict_paths() {
        assert_eq!(api_base_path("/auth").unwrap(), "/auth");
        assert_eq!(api_base_path("auth/").unwrap(), "/auth");
        assert_eq!(api_base_path("").unwrap(), "");
        assert_eq!(api_base_path("/").unwrap(), "");
        assert_eq!(website_base_path("/Login").unwrap(), "/Login");
        assert_eq!(api_gateway_path("/dev/").unwrap(), "/dev");
        assert_eq!(api_base_path("/v1.2/auth").unwrap(), "/v1.2/auth");
        for (bad, needle) in [
            ("/auth?x=1", "query"),
            ("/auth#x", "fragment"),
            ("/au th", "whitespace"),
            ("/auth/*", "`*`"),
            ("/auth/../x", "`..`"),
            ("./auth", "`..`"),
        ] {
            let err = api_base_path(bad).expect_err(bad);
            assert!(err.0.contains(needle), "{bad:?}: {err}");
        }
    }

    #[test]
    fn a_url_given_as_path_says_how_to_split_it() {
        let err = api_base_path("http://localhost:3001/auth").unwrap_err();
        assert_eq!(
            err.0,
            "`http://localhost:3001/auth` is a URL, not a path: set \
             `api_domain = \"http://localhost:3001\"` and `api_base_path = \"/auth\"`"
        );
        let err = website_base_path("example.com/login").unwrap_err();
        assert!(
            err.0.contains("`website_domain = \"https://example.com\"`"),
            "{err}"
        );
        let err = api_gateway_path("localhost:3001").unwrap_err();
        assert!(err.0.contains("`api_gateway_path = \"/\"`"), "{err}");
    }

    #[test]
    fn app_names() {
        assert_eq!(app_name(" Demo ").unwrap(), "Demo");
        assert!(app_name(" ").unwrap_err().0.contains("app_name"));
    }
}
