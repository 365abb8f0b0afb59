//! Expansion snapshots of `#[supertokens::app]` (formatted with prettyplease; review changes
//! with `cargo insta review`).

/// The attribute of `examples/examples/quickstart.rs`, read from the example itself so the
/// snapshot follows the code users copy.
#[test]
fn quickstart() {
    let file = syn::parse_file(include_str!("../../../examples/examples/quickstart.rs"))
        .expect("the quickstart example parses");
    let mut main = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Fn(f) if f.sig.ident == "main" => Some(f),
            _ => None,
        })
        .expect("the quickstart example has a `main`");
    let at = main
        .attrs
        .iter()
        .position(|a| a.path().segments.last().is_some_and(|s| s.ident == "app"))
        .expect("`main` carries `#[supertokens::app(...)]`");
    let args = main
        .attrs
        .remove(at)
        .meta
        .require_list()
        .unwrap()
        .tokens
        .clone();
    let tokens = super::expand(args, quote::ToTokens::to_token_stream(&main));
    insta::with_settings!({ omit_expression => true }, {
        insta::assert_snapshot!(crate::snapshot::pretty(tokens));
    });
}

snapshot!(
    sync_main_with_every_section,
    (
        app_name = env("APP_NAME"),
        api_domain = env("API_DOMAIN", default = "http://localhost:3001"),
        website_domain = "http://localhost:3000",
        api_base_path = "/api/auth",
        core_timeout = 5,
        embedded_core(
            database = env("CORE_DB"),
            code_lifetime = 300,
            max_code_input_attempts = 3,
            api_key = env("CORE_API_KEY"),
            app_id = env("CORE_APP_ID"),
        ),
        passwordless(
            flow_type = "USER_INPUT_CODE_AND_MAGIC_LINK",
            contact_method = "EMAIL_OR_PHONE",
            email_delivery = smtp(
                host = "smtp.example.com",
                port = 587,
                from_email = "no-reply@example.com",
                password = env("SMTP_PASSWORD"),
            ),
            sms_delivery = console,
        ),
        session(
            cookie_same_site = "lax",
            session_expired_status_code = 440,
            jwks_refresh_interval = 3600
        ),
        user_roles(skip_adding_permissions_to_access_token = true),
        user_metadata(),
        configure = my_app::configure,
    ),
    fn main() {
        run();
    }
);

// Enum settings: a literal becomes the variant; `env(...)` is parsed at start-up by the same
// `FromStr` (a required one recorded when unset, a literal default becoming the variant).
snapshot!(
    enum_settings_from_env,
    (
        app_name = "Demo",
        api_domain = "http://localhost:3001",
        website_domain = "http://localhost:3000",
        passwordless(
            flow_type = env("FLOW_TYPE", default = "MAGIC_LINK"),
            contact_method = env("CONTACT_METHOD"),
        ),
        session(
            cookie_same_site = env("SAME_SITE"),
            anti_csrf = "VIA_TOKEN",
            token_transfer = env("TOKEN_TRANSFER", default = "header"),
        ),
    ),
    fn main() {}
);

snapshot!(
    crate_path_override,
    (
        crate = "my_sdk::supertokens",
        app_name = "Demo",
        api_domain = "https://api.example.com",
        website_domain = "https://example.com",
        session(),
    ),
    #[tokio::main]
    async fn main() {}
);

snapshot!(
    errors_keep_the_item,
    (app_nme = "Demo", session(cookie_same_site = "nope")),
    fn main() {
        run();
    }
);

snapshot!(
    main_returning_result,
    (
        app_name = "Demo",
        api_domain = "http://localhost:3001",
        website_domain = "http://localhost:3000",
        session(),
    ),
    #[tokio::main]
    async fn main() -> Result<(), Box<dyn std::error::Error>> {
        Ok(())
    }
);

// Paths to the user's own items: each call sits at the path, so a value of the wrong type is
// reported there.
snapshot!(
    paths_to_own_items,
    (
        app_name = "Demo",
        session(
            check_database = true,
            override_functions = my_app::session_functions,
            override_apis = my_app::session_apis,
        ),
        passwordless(
            flow_type = "USER_INPUT_CODE",
            contact_method = "EMAIL_OR_PHONE",
            sms_delivery = send_sms,
            email_delivery = my_app::send_email,
            override_functions = my_app::audit,
        ),
        api_domain = "http://localhost:3001",
        website_domain = "http://localhost:3000",
        configure = my_app::configure,
    ),
    fn main() {}
);

/// The errors of `#[supertokens::app(args)]` on `fn main() {}`, as text.
fn errors(args: proc_macro2::TokenStream) -> String {
    super::expand(
        args,
        quote::quote!(
            fn main() {}
        ),
    )
    .to_string()
}

fn with_email_delivery(delivery: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    quote::quote!(
        app_name = "Demo",
        api_domain = "http://localhost:3001",
        website_domain = "http://localhost:3000",
        passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL", email_delivery = #delivery),
        session(),
    )
}

#[test]
fn a_bare_name_close_to_a_service_is_a_typo() {
    let out = errors(with_email_delivery(quote::quote!(smtpp)));
    assert!(out.contains("did you mean `smtp`?"), "{out}");
    assert!(out.contains("`email_delivery = self::smtpp`"), "{out}");
}

#[test]
fn other_names_and_paths_are_own_services() {
    for delivery in [
        quote::quote!(console_log),
        quote::quote!(send),
        quote::quote!(self::smpt),
    ] {
        let out = errors(with_email_delivery(delivery.clone()));
        assert!(
            !out.contains("compile_error") && out.contains(". email_delivery ("),
            "{delivery}: {out}"
        );
    }
}

#[test]
fn a_literal_delivery_lists_every_form() {
    let out = errors(with_email_delivery(quote::quote!(42)));
    assert!(
        out.contains(
            "`email_delivery` takes `smtp(...)`, `console` or the path of your own service, like \
             `email_delivery = my_app::send_email`"
        ),
        "{out}"
    );
}
