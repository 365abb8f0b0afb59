use std::rc::Rc;

use supertokens::{protected, session::SessionContainer};

async fn audit(_user: &str) {}

// An `Rc` is held across the `.await`, so the future is not `Send` and axum cannot run it.
#[protected]
async fn handler(session: SessionContainer) -> String {
    let user = Rc::new(session.user_id().to_string());
    audit(&user).await;
    user.to_string()
}

fn main() {}
