use supertokens::{protected, session::SessionContainer};

// Takes nothing: the route's checks are made from the app-wide ones.
fn beta_only() -> Vec<supertokens::session::claims::ClaimValidator> {
    Vec::new()
}

#[protected(claims = beta_only)]
async fn beta(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {}
