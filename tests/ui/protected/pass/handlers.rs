// Every form of `#[protected]` is an axum handler that a router accepts.
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use supertokens::protected;
use supertokens::session::SessionContainer;

#[derive(Clone)]
struct AppState {
    greeting: &'static str,
}

#[protected]
async fn required(session: SessionContainer) -> String {
    session.user_id().to_string()
}

#[protected(optional)]
async fn optional(session: Option<SessionContainer>) -> &'static str {
    match session {
        Some(_) => "signed in",
        None => "anonymous",
    }
}

/// Still protected without a session parameter.
#[protected]
async fn no_parameter() -> StatusCode {
    StatusCode::NO_CONTENT
}

#[protected(check_database, anti_csrf = "check")]
async fn strict(mut session: SessionContainer) -> &'static str {
    let _ = &mut session;
    "ok"
}

#[protected(anti_csrf = "skip")]
async fn lenient(_: SessionContainer) {}

#[protected]
pub async fn with_state_and_body(
    State(state): State<AppState>,
    Path(id): Path<u32>,
    session: supertokens::session::SessionContainer,
    Json(body): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>, (StatusCode, String)> {
    let number = body
        .get("n")
        .and_then(serde_json::Value::as_u64)
        .ok_or((StatusCode::BAD_REQUEST, "n is missing".to_string()))?;
    Ok(Json(serde_json::json!({
        "greeting": state.greeting,
        "id": id,
        "n": number,
        "user": session.user_id(),
    })))
}

#[protected]
async fn opaque_response(session: SessionContainer) -> impl axum::response::IntoResponse {
    (StatusCode::ACCEPTED, session.user_id().to_string())
}

#[protected(state = AppState)]
async fn state_named(session: SessionContainer) -> String {
    session.user_id().to_string()
}

fn main() {
    let _app: Router = Router::new()
        .route("/required", get(required))
        .route("/optional", get(optional))
        .route("/no-parameter", get(no_parameter))
        .route("/strict", post(strict))
        .route("/lenient", post(lenient))
        .route("/items/{id}", post(with_state_and_body))
        .route("/state", get(state_named))
        .route("/opaque", get(opaque_response))
        .with_state(AppState { greeting: "hello" });
}
