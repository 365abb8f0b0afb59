//! Tenants of an app on the embedded core, as the real core has them: created, read, listed and
//! removed through the multitenancy `v2` APIs, users signing in on a tenant and associated with
//! several, and the user listing of the dashboard. Over HTTP, as a backend SDK would call it.

use base64::Engine as _;
use http::{Method, StatusCode};
use serde_json::{Value, json};
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use tests::client::Reply;
use tests::embedded_core::{CoreHarness, Transport};

/// The core at some prefix (`""`, `/customer1`, `/appid-shop/t`): requests written as JSON.
struct At<'a> {
    h: &'a CoreHarness,
    prefix: String,
}

fn at<'a>(h: &'a CoreHarness, prefix: &str) -> At<'a> {
    At {
        h,
        prefix: prefix.to_owned(),
    }
}

impl At<'_> {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let request = self
            .h
            .raw
            .request(method, &format!("{}{path}", self.prefix));
        let request = match body {
            Some(body) => request.json(&body),
            None => request,
        };
        request.send().await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn put_tenant(&self, body: Value) -> Reply {
        let path = "/recipe/multitenancy/tenant/v2";
        self.send(Method::PUT, path, Some(body)).await
    }

    async fn remove_tenant(&self, tenant_id: &str) -> Reply {
        let body = json!({ "tenantId": tenant_id });
        self.post("/recipe/multitenancy/tenant/remove", body).await
    }

    async fn associate(&self, user_id: &str) -> Reply {
        let body = json!({ "recipeUserId": user_id });
        self.post("/recipe/multitenancy/tenant/user", body).await
    }

    async fn disassociate(&self, user_id: &str) -> Reply {
        let body = json!({ "recipeUserId": user_id });
        self.post("/recipe/multitenancy/tenant/user/remove", body)
            .await
    }

    /// A passwordless sign-in with `contact` (`{"email": …}` or `{"phoneNumber": …}`): the
    /// consumed code's answer.
    async fn sign_in(&self, contact: Value) -> Value {
        let code = self.post("/recipe/signinup/code", contact).await;
        let code = expect_ok(&code).clone();
        let consumed = self
            .post(
                "/recipe/signinup/code/consume",
                json!({
                    "preAuthSessionId": code["preAuthSessionId"],
                    "deviceId": code["deviceId"],
                    "userInputCode": code["userInputCode"],
                }),
            )
            .await;
        expect_ok(&consumed).clone()
    }

    /// A new session of `user_id` here: the created session's answer.
    async fn new_session(&self, user_id: &str) -> Value {
        let body = json!({
            "userId": user_id, "userDataInJWT": {}, "userDataInDatabase": {},
            "enableAntiCsrf": false, "useDynamicSigningKey": true,
        });
        expect_ok(&self.post("/recipe/session", body).await).clone()
    }

    /// The user with this id, as `GET /user/id` answers for the app.
    async fn user(&self, user_id: &str) -> Value {
        let r = self.get(&format!("/user/id?userId={user_id}")).await;
        expect_ok(&r)["user"].clone()
    }
}

fn expect_ok(r: &Reply) -> &Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    &r.body
}

fn status(r: &Reply) -> &str {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["status"].as_str().unwrap_or_default()
}

fn refused_with(r: &Reply, status: StatusCode, message: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert!(r.text.contains(message), "{message:?} in {:?}", r.text);
}

fn tenant_ids(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["tenantId"].as_str().unwrap())
        .collect()
}

/// The claims of an access token (the JWT's middle part).
fn claims(session: &Value) -> Value {
    let token = session["accessToken"]["token"].as_str().unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

const NOT_FOUND: &str = "AppId or tenantId not found";

#[tokio::test]
async fn tenants_are_created_read_listed_and_removed_as_the_real_core_does() {
    let h = CoreHarness::new(Transport::Http).await;
    let public = at(&h, "");
    let customer1 = at(&h, "/customer1");
    assert_eq!(
        status(&customer1.get("/recipe/multitenancy/tenant/v2").await),
        "TENANT_NOT_FOUND_ERROR"
    );
    refused_with(
        &customer1
            .post("/recipe/signinup/code", json!({"email": "a@example.com"}))
            .await,
        StatusCode::BAD_REQUEST,
        "combination not found: (, public, customer1)",
    );

    // Created once (trimmed and lowercased), then updated.
    let r = public
        .put_tenant(json!({ "tenantId": " Customer1 " }))
        .await;
    assert_eq!(expect_ok(&r)["createdNew"], true);
    let update = json!({
        "tenantId": "customer1",
        "firstFactors": ["otp-email", "link-email"],
        "coreConfig": { "passwordless_code_lifetime": 60000 },
    });
    assert_eq!(
        expect_ok(&public.put_tenant(update).await)["createdNew"],
        false
    );
    let r = customer1.get("/recipe/multitenancy/tenant/v2").await;
    assert_eq!(
        r.body,
        json!({
            "status": "OK", "tenantId": "customer1", "thirdParty": { "providers": [] },
            "firstFactors": ["otp-email", "link-email"],
            "coreConfig": { "passwordless_code_lifetime": 60000 },
        })
    );
    // A tenant updates itself; `null` takes a setting or the factors away.
    let r = customer1
        .put_tenant(json!({
            "tenantId": "customer1", "firstFactors": null,
            "requiredSecondaryFactors": ["otp-phone"],
            "coreConfig": { "passwordless_code_lifetime": null },
        }))
        .await;
    expect_ok(&r);
    let r = customer1.get("/recipe/multitenancy/tenant/v2").await;
    assert_eq!(
        r.body,
        json!({
            "status": "OK", "tenantId": "customer1", "thirdParty": { "providers": [] },
            "requiredSecondaryFactors": ["otp-phone"], "coreConfig": {},
        })
    );
    // A new tenant of the v2 API has no first factor until given some.
    expect_ok(&public.put_tenant(json!({ "tenantId": "t2" })).await);
    let list = public.get("/recipe/multitenancy/tenant/list/v2").await;
    let tenants = &expect_ok(&list)["tenants"];
    assert_eq!(tenant_ids(tenants), ["public", "customer1", "t2"]);
    assert_eq!(tenants[2]["firstFactors"], json!([]));
    assert_eq!(tenants[0].get("firstFactors"), None, "{tenants}");

    // What only the public tenant may do, and what no one may.
    refused_with(
        &customer1.put_tenant(json!({ "tenantId": "t2" })).await,
        StatusCode::FORBIDDEN,
        "You must use the public or same tenant to add/update a tenant",
    );
    refused_with(
        &customer1.get("/recipe/multitenancy/tenant/list/v2").await,
        StatusCode::FORBIDDEN,
        "Only the public tenantId is allowed to list all tenants associated with this app",
    );
    refused_with(
        &customer1.remove_tenant("t2").await,
        StatusCode::FORBIDDEN,
        "Only the public tenantId is allowed to delete a tenant",
    );
    refused_with(
        &public.remove_tenant("public").await,
        StatusCode::FORBIDDEN,
        "Cannot delete public tenant, use remove app API instead",
    );
    for (body, message) in [
        (
            json!({ "tenantId": "  " }),
            "tenantId should not be an empty String",
        ),
        (
            json!({ "tenantId": "users" }),
            "Cannot use 'users' as a tenantId",
        ),
        (
            json!({ "tenantId": "appid-x" }),
            "tenantId must not start with 'appid-'",
        ),
        (
            json!({ "tenantId": "a_b" }),
            "tenantId can only contain letters, numbers and hyphens",
        ),
        (
            json!({ "tenantId": 7 }),
            "Field name 'tenantId' is invalid in JSON input",
        ),
        (
            json!({ "tenantId": "t2", "passwordlessEnabled": true }),
            "passwordless is not a valid input for this API",
        ),
        (
            json!({ "tenantId": "t2", "firstFactors": ["otp-email", "otp-email"] }),
            "firstFactors input should not contain duplicate values",
        ),
        (
            json!({ "tenantId": "t2", "firstFactors": ["otp email"] }),
            "firstFactors should contain only 0-9,a-z,A-Z,_,.,- characters",
        ),
        (
            json!({ "tenantId": "t2", "coreConfig": { "access_token_validity": "soon" } }),
            "Invalid core config",
        ),
        (
            json!({ "coreConfig": { "access_token_validity": 5 } }),
            "Cannot modify base config",
        ),
    ] {
        refused_with(
            &public.put_tenant(body).await,
            StatusCode::BAD_REQUEST,
            message,
        );
    }

    // Removed: its routes are refused again, and a second removal finds nothing.
    assert_eq!(
        expect_ok(&public.remove_tenant("T2").await)["didExist"],
        true
    );
    assert_eq!(
        expect_ok(&public.remove_tenant("t2").await)["didExist"],
        false
    );
    refused_with(
        &at(&h, "/t2").get("/users/count").await,
        StatusCode::BAD_REQUEST,
        NOT_FOUND,
    );
    let list = public.get("/recipe/multitenancy/tenant/list/v2").await;
    assert_eq!(
        tenant_ids(&expect_ok(&list)["tenants"]),
        ["public", "customer1"]
    );
}

#[tokio::test]
async fn a_sign_in_on_a_tenant_makes_a_user_and_session_of_that_tenant() {
    let h = CoreHarness::new(Transport::Http).await;
    let public = at(&h, "");
    let customer1 = at(&h, "/customer1");
    expect_ok(&public.put_tenant(json!({ "tenantId": "customer1" })).await);

    let signed_in = customer1
        .sign_in(json!({ "email": "Same@Example.com" }))
        .await;
    assert_eq!(signed_in["createdNewUser"], true);
    assert_eq!(signed_in["user"]["tenantIds"], json!(["customer1"]));
    let user_id = signed_in["recipeUserId"].as_str().unwrap().to_owned();
    assert_eq!(
        public.user(&user_id).await["loginMethods"][0]["tenantIds"],
        json!(["customer1"])
    );
    let session = customer1.new_session(&user_id).await;
    assert_eq!(claims(&session)["tId"], "customer1");
    assert_eq!(session["session"]["tenantId"], "customer1");

    // The same address on another tenant is another user; on the same tenant the same one.
    let on_public = public.sign_in(json!({ "email": "same@example.com" })).await;
    assert_ne!(on_public["recipeUserId"], signed_in["recipeUserId"]);
    assert_eq!(on_public["user"]["tenantIds"], json!(["public"]));
    let again = customer1
        .sign_in(json!({ "email": "same@example.com" }))
        .await;
    assert_eq!(again["createdNewUser"], false);
    assert_eq!(again["recipeUserId"], signed_in["recipeUserId"]);
    let found = customer1
        .get("/users/by-accountinfo?email=same@example.com&doUnionOfAccountInfo=true")
        .await;
    let found = &expect_ok(&found)["users"];
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], signed_in["recipeUserId"]);
}

#[tokio::test]
async fn users_are_associated_with_tenants_and_taken_out_as_the_real_core_does() {
    let h = CoreHarness::new(Transport::Http).await;
    let public = at(&h, "");
    let customer1 = at(&h, "/customer1");
    expect_ok(&public.put_tenant(json!({ "tenantId": "customer1" })).await);
    let by_mail = public.sign_in(json!({ "email": "a@example.com" })).await;
    let by_mail = by_mail["recipeUserId"].as_str().unwrap().to_owned();
    let by_phone = public
        .sign_in(json!({ "phoneNumber": "+14155552671" }))
        .await;
    let by_phone = by_phone["recipeUserId"].as_str().unwrap().to_owned();

    let r = customer1.associate(&by_mail).await;
    assert_eq!(expect_ok(&r)["wasAlreadyAssociated"], false);
    let r = customer1.associate(&format!(" {by_mail} ")).await;
    assert_eq!(expect_ok(&r)["wasAlreadyAssociated"], true);
    assert_eq!(
        public.user(&by_mail).await["tenantIds"],
        json!(["customer1", "public"])
    );
    assert_eq!(
        status(&customer1.associate("no-such-user").await),
        "UNKNOWN_USER_ID_ERROR"
    );
    assert_eq!(
        status(&customer1.disassociate("no-such-user").await),
        "UNKNOWN_USER_ID_ERROR"
    );
    refused_with(
        &customer1
            .post("/recipe/multitenancy/tenant/user", json!({}))
            .await,
        StatusCode::BAD_REQUEST,
        "Field name 'recipeUserId' is invalid in JSON input",
    );
    refused_with(
        &customer1.associate("  ").await,
        StatusCode::BAD_REQUEST,
        "Field name 'userId' cannot be an empty String",
    );
    refused_with(
        &at(&h, "/nowhere").associate(&by_mail).await,
        StatusCode::BAD_REQUEST,
        NOT_FOUND,
    );

    // Another user of the tenant has the contact already.
    let other_mail = customer1.sign_in(json!({ "email": "b@example.com" })).await;
    customer1
        .sign_in(json!({ "phoneNumber": "+14155552671" }))
        .await;
    let r = public
        .associate(other_mail["recipeUserId"].as_str().unwrap())
        .await;
    assert_eq!(status(&r), "OK");
    public.sign_in(json!({ "email": "c@example.com" })).await;
    let r = customer1.sign_in(json!({ "email": "c@example.com" })).await;
    let r = public.associate(r["recipeUserId"].as_str().unwrap()).await;
    assert_eq!(status(&r), "EMAIL_ALREADY_EXISTS_ERROR");
    assert_eq!(
        status(&customer1.associate(&by_phone).await),
        "PHONE_NUMBER_ALREADY_EXISTS_ERROR"
    );

    // Taken out: the user's sessions on that tenant end, the user stays.
    let session = customer1.new_session(&by_mail).await;
    let kept = public.new_session(&by_mail).await;
    let r = customer1.disassociate(&by_mail).await;
    assert_eq!(expect_ok(&r)["wasAssociated"], true);
    assert_eq!(
        expect_ok(&customer1.disassociate(&by_mail).await)["wasAssociated"],
        false
    );
    let handle = |s: &Value| s["session"]["handle"].as_str().unwrap().to_owned();
    let r = public
        .get(&format!(
            "/recipe/session?sessionHandle={}",
            handle(&session)
        ))
        .await;
    assert_eq!(status(&r), "UNAUTHORISED");
    let r = public
        .get(&format!("/recipe/session?sessionHandle={}", handle(&kept)))
        .await;
    assert_eq!(status(&r), "OK");
    assert_eq!(public.user(&by_mail).await["tenantIds"], json!(["public"]));
    let r = public.disassociate(&by_mail).await;
    assert_eq!(expect_ok(&r)["wasAssociated"], true);
    assert_eq!(public.user(&by_mail).await["tenantIds"], json!([]));
    // In no tenant, still in the app: it can join one again.
    let r = customer1.associate(&by_mail).await;
    assert_eq!(expect_ok(&r)["wasAlreadyAssociated"], false);

    // Removing the tenant takes its associations; its users stay in the app.
    expect_ok(&public.remove_tenant("customer1").await);
    assert_eq!(public.user(&by_mail).await["tenantIds"], json!([]));
    expect_ok(&public.put_tenant(json!({ "tenantId": "customer1" })).await);
    let r = customer1.get("/users/count").await;
    assert_eq!(expect_ok(&r)["count"], 0);
    let again = customer1.sign_in(json!({ "email": "b@example.com" })).await;
    assert_eq!(
        again["createdNewUser"], true,
        "the old association went with its tenant"
    );
}

/// Every user of a listing, page after page of `page` users, as `(timeJoined, id)`.
async fn all_pages(at: &At<'_>, query: &str, page: usize) -> Vec<(i64, String)> {
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut path = format!("/users?limit={page}&{query}");
        if let Some(t) = &token {
            path.push_str(&format!("&paginationToken={}", urlencode(t)));
        }
        let r = at.get(&path).await;
        let users = expect_ok(&r)["users"].as_array().unwrap().clone();
        assert!(users.len() <= page, "{}", r.text);
        seen.extend(users.iter().map(|u| {
            (
                u["timeJoined"].as_i64().unwrap(),
                u["id"].as_str().unwrap().to_owned(),
            )
        }));
        match r.body.get("nextPaginationToken") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => return seen,
        }
        assert!(seen.len() < 100, "the listing does not end");
    }
}

/// `users` ordered as the real core lists them: by time joined (descending if asked), users who
/// joined in the same millisecond by descending id either way.
fn in_real_core_order(users: &[(i64, String)], descending: bool) -> Vec<(i64, String)> {
    let mut ordered = users.to_vec();
    ordered.sort_by(|a, b| {
        let by_time = if descending {
            b.0.cmp(&a.0)
        } else {
            a.0.cmp(&b.0)
        };
        by_time.then_with(|| b.1.cmp(&a.1))
    });
    ordered
}

/// A base64 token as a query value.
fn urlencode(s: &str) -> String {
    s.replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

#[tokio::test]
async fn users_are_listed_searched_and_counted_as_the_real_core_does() {
    let h = CoreHarness::new(Transport::Http).await;
    let public = at(&h, "");
    let customer1 = at(&h, "/customer1");
    expect_ok(&public.put_tenant(json!({ "tenantId": "customer1" })).await);
    let mut ids = Vec::new();
    for i in 0..7 {
        let user = public
            .sign_in(json!({ "email": format!("user{i}@shop.example") }))
            .await;
        ids.push((
            user["user"]["timeJoined"].as_i64().unwrap(),
            user["recipeUserId"].as_str().unwrap().to_owned(),
        ));
    }
    public
        .sign_in(json!({ "phoneNumber": "+14155550100" }))
        .await;
    let in_tenant = customer1
        .sign_in(json!({ "email": "only@tenant.example" }))
        .await;
    customer1.associate(ids[0].1.as_str()).await;

    let mut ascending = all_pages(&public, "", 3).await;
    assert_eq!(ascending.len(), 8);
    assert_eq!(ascending, in_real_core_order(&ascending, false));
    let descending = all_pages(&public, "timeJoinedOrder=DESC", 3).await;
    assert_eq!(descending, in_real_core_order(&ascending, true));
    ascending.retain(|u| ids.contains(u));
    assert_eq!(ascending.len(), 7);
    let one_page = public.get("/users").await;
    assert_eq!(expect_ok(&one_page)["users"].as_array().unwrap().len(), 8);
    assert_eq!(one_page.body.get("nextPaginationToken"), None);

    // A tenant lists its own users.
    let tenant_users: Vec<(i64, String)> = all_pages(&customer1, "", 1).await;
    let expected = [
        ids[0].clone(),
        (
            in_tenant["user"]["timeJoined"].as_i64().unwrap(),
            in_tenant["recipeUserId"].as_str().unwrap().to_owned(),
        ),
    ];
    assert_eq!(tenant_users, in_real_core_order(&expected, false));

    // The dashboard's search: prefixes, `;`-separated, of e-mails, domains or phone numbers.
    let search = |query: &'static str| {
        let public = &public;
        async move {
            let r = public.get(&format!("/users?{query}")).await;
            expect_ok(&r)["users"].as_array().unwrap().len()
        }
    };
    assert_eq!(search("email=USER1").await, 1);
    assert_eq!(search("email=user1;%20user2%20").await, 2);
    assert_eq!(search("email=shop").await, 7);
    assert_eq!(search("email=nobody").await, 0);
    assert_eq!(search("phone=%2B1415").await, 1);
    // Both given: both must match; a provider means third-party users only.
    assert_eq!(search("email=user1&phone=%2B1415").await, 0);
    assert_eq!(search("provider=google").await, 0);
    assert_eq!(search("email=user1&provider=google").await, 0);
    assert_eq!(search("includeRecipeIds=emailpassword").await, 0);
    assert_eq!(
        search("includeRecipeIds=passwordless,emailpassword").await,
        8
    );

    for (query, message) in [
        ("limit=501", "max limit allowed is 500"),
        ("limit=0", "limit must a positive integer with min value 1"),
        (
            "limit=ten",
            "Field name 'limit' must be an int in the GET request",
        ),
        (
            "timeJoinedOrder=asc",
            "timeJoinedOrder can be either ASC OR DESC",
        ),
        ("paginationToken=nonsense", "invalid pagination token"),
        ("includeRecipeIds=nope", "Unknown recipe ID: nope"),
    ] {
        refused_with(
            &public.get(&format!("/users?{query}")).await,
            StatusCode::BAD_REQUEST,
            message,
        );
    }

    // Counts: the tenant's users, or every user in a tenant of the app.
    let count = |at: &'static str, query: &'static str| {
        let h = &h;
        async move {
            let r = self::at(h, at).get(&format!("/users/count{query}")).await;
            expect_ok(&r)["count"].as_i64().unwrap()
        }
    };
    assert_eq!(count("", "").await, 8);
    assert_eq!(count("/customer1", "").await, 2);
    assert_eq!(count("", "?includeAllTenants=true").await, 9);
    assert_eq!(count("", "?includeRecipeIds=emailpassword").await, 0);
    refused_with(
        &customer1.get("/users/count?includeAllTenants=true").await,
        StatusCode::FORBIDDEN,
        "Only public tenantId can call this app specific API",
    );
}

#[tokio::test]
async fn tenants_go_with_their_app_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || EmbeddedCoreConfig {
        database: Database::File(dir.path().join("core.db")),
        ..EmbeddedCoreConfig::default()
    };
    let h = CoreHarness::with(Transport::Http, config()).await;
    let put_app = json!({ "appId": "shop" });
    expect_ok(
        &at(&h, "")
            .send(
                Method::PUT,
                "/recipe/multitenancy/app/v2",
                Some(put_app.clone()),
            )
            .await,
    );
    let shop = at(&h, "/appid-shop");
    expect_ok(&shop.put_tenant(json!({ "tenantId": "t" })).await);
    // An app's tenants are its own.
    refused_with(
        &at(&h, "/t").get("/users/count").await,
        StatusCode::BAD_REQUEST,
        NOT_FOUND,
    );
    let shop_t = at(&h, "/appid-shop/t");
    let signed_in = shop_t.sign_in(json!({ "email": "a@example.com" })).await;
    let user_id = signed_in["recipeUserId"].as_str().unwrap().to_owned();
    // Updating the app keeps its tenants.
    let update = json!({ "appId": "shop", "coreConfig": { "access_token_validity": 60 } });
    expect_ok(
        &at(&h, "")
            .send(Method::PUT, "/recipe/multitenancy/app/v2", Some(update))
            .await,
    );
    expect_ok(&shop_t.get("/users/count").await);
    drop(h);

    let h = CoreHarness::with(Transport::Http, config()).await;
    let shop_t = at(&h, "/appid-shop/t");
    let again = shop_t.sign_in(json!({ "email": "a@example.com" })).await;
    assert_eq!(
        again["recipeUserId"],
        user_id.as_str(),
        "the tenant and its user are kept"
    );
    let session = shop_t.new_session(&user_id).await;
    assert_eq!(claims(&session)["tId"], "t");

    // Removing the app removes its tenants and their users.
    let remove = json!({ "appId": "shop" });
    expect_ok(
        &at(&h, "")
            .post("/recipe/multitenancy/app/remove", remove)
            .await,
    );
    expect_ok(
        &at(&h, "")
            .send(Method::PUT, "/recipe/multitenancy/app/v2", Some(put_app))
            .await,
    );
    refused_with(
        &shop_t.get("/users/count").await,
        StatusCode::BAD_REQUEST,
        NOT_FOUND,
    );
    let shop = at(&h, "/appid-shop");
    let list = shop.get("/recipe/multitenancy/tenant/list/v2").await;
    assert_eq!(tenant_ids(&expect_ok(&list)["tenants"]), ["public"]);
    let r = shop.get("/users/count?includeAllTenants=true").await;
    assert_eq!(expect_ok(&r)["count"], 0);
    assert_eq!(
        status(&shop.get(&format!("/user/id?userId={user_id}")).await),
        "UNKNOWN_USER_ID_ERROR"
    );
}
