//! `#[supertokens::app(...)]`: read the arguments into typed receivers, check them with the
//! shared rule book, and put the start-up call at the top of `main`.

mod expand;
mod item;
mod validate;

use darling::ast::NestedMeta;
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use supertokens_rules::required::Required;
use syn::{Expr, Ident, LitBool, LitStr, Meta, MetaNameValue};

use crate::args::{
    Arg, FnPath, Int, Receiver, StrOrEnv, Value, error_at, needs_a_value, read_items, read_list,
    receiver,
};
use crate::errors::Errors;

/// Expands `#[supertokens::app(args)]` on `item`. On any error the item comes back unchanged
/// with every error beside it, so editors keep understanding the rest of the code.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let main = item::parse(item.clone(), &mut errors);
    let args = match read_list::<AppArgs>(args) {
        Ok(args) => {
            validate::check(&args, &mut errors);
            Some(args)
        }
        Err(error) => {
            errors.push(error.into());
            None
        }
    };
    match (main, args) {
        (Some(main), Some(args)) if errors.is_empty() => expand::expand(&args, main),
        _ => {
            let errors = errors.into_compile_errors();
            quote! { #item #errors }
        }
    }
}

/// Durations and counts of the embedded core: seconds, up to `u32::MAX`.
type U32 = Int<{ u32::MAX as u64 }>;

receiver! {
    /// The arguments of `#[supertokens::app(...)]`.
    pub(crate) struct AppArgs in "`#[supertokens::app]`" {
        app_name: StrOrEnv = Required::AppName.example(),
        api_domain: StrOrEnv = Required::ApiDomain.example(),
        website_domain: StrOrEnv = Required::WebsiteDomain.example(),
        api_base_path: StrOrEnv = "api_base_path = \"/auth\"",
        website_base_path: StrOrEnv = "website_base_path = \"/auth\"",
        api_gateway_path: StrOrEnv = "api_gateway_path = \"/prod\"",
        connection_uri: StrOrEnv = "connection_uri = env(\"SUPERTOKENS_CONNECTION_URI\")",
        api_key: StrOrEnv = "api_key = env(\"SUPERTOKENS_API_KEY\")",
        core_timeout: Int<86_400> = "core_timeout = 10",
        embedded_core: EmbeddedCoreArgs = "embedded_core(database = \".supertokens/core.db\")",
        passwordless: PasswordlessArgs =
            "passwordless(flow_type = \"USER_INPUT_CODE\", contact_method = \"EMAIL\")",
        session: SessionArgs = "session()",
        user_roles: UserRolesArgs = "user_roles()",
        user_metadata: UserMetadataArgs = "user_metadata()",
        configure: FnPath = "configure = my_app::configure",
        krate as "crate": LitStr = "crate = \"my_reexport::supertokens\"",
    }
}

receiver! {
    /// Settings of the embedded core (durations in seconds).
    pub(crate) struct EmbeddedCoreArgs in "`embedded_core(...)`" {
        database: StrOrEnv = "database = \".supertokens/core.db\"",
        code_lifetime: U32 = "code_lifetime = 600",
        max_code_input_attempts: U32 = "max_code_input_attempts = 5",
        access_token_validity: U32 = "access_token_validity = 3600",
        refresh_token_validity: U32 = "refresh_token_validity = 8640000",
        signing_key_rotation: U32 = "signing_key_rotation = 604800",
        api_key: StrOrEnv = "api_key = env(\"EMBEDDED_CORE_API_KEY\")",
        app_id: StrOrEnv = "app_id = \"shop\"",
    }
}

receiver! {
    /// Settings of the passwordless recipe.
    pub(crate) struct PasswordlessArgs in "`passwordless(...)`" {
        flow_type: StrOrEnv = Required::FlowType.example(),
        contact_method: StrOrEnv = Required::ContactMethod.example(),
        email_delivery: Delivery<SmtpArgs> = "email_delivery = smtp(host = \"smtp.example.com\", \
            from_email = \"no-reply@example.com\")",
        sms_delivery: Delivery<TwilioArgs> = "sms_delivery = twilio(account_sid = \
            env(\"TWILIO_ACCOUNT_SID\"), auth_token = env(\"TWILIO_AUTH_TOKEN\"), \
            from = \"+15005550006\")",
        override_functions: FnPath = "override_functions = my_app::audit_sign_ins",
    }
}

receiver! {
    /// Settings of `email_delivery = smtp(...)`.
    pub(crate) struct SmtpArgs in "`smtp(...)`" {
        host: StrOrEnv = Required::SmtpHost.example(),
        port: Int<65_535> = "port = 587",
        from_name: StrOrEnv = "from_name = \"My app\"",
        from_email: StrOrEnv = Required::SmtpFromEmail.example(),
        username: StrOrEnv = "username = env(\"SMTP_USERNAME\")",
        password: StrOrEnv = "password = env(\"SMTP_PASSWORD\")",
        secure: LitBool = "secure = true",
    }
}

receiver! {
    /// Settings of `sms_delivery = twilio(...)`.
    pub(crate) struct TwilioArgs in "`twilio(...)`" {
        account_sid: StrOrEnv = Required::TwilioAccountSid.example(),
        auth_token: StrOrEnv = Required::TwilioAuthToken.example(),
        from: StrOrEnv = "from = \"+15005550006\"",
        messaging_service_sid: StrOrEnv =
            "messaging_service_sid = env(\"TWILIO_MESSAGING_SERVICE_SID\")",
    }
}

receiver! {
    /// Settings of the UserRoles recipe.
    pub(crate) struct UserRolesArgs in "`user_roles(...)`" {
        skip_adding_roles_to_access_token: LitBool = "skip_adding_roles_to_access_token = true",
        skip_adding_permissions_to_access_token: LitBool =
            "skip_adding_permissions_to_access_token = true",
    }
}

receiver! {
    /// The UserMetadata recipe (no settings).
    pub(crate) struct UserMetadataArgs in "`user_metadata()`" {}
}

receiver! {
    /// Settings of the session recipe.
    pub(crate) struct SessionArgs in "`session(...)`" {
        cookie_secure: LitBool = "cookie_secure = true",
        cookie_same_site: StrOrEnv = "cookie_same_site = \"lax\"",
        cookie_domain: StrOrEnv = "cookie_domain = \".example.com\"",
        older_cookie_domain: StrOrEnv = "older_cookie_domain = \"api.example.com\"",
        anti_csrf: StrOrEnv = "anti_csrf = \"VIA_CUSTOM_HEADER\"",
        token_transfer: StrOrEnv = "token_transfer = \"cookie\"",
        session_expired_status_code: Int<{ u16::MAX as u64 }> =
            "session_expired_status_code = 401",
        invalid_claim_status_code: Int<{ u16::MAX as u64 }> = "invalid_claim_status_code = 403",
        use_dynamic_access_token_signing_key: LitBool =
            "use_dynamic_access_token_signing_key = false",
        expose_access_token_to_frontend_in_cookie_based_auth: LitBool =
            "expose_access_token_to_frontend_in_cookie_based_auth = true",
        jwks_refresh_interval: U32 = "jwks_refresh_interval = 14400",
        check_database: LitBool = "check_database = true",
        override_functions: FnPath = "override_functions = my_app::session_functions",
        override_apis: FnPath = "override_apis = my_app::session_apis",
    }
}

/// A delivery service with settings, `name(key = value, ...)`, beside `console` and a path to
/// the user's own service.
pub(crate) trait Service: Receiver {
    /// The service's name, as written: `smtp`.
    const NAME: &'static str;
    /// The `PasswordlessConfig` method that prints to the console: `console_email`.
    const CONSOLE: &'static str;
    /// The `PasswordlessConfig` method that takes the user's own service: `email_delivery`.
    const CUSTOM: &'static str;
    /// A path to the user's own service, for messages.
    const CUSTOM_EXAMPLE: &'static str;
}

impl Service for SmtpArgs {
    const NAME: &'static str = "smtp";
    const CONSOLE: &'static str = "console_email";
    const CUSTOM: &'static str = "email_delivery";
    const CUSTOM_EXAMPLE: &'static str = "my_app::send_email";
}

impl Service for TwilioArgs {
    const NAME: &'static str = "twilio";
    const CONSOLE: &'static str = "console_sms";
    const CUSTOM: &'static str = "sms_delivery";
    const CUSTOM_EXAMPLE: &'static str = "my_app::send_sms";
}

/// `email_delivery = console`, `email_delivery = smtp(...)` or `email_delivery = path::to::service`
/// (and so for SMS with `twilio`).
pub(crate) enum Delivery<T> {
    Console(Ident),
    /// The service's name, and its settings with the tokens of `name(...)`.
    Service(Ident, Arg<T>),
    /// The user's own service: any value `PasswordlessConfig::email_delivery` (or `sms_delivery`)
    /// takes, such as an `async fn(LoginMessage) -> Result<(), DeliveryError>`.
    Custom(syn::Path),
}

/// Whether a bare name that is no service is a typo of `close` rather than the user's own
/// service: about as long as it (`smpt`, `consle`; not `console_log`).
fn looks_misspelt(name: &str, close: &str) -> bool {
    name.len().abs_diff(close.len()) <= 1
}

impl<T: Service> Value for Delivery<T> {
    fn read(meta: &Meta, key: &str, example: &str) -> darling::Result<Self> {
        let names = [T::NAME, "console"];
        let Meta::NameValue(MetaNameValue { value: expr, .. }) = meta else {
            return Err(needs_a_value(meta, key, example));
        };
        let forms = format!(
            "`{}(...)`, `console` or the path of your own service, like `{key} = {}`",
            T::NAME,
            T::CUSTOM_EXAMPLE
        );
        let (path, call) = match expr {
            Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => (&p.path, None),
            Expr::Call(call) => match &*call.func {
                Expr::Path(p) if p.path.get_ident().is_some() => (&p.path, Some(call)),
                _ => return Err(error_at(expr, format!("`{key}` takes {forms}"))),
            },
            _ => return Err(error_at(expr, format!("`{key}` takes {forms}"))),
        };
        // A longer path is the user's own service.
        let Some(name) = path.get_ident() else {
            return Ok(Delivery::Custom(path.clone()));
        };
        let close = supertokens_rules::did_you_mean(&name.to_string(), &names);
        match call {
            None if name == "console" => Ok(Delivery::Console(name.clone())),
            Some(call) if name == "console" => Err(darling::Error::custom(format!(
                "`console` takes no settings: write `{key} = console`"
            ))
            .with_span(&call.paren_token.span.join())),
            call if name == T::NAME => Ok(Delivery::Service(
                name.clone(),
                Arg {
                    value: settings::<T>(name, call)?,
                    tokens: expr.to_token_stream(),
                },
            )),
            None => match close.filter(|close| looks_misspelt(&name.to_string(), close)) {
                Some(close) => Err(error_at(
                    name,
                    format!(
                        "unknown `{key}` service `{name}`: did you mean `{close}`? (your own \
                         service of that name is written as a path: `{key} = self::{name}`)"
                    ),
                )),
                None => Ok(Delivery::Custom(path.clone())),
            },
            Some(_) => {
                let hint = match close {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("`{key}` takes {forms}"),
                };
                Err(error_at(
                    name,
                    format!("unknown `{key}` service `{name}`: {hint}"),
                ))
            }
        }
    }
}

/// The settings of `name(key = value, ...)` (none for a bare `name`): each is a `key = value`
/// argument of the call.
fn settings<T: Service>(name: &Ident, call: Option<&syn::ExprCall>) -> darling::Result<T> {
    let context = T::CONTEXT;
    let mut errors = darling::Error::accumulator();
    let mut items = Vec::new();
    for arg in call.iter().flat_map(|call| &call.args) {
        match arg {
            Expr::Assign(assign) => match &*assign.left {
                Expr::Path(p) if p.path.get_ident().is_some() => {
                    items.push(NestedMeta::Meta(Meta::NameValue(MetaNameValue {
                        path: p.path.clone(),
                        eq_token: assign.eq_token,
                        value: (*assign.right).clone(),
                    })))
                }
                other => errors.push(error_at(
                    other,
                    format!("expected the name of a {context} setting"),
                )),
            },
            other => errors.push(error_at(
                other,
                format!(
                    "{context} takes settings as `name = value`, like `{name}(host = \"smtp.example.com\")`"
                ),
            )),
        }
    }
    match (read_items::<T>(items), errors.finish()) {
        (Ok(settings), Ok(())) => Ok(settings),
        (Err(error), Ok(())) | (Ok(_), Err(error)) => Err(error),
        (Err(settings), Err(args)) => Err(darling::Error::multiple(vec![args, settings])),
    }
}

#[cfg(test)]
mod tests;
