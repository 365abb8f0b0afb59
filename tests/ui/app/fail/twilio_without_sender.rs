#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "PHONE", sms_delivery = twilio(account_sid = env("TWILIO_ACCOUNT_SID"), auth_token = env("TWILIO_AUTH_TOKEN"))),
    session(),
)]
fn main() {}
