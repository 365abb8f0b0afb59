use supertokens::{protected, session::SessionContainer};

const ADMIN: &str = "admin";

#[protected(roles = [ADMIN])]
async fn admin(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
