//! Zepto's error answers: both body shapes, the idempotency conflict, and 503 + Retry-After.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};
use zepto_client::contacts::NewContact;
use zepto_client::error::{error_body, error_objects, existing_resource_ref};
use zepto_client::models::{ErrorResponseErrors, PaymentChannel};
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::refunds::NewRefund;
use zepto_client::{Error, IdempotencyKey, Timestamp};

fn payment() -> NewPayment {
    NewPayment::new(
        "The SuperPackage",
        Timestamp::parse("2021-06-13T00:00:00Z").unwrap(),
    )
    .channels([PaymentChannel::NewPaymentsPlatform])
    .payout(Payout::new(
        "48b89364-1577-4c81-ba02-96705895d457",
        30_000,
        "A tandem skydive jump",
    ))
}

fn created_payment() -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(response_example("createPayment", 201).unwrap())
}

#[tokio::test]
async fn the_detailed_shape_decodes_into_message_code_and_typed_body() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/PB.404"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "errors": [{
                "title": "A Specific Error",
                "detail": "Details about the error",
                "links": {"about": "https://docs.split.cash/..."}
            }]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).payments().get("PB.404").await.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.code.as_deref(), Some("A Specific Error"));
    assert_eq!(
        api.message.as_deref(),
        Some("A Specific Error: Details about the error")
    );
    assert_eq!((api.provider(), api.operation()), ("zepto", "getPayment"));
    let objects = error_objects(&err);
    assert_eq!(objects.len(), 1);
    assert_eq!(
        objects[0].links.as_ref().unwrap().about.as_deref(),
        Some("https://docs.split.cash/...")
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn the_resource_shape_decodes_into_the_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts/anyone"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "errors": "A sentence explaining error/s encounted"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .contacts()
        .create(
            NewContact::new()
                .name("Hunter")
                .email("hunter@batcountry.com")
                .branch_code("123456")
                .account_number("1"),
        )
        .await
        .unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.status.as_u16(), 422);
    assert_eq!(api.code, None);
    assert_eq!(
        api.message.as_deref(),
        Some("A sentence explaining error/s encounted")
    );
    assert!(matches!(
        &error_body(&err).unwrap().errors,
        ErrorResponseErrors::Message(m) if m.starts_with("A sentence")
    ));
    assert!(error_objects(&err).is_empty());
    assert!(err.to_string().contains("A sentence explaining"), "{err}");
}

#[tokio::test]
async fn a_reused_idempotency_key_is_a_conflict_with_the_existing_resource_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(
            ResponseTemplate::new(409)
                .set_body_json(response_example("createPayment", 409).unwrap()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let key = IdempotencyKey::new("order-2021-0042").unwrap();
    let err = client(&server)
        .payments()
        .create(payment().idempotency_key(key))
        .await
        .unwrap_err();
    match &err {
        Error::IdempotencyConflict {
            key,
            existing_resource,
            error,
        } => {
            assert_eq!(key.as_deref(), Some("order-2021-0042"));
            assert_eq!(existing_resource.as_deref(), Some("PB.1a4"));
            assert_eq!(error.status.as_u16(), 409);
            assert_eq!(error.code.as_deref(), Some("Duplicate idempotency key"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(existing_resource_ref(&err), Some("PB.1a4"));
    let sent = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        sent.headers.get("idempotency-key").unwrap(),
        "order-2021-0042"
    );
}

/// Answers 503 with `Retry-After: 1` first, then 201; records the keys it saw.
struct BusyOnce {
    keys: Arc<Mutex<Vec<String>>>,
    answer: ResponseTemplate,
}

impl Respond for BusyOnce {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let mut keys = self.keys.lock().unwrap();
        keys.push(
            request
                .headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
        );
        if keys.len() == 1 {
            ResponseTemplate::new(503).insert_header("Retry-After", "1")
        } else {
            self.answer.clone()
        }
    }
}

#[tokio::test]
async fn a_503_with_retry_after_is_retried_after_that_delay_with_the_same_key() {
    let server = MockServer::start().await;
    let keys = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(BusyOnce {
            keys: keys.clone(),
            answer: created_payment(),
        })
        .expect(2)
        .mount(&server)
        .await;
    let started = Instant::now();
    let payment = client(&server).payments().create(payment()).await.unwrap();
    assert_eq!(payment.ref_, "PB.1");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(!keys[0].is_empty());
    assert_eq!(keys[0], keys[1], "the same key on the retry");
}

#[tokio::test]
async fn a_refund_is_retried_with_its_key_too() {
    let server = MockServer::start().await;
    let keys = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/credits/C.1gf22/refunds"))
        .respond_with(BusyOnce {
            keys: keys.clone(),
            answer: ResponseTemplate::new(200)
                .set_body_json(response_example("issueRefund", 200).unwrap()),
        })
        .expect(2)
        .mount(&server)
        .await;
    let refund = client(&server)
        .refunds()
        .create("C.1gf22", NewRefund::new(500))
        .await
        .unwrap();
    assert_eq!(refund.ref_, "PRF.7f4");
    let keys = keys.lock().unwrap();
    assert_eq!(keys[0], keys[1]);
}

#[tokio::test]
async fn a_post_without_idempotency_is_not_retried_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/contacts/anyone"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "1"))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .contacts()
        .create(
            NewContact::new()
                .name("Hunter")
                .email("hunter@batcountry.com")
                .branch_code("123456")
                .account_number("1"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(err.is_retryable());
    let sent = &server.received_requests().await.unwrap()[0];
    assert!(sent.headers.get("idempotency-key").is_none());
}

#[tokio::test]
async fn a_get_is_retried_on_server_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/PB.1"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/payments/PB.1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(response_example("getPayment", 200).unwrap()),
        )
        .expect(1)
        .mount(&server)
        .await;
    let payment = client(&server).payments().get("PB.1").await.unwrap();
    assert_eq!(payment.ref_, "PB.1");
}

#[tokio::test]
async fn a_body_of_the_wrong_shape_is_a_decode_error_naming_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments/PB.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            // A boolean where a string goes (a number would be read as its text).
            "data": {"ref": "PB.1", "your_bank_account_id": "x", "channels": [], "payouts": [{"ref": true}]}
        })))
        .mount(&server)
        .await;
    let err = client(&server).payments().get("PB.1").await.unwrap_err();
    match err {
        Error::Decode(d) => assert_eq!(d.path, "data.payouts[0].ref"),
        other => panic!("expected a decode error, got {other:?}"),
    }
}
