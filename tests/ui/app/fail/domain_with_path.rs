#[supertokens::app(app_name = "Demo",
    api_domain = "http://localhost:3001/auth",
    website_domain = "http://localhost:3000",
    session(),
)]
fn main() {}
