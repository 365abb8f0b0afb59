use supertokens::{protected, session::SessionContainer};

#[protected(claims = "beta_only")]
async fn beta(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
