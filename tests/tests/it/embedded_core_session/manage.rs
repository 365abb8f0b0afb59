//! Managing sessions: revocation, regeneration, listing by user, and replacing their data.

use std::time::Duration;

use serde_json::{Value, json};
use tests::embedded_core::{CoreHarness, Transport};
use tests::jwt::payload;

use super::{
    HOUR, access, create, get, handle, info, post, put, refresh, refresh_of, regenerate, remove,
    verify,
};

tests::both_transports! {
    a_revoked_session_verifies_only_without_a_database_check,
    a_child_token_of_a_revoked_session_cannot_be_promoted,
    regenerate_replaces_the_claims_and_keeps_the_expiry,
    sessions_are_listed_and_revoked_by_user, session_data_and_jwt_data_can_be_replaced,
}

async fn a_revoked_session_verifies_only_without_a_database_check(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-2", true, false).await;
    let h = handle(&created);
    let removed = remove(&core, &[&h, "no-such-handle"]).await;
    assert_eq!(
        removed,
        json!({"status": "OK", "sessionHandlesRevoked": [h]})
    );

    let token = access(&created);
    assert_eq!(verify(&core, &token, false).await["status"], "OK");
    assert_eq!(
        verify(&core, &token, true).await,
        json!({"status": "UNAUTHORISED", "message": "Either the session has ended or has been blacklisted"})
    );
    assert_eq!(
        refresh(&core, &refresh_of(&created)).await["status"],
        "UNAUTHORISED"
    );
    assert_eq!(info(&core, &h).await["status"], "UNAUTHORISED");
}

async fn a_child_token_of_a_revoked_session_cannot_be_promoted(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-3", true, false).await;
    let refreshed = refresh(&core, &refresh_of(&created)).await;
    remove(&core, &[&handle(&created)]).await;
    assert_eq!(
        verify(&core, &access(&refreshed), false).await,
        json!({"status": "UNAUTHORISED", "message": "Session missing in db"})
    );
}

async fn regenerate_replaces_the_claims_and_keeps_the_expiry(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-4", true, false).await;
    let token = access(&created);
    core.clock().advance(Duration::from_secs(5));

    let regenerated = regenerate(
        &core,
        json!({"accessToken": token, "userDataInJWT": {"role": "owner"}}),
    )
    .await;
    assert_eq!(regenerated["status"], "OK");
    assert_eq!(
        regenerated["session"]["userDataInJWT"],
        json!({"role": "owner"})
    );
    let new_token = access(&regenerated);
    let (old, new) = (payload(&token), payload(&new_token));
    assert_eq!(new["role"], "owner");
    assert!(new.get("iss").is_none());
    assert_eq!(new["exp"], old["exp"], "the old expiry is kept");
    assert_eq!(new["refreshTokenHash1"], old["refreshTokenHash1"]);
    assert_eq!(
        regenerated["accessToken"]["expiry"],
        created["accessToken"]["expiry"]
    );

    let stored = info(&core, &handle(&created)).await;
    assert_eq!(stored["userDataInJWT"], json!({"role": "owner"}));
    // Tokens issued later (refresh) carry the new claims.
    let refreshed = refresh(&core, &refresh_of(&created)).await;
    assert_eq!(payload(&access(&refreshed))["role"], "owner");

    // Without userDataInJWT the stored claims are kept.
    let same = regenerate(&core, json!({"accessToken": new_token})).await;
    assert_eq!(same["session"]["userDataInJWT"], json!({"role": "owner"}));

    // An expired token: the claims change, no token comes back.
    core.clock().advance(HOUR);
    let late = regenerate(
        &core,
        json!({"accessToken": new_token, "userDataInJWT": {"role": "guest"}}),
    )
    .await;
    assert_eq!(late["status"], "OK");
    assert!(late.get("accessToken").is_none());
    assert_eq!(late["session"]["userDataInJWT"], json!({"role": "guest"}));

    // A revoked session.
    remove(&core, &[&handle(&created)]).await;
    let gone = regenerate(
        &core,
        json!({"accessToken": new_token, "userDataInJWT": {}}),
    )
    .await;
    assert_eq!(gone["status"], "UNAUTHORISED");
}

async fn sessions_are_listed_and_revoked_by_user(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let a = handle(&create(&core, "alice", true, false).await);
    let b = handle(&create(&core, "alice", false, false).await);
    let other = handle(&create(&core, "bob", true, false).await);

    let listed = get(&core, "/public/recipe/session/user?userId=alice").await;
    let mut handles: Vec<String> =
        serde_json::from_value(listed["sessionHandles"].clone()).unwrap();
    handles.sort();
    let mut expected = vec![a.clone(), b.clone()];
    expected.sort();
    assert_eq!(handles, expected);
    assert_eq!(
        get(
            &core,
            "/recipe/session/user?userId=alice&fetchAcrossAllTenants=false&fetchSessionsForAllLinkedAccounts=true"
        )
        .await["sessionHandles"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        get(&core, "/recipe/session/user?userId=nobody").await,
        json!({"status": "OK", "sessionHandles": []})
    );

    let removed = post(
        &core,
        "/public/recipe/session/remove",
        json!({"userId": "alice", "revokeAcrossAllTenants": true, "revokeSessionsForLinkedAccounts": true}),
    )
    .await;
    let mut revoked: Vec<String> =
        serde_json::from_value(removed["sessionHandlesRevoked"].clone()).unwrap();
    revoked.sort();
    assert_eq!(revoked, expected);
    assert_eq!(
        get(&core, "/recipe/session/user?userId=alice").await["sessionHandles"],
        json!([])
    );
    assert_eq!(
        get(&core, "/recipe/session/user?userId=bob").await["sessionHandles"],
        json!([other])
    );
}

async fn session_data_and_jwt_data_can_be_replaced(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-5", true, false).await;
    let h = handle(&created);
    let stored = info(&core, &h).await;
    assert_eq!(stored["status"], "OK");
    assert_eq!(stored["sessionHandle"], h);
    assert_eq!(stored["userId"], "user-5");
    assert_eq!(stored["recipeUserId"], "user-5");
    assert_eq!(stored["tenantId"], "public");
    assert_eq!(stored["userDataInDatabase"], json!({"plan": "free"}));
    assert_eq!(stored["expiry"], created["refreshToken"]["expiry"]);
    assert_eq!(
        stored["timeCreated"],
        created["refreshToken"]["createdTime"]
    );

    // Both kinds of data are replaced at once.
    let replace = async |handle: &str, in_database: Value, in_jwt: Value| {
        let database = json!({"sessionHandle": handle, "userDataInDatabase": in_database});
        let jwt = json!({"sessionHandle": handle, "userDataInJWT": in_jwt});
        [
            put(&core, "/recipe/session/data", database).await,
            put(&core, "/public/recipe/jwt/data", jwt).await,
        ]
    };
    let ok = json!({"status": "OK"});
    let replaced = replace(&h, json!({"plan": "pro"}), json!({"role": "viewer"})).await;
    assert_eq!(replaced, [ok.clone(), ok]);
    let stored = info(&core, &h).await;
    assert_eq!(stored["userDataInDatabase"], json!({"plan": "pro"}));
    assert_eq!(stored["userDataInJWT"], json!({"role": "viewer"}));

    // A database check notices the changed claims and issues a token carrying them.
    let checked = verify(&core, &access(&created), true).await;
    assert_eq!(checked["status"], "OK");
    assert_eq!(
        checked["session"]["userDataInJWT"],
        json!({"role": "viewer"})
    );
    assert_eq!(payload(&access(&checked))["role"], "viewer");
    // Without the check the token is taken as it is.
    let unchecked = verify(&core, &access(&created), false).await;
    assert!(unchecked.get("accessToken").is_none());
    assert_eq!(unchecked["session"]["userDataInJWT"]["role"], "admin");

    for answer in replace("nope", json!({}), json!({})).await {
        assert_eq!(answer["status"], "UNAUTHORISED");
    }
}
