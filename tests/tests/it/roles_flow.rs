//! Role checks end to end, as the `roles` example runs them: `#[protected(roles = ["admin"])]`
//! refuses a user without the role with the 403 the frontends read, a grant plus a claim refresh
//! lets the same session in, and new sessions carry their roles. On the embedded core
//! in-process and on the `embedded-core` server over HTTP.

use std::ffi::OsStr;

use axum::Router;
use axum::routing::{get, post};
use serde_json::{Value, json};
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use supertokens::session::{ResponseChanges, SessionConfig, SessionContainer, SessionError};
use supertokens::user_roles::{UserRoleClaim, UserRolesConfig};
use supertokens::{Config, ConfigBuilder, SuperTokens, protected};
use tests::client::{Client, Reply};
use tests::core_process::{CoreProcess, server_binary};

#[protected(roles = ["admin"])]
async fn admin(session: SessionContainer) -> axum::Json<Value> {
    axum::Json(json!({ "admin": true, "userId": session.user_id() }))
}

#[protected(permissions = ["orders:read"])]
async fn orders() -> &'static str {
    "orders"
}

#[protected(any_role = ["admin", "support"])]
async fn support() -> &'static str {
    "support"
}

/// Gives the caller the admin role and refreshes the roles in the caller's session.
#[protected]
async fn grant_admin(
    st: SuperTokens,
    session: SessionContainer,
) -> Result<(ResponseChanges, axum::Json<Value>), SessionError> {
    let roles = st.user_roles();
    roles
        .create_new_role_or_add_permissions("admin", &["orders:read"])
        .await?;
    roles
        .add_role_to_user(session.tenant_id(), session.user_id(), "admin")
        .await?;
    let changes = session.fetch_and_set_claim(&UserRoleClaim).await?;
    Ok((changes, axum::Json(json!({ "status": "OK" }))))
}

fn config(roles: UserRolesConfig) -> ConfigBuilder {
    Config::builder()
        .app_name("Roles")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .session(SessionConfig::new())
        .user_roles(roles)
}

fn in_process(roles: UserRolesConfig) -> SuperTokens {
    let core = EmbeddedCoreConfig {
        database: Database::Memory,
        ..EmbeddedCoreConfig::default()
    };
    SuperTokens::new(config(roles).embedded_core(core).build().expect("config")).expect("sdk")
}

async fn over_http(roles: UserRolesConfig) -> (CoreProcess, SuperTokens) {
    let binary = tokio::task::spawn_blocking(server_binary)
        .await
        .expect("build");
    let core = CoreProcess::start(&binary, [OsStr::new("--db"), OsStr::new(":memory:")]);
    let st = SuperTokens::new(
        config(roles)
            .connection_uri(core.url.clone())
            .build()
            .expect("config"),
    )
    .expect("sdk");
    (core, st)
}

fn api(st: &SuperTokens) -> Client {
    Client::router(
        Router::new()
            .route("/admin", get(admin))
            .route("/orders", get(orders))
            .route("/support", get(support))
            .route("/demo/grant-admin", post(grant_admin))
            .layer(st.layer()),
    )
}

fn new_token(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get("st-access-token")
        .map(|v| v.to_str().expect("ascii").to_owned())
}

/// A user without roles is refused, granted the role (the grant refreshes the session's
/// roles), and let in with the token the grant sent, without signing in again.
async fn refused_granted_admitted(st: &SuperTokens) {
    let app = api(st);
    let session = supertokens::testing::session(st, "user-1")
        .await
        .expect("session");
    assert_eq!(
        tests::jwt::payload(&session.access_token)["st-role"]["v"],
        json!([]),
        "new sessions carry their roles"
    );
    let refused = app.get("/admin").bearer(&session.access_token).send().await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(
        refused.body,
        json!({
            "message": "invalid claim",
            "claimValidationErrors": [{
                "id": "st-role",
                "reason": {"message": "wrong value", "expectedToInclude": "admin", "actualValue": []}
            }]
        })
    );
    assert_eq!(
        app.get("/orders")
            .bearer(&session.access_token)
            .send()
            .await
            .status,
        403
    );

    let granted = app
        .post("/demo/grant-admin")
        .bearer(&session.access_token)
        .header("rid", "session")
        .send()
        .await;
    assert_eq!(granted.status, 200, "{}", granted.text);
    let token = new_token(&granted).expect("the grant sends the refreshed roles");
    assert_eq!(
        tests::jwt::payload(&token)["st-role"]["v"],
        json!(["admin"])
    );

    let admitted = app.get("/admin").bearer(&token).send().await;
    assert_eq!(admitted.status, 200, "{}", admitted.text);
    assert_eq!(admitted.body, json!({"admin": true, "userId": "user-1"}));
    assert_eq!(app.get("/support").bearer(&token).send().await.status, 200);
    // The permission claim of the old token is still the one of sign-in time: refused until
    // it is refreshed; a new session carries the role's permissions.
    assert_eq!(app.get("/orders").bearer(&token).send().await.status, 403);
    let fresh = supertokens::testing::session(st, "user-1")
        .await
        .expect("session");
    assert_eq!(
        tests::jwt::payload(&fresh.access_token)["st-perm"]["v"],
        json!(["orders:read"])
    );
    assert_eq!(
        app.get("/orders")
            .bearer(&fresh.access_token)
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn roles_flow_on_the_embedded_core() {
    refused_granted_admitted(&in_process(UserRolesConfig::new())).await;
}

#[tokio::test]
async fn roles_flow_on_the_embedded_core_server_over_http() {
    let (_core, st) = over_http(UserRolesConfig::new()).await;
    refused_granted_admitted(&st).await;
}

#[tokio::test]
async fn roles_left_out_of_new_sessions_are_fetched_by_the_first_check() {
    let st = in_process(
        UserRolesConfig::new()
            .skip_adding_roles_to_access_token()
            .skip_adding_permissions_to_access_token(),
    );
    let roles = st.user_roles();
    roles
        .create_new_role_or_add_permissions("support", &[])
        .await
        .expect("role");
    roles
        .add_role_to_user("public", "user-2", "support")
        .await
        .expect("add");
    let session = supertokens::testing::session(&st, "user-2")
        .await
        .expect("session");
    let payload = tests::jwt::payload(&session.access_token);
    assert!(
        payload.get("st-role").is_none() && payload.get("st-perm").is_none(),
        "{payload}"
    );

    let app = api(&st);
    let reply = app
        .get("/support")
        .bearer(&session.access_token)
        .send()
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let token = new_token(&reply).expect("the fetched roles go out in a new token");
    assert_eq!(
        tests::jwt::payload(&token)["st-role"]["v"],
        json!(["support"])
    );
}

#[tokio::test]
async fn a_role_check_without_the_recipe_is_a_server_error_not_a_pass() {
    // This crate is not a binary: the check cannot be made at compile time, so the route
    // refuses every request, and says why in the log.
    let core = EmbeddedCoreConfig {
        database: Database::Memory,
        ..EmbeddedCoreConfig::default()
    };
    let st = SuperTokens::new(
        Config::builder()
            .app_name("No roles")
            .api_domain("http://localhost:3001")
            .website_domain("http://localhost:3000")
            .session(SessionConfig::new())
            .embedded_core(core)
            .build()
            .expect("config"),
    )
    .expect("sdk");
    let session = supertokens::testing::session(&st, "user-3")
        .await
        .expect("session");
    let reply = api(&st)
        .get("/admin")
        .bearer(&session.access_token)
        .send()
        .await;
    assert_eq!(reply.status, 500, "{}", reply.text);
    assert!(
        !reply.text.contains("UserRoles"),
        "no internal message in the body: {}",
        reply.text
    );
}
