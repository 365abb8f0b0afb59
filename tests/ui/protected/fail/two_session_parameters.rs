use supertokens::{protected, session::SessionContainer};

#[protected]
async fn handler(session: SessionContainer, again: SessionContainer) -> String {
    format!("{} {}", session.user_id(), again.user_id())
}

fn main() {}
