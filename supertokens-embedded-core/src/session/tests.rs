//! The session endpoints with tenants, and the removal of a deleted user's sessions, below the service's tenant gate (the service only
//! lets known tenants through; here the scope is set directly).

use std::sync::Arc;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt as _;
use serde_json::json;
use tower::ServiceExt as _;

use serde_json::Value;
use supertokens_cdi::Clock;

use super::db::remove_user_sessions;
use crate::config::{Database, EmbeddedCoreConfig};
use crate::http::Scope;
use crate::state::{CoreState, SharedState};
use crate::store::Store;

const PUBLIC: &str = "public";

struct Harness {
    router: axum::Router,
    state: SharedState,
}

impl Harness {
    fn new() -> Self {
        let config = EmbeddedCoreConfig {
            database: Database::Memory,
            ..EmbeddedCoreConfig::default()
        };
        let clock = Clock::system();
        let store = Store::open(&config.database, super::MIGRATIONS).unwrap();
        let state = Arc::new(CoreState::new(
            config,
            serde_json::Map::new(),
            clock,
            Arc::new(store),
            std::sync::Weak::new(),
            Default::default(),
        ));
        Self {
            router: super::routes().with_state(state.clone()),
            state,
        }
    }

    async fn call(&self, tenant: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        req.extensions_mut().insert(Scope {
            app_id: "public".into(),
            tenant_id: tenant.into(),
            explicit_tenant: tenant != PUBLIC,
        });
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    async fn get(&self, tenant: &str, path: &str) -> (u16, Value) {
        self.call(tenant, "GET", path, Value::Null).await
    }

    async fn post(&self, tenant: &str, path: &str, body: Value) -> (u16, Value) {
        self.call(tenant, "POST", path, body).await
    }

    async fn create(&self, tenant: &str, user: &str) -> Value {
        let body = json!({"userId": user, "userDataInJWT": {}, "userDataInDatabase": {},
                          "enableAntiCsrf": false});
        let (status, value) = self.post(tenant, "/recipe/session", body).await;
        assert_eq!(status, 200, "{value}");
        value
    }
}

fn claims_of(token: &str) -> Value {
    use base64::Engine as _;
    let part = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn sessions_of_other_tenants_carry_the_tenant_in_handle_and_token() {
    let h = Harness::new();
    let created = h.create("t1", "u").await;
    let handle = created["session"]["handle"].as_str().unwrap();
    assert!(handle.ends_with("_t1"), "{handle}");
    assert_eq!(handle.len(), 36 + 3);
    assert_eq!(created["session"]["tenantId"], "t1");
    let token = created["accessToken"]["token"].as_str().unwrap();
    assert_eq!(claims_of(token)["tId"], "t1");

    // Verify and refresh are app-level: the tenant comes from the token / the session.
    let verify = json!({"accessToken": token, "doAntiCsrfCheck": false,
                        "enableAntiCsrf": false, "checkDatabase": true});
    let (_, verified) = h.post(PUBLIC, "/recipe/session/verify", verify).await;
    assert_eq!(verified["session"]["tenantId"], "t1");
    let refresh = json!({"refreshToken": created["refreshToken"]["token"],
                         "enableAntiCsrf": false, "useDynamicSigningKey": true});
    let (_, refreshed) = h.post(PUBLIC, "/recipe/session/refresh", refresh).await;
    assert_eq!(refreshed["session"]["tenantId"], "t1");
    assert_eq!(
        claims_of(refreshed["accessToken"]["token"].as_str().unwrap())["tId"],
        "t1"
    );
}

#[tokio::test]
async fn listing_and_revoking_by_user_respect_the_tenant() {
    let h = Harness::new();
    let public = h.create(PUBLIC, "u").await["session"]["handle"].clone();
    let t1 = h.create("t1", "u").await["session"]["handle"].clone();

    let (_, all) = h.get(PUBLIC, "/recipe/session/user?userId=u").await;
    assert_eq!(all["sessionHandles"].as_array().unwrap().len(), 2);
    let (_, only_t1) = h
        .get(
            "t1",
            "/recipe/session/user?userId=u&fetchAcrossAllTenants=false",
        )
        .await;
    assert_eq!(only_t1["sessionHandles"], json!([t1]));
    let (status, _) = h.get("t1", "/recipe/session/user?userId=u").await;
    assert_eq!(status, 403, "across all tenants is for the public tenant");
    let (status, _) = h
        .get(
            "t1",
            "/recipe/session/user?userId=u&fetchAcrossAllTenants=maybe",
        )
        .await;
    assert_eq!(status, 400);

    let (status, _) = h
        .post("t1", "/recipe/session/remove", json!({"userId": "u"}))
        .await;
    assert_eq!(status, 403);
    let (_, removed) = h
        .post(
            "t1",
            "/recipe/session/remove",
            json!({"userId": "u", "revokeAcrossAllTenants": false}),
        )
        .await;
    assert_eq!(removed["sessionHandlesRevoked"], json!([t1]));
    let (_, left) = h.get(PUBLIC, "/recipe/session/user?userId=u").await;
    assert_eq!(left["sessionHandles"], json!([public]));
}

#[tokio::test]
async fn jwt_data_is_tenant_scoped() {
    let h = Harness::new();
    let handle = h.create("t1", "u").await["session"]["handle"].clone();
    let body = json!({"sessionHandle": handle, "userDataInJWT": {"a": 1}});
    let (_, wrong) = h
        .call(PUBLIC, "PUT", "/recipe/jwt/data", body.clone())
        .await;
    assert_eq!(wrong["status"], "UNAUTHORISED");
    let (_, right) = h.call("t1", "PUT", "/recipe/jwt/data", body).await;
    assert_eq!(right["status"], "OK");
    let (status, _) = h.get("t1", "/recipe/jwt/jwks").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn removing_a_user_removes_their_sessions() {
    let h = Harness::new();
    h.create(PUBLIC, "gone").await;
    h.create("t1", "gone").await;
    let kept = h.create(PUBLIC, "kept").await["session"]["handle"].clone();
    h.state
        .store
        .write(|tx| remove_user_sessions(tx, "public", "gone"))
        .await
        .unwrap();
    let (_, gone) = h.get(PUBLIC, "/recipe/session/user?userId=gone").await;
    assert_eq!(gone["sessionHandles"], json!([]));
    let (_, still) = h.get(PUBLIC, "/recipe/session/user?userId=kept").await;
    assert_eq!(still["sessionHandles"], json!([kept]));
}

async fn count_sessions(h: &Harness) -> i64 {
    h.state
        .store
        .read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM session_info", [], |r| r.get(0))?))
        .await
        .unwrap()
}

#[tokio::test]
async fn expired_sessions_are_deleted_lazily_by_a_later_create() {
    let h = Harness::new();
    h.create(PUBLIC, "old").await;
    assert_eq!(count_sessions(&h).await, 1);
    h.state
        .clock
        .advance(std::time::Duration::from_secs(101 * 86_400));
    h.create(PUBLIC, "new").await;
    assert_eq!(
        count_sessions(&h).await,
        1,
        "the expired session is gone, the new one stored"
    );
}
