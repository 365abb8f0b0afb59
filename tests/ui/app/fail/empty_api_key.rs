#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    connection_uri = "http://localhost:3567",
    api_key = "",
    passwordless(flow_type = "USER_INPUT_CODE", contact_method = "EMAIL"),
    session(),
)]
fn main() {}
