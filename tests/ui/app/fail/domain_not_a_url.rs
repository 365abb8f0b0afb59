#[supertokens::app(app_name = "Demo",
    api_domain = "http://local host:3001",
    website_domain = "http://localhost:3000",
    session(),
)]
fn main() {}
