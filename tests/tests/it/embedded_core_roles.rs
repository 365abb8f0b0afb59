//! The UserRoles CDI of the embedded core, as the real core answers it: roles and permissions per
//! app (public tenant only), users' roles per tenant, `UNKNOWN_ROLE_ERROR`, the 400s for bad
//! input, and what goes with a removed role, user, tenant or app. Requests written as JSON,
//! over both transports.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use tests::both_transports;
use tests::client::Reply;
use tests::embedded_core::{CoreHarness, Transport};

async fn get(h: &CoreHarness, path: &str) -> Reply {
    h.call(Method::GET, path, None).await
}

async fn post(h: &CoreHarness, path: &str, body: Value) -> Reply {
    h.call(Method::POST, path, Some(body)).await
}

async fn put(h: &CoreHarness, path: &str, body: Value) -> Reply {
    h.call(Method::PUT, path, Some(body)).await
}

/// The body of a 200 answer.
fn ok(r: &Reply) -> &Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    &r.body
}

fn refused(r: &Reply, status: StatusCode, message: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.text, format!("{message}\n"));
}

/// `PUT {prefix}/recipe/role`: the answer's body.
async fn create_role(h: &CoreHarness, prefix: &str, role: &str, permissions: Value) -> Value {
    let body = json!({ "role": role, "permissions": permissions });
    ok(&put(h, &format!("{prefix}/recipe/role"), body).await).clone()
}

async fn add_user_role(h: &CoreHarness, prefix: &str, user: &str, role: &str) -> Value {
    let body = json!({ "userId": user, "role": role });
    ok(&put(h, &format!("{prefix}/recipe/user/role"), body).await).clone()
}

async fn user_roles(h: &CoreHarness, prefix: &str, user: &str) -> Value {
    let r = get(h, &format!("{prefix}/recipe/user/roles?userId={user}")).await;
    let body = ok(&r);
    assert_eq!(body["status"], "OK", "{}", r.text);
    body["roles"].clone()
}

async fn all_roles(h: &CoreHarness, prefix: &str) -> Value {
    let r = get(h, &format!("{prefix}/recipe/roles")).await;
    ok(&r)["roles"].clone()
}

async fn role_users(h: &CoreHarness, prefix: &str, role: &str) -> Value {
    ok(&get(h, &format!("{prefix}/recipe/role/users?role={role}")).await).clone()
}

async fn permissions(h: &CoreHarness, role: &str) -> Value {
    ok(&get(h, &format!("/recipe/role/permissions?role={role}")).await).clone()
}

async fn new_tenant(h: &CoreHarness, prefix: &str, tenant: &str) {
    let body = json!({ "tenantId": tenant });
    let r = put(h, &format!("{prefix}/recipe/multitenancy/tenant/v2"), body).await;
    assert_eq!(ok(&r)["createdNew"], true, "{}", r.text);
}

async fn new_app(h: &CoreHarness, app: &str) {
    let r = put(h, "/recipe/multitenancy/app/v2", json!({ "appId": app })).await;
    assert_eq!(ok(&r)["createdNew"], true, "{}", r.text);
}

async fn roles_and_permissions_are_created_listed_and_removed(t: Transport) {
    let h = CoreHarness::new(t).await;
    assert_eq!(all_roles(&h, "").await, json!([]));
    // Created with its permissions, trimmed; again: only new permissions are added.
    let created = create_role(&h, "", " admin ", json!([" write ", "read"])).await;
    assert_eq!(created, json!({ "status": "OK", "createdNewRole": true }));
    let again = create_role(&h, "", "admin", json!(["read", "delete"])).await;
    assert_eq!(again, json!({ "status": "OK", "createdNewRole": false }));
    // Without permissions, or with `null` ones.
    let body = json!({ "role": "viewer" });
    let r = put(&h, "/recipe/role", body).await;
    assert_eq!(ok(&r)["createdNewRole"], true);
    let r = put(
        &h,
        "/recipe/role",
        json!({ "role": "editor", "permissions": null }),
    )
    .await;
    assert_eq!(ok(&r)["createdNewRole"], true);
    create_role(&h, "", "auditor", json!(["read"])).await;
    assert_eq!(
        all_roles(&h, "").await,
        json!(["admin", "auditor", "editor", "viewer"])
    );
    assert_eq!(
        permissions(&h, "admin").await,
        json!({ "status": "OK", "permissions": ["delete", "read", "write"] })
    );
    assert_eq!(
        permissions(&h, "viewer").await,
        json!({ "status": "OK", "permissions": [] })
    );
    assert_eq!(
        permissions(&h, "nobody").await,
        json!({ "status": "UNKNOWN_ROLE_ERROR" })
    );
    let r = get(&h, "/recipe/permission/roles?permission=%20read%20").await;
    assert_eq!(
        ok(&r),
        &json!({ "status": "OK", "roles": ["admin", "auditor"] })
    );
    let r = get(&h, "/recipe/permission/roles?permission=none").await;
    assert_eq!(ok(&r), &json!({ "status": "OK", "roles": [] }));

    // Some permissions removed (one it does not have is ignored), then all of them.
    let body = json!({ "role": "admin", "permissions": ["delete", "fly"] });
    let r = post(&h, "/recipe/role/permissions/remove", body).await;
    assert_eq!(ok(&r), &json!({ "status": "OK" }));
    assert_eq!(
        permissions(&h, "admin").await["permissions"],
        json!(["read", "write"])
    );
    let r = post(
        &h,
        "/recipe/role/permissions/remove",
        json!({ "role": "admin" }),
    )
    .await;
    assert_eq!(ok(&r), &json!({ "status": "OK" }));
    assert_eq!(permissions(&h, "admin").await["permissions"], json!([]));
    let body = json!({ "role": "nobody", "permissions": ["read"] });
    let r = post(&h, "/recipe/role/permissions/remove", body).await;
    assert_eq!(ok(&r), &json!({ "status": "UNKNOWN_ROLE_ERROR" }));

    // A removed role takes its permissions with it.
    let r = post(&h, "/recipe/role/remove", json!({ "role": " auditor" })).await;
    assert_eq!(ok(&r), &json!({ "status": "OK", "didRoleExist": true }));
    let r = post(&h, "/recipe/role/remove", json!({ "role": "auditor" })).await;
    assert_eq!(ok(&r), &json!({ "status": "OK", "didRoleExist": false }));
    assert_eq!(
        all_roles(&h, "").await,
        json!(["admin", "editor", "viewer"])
    );
    let r = get(&h, "/recipe/permission/roles?permission=read").await;
    assert_eq!(ok(&r)["roles"], json!([]));
    // Created again, it starts with no permissions.
    create_role(&h, "", "auditor", json!([])).await;
    assert_eq!(permissions(&h, "auditor").await["permissions"], json!([]));
}

async fn users_are_given_roles_and_lose_them(t: Transport) {
    let h = CoreHarness::new(t).await;
    create_role(&h, "", "admin", json!([])).await;
    create_role(&h, "", "viewer", json!([])).await;
    // Any user id, known to the core or not.
    let added = add_user_role(&h, "", "u1", " admin ").await;
    assert_eq!(
        added,
        json!({ "status": "OK", "didUserAlreadyHaveRole": false })
    );
    let again = add_user_role(&h, "", "u1", "admin").await;
    assert_eq!(
        again,
        json!({ "status": "OK", "didUserAlreadyHaveRole": true })
    );
    add_user_role(&h, "", "u1", "viewer").await;
    add_user_role(&h, "", "u2", "viewer").await;
    add_user_role(&h, "", "u0", "viewer").await;
    assert_eq!(
        add_user_role(&h, "", "u1", "nobody").await,
        json!({ "status": "UNKNOWN_ROLE_ERROR" })
    );
    assert_eq!(user_roles(&h, "", "u1").await, json!(["admin", "viewer"]));
    assert_eq!(
        user_roles(&h, "/public", "u1").await,
        json!(["admin", "viewer"])
    );
    assert_eq!(user_roles(&h, "", "someone").await, json!([]));
    assert_eq!(
        role_users(&h, "", "viewer").await,
        json!({ "status": "OK", "users": ["u1", "u2", "u0"] })
    );
    assert_eq!(
        role_users(&h, "", "nobody").await,
        json!({ "status": "UNKNOWN_ROLE_ERROR" })
    );

    let remove = |user: &str, role: &str| json!({ "userId": user, "role": role });
    let r = post(&h, "/recipe/user/role/remove", remove("u1", "viewer ")).await;
    assert_eq!(ok(&r), &json!({ "status": "OK", "didUserHaveRole": true }));
    let r = post(&h, "/recipe/user/role/remove", remove("u1", "viewer")).await;
    assert_eq!(ok(&r), &json!({ "status": "OK", "didUserHaveRole": false }));
    let r = post(&h, "/recipe/user/role/remove", remove("u1", "nobody")).await;
    assert_eq!(ok(&r), &json!({ "status": "UNKNOWN_ROLE_ERROR" }));
    assert_eq!(user_roles(&h, "", "u1").await, json!(["admin"]));

    // A removed role is taken from every user.
    let r = post(&h, "/recipe/role/remove", json!({ "role": "viewer" })).await;
    assert_eq!(ok(&r)["didRoleExist"], true);
    assert_eq!(user_roles(&h, "", "u2").await, json!([]));
    create_role(&h, "", "viewer", json!([])).await;
    assert_eq!(role_users(&h, "", "viewer").await["users"], json!([]));
}

async fn user_roles_belong_to_a_tenant_and_roles_to_the_app(t: Transport) {
    let h = CoreHarness::new(t).await;
    new_tenant(&h, "", "t1").await;
    new_tenant(&h, "", "t2").await;
    create_role(&h, "", "admin", json!(["read"])).await;
    add_user_role(&h, "/t1", "u1", "admin").await;
    assert_eq!(user_roles(&h, "/t1", "u1").await, json!(["admin"]));
    assert_eq!(user_roles(&h, "/t2", "u1").await, json!([]));
    assert_eq!(user_roles(&h, "", "u1").await, json!([]));
    assert_eq!(role_users(&h, "/t1", "admin").await["users"], json!(["u1"]));
    assert_eq!(role_users(&h, "/t2", "admin").await["users"], json!([]));
    // The same role in another tenant is another association.
    let added = add_user_role(&h, "/t2", "u1", "admin").await;
    assert_eq!(added["didUserAlreadyHaveRole"], false);
    let body = json!({ "userId": "u1", "role": "admin" });
    let r = post(&h, "/t2/recipe/user/role/remove", body).await;
    assert_eq!(ok(&r)["didUserHaveRole"], true);
    assert_eq!(user_roles(&h, "/t1", "u1").await, json!(["admin"]));

    // Roles and permissions are the app's: only the public tenant manages or lists them.
    let only_public = "Only public tenantId can call this app specific API";
    for r in [
        put(&h, "/t1/recipe/role", json!({ "role": "x" })).await,
        get(&h, "/t1/recipe/roles").await,
        get(&h, "/t1/recipe/role/permissions?role=admin").await,
        post(
            &h,
            "/t1/recipe/role/permissions/remove",
            json!({ "role": "admin" }),
        )
        .await,
        get(&h, "/t1/recipe/permission/roles?permission=read").await,
        post(&h, "/t1/recipe/role/remove", json!({ "role": "admin" })).await,
    ] {
        refused(&r, StatusCode::FORBIDDEN, only_public);
    }
    assert_eq!(all_roles(&h, "/public").await, json!(["admin"]));
    // A tenant that does not exist is not served.
    let r = get(&h, "/t9/recipe/user/roles?userId=u1").await;
    assert_ne!(r.status, StatusCode::OK, "{}", r.text);
}

async fn each_app_has_its_own_roles(t: Transport) {
    let h = CoreHarness::new(t).await;
    new_app(&h, "shop").await;
    create_role(&h, "", "admin", json!(["read"])).await;
    add_user_role(&h, "", "u1", "admin").await;
    assert_eq!(all_roles(&h, "/appid-shop").await, json!([]));
    assert_eq!(
        add_user_role(&h, "/appid-shop", "u1", "admin").await,
        json!({ "status": "UNKNOWN_ROLE_ERROR" })
    );
    let created = create_role(&h, "/appid-shop", "admin", json!(["sell"])).await;
    assert_eq!(created["createdNewRole"], true);
    let r = get(&h, "/appid-shop/recipe/role/permissions?role=admin").await;
    assert_eq!(ok(&r)["permissions"], json!(["sell"]));
    assert_eq!(user_roles(&h, "/appid-shop", "u1").await, json!([]));
    add_user_role(&h, "/appid-shop/public", "u2", "admin").await;
    assert_eq!(role_users(&h, "", "admin").await["users"], json!(["u1"]));
    // Removing the role in one app leaves the other's.
    let r = post(
        &h,
        "/appid-shop/recipe/role/remove",
        json!({ "role": "admin" }),
    )
    .await;
    assert_eq!(ok(&r)["didRoleExist"], true);
    assert_eq!(user_roles(&h, "", "u1").await, json!(["admin"]));
    assert_eq!(
        permissions(&h, "admin").await["permissions"],
        json!(["read"])
    );
}

async fn a_removed_app_takes_its_roles_with_it(t: Transport) {
    let h = CoreHarness::new(t).await;
    new_app(&h, "shop").await;
    new_tenant(&h, "/appid-shop", "t1").await;
    create_role(&h, "/appid-shop", "admin", json!(["sell"])).await;
    add_user_role(&h, "/appid-shop/t1", "u1", "admin").await;
    add_user_role(&h, "/appid-shop", "u1", "admin").await;
    let r = post(
        &h,
        "/recipe/multitenancy/app/remove",
        json!({ "appId": "shop" }),
    )
    .await;
    assert_eq!(ok(&r)["didExist"], true, "{}", r.text);
    // Created again, the app starts with nothing.
    new_app(&h, "shop").await;
    new_tenant(&h, "/appid-shop", "t1").await;
    assert_eq!(all_roles(&h, "/appid-shop").await, json!([]));
    let created = create_role(&h, "/appid-shop", "admin", json!([])).await;
    assert_eq!(created["createdNewRole"], true);
    let r = get(&h, "/appid-shop/recipe/role/permissions?role=admin").await;
    assert_eq!(ok(&r)["permissions"], json!([]));
    assert_eq!(user_roles(&h, "/appid-shop/t1", "u1").await, json!([]));
    assert_eq!(user_roles(&h, "/appid-shop", "u1").await, json!([]));
}

/// Signs a new user in on `tenant` with a one-time code: its id.
async fn sign_in(h: &CoreHarness, tenant: &str, email: &str) -> String {
    let r = post(
        h,
        &format!("/{tenant}/recipe/signinup/code"),
        json!({ "email": email }),
    )
    .await;
    let code = ok(&r).clone();
    let body = json!({
        "preAuthSessionId": code["preAuthSessionId"],
        "deviceId": code["deviceId"],
        "userInputCode": code["userInputCode"],
    });
    let r = post(h, &format!("/{tenant}/recipe/signinup/code/consume"), body).await;
    assert_eq!(ok(&r)["status"], "OK", "{}", r.text);
    r.body["user"]["id"].as_str().unwrap().to_owned()
}

async fn removed_users_and_tenants_take_their_roles_with_them(t: Transport) {
    let h = CoreHarness::new(t).await;
    new_tenant(&h, "", "t1").await;
    new_tenant(&h, "", "t2").await;
    create_role(&h, "", "admin", json!([])).await;
    // A removed user loses its roles in every tenant; others keep theirs.
    for tenant in ["", "/t1", "/t2"] {
        add_user_role(&h, tenant, "gone", "admin").await;
        add_user_role(&h, tenant, "kept", "admin").await;
    }
    let r = post(&h, "/user/remove", json!({ "userId": "gone" })).await;
    assert_eq!(ok(&r)["status"], "OK", "{}", r.text);
    for tenant in ["", "/t1", "/t2"] {
        assert_eq!(user_roles(&h, tenant, "gone").await, json!([]), "{tenant}");
        assert_eq!(user_roles(&h, tenant, "kept").await, json!(["admin"]));
    }
    // A removed tenant takes the roles held there; created again, it has none.
    let r = post(
        &h,
        "/recipe/multitenancy/tenant/remove",
        json!({ "tenantId": "t1" }),
    )
    .await;
    assert_eq!(ok(&r)["didExist"], true, "{}", r.text);
    new_tenant(&h, "", "t1").await;
    assert_eq!(user_roles(&h, "/t1", "kept").await, json!([]));
    assert_eq!(user_roles(&h, "/t2", "kept").await, json!(["admin"]));
    assert_eq!(role_users(&h, "", "admin").await["users"], json!(["kept"]));
    // A user taken out of a tenant loses the roles held there, not elsewhere.
    let user = sign_in(&h, "t2", "a@example.com").await;
    let body = json!({ "recipeUserId": user });
    let r = post(&h, "/public/recipe/multitenancy/tenant/user", body.clone()).await;
    assert_eq!(ok(&r)["status"], "OK", "{}", r.text);
    add_user_role(&h, "/t2", &user, "admin").await;
    add_user_role(&h, "", &user, "admin").await;
    let r = post(&h, "/t2/recipe/multitenancy/tenant/user/remove", body).await;
    assert_eq!(ok(&r)["wasAssociated"], true, "{}", r.text);
    assert_eq!(user_roles(&h, "/t2", &user).await, json!([]));
    assert_eq!(user_roles(&h, "", &user).await, json!(["admin"]));
}

async fn bad_input_is_a_400_in_the_real_cores_words(t: Transport) {
    let h = CoreHarness::new(t).await;
    create_role(&h, "", "admin", json!([])).await;
    let bad = StatusCode::BAD_REQUEST;
    let empty_role = "Field name 'role' cannot be an empty String";
    let invalid = |field: &str| format!("Field name '{field}' is invalid in JSON input");
    let missing = |field: &str| format!("Field name '{field}' is missing in GET request");
    for (method, path) in [
        (Method::PUT, "/recipe/role"),
        (Method::POST, "/recipe/role/remove"),
        (Method::POST, "/recipe/role/permissions/remove"),
    ] {
        let r = h
            .call(method.clone(), path, Some(json!({ "role": "  " })))
            .await;
        refused(&r, bad, empty_role);
        let r = h.call(method.clone(), path, Some(json!({}))).await;
        refused(&r, bad, &invalid("role"));
        let r = h
            .call(method.clone(), path, Some(json!({ "role": 7 })))
            .await;
        refused(&r, bad, &invalid("role"));
        let r = h.call(method.clone(), path, None).await;
        refused(&r, bad, "Invalid Json Input");
        if path != "/recipe/role/remove" {
            let body = json!({ "role": "admin", "permissions": ["ok", " "] });
            let r = h.call(method.clone(), path, Some(body)).await;
            refused(
                &r,
                bad,
                "Field name 'permissions' cannot contain an empty string",
            );
            for permissions in [json!("read"), json!([1])] {
                let body = json!({ "role": "admin", "permissions": permissions });
                let r = h.call(method.clone(), path, Some(body)).await;
                refused(&r, bad, &invalid("permissions"));
            }
        }
    }
    for (method, path) in [
        (Method::PUT, "/recipe/user/role"),
        (Method::POST, "/recipe/user/role/remove"),
    ] {
        let body = json!({ "userId": "u1", "role": "" });
        refused(
            &h.call(method.clone(), path, Some(body)).await,
            bad,
            empty_role,
        );
        let body = json!({ "role": "admin" });
        let r = h.call(method.clone(), path, Some(body)).await;
        refused(&r, bad, &invalid("userId"));
        let body = json!({ "userId": "u1" });
        let r = h.call(method.clone(), path, Some(body)).await;
        refused(&r, bad, &invalid("role"));
    }
    refused(
        &get(&h, "/recipe/user/roles").await,
        bad,
        &missing("userId"),
    );
    for path in ["/recipe/role/users", "/recipe/role/permissions"] {
        refused(&get(&h, path).await, bad, &missing("role"));
        refused(&get(&h, &format!("{path}?role=%20")).await, bad, empty_role);
    }
    let path = "/recipe/permission/roles";
    refused(&get(&h, path).await, bad, &missing("permission"));
    refused(
        &get(&h, &format!("{path}?permission=")).await,
        bad,
        "Field name 'permission' cannot be an empty String",
    );
    // Nothing was changed by the refused requests.
    assert_eq!(all_roles(&h, "").await, json!(["admin"]));
    assert_eq!(permissions(&h, "admin").await["permissions"], json!([]));
}

both_transports!(
    roles_and_permissions_are_created_listed_and_removed,
    users_are_given_roles_and_lose_them,
    user_roles_belong_to_a_tenant_and_roles_to_the_app,
    each_app_has_its_own_roles,
    a_removed_app_takes_its_roles_with_it,
    removed_users_and_tenants_take_their_roles_with_them,
    bad_input_is_a_400_in_the_real_cores_words,
);
