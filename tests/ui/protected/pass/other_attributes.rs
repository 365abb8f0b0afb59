// Other attributes see the handler as written, with its parameters' names: below `#[protected]`
// they go on the user's function, above it they run first.
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use supertokens::protected;
use supertokens::session::SessionContainer;

/// `skip(session)` names a parameter of the function as written.
#[protected]
#[tracing::instrument(skip(session))]
async fn below(session: SessionContainer, id: Path<u64>) -> String {
    format!("{} likes {}", session.user_id(), id.0)
}

#[tracing::instrument(skip(session))]
#[protected]
async fn above(session: SessionContainer, id: Path<u64>) -> String {
    format!("{} likes {}", session.user_id(), id.0)
}

fn main() {
    let _app: Router = Router::new()
        .route("/below/{id}", get(below))
        .route("/above/{id}", get(above));
}
