use supertokens::{protected, session::SessionContainer};

#[protected]
async fn handler(session: Option<SessionContainer>) -> &'static str {
    if session.is_some() { "yes" } else { "no" }
}

fn main() {}
