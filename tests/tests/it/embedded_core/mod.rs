//! The embedded core through the SDK's CDI client, over both transports: in-process (the
//! service called directly) and HTTP on loopback. Every scenario runs on both.

use std::time::Duration;

use axum::ServiceExt as _;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use supertokens::Clock;
use supertokens::config::CoreHost;
use supertokens::core::cdi::{
    CheckCodeResponse, ConsumeCodeRequest, ConsumeCodeResponse, CreateCodeRequest,
    CreateCodeResponse, GetUserResponse, ListCodesResponse, OkResponse, RecipeUserResponse,
    UpdateUserResponse, User, UsersByAccountInfoResponse,
};
use supertokens::core::embedded::{EmbeddedCore, RequestLogTarget};
use supertokens::core::embedded_config::{Database, EmbeddedCoreConfig};
use supertokens::core::{CoreClient, CoreError};
use tower::ServiceExt as _;

const TIMEOUT: Duration = Duration::from_secs(10);
const PL: Option<&str> = Some("passwordless");

#[derive(Clone, Copy, Debug)]
enum Transport {
    InProcess,
    Http,
}

/// One embedded core and a client of it over the chosen transport.
struct Harness {
    core: EmbeddedCore,
    client: CoreClient,
    base: Option<String>,
    http: reqwest::Client,
    _server: Option<tokio::task::JoinHandle<()>>,
}

impl Harness {
    async fn new(transport: Transport) -> Self {
        Self::with(transport, EmbeddedCoreConfig::default(), None).await
    }

    async fn with(
        transport: Transport,
        config: EmbeddedCoreConfig,
        log: Option<RequestLogTarget>,
    ) -> Self {
        let api_key = config.api_key.clone();
        let config = EmbeddedCoreConfig {
            database: Database::Memory,
            ..config
        };
        let mut core = EmbeddedCore::open_with_clock(config, Clock::system()).unwrap();
        if let Some(log) = log {
            core = core.with_request_log(log).unwrap();
        }
        let http = reqwest::Client::new();
        match transport {
            Transport::InProcess => Self {
                client: CoreClient::in_process(core.service(), api_key, TIMEOUT),
                core,
                base: None,
                http,
                _server: None,
            },
            Transport::Http => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let base = format!("http://{}", listener.local_addr().unwrap());
                let service = core.service();
                let server = tokio::spawn(async move {
                    axum::serve(listener, service.into_make_service())
                        .await
                        .unwrap();
                });
                let host = CoreHost {
                    domain: base.clone(),
                    base_path: String::new(),
                };
                Self {
                    client: CoreClient::http(vec![host], api_key, TIMEOUT).unwrap(),
                    core,
                    base: Some(base),
                    http,
                    _server: Some(server),
                }
            }
        }
    }

    /// A request exactly as given (no client in between): status and body text.
    async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        match &self.base {
            None => {
                let mut req = http::Request::builder().method(method).uri(path);
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                let req = req.body(axum::body::Body::from(body.to_owned())).unwrap();
                let res = self.core.service().oneshot(req).await.unwrap();
                let status = res.status().as_u16();
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                (status, String::from_utf8_lossy(&bytes).into_owned())
            }
            Some(base) => {
                let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let mut req = self
                    .http
                    .request(method, format!("{base}{path}"))
                    .body(body.to_owned());
                for (k, v) in headers {
                    req = req.header(*k, *v);
                }
                let res = req.send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        }
    }

    async fn create(&self, req: &CreateCodeRequest) -> CreateCodeResponse {
        self.client
            .post("/public/recipe/signinup/code", PL, req)
            .await
            .unwrap()
    }

    async fn create_for_email(&self, email: &str) -> Code {
        Code::from(
            self.create(&CreateCodeRequest {
                email: Some(email.into()),
                ..Default::default()
            })
            .await,
        )
    }

    async fn create_for_phone(&self, phone: &str) -> Code {
        Code::from(
            self.create(&CreateCodeRequest {
                phone_number: Some(phone.into()),
                ..Default::default()
            })
            .await,
        )
    }

    async fn resend(&self, device_id: &str, user_input_code: Option<&str>) -> CreateCodeResponse {
        self.create(&CreateCodeRequest {
            device_id: Some(device_id.into()),
            user_input_code: user_input_code.map(Into::into),
            ..Default::default()
        })
        .await
    }

    async fn consume_typed(&self, code: &Code, typed: &str) -> ConsumeCodeResponse {
        self.consume(&ConsumeCodeRequest {
            pre_auth_session_id: code.pre_auth_session_id.clone(),
            device_id: Some(code.device_id.clone()),
            user_input_code: Some(typed.into()),
            ..Default::default()
        })
        .await
    }

    async fn consume_link(
        &self,
        pre_auth_session_id: &str,
        link_code: &str,
    ) -> ConsumeCodeResponse {
        self.consume(&ConsumeCodeRequest {
            pre_auth_session_id: pre_auth_session_id.into(),
            link_code: Some(link_code.into()),
            ..Default::default()
        })
        .await
    }

    async fn consume(&self, req: &ConsumeCodeRequest) -> ConsumeCodeResponse {
        self.client
            .post("/public/recipe/signinup/code/consume", PL, req)
            .await
            .unwrap()
    }

    async fn devices(&self, key: &str, value: &str) -> Vec<supertokens::core::cdi::DeviceInfo> {
        let ListCodesResponse::Ok { devices } = self
            .client
            .get("/public/recipe/signinup/codes", PL, &[(key, value)])
            .await
            .unwrap();
        devices
    }

    async fn user(&self, id: &str) -> Option<User> {
        match self
            .client
            .get("/user/id", None, &[("userId", id)])
            .await
            .unwrap()
        {
            GetUserResponse::Ok { user } => Some(user),
            GetUserResponse::UnknownUserId => None,
        }
    }

    /// Signs `email` in with its one-time code and returns the user.
    async fn sign_in(&self, email: &str) -> (User, bool) {
        let code = self.create_for_email(email).await;
        match self.consume_typed(&code, &code.user_input_code).await {
            ConsumeCodeResponse::Ok {
                user,
                created_new_user,
                ..
            } => (user, created_new_user),
            other => panic!("sign-in failed: {other:?}"),
        }
    }
}

/// The parts of a created code the tests use.
#[derive(Debug, Clone)]
struct Code {
    pre_auth_session_id: String,
    device_id: String,
    user_input_code: String,
    link_code: String,
    code_id: String,
    time_created: i64,
    code_lifetime: i64,
}

impl From<CreateCodeResponse> for Code {
    fn from(r: CreateCodeResponse) -> Self {
        match r {
            CreateCodeResponse::Ok {
                pre_auth_session_id,
                code_id,
                device_id,
                user_input_code,
                link_code,
                time_created,
                code_lifetime,
            } => Code {
                pre_auth_session_id,
                device_id,
                user_input_code,
                link_code,
                code_id,
                time_created,
                code_lifetime,
            },
            other => panic!("create code failed: {other:?}"),
        }
    }
}

fn wrong(code: &str) -> String {
    let digit = |c: char| char::from(b'0' + ((c as u8 - b'0' + 1) % 10));
    code.chars().map(digit).collect()
}

fn status_of(e: CoreError) -> (u16, String) {
    match e {
        CoreError::Status { status, body, .. } => (status, body),
        other => panic!("expected a status error, got {other}"),
    }
}

/// Runs each scenario once per transport.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod in_process {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Transport::InProcess).await }) *
        }
        mod over_http {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::Transport::Http).await }) *
        }
    };
}

both!(
    service_endpoints_versions_and_errors,
    api_key_is_required_when_configured,
    unknown_apps_and_tenants,
    codes_have_the_core_formats,
    sign_in_creates_then_finds_the_user,
    emails_and_phones_are_normalised,
    fifth_wrong_code_restarts_the_flow,
    lowered_maximum_restarts_a_device_over_it,
    expired_code_counts_and_keeps_the_device,
    link_codes,
    code_reuse_and_resend,
    consume_deletes_every_device_of_the_contact,
    check_code_counts_but_consumes_nothing,
    removing_and_listing_codes,
    expired_devices_are_swept_lazily,
    user_lookup_endpoints,
    updating_users,
    removing_and_counting_users,
    removing_a_user_ends_their_sessions,
    bad_input_is_a_400_never_a_500,
    concurrent_sign_ins_all_succeed,
    request_log_redacts_secrets,
);

async fn service_endpoints_versions_and_errors(t: Transport) {
    let h = Harness::new(t).await;
    assert_eq!(h.raw("GET", "/hello", &[], "").await, (200, "Hello".into()));
    let (status, body) = h.raw("GET", "/apiversion", &[], "").await;
    assert_eq!(status, 200);
    let versions: Value = serde_json::from_str(&body).unwrap();
    let versions = versions["versions"].as_array().unwrap();
    for v in ["5.3", "5.4"] {
        assert!(
            versions.contains(&json!(v)),
            "{v} missing from {versions:?}"
        );
    }
    assert!(!versions.contains(&json!("5.5")) && !versions.contains(&json!("5.6")));
    assert_eq!(h.client.cdi_version().await.unwrap(), "5.4");

    assert_eq!(
        h.raw("GET", "/no/such/path", &[], "").await,
        (404, "Not found".into())
    );
    assert_eq!(h.raw("GET", "/public/recipe/nothing", &[], "").await.0, 404);
    assert_eq!(h.raw("GET", "/recipe/signinup/code", &[], "").await.0, 405);
    assert_eq!(h.raw("DELETE", "/user/id?userId=x", &[], "").await.0, 405);

    let v = [("cdi-version", "9.9")];
    assert_eq!(
        h.raw("GET", "/public/recipe/multitenancy/tenant/v2", &v, "")
            .await,
        (400, "cdi-version 9.9 not supported".into())
    );
    // /hello and /apiversion need no version; a missing version means the newest.
    assert_eq!(h.raw("GET", "/apiversion", &v, "").await.0, 200);
    let (status, body) = h
        .raw("GET", "/public/recipe/multitenancy/tenant/v2", &[], "")
        .await;
    assert_eq!(status, 200);
    let tenant: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(tenant["status"], "OK");
    assert_eq!(tenant["tenantId"], "public");
    assert!(tenant.get("firstFactors").is_none(), "{tenant}");
    assert_eq!(tenant["thirdParty"], json!({"providers": []}));
    for old in ["5.3", "4.0"] {
        let (status, _) = h
            .raw(
                "GET",
                "/public/recipe/multitenancy/tenant/v2",
                &[("cdi-version", old)],
                "",
            )
            .await;
        assert_eq!(status, 200, "cdi-version {old}");
    }
    // Through the client, the typed answer.
    let typed: supertokens::core::cdi::TenantResponse = h
        .client
        .get(
            "/public/recipe/multitenancy/tenant/v2",
            Some("multitenancy"),
            &[],
        )
        .await
        .unwrap();
    assert!(matches!(
        typed,
        supertokens::core::cdi::TenantResponse::Ok { .. }
    ));
}

async fn api_key_is_required_when_configured(t: Transport) {
    let key = "a-very-secret-key-of-some-length";
    let config = EmbeddedCoreConfig {
        api_key: Some(key.into()),
        ..Default::default()
    };
    let h = Harness::with(t, config, None).await;
    // The client sends the key: everything works.
    let code = h.create_for_email("key@example.com").await;
    assert_eq!(code.user_input_code.len(), 6);
    // Without it, or with a wrong one: 401.
    assert_eq!(
        h.raw("GET", "/apiversion", &[], "").await,
        (401, "Invalid API key".into())
    );
    let wrong_key = [("api-key", "not-the-key")];
    assert_eq!(h.raw("GET", "/apiversion", &wrong_key, "").await.0, 401);
    let almost = [("api-key", "a-very-secret-key-of-some-lengtX")];
    assert_eq!(h.raw("GET", "/apiversion", &almost, "").await.0, 401);
    // Authorization: Bearer <key> and a raw Authorization: <key> are accepted too.
    let bearer = format!("Bearer {key}");
    assert_eq!(
        h.raw("GET", "/apiversion", &[("authorization", &bearer)], "")
            .await
            .0,
        200
    );
    assert_eq!(
        h.raw("GET", "/apiversion", &[("authorization", key)], "")
            .await
            .0,
        200
    );
    assert_eq!(
        h.raw("GET", "/apiversion", &[("api-key", key)], "").await.0,
        200
    );
    // /hello and the JWKS need no key.
    assert_eq!(h.raw("GET", "/hello", &[], "").await.0, 200);
    assert_ne!(h.raw("GET", "/.well-known/jwks.json", &[], "").await.0, 401);
    // A client with another key is refused with the core's message.
    let other = match &h.base {
        None => CoreClient::in_process(h.core.service(), Some("wrong-key".into()), TIMEOUT),
        Some(base) => CoreClient::http(
            vec![CoreHost {
                domain: base.clone(),
                base_path: String::new(),
            }],
            Some("wrong-key".into()),
            TIMEOUT,
        )
        .unwrap(),
    };
    let err = other
        .get::<Value>("/user/id", None, &[("userId", "x")])
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("401") || text.contains("Invalid API key"),
        "{text}"
    );
}

async fn unknown_apps_and_tenants(t: Transport) {
    let h = Harness::new(t).await;
    let v = [("cdi-version", "5.4")];
    let body = r#"{"email":"a@b.com"}"#;
    let (status, text) = h
        .raw("POST", "/appid-other/public/recipe/signinup/code", &v, body)
        .await;
    assert_eq!(status, 400);
    assert!(text.starts_with("AppId or tenantId not found"), "{text}");
    let (status, text) = h
        .raw("POST", "/tenant1/recipe/signinup/code", &v, body)
        .await;
    assert_eq!(status, 400);
    assert!(text.contains("tenant1"), "{text}");
    // The explicit public app and tenant are the defaults.
    assert_eq!(
        h.raw(
            "POST",
            "/appid-public/public/recipe/signinup/code",
            &v,
            body
        )
        .await
        .0,
        200
    );
    assert_eq!(
        h.raw("POST", "/recipe/signinup/code", &v, body).await.0,
        200
    );
    // Looking a tenant up answers TENANT_NOT_FOUND_ERROR rather than failing.
    let missing: Value = h
        .client
        .get(
            "/tenant1/recipe/multitenancy/tenant/v2",
            Some("multitenancy"),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(missing, json!({"status": "TENANT_NOT_FOUND_ERROR"}));
}

async fn codes_have_the_core_formats(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("format@example.com").await;
    let std_b64 = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
    };
    let url_b64 = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    };
    assert_eq!(code.device_id.len(), 44);
    assert!(code.device_id.ends_with('=') && std_b64(&code.device_id));
    assert_eq!(code.pre_auth_session_id.len(), 43);
    assert!(url_b64(&code.pre_auth_session_id));
    assert_eq!(code.link_code.len(), 43);
    assert!(url_b64(&code.link_code));
    assert_eq!(code.user_input_code.len(), 6);
    assert!(code.user_input_code.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(code.code_id.len(), 36);
    assert_eq!(code.code_lifetime, 600_000, "10 minutes by default");
    let now = h.core.clock().now_ms();
    assert!((now - code.time_created).abs() < 5_000);
    // Fresh randomness each time.
    let again = h.create_for_email("format@example.com").await;
    assert_ne!(again.device_id, code.device_id);
    assert_ne!(again.link_code, code.link_code);
    // The listing never shows a code, only ids and times (timeCreated is a number).
    let (_, listed) = h
        .raw(
            "GET",
            &format!(
                "/public/recipe/signinup/codes?preAuthSessionId={}",
                code.pre_auth_session_id
            ),
            &[],
            "",
        )
        .await;
    assert!(!listed.contains(&code.user_input_code) && !listed.contains(&code.link_code));
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert!(listed["devices"][0]["codes"][0]["timeCreated"].is_i64());
    // A configured lifetime is reported.
    let short = Harness::with(
        t,
        EmbeddedCoreConfig {
            code_lifetime: Duration::from_secs(90),
            ..Default::default()
        },
        None,
    )
    .await;
    assert_eq!(short.create_for_email("x@y.z").await.code_lifetime, 90_000);
}

async fn sign_in_creates_then_finds_the_user(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("new@example.com").await;
    let ConsumeCodeResponse::Ok {
        created_new_user,
        user,
        recipe_user_id,
        consumed_device,
    } = h.consume_typed(&code, &code.user_input_code).await
    else {
        panic!("consume failed")
    };
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
    let ConsumeCodeResponse::Ok {
        user,
        consumed_device,
        ..
    } = h.consume_typed(&code, &code.user_input_code).await
    else {
        panic!()
    };
    assert_eq!(user.phone_numbers, ["+14155552671"]);
    assert_eq!(
        consumed_device.phone_number.as_deref(),
        Some("+14155552671")
    );
    assert_eq!(consumed_device.email, None);
    // Like the real core, an unparseable number is kept (trimmed), not rejected.
    let odd = h.create_for_phone(" not-a-phone ").await;
    let ConsumeCodeResponse::Ok { user, .. } = h.consume_typed(&odd, &odd.user_input_code).await
    else {
        panic!()
    };
    assert_eq!(user.phone_numbers, ["not-a-phone"]);
}

async fn fifth_wrong_code_restarts_the_flow(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("attempts@example.com").await;
    let bad = wrong(&code.user_input_code);
    for n in 1..=4 {
        assert_eq!(
            h.consume_typed(&code, &bad).await,
            ConsumeCodeResponse::IncorrectUserInputCode {
                failed_code_input_attempt_count: n,
                maximum_code_input_attempts: 5
            }
        );
        let devices = h
            .devices("preAuthSessionId", &code.pre_auth_session_id)
            .await;
        assert_eq!(devices[0].failed_code_input_attempt_count, n);
    }
    assert_eq!(
        h.consume_typed(&code, &bad).await,
        ConsumeCodeResponse::RestartFlow
    );
    assert!(
        h.devices("preAuthSessionId", &code.pre_auth_session_id)
            .await
            .is_empty()
    );
    // The right code is useless now, and so is the link.
    assert_eq!(
        h.consume_typed(&code, &code.user_input_code).await,
        ConsumeCodeResponse::RestartFlow
    );
    assert_eq!(
        h.consume_link(&code.pre_auth_session_id, &code.link_code)
            .await,
        ConsumeCodeResponse::RestartFlow
    );
    // A right code after fewer failures still works and reports them.
    let code = h.create_for_email("attempts@example.com").await;
    h.consume_typed(&code, &wrong(&code.user_input_code)).await;
    h.consume_typed(&code, &wrong(&code.user_input_code)).await;
    let ConsumeCodeResponse::Ok {
        consumed_device, ..
    } = h.consume_typed(&code, &code.user_input_code).await
    else {
        panic!()
    };
    assert_eq!(consumed_device.failed_code_input_attempt_count, 2);
}

async fn lowered_maximum_restarts_a_device_over_it(t: Transport) {
    // A core configured with 2 attempts: the 2nd wrong attempt restarts.
    let h = Harness::with(
        t,
        EmbeddedCoreConfig {
            max_code_input_attempts: 2,
            ..Default::default()
        },
        None,
    )
    .await;
    let code = h.create_for_email("two@example.com").await;
    let bad = wrong(&code.user_input_code);
    assert_eq!(
        h.consume_typed(&code, &bad).await,
        ConsumeCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count: 1,
            maximum_code_input_attempts: 2
        }
    );
    assert_eq!(
        h.consume_typed(&code, &bad).await,
        ConsumeCodeResponse::RestartFlow
    );
}

async fn expired_code_counts_and_keeps_the_device(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("late@example.com").await;
    // Just inside the lifetime it works (checked with `check`, which consumes nothing).
    h.core.clock().advance(Duration::from_secs(599));
    let check: CheckCodeResponse = h
        .client
        .post(
            "/public/recipe/signinup/code/check",
            PL,
            &ConsumeCodeRequest {
                pre_auth_session_id: code.pre_auth_session_id.clone(),
                device_id: Some(code.device_id.clone()),
                user_input_code: Some(code.user_input_code.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(check, CheckCodeResponse::Ok { .. }));
    h.core.clock().advance(Duration::from_secs(2));
    assert_eq!(
        h.consume_typed(&code, &code.user_input_code).await,
        ConsumeCodeResponse::ExpiredUserInputCode {
            failed_code_input_attempt_count: 1,
            maximum_code_input_attempts: 5
        }
    );
    // A wrong code after expiry is simply incorrect (and counts).
    assert_eq!(
        h.consume_typed(&code, &wrong(&code.user_input_code)).await,
        ConsumeCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count: 2,
            maximum_code_input_attempts: 5
        }
    );
    // The device is kept: a resend and its new code sign the user in.
    let devices = h.devices("email", "late@example.com").await;
    assert_eq!(devices.len(), 1);
    let resent = Code::from(h.resend(&code.device_id, None).await);
    assert_eq!(resent.pre_auth_session_id, code.pre_auth_session_id);
    assert_eq!(resent.device_id, code.device_id);
    assert_ne!(resent.code_id, code.code_id);
    let ConsumeCodeResponse::Ok {
        consumed_device, ..
    } = h.consume_typed(&resent, &resent.user_input_code).await
    else {
        panic!()
    };
    assert_eq!(consumed_device.failed_code_input_attempt_count, 2);
}

async fn link_codes(t: Transport) {
    let h = Harness::new(t).await;
    // A wrong link code restarts the flow without counting an attempt.
    let code = h.create_for_email("link@example.com").await;
    let forged: String = code.link_code.chars().rev().collect();
    assert_eq!(
        h.consume_link(&code.pre_auth_session_id, &forged).await,
        ConsumeCodeResponse::RestartFlow
    );
    let devices = h
        .devices("preAuthSessionId", &code.pre_auth_session_id)
        .await;
    assert_eq!(devices[0].failed_code_input_attempt_count, 0);
    // Malformed base64 is a 400.
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code/consume",
            PL,
            &json!({"preAuthSessionId": code.pre_auth_session_id, "linkCode": "not base64 !!"}),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    // Another device's preAuthSessionId is a 400.
    let other = h.create_for_email("other@example.com").await;
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code/consume",
            PL,
            &json!({"preAuthSessionId": other.pre_auth_session_id, "linkCode": code.link_code}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        status_of(err),
        (400, "preAuthSessionId and deviceId doesn't match".into())
    );
    // The link works, with or without `=` padding on both ids.
    let padded = format!("{}=", code.link_code);
    let ConsumeCodeResponse::Ok {
        user,
        created_new_user,
        ..
    } = h
        .consume_link(&format!("{}=", code.pre_auth_session_id), &padded)
        .await
    else {
        panic!()
    };
    assert!(created_new_user);
    assert_eq!(user.emails, ["link@example.com"]);
    // An expired link restarts, and does not count.
    let late = h.create_for_email("late-link@example.com").await;
    h.core.clock().advance(Duration::from_secs(601));
    assert_eq!(
        h.consume_link(&late.pre_auth_session_id, &late.link_code)
            .await,
        ConsumeCodeResponse::RestartFlow
    );
    let devices = h
        .devices("preAuthSessionId", &late.pre_auth_session_id)
        .await;
    assert_eq!(devices[0].failed_code_input_attempt_count, 0);
    // The link of a resent code works.
    let resent = Code::from(h.resend(&late.device_id, None).await);
    assert!(matches!(
        h.consume_link(&resent.pre_auth_session_id, &resent.link_code)
            .await,
        ConsumeCodeResponse::Ok { .. }
    ));
}

async fn code_reuse_and_resend(t: Transport) {
    let h = Harness::new(t).await;
    let code = Code::from(
        h.create(&CreateCodeRequest {
            email: Some("reuse@example.com".into()),
            user_input_code: Some("123456".into()),
            ..Default::default()
        })
        .await,
    );
    assert_eq!(code.user_input_code, "123456");
    assert_eq!(
        h.resend(&code.device_id, Some("123456")).await,
        CreateCodeResponse::UserInputCodeAlreadyUsed
    );
    // Another custom code on the same device is fine; both codes are live.
    let second = Code::from(h.resend(&code.device_id, Some("654321")).await);
    assert_eq!(second.pre_auth_session_id, code.pre_auth_session_id);
    let devices = h.devices("deviceId", &code.device_id).await;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].codes.len(), 2);
    // The same custom code on another device is fine too.
    let other = h
        .create(&CreateCodeRequest {
            email: Some("reuse2@example.com".into()),
            user_input_code: Some("123456".into()),
            ..Default::default()
        })
        .await;
    assert!(matches!(other, CreateCodeResponse::Ok { .. }));
    // The first code still signs in.
    assert!(matches!(
        h.consume_typed(&code, "123456").await,
        ConsumeCodeResponse::Ok { .. }
    ));
    // The device is gone: a resend restarts, and so does an unknown device.
    assert_eq!(
        h.resend(&code.device_id, None).await,
        CreateCodeResponse::RestartFlow
    );
    let unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_eq!(
        h.resend(unknown, None).await,
        CreateCodeResponse::RestartFlow
    );
    // Undecodable device ids and empty codes are 400s.
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code",
            PL,
            &json!({"deviceId": "%%%"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        status_of(err),
        (400, "Input encoding error in deviceId".into())
    );
    let err = h
        .client
        .post::<_, Value>(
            "/public/recipe/signinup/code",
            PL,
            &json!({"email": "a@b.c", "userInputCode": ""}),
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
}

async fn consume_deletes_every_device_of_the_contact(t: Transport) {
    let h = Harness::new(t).await;
    let first = h.create_for_email("many@example.com").await;
    let second = h.create_for_email("Many@Example.com").await;
    let bystander = h.create_for_email("bystander@example.com").await;
    assert_eq!(h.devices("email", "many@example.com").await.len(), 2);
    assert!(matches!(
        h.consume_typed(&second, &second.user_input_code).await,
        ConsumeCodeResponse::Ok { .. }
    ));
    assert!(h.devices("email", "many@example.com").await.is_empty());
    assert_eq!(
        h.consume_typed(&first, &first.user_input_code).await,
        ConsumeCodeResponse::RestartFlow
    );
    assert_eq!(h.devices("email", "bystander@example.com").await.len(), 1);
    assert!(matches!(
        h.consume_typed(&bystander, &bystander.user_input_code)
            .await,
        ConsumeCodeResponse::Ok { .. }
    ));
}

async fn check_code_counts_but_consumes_nothing(t: Transport) {
    let h = Harness::new(t).await;
    let code = h.create_for_email("check@example.com").await;
    let check = |typed: String| {
        let req = ConsumeCodeRequest {
            pre_auth_session_id: code.pre_auth_session_id.clone(),
            device_id: Some(code.device_id.clone()),
            user_input_code: Some(typed),
            ..Default::default()
        };
        let client = h.client.clone();
        async move {
            client
                .post::<_, CheckCodeResponse>("/public/recipe/signinup/code/check", PL, &req)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        check(wrong(&code.user_input_code)).await,
        CheckCodeResponse::IncorrectUserInputCode {
            failed_code_input_attempt_count: 1,
            maximum_code_input_attempts: 5
        }
    );
    let CheckCodeResponse::Ok { consumed_device } = check(code.user_input_code.clone()).await
    else {
        panic!()
    };
    assert_eq!(consumed_device.failed_code_input_attempt_count, 1);
    assert_eq!(consumed_device.email.as_deref(), Some("check@example.com"));
    // Nothing was consumed and no user exists yet.
    let users: UsersByAccountInfoResponse = h
        .client
        .get(
            "/public/users/by-accountinfo",
            None,
            &[
                ("email", "check@example.com"),
                ("doUnionOfAccountInfo", "false"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(users, UsersByAccountInfoResponse::Ok { users: vec![] });
    let ConsumeCodeResponse::Ok {
        created_new_user, ..
    } = h.consume_typed(&code, &code.user_input_code).await
    else {
        panic!()
    };
    assert!(created_new_user);
}

async fn removing_and_listing_codes(t: Transport) {
    let h = Harness::new(t).await;
    let a = h.create_for_email("list@example.com").await;
    let a2 = Code::from(h.resend(&a.device_id, None).await);
    let b = h.create_for_phone("+14155550000").await;
    // Listing by each key.
    assert_eq!(h.devices("email", "LIST@example.com").await.len(), 1);
    assert_eq!(h.devices("phoneNumber", "+1 415 555 0000").await.len(), 1);
    let by_device = h.devices("deviceId", &a.device_id).await;
    assert_eq!(by_device.len(), 1);
    assert_eq!(by_device[0].pre_auth_session_id, a.pre_auth_session_id);
    let ids: Vec<_> = by_device[0]
        .codes
        .iter()
        .map(|c| c.code_id.clone())
        .collect();
    assert!(ids.contains(&a.code_id) && ids.contains(&a2.code_id));
    assert_eq!(by_device[0].codes[0].code_lifetime, 600_000);
    assert!(
        h.devices("preAuthSessionId", "nothing-here")
            .await
            .is_empty()
    );
    // Exactly one key.
    let err = h
        .client
        .get::<Value>(
            "/public/recipe/signinup/codes",
            PL,
            &[("email", "list@example.com"), ("phoneNumber", "+1")],
        )
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    let err = h
        .client
        .get::<Value>("/public/recipe/signinup/codes", PL, &[])
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    // Removing one code leaves the device with the other; removing that removes the device.
    let ok: OkResponse = h
        .client
        .post(
            "/public/recipe/signinup/code/remove",
            PL,
            &json!({"codeId": a.code_id}),
        )
        .await
        .unwrap();
    assert_eq!(ok, OkResponse::Ok);
    assert!(matches!(
        h.consume_typed(&a, &a.user_input_code).await,
        ConsumeCodeResponse::IncorrectUserInputCode { .. }
    ));
    assert_eq!(h.devices("deviceId", &a.device_id).await[0].codes.len(), 1);
    let _: OkResponse = h
        .client
        .post(
            "/public/recipe/signinup/code/remove",
            PL,
            &json!({"codeId": a2.code_id}),
        )
        .await
        .unwrap();
    assert!(h.devices("deviceId", &a.device_id).await.is_empty());
    // By preAuthSessionId: the whole device.
    let _: OkResponse = h
        .client
        .post(
            "/public/recipe/signinup/code/remove",
            PL,
            &json!({"preAuthSessionId": b.pre_auth_session_id}),
        )
        .await
        .unwrap();
    assert!(h.devices("phoneNumber", "+14155550000").await.is_empty());
    // codes/remove by contact.
    h.create_for_email("gone@example.com").await;
    h.create_for_email("gone@example.com").await;
    let _: OkResponse = h
        .client
        .post(
            "/public/recipe/signinup/codes/remove",
            PL,
            &json!({"email": " GONE@example.com"}),
        )
        .await
        .unwrap();
    assert!(h.devices("email", "gone@example.com").await.is_empty());
    for body in [json!({}), json!({"email": "a@b.c", "phoneNumber": "+1"})] {
        let err = h
            .client
            .post::<_, Value>("/public/recipe/signinup/codes/remove", PL, &body)
            .await
            .unwrap_err();
        assert_eq!(status_of(err).0, 400);
    }
    let err = h
        .client
        .post::<_, Value>("/public/recipe/signinup/code/remove", PL, &json!({}))
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
}

async fn expired_devices_are_swept_lazily(t: Transport) {
    let h = Harness::new(t).await;
    let old = h.create_for_email("old@example.com").await;
    // One lifetime later the device is kept (a resend may still follow an expired code)...
    h.core.clock().advance(Duration::from_secs(11 * 60));
    h.create_for_email("trigger@example.com").await;
    assert_eq!(
        h.devices("preAuthSessionId", &old.pre_auth_session_id)
            .await
            .len(),
        1
    );
    // ...and after a further lifetime it is swept on the next code creation.
    h.core.clock().advance(Duration::from_secs(11 * 60));
    h.create_for_email("trigger2@example.com").await;
    assert!(
        h.devices("preAuthSessionId", &old.pre_auth_session_id)
            .await
            .is_empty()
    );
    assert_eq!(h.devices("email", "trigger2@example.com").await.len(), 1);
}

async fn user_lookup_endpoints(t: Transport) {
    let h = Harness::new(t).await;
    let (alice, _) = h.sign_in("alice@example.com").await;
    let phone_code = h.create_for_phone("+14155552671").await;
    let ConsumeCodeResponse::Ok { user: bob, .. } = h
        .consume_typed(&phone_code, &phone_code.user_input_code)
        .await
    else {
        panic!()
    };
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

    let by = |q: Vec<(&'static str, &'static str)>| {
        let client = h.client.clone();
        async move {
            client
                .get::<UsersByAccountInfoResponse>("/public/users/by-accountinfo", None, &q)
                .await
        }
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

    let recipe = |q: Vec<(&'static str, String)>| {
        let client = h.client.clone();
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client
                .get::<RecipeUserResponse>("/public/recipe/user", PL, &q)
                .await
        }
    };
    assert_eq!(
        recipe(vec![("userId", alice.id.clone())]).await.unwrap(),
        RecipeUserResponse::Ok {
            user: alice.clone()
        }
    );
    assert_eq!(
        recipe(vec![("email", "ALICE@example.com".into())])
            .await
            .unwrap(),
        RecipeUserResponse::Ok {
            user: alice.clone()
        }
    );
    assert_eq!(
        recipe(vec![("phoneNumber", "+14155552671".into())])
            .await
            .unwrap(),
        RecipeUserResponse::Ok { user: bob.clone() }
    );
    assert_eq!(
        recipe(vec![("userId", "nope".into())]).await.unwrap(),
        RecipeUserResponse::UnknownUserId
    );
    assert_eq!(
        recipe(vec![("email", "nope@example.com".into())])
            .await
            .unwrap(),
        RecipeUserResponse::UnknownEmail
    );
    assert_eq!(
        recipe(vec![("phoneNumber", "+15555550100".into())])
            .await
            .unwrap(),
        RecipeUserResponse::UnknownPhoneNumber
    );
    let err = recipe(vec![]).await.unwrap_err();
    assert_eq!(status_of(err).0, 400);
    let err = recipe(vec![
        ("userId", alice.id.clone()),
        ("email", "alice@example.com".into()),
    ])
    .await
    .unwrap_err();
    assert_eq!(status_of(err).0, 400);
}

async fn updating_users(t: Transport) {
    let h = Harness::new(t).await;
    let (alice, _) = h.sign_in("alice@example.com").await;
    let (carol, _) = h.sign_in("carol@example.com").await;
    let update = |body: Value| {
        let client = h.client.clone();
        async move {
            client
                .put::<_, UpdateUserResponse>("/recipe/user", PL, &body)
                .await
        }
    };
    // Add a phone (email absent = unchanged).
    assert_eq!(
        update(json!({"recipeUserId": alice.id, "phoneNumber": "+1 415 555 2671"}))
            .await
            .unwrap(),
        UpdateUserResponse::Ok
    );
    let now = h.user(&alice.id).await.unwrap();
    assert_eq!(now.emails, ["alice@example.com"]);
    assert_eq!(now.phone_numbers, ["+14155552671"]);
    // Clear the email (null), change nothing else.
    assert_eq!(
        update(json!({"recipeUserId": alice.id, "email": null}))
            .await
            .unwrap(),
        UpdateUserResponse::Ok
    );
    let now = h.user(&alice.id).await.unwrap();
    assert!(now.emails.is_empty());
    assert_eq!(now.login_methods[0].email, None);
    // Clearing the last contact is refused, and so is clearing both at once.
    let err = update(json!({"recipeUserId": alice.id, "phoneNumber": null}))
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    let err = update(json!({"recipeUserId": alice.id, "phoneNumber": null, "email": null}))
        .await
        .unwrap_err();
    assert_eq!(status_of(err).0, 400);
    assert_eq!(
        h.user(&alice.id).await.unwrap().phone_numbers,
        ["+14155552671"]
    );
    // Uniqueness.
    assert_eq!(
        update(json!({"recipeUserId": alice.id, "email": "CAROL@example.com"}))
            .await
            .unwrap(),
        UpdateUserResponse::EmailAlreadyExists
    );
    assert_eq!(
        update(json!({"recipeUserId": carol.id, "phoneNumber": "+14155552671"}))
            .await
            .unwrap(),
        UpdateUserResponse::PhoneNumberAlreadyExists
    );
    // Setting a user's own value again is fine; the old CDI `userId` name is accepted.
    assert_eq!(
        update(json!({"userId": carol.id, "email": "carol@example.com"}))
            .await
            .unwrap(),
        UpdateUserResponse::Ok
    );
    assert_eq!(
        update(json!({"recipeUserId": "nobody", "email": "x@y.z"}))
            .await
            .unwrap(),
        UpdateUserResponse::UnknownUserId
    );
    let err = update(json!({"email": "x@y.z"})).await.unwrap_err();
    assert_eq!(status_of(err).0, 400);
    // A new e-mail signs in to the same user.
    assert_eq!(
        update(json!({"recipeUserId": alice.id, "email": "alice2@example.com"}))
            .await
            .unwrap(),
        UpdateUserResponse::Ok
    );
    let (same, created) = h.sign_in("alice2@example.com").await;
    assert!(!created);
    assert_eq!(same.id, alice.id);
}

async fn removing_and_counting_users(t: Transport) {
    let h = Harness::new(t).await;
    let count = |q: Vec<(&'static str, &'static str)>| {
        let client = h.client.clone();
        async move { client.get::<Value>("/public/users/count", None, &q).await }
    };
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

async fn bad_input_is_a_400_never_a_500(t: Transport) {
    let h = Harness::new(t).await;
    let v = [("cdi-version", "5.4"), ("rid", "passwordless")];
    let code = h.create_for_email("input@example.com").await;
    let posts = [
        "/public/recipe/signinup/code",
        "/public/recipe/signinup/code/consume",
        "/public/recipe/signinup/code/check",
        "/public/recipe/signinup/code/remove",
        "/public/recipe/signinup/codes/remove",
        "/user/remove",
    ];
    let bodies = [
        "",
        "{",
        "not json",
        "null",
        "false",
        "[]",
        "\"text\"",
        "{}",
        r#"{"email": 5}"#,
        r#"{"email": {}}"#,
        r#"{"phoneNumber": null}"#,
        r#"{"email": "a@b.c", "phoneNumber": "+14155552671"}"#,
        r#"{"deviceId": []}"#,
        r#"{"preAuthSessionId": 1, "linkCode": "x"}"#,
        r#"{"preAuthSessionId": "x"}"#,
        r#"{"preAuthSessionId": "x", "deviceId": "AAAA"}"#,
        r#"{"preAuthSessionId": "x", "linkCode": "abc", "deviceId": "AAAA", "userInputCode": "1"}"#,
        r#"{"userId": 7}"#,
        r#"{"codeId": "a", "preAuthSessionId": "b"}"#,
    ];
    for path in posts {
        for body in bodies {
            let (status, text) = h.raw("POST", path, &v, body).await;
            assert!(
                status == 400 || status == 200,
                "{path} {body}: {status} {text}"
            );
            assert!(!text.contains("panick"), "{text}");
        }
    }
    for body in [
        "{",
        "[]",
        r#"{"recipeUserId": 1}"#,
        r#"{"recipeUserId": "x", "email": 3}"#,
    ] {
        let (status, _) = h.raw("PUT", "/recipe/user", &v, body).await;
        assert_eq!(status, 400, "{body}");
    }
    // Core messages.
    assert_eq!(
        h.raw("POST", "/public/recipe/signinup/code", &v, "{").await,
        (400, "Invalid Json Input".into())
    );
    assert_eq!(
        h.raw("POST", "/public/recipe/signinup/code", &v, "{}")
            .await,
        (
            400,
            "Please provide exactly one of email, phoneNumber or deviceId".into()
        )
    );
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code",
            &v,
            r#"{"email": 5}"#
        )
        .await,
        (400, "Field name 'email' is invalid in JSON input".into())
    );
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code/consume",
            &v,
            r#"{"linkCode": "abc"}"#
        )
        .await,
        (
            400,
            "Field name 'preAuthSessionId' is invalid in JSON input".into()
        )
    );
    let mixed = json!({"preAuthSessionId": code.pre_auth_session_id, "linkCode": code.link_code, "deviceId": code.device_id, "userInputCode": code.user_input_code});
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code/consume",
            &v,
            &mixed.to_string()
        )
        .await,
        (
            400,
            "Please provide exactly one of linkCode or deviceId+userInputCode".into()
        )
    );
    let mismatch = json!({"preAuthSessionId": "abc", "deviceId": code.device_id, "userInputCode": code.user_input_code});
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code/consume",
            &v,
            &mismatch.to_string()
        )
        .await,
        (400, "preAuthSessionId and deviceId doesn't match".into())
    );
    // Unknown fields are accepted (the reference SDKs send some).
    let extra = json!({"email": "extra@example.com", "shouldTryLinkingWithSessionUser": false});
    assert_eq!(
        h.raw(
            "POST",
            "/public/recipe/signinup/code",
            &v,
            &extra.to_string()
        )
        .await
        .0,
        200
    );
    // Nothing was half-written by the bad requests: the device is intact and usable.
    let devices = h
        .devices("preAuthSessionId", &code.pre_auth_session_id)
        .await;
    assert_eq!(devices[0].failed_code_input_attempt_count, 0);
    assert!(matches!(
        h.consume_typed(&code, &code.user_input_code).await,
        ConsumeCodeResponse::Ok { .. }
    ));
    // Odd query strings.
    for q in [
        "/user/id?userId",
        "/user/id?userId=%ZZ",
        "/public/recipe/signinup/codes?deviceId=%%",
        "/public/users/count?includeAllTenants=yes",
    ] {
        let (status, _) = h.raw("GET", q, &v, "").await;
        assert!(status == 200 || status == 400, "{q}: {status}");
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

async fn request_log_redacts_secrets(t: Transport) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("requests.log");
    let h = Harness::with(
        t,
        EmbeddedCoreConfig::default(),
        Some(RequestLogTarget::File(path.clone())),
    )
    .await;
    let code = h.create_for_email("logged@example.com").await;
    h.consume_typed(&code, &wrong(&code.user_input_code)).await;
    h.consume_link(&code.pre_auth_session_id, &code.link_code)
        .await;
    h.devices("deviceId", &code.device_id).await;
    h.raw("GET", "/nowhere", &[("api-key", "some-key")], "")
        .await;
    let log = std::fs::read_to_string(&path).unwrap();
    let secrets = [
        code.user_input_code.clone(),
        wrong(&code.user_input_code),
        code.link_code.clone(),
        code.device_id.clone(),
        "some-key".to_owned(),
    ];
    for secret in secrets {
        assert!(!log.contains(&secret), "secret {secret} in the log:\n{log}");
    }
    // The device id also appears URL-encoded in a query.
    let encoded: String = code
        .device_id
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    assert!(!log.contains(&encoded));
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let create = lines
        .iter()
        .find(|l| l["path"] == "/public/recipe/signinup/code")
        .unwrap();
    assert_eq!(create["method"], "POST");
    assert_eq!(create["status"], 200);
    assert_eq!(create["rid"], "passwordless");
    assert_eq!(create["cdiVersion"], "5.4");
    assert_eq!(create["body"]["email"], "logged@example.com");
    let consume = lines
        .iter()
        .find(|l| l["path"] == "/public/recipe/signinup/code/consume")
        .unwrap();
    assert_eq!(consume["body"]["userInputCode"], "<redacted>");
    assert_eq!(consume["body"]["deviceId"], "<redacted>");
    assert_eq!(
        consume["body"]["preAuthSessionId"],
        code.pre_auth_session_id
    );
    let listing = lines
        .iter()
        .find(|l| l["path"] == "/public/recipe/signinup/codes")
        .unwrap();
    assert_eq!(listing["query"]["deviceId"], "<redacted>");
    let missing = lines.iter().find(|l| l["path"] == "/nowhere").unwrap();
    assert_eq!(missing["status"], 404);
    assert_eq!(missing["apiKey"], true);
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
