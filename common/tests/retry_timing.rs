//! Retry, backoff, Retry-After and deadline behaviour, on tokio's paused clock with a scripted
//! transport (no sockets, so virtual time is exact).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::Arc;
use std::time::Duration;

use splitkit_common::{
    ApiClient, Error, IdempotencyKey, Request, RetryPolicy, TimeoutScope, TransportErrorKind,
};
use support::*;
use tokio::time::Instant;

fn client(transport: Arc<Scripted>, retry: RetryPolicy) -> ApiClient {
    ApiClient::builder("https://api.example.test/v1")
        .transport(transport)
        .retry(retry)
        .build()
        .unwrap()
}

#[derive(Debug, serde::Deserialize)]
struct Created {
    id: String,
}

#[tokio::test(start_paused = true)]
async fn same_generated_key_on_every_attempt() {
    let t = Arc::new(Scripted::new(vec![
        respond(503, ""),
        Step::Fail(TransportErrorKind::Timeout),
        respond(201, r#"{"id":"PB.1"}"#),
    ]));
    let c = client(t.clone(), exact_retry());
    let created: Created = c
        .execute(
            Request::new(&CREATE_PAYMENT)
                .json_body(&serde_json::json!({"amount": 100}))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.id, "PB.1");
    let keys = t.header_values("idempotency-key");
    assert_eq!(keys.len(), 3);
    let first = keys[0].clone().expect("a key is sent");
    assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
    assert!(
        keys.iter().all(|k| k.as_deref() == Some(first.as_str())),
        "{keys:?}"
    );
    // Every attempt re-sends the same bytes.
    let bodies: Vec<_> = t
        .sent
        .lock()
        .unwrap()
        .iter()
        .map(|r| r.body.clone())
        .collect();
    assert!(bodies.iter().all(|b| b == &bodies[0]));
}

#[tokio::test(start_paused = true)]
async fn each_call_gets_its_own_key() {
    let t = Arc::new(Scripted::new(vec![
        respond(201, r#"{"id":"a"}"#),
        respond(201, r#"{"id":"b"}"#),
    ]));
    let c = client(t.clone(), exact_retry());
    for _ in 0..2 {
        c.execute::<Created>(Request::new(&CREATE_PAYMENT))
            .await
            .unwrap();
    }
    let keys = t.header_values("idempotency-key");
    assert_ne!(keys[0], keys[1]);
}

#[tokio::test(start_paused = true)]
async fn callers_key_is_sent_and_retried() {
    let t = Arc::new(Scripted::new(vec![
        respond(500, ""),
        respond(201, r#"{"id":"x"}"#),
    ]));
    let c = client(t.clone(), exact_retry());
    let key = IdempotencyKey::new("order-42").unwrap();
    c.execute::<Created>(Request::new(&CREATE_PAYMENT).idempotency_key(key))
        .await
        .unwrap();
    assert_eq!(
        t.header_values("idempotency-key"),
        vec![Some("order-42".to_owned()), Some("order-42".to_owned())]
    );
}

#[tokio::test(start_paused = true)]
async fn no_key_where_the_operation_takes_none() {
    let t = Arc::new(Scripted::new(vec![respond(200, r#"{"id":"x"}"#)]));
    let c = client(t.clone(), exact_retry());
    c.execute::<Created>(Request::new(&CREATE_SESSION))
        .await
        .unwrap();
    assert_eq!(t.header_values("idempotency-key"), vec![None]);

    let err = c
        .execute::<Created>(
            Request::new(&CREATE_SESSION).idempotency_key(IdempotencyKey::generate()),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation { ref field, .. } if field == "idempotency_key"),
        "{err}"
    );
    assert_eq!(t.sent_count(), 1, "nothing is sent for a local error");
}

#[tokio::test(start_paused = true)]
async fn post_without_key_is_not_retried_once_it_may_have_arrived() {
    for step in [
        respond(503, ""),
        Step::Fail(TransportErrorKind::Timeout),
        Step::Fail(TransportErrorKind::Request),
    ] {
        let t = Arc::new(Scripted::new(vec![
            step.clone(),
            respond(200, r#"{"id":"x"}"#),
        ]));
        let c = client(t.clone(), exact_retry());
        let err = c
            .execute::<Created>(Request::new(&CREATE_SESSION))
            .await
            .unwrap_err();
        assert_eq!(t.sent_count(), 1, "{step:?} must not be retried: {err}");
    }
}

#[tokio::test(start_paused = true)]
async fn post_without_key_is_retried_after_a_refused_connection() {
    let t = Arc::new(Scripted::new(vec![
        Step::Fail(TransportErrorKind::Connect),
        Step::Fail(TransportErrorKind::Connect),
        respond(200, r#"{"id":"x"}"#),
    ]));
    let c = client(t.clone(), exact_retry());
    c.execute::<Created>(Request::new(&CREATE_SESSION))
        .await
        .unwrap();
    assert_eq!(t.sent_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn other_client_errors_are_never_retried() {
    for status in [400, 404, 409, 422] {
        let t = Arc::new(Scripted::new(vec![
            respond(status, "{}"),
            respond(200, "{}"),
        ]));
        let c = client(t.clone(), exact_retry());
        let err = c
            .execute::<serde_json::Value>(
                Request::new(&GET_PAYMENT).path_param("payment_ref", "PB.1"),
            )
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(t.sent_count(), 1, "status {status}");
    }
}

#[tokio::test(start_paused = true)]
async fn exponential_backoff_between_attempts_and_give_up_after_max() {
    let t = Arc::new(Scripted::new(vec![
        respond(502, ""),
        respond(502, ""),
        respond(502, ""),
    ]));
    let c = client(t.clone(), exact_retry());
    let start = Instant::now();
    let err = c
        .execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(t.sent_count(), 3);
    // 500 ms, then 1 s.
    assert_eq!(start.elapsed(), Duration::from_millis(1_500));
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_is_obeyed() {
    let t = Arc::new(Scripted::new(vec![
        respond_with(503, vec![("retry-after", "7".into())], ""),
        respond(200, "{}"),
    ]));
    let c = client(t.clone(), exact_retry());
    let start = Instant::now();
    c.execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_http_date_is_obeyed() {
    // The date is read against the wall clock; allow for the second boundary.
    let at = std::time::SystemTime::now() + Duration::from_secs(12);
    let t = Arc::new(Scripted::new(vec![
        respond_with(429, vec![("retry-after", httpdate::fmt_http_date(at))], ""),
        respond(200, "{}"),
    ]));
    let c = client(t.clone(), exact_retry());
    let start = Instant::now();
    c.execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(10) && waited <= Duration::from_secs(12),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_above_the_cap_is_not_waited_for() {
    let t = Arc::new(Scripted::new(vec![
        respond_with(429, vec![("retry-after", "3600".into())], ""),
        respond(200, "{}"),
    ]));
    let c = client(t.clone(), exact_retry());
    let start = Instant::now();
    let err = c
        .execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err();
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(t.sent_count(), 1);
    match err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(3600)))
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn deadline_bounds_a_hanging_call() {
    let t = Arc::new(Scripted::new(vec![Step::Hang, Step::Hang, Step::Hang]));
    let c = ApiClient::builder("https://api.example.test")
        .transport(t.clone())
        .retry(exact_retry())
        .attempt_timeout(Duration::from_secs(30))
        .deadline(Duration::from_secs(45))
        .build()
        .unwrap();
    let start = Instant::now();
    let err = c
        .execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                scope: TimeoutScope::Deadline,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(start.elapsed(), Duration::from_secs(45));
    assert_eq!(t.sent_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_would_pass_the_deadline_ends_the_call_with_the_real_error() {
    let t = Arc::new(Scripted::new(vec![
        respond_with(503, vec![("retry-after", "20".into())], ""),
        respond(200, "{}"),
    ]));
    let c = client(t.clone(), exact_retry());
    let start = Instant::now();
    let err = c
        .execute::<serde_json::Value>(
            Request::new(&GET_PAYMENT)
                .path_param("payment_ref", "x")
                .deadline(Duration::from_secs(10)),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(t.sent_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_is_reported_when_retries_run_out() {
    let t = Arc::new(Scripted::new(vec![Step::Hang]));
    let c = ApiClient::builder("https://api.example.test")
        .transport(t.clone())
        .retry(RetryPolicy::none())
        .attempt_timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let err = c
        .execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                scope: TimeoutScope::Attempt,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
}
