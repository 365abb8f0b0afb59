#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    connection_uri = "http://localhost:3567",
    core_timeout = 0,
    session(),
)]
fn main() {}
