//! The verifier and the inbox with a small scheme of their own (no provider here).

#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::*;
use crate::clock::ManualClock;
use crate::error::BoxError;
use crate::secret::SecretString;

thread_local! {
    /// HMACs the verifier computed on this thread: proves that bounds come before hashing.
    pub(super) static HMACS: Cell<usize> = const { Cell::new(0) };
}

fn hmacs() -> usize {
    HMACS.with(Cell::get)
}

const NOW: i64 = 1_700_000_000;

/// `X-Ts: <unix>`, `X-Sig: v1=<hex>[, v1=<hex>...]` over `<ts>.<body>`, id in `X-Id`, payload
/// `{"n": <u32>}`; or, with `shared`, the secret in `X-Secret`. With `unsigned_id`, the scheme
/// says that `X-Id` is not covered by the signature (it never is here: the tests choose).
#[derive(Debug, Default, Clone)]
struct TestScheme {
    shared: bool,
    unsigned_id: bool,
}

#[derive(Debug, Deserialize, PartialEq)]
struct Ping {
    n: u32,
}

impl Scheme for TestScheme {
    type Payload = Ping;

    fn provider(&self) -> &'static str {
        "test"
    }

    fn retry_window(&self) -> Duration {
        Duration::from_secs(3600)
    }

    fn proof<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &'a [u8],
        limits: &Limits,
    ) -> Result<Proof<'a>, WebhookError> {
        if self.shared {
            let secret = single_header(headers, "x-secret", limits)?
                .ok_or(WebhookError::MissingField("secret"))?;
            return Ok(Proof::SharedSecret(SecretString::new(secret)));
        }
        let ts =
            single_header(headers, "x-ts", limits)?.ok_or(WebhookError::MissingHeader("x-ts"))?;
        let timestamp = parse_timestamp("x-ts", ts)?;
        let mut candidates = Candidates::new(limits);
        for (_, value) in header_values(headers, &["x-sig"], limits)? {
            for entry in value.split(',') {
                if let Some(hex) = entry.trim().strip_prefix("v1=") {
                    candidates.push_hex(hex)?;
                }
            }
        }
        if candidates.is_empty() {
            return Err(WebhookError::MissingHeader("x-sig"));
        }
        Ok(Proof::Hmac(SignedMessage {
            timestamp: Some(timestamp),
            parts: vec![ts.as_bytes(), b".", body],
            candidates,
        }))
    }

    fn id_is_signed(&self) -> bool {
        !self.unsigned_id
    }

    fn decode(&self, headers: &HeaderMap, body: &[u8]) -> Decoded<Ping> {
        Decoded {
            id: headers
                .get("x-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            payload: DecodeFailure::decode_json(body),
        }
    }
}

fn verifier(keys: &[&str]) -> Verifier<TestScheme> {
    Verifier::new(keys.iter().copied())
        .unwrap()
        .clock(Arc::new(ManualClock::at(NOW)))
}

fn signed(secret: &str, ts: i64, body: &[u8]) -> HeaderMap {
    let ts = ts.to_string();
    let mut h = HeaderMap::new();
    h.insert("x-ts", ts.parse().unwrap());
    let sig = sign(secret, &[ts.as_bytes(), b".", body]);
    h.insert("x-sig", format!("v1={sig}").parse().unwrap());
    h.insert("x-id", "evt_1".parse().unwrap());
    h
}

#[test]
fn the_documented_zepto_vector_is_what_sign_computes() {
    let sig = sign(
        "1234",
        &[b"1514772000", b".", b"full payload of the request"],
    );
    assert_eq!(
        sig,
        "f04cb05adb985b29d84616fbf3868e8e58403ff819cdc47ad8fc47e6acbce29f"
    );
}

#[test]
fn signature_matches_checks_one_hex_signature() {
    let sig = sign("k", &[b"cart"]);
    assert!(signature_matches("k", &[b"cart"], &sig));
    assert!(signature_matches("k", &[b"cart"], &sig.to_uppercase()));
    assert!(!signature_matches("k", &[b"cart!"], &sig));
    assert!(!signature_matches("other", &[b"cart"], &sig));
    assert!(!signature_matches("k", &[b"cart"], "zz"));
}

#[test]
fn empty_blank_and_missing_secrets_are_refused_when_building() {
    let none: [&str; 0] = [];
    assert_eq!(
        Verifier::<TestScheme>::new(none).unwrap_err(),
        SecretError::NoSecret
    );
    assert_eq!(
        Verifier::<TestScheme>::new([""]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    assert_eq!(
        Verifier::<TestScheme>::new(["ok", " \n\t"]).unwrap_err(),
        SecretError::Blank { position: 1 }
    );
    let as_error: crate::Error = SecretError::NoSecret.into();
    assert!(matches!(as_error, crate::Error::Config(_)));
}

#[test]
fn a_valid_delivery_becomes_a_typed_event() {
    let body = br#"{"n": 7}"#;
    let event = verifier(&["k"])
        .verify(&signed("k", NOW, body), body)
        .unwrap();
    assert_eq!(event.typed(), Some(&Ping { n: 7 }));
    assert_eq!(
        (event.provider, event.id.as_str(), event.signed_at),
        ("test", "evt_1", Some(NOW))
    );
    assert_eq!(&event.body[..], body);
    assert_eq!(event.delivery_key().to_string(), "test:evt_1");
}

#[test]
fn a_verified_body_that_does_not_decode_is_kept_with_the_reason() {
    let body = br#"{"n": "seven", "secret": "abc"}"#;
    let event = verifier(&["k"])
        .verify(&signed("k", NOW, body), body)
        .unwrap();
    let raw = event.payload.unrecognised().unwrap();
    assert_eq!(raw.body(), body);
    assert_eq!(
        raw.json().unwrap().get(),
        std::str::from_utf8(body).unwrap()
    );
    assert_eq!(raw.error().path(), "n");
    assert!(!format!("{event:?}").contains("abc"));

    // Not JSON at all, not even UTF-8: still an event, bytes kept.
    let body = b"\xff\xfe not json";
    let mut h = signed("k", NOW, body);
    h.remove("x-id");
    let event = verifier(&["k"]).verify(&h, body).unwrap();
    let raw = event.payload.unrecognised().unwrap();
    assert_eq!(raw.body(), body);
    assert!(raw.json().is_none() && raw.text().is_none());
    // No id in the delivery: the body's hash stands in for it.
    assert!(event.id.starts_with("body-sha256:"), "{}", event.id);
}

#[test]
fn rotation_accepts_any_secret_and_says_which() {
    let body = br#"{"n": 1}"#;
    let v = Verifier::<TestScheme>::new([Key::labelled("old", "old"), Key::labelled("new", "new")])
        .unwrap()
        .clock(Arc::new(ManualClock::at(NOW)));
    let event = v.verify(&signed("new", NOW, body), body).unwrap();
    assert_eq!((event.key_index, event.key_label), (1, "new"));
    let event = v.verify(&signed("old", NOW, body), body).unwrap();
    assert_eq!((event.key_index, event.key_label), (0, "old"));
    assert_eq!(
        v.verify(&signed("other", NOW, body), body).unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn one_hmac_per_secret_however_many_candidates() {
    let body = br#"{"n": 1}"#;
    let mut h = signed("k2", NOW, body);
    let good = h["x-sig"].to_str().unwrap().to_owned();
    let wrong = format!("v1={}", "ab".repeat(32));
    let many = [wrong.as_str(); 7].join(",") + "," + &good;
    h.insert("x-sig", many.parse().unwrap());
    let before = hmacs();
    let event = verifier(&["k1", "k2"]).verify(&h, body).unwrap();
    assert_eq!(hmacs() - before, 2);
    assert_eq!(event.key_index, 1);
}

#[test]
fn bounds_are_checked_before_any_hmac() {
    let v = verifier(&["k"]);
    let small = br#"{"n": 1}"#;
    let before = hmacs();

    let big = vec![b'x'; DEFAULT_MAX_BODY_BYTES + 1];
    assert_eq!(
        v.verify(&signed("k", NOW, &big), &big).unwrap_err(),
        WebhookError::BodyTooLarge {
            limit: DEFAULT_MAX_BODY_BYTES
        }
    );

    let mut h = signed("k", NOW, small);
    let long = format!("v1={}", "0".repeat(1024 * 1024));
    h.insert("x-sig", long.parse().unwrap());
    assert_eq!(
        v.verify(&h, small).unwrap_err(),
        WebhookError::HeaderTooLarge {
            header: "x-sig",
            limit: DEFAULT_MAX_HEADER_BYTES
        }
    );

    let nine = vec![format!("v1={}", "ab".repeat(32)); 9].join(",");
    h.insert("x-sig", nine.parse().unwrap());
    assert_eq!(
        v.verify(&h, small).unwrap_err(),
        WebhookError::TooManySignatures { limit: 8 }
    );

    let mut h = signed("k", NOW, small);
    for _ in 0..9 {
        h.append("x-sig", HeaderValue::from_static("v1=00"));
    }
    assert_eq!(
        v.verify(&h, small).unwrap_err(),
        WebhookError::TooManySignatures { limit: 8 }
    );

    assert!(matches!(
        v.verify(&signed("k", NOW - 301, small), small).unwrap_err(),
        WebhookError::TooOld {
            age_seconds: 301,
            tolerance_seconds: 300
        }
    ));
    assert!(matches!(
        v.verify(&signed("k", NOW + 301, small), small).unwrap_err(),
        WebhookError::TooNew {
            ahead_seconds: 301,
            ..
        }
    ));
    assert_eq!(hmacs(), before, "no HMAC for any of these");

    // The limits are configurable.
    let strict = v.clone().limits(Limits {
        max_body_bytes: 4,
        ..Limits::default()
    });
    assert_eq!(strict.body_limit(), 4);
    assert!(matches!(
        strict.verify(&signed("k", NOW, small), small),
        Err(WebhookError::BodyTooLarge { limit: 4 })
    ));
}

#[test]
fn the_tolerance_holds_at_its_edges_and_extreme_times_do_not_overflow() {
    let v = verifier(&["k"]);
    let body = br#"{"n": 1}"#;
    assert!(v.verify(&signed("k", NOW - 300, body), body).is_ok());
    assert!(v.verify(&signed("k", NOW + 300, body), body).is_ok());
    assert!(v.verify(&signed("k", i64::MIN, body), body).is_err());
    assert!(v.verify(&signed("k", i64::MAX, body), body).is_err());
    let lenient = v.tolerance(Duration::from_secs(3600));
    assert!(lenient.verify(&signed("k", NOW - 3600, body), body).is_ok());
}

#[test]
fn shared_secrets_compare_whole_values_in_constant_time() {
    let v = Verifier::with_scheme(
        TestScheme {
            shared: true,
            ..TestScheme::default()
        },
        ["s3cret", "other"],
    )
    .unwrap();
    let with = |secret: &str| {
        let mut h = HeaderMap::new();
        h.insert("x-secret", secret.parse().unwrap());
        v.verify(&h, br#"{"n": 2}"#)
    };
    assert_eq!(with("other").unwrap().key_index, 1);
    assert_eq!(with("s3cret").unwrap().signed_at, None);
    for wrong in ["s3cre", "s3crett", ""] {
        assert_eq!(with(wrong).unwrap_err(), WebhookError::SecretMismatch);
    }
}

#[test]
fn messages_repeat_at_most_the_echo_limit() {
    assert_eq!(echo("short"), "short");
    let long = "é".repeat(200);
    let cut = echo(&long);
    assert!(cut.len() <= ECHO_LIMIT + '…'.len_utf8(), "{}", cut.len());
    let failure = DecodeFailure::new("a", "x".repeat(10_000));
    assert!(failure.to_string().len() < 2 * ECHO_LIMIT);
}

/// A store whose every call fails, counting them.
#[derive(Debug, Default)]
struct BrokenStore {
    calls: AtomicUsize,
}

#[async_trait]
impl DeliveryStore for BrokenStore {
    async fn claim(&self, _: &DeliveryKey, _: Duration) -> Result<Claim, BoxError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err("down".into())
    }
    async fn mark_handled(
        &self,
        _: &DeliveryKey,
        _: &ClaimToken,
        _: Duration,
    ) -> Result<(), BoxError> {
        Err("down".into())
    }
    async fn release(&self, _: &DeliveryKey, _: &ClaimToken) -> Result<(), BoxError> {
        Err("down".into())
    }
}

fn inbox() -> Inbox<TestScheme> {
    Inbox::new(verifier(&["k"]))
}

#[tokio::test]
async fn the_inbox_hands_over_each_event_once_and_retries_after_a_failure() {
    let inbox = inbox();
    let body = br#"{"n": 3}"#;
    let h = signed("k", NOW, body);
    let seen = Mutex::new(Vec::new());
    let handler = |event: Event<Ping>| {
        seen.lock().unwrap().push(event.id);
        async { Ok::<_, BoxError>(()) }
    };
    let failing = |_event: Event<Ping>| async { Err::<(), _>("database down") };

    // The first delivery fails in the handler: the provider is told to retry ...
    let receipt = inbox.receive(&h, body, failing).await;
    assert_eq!(receipt.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(matches!(receipt.outcome(), Outcome::Failed { id, .. } if id == "evt_1"));
    // ... and the retry is handled, once.
    assert_eq!(
        inbox.receive(&h, body, handler).await.status(),
        StatusCode::OK
    );
    let again = inbox.receive(&h, body, handler).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert!(matches!(again.into_outcome(), Outcome::Duplicate { .. }));
    assert_eq!(*seen.lock().unwrap(), ["evt_1"]);

    // A forgery never reaches the handler.
    let forged = inbox.receive(&signed("x", NOW, body), body, handler).await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert!(matches!(
        forged.outcome(),
        Outcome::Rejected(WebhookError::SignatureMismatch)
    ));
    assert_eq!(seen.lock().unwrap().len(), 1);
}

/// Receives `body` under `first` with a handler that holds the event until the same body under
/// `second` has been answered, and then returns `result`; the two receipts.
async fn overlapping(
    inbox: &Inbox<TestScheme>,
    body: &[u8],
    first: &HeaderMap,
    second: &HeaderMap,
    result: Result<(), BoxError>,
) -> (Receipt, Receipt) {
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel();
    let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
    let slow = |_: Event<Ping>| async move {
        entered_tx.send(()).unwrap();
        finish_rx.await.unwrap();
        result
    };
    let one = inbox.receive(first, body, slow);
    let two = async {
        entered_rx.await.unwrap();
        let receipt = inbox
            .receive(second, body, |_| async { Ok::<_, BoxError>(()) })
            .await;
        finish_tx.send(()).unwrap();
        receipt
    };
    tokio::join!(one, two)
}

#[tokio::test]
async fn a_delivery_arriving_while_another_is_handled_is_not_handled_twice() {
    let body = br#"{"n": 4}"#;
    let h = signed("k", NOW, body);
    let (first, second) = overlapping(&inbox(), body, &h, &h, Ok(())).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(second.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(matches!(second.outcome(), Outcome::InProgress { .. }));
}

#[tokio::test]
async fn an_unreachable_store_does_not_lose_the_event() {
    let store = Arc::new(BrokenStore::default());
    let inbox = inbox().store(store.clone());
    let body = br#"{"n": 5}"#;
    let handled = AtomicUsize::new(0);
    let receipt = inbox
        .receive(&signed("k", NOW, body), body, |_| {
            handled.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, BoxError>(()) }
        })
        .await;
    assert_eq!(receipt.status(), StatusCode::OK);
    assert_eq!(handled.load(Ordering::SeqCst), 1);
    assert_eq!(store.calls.load(Ordering::SeqCst), 1);
}

fn with_id(mut headers: HeaderMap, id: &str) -> HeaderMap {
    headers.insert("x-id", id.parse().unwrap());
    headers
}

/// A verifier with secret `k` for a scheme whose id is not signed.
fn unsigned_id_verifier() -> Verifier<TestScheme> {
    Verifier::with_scheme(
        TestScheme {
            unsigned_id: true,
            ..TestScheme::default()
        },
        ["k"],
    )
    .unwrap()
    .clock(Arc::new(ManualClock::at(NOW)))
}

fn unsigned_id_inbox() -> Inbox<TestScheme> {
    Inbox::new(unsigned_id_verifier())
}

#[test]
fn the_replay_id_names_the_signed_body_only_when_the_id_is_not_signed() {
    let body = br#"{"n": 6}"#;
    let plain = verifier(&["k"])
        .verify(&signed("k", NOW, body), body)
        .unwrap();
    assert_eq!(plain.replay_id, None);
    assert_eq!(plain.replay_key(), None);

    let unsigned = unsigned_id_verifier();
    let first = unsigned.verify(&signed("k", NOW, body), body).unwrap();
    let other_id = unsigned
        .verify(&with_id(signed("k", NOW, body), "evt_other"), body)
        .unwrap();
    let resigned = unsigned.verify(&signed("k", NOW + 1, body), body).unwrap();
    let other_body = br#"{"n": 60}"#;
    let other = unsigned
        .verify(&signed("k", NOW, other_body), other_body)
        .unwrap();
    let expected = format!("body-sha256:{}", hex::encode(Sha256::digest(body)));
    assert_eq!(first.replay_id.as_deref(), Some(expected.as_str()));
    assert_eq!(other_id.replay_id, first.replay_id);
    assert_eq!(resigned.replay_id, first.replay_id);
    assert_ne!(other.replay_id, first.replay_id);
    assert_eq!(first.replay_key(), Some(DeliveryKey::new("test", expected)));

    // A shared secret proves no body: there is nothing to name.
    let shared = Verifier::with_scheme(
        TestScheme {
            shared: true,
            unsigned_id: true,
        },
        ["s3cret"],
    )
    .unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("x-secret", HeaderValue::from_static("s3cret"));
    headers.insert("x-id", HeaderValue::from_static("evt_9"));
    assert_eq!(shared.verify(&headers, body).unwrap().replay_id, None);
}

#[tokio::test]
async fn a_replay_under_another_id_is_a_duplicate_when_the_id_is_not_signed() {
    let inbox = unsigned_id_inbox();
    let body = br#"{"n": 7}"#;
    let seen = Mutex::new(Vec::new());
    let handler = |event: Event<Ping>| {
        seen.lock().unwrap().push(event.id);
        async { Ok::<_, BoxError>(()) }
    };
    let original = signed("k", NOW, body);
    let receipt = inbox.receive(&original, body, handler).await;
    assert!(matches!(receipt.outcome(), Outcome::Handled { .. }));

    // The captured bytes again, under a new id: a replay.
    let replay = inbox
        .receive(&with_id(original.clone(), "evt_forged"), body, handler)
        .await;
    assert_eq!(replay.status(), StatusCode::OK);
    assert!(matches!(replay.outcome(), Outcome::Duplicate { id } if id == "evt_forged"));

    // The provider's retry: same id, signed again later. A duplicate by its id.
    let retry = inbox
        .receive(&signed("k", NOW + 60, body), body, handler)
        .await;
    assert!(matches!(retry.outcome(), Outcome::Duplicate { id } if id == "evt_1"));

    // A delivery whose handling failed, the provider's re-signed retry handled, and then the
    // failed delivery's captured bytes under a new id: a replay all the same.
    let body3 = br#"{"n": 10}"#;
    let failed_at = with_id(signed("k", NOW, body3), "evt_3");
    let failed = inbox
        .receive(&failed_at, body3, |_| async {
            Err::<(), _>("database down")
        })
        .await;
    assert!(matches!(failed.outcome(), Outcome::Failed { .. }));
    let retried = inbox
        .receive(
            &with_id(signed("k", NOW + 60, body3), "evt_3"),
            body3,
            handler,
        )
        .await;
    assert!(matches!(retried.outcome(), Outcome::Handled { .. }));
    let replayed = inbox
        .receive(&with_id(failed_at, "evt_forged_3"), body3, handler)
        .await;
    assert!(matches!(replayed.outcome(), Outcome::Duplicate { .. }));

    // A new event (other body, other id) is handled.
    let next = br#"{"n": 8}"#;
    let fresh = inbox
        .receive(&with_id(signed("k", NOW, next), "evt_2"), next, handler)
        .await;
    assert!(matches!(fresh.outcome(), Outcome::Handled { .. }));
    assert_eq!(*seen.lock().unwrap(), ["evt_1", "evt_3", "evt_2"]);
}

#[tokio::test]
async fn a_replay_during_handling_waits_and_a_failure_frees_both_keys() {
    let inbox = unsigned_id_inbox();
    let body = br#"{"n": 9}"#;
    let h = signed("k", NOW, body);
    // The same signed bytes under another id, while the first is being handled.
    let replay = with_id(h.clone(), "evt_forged");
    let (first, second) = overlapping(&inbox, body, &h, &replay, Err("database down".into())).await;
    assert_eq!(first.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(matches!(second.outcome(), Outcome::InProgress { .. }));

    // The failure released both keys (and the replay held neither): the same delivery sent
    // again is handled, once.
    let handled = AtomicUsize::new(0);
    let count = |_: Event<Ping>| {
        handled.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, BoxError>(()) }
    };
    let again = inbox.receive(&h, body, count).await;
    assert!(matches!(again.outcome(), Outcome::Handled { .. }));
    let replay = inbox.receive(&with_id(h, "evt_3"), body, count).await;
    assert!(matches!(replay.outcome(), Outcome::Duplicate { .. }));
    assert_eq!(handled.load(Ordering::SeqCst), 1);
}

#[cfg(feature = "axum")]
mod over_http {
    use super::*;

    async fn serve(inbox: Inbox<TestScheme>, seen: Arc<Mutex<Vec<u32>>>) -> String {
        let handler = inbox.into_handler(move |event: Event<Ping>| {
            let seen = Arc::clone(&seen);
            async move {
                match event.payload {
                    Payload::Typed(ping) if ping.n == 99 => Err("refused by the handler"),
                    Payload::Typed(ping) => {
                        seen.lock().unwrap().push(ping.n);
                        Ok(())
                    }
                    Payload::Unrecognised(_) => {
                        seen.lock().unwrap().push(0);
                        Ok(())
                    }
                }
            }
        });
        let app = ::axum::Router::new().route("/hook", ::axum::routing::post(handler));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { ::axum::serve(listener, app).await });
        url
    }

    async fn post(url: &str, headers: HeaderMap, body: Vec<u8>) -> u16 {
        crate::tls::http_client_builder()
            .unwrap()
            .build()
            .unwrap()
            .post(url)
            .headers(headers)
            .body(body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    #[tokio::test]
    async fn the_handler_answers_each_outcome_over_real_http() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let inbox = inbox().limits_for_test();
        let url = serve(inbox, Arc::clone(&seen)).await;

        let body = br#"{"n": 6}"#.to_vec();
        let h = signed("k", NOW, &body);
        assert_eq!(post(&url, h.clone(), body.clone()).await, 200);
        assert_eq!(post(&url, h, body.clone()).await, 200, "a repeat");
        assert_eq!(post(&url, signed("x", NOW, &body), body.clone()).await, 401);

        // Too large: refused while reading, before verification.
        let big = vec![b' '; 64 * 1024 + 1];
        assert_eq!(post(&url, signed("k", NOW, &big), big).await, 413);

        // Verified but not a Ping: still handed over.
        let odd = b"<xml/>".to_vec();
        let mut h = signed("k", NOW, &odd);
        h.insert("x-id", "evt_2".parse().unwrap());
        assert_eq!(post(&url, h, odd).await, 200);

        // The handler fails: the provider is told to come back.
        let refused = br#"{"n": 99}"#.to_vec();
        let mut h = signed("k", NOW, &refused);
        h.insert("x-id", "evt_3".parse().unwrap());
        assert_eq!(post(&url, h, refused).await, 500);

        assert_eq!(*seen.lock().unwrap(), [6, 0]);
    }

    impl Inbox<TestScheme> {
        fn limits_for_test(self) -> Self {
            let verifier = self.verifier().clone().limits(Limits {
                max_body_bytes: 64 * 1024,
                ..Limits::default()
            });
            Inbox::new(verifier)
        }
    }
}
