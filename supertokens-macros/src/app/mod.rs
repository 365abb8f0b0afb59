//! `#[supertokens::app(...)]`: read the arguments, check them with the shared rule book, and put
//! the start-up call at the top of `main`.

mod expand;
mod item;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::args::{Field, Kind, Section, parse_section};
use crate::errors::Errors;

/// Expands `#[supertokens::app(args)]` on `item`. On any error the item comes back unchanged
/// with every error beside it, so editors keep understanding the rest of the code.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let main = item::parse(item.clone(), &mut errors);
    let args = parse_section(
        args,
        TokenStream::new(),
        APP,
        "`#[supertokens::app]`",
        &mut errors,
    );
    validate::check(&args, &mut errors);
    match main {
        Some(main) if errors.is_empty() => expand::expand(&args, main),
        _ => {
            let errors = errors.into_compile_errors();
            quote! { #item #errors }
        }
    }
}

macro_rules! field {
    ($name:literal, $kind:expr, $example:literal) => {
        Field {
            name: $name,
            kind: $kind,
            example: $example,
        }
    };
}

/// Arguments of `#[supertokens::app(...)]`.
pub(crate) static APP: &[Field] = &[
    field!("app_name", Kind::Str, "app_name = \"My app\""),
    field!(
        "api_domain",
        Kind::Str,
        "api_domain = \"https://api.example.com\""
    ),
    field!(
        "website_domain",
        Kind::Str,
        "website_domain = \"https://example.com\""
    ),
    field!("api_base_path", Kind::Str, "api_base_path = \"/auth\""),
    field!(
        "website_base_path",
        Kind::Str,
        "website_base_path = \"/auth\""
    ),
    field!(
        "api_gateway_path",
        Kind::Str,
        "api_gateway_path = \"/prod\""
    ),
    field!(
        "connection_uri",
        Kind::Str,
        "connection_uri = env(\"SUPERTOKENS_CONNECTION_URI\")"
    ),
    field!(
        "api_key",
        Kind::Str,
        "api_key = env(\"SUPERTOKENS_API_KEY\")"
    ),
    field!("core_timeout", Kind::Int(86_400), "core_timeout = 10"),
    field!(
        "embedded_core",
        Kind::Section(EMBEDDED_CORE),
        "embedded_core(database = \".supertokens/core.db\")"
    ),
    field!(
        "passwordless",
        Kind::Section(PASSWORDLESS),
        "passwordless(flow_type = \"USER_INPUT_CODE\", contact_method = \"EMAIL\")"
    ),
    field!("session", Kind::Section(SESSION), "session()"),
    field!("configure", Kind::Path, "configure = my_app::configure"),
    field!(
        "crate",
        Kind::LitStr,
        "crate = \"my_reexport::supertokens\""
    ),
];

/// Settings of the embedded core (durations in seconds).
pub(crate) static EMBEDDED_CORE: &[Field] = &[
    field!("database", Kind::Str, "database = \".supertokens/core.db\""),
    field!(
        "code_lifetime",
        Kind::Int(u32::MAX as u64),
        "code_lifetime = 600"
    ),
    field!(
        "max_code_input_attempts",
        Kind::Int(u32::MAX as u64),
        "max_code_input_attempts = 5"
    ),
    field!(
        "access_token_validity",
        Kind::Int(u32::MAX as u64),
        "access_token_validity = 3600"
    ),
    field!(
        "refresh_token_validity",
        Kind::Int(u32::MAX as u64),
        "refresh_token_validity = 8640000"
    ),
    field!(
        "signing_key_rotation",
        Kind::Int(u32::MAX as u64),
        "signing_key_rotation = 604800"
    ),
    field!(
        "api_key",
        Kind::Str,
        "api_key = env(\"EMBEDDED_CORE_API_KEY\")"
    ),
];

/// Settings of the passwordless recipe.
pub(crate) static PASSWORDLESS: &[Field] = &[
    field!("flow_type", Kind::Str, "flow_type = \"USER_INPUT_CODE\""),
    field!("contact_method", Kind::Str, "contact_method = \"EMAIL\""),
    field!(
        "email_delivery",
        Kind::Service(&[("smtp", SMTP)]),
        "email_delivery = smtp(host = \"smtp.example.com\", from_email = \"no-reply@example.com\")"
    ),
    field!(
        "sms_delivery",
        Kind::Service(&[("twilio", TWILIO)]),
        "sms_delivery = twilio(account_sid = env(\"TWILIO_ACCOUNT_SID\"), auth_token = env(\"TWILIO_AUTH_TOKEN\"), from = \"+15005550006\")"
    ),
];

/// Settings of `email_delivery = smtp(...)`.
pub(crate) static SMTP: &[Field] = &[
    field!("host", Kind::Str, "host = \"smtp.example.com\""),
    field!("port", Kind::Int(65_535), "port = 587"),
    field!("from_name", Kind::Str, "from_name = \"My app\""),
    field!(
        "from_email",
        Kind::Str,
        "from_email = \"no-reply@example.com\""
    ),
    field!("username", Kind::Str, "username = env(\"SMTP_USERNAME\")"),
    field!("password", Kind::Str, "password = env(\"SMTP_PASSWORD\")"),
    field!("secure", Kind::Bool, "secure = true"),
];

/// Settings of `sms_delivery = twilio(...)`.
pub(crate) static TWILIO: &[Field] = &[
    field!(
        "account_sid",
        Kind::Str,
        "account_sid = env(\"TWILIO_ACCOUNT_SID\")"
    ),
    field!(
        "auth_token",
        Kind::Str,
        "auth_token = env(\"TWILIO_AUTH_TOKEN\")"
    ),
    field!("from", Kind::Str, "from = \"+15005550006\""),
    field!(
        "messaging_service_sid",
        Kind::Str,
        "messaging_service_sid = env(\"TWILIO_MESSAGING_SERVICE_SID\")"
    ),
];

/// Settings of the session recipe.
pub(crate) static SESSION: &[Field] = &[
    field!("cookie_secure", Kind::Bool, "cookie_secure = true"),
    field!("cookie_same_site", Kind::Str, "cookie_same_site = \"lax\""),
    field!(
        "cookie_domain",
        Kind::Str,
        "cookie_domain = \".example.com\""
    ),
    field!(
        "older_cookie_domain",
        Kind::Str,
        "older_cookie_domain = \"api.example.com\""
    ),
    field!("anti_csrf", Kind::Str, "anti_csrf = \"VIA_CUSTOM_HEADER\""),
    field!("token_transfer", Kind::Str, "token_transfer = \"cookie\""),
    field!(
        "session_expired_status_code",
        Kind::Int(u16::MAX as u64),
        "session_expired_status_code = 401"
    ),
    field!(
        "invalid_claim_status_code",
        Kind::Int(u16::MAX as u64),
        "invalid_claim_status_code = 403"
    ),
    field!(
        "use_dynamic_access_token_signing_key",
        Kind::Bool,
        "use_dynamic_access_token_signing_key = false"
    ),
    field!(
        "expose_access_token_to_frontend_in_cookie_based_auth",
        Kind::Bool,
        "expose_access_token_to_frontend_in_cookie_based_auth = true"
    ),
    field!(
        "jwks_refresh_interval",
        Kind::Int(u32::MAX as u64),
        "jwks_refresh_interval = 14400"
    ),
];

/// The arguments, once read (kept as a type so the other modules name it).
pub(crate) type Args = Section;

#[cfg(test)]
mod tests;
