#[supertokens::app(app_name = "Demo", api_domain = "http://localhost:3001", website_domain = "http://localhost:3000",
    session(check_database = "yes"),
)]
fn main() {}
