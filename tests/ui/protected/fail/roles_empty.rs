use supertokens::{protected, session::SessionContainer};

#[protected(roles = [])]
async fn admin(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
