//! Webhook verification, good and bad, and the typed event.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;

use fairshare_client::webhook::{
    DELIVERY_HEADER, EventBody, Key, Payload, SIGNATURE_HEADER, SecretError, TIMESTAMP_HEADER,
    WebhookError, signature_headers,
};
use fairshare_client::{
    EventData, SplitSessionStatus, WebhookEvent, WebhookEventType, WebhookVerifier,
};
use http::{HeaderMap, HeaderValue};
use splitkit_common::ManualClock;
use splitkit_common::webhook::testing::mutants;
use support::DOCUMENTED_SESSION;

const KEY: &str = "whsec_fairshare_test";
/// 2026-04-08T10:15:30Z.
const NOW: i64 = 1_775_643_330;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new([KEY])
        .unwrap()
        .clock(Arc::new(ManualClock::at(NOW)))
}

fn completed_body() -> Vec<u8> {
    format!(
        r#"{{"id":"evt_4f1c","type":"split_session.completed","created":"2026-04-08T10:15:30Z","data":{{"object":{}}}}}"#,
        DOCUMENTED_SESSION.replace("\"PENDING\"", "\"COMPLETED\"")
    )
    .into_bytes()
}

fn headers(timestamp: i64, body: &[u8]) -> HeaderMap {
    let mut headers = signature_headers(KEY, timestamp, body);
    headers.insert(
        "x-splitpay-event",
        HeaderValue::from_static("split_session.completed"),
    );
    headers.insert(DELIVERY_HEADER, HeaderValue::from_static("dlv_1"));
    headers
}

fn typed(event: &WebhookEvent) -> &EventBody {
    match &event.payload {
        Payload::Typed(body) => body,
        Payload::Unrecognised(raw) => panic!("expected a typed event: {}", raw.error()),
    }
}

#[test]
fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
    // Computed independently (Python hmac) from the documented recipe.
    let body = br#"{"id":"evt_4f1c","type":"split_session.completed","created":"2026-04-08T10:15:30Z","data":{"object":{"id":"s-1"}}}"#;
    let mut headers = HeaderMap::new();
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from_static("1775643330"));
    headers.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_static(
            "v1=12a5eb68b0b90fb510e300302355355660bc26f86fcc7ee8b1c879c1e36c466b",
        ),
    );
    verifier().verify(&headers, body).unwrap();
    assert_eq!(signature_headers(KEY, NOW, body), headers);
}

#[test]
fn a_good_delivery_gives_the_typed_event() {
    let body = completed_body();
    let verified = verifier().verify(&headers(NOW, &body), &body).unwrap();
    assert_eq!(verified.id, "evt_4f1c");
    assert_eq!(verified.signed_at, Some(NOW));
    let event = typed(&verified);
    assert_eq!(event.event_type, WebhookEventType::SplitSessionCompleted);
    assert_eq!(event.created.unix_seconds(), NOW);
    let session = event.split_session().unwrap();
    assert_eq!(session.id, "9f6e96d3-7b18-4f0e-96b8-e2eb9f6a2a1c");
    assert_eq!(session.status, SplitSessionStatus::Completed);
    assert_eq!(session.total.to_string(), "200.00");
}

#[test]
fn the_event_id_is_the_same_across_delivery_attempts() {
    let body = completed_body();
    let first = verifier().verify(&headers(NOW, &body), &body).unwrap();
    let mut retry_headers = signature_headers(KEY, NOW + 60, &body);
    retry_headers.insert(DELIVERY_HEADER, HeaderValue::from_static("dlv_2"));
    let retry = verifier().verify(&retry_headers, &body).unwrap();
    assert_eq!(first.id, retry.id);
    assert_eq!(first.delivery_key(), retry.delivery_key());
}

/// A name, the headers to set (name, values), the body, the time of checking, the expected error.
type Case<'a> = (
    &'a str,
    Vec<(&'a str, Vec<String>)>,
    Vec<u8>,
    i64,
    WebhookError,
);

#[test]
fn every_kind_of_bad_delivery_is_rejected_with_its_own_variant() {
    let body = completed_body();
    let good = headers(NOW, &body)[SIGNATURE_HEADER]
        .to_str()
        .unwrap()
        .to_owned();
    let ts = NOW.to_string();
    let wrong = format!("v1={}", "ab".repeat(32));
    let mut one_byte = body.clone();
    one_byte[10] ^= 1;
    let malformed = |header, reason| WebhookError::MalformedHeader { header, reason };
    let sig = |values: Vec<String>| (SIGNATURE_HEADER, values);
    let stamp = |value: &str| (TIMESTAMP_HEADER, vec![value.to_owned()]);
    let cases: Vec<Case> = vec![
        (
            "body changed by one byte",
            vec![stamp(&ts), sig(vec![good.clone()])],
            one_byte,
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "timestamp changed",
            vec![stamp(&(NOW + 1).to_string()), sig(vec![good.clone()])],
            body.clone(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "stale",
            vec![stamp(&ts), sig(vec![good.clone()])],
            body.clone(),
            NOW + 301,
            WebhookError::TooOld {
                age_seconds: 301,
                tolerance_seconds: 300,
            },
        ),
        (
            "future",
            vec![stamp(&ts), sig(vec![good.clone()])],
            body.clone(),
            NOW - 301,
            WebhookError::TooNew {
                ahead_seconds: 301,
                tolerance_seconds: 300,
            },
        ),
        (
            "no signature header",
            vec![stamp(&ts)],
            body.clone(),
            NOW,
            WebhookError::MissingHeader(SIGNATURE_HEADER),
        ),
        (
            "no timestamp header",
            vec![sig(vec![good.clone()])],
            body.clone(),
            NOW,
            WebhookError::MissingHeader(TIMESTAMP_HEADER),
        ),
        (
            "empty signature header",
            vec![stamp(&ts), sig(vec![String::new()])],
            body.clone(),
            NOW,
            malformed(SIGNATURE_HEADER, "expected `v1=<hex>`"),
        ),
        (
            "empty timestamp header",
            vec![stamp(""), sig(vec![good.clone()])],
            body.clone(),
            NOW,
            malformed(
                TIMESTAMP_HEADER,
                "timestamp is not a whole number of seconds",
            ),
        ),
        (
            "malformed signature",
            vec![stamp(&ts), sig(vec!["sha256=abc".into()])],
            body.clone(),
            NOW,
            malformed(SIGNATURE_HEADER, "expected `v1=<hex>`"),
        ),
        (
            "malformed timestamp",
            vec![stamp("1775643330.5"), sig(vec![good.clone()])],
            body.clone(),
            NOW,
            malformed(
                TIMESTAMP_HEADER,
                "timestamp is not a whole number of seconds",
            ),
        ),
        (
            "two timestamps",
            vec![
                (TIMESTAMP_HEADER, vec![ts.clone(), ts.clone()]),
                sig(vec![good.clone()]),
            ],
            body.clone(),
            NOW,
            malformed(TIMESTAMP_HEADER, "appears more than once"),
        ),
        (
            "several signatures, none valid",
            vec![stamp(&ts), sig(vec![format!("{wrong},{wrong} v1=00ff")])],
            body.clone(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "several headers, none valid",
            vec![stamp(&ts), sig(vec![wrong.clone(), wrong.clone()])],
            body.clone(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "nine signatures",
            vec![
                stamp(&ts),
                sig(vec![[wrong.as_str(); 8].join(","), good.clone()]),
            ],
            body.clone(),
            NOW,
            WebhookError::TooManySignatures { limit: 8 },
        ),
        (
            "1 MiB header",
            vec![stamp(&ts), sig(vec![format!("v1={}", "0".repeat(1 << 20))])],
            body.clone(),
            NOW,
            WebhookError::HeaderTooLarge {
                header: SIGNATURE_HEADER,
                limit: 4096,
            },
        ),
        (
            "non-UTF-8 body",
            vec![stamp(&ts), sig(vec![good.clone()])],
            b"{\"id\":\"\xff\"}".to_vec(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "body over 1 MiB",
            vec![stamp(&ts), sig(vec![good.clone()])],
            vec![b' '; (1 << 20) + 1],
            NOW,
            WebhookError::BodyTooLarge { limit: 1 << 20 },
        ),
    ];
    for (name, set, body, now, expected) in cases {
        let mut h = HeaderMap::new();
        for (header, values) in set {
            for value in values {
                h.append(header, HeaderValue::from_str(&value).unwrap());
            }
        }
        let v = verifier().clock(Arc::new(ManualClock::at(now)));
        assert_eq!(v.verify(&h, &body).unwrap_err(), expected, "{name}");
    }
    let mut not_ascii = headers(NOW, &body);
    not_ascii.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_bytes("v1=é".as_bytes()).unwrap(),
    );
    assert_eq!(
        verifier().verify(&not_ascii, &body).unwrap_err(),
        malformed(SIGNATURE_HEADER, "not visible ASCII")
    );
    let other = WebhookVerifier::new(["another key"])
        .unwrap()
        .clock(Arc::new(ManualClock::at(NOW)));
    assert_eq!(
        other.verify(&headers(NOW, &body), &body).unwrap_err(),
        WebhookError::SignatureMismatch,
        "wrong key"
    );
}

#[test]
fn any_matching_v1_entry_is_enough_in_either_case_and_any_header() {
    let body = completed_body();
    let good = headers(NOW, &body);
    let signature = good[SIGNATURE_HEADER].to_str().unwrap().to_owned();
    for values in [
        vec![format!("v1={}", &signature[3..].to_uppercase())],
        vec![format!("v0=deadbeef, v1=00ff,{signature}")],
        vec![format!("v1=00ff {signature}")],
        vec!["v1=00ff".to_owned(), signature.clone()],
    ] {
        let mut h = good.clone();
        h.remove(SIGNATURE_HEADER);
        for value in &values {
            h.append(SIGNATURE_HEADER, HeaderValue::from_str(value).unwrap());
        }
        assert!(verifier().verify(&h, &body).is_ok(), "{values:?}");
    }
    for edge in [NOW - 300, NOW + 300] {
        let v = verifier().clock(Arc::new(ManualClock::at(edge)));
        assert!(v.verify(&good, &body).is_ok());
    }
}

#[test]
fn a_replaced_signing_key_verifies_alongside_the_old_one() {
    let body = completed_body();
    let v = WebhookVerifier::new([Key::labelled("old-key", "old"), Key::labelled(KEY, "new")])
        .unwrap()
        .clock(Arc::new(ManualClock::at(NOW)));
    assert_eq!(
        v.verify(&headers(NOW, &body), &body).unwrap().key_label,
        "new"
    );
    let old = signature_headers("old-key", NOW, &body);
    assert_eq!(v.verify(&old, &body).unwrap().key_label, "old");
}

#[test]
fn mutated_deliveries_never_panic_and_never_pass_with_another_body() {
    let body = completed_body();
    let h = headers(NOW, &body);
    let v = verifier();
    for mutant in mutants(2, &h, &body, 4000) {
        if let Ok(event) = v.verify(&mutant.headers, &mutant.body) {
            assert!(!mutant.body_changed, "{mutant:?}");
            assert_eq!(event.id, "evt_4f1c");
        }
    }
}

#[test]
fn unknown_event_types_are_kept_raw() {
    let body = br#"{"id":"evt_9","type":"split_session.disputed","created":"2026-04-08T10:15:30Z","data":{"object":{"id":"s-1","reason":"chargeback"}}}"#;
    let verified = verifier().verify(&headers(NOW, body), body).unwrap();
    let event = typed(&verified);
    assert_eq!(
        event.event_type,
        WebhookEventType::Unknown("split_session.disputed".into())
    );
    match &event.data {
        EventData::Raw(object) => {
            assert_eq!(object.json(), r#"{"id":"s-1","reason":"chargeback"}"#);
            assert_eq!(
                object.to_value().unwrap(),
                serde_json::json!({"id": "s-1", "reason": "chargeback"})
            );
        }
        other => panic!("expected the raw object, got {other:?}"),
    }
    assert!(event.split_session().is_none());
}

#[test]
fn contribution_events_carry_the_contribution() {
    #[derive(serde::Deserialize)]
    struct MyContribution {
        id: String,
        #[serde(with = "splitkit_common::decimal")]
        amount: fairshare_client::Decimal,
    }
    let body = br#"{"id":"evt_c","type":"contribution.created","created":"2026-04-08T10:15:30Z","data":{"object":{"id":"c-1","amount":12345678901234567.80}}}"#;
    let verified = verifier().verify(&headers(NOW, body), body).unwrap();
    let event = typed(&verified);
    assert_eq!(event.event_type, WebhookEventType::ContributionCreated);
    match &event.data {
        EventData::Contribution(c) => {
            let mine: MyContribution = c.decode().unwrap();
            assert_eq!(mine.id, "c-1");
            assert_eq!(mine.amount.to_string(), "12345678901234567.80");
        }
        other => panic!("expected a contribution, got {other:?}"),
    }
}

#[test]
fn every_documented_session_event_carries_the_session() {
    for (wire, expected) in [
        (
            "split_session.created",
            WebhookEventType::SplitSessionCreated,
        ),
        (
            "split_session.lead_authorized",
            WebhookEventType::SplitSessionLeadAuthorized,
        ),
        (
            "split_session.completed",
            WebhookEventType::SplitSessionCompleted,
        ),
        (
            "split_session.partial",
            WebhookEventType::SplitSessionPartial,
        ),
        (
            "split_session.expired",
            WebhookEventType::SplitSessionExpired,
        ),
        (
            "split_session.canceled",
            WebhookEventType::SplitSessionCanceled,
        ),
        (
            "split_session.refunded",
            WebhookEventType::SplitSessionRefunded,
        ),
        (
            "split_session.status_changed",
            WebhookEventType::SplitSessionStatusChanged,
        ),
    ] {
        let body = format!(
            r#"{{"id":"evt","type":"{wire}","created":"2026-04-08T10:15:30Z","data":{{"object":{DOCUMENTED_SESSION}}}}}"#
        );
        let verified = verifier()
            .verify(&headers(NOW, body.as_bytes()), body.as_bytes())
            .unwrap();
        let event = typed(&verified);
        assert_eq!(event.event_type, expected, "{wire}");
        assert!(event.split_session().is_some(), "{wire}");
    }
}

#[test]
fn a_session_event_with_an_unexpected_object_is_still_delivered_raw() {
    let body = br#"{"id":"evt_s","type":"split_session.status_changed","created":"2026-04-08T10:15:30Z","data":{"object":{"sessionId":"s-1","previousStatus":"PENDING","status":"PARTIAL"}}}"#;
    let event = verifier().verify(&headers(NOW, body), body).unwrap();
    assert_eq!(event.id, "evt_s");
    let raw = event.payload.unrecognised().unwrap();
    assert_eq!(
        raw.to_value().unwrap()["data"]["object"]["status"],
        "PARTIAL"
    );
    assert!(
        raw.error().path().starts_with("data.object"),
        "{}",
        raw.error()
    );
}

#[test]
fn a_verified_body_that_is_not_an_event_is_kept_raw() {
    for (body, id) in [
        (&b"not json"[..], None),
        (b"\xff\xfe", None),
        (br#"{"type":"split_session.completed","created":"2026-04-08T10:15:30Z","data":{"object":{}}}"#, None),
        (br#"{"id":"e","type":"split_session.completed","created":"2026-04-08T10:15:30Z","data":{}}"#, Some("e")),
        (br#"{"id":"e2","type":"x","created":"soon","data":{"object":{}}}"#, Some("e2")),
    ] {
        let event = verifier().verify(&headers(NOW, body), body).unwrap();
        let raw = event.payload.unrecognised().expect("an unrecognised payload");
        assert_eq!(raw.body(), body);
        match id {
            Some(id) => assert_eq!(event.id, id),
            None => assert!(event.id.starts_with("body-sha256:"), "{}", event.id),
        }
    }
    let err = EventBody::decode(br#"{"id":"e","type":"x","created":"soon","data":{"object":{}}}"#)
        .unwrap_err();
    assert_eq!(err.path(), "created");
}

#[test]
fn an_empty_signing_key_is_refused_and_a_key_is_never_shown() {
    assert_eq!(
        WebhookVerifier::new([""]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    assert_eq!(
        WebhookVerifier::new(["  "]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    let shown = format!("{:?}", verifier());
    assert!(!shown.contains(KEY), "{shown}");
}
