#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001",
    website_domain = "ftp://localhost:3000",
    session(),
)]
fn main() {}
