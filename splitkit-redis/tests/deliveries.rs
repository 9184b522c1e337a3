//! The webhook delivery records against a real `redis-server`: a claim has one holder, expires
//! after its lease, is released only by its own token; a handled event stays handled for the
//! retention; namespaces keep applications apart; and a zepto-client inbox on it handles a
//! delivery once.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue, StatusCode};
use splitkit_common::webhook::{Claim, ClaimToken, DeliveryKey, DeliveryStore, Outcome};
use support::RedisServer;
use zepto_client::{WebhookInbox, WebhookVerifier};

const LEASE: Duration = Duration::from_secs(60);
const RETAIN: Duration = Duration::from_secs(3600);

fn key(id: &str) -> DeliveryKey {
    DeliveryKey::new("zepto", id)
}

fn claimed(claim: Claim) -> ClaimToken {
    match claim {
        Claim::Claimed(token) => token,
        other => panic!("expected a claim, got {other:?}"),
    }
}

#[tokio::test]
async fn a_claim_has_one_holder_until_handled_then_repeats_are_handled() {
    let server = RedisServer::start();
    let redis = server.connect().await;
    let one = redis.delivery_store();
    let other_instance = redis.delivery_store();

    let token = claimed(one.claim(&key("evt-1"), LEASE).await.unwrap());
    assert_eq!(
        other_instance.claim(&key("evt-1"), LEASE).await.unwrap(),
        Claim::InProgress
    );
    // Another event, or the same id from another provider, is its own record.
    claimed(other_instance.claim(&key("evt-2"), LEASE).await.unwrap());
    claimed(
        other_instance
            .claim(&DeliveryKey::new("fairshare", "evt-1"), LEASE)
            .await
            .unwrap(),
    );

    one.mark_handled(&key("evt-1"), &token, RETAIN)
        .await
        .unwrap();
    assert_eq!(
        other_instance.claim(&key("evt-1"), LEASE).await.unwrap(),
        Claim::Handled
    );
    assert_eq!(
        one.redis_key(&key("evt-1")),
        "splitkit:delivery:zepto:evt-1"
    );
}

#[tokio::test]
async fn a_dead_claimants_lease_expires_and_only_its_own_token_releases_a_claim() {
    let server = RedisServer::start();
    let store = server.connect().await.delivery_store();
    let lease = Duration::from_millis(200);

    let crashed = claimed(store.claim(&key("evt"), lease).await.unwrap());
    tokio::time::sleep(lease + Duration::from_millis(100)).await;
    // The claimant died without a word: after its lease, a retry of the event is handled.
    let second = claimed(store.claim(&key("evt"), LEASE).await.unwrap());
    // The late claimant's release does not free the new claim ...
    store.release(&key("evt"), &crashed).await.unwrap();
    assert_eq!(
        store.claim(&key("evt"), LEASE).await.unwrap(),
        Claim::InProgress
    );
    // ... the new claimant's does, at once.
    store.release(&key("evt"), &second).await.unwrap();
    let third = claimed(store.claim(&key("evt"), LEASE).await.unwrap());
    // A release after the event was handled leaves it handled.
    store
        .mark_handled(&key("evt"), &third, RETAIN)
        .await
        .unwrap();
    store.release(&key("evt"), &third).await.unwrap();
    assert_eq!(
        store.claim(&key("evt"), LEASE).await.unwrap(),
        Claim::Handled
    );
}

#[tokio::test]
async fn a_handled_record_lasts_for_the_retention_and_namespaces_are_apart() {
    let server = RedisServer::start();
    let redis = server.connect().await;
    let store = redis.delivery_store();
    let token = claimed(store.claim(&key("evt"), LEASE).await.unwrap());
    store
        .mark_handled(&key("evt"), &token, Duration::from_millis(300))
        .await
        .unwrap();
    let staging = redis.clone().namespace("staging").delivery_store();
    claimed(staging.claim(&key("evt"), LEASE).await.unwrap());
    assert_eq!(
        store.claim(&key("evt"), LEASE).await.unwrap(),
        Claim::Handled
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    claimed(store.claim(&key("evt"), LEASE).await.unwrap());
}

#[tokio::test]
async fn an_unreachable_redis_is_an_error_the_inbox_survives() {
    // Nothing listens on this port once the server is stopped.
    let mut server = RedisServer::start();
    let store = server.connect().await.delivery_store();
    server.stop();
    assert!(store.claim(&key("evt"), LEASE).await.is_err());

    // The inbox still hands the verified event to the handler: a repeat beats a lost event.
    let inbox = WebhookInbox::new(WebhookVerifier::new(["s3cret"]).unwrap()).store(Arc::new(store));
    let (headers, body) = delivery("s3cret", "07f4e8a6-0001", "2030-06-13T00:00:01Z");
    let handled = AtomicUsize::new(0);
    let receipt = inbox
        .receive(&headers, &body, |_| async {
            handled.fetch_add(1, Ordering::SeqCst);
            Ok::<(), std::convert::Infallible>(())
        })
        .await;
    assert_eq!(receipt.status(), StatusCode::OK);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_inbox_on_redis_handles_a_redelivered_event_once_and_a_failed_one_again() {
    let server = RedisServer::start();
    let redis = server.connect().await;
    let inbox = |redis: &splitkit_redis::Redis| {
        WebhookInbox::new(WebhookVerifier::new(["s3cret"]).unwrap())
            .store(Arc::new(redis.delivery_store()))
    };
    // Two instances of the merchant's server.
    let (a, b) = (inbox(&redis), inbox(&redis));
    let handled = AtomicUsize::new(0);
    let ok = |_| async {
        handled.fetch_add(1, Ordering::SeqCst);
        Ok::<(), std::convert::Infallible>(())
    };

    let (headers, body) = delivery("s3cret", "07f4e8a6-0002", "2030-06-13T00:00:02Z");
    let first = a.receive(&headers, &body, ok).await;
    assert!(matches!(first.outcome(), Outcome::Handled { .. }));
    // Zepto's retry of the same event reaches the other instance: answered, not handled again.
    let repeat = b.receive(&headers, &body, ok).await;
    assert!(matches!(repeat.outcome(), Outcome::Duplicate { .. }));
    assert_eq!(repeat.status(), StatusCode::OK);
    assert_eq!(handled.load(Ordering::SeqCst), 1);

    // A handler that fails releases its claim: the next delivery of that event is handled.
    let (headers, body) = delivery("s3cret", "07f4e8a6-0003", "2030-06-13T00:00:03Z");
    let failed = a
        .receive(&headers, &body, |_| async { Err("database down") })
        .await;
    assert!(matches!(failed.outcome(), Outcome::Failed { .. }));
    let retried = b.receive(&headers, &body, ok).await;
    assert!(matches!(retried.outcome(), Outcome::Handled { .. }));
    assert_eq!(handled.load(Ordering::SeqCst), 2);
}

/// A delivery Zepto would send now for event `request_id`, which happened at `at`, signed
/// with `secret`. Two events differ in their bodies as well as their ids: the inbox takes the
/// same signed body under another id for a replay (Zepto does not sign the id).
fn delivery(secret: &str, request_id: &str, at: &str) -> (HeaderMap, Vec<u8>) {
    let body =
        format!(r#"{{"event":{{"type":"payment.added","at":"{at}"}},"data":[]}}"#).into_bytes();
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(
        "Split-Signature",
        HeaderValue::from_str(&zepto_client::webhook::sign(secret, now, &body)).unwrap(),
    );
    headers.insert(
        "Split-Request-ID",
        HeaderValue::from_str(request_id).unwrap(),
    );
    (headers, body)
}
