#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    passwordless(flow_type = "MAGIC_LNK", contact_method = "EMAIL"),
    session(),
)]
fn main() {}
