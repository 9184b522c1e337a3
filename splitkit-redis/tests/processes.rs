//! Several OS processes of one "merchant server" sharing an account through a real Redis, against
//! a loopback Zepto: one refresh for 4 × 250 concurrent calls; a lock holder killed mid-refresh;
//! a create retried by a new process with the same idempotency key; one webhook delivered to
//! every process and handled by one.
//!
//! The worker processes are this test binary run again with `--exact worker --ignored` and the
//! job in `SPLITKIT_REDIS_WORKER`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test
#![allow(clippy::print_stdout)] // the workers report to the test on their standard output

mod support;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use splitkit_common::IdempotencyKey;
use splitkit_common::webhook::Outcome;
use splitkit_redis::Redis;
use support::{RedisServer, Zepto, seed};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use zepto_client::models::PaymentChannel;
use zepto_client::oauth::OAuthApp;
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::{Client, Environment, Timestamp, WebhookInbox, WebhookVerifier};

const ACCOUNT: &str = "merchant-42";
const REDIRECT: &str = "https://merchant.example/zepto/callback";
const ORDER: &str = "order-42";
const WEBHOOK_SECRET: &str = "whsec-zepto";
const WEBHOOK_BODY: &[u8] =
    br#"{"event":{"type":"debit.cleared","at":"2030-06-13T00:00:00Z"},"data":[{"ref":"D.1"}]}"#;

/// The entry point of the worker processes the tests below start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "entry point of the worker processes that the multi-process tests start; not a test on its own"]
async fn worker() {
    let Ok(job) = std::env::var("SPLITKIT_REDIS_WORKER") else {
        return;
    };
    let zepto = std::env::var("ZEPTO_URL").unwrap();
    let environment = Environment::custom(&zepto, &zepto);
    let result = match job.as_str() {
        "calls" => {
            let calls: usize = std::env::var("CALLS").unwrap().parse().unwrap();
            let ttl = millis("LOCK_TTL_MS");
            let store = Redis::from_env()
                .await
                .unwrap()
                .token_store(ACCOUNT)
                .lock_ttl(ttl);
            let app = OAuthApp::new(&environment, "app-id", "app-secret", REDIRECT)
                .unwrap()
                .timeout(millis("TOKEN_TIMEOUT_MS"));
            let client = Client::builder(environment)
                .oauth(app, Arc::new(store.clone()))
                .build()
                .unwrap();
            wait_for_go().await;
            let results = futures_util::future::join_all((0..calls).map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.user().get().await })
            }))
            .await;
            let errors: Vec<String> = results
                .iter()
                .filter_map(|r| r.as_ref().unwrap().as_ref().err().map(|e| e.to_string()))
                .collect();
            let stored = splitkit_common::TokenStore::load(&store).await.unwrap();
            json!({
                "ok": calls - errors.len(),
                "errors": errors.iter().take(3).collect::<Vec<_>>(),
                "stored_refresh": stored.and_then(|p| p.refresh_token).map(|t| t.expose().to_owned()),
            })
        }
        "create" => {
            let client = Client::builder(environment)
                .personal_access_token("personal-token")
                .build()
                .unwrap();
            wait_for_go().await;
            let payment = NewPayment::new(
                "Order 42",
                Timestamp::parse("2030-06-13T00:00:00Z").unwrap(),
            )
            .channels([PaymentChannel::DirectEntry])
            .payout(Payout::new(
                "48b89364-1577-4c81-ba02-96705895d457",
                4_200,
                "Order 42",
            ))
            .idempotency_key(IdempotencyKey::derive("zepto.payment", ORDER));
            match client.payments().create(payment).await {
                Ok(created) => json!({"created": format!("{created:?}")}),
                Err(e) => json!({
                    "existing": zepto_client::error::existing_resource_ref(&e),
                    "error": e.to_string(),
                }),
            }
        }
        "webhook" => {
            let inbox = WebhookInbox::new(WebhookVerifier::new([WEBHOOK_SECRET]).unwrap())
                .store(Arc::new(Redis::from_env().await.unwrap().delivery_store()));
            let mut headers = HeaderMap::new();
            for name in ["Split-Signature", "Split-Request-ID"] {
                let value = std::env::var(name).unwrap();
                headers.insert(name, HeaderValue::from_str(&value).unwrap());
            }
            let handler_time = millis("HANDLER_MS");
            wait_for_go().await;
            let receipt = inbox
                .receive(&headers, WEBHOOK_BODY, |_| async move {
                    // The fulfilment: long enough for the other processes to arrive meanwhile.
                    tokio::time::sleep(handler_time).await;
                    Ok::<(), std::convert::Infallible>(())
                })
                .await;
            let outcome = match receipt.outcome() {
                Outcome::Handled { .. } => "handled",
                Outcome::Duplicate { .. } => "duplicate",
                Outcome::InProgress { .. } => "in_progress",
                other => panic!("unexpected outcome {other:?}"),
            };
            json!({"outcome": outcome, "status": receipt.status().as_u16()})
        }
        other => panic!("unknown worker job {other}"),
    };
    println!("WORKER result {result}");
}

fn millis(var: &str) -> Duration {
    Duration::from_millis(std::env::var(var).unwrap().parse().unwrap())
}

async fn wait_for_go() {
    println!("WORKER ready");
    tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new()))
        .await
        .unwrap()
        .unwrap();
}

/// A worker process, ready and waiting for "go".
struct Worker {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
}

impl Worker {
    async fn start(job: &str, redis: &RedisServer, zepto: &Zepto, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "worker",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("SPLITKIT_REDIS_WORKER", job)
            .env("REDIS_URL", redis.url())
            .env("ZEPTO_URL", zepto.url())
            .env("CALLS", "1")
            .env("LOCK_TTL_MS", "40000")
            .env("TOKEN_TIMEOUT_MS", "30000")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut worker = Self { child, lines };
        worker.read_until("WORKER ready").await;
        worker
    }

    async fn read_until(&mut self, prefix: &str) -> String {
        loop {
            let line = tokio::time::timeout(Duration::from_secs(30), self.lines.next_line())
                .await
                .unwrap_or_else(|_| panic!("no `{prefix}` from the worker within 30 s"))
                .unwrap()
                .unwrap_or_else(|| panic!("the worker ended before `{prefix}`"));
            // libtest may print `test worker ... ` on the same line.
            if let Some((_, rest)) = line.split_once(prefix) {
                return rest.trim().to_owned();
            }
        }
    }

    async fn go(&mut self) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"go\n").await.unwrap();
        stdin.flush().await.unwrap();
    }

    async fn result(mut self) -> Value {
        let text = self.read_until("WORKER result").await;
        self.child.wait().await.unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// SIGKILL: no destructor, no lock release.
    async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_processes_of_250_calls_with_an_expired_token_refresh_once() {
    let redis = RedisServer::start();
    // A token request that takes a while, so that every process finds the refresh under way.
    let zepto = Zepto::start(Duration::from_millis(100)).await;
    seed(&redis.connect().await.token_store(ACCOUNT)).await;

    let mut workers = Vec::new();
    for _ in 0..4 {
        workers.push(Worker::start("calls", &redis, &zepto, &[("CALLS", "250")]).await);
    }
    for worker in &mut workers {
        worker.go().await;
    }
    let mut ok = 0;
    for worker in workers {
        let result = worker.result().await;
        assert_eq!(result["errors"], json!([]), "{result}");
        assert_eq!(result["stored_refresh"], "refresh-2", "{result}");
        ok += result["ok"].as_u64().unwrap();
    }
    assert_eq!(ok, 1000, "1000 of 1000 calls succeed");
    zepto.seen(|seen| {
        assert_eq!(seen.received.len(), 1, "exactly one token request");
        assert_eq!(seen.processed, ["refresh-1"]);
        assert_eq!(seen.invalid_grants, 0);
        assert_eq!(
            seen.calls_by_token,
            HashMap::from([("access-2".to_owned(), 1000)]),
            "every call of every process used the rotated access token"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_holder_killed_mid_refresh_is_taken_over_within_the_lock_ttl() {
    const TTL: Duration = Duration::from_secs(3);
    let redis = RedisServer::start();
    let zepto = Zepto::start(Duration::ZERO).await;
    seed(&redis.connect().await.token_store(ACCOUNT)).await;
    zepto.seen(|s| s.hang_next_refresh = true);
    // The lock outlives a token request (2.5 s), and leaves time to start the second process.
    let env = [("LOCK_TTL_MS", "3000"), ("TOKEN_TIMEOUT_MS", "2500")];

    let mut holder = Worker::start("calls", &redis, &zepto, &env).await;
    holder.go().await;
    zepto
        .wait_for("the holder's token request", |s| s.hanging == 1)
        .await;
    let mut other = Worker::start("calls", &redis, &zepto, &env).await;
    other.go().await;
    // The other process is now waiting for the lock the holder keeps.
    tokio::time::sleep(Duration::from_millis(200)).await;
    holder.kill().await;
    let killed = Instant::now();

    let result = other.result().await;
    let took = killed.elapsed();
    assert_eq!(result["ok"], 1, "{result}");
    assert_eq!(result["stored_refresh"], "refresh-2", "{result}");
    assert!(
        took <= TTL + Duration::from_secs(1),
        "took {took:?} after the kill"
    );
    zepto.seen(|seen| {
        assert_eq!(
            seen.processed,
            ["refresh-1"],
            "refresh-1 was spent once, by the process that took over"
        );
        assert_eq!(seen.invalid_grants, 0);
        let received: Vec<_> = seen.received.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            received,
            ["refresh-1", "refresh-1"],
            "the killed holder's request (never answered) and the takeover"
        );
        assert!(
            seen.received[1].1 >= killed,
            "nobody presented refresh-1 while the holder lived"
        );
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_killed_after_sending_is_retried_by_a_new_process_with_the_same_key() {
    let redis = RedisServer::start();
    let zepto = Zepto::start(Duration::ZERO).await;
    zepto.seen(|s| s.hang_new_creates = true);

    let mut first = Worker::start("create", &redis, &zepto, &[]).await;
    first.go().await;
    zepto
        .wait_for("the first create", |s| s.payment_keys.len() == 1)
        .await;
    first.kill().await;

    let mut restarted = Worker::start("create", &redis, &zepto, &[]).await;
    restarted.go().await;
    let result = restarted.result().await;
    assert_eq!(result["existing"], "PB.1", "{result}");

    let key = IdempotencyKey::derive("zepto.payment", ORDER);
    zepto.seen(|seen| {
        assert_eq!(seen.payment_keys, [key.as_str(), key.as_str()]);
        assert_eq!(seen.payments.len(), 1, "one payment, not two");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_webhook_delivered_to_four_processes_is_handled_once() {
    let redis = RedisServer::start();
    let zepto = Zepto::start(Duration::ZERO).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let signature =
        zepto_client::webhook::sign(WEBHOOK_SECRET, i64::try_from(now).unwrap(), WEBHOOK_BODY);
    let env = [
        ("Split-Signature", signature.as_str()),
        ("Split-Request-ID", "5b2d1f7e-1c1e-4e6f-9f0e-3b5a1d2c4e6f"),
        ("HANDLER_MS", "500"),
    ];

    // The same delivery reaches four instances at once (a load balancer, and Zepto's retries).
    let mut workers = Vec::new();
    for _ in 0..4 {
        workers.push(Worker::start("webhook", &redis, &zepto, &env).await);
    }
    for worker in &mut workers {
        worker.go().await;
    }
    let mut outcomes = Vec::new();
    for worker in workers {
        outcomes.push(worker.result().await);
    }
    let handled = outcomes
        .iter()
        .filter(|o| o["outcome"] == "handled")
        .count();
    assert_eq!(
        handled, 1,
        "exactly one process handles the event: {outcomes:?}"
    );
    for outcome in &outcomes {
        assert!(
            ["handled", "in_progress", "duplicate"].contains(&outcome["outcome"].as_str().unwrap()),
            "{outcome}"
        );
    }

    // A later retry of the same event, at a fifth process: answered 200, not handled again.
    let mut late = Worker::start("webhook", &redis, &zepto, &env).await;
    late.go().await;
    let result = late.result().await;
    assert_eq!(result, json!({"outcome": "duplicate", "status": 200}));
}
