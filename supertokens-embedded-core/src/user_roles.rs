//! The UserRoles recipe: roles and their permissions belong to the app, and users are given
//! roles per tenant, as in the real core. The app-level APIs (roles, permissions) answer only on
//! the public tenant; the tenant-level ones (a user's roles, a role's users) on the tenant of the
//! request's path. A user id is taken as given: like the real core, this one does not check that
//! the user exists.
//!
//! Roles and permissions come trimmed and must not be empty. Removing a role takes it from every
//! user of every tenant of the app; removing a user (`/user/remove`) takes all its roles,
//! removing a tenant or taking a user out of one takes the roles held there, and removing the
//! app takes everything.
//!
//! Lists come in the order the real core's SQLite storage gives: roles and permissions sorted,
//! the users of a role and the roles of a permission in the order they were added.

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use rusqlite::{Connection, params};
use supertokens_cdi::{
    AddUserRoleResponse, CreateRoleResponse, RemovePermissionsResponse, RemoveRoleResponse,
    RemoveUserRoleResponse, RolePermissionsRequest, RolePermissionsResponse, RoleRequest,
    RoleUsersResponse, RolesResponse, UserRoleRequest,
};

use crate::http::{CoreHttpError, CoreJson, CoreQuery, Scope, require_public_tenant};
use crate::state::SharedState;
use crate::store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
    component: "user_roles",
    version: 1,
    sql: "CREATE TABLE roles (
              app_id TEXT NOT NULL,
              role TEXT NOT NULL,
              PRIMARY KEY (app_id, role)
          );
          CREATE TABLE role_permissions (
              app_id TEXT NOT NULL,
              role TEXT NOT NULL,
              permission TEXT NOT NULL,
              PRIMARY KEY (app_id, role, permission)
          );
          CREATE INDEX role_permissions_by_permission ON role_permissions (app_id, permission);
          CREATE TABLE user_roles (
              app_id TEXT NOT NULL,
              tenant_id TEXT NOT NULL,
              user_id TEXT NOT NULL,
              role TEXT NOT NULL,
              PRIMARY KEY (app_id, tenant_id, user_id, role)
          );
          CREATE INDEX user_roles_by_role ON user_roles (app_id, role, tenant_id);
          CREATE INDEX user_roles_by_user ON user_roles (app_id, user_id);",
}];

pub(crate) fn routes() -> Router<SharedState> {
    Router::new()
        .route("/recipe/role", put(create_role))
        .route("/recipe/roles", get(all_roles))
        .route("/recipe/role/remove", post(remove_role))
        .route("/recipe/role/permissions", get(role_permissions))
        .route("/recipe/role/permissions/remove", post(remove_permissions))
        .route("/recipe/permission/roles", get(permission_roles))
        .route("/recipe/role/users", get(role_users))
        .route("/recipe/user/role", put(add_user_role))
        .route("/recipe/user/role/remove", post(remove_user_role))
        .route("/recipe/user/roles", get(user_roles))
}

/// A role or permission as the real core takes it: trimmed, not empty.
fn trimmed(raw: &str, field: &str) -> Result<String, CoreHttpError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(CoreHttpError::bad_request(format!(
            "Field name '{field}' cannot be an empty String"
        )));
    }
    Ok(value.to_owned())
}

/// A list of permissions, each trimmed; an empty one is refused.
fn permissions(raw: Option<Vec<String>>) -> Result<Option<Vec<String>>, CoreHttpError> {
    raw.map(|list| {
        list.iter()
            .map(|p| {
                let p = p.trim();
                if p.is_empty() {
                    return Err(CoreHttpError::bad_request(
                        "Field name 'permissions' cannot contain an empty string",
                    ));
                }
                Ok(p.to_owned())
            })
            .collect()
    })
    .transpose()
}

fn role_exists(conn: &Connection, app: &str, role: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM roles WHERE app_id = ?1 AND role = ?2)")?
        .query_row(params![app, role], |r| r.get(0))
}

/// The first column of every row `sql` selects with `args`.
fn strings(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |r| r.get(0))?;
    rows.collect()
}

/// The first column of every row `sql` selects with `args`, read off the writer.
async fn read_strings(
    state: &SharedState,
    sql: &'static str,
    args: Vec<String>,
) -> Result<Vec<String>, CoreHttpError> {
    let list = state
        .store
        .read(move |conn| Ok(strings(conn, sql, rusqlite::params_from_iter(args))?))
        .await?;
    Ok(list)
}

/// `PUT /recipe/role`: creates the role if needed and adds the permissions it does not have.
async fn create_role(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<RolePermissionsRequest>,
) -> Result<Json<CreateRoleResponse>, CoreHttpError> {
    let role = trimmed(&req.role, "role")?;
    let permissions = permissions(req.permissions)?.unwrap_or_default();
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    let created_new_role = state
        .store
        .write(move |tx| {
            let created = tx
                .prepare_cached("INSERT OR IGNORE INTO roles (app_id, role) VALUES (?1, ?2)")?
                .execute(params![app, role])?
                > 0;
            let mut add = tx.prepare_cached(
                "INSERT OR IGNORE INTO role_permissions (app_id, role, permission)
                 VALUES (?1, ?2, ?3)",
            )?;
            for permission in &permissions {
                add.execute(params![app, role, permission])?;
            }
            Ok(created)
        })
        .await?;
    Ok(Json(CreateRoleResponse::Ok { created_new_role }))
}

/// `GET /recipe/roles`: every role of the app.
async fn all_roles(
    State(state): State<SharedState>,
    scope: Scope,
) -> Result<Json<RolesResponse>, CoreHttpError> {
    require_public_tenant(&scope)?;
    let sql = "SELECT role FROM roles WHERE app_id = ?1 ORDER BY role";
    let roles = read_strings(&state, sql, vec![scope.app_id]).await?;
    Ok(Json(RolesResponse::Ok { roles }))
}

/// `POST /recipe/role/remove`: the role, its permissions, and every user's association with it
/// in every tenant.
async fn remove_role(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<RoleRequest>,
) -> Result<Json<RemoveRoleResponse>, CoreHttpError> {
    let role = trimmed(&req.role, "role")?;
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    let did_role_exist = state
        .store
        .write(move |tx| {
            let mut removed = 0;
            for table in ["user_roles", "role_permissions", "roles"] {
                removed += tx
                    .prepare_cached(&format!(
                        "DELETE FROM {table} WHERE app_id = ?1 AND role = ?2"
                    ))?
                    .execute(params![app, role])?;
            }
            Ok(removed > 0)
        })
        .await?;
    Ok(Json(RemoveRoleResponse::Ok { did_role_exist }))
}

/// `GET /recipe/role/permissions?role=…`
async fn role_permissions(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<RolePermissionsResponse>, CoreHttpError> {
    let role = trimmed(query.require("role")?, "role")?;
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    let answer = state
        .store
        .read(move |conn| {
            if !role_exists(conn, &app, &role)? {
                return Ok(RolePermissionsResponse::UnknownRole);
            }
            let permissions = strings(
                conn,
                "SELECT permission FROM role_permissions WHERE app_id = ?1 AND role = ?2
                 ORDER BY permission",
                params![app, role],
            )?;
            Ok(RolePermissionsResponse::Ok { permissions })
        })
        .await?;
    Ok(Json(answer))
}

/// `POST /recipe/role/permissions/remove`: the given permissions, or all of them when the
/// request names none.
async fn remove_permissions(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<RolePermissionsRequest>,
) -> Result<Json<RemovePermissionsResponse>, CoreHttpError> {
    let role = trimmed(&req.role, "role")?;
    let permissions = permissions(req.permissions)?;
    require_public_tenant(&scope)?;
    let app = scope.app_id;
    let answer = state
        .store
        .write(move |tx| {
            if !role_exists(tx, &app, &role)? {
                return Ok(RemovePermissionsResponse::UnknownRole);
            }
            match permissions {
                None => {
                    tx.prepare_cached(
                        "DELETE FROM role_permissions WHERE app_id = ?1 AND role = ?2",
                    )?
                    .execute(params![app, role])?;
                }
                Some(permissions) => {
                    let mut remove = tx.prepare_cached(
                        "DELETE FROM role_permissions
                         WHERE app_id = ?1 AND role = ?2 AND permission = ?3",
                    )?;
                    for permission in &permissions {
                        remove.execute(params![app, role, permission])?;
                    }
                }
            }
            Ok(RemovePermissionsResponse::Ok)
        })
        .await?;
    Ok(Json(answer))
}

/// `GET /recipe/permission/roles?permission=…`: the roles that have the permission.
async fn permission_roles(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<RolesResponse>, CoreHttpError> {
    let permission = trimmed(query.require("permission")?, "permission")?;
    require_public_tenant(&scope)?;
    let sql = "SELECT role FROM role_permissions WHERE app_id = ?1 AND permission = ?2
               ORDER BY rowid";
    let roles = read_strings(&state, sql, vec![scope.app_id, permission]).await?;
    Ok(Json(RolesResponse::Ok { roles }))
}

/// `GET /<tenant>/recipe/role/users?role=…`: the users of the tenant with the role.
async fn role_users(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<RoleUsersResponse>, CoreHttpError> {
    let role = trimmed(query.require("role")?, "role")?;
    let answer = state
        .store
        .read(move |conn| {
            if !role_exists(conn, &scope.app_id, &role)? {
                return Ok(RoleUsersResponse::UnknownRole);
            }
            let users = strings(
                conn,
                "SELECT user_id FROM user_roles WHERE app_id = ?1 AND role = ?2 AND tenant_id = ?3
                 ORDER BY rowid",
                params![scope.app_id, role, scope.tenant_id],
            )?;
            Ok(RoleUsersResponse::Ok { users })
        })
        .await?;
    Ok(Json(answer))
}

/// Runs `sql` (with the app, tenant, user and role) when the app has the request's role: the
/// number of rows it changed, `None` for an unknown role.
async fn change_user_role(
    state: &SharedState,
    scope: Scope,
    req: UserRoleRequest,
    sql: &'static str,
) -> Result<Option<usize>, CoreHttpError> {
    let role = trimmed(&req.role, "role")?;
    let changed = state
        .store
        .write(move |tx| {
            if !role_exists(tx, &scope.app_id, &role)? {
                return Ok(None);
            }
            let changed = tx.prepare_cached(sql)?.execute(params![
                scope.app_id,
                scope.tenant_id,
                req.user_id,
                role
            ])?;
            Ok(Some(changed))
        })
        .await?;
    Ok(changed)
}

/// `PUT /<tenant>/recipe/user/role`: gives the user a role of the app in the tenant.
async fn add_user_role(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<UserRoleRequest>,
) -> Result<Json<AddUserRoleResponse>, CoreHttpError> {
    let sql = "INSERT OR IGNORE INTO user_roles (app_id, tenant_id, user_id, role)
               VALUES (?1, ?2, ?3, ?4)";
    Ok(Json(
        match change_user_role(&state, scope, req, sql).await? {
            None => AddUserRoleResponse::UnknownRole,
            Some(added) => AddUserRoleResponse::Ok {
                did_user_already_have_role: added == 0,
            },
        },
    ))
}

/// `POST /<tenant>/recipe/user/role/remove`: takes the role from the user in the tenant.
async fn remove_user_role(
    State(state): State<SharedState>,
    scope: Scope,
    CoreJson(req): CoreJson<UserRoleRequest>,
) -> Result<Json<RemoveUserRoleResponse>, CoreHttpError> {
    let sql = "DELETE FROM user_roles
               WHERE app_id = ?1 AND tenant_id = ?2 AND user_id = ?3 AND role = ?4";
    Ok(Json(
        match change_user_role(&state, scope, req, sql).await? {
            None => RemoveUserRoleResponse::UnknownRole,
            Some(removed) => RemoveUserRoleResponse::Ok {
                did_user_have_role: removed > 0,
            },
        },
    ))
}

/// `GET /<tenant>/recipe/user/roles?userId=…`: the user's roles in the tenant.
async fn user_roles(
    State(state): State<SharedState>,
    scope: Scope,
    query: CoreQuery,
) -> Result<Json<RolesResponse>, CoreHttpError> {
    let user = query.require("userId")?.to_owned();
    let sql = "SELECT role FROM user_roles WHERE app_id = ?1 AND tenant_id = ?2 AND user_id = ?3
               ORDER BY role";
    let roles = read_strings(&state, sql, vec![scope.app_id, scope.tenant_id, user]).await?;
    Ok(Json(RolesResponse::Ok { roles }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_permissions_are_trimmed_and_must_not_be_empty() {
        assert_eq!(trimmed(" admin ", "role").unwrap(), "admin");
        assert_eq!(
            trimmed(" \t", "role").unwrap_err().message,
            "Field name 'role' cannot be an empty String"
        );
        assert_eq!(
            permissions(Some(vec![" read ".into(), "write".into()])).unwrap(),
            Some(vec!["read".to_owned(), "write".to_owned()])
        );
        assert_eq!(permissions(None).unwrap(), None);
        assert_eq!(
            permissions(Some(vec!["read".into(), " ".into()]))
                .unwrap_err()
                .message,
            "Field name 'permissions' cannot contain an empty string"
        );
    }
}
