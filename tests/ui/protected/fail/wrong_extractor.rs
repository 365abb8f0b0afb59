// A body extractor (`String`) before the last parameter is reported on that parameter.
use axum::extract::Query;
use supertokens::{protected, session::SessionContainer};

#[protected]
async fn handler(
    session: SessionContainer,
    body: String,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> String {
    format!("{} {body} {}", session.user_id(), q.len())
}

fn main() {}
