//! The examples tour: `cargo run -p examples --bin tour`.
//!
//! Runs on this machine alone, against a provider stand-in on 127.0.0.1, and prints what the
//! shared runtime does at each step. It exits non-zero if any step does not behave as promised.
//! The provider flows (Ante, FairShare, Splitable, Zepto) join the tour with the emulator.

#![allow(clippy::print_stdout)] // printing is what a tour is for

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use splitkit_common::operation::{Method, Operation, Pagination};
use splitkit_common::webhook::sign;
use splitkit_common::{
    ApiClient, BearerToken, Decimal, Error, MinorUnits, Request, RetryPolicy, SignatureVerifier,
};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

static CREATE_PAYMENT: Operation = Operation {
    id: "createPayment",
    method: Method::Post,
    path: "/payments",
    idempotent: false,
    idempotency_key: true,
    pagination: Pagination::None,
};

/// Answers 503 twice, then 201, and remembers the idempotency key of every attempt.
struct BusyThenCreated(Arc<Mutex<Vec<String>>>);

impl Respond for BusyThenCreated {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let Ok(mut keys) = self.0.lock() else {
            return ResponseTemplate::new(500);
        };
        let key = request
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("(none)");
        keys.push(key.to_owned());
        if keys.len() < 3 {
            ResponseTemplate::new(503).insert_header("retry-after", "0")
        } else {
            ResponseTemplate::new(201).set_body_string(r#"{"ref":"PB.1a4","amount":1500}"#)
        }
    }
}

fn check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        println!("  ok: {what}");
        Ok(())
    } else {
        Err(format!("FAILED: {what}"))
    }
}

async fn retried_payment() -> Result<(), String> {
    println!("\n1. A payment survives two 503 answers without being sent twice");
    let server = MockServer::start().await;
    let keys = Arc::new(Mutex::new(Vec::new()));
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(BusyThenCreated(keys.clone()))
        .mount(&server)
        .await;
    let client = ApiClient::builder(server.uri())
        .auth(Arc::new(BearerToken::new("sk_test_tour")))
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(50),
            ..RetryPolicy::default()
        })
        .build()
        .map_err(|e| e.to_string())?;
    let request = Request::new(&CREATE_PAYMENT)
        .json_body(&serde_json::json!({"amount": 1500}))
        .map_err(|e| e.to_string())?;
    let created: serde_json::Value = client.execute(request).await.map_err(|e| e.to_string())?;
    let keys = keys.lock().map_err(|_| "lock poisoned".to_owned())?.clone();
    println!("  attempts: {}, answer: {created}", keys.len());
    println!("  idempotency key on each attempt: {keys:?}");
    check(keys.len() == 3, "three attempts were made")?;
    check(
        keys.iter().all(|k| k == &keys[0]),
        "every attempt carried the same key",
    )
}

fn webhooks() -> Result<(), String> {
    println!("\n2. A webhook is trusted only when its signature matches the raw body");
    let body = b"full payload of the request";
    let timestamp = 1_514_772_000_i64;
    let signature = sign("1234", &[timestamp.to_string().as_bytes(), b".", body]);
    println!("  signature of the documented vector: {signature}");
    check(
        signature == "f04cb05adb985b29d84616fbf3868e8e58403ff819cdc47ad8fc47e6acbce29f",
        "the documented vector reproduces",
    )?;
    let clock = Arc::new(splitkit_common::ManualClock::at(timestamp + 10));
    let verifier = SignatureVerifier::new("1234").clock(clock);
    let ts = timestamp.to_string();
    check(
        verifier
            .verify(timestamp, &[ts.as_bytes(), b".", body], &[&signature])
            .is_ok(),
        "the genuine delivery is accepted",
    )?;
    let tampered = verifier.verify(
        timestamp,
        &[ts.as_bytes(), b".", b"full payload of the requesT"],
        &[&signature],
    );
    println!(
        "  tampered body: {}",
        tampered
            .as_ref()
            .map_or_else(ToString::to_string, |()| "accepted".into())
    );
    check(tampered.is_err(), "a changed body is rejected")?;
    let replayed = verifier.verify(
        timestamp - 3_600,
        &[ts.as_bytes(), b".", body],
        &[&signature],
    );
    check(replayed.is_err(), "an hour-old delivery is rejected")
}

fn money() -> Result<(), String> {
    println!("\n3. Money never passes through a float");
    let subtotal = MinorUnits::checked_sum([MinorUnits::new(1_999), MinorUnits::new(2_501)]);
    println!("  19.99 + 25.01 in cents: {subtotal:?}");
    check(
        subtotal == Some(MinorUnits::new(4_500)),
        "integer cents add exactly",
    )?;
    let a: Decimal = "0.1".parse().map_err(|e| format!("{e}"))?;
    let b: Decimal = "0.2".parse().map_err(|e| format!("{e}"))?;
    println!("  0.1 + 0.2 as decimals: {}", a + b);
    check((a + b).to_string() == "0.3", "decimals add exactly")
}

fn local_validation() -> Result<(), String> {
    println!("\n4. Bad input is refused before anything is sent");
    match splitkit_common::Currency::parse("AU$") {
        Err(err @ Error::Validation { .. }) => {
            println!("  {err}");
            check(true, "a malformed currency is a typed, local error")
        }
        other => check(
            false,
            &format!("a malformed currency is refused (got {other:?})"),
        ),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    println!("splitkit tour: the shared runtime, against a provider stand-in on 127.0.0.1");
    let results = [
        retried_payment().await,
        webhooks(),
        money(),
        local_validation(),
    ];
    let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    for failure in &failures {
        println!("{failure}");
    }
    if failures.is_empty() {
        println!("\nAll steps behaved as promised.");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
