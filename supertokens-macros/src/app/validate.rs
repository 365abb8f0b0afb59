//! Compile-time checks of `#[supertokens::app(...)]`: the arguments that were not read (unknown
//! or repeated), what must be present, and every literal value, through the same rules
//! (`supertokens_rules`) that `ConfigBuilder::build` and the enum settings' `FromStr` apply at
//! start-up, so that a value from `env("…")` that breaks a rule fails with the very same message.

use std::str::FromStr;

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use supertokens_rules::Invalid;
use supertokens_rules::app_info as ai;
use supertokens_rules::passwordless::{self as pl, ContactMethod, FlowType};
use supertokens_rules::required::{self, Required};
use supertokens_rules::session::{self as se, AntiCsrf, SameSite, TokenTransfer};

use super::{AppArgs, Delivery, PasswordlessArgs, SessionArgs, SmtpArgs, TwilioArgs};
use crate::args::{Arg, Receiver, StrOrEnv};
use crate::errors::Errors;

/// Reports `invalid `field`: message` at `node`, as `ConfigError` prints it at start-up.
fn invalid(errors: &mut Errors, node: impl ToTokens, field: &str, error: Invalid) {
    errors.at(node, format!("invalid `{field}`: {error}"));
}

/// A rule for the value of a string setting.
type Rule = fn(&str) -> Result<String, Invalid>;

/// Runs each rule on the literal value of its setting, reported as `{prefix}{key}` (an
/// `env(...)` value is checked at start-up).
fn literals(errors: &mut Errors, prefix: &str, rules: &[(&str, &Option<Arg<StrOrEnv>>, Rule)]) {
    for (key, arg, rule) in rules {
        if let Some(lit) = arg.as_ref().and_then(|a| a.value.literal())
            && let Err(error) = rule(&lit.value())
        {
            invalid(errors, lit, &format!("{prefix}{key}"), error);
        }
    }
}

/// An enum setting (`FlowType`, `SameSite`, …): its literal, or the default of its `env(...)`,
/// through the enum's `FromStr`. The value of a literal, once parsed.
fn setting<T: FromStr<Err = Invalid>>(
    errors: &mut Errors,
    arg: Option<&Arg<StrOrEnv>>,
    field: &str,
) -> Option<T> {
    match &arg?.value {
        StrOrEnv::Lit(lit) => lit
            .value()
            .parse()
            .map_err(|error| invalid(errors, lit, field, error))
            .ok(),
        StrOrEnv::Env {
            default: Some(default),
            ..
        } => {
            if let Err(error) = default.value().parse::<T>() {
                invalid(errors, default, field, error);
            }
            None
        }
        StrOrEnv::Env { .. } => None,
    }
}

/// Reports that a list lacks a setting: at the list, or at the attribute for its own arguments.
fn missing(errors: &mut Errors, list: Option<&TokenStream>, error: Invalid) {
    match list {
        Some(tokens) => errors.at(tokens, error),
        None => errors.at_span(Span::call_site(), error),
    }
}

/// Reports each setting of `list` that is not given (the `bool`), unless a misspelt argument
/// (already reported as unknown) was probably meant as it.
fn require<R: Receiver>(
    errors: &mut Errors,
    receiver: &R,
    list: Option<&TokenStream>,
    settings: &[(Required, bool)],
) {
    for &(setting, given) in settings {
        if !given && !receiver.suggests(setting.key()) {
            missing(errors, list, setting.missing());
        }
    }
}

pub(crate) fn check(args: &AppArgs, errors: &mut Errors) {
    args.report_leftovers(errors);
    app_info(args, errors);
    core(args, errors);
    if let Err(error) = required::some_recipe(args.session.is_some(), args.passwordless.is_some()) {
        missing(errors, None, error);
    }
    if let Some(passwordless) = &args.passwordless {
        if let Err(error) = required::passwordless_needs_session(true, args.session.is_some()) {
            errors.at(&passwordless.tokens, error);
        }
        self::passwordless(&passwordless.value, &passwordless.tokens, errors);
    }
    if let Some(roles) = &args.user_roles {
        roles.value.report_leftovers(errors);
    }
    if let Some(metadata) = &args.user_metadata {
        metadata.value.report_leftovers(errors);
    }
    if let Some(session) = &args.session {
        self::session(args, &session.value, &session.tokens, errors);
    }
}

fn app_info(args: &AppArgs, errors: &mut Errors) {
    let required = [
        (Required::AppName, args.app_name.is_some()),
        (Required::ApiDomain, args.api_domain.is_some()),
    ];
    require(errors, args, None, &required);
    literals(
        errors,
        "",
        &[
            ("app_name", &args.app_name, ai::app_name),
            ("api_domain", &args.api_domain, ai::api_domain),
            ("website_domain", &args.website_domain, ai::website_domain),
            ("api_base_path", &args.api_base_path, ai::api_base_path),
            (
                "website_base_path",
                &args.website_base_path,
                ai::website_base_path,
            ),
            (
                "api_gateway_path",
                &args.api_gateway_path,
                ai::api_gateway_path,
            ),
        ],
    );
    let website = args.website_domain.as_ref();
    if website.is_none() && !args.suggests(Required::WebsiteDomain.key()) {
        // With magic links, the rule says why the domain matters, at the flow type.
        let flow_lit = args
            .passwordless
            .as_ref()
            .and_then(|p| p.value.flow_type.as_ref())
            .and_then(|f| f.value.literal());
        let flow = flow_lit.and_then(|f| f.value().parse::<FlowType>().ok());
        let error = required::missing_website_domain(flow);
        match flow_lit.filter(|_| flow.is_some_and(FlowType::has_magic_link)) {
            Some(lit) => invalid(errors, lit, "website_domain", error),
            None => missing(errors, None, error),
        }
    }
}

fn core(args: &AppArgs, errors: &mut Errors) {
    use supertokens_rules::core as rules;
    let connection_uri: Rule = |v| rules::connection_uri(v).map(|_| v.to_owned());
    literals(
        errors,
        "",
        &[
            ("connection_uri", &args.connection_uri, connection_uri),
            ("api_key", &args.api_key, rules::api_key),
        ],
    );
    // Only an `api_key` that is surely set counts: an unset `env("…")` leaves it out.
    if let Some(api_key) = &args.api_key
        && let Err(error) = rules::api_key_needs_connection_uri(
            args.connection_uri.is_some(),
            api_key.value.always_set(),
        )
    {
        invalid(errors, &api_key.tokens, "api_key", error);
    }
    if let Some(core) = &args.embedded_core {
        literals(
            errors,
            "embedded_core.",
            &[("app_id", &core.value.app_id, rules::app_id)],
        );
    }
    if let Some(timeout) = &args.core_timeout
        && let Err(error) = rules::core_timeout(std::time::Duration::from_secs(timeout.value.value))
    {
        invalid(errors, &timeout.value.lit, "core_timeout", error);
    }
    if let Some(krate) = &args.krate
        && krate.value.parse::<syn::Path>().is_err()
    {
        errors.at(
            &krate.value,
            "`crate` must be the path the `supertokens` crate is reachable at, like `\"my_reexport::supertokens\"`",
        );
    }
}

fn passwordless(passwordless: &PasswordlessArgs, tokens: &TokenStream, errors: &mut Errors) {
    let p = passwordless;
    p.report_leftovers(errors);
    let required = [
        (Required::FlowType, p.flow_type.is_some()),
        (Required::ContactMethod, p.contact_method.is_some()),
    ];
    require(errors, p, Some(tokens), &required);
    setting::<FlowType>(errors, p.flow_type.as_ref(), "passwordless.flow_type");
    let contact = p.contact_method.as_ref();
    setting::<ContactMethod>(errors, contact, "passwordless.contact_method");
    if let Some(Arg {
        value: Delivery::Service(_, smtp),
        ..
    }) = &p.email_delivery
    {
        self::smtp(&smtp.value, &smtp.tokens, errors);
    }
    if let Some(Arg {
        value: Delivery::Service(_, twilio),
        ..
    }) = &p.sms_delivery
    {
        self::twilio(&twilio.value, &twilio.tokens, errors);
    }
}

/// `Some` when the setting is given: its literal, or `"…"` for an `env(...)` value.
fn given(arg: &Option<Arg<StrOrEnv>>) -> Option<String> {
    let value = &arg.as_ref()?.value;
    Some(
        value
            .literal()
            .map_or_else(|| "…".to_owned(), |l| l.value()),
    )
}

fn smtp(smtp: &SmtpArgs, tokens: &TokenStream, errors: &mut Errors) {
    const AT: &str = "passwordless.smtp";
    smtp.report_leftovers(errors);
    let required = [
        (Required::SmtpHost, smtp.host.is_some()),
        (Required::SmtpFromEmail, smtp.from_email.is_some()),
    ];
    require(errors, smtp, Some(tokens), &required);
    literals(
        errors,
        "passwordless.smtp.",
        &[
            ("host", &smtp.host, pl::smtp_host),
            ("from_email", &smtp.from_email, pl::smtp_from_email),
            ("from_name", &smtp.from_name, pl::smtp_from_name),
        ],
    );
    if let Some(port) = &smtp.port
        && let Err(error) = pl::smtp_port(&port.value.value.to_string())
    {
        invalid(errors, &port.value.lit, &format!("{AT}.port"), error);
    }
    // Presence is known even for `env(...)` values; an empty literal password is a rule too.
    let (username, password) = (given(&smtp.username), given(&smtp.password));
    if let Err(error) = pl::smtp_credentials(username.as_deref(), password.as_deref()) {
        let at = smtp.password.as_ref().or(smtp.username.as_ref());
        let at = at.map_or(tokens, |arg| &arg.tokens);
        invalid(errors, at, &format!("{AT}.password"), error);
    }
}

fn twilio(twilio: &TwilioArgs, tokens: &TokenStream, errors: &mut Errors) {
    const AT: &str = "passwordless.twilio";
    twilio.report_leftovers(errors);
    let required = [
        (Required::TwilioAccountSid, twilio.account_sid.is_some()),
        (Required::TwilioAuthToken, twilio.auth_token.is_some()),
    ];
    require(errors, twilio, Some(tokens), &required);
    literals(
        errors,
        "passwordless.twilio.",
        &[
            ("account_sid", &twilio.account_sid, pl::twilio_account_sid),
            ("auth_token", &twilio.auth_token, pl::twilio_auth_token),
            ("from", &twilio.from, pl::twilio_from),
            (
                "messaging_service_sid",
                &twilio.messaging_service_sid,
                pl::twilio_messaging_service_sid,
            ),
        ],
    );
    let (from, service) = (given(&twilio.from), given(&twilio.messaging_service_sid));
    if let Err(error) = pl::twilio_sender(from.as_deref(), service.as_deref()) {
        // Both given: the second sender is the one to remove.
        let at = match (&twilio.from, &twilio.messaging_service_sid) {
            (Some(_), Some(service)) => &service.tokens,
            _ => tokens,
        };
        invalid(errors, at, &format!("{AT}.from"), error);
    }
}

fn session(args: &AppArgs, session: &SessionArgs, tokens: &TokenStream, errors: &mut Errors) {
    let s = session;
    s.report_leftovers(errors);
    let same_site_arg = s.cookie_same_site.as_ref();
    let same_site = setting::<SameSite>(errors, same_site_arg, "session.cookie_same_site");
    let anti_csrf = setting::<AntiCsrf>(errors, s.anti_csrf.as_ref(), "session.anti_csrf");
    let transfer = s.token_transfer.as_ref();
    let transfer = setting::<TokenTransfer>(errors, transfer, "session.token_transfer");
    literals(
        errors,
        "session.",
        &[
            ("cookie_domain", &s.cookie_domain, se::cookie_domain),
            (
                "older_cookie_domain",
                &s.older_cookie_domain,
                se::older_cookie_domain,
            ),
        ],
    );
    let mut codes = [
        (
            "session_expired_status_code",
            &s.session_expired_status_code,
            se::DEFAULT_SESSION_EXPIRED_STATUS_CODE,
        ),
        (
            "invalid_claim_status_code",
            &s.invalid_claim_status_code,
            se::DEFAULT_INVALID_CLAIM_STATUS_CODE,
        ),
    ];
    for (key, arg, code) in &mut codes {
        if let Some(arg) = arg {
            // At most `u16::MAX`, as read.
            match se::status_code(arg.value.value as u16) {
                Ok(value) => *code = value,
                Err(error) => invalid(errors, &arg.value.lit, &format!("session.{key}"), error),
            }
        }
    }
    if let Err(error) = se::distinct_status_codes(codes[0].2, codes[1].2) {
        let at = s.invalid_claim_status_code.as_ref();
        let at = at
            .map(|a| &a.tokens)
            .or(s.session_expired_status_code.as_ref().map(|a| &a.tokens));
        invalid(errors, at, "session.invalid_claim_status_code", error);
    }
    if let Some(interval) = &s.jwks_refresh_interval
        && let Err(error) = se::jwks_refresh_interval_secs(interval.value.value)
    {
        invalid(
            errors,
            &interval.value.lit,
            "session.jwks_refresh_interval",
            error,
        );
    }

    // Cross-field rules, when every value they need is a literal.
    let Some(same_site) = same_site else { return };
    let secure = match &s.cookie_secure {
        Some(secure) => Some(secure.value.value),
        // The default, as at start-up.
        None => args
            .api_domain
            .as_ref()
            .and_then(|d| d.value.literal())
            .and_then(|d| ai::api_domain(&d.value()).ok())
            .map(|d| se::default_cookie_secure(&d)),
    };
    if let Some(secure) = secure
        && let Err(error) = se::same_site_none_needs_secure(same_site, secure)
    {
        let lit = same_site_arg.and_then(|a| a.value.literal());
        invalid(errors, lit, "session.cookie_same_site", error);
    }
    let anti_csrf = match &s.anti_csrf {
        None => Some(se::default_anti_csrf(same_site)),
        Some(_) => anti_csrf,
    };
    let transfer = match &s.token_transfer {
        None => Some(None),
        Some(_) => transfer.map(Some),
    };
    if let (Some(anti_csrf), Some(transfer)) = (anti_csrf, transfer)
        && let Err(error) = se::cross_site_cookies_need_anti_csrf(same_site, anti_csrf, transfer)
    {
        let at = s.anti_csrf.as_ref().map_or(tokens, |a| &a.tokens);
        invalid(errors, at, "session.anti_csrf", error);
    }
}
