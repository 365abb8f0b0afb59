//! Compile-time checks of `#[supertokens::app(...)]`: what must be present, and every literal
//! value through the same rules (`supertokens_rules`) that `ConfigBuilder::build` applies at
//! start-up, so a value from `env("…")` that breaks a rule fails with the very same message.

use proc_macro2::Span;
use supertokens_rules::Invalid;
use supertokens_rules::app_info as ai;
use supertokens_rules::passwordless::{self as pl, FlowType};
use supertokens_rules::session::{self as se, AntiCsrf, SameSite};

use super::Args;
use crate::args::{Section, Str};
use crate::errors::{Errors, did_you_mean};

type Rule = fn(&str) -> Result<(), Invalid>;

/// Reports `invalid `field`: message` at `node`, as `ConfigError` prints it at start-up.
fn invalid(errors: &mut Errors, node: impl quote::ToTokens, field: &str, error: Invalid) {
    errors.at(node, format!("invalid `{field}`: {error}"));
}

/// Runs `rule` on a literal value of `key` (an `env(...)` value is checked at start-up).
fn literal(errors: &mut Errors, section: &Section, key: &str, field: &str, rule: Rule) {
    if let Some(lit) = section.lit(key)
        && let Err(error) = rule(&lit.value())
    {
        invalid(errors, lit, field, error);
    }
}

/// Like [`literal`], for values from a fixed list: adds "did you mean" when a close spelling
/// exists and the rule's message does not already suggest one.
fn listed(
    errors: &mut Errors,
    section: &Section,
    key: &str,
    field: &str,
    rule: Rule,
    accepted: &[&str],
) {
    let Some(lit) = section.lit(key) else { return };
    let value = lit.value();
    if let Err(error) = rule(&value) {
        let mut message = format!("invalid `{field}`: {error}");
        if !message.contains("did you mean")
            && let Some(close) = did_you_mean(&value, accepted)
        {
            message.push_str(&format!(" (did you mean `\"{close}\"`?)"));
        }
        errors.at(lit, message);
    }
}

/// Reports that `at` lacks an argument (callers first check [`Section::mentioned`], so a
/// misspelt or mistyped argument, already reported, is not reported missing as well).
fn missing(errors: &mut Errors, at: &Section, message: String) {
    if at.tokens.is_empty() {
        errors.at_span(Span::call_site(), message);
    } else {
        errors.at(&at.tokens, message);
    }
}

pub(crate) fn check(args: &Args, errors: &mut Errors) {
    app_info(args, errors);
    core(args, errors);
    let passwordless = args.section("passwordless");
    let session = args.section("session");
    if !args.has("passwordless") && !args.has("session") {
        missing(
            errors,
            args,
            "no recipe is enabled: add `passwordless(flow_type = \"USER_INPUT_CODE\", contact_method = \"EMAIL\")` \
             and `session()`"
                .to_string(),
        );
    }
    if let Some(passwordless) = passwordless {
        if !args.has("session") {
            errors.at(
                &passwordless.tokens,
                "passwordless sign-in creates a session, so it needs the session recipe: add `session()`",
            );
        }
        self::passwordless(args, passwordless, errors);
    }
    if let Some(session) = session {
        self::session(args, session, errors);
    }
}

fn app_info(args: &Args, errors: &mut Errors) {
    for (key, example) in [
        ("app_name", "app_name = \"My app\""),
        ("api_domain", "api_domain = \"https://api.example.com\""),
    ] {
        if !args.mentioned(key) {
            missing(errors, args, format!("`{key}` is missing: add `{example}`"));
        }
    }
    literal(errors, args, "app_name", "app_name", |v| {
        ai::app_name(v).map(drop)
    });
    literal(errors, args, "api_domain", "api_domain", |v| {
        ai::api_domain(v).map(drop)
    });
    literal(errors, args, "website_domain", "website_domain", |v| {
        ai::website_domain(v).map(drop)
    });
    literal(errors, args, "api_base_path", "api_base_path", |v| {
        ai::api_base_path(v).map(drop)
    });
    literal(
        errors,
        args,
        "website_base_path",
        "website_base_path",
        |v| ai::website_base_path(v).map(drop),
    );
    literal(errors, args, "api_gateway_path", "api_gateway_path", |v| {
        ai::api_gateway_path(v).map(drop)
    });
    let magic_link = args
        .section("passwordless")
        .and_then(|p| p.lit("flow_type"))
        .and_then(|f| pl::flow_type(&f.value()).ok())
        .filter(|f| f.has_magic_link());
    if !args.mentioned("website_domain") {
        // With magic links, say why the domain matters; the rule's message names the fix.
        match magic_link {
            Some(flow) => {
                let error = pl::magic_link_needs_website_domain(flow, None).expect_err("no domain");
                let lit = args
                    .section("passwordless")
                    .and_then(|p| p.lit("flow_type"));
                invalid(errors, lit, "website_domain", error);
            }
            None => missing(
                errors,
                args,
                "`website_domain` is missing: add `website_domain = \"https://example.com\"` \
                 (where the frontend is served)"
                    .to_string(),
            ),
        }
    }
}

fn core(args: &Args, errors: &mut Errors) {
    literal(errors, args, "connection_uri", "connection_uri", |v| {
        supertokens_rules::core::connection_uri(v).map(drop)
    });
    literal(errors, args, "api_key", "api_key", |v| {
        supertokens_rules::core::api_key(v).map(drop)
    });
    // Only an `api_key` that is surely set counts: an unset `env("…")` leaves it out.
    let api_key_set = matches!(
        args.str("api_key"),
        Some(
            Str::Lit(_)
                | Str::Env {
                    default: Some(_),
                    ..
                }
        )
    );
    if let Err(error) = supertokens_rules::core::api_key_needs_connection_uri(
        args.has("connection_uri"),
        api_key_set,
    ) {
        let at = args.get("api_key").map(|e| e.tokens.clone());
        invalid(errors, at, "api_key", error);
    }
    if let Some((lit, secs)) = args.int("core_timeout")
        && let Err(error) =
            supertokens_rules::core::core_timeout(std::time::Duration::from_secs(secs))
    {
        invalid(errors, lit, "core_timeout", error);
    }
    if let Some(lit) = args.lit("crate")
        && lit.parse::<syn::Path>().is_err()
    {
        errors.at(
            lit,
            "`crate` must be the path the `supertokens` crate is reachable at, like `\"my_reexport::supertokens\"`",
        );
    }
}

fn passwordless(_args: &Args, section: &Section, errors: &mut Errors) {
    let flows = FlowType::ALL;
    let contacts = supertokens_rules::passwordless::ContactMethod::ALL;
    for (key, all) in [("flow_type", &flows), ("contact_method", &contacts)] {
        if !section.mentioned(key) {
            let others: Vec<String> = all[1..].iter().map(|v| format!("`\"{v}\"`")).collect();
            missing(
                errors,
                section,
                format!(
                    "`passwordless(...)` needs `{key}`: add `{key} = \"{}\"` (or {})",
                    all[0],
                    others.join(", ")
                ),
            );
        }
    }
    listed(
        errors,
        section,
        "flow_type",
        "passwordless.flow_type",
        |v| pl::flow_type(v).map(drop),
        &flows,
    );
    listed(
        errors,
        section,
        "contact_method",
        "passwordless.contact_method",
        |v| pl::contact_method(v).map(drop),
        &contacts,
    );
    if let Some((_, Some(smtp))) = section.service("email_delivery") {
        self::smtp(smtp, errors);
    }
    if let Some((_, Some(twilio))) = section.service("sms_delivery") {
        self::twilio(twilio, errors);
    }
}

fn smtp(smtp: &Section, errors: &mut Errors) {
    const AT: &str = "passwordless.smtp";
    for (key, example) in [
        ("host", "host = \"smtp.example.com\""),
        ("from_email", "from_email = \"no-reply@example.com\""),
    ] {
        if !smtp.mentioned(key) {
            missing(
                errors,
                smtp,
                format!("`smtp(...)` needs `{key}`: add `{example}`"),
            );
        }
    }
    literal(errors, smtp, "host", &format!("{AT}.host"), |v| {
        pl::smtp_host(v).map(drop)
    });
    literal(
        errors,
        smtp,
        "from_email",
        &format!("{AT}.from_email"),
        |v| pl::smtp_from_email(v).map(drop),
    );
    literal(errors, smtp, "from_name", &format!("{AT}.from_name"), |v| {
        pl::smtp_from_name(v).map(drop)
    });
    if let Some((lit, port)) = smtp.int("port")
        && let Err(error) = pl::smtp_port(&port.to_string())
    {
        invalid(errors, lit, &format!("{AT}.port"), error);
    }
    // Presence is known even for `env(...)` values; an empty literal password is a rule too.
    let username = smtp
        .str("username")
        .map(|s| s.literal().map(|l| l.value()).unwrap_or_else(|| "…".into()));
    let password = smtp
        .str("password")
        .map(|s| s.literal().map(|l| l.value()).unwrap_or_else(|| "…".into()));
    if let Err(error) = pl::smtp_credentials(username.as_deref(), password.as_deref()) {
        let at = smtp
            .get("password")
            .or(smtp.get("username"))
            .map(|e| e.tokens.clone());
        invalid(
            errors,
            at.unwrap_or_else(|| smtp.tokens.clone()),
            &format!("{AT}.password"),
            error,
        );
    }
}

fn twilio(twilio: &Section, errors: &mut Errors) {
    const AT: &str = "passwordless.twilio";
    for (key, example) in [
        ("account_sid", "account_sid = env(\"TWILIO_ACCOUNT_SID\")"),
        ("auth_token", "auth_token = env(\"TWILIO_AUTH_TOKEN\")"),
    ] {
        if !twilio.mentioned(key) {
            missing(
                errors,
                twilio,
                format!("`twilio(...)` needs `{key}`: add `{example}`"),
            );
        }
    }
    literal(
        errors,
        twilio,
        "account_sid",
        &format!("{AT}.account_sid"),
        |v| pl::twilio_account_sid(v).map(drop),
    );
    literal(
        errors,
        twilio,
        "auth_token",
        &format!("{AT}.auth_token"),
        |v| pl::twilio_auth_token(v).map(drop),
    );
    literal(errors, twilio, "from", &format!("{AT}.from"), |v| {
        pl::twilio_from(v).map(drop)
    });
    literal(
        errors,
        twilio,
        "messaging_service_sid",
        &format!("{AT}.messaging_service_sid"),
        |v| pl::twilio_messaging_service_sid(v).map(drop),
    );
    let present = |key| twilio.has(key).then_some("…");
    if let Err(error) = pl::twilio_sender(present("from"), present("messaging_service_sid")) {
        let at = match twilio.get("messaging_service_sid") {
            Some(entry) if twilio.has("from") => entry.tokens.clone(),
            _ => twilio.tokens.clone(),
        };
        invalid(errors, at, &format!("{AT}.from"), error);
    }
}

fn session(args: &Args, section: &Section, errors: &mut Errors) {
    listed(
        errors,
        section,
        "cookie_same_site",
        "session.cookie_same_site",
        |v| se::cookie_same_site(v).map(drop),
        &["strict", "lax", "none"],
    );
    listed(
        errors,
        section,
        "anti_csrf",
        "session.anti_csrf",
        |v| se::anti_csrf(v).map(drop),
        &["NONE", "VIA_CUSTOM_HEADER", "VIA_TOKEN"],
    );
    listed(
        errors,
        section,
        "token_transfer",
        "session.token_transfer",
        |v| se::token_transfer(v).map(drop),
        &["cookie", "header", "any"],
    );
    literal(
        errors,
        section,
        "cookie_domain",
        "session.cookie_domain",
        |v| se::cookie_domain(v).map(drop),
    );
    literal(
        errors,
        section,
        "older_cookie_domain",
        "session.older_cookie_domain",
        |v| se::older_cookie_domain(v).map(drop),
    );
    let mut codes = [
        ("session_expired_status_code", 401),
        ("invalid_claim_status_code", 403),
    ];
    for (key, code) in &mut codes {
        if let Some((lit, value)) = section.int(key) {
            match se::status_code(value as u16) {
                Ok(value) => *code = value,
                Err(error) => invalid(errors, lit, &format!("session.{key}"), error),
            }
        }
    }
    if let Err(error) = se::distinct_status_codes(codes[0].1, codes[1].1) {
        let at = section
            .get("invalid_claim_status_code")
            .or(section.get("session_expired_status_code"))
            .map(|e| e.tokens.clone());
        invalid(errors, at, "session.invalid_claim_status_code", error);
    }
    if let Some((lit, secs)) = section.int("jwks_refresh_interval")
        && let Err(error) = se::jwks_refresh_interval_secs(secs)
    {
        invalid(errors, lit, "session.jwks_refresh_interval", error);
    }

    // Cross-field rules, when every value they need is a literal.
    let same_site = section
        .lit("cookie_same_site")
        .and_then(|l| se::cookie_same_site(&l.value()).ok());
    if let Some(same_site) = same_site {
        let secure = match section.bool("cookie_secure") {
            Some(secure) => Some(secure.value),
            // The default, as at start-up: secure when the API is served over https.
            None => args
                .lit("api_domain")
                .and_then(|d| ai::api_domain(&d.value()).ok())
                .map(|d| d.starts_with("https")),
        };
        if let Some(secure) = secure
            && let Err(error) = se::same_site_none_needs_secure(same_site, secure)
        {
            let lit = section.lit("cookie_same_site");
            invalid(errors, lit, "session.cookie_same_site", error);
        }
        let anti_csrf = match section.str("anti_csrf") {
            None => Some(if same_site == SameSite::None {
                AntiCsrf::ViaCustomHeader
            } else {
                AntiCsrf::None
            }),
            Some(Str::Lit(lit)) => se::anti_csrf(&lit.value()).ok(),
            Some(Str::Env { .. }) => None,
        };
        let transfer = match section.str("token_transfer") {
            None => Some(None),
            Some(Str::Lit(lit)) => se::token_transfer(&lit.value()).ok().map(Some),
            Some(Str::Env { .. }) => None,
        };
        if let (Some(anti_csrf), Some(transfer)) = (anti_csrf, transfer)
            && let Err(error) =
                se::cross_site_cookies_need_anti_csrf(same_site, anti_csrf, transfer)
        {
            let at = section.get("anti_csrf").map(|e| e.tokens.clone());
            invalid(
                errors,
                at.unwrap_or_else(|| section.tokens.clone()),
                "session.anti_csrf",
                error,
            );
        }
    }
}
