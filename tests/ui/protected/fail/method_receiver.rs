use supertokens::{protected, session::SessionContainer};

struct Api;

impl Api {
    #[protected]
    async fn handler(&self, session: SessionContainer) -> String {
        session.user_id().to_string()
    }
}

fn main() {}
