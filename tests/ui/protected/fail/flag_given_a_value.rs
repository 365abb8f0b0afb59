use supertokens::{protected, session::SessionContainer};

#[protected(check_database = true)]
async fn handler(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
