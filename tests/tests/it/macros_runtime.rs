//! What the macros generate, at run time: `#[protected]` handlers answer 401 without a session
//! and run with one, the optional form sees `None`, and `env(...)` values of
//! `#[supertokens::app]` are checked at start-up with the same messages as literals at compile
//! time (the messages in `ui/app/fail/*.stderr`).

use axum::Router;
use axum::routing::get;
use http::StatusCode;
use supertokens::protected;
use supertokens::session::SessionContainer;
use supertokens::testing::TestSession;
use tests::client::Client;

#[protected]
async fn whoami(session: SessionContainer) -> String {
    session.user_id().to_string()
}

#[protected(optional)]
async fn greeting(session: Option<SessionContainer>) -> String {
    match session {
        Some(session) => format!("hello {}", session.user_id()),
        None => "hello, stranger".to_string(),
    }
}

#[protected]
async fn no_session_parameter() -> &'static str {
    "inside"
}

#[protected(check_database)]
async fn checked(session: SessionContainer) -> String {
    session.user_id().to_string()
}

/// The handlers on an instance of their own, and a session of `user_id` on it.
async fn app(user_id: &str) -> (supertokens::SuperTokens, Client, TestSession) {
    let st = supertokens::testing::instance().expect("instance");
    let router = Router::new()
        .route("/whoami", get(whoami))
        .route("/greeting", get(greeting))
        .route("/inside", get(no_session_parameter))
        .route("/checked", get(checked))
        .layer(st.layer());
    let session = supertokens::testing::session(&st, user_id)
        .await
        .expect("session");
    (st, Client::router(router), session)
}

/// `GET path`: status and body, with the session's access token as a bearer token, or none.
async fn get_as(app: &Client, path: &str, session: Option<&TestSession>) -> (u16, String) {
    let request = app.get(path);
    let request = match session {
        Some(session) => request.session(session),
        None => request,
    };
    let reply = request.send().await;
    (reply.status.as_u16(), reply.text)
}

#[tokio::test]
async fn protected_handler_needs_a_session() {
    let (_st, app, session) = app("user-1").await;
    assert_eq!(get_as(&app, "/whoami", None).await.0, 401);
    assert_eq!(
        get_as(&app, "/whoami", Some(&session)).await,
        (200, "user-1".into())
    );
    let reply = app
        .get("/whoami")
        .with(|r| session.with_cookies(r))
        .send()
        .await;
    assert_eq!(
        (reply.status, reply.text.as_str()),
        (StatusCode::OK, "user-1")
    );
}

#[tokio::test]
async fn a_forged_token_is_rejected() {
    let (_st, app, session) = app("user-1").await;
    let forged = tests::codes::forge_signature(&session.access_token);
    let reply = app.get("/whoami").bearer(&forged).send().await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn optional_form_gets_none_without_a_session() {
    let [anonymous, signed_in] = without_and_with_a_session("/greeting", "user-2").await;
    assert_eq!(anonymous, (200, "hello, stranger".into()));
    assert_eq!(signed_in, (200, "hello user-2".into()));
}

#[tokio::test]
async fn handler_without_session_parameter_is_still_protected() {
    let [anonymous, signed_in] = without_and_with_a_session("/inside", "user-3").await;
    assert_eq!(anonymous.0, 401);
    assert_eq!(signed_in, (200, "inside".into()));
}

/// `GET path` without a session, then with one of `user_id`: status and body of each.
async fn without_and_with_a_session(path: &str, user_id: &str) -> [(u16, String); 2] {
    let (_st, app, session) = app(user_id).await;
    [
        get_as(&app, path, None).await,
        get_as(&app, path, Some(&session)).await,
    ]
}

#[tokio::test]
async fn check_database_rejects_a_revoked_session() {
    let (st, app, session) = app("user-4").await;
    assert_eq!(
        get_as(&app, "/checked", Some(&session)).await,
        (200, "user-4".into())
    );

    let handle = session.session.handle().to_string();
    assert!(st.session().revoke_session(&handle).await.expect("revoke"));

    // The access token itself is still valid until it expires: only the database knows.
    assert_eq!(get_as(&app, "/whoami", Some(&session)).await.0, 200);
    assert_eq!(get_as(&app, "/checked", Some(&session)).await.0, 401);
}

// Start-up through the generated code. The variables are never set by the test suite itself;
// `env_values_are_checked_with_the_compile_time_messages` sets them for a child process.
#[supertokens::app(
    app_name = env("ST_MACROS_TEST_APP_NAME"),
    api_domain = env("ST_MACROS_TEST_API_DOMAIN"),
    website_domain = "http://localhost:3000",
    embedded_core(database = ":memory:"),
    passwordless(flow_type = env("ST_MACROS_TEST_FLOW_TYPE", default = "USER_INPUT_CODE"), contact_method = "EMAIL"),
    session(cookie_same_site = env("ST_MACROS_TEST_SAME_SITE")),
)]
fn start() -> Result<(), Box<dyn std::error::Error>> {
    Ok(())
}

/// In the child process (see below) this prints the start-up error for the parent to read.
#[test]
fn unset_required_variables_are_named_at_start_up() {
    let error = start()
        .expect_err("app_name and api_domain are unset")
        .to_string();
    if tests::process::is_child() {
        println!("<<<{error}>>>");
        return;
    }
    assert!(
        error.contains(
            "invalid `app_name`: the environment variable `ST_MACROS_TEST_APP_NAME` is not set, \
             and `app_name` needs a value: set `ST_MACROS_TEST_APP_NAME`, or give a fallback \
             with `env(\"ST_MACROS_TEST_APP_NAME\", default = \"…\")`"
        ),
        "{error}"
    );
    assert!(
        error.contains("`ST_MACROS_TEST_API_DOMAIN` is not set"),
        "{error}"
    );
    // An unset optional variable leaves the argument out: no complaint about it.
    assert!(!error.contains("ST_MACROS_TEST_SAME_SITE"), "{error}");
    assert!(!error.contains("cookie_same_site"), "{error}");
}

/// The message a compile-fail case prints (its first line), without `error: `.
fn compile_time_message(case: &str) -> String {
    let path = format!("{}/ui/app/fail/{case}.stderr", env!("CARGO_MANIFEST_DIR"));
    let stderr = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    stderr
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("error: "))
        .unwrap_or_else(|| panic!("{path} does not start with an error"))
        .to_string()
}

/// Runs `start()` in a child process with `vars` set (this process's environment is shared by
/// every test, so it is never changed), and returns the problems it reports.
fn start_up_problems(vars: &[(&str, &str)]) -> Vec<String> {
    let output = tests::process::run_child(
        module_path!(),
        "unset_required_variables_are_named_at_start_up",
        vars,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let start = stdout.find("<<<").expect("the child printed its error") + 3;
    let end = stdout[start..].find(">>>").expect("end marker") + start;
    stdout[start..end]
        .lines()
        .skip(1)
        .map(|l| l.trim_start_matches("  - ").to_string())
        .collect()
}

/// Whether `problems` holds the message of the compile-fail case `case`. The compile-time
/// message is the start-up message, plus a "did you mean" for a value close to an accepted one.
fn reports_like_compile_time(problems: &[String], case: &str) -> bool {
    let expected = compile_time_message(case);
    problems.iter().any(|p| {
        expected == *p
            || expected
                .strip_prefix(p.as_str())
                .is_some_and(|rest| rest.starts_with(" (did you mean"))
    })
}

#[test]
fn env_values_are_checked_with_the_compile_time_messages() {
    // The values of the compile-fail cases `domain_with_path`, `misspelled_flow_type` and
    // `bad_same_site_value`, given through the environment. An invalid domain stops start-up
    // before the recipes are checked, so it gets a run of its own.
    let problems = start_up_problems(&[
        ("ST_MACROS_TEST_APP_NAME", "Demo"),
        ("ST_MACROS_TEST_API_DOMAIN", "http://localhost:3001/auth"),
    ]);
    assert!(
        reports_like_compile_time(&problems, "domain_with_path"),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let problems = start_up_problems(&[
        ("ST_MACROS_TEST_APP_NAME", "Demo"),
        ("ST_MACROS_TEST_API_DOMAIN", "http://localhost:3001"),
        ("ST_MACROS_TEST_FLOW_TYPE", "MAGIC_LNK"),
        ("ST_MACROS_TEST_SAME_SITE", "lax-ish"),
    ]);
    assert!(
        reports_like_compile_time(&problems, "misspelled_flow_type"),
        "{problems:#?}"
    );
    assert!(
        reports_like_compile_time(&problems, "bad_same_site_value"),
        "{problems:#?}"
    );
    assert_eq!(problems.len(), 2, "{problems:#?}");
}
