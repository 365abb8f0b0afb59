// Every argument at once, values from the environment included (unset here, so the optional
// ones are left out and the ones with a default take it).
use supertokens::ConfigBuilder;

fn configure(builder: ConfigBuilder) -> ConfigBuilder {
    builder.api_gateway_path("")
}

#[supertokens::app(
    crate = "::supertokens",
    app_name = env("UI_TEST_UNSET_APP_NAME", default = "Demo"),
    api_domain = "https://api.example.com",
    website_domain = "https://example.com",
    api_base_path = "/api/auth",
    website_base_path = "/login",
    api_gateway_path = env("UI_TEST_UNSET_GATEWAY_PATH"),
    connection_uri = env("UI_TEST_UNSET_CONNECTION_URI"),
    core_timeout = 5,
    embedded_core(database = env("UI_TEST_UNSET_DATABASE", default = ":memory:"), code_lifetime = 300, max_code_input_attempts = 3, access_token_validity = 1800, refresh_token_validity = 86400, signing_key_rotation = 86400, app_id = "shop"),
    passwordless(flow_type = "USER_INPUT_CODE_AND_MAGIC_LINK", contact_method = "EMAIL_OR_PHONE", email_delivery = smtp(host = "smtp.example.com", port = 587, from_name = "Demo", from_email = "no-reply@example.com", username = env("UI_TEST_UNSET_SMTP_USERNAME"), password = env("UI_TEST_UNSET_SMTP_PASSWORD"), secure = false), sms_delivery = twilio(account_sid = "AC0123456789abcdef0123456789abcdef", auth_token = env("UI_TEST_UNSET_TWILIO_AUTH_TOKEN", default = "token"), messaging_service_sid = "MG0123456789abcdef0123456789abcdef")),
    session(cookie_secure = true, cookie_same_site = "none", cookie_domain = ".example.com", older_cookie_domain = "", anti_csrf = "VIA_TOKEN", token_transfer = "any", session_expired_status_code = 440, invalid_claim_status_code = 403, use_dynamic_access_token_signing_key = false, expose_access_token_to_frontend_in_cookie_based_auth = true, jwks_refresh_interval = 3600),
    configure = configure,
)]
fn main() {
    let supertokens = supertokens::SuperTokens::global().unwrap();
    assert_eq!(supertokens.config().app_info().api_base_path, "/api/auth");
}
