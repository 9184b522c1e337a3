//! Webhook verification, good and bad, and the typed event.

#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use fairshare_client::webhook::{
    DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_headers,
};
use fairshare_client::{
    Error, EventData, SplitSessionStatus, WebhookEvent, WebhookEventType, WebhookVerifier,
};
use http::{HeaderMap, HeaderValue};
use splitkit_common::{ManualClock, WebhookError};
use support::DOCUMENTED_SESSION;

const KEY: &str = "whsec_fairshare_test";
/// 2026-04-08T10:15:30Z.
const NOW: i64 = 1_775_643_330;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(KEY)
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
    verifier().verify_signature(&headers, body).unwrap();
    assert_eq!(signature_headers(KEY, NOW, body), headers);
}

#[test]
fn a_good_delivery_gives_the_typed_event() {
    let body = completed_body();
    let event = verifier().verify(&headers(NOW, &body), &body).unwrap();
    assert_eq!(event.id, "evt_4f1c");
    assert_eq!(event.event_type, WebhookEventType::SplitSessionCompleted);
    assert_eq!(event.created.unix_seconds(), NOW);
    assert_eq!(event.delivery_id.as_deref(), Some("dlv_1"));
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
    assert_ne!(first.delivery_id, retry.delivery_id);
}

#[test]
fn a_changed_body_is_rejected() {
    let body = completed_body();
    let headers = headers(NOW, &body);
    let mut changed = body.clone();
    changed.push(b' ');
    assert_eq!(
        verifier().verify(&headers, &changed),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn a_wrong_key_is_rejected() {
    let body = completed_body();
    let headers = signature_headers("whsec_someone_else", NOW, &body);
    assert_eq!(
        verifier().verify(&headers, &body),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn a_changed_timestamp_is_rejected() {
    let body = completed_body();
    let mut headers = headers(NOW, &body);
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from(NOW + 1));
    assert_eq!(
        verifier().verify(&headers, &body),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stale_and_future_timestamps_are_rejected_beyond_five_minutes() {
    let body = completed_body();
    for ok in [NOW - 300, NOW + 300] {
        assert!(
            verifier().verify(&headers(ok, &body), &body).is_ok(),
            "{ok}"
        );
    }
    assert!(matches!(
        verifier().verify(&headers(NOW - 301, &body), &body),
        Err(WebhookError::TooOld {
            age_seconds: 301,
            tolerance_seconds: 300
        })
    ));
    assert!(matches!(
        verifier().verify(&headers(NOW + 301, &body), &body),
        Err(WebhookError::TooNew {
            ahead_seconds: 301,
            ..
        })
    ));
    let lenient = verifier().tolerance(Duration::from_secs(600));
    assert!(lenient.verify(&headers(NOW - 599, &body), &body).is_ok());
}

#[test]
fn missing_headers_are_named() {
    let body = completed_body();
    let mut no_signature = headers(NOW, &body);
    no_signature.remove(SIGNATURE_HEADER);
    assert_eq!(
        verifier().verify(&no_signature, &body),
        Err(WebhookError::MissingHeader(SIGNATURE_HEADER))
    );
    let mut no_timestamp = headers(NOW, &body);
    no_timestamp.remove(TIMESTAMP_HEADER);
    assert_eq!(
        verifier().verify(&no_timestamp, &body),
        Err(WebhookError::MissingHeader(TIMESTAMP_HEADER))
    );
}

#[test]
fn malformed_headers_are_rejected() {
    let body = completed_body();
    let good = headers(NOW, &body);
    let signature = good[SIGNATURE_HEADER].to_str().unwrap().to_owned();
    let hex = signature.strip_prefix("v1=").unwrap();

    for bad in [hex, "", "v2=abcdef", "sha256=abcdef"] {
        let mut headers = good.clone();
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(bad).unwrap());
        assert!(
            matches!(
                verifier().verify(&headers, &body),
                Err(WebhookError::MalformedHeader {
                    header: SIGNATURE_HEADER,
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    for bad in ["v1=not-hex", "v1=", "v1=abcd"] {
        let mut headers = good.clone();
        headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(bad).unwrap());
        assert_eq!(
            verifier().verify(&headers, &body),
            Err(WebhookError::SignatureMismatch),
            "{bad:?}"
        );
    }
    for bad in ["yesterday", "1775643330.5", ""] {
        let mut headers = good.clone();
        headers.insert(TIMESTAMP_HEADER, HeaderValue::from_str(bad).unwrap());
        assert!(
            matches!(
                verifier().verify(&headers, &body),
                Err(WebhookError::MalformedHeader {
                    header: TIMESTAMP_HEADER,
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    let mut not_ascii = good.clone();
    not_ascii.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_bytes("v1=é".as_bytes()).unwrap(),
    );
    assert!(matches!(
        verifier().verify(&not_ascii, &body),
        Err(WebhookError::MalformedHeader { .. })
    ));
}

#[test]
fn any_matching_v1_entry_is_enough_in_either_case() {
    let body = completed_body();
    let good = headers(NOW, &body);
    let signature = good[SIGNATURE_HEADER].to_str().unwrap().to_owned();

    let mut upper = good.clone();
    upper.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&format!("v1={}", &signature[3..].to_uppercase())).unwrap(),
    );
    assert!(verifier().verify(&upper, &body).is_ok());

    let mut several = good.clone();
    several.insert(
        SIGNATURE_HEADER,
        HeaderValue::from_str(&format!("v0=deadbeef, v1=00ff,{signature}")).unwrap(),
    );
    assert!(verifier().verify(&several, &body).is_ok());

    let mut two_headers = good.clone();
    two_headers.insert(SIGNATURE_HEADER, HeaderValue::from_static("v1=00ff"));
    two_headers.append(SIGNATURE_HEADER, HeaderValue::from_str(&signature).unwrap());
    assert!(verifier().verify(&two_headers, &body).is_ok());
}

#[test]
fn unknown_event_types_are_kept_raw() {
    let body = br#"{"id":"evt_9","type":"split_session.disputed","created":"2026-04-08T10:15:30Z","data":{"object":{"id":"s-1","reason":"chargeback"}}}"#;
    let event = verifier().verify(&headers(NOW, body), body).unwrap();
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
    let event = verifier().verify(&headers(NOW, body), body).unwrap();
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
        let event = verifier()
            .verify(&headers(NOW, body.as_bytes()), body.as_bytes())
            .unwrap();
        assert_eq!(event.event_type, expected, "{wire}");
        assert!(event.split_session().is_some(), "{wire}");
    }
}

#[test]
fn a_session_event_with_an_unexpected_object_is_still_delivered_raw() {
    let body = br#"{"id":"evt_s","type":"split_session.status_changed","created":"2026-04-08T10:15:30Z","data":{"object":{"sessionId":"s-1","previousStatus":"PENDING","status":"PARTIAL"}}}"#;
    let event = verifier().verify(&headers(NOW, body), body).unwrap();
    assert_eq!(
        event.event_type,
        WebhookEventType::SplitSessionStatusChanged
    );
    match &event.data {
        EventData::Raw(object) => assert_eq!(object.to_value().unwrap()["status"], "PARTIAL"),
        other => panic!("expected the raw object, got {other:?}"),
    }
}

#[test]
fn a_verified_body_that_is_not_an_event_is_a_payload_error() {
    for body in [
        &b"not json"[..],
        br#"{"type":"split_session.completed","created":"2026-04-08T10:15:30Z","data":{"object":{}}}"#,
        br#"{"id":"e","type":"split_session.completed","created":"2026-04-08T10:15:30Z","data":{}}"#,
    ] {
        let err = verifier().verify(&headers(NOW, body), body).unwrap_err();
        assert!(matches!(err, WebhookError::Payload(_)), "{err:?}");
    }
    let err = WebhookEvent::from_verified_body(
        br#"{"id":"e","type":"x","created":"soon","data":{"object":{}}}"#,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("created"), "{err}");
}

#[test]
fn an_empty_signing_key_is_refused_and_a_key_is_never_shown() {
    assert!(matches!(WebhookVerifier::new(""), Err(Error::Config(_))));
    assert!(matches!(WebhookVerifier::new("  "), Err(Error::Config(_))));
    let shown = format!("{:?}", verifier());
    assert!(!shown.contains(KEY), "{shown}");
}
