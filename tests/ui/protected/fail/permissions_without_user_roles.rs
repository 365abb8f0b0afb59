// A permission check in a binary whose app does not enable the UserRoles recipe.
use supertokens::protected;

#[protected(permissions = ["orders:read"])]
async fn orders() -> &'static str {
    "orders"
}

#[supertokens::app(
    app_name = "Demo",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    session(),
    user_metadata(),
)]
fn main() {
    let _ = orders;
}
