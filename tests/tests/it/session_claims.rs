//! Session claims over HTTP: a route's checks fetch a missing or too old claim, put it in a new
//! access token that goes out with the response, and answer 403 with the reference SDKs' body
//! when a check fails; app-wide checks apply to every route but sign-out; the claim functions on
//! a session and by session handle.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use serde_json::{Value, json};
use supertokens::session::claims::{ClaimContext, ClaimValidator, PrimitiveClaim};
use supertokens::session::{RefreshSessionInput, SessionConfig, SessionContainer};
use supertokens::{Clock, SuperTokens, protected};
use tests::client::{Client, Reply};

/// The plan of a user: `pro` for users whose id starts with `pro-`, else `free`. Counts its
/// fetches.
fn plan_claim(fetches: Arc<AtomicUsize>) -> PrimitiveClaim<String> {
    PrimitiveClaim::new("plan", move |ctx: ClaimContext| {
        let fetches = Arc::clone(&fetches);
        async move {
            fetches.fetch_add(1, Ordering::SeqCst);
            let plan = if ctx.user_id.starts_with("pro-") {
                "pro"
            } else {
                "free"
            };
            Ok(Some(plan.to_owned()))
        }
    })
}

static FETCHES: std::sync::LazyLock<Arc<AtomicUsize>> =
    std::sync::LazyLock::new(|| Arc::new(AtomicUsize::new(0)));

/// The checks of `/pro`: the plan is `pro`, at most a minute old.
fn pro_only(mut checks: Vec<ClaimValidator>) -> Vec<ClaimValidator> {
    checks.push(plan_claim(FETCHES.clone()).has_value("pro").max_age(60));
    checks
}

#[protected(claims = pro_only)]
async fn pro(session: SessionContainer) -> String {
    format!("pro content for {}", session.user_id())
}

#[protected]
async fn whoami(session: SessionContainer) -> String {
    session.user_id().to_owned()
}

struct App {
    st: SuperTokens,
    clock: Clock,
    client: Client,
}

fn app(session: SessionConfig) -> App {
    let clock = Clock::system();
    let config = supertokens::testing::config()
        .clock(clock.clone())
        .session(session)
        .build()
        .expect("config");
    let st = SuperTokens::new(config).expect("instance");
    let guarded = Router::new()
        .route("/guarded/whoami", get(whoami_plain))
        .layer(st.session_guard().claim_validators(pro_only));
    let router = Router::new()
        .route("/pro", get(pro))
        .route("/whoami", get(whoami))
        .merge(guarded)
        .merge(st.router())
        .layer(st.layer());
    App {
        st,
        clock,
        client: Client::router(router),
    }
}

async fn whoami_plain(session: SessionContainer) -> String {
    session.user_id().to_owned()
}

async fn get_with(client: &Client, path: &str, token: &str) -> Reply {
    client.get(path).bearer(token).send().await
}

/// The new access token a reply carries, if any (header transfer).
fn new_token(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get("st-access-token")
        .map(|v| v.to_str().expect("ascii").to_owned())
}

fn payload_of(token: &str) -> Value {
    tests::jwt::payload(token)
}

#[tokio::test]
async fn a_missing_claim_is_fetched_and_sent_in_a_new_token() {
    let App { st, client, .. } = app(SessionConfig::new());
    let session = supertokens::testing::session(&st, "pro-1")
        .await
        .expect("session");
    assert!(session.session.access_token_payload().get("plan").is_none());

    let reply = get_with(&client, "/pro", &session.access_token).await;
    assert_eq!(
        (reply.status.as_u16(), reply.text.as_str()),
        (200, "pro content for pro-1")
    );
    let token = new_token(&reply).expect("the fetched claim goes out in a new access token");
    assert_eq!(payload_of(&token)["plan"]["v"], "pro");
    assert!(
        reply.headers.contains_key("front-token"),
        "{:?}",
        reply.headers
    );

    // With the new token, nothing is fetched (a fetch always writes a new token).
    let again = get_with(&client, "/pro", &token).await;
    assert_eq!(again.status, 200);
    assert!(new_token(&again).is_none());
}

#[tokio::test]
async fn a_failed_check_answers_403_with_the_reasons() {
    let App { st, client, .. } = app(SessionConfig::new());
    let session = supertokens::testing::session(&st, "free-1")
        .await
        .expect("session");
    let reply = get_with(&client, "/pro", &session.access_token).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({
            "message": "invalid claim",
            "claimValidationErrors": [{
                "id": "plan",
                "reason": {"message": "wrong value", "expectedValue": "pro", "actualValue": "free"}
            }]
        })
    );
    // The value fetched for the check still reaches the client: the next check needs no fetch.
    let token = new_token(&reply).expect("new token on the 403");
    assert_eq!(payload_of(&token)["plan"]["v"], "free");
    // Routes without the check are unaffected.
    assert_eq!(
        get_with(&client, "/whoami", &session.access_token)
            .await
            .status,
        200
    );
    // A guard with the same checks answers the same.
    let guarded = get_with(&client, "/guarded/whoami", &session.access_token).await;
    assert_eq!(guarded.status, 403);
    assert_eq!(guarded.body, reply.body);
}

#[tokio::test]
async fn a_claim_older_than_the_max_age_is_fetched_again() {
    let App { st, client, clock } = app(SessionConfig::new());
    let session = supertokens::testing::session(&st, "pro-2")
        .await
        .expect("session");
    let first = get_with(&client, "/pro", &session.access_token).await;
    let token = new_token(&first).expect("token");
    let set_at = payload_of(&token)["plan"]["t"].as_i64().expect("t");

    clock.advance(Duration::from_secs(61));
    let later = get_with(&client, "/pro", &token).await;
    assert_eq!(later.status, 200, "{}", later.text);
    let refreshed = new_token(&later).expect("a value past its max age is fetched again");
    let t = payload_of(&refreshed)["plan"]["t"].as_i64().expect("t");
    assert!(t >= set_at + 61_000, "{t} vs {set_at}");
}

#[tokio::test]
async fn an_old_value_that_cannot_be_fetched_again_is_expired() {
    let App { st, client, clock } = app(SessionConfig::new());
    let session = supertokens::testing::session(&st, "u-old")
        .await
        .expect("session");
    // A claim the app can no longer fetch (it answers no value): the old value stays.
    let frozen = PrimitiveClaim::<String>::new("plan", |_| async { Ok(None) });
    let _ = session
        .session
        .set_claim_value(&frozen, &"pro".to_owned())
        .await
        .expect("set");
    let token = session.session.access_token();
    clock.advance(Duration::from_secs(90));
    // The route's own claim (max age 60 s) fetches the user's value again: no longer `pro`.
    let reply = get_with(&client, "/pro", &token).await;
    assert_eq!(reply.status, 403, "{}", reply.text);
    assert_eq!(
        reply.body["claimValidationErrors"][0]["reason"]["actualValue"],
        "free"
    );

    let stale = frozen.has_value("pro").max_age(60);
    let error = session
        .session
        .assert_claims(&[stale])
        .await
        .expect_err("too old");
    assert_eq!(error.to_string(), "invalid claims: plan", "{error:?}");
}

#[tokio::test]
async fn global_checks_apply_everywhere_but_sign_out() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let claim = plan_claim(fetches.clone());
    let App { st, client, .. } =
        app(SessionConfig::new().global_claim_validator(claim.has_value("pro")));
    let free = supertokens::testing::session(&st, "free-2")
        .await
        .expect("session");
    let reply = get_with(&client, "/whoami", &free.access_token).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.body["claimValidationErrors"][0]["id"], "plan");
    // `/pro` keeps the global check and adds its own: both fail, in order.
    let both = get_with(&client, "/pro", &free.access_token).await;
    let ids: Vec<&str> = both.body["claimValidationErrors"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["plan", "plan"]);

    let signed_out = client
        .post("/auth/signout")
        .bearer(&free.access_token)
        .header("rid", "session")
        .send()
        .await;
    assert_eq!(signed_out.status, 200, "{}", signed_out.text);
    assert_eq!(signed_out.body, json!({"status": "OK"}));

    let pro = supertokens::testing::session(&st, "pro-3")
        .await
        .expect("session");
    assert_eq!(
        get_with(&client, "/whoami", &pro.access_token).await.status,
        200
    );
}

#[tokio::test]
async fn claims_by_session_handle_reach_the_next_token() {
    let App { st, .. } = app(SessionConfig::new());
    let session = supertokens::testing::session(&st, "pro-4")
        .await
        .expect("session");
    let handle = session.session.handle().to_owned();
    let claim = plan_claim(Arc::new(AtomicUsize::new(0)));
    let recipe = st.session();

    assert_eq!(
        recipe.get_claim_value(&handle, &claim).await.expect("get"),
        None
    );
    assert!(
        recipe
            .fetch_and_set_claim(&handle, &claim)
            .await
            .expect("fetch")
    );
    assert_eq!(
        recipe.get_claim_value(&handle, &claim).await.expect("get"),
        Some("pro".to_owned())
    );
    assert!(
        recipe
            .set_claim_value(&handle, &claim, &"team".to_owned())
            .await
            .expect("set")
    );
    assert_eq!(
        recipe.get_claim_value(&handle, &claim).await.expect("get"),
        Some("team".to_owned())
    );
    let refreshed = recipe
        .functions()
        .refresh_session(RefreshSessionInput {
            refresh_token: session.refresh_token.clone(),
            anti_csrf_token: None,
            disable_anti_csrf: true,
        })
        .await
        .expect("refresh");
    assert_eq!(
        payload_of(&refreshed.access_token.token)["plan"]["v"],
        "team"
    );

    assert!(recipe.remove_claim(&handle, &claim).await.expect("remove"));
    assert_eq!(
        recipe.get_claim_value(&handle, &claim).await.expect("get"),
        None
    );
    // Unknown sessions.
    assert!(
        !recipe
            .set_claim_value("no-such-handle", &claim, &"x".to_owned())
            .await
            .expect("set")
    );
    assert!(
        !recipe
            .fetch_and_set_claim("no-such-handle", &claim)
            .await
            .expect("fetch")
    );
}

#[tokio::test]
async fn claim_functions_on_a_session() {
    let App { st, .. } = app(SessionConfig::new());
    let session = supertokens::testing::session(&st, "pro-5")
        .await
        .expect("session")
        .session;
    let claim = plan_claim(Arc::new(AtomicUsize::new(0)));
    assert_eq!(session.get_claim_value(&claim), None);
    let changes = session.fetch_and_set_claim(&claim).await.expect("fetch");
    assert!(!changes.is_empty(), "a new token goes out");
    assert_eq!(session.get_claim_value(&claim), Some("pro".to_owned()));
    let _ = session.remove_claim(&claim).await.expect("remove");
    assert_eq!(session.get_claim_value(&claim), None);
    assert!(session.access_token_payload().get("plan").is_none());
}
