// A bare name close to a service's is taken for a typo (a function of that name is written
// `self::consle`).
#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "PHONE", sms_delivery = consle),
    session(),
)]
fn main() {}
