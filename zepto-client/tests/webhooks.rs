//! Webhook verification (`Split-Signature`) and typed events.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde_json::json;
use splitkit_common::ManualClock;
use splitkit_common::webhook::WebhookError;
use zepto_client::Error;
use zepto_client::models::{TransactionFailureReason, TransactionStatus, WebhookEventType};
use zepto_client::webhook::{EventData, EventObject, WebhookEvent, WebhookVerifier, sign};

const SECRET: &str = "1234";
const TS: i64 = 1_514_772_000;
const BODY: &[u8] = b"full payload of the request";
const DOC_SIGNATURE: &str = "f04cb05adb985b29d84616fbf3868e8e58403ff819cdc47ad8fc47e6acbce29f";

fn verifier_at(now: i64) -> WebhookVerifier {
    WebhookVerifier::new(SECRET).clock(Arc::new(ManualClock::at(now)))
}

fn headers(signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("Split-Signature", signature.parse().unwrap());
    h.insert(
        "Split-Request-ID",
        "07f4e8c1-846b-5ec0-8a25-24c3bc5582b5".parse().unwrap(),
    );
    h
}

fn rejected(result: Result<impl std::fmt::Debug, Error>) -> WebhookError {
    match result {
        Err(Error::Webhook(e)) => e,
        other => panic!("expected a webhook rejection, got {other:?}"),
    }
}

#[test]
fn the_documented_vector_passes() {
    let header = format!("{TS}.{DOC_SIGNATURE}");
    assert_eq!(sign(SECRET, TS, BODY), header);
    let verified = verifier_at(TS).verify(&headers(&header), BODY).unwrap();
    assert_eq!(verified.timestamp, TS);
    assert_eq!(
        verified.request_id.as_deref(),
        Some("07f4e8c1-846b-5ec0-8a25-24c3bc5582b5")
    );
}

#[test]
fn a_changed_body_fails() {
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}"));
    assert_eq!(
        rejected(verifier_at(TS).verify(&h, b"full payload of the request!")),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn a_wrong_secret_fails() {
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}"));
    let other = WebhookVerifier::new("4321").clock(Arc::new(ManualClock::at(TS)));
    assert_eq!(
        rejected(other.verify(&h, BODY)),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn stale_and_future_timestamps_fail_outside_the_tolerance() {
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}"));
    assert!(verifier_at(TS + 300).verify(&h, BODY).is_ok());
    assert!(verifier_at(TS - 300).verify(&h, BODY).is_ok());
    assert!(matches!(
        rejected(verifier_at(TS + 301).verify(&h, BODY)),
        WebhookError::TooOld {
            age_seconds: 301,
            tolerance_seconds: 300
        }
    ));
    assert!(matches!(
        rejected(verifier_at(TS - 301).verify(&h, BODY)),
        WebhookError::TooNew {
            ahead_seconds: 301,
            ..
        }
    ));
    let lenient = verifier_at(TS + 3600).tolerance(Duration::from_secs(3600));
    assert!(lenient.verify(&h, BODY).is_ok());
}

#[test]
fn any_of_several_signatures_may_match() {
    let wrong = sign("rotated-away", TS, BODY);
    let wrong = wrong.split_once('.').unwrap().1;
    let h = headers(&format!("{TS}.{wrong}.{DOC_SIGNATURE}"));
    assert!(verifier_at(TS).verify(&h, BODY).is_ok());
    // Unknown future elements are ignored.
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}.v2=something"));
    assert!(verifier_at(TS).verify(&h, BODY).is_ok());
    // None matching fails.
    let h = headers(&format!("{TS}.{wrong}.{wrong}"));
    assert_eq!(
        rejected(verifier_at(TS).verify(&h, BODY)),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn a_signature_for_another_timestamp_fails() {
    // Same signature, header timestamp changed: the timestamp is part of what is signed.
    let h = headers(&format!("{}.{DOC_SIGNATURE}", TS + 1));
    assert_eq!(
        rejected(verifier_at(TS).verify(&h, BODY)),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn missing_and_malformed_headers_fail() {
    assert_eq!(
        rejected(verifier_at(TS).verify(&HeaderMap::new(), BODY)),
        WebhookError::MissingHeader("Split-Signature")
    );
    for bad in [
        "",
        "1514772000",
        &format!(".{DOC_SIGNATURE}"),
        "1514772000.nothex",
    ] {
        let err = rejected(verifier_at(TS).verify(&headers(bad), BODY));
        assert!(
            matches!(
                err,
                WebhookError::MalformedHeader {
                    header: "Split-Signature",
                    ..
                }
            ),
            "{bad:?}: {err:?}"
        );
    }
    let err =
        rejected(verifier_at(TS).verify(&headers(&format!("15147720x0.{DOC_SIGNATURE}")), BODY));
    assert!(
        matches!(err, WebhookError::MalformedHeader { .. }),
        "{err:?}"
    );
}

#[test]
fn header_names_can_be_changed() {
    let mut h = HeaderMap::new();
    h.insert(
        "Zepto-Signature",
        format!("{TS}.{DOC_SIGNATURE}").parse().unwrap(),
    );
    h.insert("Zepto-Request-ID", "abc".parse().unwrap());
    let v = verifier_at(TS).header_names("Zepto-Signature", "Zepto-Request-ID");
    assert_eq!(
        v.verify(&h, BODY).unwrap().request_id.as_deref(),
        Some("abc")
    );
    assert!(verifier_at(TS).verify(&h, BODY).is_err());
}

fn transaction(reference: &str, status: &str, failure: Option<&str>) -> serde_json::Value {
    json!({
        "ref": reference, "parent_ref": "PB.2p93", "type": "credit", "category": "payout",
        "created_at": "2021-04-07T23:15:00Z", "matures_at": "2021-04-07T23:15:00Z",
        "cleared_at": null, "bank_ref": "CT.26yh", "status": status,
        "status_changed_at": "2021-04-08T23:15:00Z",
        "party_contact_id": "26297f44-c5e1-40a1-9864-3e0b0754c32a", "party_name": "Sanford-Rees",
        "party_nickname": "sanford-rees-8", "party_bank_ref": null,
        "description": "Payout", "amount": 155, "failure_reason": failure,
        "channels": ["new_payments_platform", "direct_entry"],
        "current_channel": "direct_entry"
    })
}

fn envelope(event_type: &str, data: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event": {
            "type": event_type,
            "at": "2021-04-08T23:15:00Z",
            "who": {
                "account_id": "4e2728cc-b4ba-42c2-a6c3-26a7758de58d",
                "bank_account_id": "56df206a-aaff-471a-b075-11882bc8906a"
            }
        },
        "data": data
    }))
    .unwrap()
}

#[test]
fn a_data_array_with_several_transactions_decodes_every_one() {
    let body = envelope(
        "debtor_credit.channel_switched",
        json!([
            transaction("C.2pyb", "channel_switched", Some("refer_to_customer")),
            transaction("C.2pyc", "cleared", None),
            transaction("C.2pyd", "returned", Some("account_closed")),
        ]),
    );
    let h = headers(&sign(SECRET, TS, &body));
    let event = verifier_at(TS).verify_event(&h, &body).unwrap();
    assert_eq!(
        event.request_id.as_deref(),
        Some("07f4e8c1-846b-5ec0-8a25-24c3bc5582b5")
    );
    assert_eq!(event.signed_at, Some(TS));
    assert_eq!(
        event.event_type,
        WebhookEventType::DebtorCreditChannelSwitched
    );
    assert_eq!(event.object(), EventObject::DebtorCredit);
    assert_eq!(event.action(), "channel_switched");
    assert_eq!(event.at.to_string(), "2021-04-08T23:15:00Z");
    assert_eq!(event.who.account_id, "4e2728cc-b4ba-42c2-a6c3-26a7758de58d");
    let EventData::Transactions(items) = &event.data else {
        panic!("expected transactions, got {:?}", event.data)
    };
    assert_eq!(event.data.len(), 3);
    let summary: Vec<_> = items
        .iter()
        .map(|t| (t.ref_.as_str(), t.status.clone(), t.failure_reason.clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "C.2pyb",
                TransactionStatus::ChannelSwitched,
                Some(TransactionFailureReason::ReferToCustomer)
            ),
            ("C.2pyc", TransactionStatus::Cleared, None),
            (
                "C.2pyd",
                TransactionStatus::Returned,
                Some(TransactionFailureReason::AccountClosed)
            ),
        ]
    );
}

#[test]
fn an_unknown_event_type_keeps_its_raw_json() {
    let data = json!([{"ref": "PB.8apq", "something_new": {"nested": [1, 2]}}]);
    let body = envelope("payout_batch.added", data.clone());
    let event = verifier_at(TS)
        .verify_event(&headers(&sign(SECRET, TS, &body)), &body)
        .unwrap();
    assert_eq!(event.object(), EventObject::Other("payout_batch".into()));
    assert_eq!(event.event_type, WebhookEventType::PayoutBatchAdded);
    let EventData::Unknown(raw) = &event.data else {
        panic!("expected raw data, got {:?}", event.data)
    };
    let kept: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
    assert_eq!(kept, data);

    // A type no document names at all is kept as a string, its data raw.
    let body = envelope("mandate.teleported", json!([]));
    let event = WebhookEvent::parse_unverified(&body).unwrap();
    assert_eq!(
        event.event_type,
        WebhookEventType::Unknown("mandate.teleported".into())
    );
    assert!(matches!(event.data, EventData::Unknown(_)));
    assert!(event.data.is_empty());
}

#[test]
fn each_documented_prefix_decodes_its_schema() {
    let agreement = json!({
        "ref": "A.2", "initiator_id": "i", "authoriser_id": "a", "contact_id": "c",
        "bank_account_id": "b", "status": "accepted", "status_reason": null,
        "responded_at": "2017-03-20T02:13:11Z", "created_at": "2017-03-20T00:53:27Z",
        "terms": {"per_payout": {"max_amount": 10000, "min_amount": 1},
                  "per_frequency": {"days": 7, "max_amount": 1000000}}
    });
    let event = WebhookEvent::parse_unverified(&envelope("agreement.accepted", json!([agreement])))
        .unwrap();
    assert!(matches!(&event.data, EventData::Agreements(a) if a[0].ref_ == "A.2"));

    let payment = json!({
        "ref": "PB.1", "your_bank_account_id": "b", "channels": ["direct_entry"],
        "payouts": []
    });
    let event =
        WebhookEvent::parse_unverified(&envelope("payment.added", json!([payment]))).unwrap();
    assert!(matches!(&event.data, EventData::Payments(p) if p[0].ref_ == "PB.1"));

    let body = envelope(
        "debit.cleared",
        json!([transaction("D.1", "cleared", None)]),
    );
    let event = WebhookEvent::parse_unverified(&body).unwrap();
    assert_eq!(event.object(), EventObject::Debit);
    assert!(event.object().is_transaction());
    assert!(matches!(&event.data, EventData::Transactions(t) if t.len() == 1));
}

#[test]
fn a_verified_body_of_the_wrong_shape_names_the_place() {
    let body = envelope("debit.cleared", json!([{"ref": "D.1"}]));
    let err = rejected(WebhookEvent::parse_unverified(&body));
    let WebhookError::Payload(message) = err else {
        panic!("expected a payload error, got {err:?}")
    };
    assert!(message.starts_with("data[0]"), "{message}");
    let err = rejected(WebhookEvent::parse_unverified(b"{\"event\": 1}"));
    assert!(matches!(err, WebhookError::Payload(_)));
}

#[test]
fn the_signature_is_checked_before_the_body_is_parsed() {
    // Not JSON at all, but signed wrongly: the answer is a signature mismatch, not a parse error.
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}"));
    assert_eq!(
        rejected(verifier_at(TS).verify_event(&h, b"<html>")),
        WebhookError::SignatureMismatch
    );
}
