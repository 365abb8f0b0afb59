use supertokens::{protected, session::SessionContainer};

#[protected(roles = ["admin", "editor", "admin"])]
async fn admin(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
