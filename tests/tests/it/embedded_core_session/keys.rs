//! Signing keys: static and dynamic keys, their rotation, the published JWKS (checked with an
//! independent JWT library), and keys that survive a restart.

use std::time::Duration;

use http::StatusCode;
use serde_json::{Value, json};
use supertokens::embedded::{Database, EmbeddedCoreConfig};
use tests::embedded_core::{CoreHarness, Transport, in_memory};
use tests::jwt::kid;

use super::{
    DAY, HOUR, access, call, cdi_call, create, get, handle, kids, refresh, refresh_of,
    refresh_with, verify,
};

tests::both_transports! {
    static_and_dynamic_keys_follow_the_request_on_create_and_refresh,
    before_cdi_5_a_refresh_keeps_the_sessions_kind_of_key,
    signing_keys_rotate_and_old_tokens_verify_until_they_expire,
    the_jwks_is_public_and_cacheable, tokens_verify_with_jsonwebtoken_against_the_served_jwks,
    concurrent_first_sessions_make_a_single_signing_key,
    sessions_keys_and_refresh_tokens_survive_a_restart,
}

async fn static_and_dynamic_keys_follow_the_request_on_create_and_refresh(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-6", false, false).await;
    let static_kid = kid(&access(&created));
    assert!(static_kid.starts_with("s-"), "{static_kid}");
    assert_eq!(static_kid.len(), 2 + 36);

    // Refresh asks for a dynamic key now, then for the static one again.
    let dynamic = refresh_with(&core, &refresh_of(&created), true).await;
    assert!(kid(&access(&dynamic)).starts_with("d-"));
    // Promotion re-issues with the kind the session now uses.
    let promoted = verify(&core, &access(&dynamic), false).await;
    assert!(kid(&access(&promoted)).starts_with("d-"));
    let back = refresh_with(&core, &refresh_of(&dynamic), false).await;
    assert_eq!(kid(&access(&back)), static_kid, "one static key per app");

    // Both kinds are published, each once.
    let kids = kids(&get(&core, "/.well-known/jwks.json").await);
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert!(kids.contains(&static_kid));
    assert!(kids.iter().any(|k| k.starts_with("d-")));
    // Tokens of both kinds verify.
    assert_eq!(
        verify(&core, &access(&created), false).await["status"],
        "OK"
    );
    assert_eq!(verify(&core, &access(&back), false).await["status"], "OK");
}

async fn before_cdi_5_a_refresh_keeps_the_sessions_kind_of_key(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let created = create(&core, "user-16", false, false).await;
    let body = json!({"refreshToken": refresh_of(&created), "enableAntiCsrf": false}).to_string();
    let headers = [
        ("cdi-version", "4.0"),
        ("rid", "session"),
        ("content-type", "application/json"),
    ];
    let answer = call(
        &core,
        "POST",
        "/recipe/session/refresh",
        &headers,
        Some(&body),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let refreshed: Value = serde_json::from_str(&answer.text).unwrap();
    assert_eq!(kid(&access(&refreshed)), kid(&access(&created)));
    // From CDI 5.0 the field is required.
    let answer = cdi_call(&core, "POST", "/recipe/session/refresh", Some(&body)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
}

async fn signing_keys_rotate_and_old_tokens_verify_until_they_expire(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let first = create(&core, "user-13", true, false).await;
    let k1 = kid(&access(&first));

    // Late in the first key's rotation period (7 days), it still signs.
    core.clock().advance(7 * DAY - Duration::from_secs(10 * 60));
    let late = create(&core, "user-13", true, false).await;
    assert_eq!(kid(&access(&late)), k1);
    let jwks = cdi_call(&core, "GET", "/.well-known/jwks.json", None).await;
    let max_age: i64 = jwks.headers["cache-control"]
        .to_str()
        .unwrap()
        .strip_prefix("max-age=")
        .unwrap()
        .strip_suffix(", must-revalidate")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (8 * 60..=9 * 60).contains(&max_age),
        "cached until the next key is published one minute before the rotation: {max_age}"
    );

    // A minute before the rotation a new key is published but does not sign yet.
    core.clock().advance(Duration::from_secs(9 * 60 + 30));
    let jwks = get(&core, "/.well-known/jwks.json").await;
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "{jwks}");
    let during_overlap = create(&core, "user-13", true, false).await;
    assert_eq!(kid(&access(&during_overlap)), k1);

    // After the rotation the new key signs.
    core.clock().advance(Duration::from_secs(60));
    let rotated = create(&core, "user-13", true, false).await;
    let k2 = kid(&access(&rotated));
    assert_ne!(k2, k1);
    assert!(k2.starts_with("d-"));

    // Tokens signed with the old key still verify until they expire.
    assert_eq!(verify(&core, &access(&late), false).await["status"], "OK");
    assert_eq!(
        verify(&core, &access(&during_overlap), false).await["status"],
        "OK"
    );

    // The old key stays published while its tokens can live, then goes.
    core.clock().advance(HOUR);
    let published = kids(&get(&core, "/.well-known/jwks.json").await);
    assert_eq!(published, vec![k2.clone()]);
    assert_eq!(
        verify(&core, &access(&during_overlap), false).await["status"],
        "TRY_REFRESH_TOKEN"
    );
    // A session of the old key refreshes onto the new one.
    let moved = refresh(&core, &refresh_of(&late)).await;
    assert_eq!(kid(&access(&moved)), k2);
}

async fn the_jwks_is_public_and_cacheable(transport: Transport) {
    const KEY: &str = "secret-key-0123456789";
    let core = CoreHarness::with(
        transport,
        EmbeddedCoreConfig {
            api_key: Some(KEY.into()),
            ..in_memory()
        },
    )
    .await;
    // No api key, no cdi-version.
    let answer = call(&core, "GET", "/.well-known/jwks.json", &[], None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let cache = answer.headers["cache-control"].to_str().unwrap().to_owned();
    assert!(
        cache.starts_with("max-age=") && cache.ends_with(", must-revalidate"),
        "{cache}"
    );
    let jwks: Value = serde_json::from_str(&answer.text).unwrap();
    assert!(jwks.get("status").is_none());
    let key = &jwks["keys"][0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert!(key["kid"].as_str().unwrap().starts_with("d-"));
    assert!(key["n"].as_str().unwrap().len() > 300);

    // The SDK's client reads the keys and the cache lifetime.
    let (keys, max_age) = core.client.jwks().await.unwrap();
    assert_eq!(keys.keys.len(), 1);
    assert_eq!(keys.keys[0].kid, key["kid"].as_str().unwrap());
    let max_age = max_age.expect("a cache lifetime").as_secs();
    assert!(
        (7 * 86_400 - 60 - 30..=7 * 86_400 - 60).contains(&max_age),
        "until the next key is published: {max_age}"
    );

    // `/recipe/jwt/jwks` needs the api key and answers with a status.
    let no_key = cdi_call(&core, "GET", "/recipe/jwt/jwks", None).await;
    assert_eq!(no_key.status, StatusCode::UNAUTHORIZED);
    let with_status = get(&core, "/recipe/jwt/jwks").await;
    assert_eq!(with_status["status"], "OK");
    assert_eq!(with_status["keys"], jwks["keys"]);
}

async fn tokens_verify_with_jsonwebtoken_against_the_served_jwks(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let dynamic = access(&create(&core, "user-17", true, false).await);
    let fixed = access(&create(&core, "user-17", false, false).await);
    let (jwks, _) = core.client.jwks().await.unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.required_spec_claims.clear();
    for token in [&dynamic, &fixed] {
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(
            header.extras.get::<String>("version").unwrap().as_deref(),
            Some("5")
        );
        let kid = header.kid.unwrap();
        let jwk = jwks
            .keys
            .iter()
            .find(|k| k.kid == kid)
            .expect("kid in the JWKS");
        let key = jsonwebtoken::DecodingKey::from_rsa_components(&jwk.n, &jwk.e).unwrap();
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], "user-17");
        // The other kind's key does not verify it.
        let other = jwks.keys.iter().find(|k| k.kid != kid).unwrap();
        let wrong = jsonwebtoken::DecodingKey::from_rsa_components(&other.n, &other.e).unwrap();
        assert!(jsonwebtoken::decode::<Value>(token, &wrong, &validation).is_err());
    }
}

async fn concurrent_first_sessions_make_a_single_signing_key(transport: Transport) {
    let core = CoreHarness::new(transport).await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let core = core.clone();
        tasks.push(tokio::spawn(async move {
            create(&core, &format!("u{i}"), true, false).await
        }));
    }
    let mut kids = Vec::new();
    for task in tasks {
        kids.push(kid(&access(&task.await.unwrap())));
    }
    kids.dedup();
    assert_eq!(kids.len(), 1, "{kids:?}");
    assert_eq!(
        get(&core, "/.well-known/jwks.json").await["keys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn sessions_keys_and_refresh_tokens_survive_a_restart(transport: Transport) {
    let dir = tempfile::tempdir().unwrap();
    let config = EmbeddedCoreConfig {
        database: Database::File(dir.path().join("core.db")),
        ..EmbeddedCoreConfig::default()
    };
    let (token, rt, h) = {
        let core = CoreHarness::with(transport, config.clone()).await;
        let created = create(&core, "user-14", true, false).await;
        (access(&created), refresh_of(&created), handle(&created))
    };
    let core = CoreHarness::with(transport, config).await;
    let verified = verify(&core, &token, true).await;
    assert_eq!(verified["status"], "OK");
    assert_eq!(verified["session"]["handle"], h);
    let refreshed = refresh(&core, &rt).await;
    assert_eq!(refreshed["status"], "OK");
    assert_eq!(kid(&access(&refreshed)), kid(&token), "same signing key");
}
