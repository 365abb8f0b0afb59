use supertokens::{protected, session::SessionContainer};

struct Profile;

#[protected]
async fn handler(session: SessionContainer) -> Profile {
    let _ = session;
    Profile
}

fn main() {}
