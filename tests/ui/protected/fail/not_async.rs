use supertokens::{protected, session::SessionContainer};

#[protected]
fn handler(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
