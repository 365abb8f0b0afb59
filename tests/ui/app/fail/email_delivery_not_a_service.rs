#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL", email_delivery = 42),
    session(),
)]
fn main() {}
