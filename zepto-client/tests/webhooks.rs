//! Zepto webhooks: `Split-Signature` verification, table-driven rejections, typed events that
//! keep what they cannot type, and a randomized test over mutated deliveries.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use serde_json::json;
use splitkit_common::ManualClock;
use splitkit_common::webhook::testing::mutants;
use zepto_client::models::{TransactionFailureReason, TransactionStatus, WebhookEventType};
use zepto_client::webhook::{
    EventBody, EventData, EventObject, Key, Payload, SecretError, WebhookError, WebhookEvent,
    WebhookVerifier, ZeptoScheme, sign,
};

const SECRET: &str = "1234";
const TS: i64 = 1_514_772_000;
const BODY: &[u8] = b"full payload of the request";
const DOC_SIGNATURE: &str = "f04cb05adb985b29d84616fbf3868e8e58403ff819cdc47ad8fc47e6acbce29f";
const REQUEST_ID: &str = "07f4e8c1-846b-5ec0-8a25-24c3bc5582b5";

fn verifier_at(now: i64) -> WebhookVerifier {
    WebhookVerifier::new([SECRET])
        .unwrap()
        .clock(Arc::new(ManualClock::at(now)))
}

fn headers(signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("Split-Signature", signature.parse().unwrap());
    h.insert("Split-Request-ID", REQUEST_ID.parse().unwrap());
    h
}

fn typed(event: &WebhookEvent) -> &EventBody {
    match &event.payload {
        Payload::Typed(body) => body,
        Payload::Unrecognised(raw) => panic!("expected a typed event: {}", raw.error()),
    }
}

#[test]
fn the_documented_vector_passes() {
    let header = format!("{TS}.{DOC_SIGNATURE}");
    assert_eq!(sign(SECRET, TS, BODY), header);
    let event = verifier_at(TS).verify(&headers(&header), BODY).unwrap();
    assert_eq!(event.signed_at, Some(TS));
    assert_eq!(event.id, REQUEST_ID);
    assert_eq!(
        event.delivery_key().to_string(),
        format!("zepto:{REQUEST_ID}")
    );
    // Not a Zepto envelope, but signed: an event all the same, the bytes kept.
    assert_eq!(event.payload.unrecognised().unwrap().body(), BODY);
}

/// A name, the `Split-Signature` values, the body, the time of checking, the expected error.
type Case<'a> = (&'a str, Vec<String>, &'a [u8], i64, WebhookError);

#[test]
fn every_kind_of_bad_delivery_is_rejected_with_its_own_variant() {
    let good = format!("{TS}.{DOC_SIGNATURE}");
    let wrong = sign("rotated-away", TS, BODY);
    let wrong = wrong.split_once('.').unwrap().1;
    let nine = [wrong; 9].join(".");
    let huge = format!("{TS}.{}", "a".repeat(1024 * 1024));
    let mismatch = || WebhookError::SignatureMismatch;
    let malformed = |reason| WebhookError::MalformedHeader {
        header: "Split-Signature",
        reason,
    };
    let cases: Vec<Case> = vec![
        (
            "body changed by one byte",
            vec![good.clone()],
            b"full payload of the requesT",
            TS,
            mismatch(),
        ),
        (
            "stale",
            vec![good.clone()],
            BODY,
            TS + 301,
            WebhookError::TooOld {
                age_seconds: 301,
                tolerance_seconds: 300,
            },
        ),
        (
            "future",
            vec![good.clone()],
            BODY,
            TS - 301,
            WebhookError::TooNew {
                ahead_seconds: 301,
                tolerance_seconds: 300,
            },
        ),
        (
            "no header",
            vec![],
            BODY,
            TS,
            WebhookError::MissingHeader("Split-Signature"),
        ),
        (
            "empty header",
            vec!["".into()],
            BODY,
            TS,
            malformed("no timestamp before the first `.`"),
        ),
        (
            "timestamp only",
            vec!["1514772000".into()],
            BODY,
            TS,
            malformed("no 64-digit hex signature after the timestamp"),
        ),
        (
            "no timestamp",
            vec![format!(".{DOC_SIGNATURE}")],
            BODY,
            TS,
            malformed("no timestamp before the first `.`"),
        ),
        (
            "not hex",
            vec!["1514772000.nothex".into()],
            BODY,
            TS,
            malformed("no 64-digit hex signature after the timestamp"),
        ),
        (
            "timestamp not a number",
            vec![format!("15147720x0.{DOC_SIGNATURE}")],
            BODY,
            TS,
            malformed("timestamp is not a whole number of seconds"),
        ),
        (
            "another timestamp signed",
            vec![format!("{}.{DOC_SIGNATURE}", TS + 1)],
            BODY,
            TS,
            mismatch(),
        ),
        (
            "several signatures, none valid",
            vec![format!("{TS}.{wrong}.{wrong}")],
            BODY,
            TS,
            mismatch(),
        ),
        (
            "several headers, none valid",
            vec![format!("{TS}.{wrong}"), format!("{TS}.{wrong}")],
            BODY,
            TS,
            mismatch(),
        ),
        (
            "headers disagreeing on the time",
            vec![good.clone(), format!("{}.{wrong}", TS + 1)],
            BODY,
            TS,
            malformed("several headers with different timestamps"),
        ),
        (
            "nine signatures",
            vec![format!("{TS}.{nine}")],
            BODY,
            TS,
            WebhookError::TooManySignatures { limit: 8 },
        ),
        (
            "1 MiB header",
            vec![huge.clone()],
            BODY,
            TS,
            WebhookError::HeaderTooLarge {
                header: "Split-Signature",
                limit: 4096,
            },
        ),
        (
            "non-UTF-8 body, signature of another",
            vec![good.clone()],
            b"full payload of the reques\xff",
            TS,
            mismatch(),
        ),
    ];
    for (name, values, body, now, expected) in cases {
        let mut h = HeaderMap::new();
        for value in values {
            h.append("Split-Signature", HeaderValue::from_str(&value).unwrap());
        }
        assert_eq!(
            verifier_at(now).verify(&h, body).unwrap_err(),
            expected,
            "{name}"
        );
    }
    let other = WebhookVerifier::new(["4321"])
        .unwrap()
        .clock(Arc::new(ManualClock::at(TS)));
    assert_eq!(
        other.verify(&headers(&good), BODY).unwrap_err(),
        mismatch(),
        "wrong secret"
    );
    let mut big = BODY.to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    assert_eq!(
        verifier_at(TS)
            .verify(&headers(&sign(SECRET, TS, &big)), &big)
            .unwrap_err(),
        WebhookError::BodyTooLarge { limit: 1024 * 1024 }
    );
}

#[test]
fn an_empty_or_unset_secret_is_refused_when_building() {
    assert_eq!(
        WebhookVerifier::new([""]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    let unset = std::env::var("ZEPTO_TEST_SURELY_UNSET").unwrap_or_default();
    assert_eq!(
        WebhookVerifier::new([unset]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    assert_eq!(
        WebhookVerifier::new(Vec::<String>::new()).unwrap_err(),
        SecretError::NoSecret
    );
}

#[test]
fn valid_deliveries_pass_in_every_accepted_form() {
    let wrong = sign("rotated-away", TS, BODY);
    let wrong = wrong.split_once('.').unwrap().1;
    let forms: Vec<Vec<String>> = vec![
        vec![format!("{TS}.{DOC_SIGNATURE}")],
        vec![format!("{TS}.{}", DOC_SIGNATURE.to_uppercase())],
        vec![format!(" {TS}.{DOC_SIGNATURE} ")],
        vec![format!("{TS}.{wrong}.{DOC_SIGNATURE}")],
        vec![format!("{TS}.{DOC_SIGNATURE}.v2=something")],
        // Every Split-Signature header is read, not only the first.
        vec![format!("{TS}.{wrong}"), format!("{TS}.{DOC_SIGNATURE}")],
    ];
    for values in forms {
        let mut h = headers("0");
        h.remove("Split-Signature");
        for value in &values {
            h.append("Split-Signature", value.parse().unwrap());
        }
        assert!(verifier_at(TS).verify(&h, BODY).is_ok(), "{values:?}");
    }
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}"));
    assert!(verifier_at(TS + 300).verify(&h, BODY).is_ok());
    assert!(verifier_at(TS - 300).verify(&h, BODY).is_ok());
    let lenient = verifier_at(TS + 3600).tolerance(Duration::from_secs(3600));
    assert!(lenient.verify(&h, BODY).is_ok());
}

#[test]
fn a_rotated_secret_verifies_alongside_the_old_one() {
    let v = WebhookVerifier::new([
        Key::labelled("old-secret", "old"),
        Key::labelled(SECRET, "new"),
    ])
    .unwrap()
    .clock(Arc::new(ManualClock::at(TS)));
    let event = v
        .verify(&headers(&format!("{TS}.{DOC_SIGNATURE}")), BODY)
        .unwrap();
    assert_eq!(event.key_label, "new");
    let event = v
        .verify(&headers(&sign("old-secret", TS, BODY)), BODY)
        .unwrap();
    assert_eq!(event.key_label, "old");
}

#[test]
fn header_names_can_be_changed() {
    let mut h = HeaderMap::new();
    h.insert(
        "Zepto-Signature",
        format!("{TS}.{DOC_SIGNATURE}").parse().unwrap(),
    );
    h.insert("Zepto-Request-ID", "abc".parse().unwrap());
    let scheme = ZeptoScheme::default().header_names("Zepto-Signature", "Zepto-Request-ID");
    let v = WebhookVerifier::with_scheme(scheme, [SECRET])
        .unwrap()
        .clock(Arc::new(ManualClock::at(TS)));
    assert_eq!(v.verify(&h, BODY).unwrap().id, "abc");
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
    let verified = verifier_at(TS).verify(&h, &body).unwrap();
    assert_eq!(verified.id, "07f4e8c1-846b-5ec0-8a25-24c3bc5582b5");
    assert_eq!(verified.signed_at, Some(TS));
    let event = typed(&verified);
    assert!(event.unreadable.is_empty());
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
    let verified = verifier_at(TS)
        .verify(&headers(&sign(SECRET, TS, &body)), &body)
        .unwrap();
    let event = typed(&verified);
    assert_eq!(event.object(), EventObject::Other("payout_batch".into()));
    assert_eq!(event.event_type, WebhookEventType::PayoutBatchAdded);
    let EventData::Unknown(raw) = &event.data else {
        panic!("expected raw data, got {:?}", event.data)
    };
    let kept: Vec<serde_json::Value> = raw
        .iter()
        .map(|item| serde_json::from_str(item.get()).unwrap())
        .collect();
    assert_eq!(serde_json::Value::from(kept), data);

    // A type no document names at all is kept as a string, its data raw.
    let body = envelope("mandate.teleported", json!([]));
    let event = EventBody::decode(&body).unwrap();
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
    let event = EventBody::decode(&envelope("agreement.accepted", json!([agreement]))).unwrap();
    assert!(matches!(&event.data, EventData::Agreements(a) if a[0].ref_ == "A.2"));

    let payment = json!({
        "ref": "PB.1", "your_bank_account_id": "b", "channels": ["direct_entry"],
        "payouts": []
    });
    let event = EventBody::decode(&envelope("payment.added", json!([payment]))).unwrap();
    assert!(matches!(&event.data, EventData::Payments(p) if p[0].ref_ == "PB.1"));

    let body = envelope(
        "debit.cleared",
        json!([transaction("D.1", "cleared", None)]),
    );
    let event = EventBody::decode(&body).unwrap();
    assert_eq!(event.object(), EventObject::Debit);
    assert!(event.object().is_transaction());
    assert!(matches!(&event.data, EventData::Transactions(t) if t.len() == 1));
}

#[test]
fn items_that_do_not_decode_are_kept_and_the_others_typed() {
    // The shapes that lost events before: a number where a string belongs, an item that is
    // not an object at all.
    let body = envelope(
        "debit.cleared",
        json!([
            transaction("D.1", "cleared", None),
            "not a transaction",
            {"ref": {"nested": true}},
            transaction("D.4", "cleared", None),
        ]),
    );
    let event = verifier_at(TS)
        .verify(&headers(&sign(SECRET, TS, &body)), &body)
        .unwrap();
    let body = typed(&event);
    let EventData::Transactions(good) = &body.data else {
        panic!("{:?}", body.data)
    };
    assert_eq!(
        good.iter().map(|t| t.ref_.as_str()).collect::<Vec<_>>(),
        ["D.1", "D.4"]
    );
    let bad: Vec<_> = body
        .unreadable
        .iter()
        .map(|e| (e.index(), e.raw_json().get().to_owned()))
        .collect();
    assert_eq!(
        bad,
        [
            (1, "\"not a transaction\"".to_owned()),
            (2, r#"{"ref":{"nested":true}}"#.to_owned())
        ]
    );
}

#[test]
fn a_verified_body_that_is_not_an_event_is_kept_raw() {
    for body in [
        b"<html>".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        br#"{"event": 1}"#.to_vec(),
        br#"{"event": {"type": "debit.cleared"}, "data": 5}"#.to_vec(),
    ] {
        let event = verifier_at(TS)
            .verify(&headers(&sign(SECRET, TS, &body)), &body)
            .unwrap();
        let raw = event
            .payload
            .unrecognised()
            .expect("an unrecognised payload");
        assert_eq!(raw.body(), body.as_slice());
        assert!(!raw.error().to_string().is_empty());
        assert_eq!(event.id, REQUEST_ID);
    }
    // A single object where a list belongs is read as a list of one.
    let body = envelope("debit.cleared", transaction("D.9", "cleared", None));
    assert_eq!(EventBody::decode(&body).unwrap().data.len(), 1);
}

#[test]
fn the_signature_is_checked_before_the_body_is_parsed() {
    let h = headers(&format!("{TS}.{DOC_SIGNATURE}"));
    assert_eq!(
        verifier_at(TS).verify(&h, b"<html>").unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn mutated_deliveries_never_panic_and_never_pass_with_another_body() {
    let body = envelope(
        "debit.cleared",
        json!([transaction("D.1", "cleared", None)]),
    );
    let h = headers(&sign(SECRET, TS, &body));
    let v = verifier_at(TS);
    for mutant in mutants(10, &h, &body, 4000) {
        if let Ok(event) = v.verify(&mutant.headers, &mutant.body) {
            assert!(!mutant.body_changed, "{mutant:?}");
            assert_eq!(&event.body[..], body.as_slice());
        }
    }
}

/// `Split-Request-ID` is not signed: a captured delivery replayed within the tolerance under a
/// new id is still recognised by its signed body, and Zepto's own retry by its id.
#[tokio::test]
async fn the_inbox_answers_a_replay_under_a_new_request_id_as_a_duplicate() {
    use splitkit_common::webhook::{Outcome, Receipt};
    use zepto_client::WebhookInbox;

    let body = envelope(
        "credit.cleared",
        json!([transaction("C.1", "cleared", None)]),
    );
    let inbox = WebhookInbox::new(verifier_at(TS + 10));
    let handled = std::sync::Mutex::new(Vec::new());
    let handler = |event: WebhookEvent| {
        handled.lock().unwrap().push(event.id.clone());
        async { Ok::<_, splitkit_common::BoxError>(()) }
    };
    let delivery = headers(&sign(SECRET, TS, &body));
    let first: Receipt = inbox.receive(&delivery, &body, handler).await;
    assert!(matches!(first.outcome(), Outcome::Handled { .. }));

    let mut replay = delivery.clone();
    replay.insert(
        "Split-Request-ID",
        HeaderValue::from_static("d3b07384-d9a0-4c9b-8e0e-7f4a1c2b3d4e"),
    );
    let answer = inbox.receive(&replay, &body, handler).await;
    assert_eq!(answer.status(), http::StatusCode::OK);
    assert!(matches!(answer.outcome(), Outcome::Duplicate { .. }));

    let retry = headers(&sign(SECRET, TS + 5, &body));
    let answer = inbox.receive(&retry, &body, handler).await;
    assert!(matches!(answer.outcome(), Outcome::Duplicate { id } if id == REQUEST_ID));

    assert_eq!(*handled.lock().unwrap(), [REQUEST_ID]);
}
