//! Code generation for `#[supertokens::app]`: one statement at the top of `main` that builds the
//! configuration with `Config::builder()` and starts the SDK (or prints every problem and exits).

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, ItemFn};

use super::Args;
use crate::args::{Section, Str, Value};

/// How a string value from `env(...)` is read when the variable is unset.
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

pub(crate) fn expand(args: &Args, mut main: ItemFn) -> TokenStream {
    let root = match args.lit("crate") {
        Some(lit) => lit
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
    if let Some(Value::Section(core)) = args.get("embedded_core").map(|e| &e.value) {
        // Through a helper macro: a build of supertokens without the embedded core drops these
        // settings unread (their types do not exist there) and says why at start-up.
        let core = g.embedded_core(core);
        chain = quote!(#root::__private::embedded_core!(__supertokens_env, #chain, #core));
    }
    for entry in &args.entries {
        let key = &entry.key;
        let name = key.to_string();
        chain.extend(match (&*name, &entry.value) {
            ("configure" | "crate" | "embedded_core", _) => continue,
            ("app_name" | "api_domain" | "website_domain", Value::Str(value)) => {
                g.string(key, value, Presence::Required, &name)
            }
            (_, Value::Str(value)) => g.string(key, value, Presence::Optional, &name),
            ("core_timeout", Value::Int(lit, secs)) => {
                let secs = seconds(lit, *secs);
                quote!(.core_timeout(#root::__private::Duration::from_secs(#secs)))
            }
            ("passwordless", Value::Section(passwordless)) => {
                let config = g.passwordless(passwordless);
                quote!(.passwordless(#config))
            }
            ("session", Value::Section(session)) => {
                let config = g.session(session);
                quote!(.session(#config))
            }
            _ => unreachable!("`{name}` was checked against the schema"),
        });
    }
    if let Some(Value::Path(configure)) = args.get("configure").map(|e| &e.value) {
        chain = quote_spanned!(configure.span()=> #root::__private::configure(#configure, #chain));
    }
    let uses_maybe = g
        .uses_maybe
        .then(|| quote!(use #root::__private::Maybe as _;));
    // A `main` that returns a `Result` gets the start-up error back through `?`; any other
    // prints it and exits.
    let start: syn::Stmt = if returns_result(&main) {
        syn::parse_quote! {
            #root::__private::try_start(|__supertokens_env| {
                #uses_maybe
                #chain
            })?;
        }
    } else {
        syn::parse_quote! {
            #root::__private::start(|__supertokens_env| {
                #uses_maybe
                #chain
            });
        }
    };
    main.block.stmts.insert(0, start);
    main.into_token_stream()
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
    /// `.key(value)` for a string argument (literal or `env(...)`).
    fn string(&mut self, key: &Ident, value: &Str, presence: Presence, field: &str) -> TokenStream {
        match read_str(value, presence, field) {
            Read::Value(value) => quote!(.#key(#value)),
            Read::Maybe(value) => {
                self.uses_maybe = true;
                quote!(.maybe(#value, |b, v| b.#key(v)))
            }
        }
    }

    fn embedded_core(&mut self, section: &Section) -> TokenStream {
        let root = &self.root;
        let mut statements = TokenStream::new();
        for entry in &section.entries {
            let key = &entry.key;
            statements.extend(match (key.to_string().as_str(), &entry.value) {
                ("database", Value::Str(value)) => match read_str(value, Presence::Optional, "") {
                    Read::Value(value) => {
                        quote!(core.database = #root::__private::Database::parse(&#value);)
                    }
                    Read::Maybe(value) => quote! {
                        if let Some(database) = #value {
                            core.database = #root::__private::Database::parse(&database);
                        }
                    },
                },
                ("api_key", Value::Str(value)) => match read_str(value, Presence::Optional, "") {
                    Read::Value(value) => quote!(core.api_key = Some(#value.into());),
                    Read::Maybe(value) => quote!(core.api_key = #value;),
                },
                ("max_code_input_attempts", Value::Int(lit, n)) => {
                    let n = Literal::u64_unsuffixed(*n);
                    quote_spanned!(lit.span()=> core.max_code_input_attempts = #n;)
                }
                (_, Value::Int(lit, secs)) => {
                    let secs = seconds(lit, *secs);
                    quote!(core.#key = #root::__private::Duration::from_secs(#secs);)
                }
                _ => unreachable!("checked against the schema"),
            });
        }
        quote!({
            let mut core = #root::__private::EmbeddedCoreConfig::default();
            #statements
            core
        })
    }

    fn passwordless(&mut self, section: &Section) -> TokenStream {
        let root = self.root.clone();
        let mut chain = quote!(#root::__private::PasswordlessConfig::new());
        for entry in &section.entries {
            let key = &entry.key;
            let field = format!("passwordless.{key}");
            chain.extend(match &entry.value {
                Value::Str(value) => self.string(key, value, Presence::Required, &field),
                Value::Service(kind, None) if key == "email_delivery" => {
                    quote_spanned!(kind.span()=> .console_email())
                }
                Value::Service(kind, None) => quote_spanned!(kind.span()=> .console_sms()),
                Value::Service(kind, Some(settings)) => {
                    let settings = self.service(kind, settings, &format!("passwordless.{kind}"));
                    quote!(.#kind(#settings))
                }
                _ => unreachable!("checked against the schema"),
            });
        }
        chain
    }

    /// `SmtpSettings::new()…` or `TwilioSettings::new()…`.
    fn service(&mut self, kind: &Ident, section: &Section, prefix: &str) -> TokenStream {
        let root = self.root.clone();
        let (ty, required): (_, &[&str]) = if kind == "smtp" {
            (quote!(SmtpSettings), &["host", "from_email"])
        } else {
            (quote!(TwilioSettings), &["account_sid", "auth_token"])
        };
        let mut chain = quote!(#root::__private::#ty::new());
        for entry in &section.entries {
            let key = &entry.key;
            chain.extend(match &entry.value {
                Value::Str(value) => {
                    let presence = if required.contains(&key.to_string().as_str()) {
                        Presence::Required
                    } else {
                        Presence::Optional
                    };
                    self.string(key, value, presence, &format!("{prefix}.{key}"))
                }
                Value::Int(lit, n) => {
                    let n = Literal::u64_unsuffixed(*n);
                    quote_spanned!(lit.span()=> .#key(#n))
                }
                Value::Bool(b) => quote!(.#key(#b)),
                _ => unreachable!("checked against the schema"),
            });
        }
        chain
    }

    fn session(&mut self, section: &Section) -> TokenStream {
        let root = self.root.clone();
        let mut chain = quote!(#root::__private::SessionConfig::new());
        for entry in &section.entries {
            let key = &entry.key;
            chain.extend(match (key.to_string().as_str(), &entry.value) {
                (_, Value::Str(value)) => {
                    self.string(key, value, Presence::Optional, &format!("session.{key}"))
                }
                (_, Value::Bool(b)) => quote!(.#key(#b)),
                ("jwks_refresh_interval", Value::Int(lit, secs)) => {
                    let secs = seconds(lit, *secs);
                    quote!(.jwks_refresh_interval(#root::__private::Duration::from_secs(#secs)))
                }
                (_, Value::Int(lit, n)) => {
                    let n = Literal::u64_unsuffixed(*n);
                    quote_spanned!(lit.span()=> .#key(#n))
                }
                _ => unreachable!("checked against the schema"),
            });
        }
        chain
    }
}

enum Read {
    /// An expression of the value (a `&str` literal or a `String`).
    Value(TokenStream),
    /// An `Option<String>`: `None` leaves the argument out.
    Maybe(TokenStream),
}

fn read_str(value: &Str, presence: Presence, field: &str) -> Read {
    match value {
        Str::Lit(lit) => Read::Value(lit.to_token_stream()),
        Str::Env {
            var,
            default: Some(default),
            ..
        } => Read::Value(quote!(__supertokens_env.or(#var, #default))),
        Str::Env { var, .. } if presence == Presence::Required => {
            Read::Value(quote!(__supertokens_env.required(#var, #field)))
        }
        Str::Env { var, .. } => Read::Maybe(quote!(__supertokens_env.optional(#var))),
    }
}

/// A whole number of seconds, unsuffixed, at the user's literal.
fn seconds(lit: &syn::LitInt, secs: u64) -> TokenStream {
    let mut secs = Literal::u64_unsuffixed(secs);
    secs.set_span(lit.span());
    secs.into_token_stream()
}
