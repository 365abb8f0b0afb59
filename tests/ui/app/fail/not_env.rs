#[supertokens::app(app_name = "Demo", website_domain = "http://localhost:3000",
    api_domain = getenv("API_DOMAIN"),
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL"),
    session(),
)]
fn main() {}
