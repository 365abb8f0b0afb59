#[supertokens::app(
    app_name = "Demo",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    session(),
    user_roles(skip_adding_permissions_to_access_token = "yes"),
)]
fn main() {}
