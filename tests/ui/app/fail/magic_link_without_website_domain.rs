#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001",
    passwordless(flow_type = "MAGIC_LINK", contact_method = "EMAIL"),
    session(),
)]
fn main() {}
