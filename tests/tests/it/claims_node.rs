//! A failed claim check answers as supertokens-node answers it: the same user, the same check,
//! on both backends over one core (served over HTTP), the same status and the same 403 body.
//!
//! Needs node and the pinned npm packages in `e2e/` (`scripts/setup/node.sh` installs them; the
//! README's test command runs it first).

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

use axum::Router;
use axum::routing::get;
use serde_json::json;
use supertokens::SuperTokens;
use supertokens::session::SessionConfig;
use supertokens::session::claims::ClaimValidator;
use supertokens::user_roles::{PermissionClaim, UserRoleClaim, UserRolesConfig};
use tests::client::Client;
use tests::embedded_core::{CoreHarness, Transport};

/// The checks both backends serve under `/check/<name>` (e2e/claims-node.js has the same).
fn checks(name: &str) -> Vec<ClaimValidator> {
    match name {
        "admin" => vec![UserRoleClaim.includes("admin")],
        "all-roles" => vec![UserRoleClaim.includes_all(["admin", "editor"])],
        "any-role" => vec![UserRoleClaim.includes_any(["admin", "owner"])],
        "not-banned" => vec![UserRoleClaim.excludes("banned")],
        "none-of" => vec![UserRoleClaim.excludes_all(["banned", "editor"])],
        "read-orders" => vec![PermissionClaim.includes("orders:read")],
        "two-checks" => vec![
            UserRoleClaim.includes("admin"),
            PermissionClaim.includes_all(["orders:read", "orders:write"]),
        ],
        other => panic!("no check {other}"),
    }
}

const CHECKS: [&str; 7] = [
    "admin",
    "all-roles",
    "any-role",
    "not-banned",
    "none-of",
    "read-orders",
    "two-checks",
];

/// supertokens-node running e2e/claims-node.js; stopped (by PID) when dropped.
struct NodeBackend {
    child: Child,
    _stdin: ChildStdin,
    client: Client,
}

impl NodeBackend {
    fn start(core_url: &str) -> Self {
        let e2e = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e");
        assert!(
            std::path::Path::new(e2e)
                .join("node_modules/supertokens-node")
                .exists(),
            "supertokens-node is not installed in e2e/: run `bash scripts/setup/node.sh`"
        );
        let mut child = Command::new("node")
            .arg("claims-node.js")
            .current_dir(e2e)
            .env("CORE_URL", core_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs (install node 20)");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("node prints its port");
        let port = line
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("unexpected first line from node: {line:?}"));
        Self {
            child,
            _stdin: stdin,
            client: Client::http(format!("http://127.0.0.1:{port}")),
        }
    }
}

impl Drop for NodeBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our backend on the same core: the same checks under `/check/<name>`, each behind a guard.
fn ours(core_url: &str) -> (SuperTokens, Client) {
    let config = SuperTokens::new(
        supertokens::Config::builder()
            .app_name("claims")
            .api_domain("http://localhost:3001")
            .website_domain("http://localhost:3000")
            .connection_uri(core_url)
            .session(SessionConfig::new())
            .user_roles(UserRolesConfig::new())
            .build()
            .expect("config"),
    );
    let st = config.expect("instance");
    let mut router = Router::new();
    for name in CHECKS {
        let guard = st.session_guard().claim_validators(move |mut globals| {
            globals.extend(checks(name));
            globals
        });
        router = router.route(
            &format!("/check/{name}"),
            get(|| async { "ok" }).layer(guard),
        );
    }
    (st, Client::router(router))
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_checks_answer_as_supertokens_node_does() {
    let core = CoreHarness::new(Transport::Http).await;
    let core_url = core.url().expect("served over HTTP");
    let node = tokio::task::spawn_blocking({
        let url = core_url.clone();
        move || NodeBackend::start(&url)
    })
    .await
    .expect("node starts");
    let (st, ours) = ours(&core_url);

    let roles = st.user_roles();
    roles
        .create_new_role_or_add_permissions("admin", &["orders:read", "orders:write"])
        .await
        .expect("admin");
    roles
        .create_new_role_or_add_permissions("editor", &["orders:read"])
        .await
        .expect("editor");
    roles
        .create_new_role_or_add_permissions("banned", &[])
        .await
        .expect("banned");
    let users: [(&str, &[&str]); 4] = [
        ("u-none", &[]),
        ("u-editor", &["editor"]),
        ("u-admin", &["admin"]),
        ("u-banned-editor", &["banned", "editor"]),
    ];
    let mut refused = 0;
    for (user, user_roles) in users {
        for role in user_roles {
            roles
                .add_role_to_user("public", user, role)
                .await
                .expect("add role");
        }
        let node_token = node
            .client
            .post(&format!("/session?userId={user}"))
            .send()
            .await
            .body["accessToken"]
            .as_str()
            .expect("node's session")
            .to_owned();
        let our_token = supertokens::testing::session(&st, user)
            .await
            .expect("our session")
            .access_token;
        for name in CHECKS {
            let path = format!("/check/{name}");
            let theirs = node.client.get(&path).bearer(&node_token).send().await;
            let mine = ours.get(&path).bearer(&our_token).send().await;
            assert_eq!(
                mine.status, theirs.status,
                "{user} {name}: ours {} / node {}",
                mine.text, theirs.text
            );
            if theirs.status == 403 {
                refused += 1;
                assert_eq!(mine.body, theirs.body, "{user} {name}");
                assert_eq!(theirs.body["message"], json!("invalid claim"));
            } else {
                assert_eq!(theirs.status, 200, "{user} {name}: {}", theirs.text);
            }
        }
    }
    // Most checks fail for most users: the comparison covered the reasons, not only 200s.
    assert!(refused >= 12, "only {refused} refusals compared");
}
