use supertokens::{protected, session::SessionContainer};

#[protected(any_role = ["editor", "admin "])]
async fn drafts(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
