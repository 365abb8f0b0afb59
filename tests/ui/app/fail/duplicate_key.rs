#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    app_name = "Demo again",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL"),
    session(),
)]
fn main() {}
