// Role, permission and claim checks compile in a binary whose app enables the UserRoles recipe.
use axum::Router;
use axum::routing::get;
use supertokens::protected;
use supertokens::session::SessionContainer;
use supertokens::session::claims::ClaimValidator;
use supertokens::user_roles::UserRoleClaim;

#[protected(roles = ["admin"])]
async fn admin(session: SessionContainer) -> String {
    session.user_id().to_string()
}

#[protected(roles = ["admin", "auditor"], permissions = ["reports:read"])]
async fn reports() -> &'static str {
    "reports"
}

#[protected(optional, any_role = ["editor", "admin"])]
async fn drafts(session: Option<SessionContainer>) -> &'static str {
    if session.is_some() { "drafts" } else { "sign in" }
}

fn not_banned(mut checks: Vec<ClaimValidator>) -> Vec<ClaimValidator> {
    checks.push(UserRoleClaim.excludes("banned"));
    checks
}

#[protected(claims = not_banned, check_database)]
pub async fn comment(session: SessionContainer) -> String {
    session.user_id().to_string()
}

#[supertokens::app(
    app_name = "Demo",
    api_domain = "http://localhost:3001",
    website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    session(),
    user_roles(),
)]
fn main() {
    let _app: Router = Router::new()
        .route("/admin", get(admin))
        .route("/reports", get(reports))
        .route("/drafts", get(drafts))
        .route("/comment", get(comment));
}
