#[supertokens::app(
    app_name = "Demo",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    session(),
    user_metadata(cache = true),
)]
fn main() {}
