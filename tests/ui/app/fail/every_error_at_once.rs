#[supertokens::app(
    app_nme = "Demo",
    api_domain = "localhost:3001/auth",
    website_domain = "http://localhost:3000",
    passwordless(flow_type = "MAGIC", contact_method = "EMAIL"),
    session(cookie_same_site = "none", session_expired_status_code = 403),
)]
fn main() {}
