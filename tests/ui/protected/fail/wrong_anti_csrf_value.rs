use supertokens::{protected, session::SessionContainer};

#[protected(anti_csrf = "chek")]
async fn handler(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
