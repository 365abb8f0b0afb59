//! Durability of the embedded core: the `embedded-core` server is killed with SIGKILL in the
//! middle of a stream of sign-ins (create code, consume, create session); after a restart on
//! the same database file, every sign-in the server had acknowledged is there.

use std::ffi::OsStr;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use supertokens::core::cdi::GetUserResponse;
use tests::core_process::{CoreProcess as Server, server_binary};
use tests::sign_in::{SESSION, SignedIn, sign_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_sign_in_survives_a_kill() {
    let binary = tokio::task::spawn_blocking(server_binary).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("core.db");
    let mut server = Server::start(&binary, [OsStr::new("--db"), db.as_os_str()]);
    let client = server.client();

    // What the server acknowledged: each e-mail and its sign-in.
    let acked = Arc::new(Mutex::new(Vec::<(String, SignedIn)>::new()));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let client = client.clone();
            let acked = acked.clone();
            tokio::spawn(async move {
                let mut failures = 0;
                for i in 0.. {
                    let email = format!("w{w}-{i}@example.com");
                    match sign_in(&client, &email).await {
                        Ok(signed_in) => acked.lock().unwrap().push((email, signed_in)),
                        // After the kill every call fails; stop once that is clear.
                        Err(_) => {
                            failures += 1;
                            if failures > 3 {
                                break;
                            }
                        }
                    }
                }
            })
        })
        .collect();

    // Let the stream run, then kill the server without warning.
    let started = Instant::now();
    while acked.lock().unwrap().len() < 200 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 50,
        "only {} sign-ins before the kill",
        acked.len()
    );

    // Restart on the same file: everything acknowledged is there.
    let server = Server::start(&binary, [OsStr::new("--db"), db.as_os_str()]);
    let client = server.client();
    for (email, signed_in) in &acked {
        let user: GetUserResponse = client
            .get("/user/id", None, &[("userId", &signed_in.recipe_user_id)])
            .await
            .unwrap();
        let GetUserResponse::Ok { user } = user else {
            panic!("user of {email} lost after the kill")
        };
        assert_eq!(user.emails, vec![email.clone()]);
        let handle = signed_in.session_handle.as_deref().expect("a session");
        let session: Value = client
            .get("/recipe/session", SESSION, &[("sessionHandle", handle)])
            .await
            .unwrap();
        assert_eq!(
            session["status"], "OK",
            "session of {email} lost: {session}"
        );
        assert_eq!(session["userId"], json!(signed_in.recipe_user_id));
    }
    // The database is consistent: no user twice, and new sign-ins work.
    let count: Value = client.get("/public/users/count", None, &[]).await.unwrap();
    let count = count["count"].as_u64().unwrap() as usize;
    assert!(
        count >= acked.len(),
        "{count} users for {} acknowledged",
        acked.len()
    );
    sign_in(&client, "after-restart@example.com").await.unwrap();
    let (email, first) = &acked[0];
    let again = sign_in(&client, email).await.unwrap();
    assert_eq!(again.recipe_user_id, first.recipe_user_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_checks_its_arguments_and_stops_cleanly() {
    let binary = tokio::task::spawn_blocking(server_binary).await.unwrap();
    let run = |args: &[&str]| Command::new(&binary).args(args).output().unwrap();
    let help = run(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--db"));
    for bad in [
        &["--bogus"][..],
        &["--addr", "nowhere"],
        &["--db"],
        // Reachable from other machines without an api key.
        &["--addr", "0.0.0.0:0", "--db", ":memory:"],
    ] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with("embedded-core: "), "{stderr}");
        assert!(stderr.contains("Usage:"), "{stderr}");
    }

    // A server with an api key and a request log, stopped with SIGTERM.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.log");
    let mut server = Server::start(
        &binary,
        [
            OsStr::new("--db"),
            OsStr::new(":memory:"),
            OsStr::new("--api-key"),
            OsStr::new("key-for-the-test-1234"),
            OsStr::new("--log"),
            log.as_os_str(),
        ],
    );
    let http = tests::client::Client::http(&server.url);
    assert_eq!(http.get("/hello").send().await.text, "Hello");
    assert_eq!(http.get("/apiversion").send().await.status, 401);
    let allowed = http
        .get("/apiversion")
        .header("api-key", "key-for-the-test-1234")
        .send()
        .await;
    assert_eq!(allowed.status, 200);
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_eq!(logged.lines().count(), 3, "{logged}");
    assert!(!logged.contains("key-for-the-test-1234"));
}
