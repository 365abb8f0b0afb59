//! Users: created by a sign-in, normalised contacts, look-ups, updates, removal (with their
//! sessions) and concurrent sign-ins.

use serde_json::{Value, json};
use supertokens::core::cdi::{
    ConsumeCodeResponse, OkResponse, RecipeUserResponse, UpdateUserResponse, User,
    UsersByAccountInfoResponse,
};
use tests::embedded_core::Transport;
use tests::sign_in::PASSWORDLESS;

use super::{Consumed, Harness, status_of};

tests::both_transports! {
    sign_in_creates_then_finds_the_user, emails_and_phones_are_normalised,
    user_lookup_endpoints, updating_users, removing_and_counting_users,
    removing_a_user_ends_their_sessions, concurrent_sign_ins_all_succeed,
}

async fn sign_in_creates_then_finds_the_user(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("new@example.com").await;
    let Consumed {
        created_new_user,
        user,
        recipe_user_id,
        consumed_device,
    } = h.consume_right(&code).await;
    assert!(created_new_user);
    assert_eq!(user.id, recipe_user_id);
    assert_eq!(user.emails, ["new@example.com"]);
    assert!(user.phone_numbers.is_empty());
    assert_eq!(user.tenant_ids, ["public"]);
    assert!(!user.is_primary_user);
    assert_eq!(user.login_methods.len(), 1);
    let method = &user.login_methods[0];
    assert_eq!(method.recipe_id, "passwordless");
    assert_eq!(method.recipe_user_id, user.id);
    assert!(method.verified);
    assert_eq!(method.email.as_deref(), Some("new@example.com"));
    assert_eq!(
        consumed_device.pre_auth_session_id,
        code.pre_auth_session_id
    );
    assert_eq!(consumed_device.failed_code_input_attempt_count, 0);
    assert_eq!(consumed_device.email.as_deref(), Some("new@example.com"));
    assert_eq!(consumed_device.phone_number, None);
    // The same code cannot be used twice.
    assert_eq!(
        h.consume_typed(&code, &code.user_input_code).await,
        ConsumeCodeResponse::RestartFlow
    );
    // Signing in again finds the same user.
    let (again, created) = h.sign_in("new@example.com").await;
    assert!(!created);
    assert_eq!(again.id, user.id);
    assert_eq!(h.user(&user.id).await.unwrap(), user);
    // The wire shape of the user: optional login-method fields omitted, webauthn present.
    let raw: Value = h
        .client
        .get("/user/id", None, &[("userId", &user.id)])
        .await
        .unwrap();
    let lm = &raw["user"]["loginMethods"][0];
    assert!(lm.get("phoneNumber").is_none(), "{raw}");
    assert_eq!(raw["user"]["webauthn"], json!({"credentialIds": []}));
    assert_eq!(raw["user"]["thirdParty"], json!([]));
}

async fn emails_and_phones_are_normalised(t: Transport) {
    let h = Harness::new(t).await;
    let (user, _) = h.sign_in("  Mixed.Case@Example.COM ").await;
    assert_eq!(user.emails, ["mixed.case@example.com"]);
    let (same, created) = h.sign_in("mixed.case@example.com").await;
    assert!(!created);
    assert_eq!(same.id, user.id);

    let code = h.create_for_phone(" +1 (415) 555-2671 ").await;
    let devices = h.devices("phoneNumber", "+14155552671").await;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].phone_number.as_deref(), Some("+14155552671"));
    let Consumed {
        user,
        consumed_device,
        ..
    } = h.consume_right(&code).await;
    assert_eq!(user.phone_numbers, ["+14155552671"]);
    assert_eq!(
        consumed_device.phone_number.as_deref(),
        Some("+14155552671")
    );
    assert_eq!(consumed_device.email, None);
    // Like the real core, an unparseable number is kept (trimmed), not rejected.
    let odd = h.create_for_phone(" not-a-phone ").await;
    let user = h.consume_right(&odd).await.user;
    assert_eq!(user.phone_numbers, ["not-a-phone"]);
}

async fn user_lookup_endpoints(t: Transport) {
    let h = Harness::new(t).await;
    let (alice, _) = h.sign_in("alice@example.com").await;
    let phone_code = h.create_for_phone("+14155552671").await;
    let bob = h.consume_right(&phone_code).await.user;
    assert!(h.user("no-such-user").await.is_none());
    let err = h
        .client
        .get::<Value>("/user/id", None, &[])
        .await
        .unwrap_err();
    assert_eq!(
        status_of(err),
        (400, "Field name 'userId' is missing in GET request".into())
    );

    let by = async |q: Vec<(&str, &str)>| {
        h.client
            .get::<UsersByAccountInfoResponse>("/public/users/by-accountinfo", None, &q)
            .await
    };
    let ids = |r: UsersByAccountInfoResponse| {
        let UsersByAccountInfoResponse::Ok { users } = r;
        let mut ids: Vec<String> = users.into_iter().map(|u| u.id).collect();
        ids.sort();
        ids
    };
    let mut both_ids = vec![alice.id.clone(), bob.id.clone()];
    both_ids.sort();
    let q = vec![
        ("email", " Alice@Example.com"),
        ("doUnionOfAccountInfo", "false"),
    ];
    assert_eq!(ids(by(q).await.unwrap()), vec![alice.id.clone()]);
    let q = vec![
        ("phoneNumber", "+1 415 555 2671"),
        ("doUnionOfAccountInfo", "false"),
    ];
    assert_eq!(ids(by(q).await.unwrap()), vec![bob.id.clone()]);
    let q = vec![
        ("email", "alice@example.com"),
        ("phoneNumber", "+14155552671"),
        ("doUnionOfAccountInfo", "true"),
    ];
    assert_eq!(ids(by(q).await.unwrap()), both_ids);
    let q = vec![
        ("email", "alice@example.com"),
        ("phoneNumber", "+14155552671"),
        ("doUnionOfAccountInfo", "false"),
    ];
    assert!(ids(by(q).await.unwrap()).is_empty());
    let q = vec![
        ("email", "nobody@example.com"),
        ("doUnionOfAccountInfo", "true"),
    ];
    assert!(ids(by(q).await.unwrap()).is_empty());
    let err = by(vec![("email", "alice@example.com")]).await.unwrap_err();
    assert_eq!(status_of(err).0, 400, "doUnionOfAccountInfo is required");
    let err = by(vec![
        ("email", "alice@example.com"),
        ("doUnionOfAccountInfo", "maybe"),
    ])
    .await
    .unwrap_err();
    assert_eq!(status_of(err).0, 400);

    let recipe = async |q: Vec<(&str, &str)>| {
        h.client
            .get::<RecipeUserResponse>("/public/recipe/user", PASSWORDLESS, &q)
            .await
    };
    let found = |user: &User| RecipeUserResponse::Ok { user: user.clone() };
    for (key, value, expected) in [
        ("userId", alice.id.as_str(), found(&alice)),
        ("email", "ALICE@example.com", found(&alice)),
        ("phoneNumber", "+14155552671", found(&bob)),
        ("userId", "nope", RecipeUserResponse::UnknownUserId),
        (
            "email",
            "nope@example.com",
            RecipeUserResponse::UnknownEmail,
        ),
        (
            "phoneNumber",
            "+15555550100",
            RecipeUserResponse::UnknownPhoneNumber,
        ),
    ] {
        let answer = recipe(vec![(key, value)]).await.unwrap();
        assert_eq!(answer, expected, "{key}={value}");
    }
    let both_keys = vec![
        ("userId", alice.id.as_str()),
        ("email", "alice@example.com"),
    ];
    for query in [vec![], both_keys] {
        assert_eq!(status_of(recipe(query).await.unwrap_err()).0, 400);
    }
}

async fn updating_users(t: Transport) {
    use UpdateUserResponse::{EmailAlreadyExists, PhoneNumberAlreadyExists, UnknownUserId};
    let h = Harness::new(t).await;
    let (alice, _) = h.sign_in("alice@example.com").await;
    let (carol, _) = h.sign_in("carol@example.com").await;
    // The answer, or the status of a refusal.
    let update = async |body: Value| {
        h.client
            .request::<_, UpdateUserResponse>(
                http::Method::PUT,
                "/recipe/user",
                PASSWORDLESS,
                &[],
                Some(&body),
            )
            .await
            .map_err(|e| status_of(e).0)
    };
    let updated = Ok(UpdateUserResponse::Ok);
    // Add a phone (email absent = unchanged).
    let phone = json!({"recipeUserId": alice.id, "phoneNumber": "+1 415 555 2671"});
    assert_eq!(update(phone).await, updated);
    let now = h.user(&alice.id).await.unwrap();
    assert_eq!(now.emails, ["alice@example.com"]);
    assert_eq!(now.phone_numbers, ["+14155552671"]);
    // Clear the email (null), change nothing else.
    let no_email = json!({"recipeUserId": alice.id, "email": null});
    assert_eq!(update(no_email).await, updated);
    let now = h.user(&alice.id).await.unwrap();
    assert!(now.emails.is_empty());
    assert_eq!(now.login_methods[0].email, None);
    // Clearing the last contact is refused, and so is clearing both at once; uniqueness;
    // setting a user's own value again is fine; the old CDI `userId` name is accepted.
    for (body, expected) in [
        (
            json!({"recipeUserId": alice.id, "phoneNumber": null}),
            Err(400),
        ),
        (
            json!({"recipeUserId": alice.id, "phoneNumber": null, "email": null}),
            Err(400),
        ),
        (
            json!({"recipeUserId": alice.id, "email": "CAROL@example.com"}),
            Ok(EmailAlreadyExists),
        ),
        (
            json!({"recipeUserId": carol.id, "phoneNumber": "+14155552671"}),
            Ok(PhoneNumberAlreadyExists),
        ),
        (
            json!({"userId": carol.id, "email": "carol@example.com"}),
            updated.clone(),
        ),
        (
            json!({"recipeUserId": "nobody", "email": "x@y.z"}),
            Ok(UnknownUserId),
        ),
        (json!({"email": "x@y.z"}), Err(400)),
    ] {
        assert_eq!(update(body.clone()).await, expected, "{body}");
    }
    assert_eq!(
        h.user(&alice.id).await.unwrap().phone_numbers,
        ["+14155552671"]
    );
    // A new e-mail signs in to the same user.
    let new_email = json!({"recipeUserId": alice.id, "email": "alice2@example.com"});
    assert_eq!(update(new_email).await, updated);
    let (same, created) = h.sign_in("alice2@example.com").await;
    assert!(!created);
    assert_eq!(same.id, alice.id);
}

async fn removing_and_counting_users(t: Transport) {
    let h = Harness::new(t).await;
    let count =
        async |q: Vec<(&str, &str)>| h.client.get::<Value>("/public/users/count", None, &q).await;
    assert_eq!(
        count(vec![]).await.unwrap(),
        json!({"status": "OK", "count": 0})
    );
    let (a, _) = h.sign_in("a@example.com").await;
    h.sign_in("b@example.com").await;
    h.sign_in("b@example.com").await;
    assert_eq!(count(vec![]).await.unwrap()["count"], 2);
    assert_eq!(
        count(vec![("includeRecipeIds", "passwordless")])
            .await
            .unwrap()["count"],
        2
    );
    assert_eq!(
        count(vec![("includeRecipeIds", "emailpassword")])
            .await
            .unwrap()["count"],
        0
    );
    assert_eq!(
        count(vec![
            ("includeRecipeIds", "emailpassword,passwordless"),
            ("includeAllTenants", "true")
        ])
        .await
        .unwrap()["count"],
        2
    );
    let err = count(vec![("includeRecipeIds", "magic")])
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);

    let removed: OkResponse = h
        .client
        .post("/user/remove", None, &json!({"userId": a.id}))
        .await
        .unwrap();
    assert_eq!(removed, OkResponse::Ok);
    assert!(h.user(&a.id).await.is_none());
    assert_eq!(count(vec![]).await.unwrap()["count"], 1);
    // Removing an unknown user is OK too; signing in again creates a new user.
    let again: OkResponse = h
        .client
        .post(
            "/user/remove",
            None,
            &json!({"userId": a.id, "removeAllLinkedAccounts": true}),
        )
        .await
        .unwrap();
    assert_eq!(again, OkResponse::Ok);
    let (fresh, created) = h.sign_in("a@example.com").await;
    assert!(created);
    assert_ne!(fresh.id, a.id);
    // App-level APIs refuse a non-public tenant... which does not exist here, so 400.
    let err = h
        .client
        .get::<Value>("/other/user/id", None, &[("userId", "x")])
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
}

async fn removing_a_user_ends_their_sessions(t: Transport) {
    let h = Harness::new(t).await;
    let (user, _) = h.sign_in("leaving@example.com").await;
    let (other, _) = h.sign_in("staying@example.com").await;
    let mut handles = Vec::new();
    for id in [&user.id, &user.id, &other.id] {
        let created: Value = h
            .client
            .post(
                "/public/recipe/session",
                Some("session"),
                &json!({"userId": id, "userDataInJWT": {}, "userDataInDatabase": {}, "enableAntiCsrf": false}),
            )
            .await
            .unwrap();
        assert_eq!(created["status"], "OK", "{created}");
        handles.push(created["session"]["handle"].as_str().unwrap().to_owned());
    }
    let _: OkResponse = h
        .client
        .post("/user/remove", None, &json!({"userId": user.id}))
        .await
        .unwrap();
    for (handle, alive) in handles.iter().zip([false, false, true]) {
        let got: Value = h
            .client
            .get(
                "/recipe/session",
                Some("session"),
                &[("sessionHandle", handle)],
            )
            .await
            .unwrap();
        assert_eq!(got["status"] == "OK", alive, "{handle}: {got}");
    }
}

async fn concurrent_sign_ins_all_succeed(t: Transport) {
    let h = std::sync::Arc::new(Harness::new(t).await);
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let h = h.clone();
            tokio::spawn(async move {
                // Half of them share an e-mail: exactly one user must come out of those.
                let email = if i % 2 == 0 {
                    format!("user{i}@example.com")
                } else {
                    "shared@example.com".into()
                };
                let code = h.create_for_email(&email).await;
                h.consume_typed(&code, &code.user_input_code).await
            })
        })
        .collect();
    let mut ok = 0;
    let mut created_shared = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            ConsumeCodeResponse::Ok {
                created_new_user, ..
            } => {
                ok += 1;
                if i % 2 == 1 && created_new_user {
                    created_shared += 1;
                }
            }
            // A shared-email device may be deleted by another sign-in of that e-mail first.
            ConsumeCodeResponse::RestartFlow if i % 2 == 1 => {}
            other => panic!("{i}: {other:?}"),
        }
    }
    assert!(ok >= 21, "{ok}");
    assert_eq!(created_shared, 1);
    let count: Value = h
        .client
        .get("/public/users/count", None, &[])
        .await
        .unwrap();
    assert_eq!(count["count"], 21);
}
