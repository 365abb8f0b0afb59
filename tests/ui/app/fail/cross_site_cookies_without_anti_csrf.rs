#[supertokens::app(app_name = "Demo",
    api_domain = "https://api.example.com",
    website_domain = "https://example.org",
    session(cookie_same_site = "none", anti_csrf = "NONE"),
)]
fn main() {}
