//! Send limits shared through Redis (`RedisStore`, feature `redis`), on a real `redis-server`:
//! several app instances share one budget, a restart keeps it, the server's answers agree with
//! the in-process store's, and an unreachable server falls back to counting in the process.

use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::json;
use supertokens::passwordless::{
    Attempt, Key, KeyKind, LimitStore, MemoryStore, Record, RedisStore, Rule, SendLimits,
};
use tests::client::Reply;
use tests::passwordless::{App, app_with};
use tests::redis::RedisServer;

/// The limits of these tests: at most 4 sends an hour by the whole app, nothing else.
fn app_wide_four() -> SendLimits {
    SendLimits::disabled().global(4, Duration::from_secs(3600))
}

fn app(limits: SendLimits) -> App {
    app_with("USER_INPUT_CODE", "EMAIL", |c| c.send_limits(limits))
}

fn store(redis: &RedisServer, prefix: &str) -> RedisStore {
    RedisStore::new(&redis.url())
        .expect("a Redis URL")
        .prefix(prefix)
}

async fn send(app: &App, n: usize) -> Reply {
    app.send_code(json!({"email": format!("user{n}@example.com")}))
        .await
}

/// Sends from `apps` in turn, one distinct contact each, and answers how many were sent before
/// the first refusal (`None`: all `tries` were sent).
async fn sent_before_refusal(apps: &[&App], tries: usize) -> Option<usize> {
    for n in 0..tries {
        let r = send(apps[n % apps.len()], n).await;
        match r.status {
            StatusCode::OK => assert_eq!(r.body["status"], "OK", "{}", r.text),
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(r.body["status"], "RATE_LIMITED", "{}", r.text);
                return Some(n);
            }
            s => panic!("send {n}: {s} {}", r.text),
        }
    }
    None
}

#[tokio::test]
async fn two_instances_on_one_redis_share_one_budget_and_a_restart_keeps_it() {
    let redis = RedisServer::start();
    // In the process, each instance has a budget of its own: 8 sends over two.
    let (a, b) = (app(app_wide_four()), app(app_wide_four()));
    assert_eq!(sent_before_refusal(&[&a, &b], 9).await, Some(8));

    let shared = || app(app_wide_four().store(store(&redis, "budget:")));
    let (a, b) = (shared(), shared());
    assert_eq!(sent_before_refusal(&[&a, &b], 9).await, Some(4));
    // Each instance refuses now, whichever sent last.
    for app in [&a, &b] {
        let r = send(app, 100).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
        let wait = r.body["retryAfterSeconds"].as_u64().unwrap();
        assert!((3590..=3600).contains(&wait), "{wait}");
    }
    // A new instance (a restart) starts where they left off.
    drop((a, b));
    let restarted = shared();
    assert_eq!(
        send(&restarted, 101).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another prefix is another budget.
    let other = app(app_wide_four().store(store(&redis, "other-app:")));
    assert_eq!(send(&other, 102).await.status, StatusCode::OK);
}

#[tokio::test]
async fn concurrent_sends_from_two_instances_never_exceed_the_budget() {
    let redis = RedisServer::start();
    let shared = || app(app_wide_four().store(store(&redis, "race:")));
    let (a, b) = (shared(), shared());
    let sends = (0..40).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        send(app, n)
    });
    let replies = futures_join_all(sends).await;
    let ok = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let limited = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((ok, limited), (4, 36));
    assert_eq!(a.outbox.len() + b.outbox.len(), 4, "one message per send");
}

/// Runs the futures concurrently on this task and answers their outputs in order.
async fn futures_join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in set.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn contacts_and_addresses_are_stored_as_digests() {
    let redis = RedisServer::start();
    let limits = SendLimits::new().store(store(&redis, "digest:"));
    let app = app(limits);
    let r = app
        .send_code(json!({"email": "secret.person@example.com"}))
        .await;
    assert_eq!(r.body["status"], "OK", "{}", r.text);
    let mut connection = redis::Client::open(redis.url())
        .unwrap()
        .get_connection()
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("digest:*")
        .query(&mut connection)
        .unwrap();
    // The contact with its network, the contact, the network, the device, the app.
    assert_eq!(keys.len(), 5, "{keys:?}");
    for key in &keys {
        assert!(!key.contains("secret") && !key.contains("example"), "{key}");
        let ttl: i64 = redis::cmd("PTTL").arg(key).query(&mut connection).unwrap();
        assert!(ttl > 0, "{key} expires ({ttl})");
    }
}

#[tokio::test]
async fn an_unreachable_redis_falls_back_to_counting_in_the_process() {
    let redis = RedisServer::start();
    let url = redis.url();
    // Nothing listens there any more.
    drop(redis);
    let limits = app_wide_four().store(
        RedisStore::new(&url)
            .unwrap()
            .timeout(Duration::from_millis(300)),
    );
    let app = app(limits);
    let started = Instant::now();
    assert_eq!(sent_before_refusal(&[&app], 6).await, Some(4));
    // Each send waited at most the timeout, and usually not at all (the refusal is at once).
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A small, fixed pseudo-random sequence (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// A random attempt over a few keys of each kind, with small windows so that rules both pass
/// and refuse.
fn random_attempt(rng: &mut Rng, now_ms: i64) -> Attempt {
    let mut key = |kind| Key {
        kind,
        value: format!("v{}", rng.below(3)),
    };
    let (contact, pair, network, device) = (
        key(KeyKind::Contact),
        key(KeyKind::ContactNetwork),
        key(KeyKind::Network),
        key(KeyKind::Device),
    );
    let all = Key {
        kind: KeyKind::All,
        value: String::new(),
    };
    let max = u32::try_from(1 + rng.below(3)).unwrap();
    let window_ms = i64::try_from(500 + rng.below(2_000)).unwrap();
    let mut rules = vec![
        Rule::Window {
            key: network.clone(),
            max,
            window_ms,
        },
        Rule::BackOff {
            key: contact.clone(),
            guard: pair.clone(),
            after: 1,
            window_ms: 4_000,
            first_ms: 100,
            longest_ms: 700,
        },
        Rule::Window {
            key: all.clone(),
            max: 6,
            window_ms: 1_500,
        },
    ];
    if rng.below(3) == 0 {
        rules.insert(
            0,
            Rule::Interval {
                key: device.clone(),
                interval_ms: 300,
            },
        );
    }
    let record = |key: &Key, keep: u32, ttl_ms: i64| Record {
        key: key.clone(),
        keep,
        ttl_ms,
    };
    Attempt {
        now_ms,
        rules,
        records: vec![
            record(&device, 1, 300),
            record(&network, max, window_ms),
            record(&contact, 32, 4_000),
            record(&pair, 1, 4_000),
            record(&all, 6, 1_500),
        ],
    }
}

#[tokio::test]
async fn redis_answers_as_the_in_process_store_does() {
    let redis = RedisServer::start();
    let (memory, shared) = (MemoryStore::new(1_000), store(&redis, "same:"));
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut now = 1_700_000_000_000;
    let (mut passed, mut refused) = (0, std::collections::BTreeMap::new());
    for i in 0..2_000 {
        now += i64::try_from(rng.below(120)).unwrap();
        let attempt = random_attempt(&mut rng, now);
        let expected = memory.check_and_record(&attempt).await.unwrap();
        let answered = shared.check_and_record(&attempt).await.unwrap();
        assert_eq!(answered, expected, "attempt {i}: {attempt:?}");
        match expected {
            None => passed += 1,
            Some(r) => {
                let rule = format!("{:?}", attempt.rules[r.rule]);
                let kind = rule.split([' ', '{']).next().unwrap().to_owned();
                *refused.entry(kind).or_insert(0) += 1;
            }
        }
    }
    // The sequence exercised both outcomes and every kind of rule.
    assert!(passed > 100, "{passed} passed");
    assert_eq!(refused.len(), 3, "refusals per rule: {refused:?}");
    assert!(
        refused.values().all(|n| *n > 20),
        "refusals per rule: {refused:?}"
    );
}
