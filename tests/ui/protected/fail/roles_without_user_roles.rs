// A role check in a binary whose app does not enable the UserRoles recipe.
use supertokens::{protected, session::SessionContainer};

#[protected(roles = ["admin"])]
async fn admin(session: SessionContainer) -> String {
    session.user_id().to_string()
}

#[supertokens::app(
    app_name = "Demo",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    session(),
)]
fn main() {
    let _ = admin;
}
