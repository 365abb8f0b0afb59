//! Failover under load: hosts that die while calls are in flight, the back-off that keeps a dead
//! host out of the rotation, its return, and which calls are never sent twice. Two fault proxies
//! stand in front of one embedded core, so "a host" can die while the core lives on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use supertokens::Clock;
use supertokens::config::CoreHost;
use supertokens::core::{CoreClient, CoreError};
use supertokens::embedded::EmbeddedCore;
use tests::embedded_core::{TIMEOUT, in_memory};
use tests::fault_proxy::FaultProxy;
use tests::server::Server;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use super::{TestCore, client};

/// One embedded core served on loopback, reached through two proxies: two "hosts".
struct TwoHosts {
    a: FaultProxy,
    b: FaultProxy,
    _server: Server,
}

impl TwoHosts {
    async fn start() -> Self {
        let core = EmbeddedCore::open_with_clock(in_memory(), Clock::system()).unwrap();
        let server = Server::serve(core.service()).await;
        Self {
            a: FaultProxy::start(server.addr()).await,
            b: FaultProxy::start(server.addr()).await,
            _server: server,
        }
    }

    fn client(&self) -> CoreClient {
        CoreClient::http(
            vec![host(&self.a.url()), host(&self.b.url())],
            None,
            TIMEOUT,
        )
        .unwrap()
    }
}

fn host(domain: &str) -> CoreHost {
    CoreHost {
        domain: domain.to_owned(),
        base_path: String::new(),
    }
}

/// What the sign-ins of one task came to: (started after the kill, succeeded) per sign-in.
type Outcomes = Vec<(bool, bool)>;

/// Where the sign-in tasks are: how many sign-ins are done, whether the host was killed, and
/// how many sign-ins begun after the kill are done.
#[derive(Default)]
struct Progress {
    done: AtomicUsize,
    killed: AtomicBool,
    after_kill: AtomicUsize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_survive_a_host_dying() {
    const TASKS: usize = 16;
    const BEFORE_KILL: usize = 48;
    const AFTER_KILL: usize = 160;
    let hosts = TwoHosts::start().await;
    let client = hosts.client();
    let progress = Arc::new(Progress::default());
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let (client, progress) = (client.clone(), progress.clone());
            tokio::spawn(async move {
                let mut outcomes = Outcomes::new();
                for i in 0.. {
                    if progress.after_kill.load(Ordering::SeqCst) >= AFTER_KILL {
                        break;
                    }
                    let started_after = progress.killed.load(Ordering::SeqCst);
                    let email = format!("t{task}-{i}@example.com");
                    let ok = tests::sign_in::sign_in(&client, &email).await.is_ok();
                    outcomes.push((started_after, ok));
                    progress.done.fetch_add(1, Ordering::SeqCst);
                    if started_after {
                        progress.after_kill.fetch_add(1, Ordering::SeqCst);
                    }
                }
                outcomes
            })
        })
        .collect();

    while progress.done.load(Ordering::SeqCst) < BEFORE_KILL {
        tokio::task::yield_now().await;
    }
    let carried_by_a = hosts.a.accepted();
    let cut = hosts.a.kill().await;
    // The client learns of the cut connections as their closing arrives; a call put on one of
    // them meanwhile is in flight at the kill as much as those already on it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    progress.killed.store(true, Ordering::SeqCst);

    let mut outcomes = Outcomes::new();
    for task in tasks {
        outcomes.extend(task.await.unwrap());
    }
    let failed_before = outcomes.iter().filter(|(after, ok)| !after && !ok).count();
    let failed_after = outcomes.iter().filter(|(after, ok)| *after && !ok).count();
    assert!(carried_by_a > 0, "both hosts carried calls before the kill");
    assert_eq!(
        failed_after,
        0,
        "every sign-in begun after the kill succeeds ({} of them)",
        outcomes.iter().filter(|(after, _)| *after).count()
    );
    assert!(
        failed_before <= cut,
        "{failed_before} sign-ins failed, more than the {cut} connections cut by the kill"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_host_is_skipped_during_its_back_off_and_used_again_after() {
    let hosts = TwoHosts::start().await;
    let clock = Clock::system();
    let hour = Duration::from_secs(3600);
    let client = hosts
        .client()
        .with_clock(clock.clone())
        .with_host_back_off(hour, 8 * hour);
    let call = || async {
        let answer: Value = client.get("/apiversion", None, &[]).await.unwrap();
        assert!(answer["versions"].is_array());
    };
    call().await;

    hosts.a.kill().await;
    for _ in 0..4 {
        call().await;
    }
    // Back, but within the back-off: not tried at all.
    hosts.a.restart().await;
    let accepted = hosts.a.accepted();
    for _ in 0..20 {
        call().await;
    }
    assert_eq!(
        hosts.a.accepted(),
        accepted,
        "no connection to a host in back-off"
    );

    // Past the back-off: probed, found up, and back in the rotation.
    clock.advance(hour + Duration::from_secs(1));
    for _ in 0..20 {
        call().await;
    }
    assert!(hosts.a.accepted() > accepted, "the host is used again");
}

/// A host that reads the start of a request and closes the connection without an answer: the
/// request was sent, and the core may have acted on it.
async fn cutting_host() -> (CoreHost, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let cut = Arc::new(AtomicUsize::new(0));
    let counted = cut.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = stream.read(&mut buf).await;
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (host(&url), cut)
}

#[tokio::test]
async fn a_post_cut_after_it_was_sent_is_not_sent_again() {
    let (cutter, cut) = cutting_host().await;
    let core = TestCore::start(&["5.3"]).await;
    let client = client(vec![cutter, core.host()], None);
    // Reads are safe to repeat: a cut GET is sent to the next host.
    for _ in 0..4 {
        let _: Value = client.get("/recipe/echo", None, &[]).await.unwrap();
    }
    let mut failed = 0;
    for _ in 0..4 {
        match client
            .post::<_, Value>("/recipe/echo", None, &json!({}))
            .await
        {
            Ok(_) => {}
            Err(CoreError::Unavailable(message)) => {
                assert!(message.contains("not sent again"), "{message}");
                failed += 1;
            }
            Err(other) => panic!("expected the cut POST to be unavailable, got {other:?}"),
        }
    }
    // Round robin: half of the POSTs went to the cutting host first.
    assert_eq!(failed, 2);
    let posts_at_core = core
        .seen_at("/recipe/echo")
        .iter()
        .filter(|s| s.method == "POST")
        .count();
    assert_eq!(posts_at_core, 2, "no cut POST reached the core");
    assert!(cut.load(Ordering::SeqCst) >= 2);
}
