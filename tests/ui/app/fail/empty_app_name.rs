#[supertokens::app(api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    app_name = " ",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL"),
    session(),
)]
fn main() {}
