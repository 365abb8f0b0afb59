//! Code generation for `#[supertokens::app]`: one statement at the top of `main` that builds the
//! configuration with `Config::builder()` and starts the SDK (or prints every problem and exits).

use std::fmt::Debug;
use std::str::FromStr;

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use supertokens_rules::passwordless::{ContactMethod, FlowType};
use supertokens_rules::session::{AntiCsrf, SameSite, TokenTransfer};
use syn::spanned::Spanned;
use syn::{ItemFn, LitBool, LitStr};

use super::{AppArgs, Delivery, EmbeddedCoreArgs, PasswordlessArgs, Service, SessionArgs};
use crate::args::{Arg, FnPath, Int, StrOrEnv};

/// How a value from `env(...)` is read when the variable is unset.
#[derive(Clone, Copy, PartialEq)]
enum Presence {
    /// The argument must have a value: an unset variable is a start-up error.
    Required,
    /// An unset variable leaves the argument out.
    Optional,
}

struct Gen {
    root: TokenStream,
    /// Set when some optional `env(...)` needs the `maybe` helper in scope.
    uses_maybe: bool,
}

pub(crate) fn expand(args: &AppArgs, mut main: ItemFn) -> TokenStream {
    let root = match &args.krate {
        Some(krate) => krate
            .value
            .parse::<syn::Path>()
            .map(ToTokens::into_token_stream)
            .unwrap_or_else(|e| e.to_compile_error()),
        None => quote!(::supertokens),
    };
    let mut g = Gen {
        root,
        uses_maybe: false,
    };
    let root = g.root.clone();
    let mut chain = quote!(#root::__private::Config::builder());
    let required = [
        ("app_name", &args.app_name),
        ("api_domain", &args.api_domain),
        ("website_domain", &args.website_domain),
    ];
    for (key, arg) in required {
        chain.extend(g.string(key, arg, Presence::Required, key));
    }
    let optional = [
        ("api_base_path", &args.api_base_path),
        ("website_base_path", &args.website_base_path),
        ("api_gateway_path", &args.api_gateway_path),
        ("connection_uri", &args.connection_uri),
        ("api_key", &args.api_key),
    ];
    for (key, arg) in optional {
        chain.extend(g.string(key, arg, Presence::Optional, key));
    }
    if let Some(timeout) = &args.core_timeout {
        let secs = seconds(&timeout.value);
        chain.extend(quote!(.core_timeout(#root::__private::Duration::from_secs(#secs))));
    }
    if let Some(core) = &args.embedded_core {
        // Through a helper macro: a build of supertokens without the embedded core drops these
        // settings unread (their types do not exist there) and says why at start-up.
        let core = g.embedded_core(&core.value);
        chain = quote!(#root::__private::embedded_core!(__supertokens_env, #chain, #core));
    }
    if let Some(passwordless) = &args.passwordless {
        let config = g.passwordless(&passwordless.value);
        chain.extend(quote!(.passwordless(#config)));
    }
    if let Some(session) = &args.session {
        let config = g.session(&session.value);
        chain.extend(quote!(.session(#config)));
    }
    if let Some(roles) = &args.user_roles {
        let mut config = quote!(#root::__private::UserRolesConfig::new());
        for (key, arg) in [
            (
                "skip_adding_roles_to_access_token",
                &roles.value.skip_adding_roles_to_access_token,
            ),
            (
                "skip_adding_permissions_to_access_token",
                &roles.value.skip_adding_permissions_to_access_token,
            ),
        ] {
            if arg.as_ref().is_some_and(|a| a.value.value) {
                let key = format_ident!("{key}");
                config.extend(quote!(.#key()));
            }
        }
        chain.extend(quote!(.user_roles(#config)));
    }
    if args.user_metadata.is_some() {
        chain.extend(quote!(.user_metadata()));
    }
    // Statements before the chain: the helpers it uses.
    let mut prelude = TokenStream::new();
    if g.uses_maybe {
        prelude.extend(quote!(use #root::__private::Maybe as _;));
    }
    if let Some(configure) = &args.configure {
        // The binding's type, at the user's path, makes a function with another signature an
        // error there.
        let configure = &configure.value.0;
        let f = quote_spanned!(configure.span()=> __supertokens_configure);
        let ty = quote_spanned!(configure.span()=>
            fn(#root::__private::ConfigBuilder) -> #root::__private::ConfigBuilder
        );
        prelude.extend(quote!(let #f: #ty = #configure;));
        chain = quote!(#f(#chain));
    }
    // A `main` that returns a `Result` gets the start-up error back through `?`; any other
    // prints it and exits.
    let start: syn::Stmt = if returns_result(&main) {
        syn::parse_quote! {
            #root::__private::try_start(|__supertokens_env| {
                #prelude
                #chain
            })?;
        }
    } else {
        syn::parse_quote! {
            #root::__private::start(|__supertokens_env| {
                #prelude
                #chain
            });
        }
    };
    main.block.stmts.insert(0, start);
    // The crate's app, for the checks of `#[protected]` handlers in the same binary (`main` is
    // at the crate root there).
    let marker = (main.sig.ident == "main").then(|| {
        let roles = args
            .user_roles
            .is_some()
            .then(|| quote!(impl #root::__private::UserRolesEnabled for __supertokens_app {}));
        quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types, dead_code)]
            pub(crate) struct __supertokens_app;
            #roles
        }
    });
    let mut out = main.into_token_stream();
    out.extend(marker);
    out
}

fn returns_result(main: &ItemFn) -> bool {
    match &main.sig.output {
        syn::ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Path(path) => path
                .path
                .segments
                .last()
                .is_some_and(|last| last.ident == "Result"),
            _ => false,
        },
        syn::ReturnType::Default => false,
    }
}

impl Gen {
    /// `.key(value)` for a string argument (literal or `env(...)`), if given.
    fn string(
        &mut self,
        key: &str,
        arg: &Option<Arg<StrOrEnv>>,
        presence: Presence,
        field: &str,
    ) -> TokenStream {
        let Some(arg) = arg else {
            return TokenStream::new();
        };
        let key = format_ident!("{key}");
        match read_str(&arg.value, presence, field) {
            Read::Value(value) => quote!(.#key(#value)),
            Read::Maybe(value) => {
                self.uses_maybe = true;
                quote!(.maybe(#value, |b, v| b.#key(v)))
            }
        }
    }

    /// `.key(Type::Variant)` for the enum setting `field` (`session.anti_csrf`): a literal
    /// (checked while compiling) becomes the variant; an `env(...)` value is parsed at start-up
    /// by the same `FromStr`, its literal default becoming the variant.
    fn setting<T: Setting>(
        &mut self,
        field: &str,
        arg: &Option<Arg<StrOrEnv>>,
        presence: Presence,
    ) -> TokenStream {
        let Some(arg) = arg else {
            return TokenStream::new();
        };
        let key = format_ident!("{}", field.rsplit('.').next().unwrap_or(field));
        let root = &self.root;
        let ty = format_ident!("{}", T::TYPE);
        let variant = |lit: &LitStr| match lit.value().parse::<T>() {
            Ok(value) => {
                let variant = format_ident!("{value:?}", span = lit.span());
                quote!(#root::__private::#ty::#variant)
            }
            Err(_) => unreachable!("the checks refuse the value before expanding"),
        };
        match &arg.value {
            StrOrEnv::Lit(lit) => {
                let value = variant(lit);
                quote!(.#key(#value))
            }
            StrOrEnv::Env {
                var,
                default: Some(default),
            } => {
                let default = variant(default);
                quote!(.#key(__supertokens_env.parse(#var, #field).unwrap_or(#default)))
            }
            StrOrEnv::Env { var, default: None } => {
                self.uses_maybe = true;
                let parse = match presence {
                    Presence::Required => quote!(parse_required),
                    Presence::Optional => quote!(parse),
                };
                quote!(.maybe(__supertokens_env.#parse(#var, #field), |b, v| b.#key(v)))
            }
        }
    }

    fn embedded_core(&mut self, core: &EmbeddedCoreArgs) -> TokenStream {
        let root = &self.root;
        let mut statements = TokenStream::new();
        if let Some(database) = &core.database {
            statements.extend(match read_str(&database.value, Presence::Optional, "") {
                Read::Value(value) => {
                    quote!(core.database = #root::__private::Database::parse(&#value);)
                }
                Read::Maybe(value) => quote! {
                    if let Some(database) = #value {
                        core.database = #root::__private::Database::parse(&database);
                    }
                },
            });
        }
        let durations = [
            ("code_lifetime", &core.code_lifetime),
            ("access_token_validity", &core.access_token_validity),
            ("refresh_token_validity", &core.refresh_token_validity),
            ("signing_key_rotation", &core.signing_key_rotation),
        ];
        for (key, arg) in durations {
            if let Some(arg) = arg {
                let key = format_ident!("{key}");
                let secs = seconds(&arg.value);
                statements
                    .extend(quote!(core.#key = #root::__private::Duration::from_secs(#secs);));
            }
        }
        if let Some(attempts) = &core.max_code_input_attempts {
            let n = number(&attempts.value);
            statements.extend(quote!(core.max_code_input_attempts = #n;));
        }
        if let Some(api_key) = &core.api_key {
            statements.extend(match read_str(&api_key.value, Presence::Optional, "") {
                Read::Value(value) => quote!(core.api_key = Some(#value.into());),
                Read::Maybe(value) => quote!(core.api_key = #value;),
            });
        }
        if let Some(app_id) = &core.app_id {
            statements.extend(match read_str(&app_id.value, Presence::Optional, "") {
                Read::Value(value) => quote!(core.app_id = #value.into();),
                Read::Maybe(value) => quote! {
                    if let Some(app_id) = #value {
                        core.app_id = app_id;
                    }
                },
            });
        }
        quote!({
            let mut core = #root::__private::EmbeddedCoreConfig::default();
            #statements
            core
        })
    }

    fn passwordless(&mut self, p: &PasswordlessArgs) -> TokenStream {
        let root = self.root.clone();
        let mut chain = quote!(#root::__private::PasswordlessConfig::new());
        let required = Presence::Required;
        let flow_type = self.setting::<FlowType>("passwordless.flow_type", &p.flow_type, required);
        chain.extend(flow_type);
        let contact = &p.contact_method;
        let contact =
            self.setting::<ContactMethod>("passwordless.contact_method", contact, required);
        chain.extend(contact);
        if let Some(delivery) = &p.email_delivery {
            chain.extend(self.delivery(&delivery.value, |g, smtp| {
                let required = [("host", &smtp.host), ("from_email", &smtp.from_email)];
                let optional = [
                    ("from_name", &smtp.from_name),
                    ("username", &smtp.username),
                    ("password", &smtp.password),
                ];
                let mut chain = g.settings("smtp", required, optional);
                if let Some(port) = &smtp.port {
                    let n = number(&port.value);
                    chain.extend(quote!(.port(#n)));
                }
                chain.extend(boolean("secure", &smtp.secure));
                chain
            }));
        }
        if let Some(delivery) = &p.sms_delivery {
            chain.extend(self.delivery(&delivery.value, |g, twilio| {
                let required = [
                    ("account_sid", &twilio.account_sid),
                    ("auth_token", &twilio.auth_token),
                ];
                let optional = [
                    ("from", &twilio.from),
                    ("messaging_service_sid", &twilio.messaging_service_sid),
                ];
                g.settings("twilio", required, optional)
            }));
        }
        chain.extend(path_setting("override_functions", &p.override_functions));
        chain
    }

    /// `.console_…()`, `.smtp(SmtpSettings::new()…)` / `.twilio(TwilioSettings::new()…)`, or
    /// `.email_delivery(path)` / `.sms_delivery(path)` for the user's own service.
    fn delivery<T: Service>(
        &mut self,
        delivery: &Delivery<T>,
        settings: impl FnOnce(&mut Self, &T) -> TokenStream,
    ) -> TokenStream {
        match delivery {
            Delivery::Console(name) => {
                let console = format_ident!("{}", T::CONSOLE, span = name.span());
                quote!(.#console())
            }
            Delivery::Service(name, service) => {
                let chain = settings(self, &service.value);
                quote!(.#name(#chain))
            }
            Delivery::Custom(path) => with_path(T::CUSTOM, path),
        }
    }

    /// `SmtpSettings::new()…` or `TwilioSettings::new()…` with the string settings.
    fn settings<const R: usize, const O: usize>(
        &mut self,
        service: &str,
        required: [(&str, &Option<Arg<StrOrEnv>>); R],
        optional: [(&str, &Option<Arg<StrOrEnv>>); O],
    ) -> TokenStream {
        let root = self.root.clone();
        let ty = match service {
            "smtp" => quote!(SmtpSettings),
            _ => quote!(TwilioSettings),
        };
        let mut chain = quote!(#root::__private::#ty::new());
        let all = required
            .into_iter()
            .map(|(key, arg)| (key, arg, Presence::Required))
            .chain(
                optional
                    .into_iter()
                    .map(|(key, arg)| (key, arg, Presence::Optional)),
            );
        for (key, arg, presence) in all {
            let field = format!("passwordless.{service}.{key}");
            chain.extend(self.string(key, arg, presence, &field));
        }
        chain
    }

    fn session(&mut self, s: &SessionArgs) -> TokenStream {
        let root = self.root.clone();
        let mut chain = quote!(#root::__private::SessionConfig::new());
        chain.extend(boolean("cookie_secure", &s.cookie_secure));
        let optional = Presence::Optional;
        let same_site = &s.cookie_same_site;
        chain.extend(self.setting::<SameSite>("session.cookie_same_site", same_site, optional));
        for (key, arg) in [
            ("cookie_domain", &s.cookie_domain),
            ("older_cookie_domain", &s.older_cookie_domain),
        ] {
            chain.extend(self.string(key, arg, optional, &format!("session.{key}")));
        }
        chain.extend(self.setting::<AntiCsrf>("session.anti_csrf", &s.anti_csrf, optional));
        let transfer = &s.token_transfer;
        chain.extend(self.setting::<TokenTransfer>("session.token_transfer", transfer, optional));
        for (key, arg) in [
            (
                "session_expired_status_code",
                &s.session_expired_status_code,
            ),
            ("invalid_claim_status_code", &s.invalid_claim_status_code),
        ] {
            if let Some(arg) = arg {
                let key = format_ident!("{key}");
                let n = number(&arg.value);
                chain.extend(quote!(.#key(#n)));
            }
        }
        chain.extend(boolean(
            "use_dynamic_access_token_signing_key",
            &s.use_dynamic_access_token_signing_key,
        ));
        chain.extend(boolean(
            "expose_access_token_to_frontend_in_cookie_based_auth",
            &s.expose_access_token_to_frontend_in_cookie_based_auth,
        ));
        if let Some(interval) = &s.jwks_refresh_interval {
            let secs = seconds(&interval.value);
            chain.extend(
                quote!(.jwks_refresh_interval(#root::__private::Duration::from_secs(#secs))),
            );
        }
        chain.extend(boolean("check_database", &s.check_database));
        chain.extend(path_setting("override_functions", &s.override_functions));
        chain.extend(path_setting("override_apis", &s.override_apis));
        chain
    }
}

/// An enum setting: parsed from its SuperTokens spelling, named in the generated code as
/// `__private::TYPE::Variant` (a unit variant's `Debug` is its name).
trait Setting: FromStr + Debug {
    const TYPE: &'static str;
}

macro_rules! settings {
    ($($ty:ident),*) => {$(
        impl Setting for $ty {
            const TYPE: &'static str = stringify!($ty);
        }
    )*};
}

settings!(FlowType, ContactMethod, SameSite, AntiCsrf, TokenTransfer);

/// `.key(true)` for a boolean argument, if given.
fn boolean(key: &str, arg: &Option<Arg<LitBool>>) -> TokenStream {
    let Some(arg) = arg else {
        return TokenStream::new();
    };
    let key = format_ident!("{key}");
    let value = &arg.value;
    quote!(.#key(#value))
}

/// `.key(path)` for an argument naming an item of the user's, if given.
fn path_setting(key: &str, arg: &Option<Arg<FnPath>>) -> TokenStream {
    match arg {
        Some(arg) => with_path(key, &arg.value.0),
        None => TokenStream::new(),
    }
}

/// `.key(path)`, the call at the user's path: a value the builder method does not take (a
/// function with another signature) is an error there, naming the bound it misses.
fn with_path(key: &str, path: &syn::Path) -> TokenStream {
    let key = format_ident!("{key}", span = path.span());
    quote_spanned!(path.span()=> .#key(#path))
}

enum Read {
    /// An expression of the value (a `&str` literal or a `String`).
    Value(TokenStream),
    /// An `Option<String>`: `None` leaves the argument out.
    Maybe(TokenStream),
}

fn read_str(value: &StrOrEnv, presence: Presence, field: &str) -> Read {
    match value {
        StrOrEnv::Lit(lit) => Read::Value(lit.to_token_stream()),
        StrOrEnv::Env {
            var,
            default: Some(default),
        } => Read::Value(quote!(__supertokens_env.or(#var, #default))),
        StrOrEnv::Env { var, .. } if presence == Presence::Required => {
            Read::Value(quote!(__supertokens_env.required(#var, #field)))
        }
        StrOrEnv::Env { var, .. } => Read::Maybe(quote!(__supertokens_env.optional(#var))),
    }
}

/// A number as written, unsuffixed (so it takes the setter's type), at the user's literal.
fn number<const MAX: u64>(int: &Int<MAX>) -> TokenStream {
    let mut n = Literal::u64_unsuffixed(int.value);
    n.set_span(int.lit.span());
    n.into_token_stream()
}

/// A whole number of seconds, unsuffixed, at the user's literal.
fn seconds<const MAX: u64>(int: &Int<MAX>) -> TokenStream {
    number(int)
}
