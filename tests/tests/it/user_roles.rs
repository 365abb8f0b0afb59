//! The UserRoles functions of the SDK (`st.user_roles()`), on the embedded core in-process and
//! on the `embedded-core` server over HTTP, as an app with `connection_uri` calls a core.

use std::ffi::OsStr;

use supertokens::core::CoreError;
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use supertokens::multitenancy::TenantSettings;
use supertokens::session::SessionConfig;
use supertokens::user_roles::{AddRoleToUserResult, RemoveUserRoleResult};
use supertokens::{Config, SuperTokens};
use tests::core_process::{CoreProcess, server_binary};

/// An SDK instance on a new embedded core in this process, on an in-memory database.
pub(super) fn embedded_sdk() -> SuperTokens {
    let core = EmbeddedCoreConfig {
        database: Database::Memory,
        ..EmbeddedCoreConfig::default()
    };
    sdk(config().embedded_core(core))
}

/// A new `embedded-core` server process (in memory) and an SDK instance calling it over HTTP.
/// The server stops when the returned process is dropped.
pub(super) async fn remote_sdk() -> (CoreProcess, SuperTokens) {
    let binary = tokio::task::spawn_blocking(server_binary).await.unwrap();
    let core = CoreProcess::start(&binary, [OsStr::new("--db"), OsStr::new(":memory:")]);
    let st = sdk(config().connection_uri(core.url.clone()));
    (core, st)
}

fn config() -> supertokens::ConfigBuilder {
    Config::builder()
        .app_name("Roles")
        .api_domain("http://localhost:3001")
        .website_domain("http://localhost:3000")
        .session(SessionConfig::new())
}

fn sdk(config: supertokens::ConfigBuilder) -> SuperTokens {
    SuperTokens::new(config.build().expect("a valid configuration")).expect("an instance")
}

/// Every UserRoles function, and what each answers for a role the app does not have.
async fn every_function(st: &SuperTokens) {
    let roles = st.user_roles();
    assert!(roles.get_all_roles().await.unwrap().is_empty());
    assert!(
        roles
            .create_new_role_or_add_permissions("admin", &["orders:write", "orders:read"])
            .await
            .unwrap()
    );
    assert!(
        !roles
            .create_new_role_or_add_permissions("admin", &["users:delete"])
            .await
            .unwrap()
    );
    assert!(
        roles
            .create_new_role_or_add_permissions("viewer", &["orders:read"])
            .await
            .unwrap()
    );
    assert!(
        roles
            .create_new_role_or_add_permissions("empty", &[])
            .await
            .unwrap()
    );
    assert_eq!(
        roles.get_all_roles().await.unwrap(),
        ["admin", "empty", "viewer"]
    );
    assert_eq!(
        roles.get_permissions_for_role("admin").await.unwrap(),
        Some(vec![
            "orders:read".to_owned(),
            "orders:write".to_owned(),
            "users:delete".to_owned()
        ])
    );
    assert_eq!(
        roles.get_permissions_for_role("empty").await.unwrap(),
        Some(vec![])
    );
    assert_eq!(
        roles.get_permissions_for_role("nobody").await.unwrap(),
        None
    );
    assert_eq!(
        roles
            .get_roles_that_have_permission("orders:read")
            .await
            .unwrap(),
        ["admin", "viewer"]
    );
    assert!(
        roles
            .remove_permissions_from_role("admin", &["users:delete", "not-there"])
            .await
            .unwrap()
    );
    assert!(
        !roles
            .remove_permissions_from_role("nobody", &["orders:read"])
            .await
            .unwrap()
    );
    assert_eq!(
        roles.get_permissions_for_role("admin").await.unwrap(),
        Some(vec!["orders:read".to_owned(), "orders:write".to_owned()])
    );

    let add = |user: &'static str, role: &'static str| roles.add_role_to_user("public", user, role);
    assert_eq!(
        add("alice", "admin").await.unwrap(),
        AddRoleToUserResult::Added
    );
    assert_eq!(
        add("alice", "admin").await.unwrap(),
        AddRoleToUserResult::AlreadyHad
    );
    assert_eq!(
        add("alice", "viewer").await.unwrap(),
        AddRoleToUserResult::Added
    );
    assert_eq!(
        add("bob", "viewer").await.unwrap(),
        AddRoleToUserResult::Added
    );
    assert_eq!(
        add("alice", "nobody").await.unwrap(),
        AddRoleToUserResult::UnknownRole
    );
    assert_eq!(
        roles.get_roles_for_user("public", "alice").await.unwrap(),
        ["admin", "viewer"]
    );
    assert!(
        roles
            .get_roles_for_user("public", "carol")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        roles
            .get_users_that_have_role("public", "viewer")
            .await
            .unwrap(),
        Some(vec!["alice".to_owned(), "bob".to_owned()])
    );
    assert_eq!(
        roles
            .get_users_that_have_role("public", "nobody")
            .await
            .unwrap(),
        None
    );

    let remove =
        |user: &'static str, role: &'static str| roles.remove_user_role("public", user, role);
    assert_eq!(
        remove("alice", "viewer").await.unwrap(),
        RemoveUserRoleResult::Removed
    );
    assert_eq!(
        remove("alice", "viewer").await.unwrap(),
        RemoveUserRoleResult::DidNotHave
    );
    assert_eq!(
        remove("alice", "nobody").await.unwrap(),
        RemoveUserRoleResult::UnknownRole
    );
    assert_eq!(
        roles.get_roles_for_user("public", "alice").await.unwrap(),
        ["admin"]
    );

    // A deleted role is taken from its users.
    assert!(roles.delete_role("viewer").await.unwrap());
    assert!(!roles.delete_role("viewer").await.unwrap());
    assert!(
        roles
            .get_roles_for_user("public", "bob")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(roles.get_all_roles().await.unwrap(), ["admin", "empty"]);
}

/// A user's roles in one tenant are not theirs in another.
async fn roles_of_a_user_are_per_tenant(st: &SuperTokens) {
    let roles = st.user_roles();
    st.multitenancy()
        .create_or_update_tenant("t1", TenantSettings::new())
        .await
        .unwrap();
    roles
        .create_new_role_or_add_permissions("admin", &[])
        .await
        .unwrap();
    assert_eq!(
        roles.add_role_to_user("t1", "dave", "admin").await.unwrap(),
        AddRoleToUserResult::Added
    );
    assert_eq!(
        roles.get_roles_for_user("t1", "dave").await.unwrap(),
        ["admin"]
    );
    assert!(
        roles
            .get_roles_for_user("public", "dave")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        roles.get_users_that_have_role("t1", "admin").await.unwrap(),
        Some(vec!["dave".to_owned()])
    );
    assert_eq!(
        roles
            .remove_user_role("public", "dave", "admin")
            .await
            .unwrap(),
        RemoveUserRoleResult::DidNotHave
    );
}

/// An empty role is the core's 400, a [`CoreError::Status`].
async fn an_empty_role_is_refused_by_the_core(st: &SuperTokens) {
    let roles = st.user_roles();
    let error = roles
        .create_new_role_or_add_permissions(" ", &[])
        .await
        .unwrap_err();
    match error {
        CoreError::Status { status, body, .. } => {
            assert_eq!(status, 400);
            assert!(
                body.contains("Field name 'role' cannot be an empty String"),
                "{body}"
            );
        }
        other => panic!("a 400, not {other:?}"),
    }
    let error = roles.get_permissions_for_role("").await.unwrap_err();
    assert!(
        matches!(error, CoreError::Status { status: 400, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn every_function_on_the_embedded_core() {
    every_function(&embedded_sdk()).await;
}

#[tokio::test]
async fn roles_of_a_user_are_per_tenant_on_the_embedded_core() {
    roles_of_a_user_are_per_tenant(&embedded_sdk()).await;
}

#[tokio::test]
async fn an_empty_role_is_refused_on_the_embedded_core() {
    an_empty_role_is_refused_by_the_core(&embedded_sdk()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_on_the_embedded_core_server_over_http() {
    let (_core, st) = remote_sdk().await;
    every_function(&st).await;
    roles_of_a_user_are_per_tenant(&st).await;
    an_empty_role_is_refused_by_the_core(&st).await;
}
