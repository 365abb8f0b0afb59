use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::passwordless::{ContactMethod, FlowType, PasswordlessApi, PasswordlessConfig};
use crate::session::SessionConfig;

fn passwordless() -> PasswordlessConfig {
    PasswordlessConfig::default()
        .flow_type(FlowType::UserInputCode)
        .contact_method(ContactMethod::Phone)
}

fn valid() -> ConfigBuilder {
    Config::builder()
        .app_name("Demo")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .session(SessionConfig::default())
}

#[track_caller]
fn errors(builder: ConfigBuilder) -> ConfigErrors {
    match builder.build() {
        Ok(config) => panic!("expected errors, got {config:?}"),
        Err(errors) => errors,
    }
}

#[test]
fn defaults() {
    let config = valid().build().unwrap();
    assert_eq!(config.app_info.app_name, "Demo");
    assert_eq!(config.app_info.api_domain, "http://localhost:3001");
    assert_eq!(config.app_info.website_domain, "http://localhost:3000");
    assert_eq!(config.app_info.api_base_path, "/auth");
    assert_eq!(config.app_info.website_base_path, "/auth");
    assert_eq!(config.app_info.api_gateway_path, "");
    assert_eq!(config.core_timeout, Duration::from_secs(10));
    #[cfg(feature = "embedded-core")]
    assert!(matches!(config.core, CoreConnection::Embedded(_)));
    assert!(config.session.is_some());
    assert!(config.passwordless.is_none());
}

#[test]
fn values_are_normalised_and_the_gateway_path_prefixes_the_api_base_path() {
    let config = valid()
        .app_name("  Demo  ")
        .api_domain("API.example.com")
        .website_domain("example.com/")
        .api_base_path("custom/")
        .website_base_path("/Login/")
        .api_gateway_path("dev")
        .core_timeout(Duration::from_millis(1500))
        .build()
        .unwrap();
    assert_eq!(config.app_info.app_name, "Demo");
    assert_eq!(config.app_info.api_domain, "https://api.example.com");
    assert_eq!(config.app_info.website_domain, "https://example.com");
    assert_eq!(config.app_info.api_base_path, "/dev/custom");
    assert_eq!(config.app_info.website_base_path, "/Login");
    assert_eq!(config.app_info.api_gateway_path, "/dev");
    assert_eq!(config.core_timeout, Duration::from_millis(1500));
}

#[test]
fn root_base_path() {
    let config = valid().api_base_path("/").build().unwrap();
    assert_eq!(config.app_info.api_base_path, "");
}

#[test]
fn connection_uri_gives_remote_hosts_with_base_paths() {
    let config = valid()
        .connection_uri("http://localhost:3567/appid-shop; https://core.example.com")
        .api_key("abc-123")
        .build()
        .unwrap();
    match config.core {
        CoreConnection::Remote { hosts, api_key } => {
            assert_eq!(
                hosts,
                vec![
                    CoreHost {
                        domain: "http://localhost:3567".into(),
                        base_path: "/appid-shop".into()
                    },
                    CoreHost {
                        domain: "https://core.example.com".into(),
                        base_path: String::new()
                    },
                ]
            );
            assert_eq!(api_key.as_ref().map(Secret::expose), Some("abc-123"));
        }
        #[allow(unreachable_patterns)] // without the `embedded-core` feature
        other => panic!("expected a remote core, got {other:?}"),
    }
}

#[test]
fn the_api_key_stays_out_of_debug_output() {
    let config = valid()
        .connection_uri("http://localhost:3567")
        .api_key("very-secret-key")
        .build()
        .unwrap();
    let shown = format!("{config:?}");
    assert!(!shown.contains("very-secret-key"), "{shown}");
    assert!(shown.contains("<redacted>"), "{shown}");
    let builder = valid().api_key("very-secret-key");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("very-secret-key"), "{shown}");
}

#[test]
#[cfg(feature = "embedded-core")]
fn embedded_core_settings_are_kept() {
    use crate::embedded::{Database, EmbeddedCoreConfig};
    let config = valid()
        .embedded_core(EmbeddedCoreConfig {
            database: Database::Memory,
            ..EmbeddedCoreConfig::default()
        })
        .build()
        .unwrap();
    match config.core {
        CoreConnection::Embedded(embedded) => assert_eq!(embedded.database, Database::Memory),
        CoreConnection::Remote { .. } => panic!("expected the embedded core"),
    }
}

#[test]
fn missing_required_fields_are_all_reported() {
    let errors = errors(Config::builder().session(SessionConfig::default()));
    assert_eq!(
        errors.fields(),
        ["app_name", "api_domain", "website_domain"]
    );
    for error in &errors.0 {
        assert!(error.message.contains("is missing"), "{error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("invalid `{}`: ", error.field)),
            "{error}"
        );
    }
}

#[test]
fn every_malformed_value_names_its_field() {
    let cases: Vec<(&str, ConfigBuilder)> = vec![
        ("app_name", valid().app_name("   ")),
        ("api_domain", valid().api_domain("localhost:3001/auth")),
        ("api_domain", valid().api_domain("https://*.example.com")),
        ("api_domain", valid().api_domain("ftp://example.com")),
        ("api_domain", valid().api_domain("not a domain")),
        ("api_domain", valid().api_domain("")),
        (
            "website_domain",
            valid().website_domain("http://localhost:3000?x=1"),
        ),
        (
            "website_domain",
            valid().website_domain("https://*.example.com"),
        ),
        ("website_domain", valid().website_domain("example")),
        (
            "api_base_path",
            valid().api_base_path("http://localhost:3001/auth"),
        ),
        ("api_base_path", valid().api_base_path("/auth?x")),
        ("website_base_path", valid().website_base_path("/a b")),
        ("api_gateway_path", valid().api_gateway_path("/dev/*")),
        ("connection_uri", valid().connection_uri("")),
        (
            "connection_uri",
            valid().connection_uri("grpc://localhost:3567"),
        ),
        (
            "connection_uri",
            valid().connection_uri("http://a:1 http://b:2"),
        ),
        (
            "api_key",
            valid().connection_uri("http://localhost:3567").api_key(""),
        ),
        (
            "api_key",
            valid()
                .connection_uri("http://localhost:3567")
                .api_key("key\n"),
        ),
        ("api_key", valid().api_key("key-without-a-core")),
        ("core_timeout", valid().core_timeout(Duration::ZERO)),
    ];
    for (field, builder) in cases {
        let errors = errors(builder);
        assert_eq!(errors.fields(), [field], "{errors}");
        let message = errors.to_string();
        assert!(
            message.starts_with(&format!("invalid `{field}`: ")),
            "{message}"
        );
        assert!(
            message.contains('`'),
            "the message names the fix: {message}"
        );
    }
}

#[test]
fn several_problems_are_reported_together() {
    let errors = errors(
        valid()
            .api_domain("localhost:3001/auth")
            .website_domain("*")
            .connection_uri("redis://x"),
    );
    assert_eq!(
        errors.fields(),
        ["api_domain", "website_domain", "connection_uri"]
    );
    assert_eq!(errors.for_field("website_domain").count(), 1);
}

#[test]
fn a_recipe_is_required_and_passwordless_needs_session() {
    let no_recipe = Config::builder()
        .app_name("Demo")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000");
    let found = errors(no_recipe.clone());
    assert_eq!(found.fields(), ["session"]);
    assert!(found.to_string().contains("`session()`"), "{found}");

    let found = errors(no_recipe.passwordless(passwordless()));
    assert_eq!(found.fields(), ["passwordless"]);
    assert!(found.to_string().contains("add `session()`"), "{found}");
}

#[test]
fn recipe_problems_are_reported_with_app_info_problems() {
    // An invalid api_domain must not hide a recipe problem (a missing contact method; a
    // misspelt one no longer compiles): all come in one report.
    let found = errors(
        valid()
            .api_domain("localhost:3001/auth")
            .passwordless(PasswordlessConfig::default().flow_type(FlowType::UserInputCode)),
    );
    let fields = found.fields();
    assert!(fields.contains(&"api_domain"), "{found}");
    assert!(fields.contains(&"passwordless.contact_method"), "{found}");
    // The stand-in app info satisfies the cross-field rules, so none is invented.
    assert_eq!(fields.len(), 2, "{found}");
}

#[test]
fn a_valid_config_with_both_recipes() {
    let config = valid().passwordless(passwordless()).build().unwrap();
    assert!(config.passwordless.is_some());
}

proptest! {
    #[test]
    fn normalisers_never_panic(value in ".{0,40}") {
        let _ = supertokens_rules::app_info::normalise_url_domain(&value);
        let _ = supertokens_rules::app_info::normalise_url_path(&value);
        let _ = supertokens_rules::app_info::api_domain(&value);
        let _ = supertokens_rules::app_info::website_domain(&value);
        let _ = supertokens_rules::app_info::api_base_path(&value);
        let _ = supertokens_rules::app_info::api_gateway_path(&value);
        let _ = supertokens_rules::core::connection_uri(&value);
        let _ = supertokens_rules::core::api_key(&value);
    }

    #[test]
    fn url_like_values_never_panic(
        scheme in prop::sample::select(vec!["", "http://", "https://", "HTTP://", "supertokens://", "x://"]),
        host in "[a-zA-Z0-9.:@\\[\\]*-]{0,20}",
        path in "[/a-z0-9.?#%;]{0,20}",
    ) {
        let value = format!("{scheme}{host}{path}");
        let _ = supertokens_rules::app_info::normalise_url_domain(&value);
        let _ = supertokens_rules::app_info::normalise_url_path(&value);
        let _ = supertokens_rules::app_info::website_domain(&value);
        let _ = supertokens_rules::app_info::website_base_path(&value);
        let _ = supertokens_rules::core::connection_uri(&value);
        let _ = valid().api_domain(value.clone()).connection_uri(value.clone()).build();
    }

    #[test]
    fn a_normalised_path_is_rooted_without_a_trailing_slash(value in "[/a-zA-Z0-9._~-]{0,30}") {
        if let Ok(path) = supertokens_rules::app_info::api_base_path(&value) {
            prop_assert!(path.is_empty() || path.starts_with('/'), "{:?} → {:?}", value, path);
            prop_assert!(!path.ends_with('/') || path.ends_with("//"), "{:?} → {:?}", value, path);
        }
    }
}

#[test]
#[cfg(not(feature = "embedded-core"))]
fn without_the_embedded_core_a_connection_uri_is_required() {
    let errors = errors(valid());
    assert_eq!(errors.fields(), ["connection_uri"]);
    assert!(
        errors
            .to_string()
            .contains("enable the `embedded-core` feature of supertokens or set `connection_uri`"),
        "{errors}"
    );
    assert!(
        valid()
            .connection_uri("http://localhost:3567")
            .build()
            .is_ok()
    );
}

#[test]
fn a_second_passwordless_config_refines_the_first() {
    async fn send(_: crate::delivery::LoginMessage) -> Result<(), crate::delivery::DeliveryError> {
        Ok(())
    }
    // As `#[supertokens::app(passwordless(...))]` and then a `configure` function.
    let config = valid()
        .passwordless(
            passwordless()
                .console_email()
                .disable_api(PasswordlessApi::ResendCode),
        )
        .passwordless(
            PasswordlessConfig::new()
                .email_delivery(send)
                .disable_api(PasswordlessApi::EmailExists),
        )
        .build()
        .expect("the refined configuration is complete");
    let refined = config.passwordless().expect("passwordless is on");
    assert_eq!(refined.flow_type, Some(FlowType::UserInputCode));
    assert_eq!(refined.contact_method, Some(ContactMethod::Phone));
    let email: Vec<&str> = refined.email.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        email,
        ["email_delivery"],
        "the later service replaces the console"
    );
    assert_eq!(refined.disabled_apis.len(), 2);
    // Within one configuration, two services of a channel are still a conflict.
    let both = passwordless().console_email().email_delivery(send);
    assert_eq!(
        errors(valid().passwordless(both)).fields(),
        ["passwordless.email_delivery"]
    );
}

#[test]
fn a_second_session_config_refines_the_first() {
    let config = valid()
        .session(
            SessionConfig::new()
                .cookie_domain(".example.com")
                .check_database(true),
        )
        .session(SessionConfig::new().cookie_secure(true))
        .build()
        .expect("valid");
    let session = config.session().expect("session is on");
    assert_eq!(session.cookie_domain.as_deref(), Some(".example.com"));
    assert_eq!(session.cookie_secure, Some(true));
    assert_eq!(session.check_database, Some(true));
}
