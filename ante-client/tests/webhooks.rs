//! Webhook verification vectors (good and bad) and typed events.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use ante_client::{
    EventData, SignatureHeader, SignatureScheme, SigningSecret, TimestampedV1, WebhookError,
    WebhookEventType, WebhookSecret, WebhookSource, WebhookVerifier,
};
use http::{HeaderMap, HeaderValue};
use splitkit_common::ManualClock;

const WHSEC: &str = "whsec_0a1b2c3d4e5f6a7b8c9d";
const SIGN: &str = "ante_sign_5e6f7a8b9c0d1e2f";
const NOW: i64 = 1_719_234_600;

const FUNDED: &str = r#"{"id":"evt_1719234567890","type":"group.funded","created_at":"2024-06-24T13:09:27.890Z","data":{"session_id":"j57abc","group_id":"j57grp","transfer_id":"tr_123","total":12500,"merchant_fee":251,"order_ref":"ORD-1042","checkout_currency":"eur","payout_currency_preference":"usd","fx_fee_cents":245,"merchant_transfer_cents":12004}}"#;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(WebhookSecret::parse(WHSEC).unwrap())
        .with_secret(SigningSecret::parse(SIGN).unwrap())
        .clock(Arc::new(ManualClock::at(NOW)))
}

fn headers(name: &'static str, value: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(name, HeaderValue::from_str(value).unwrap());
    h
}

/// The header Ante would send, computed by hand (independently of `TimestampedV1::sign`).
fn ante_header(secret: &str, t: i64, body: &str) -> String {
    let mac = splitkit_common::webhook::sign(secret, &[format!("{t}.{body}").as_bytes()]);
    format!("t={t},v1={mac}")
}

#[test]
fn the_default_scheme_signs_t_dot_body_with_the_full_secret() {
    assert_eq!(
        TimestampedV1.sign(WHSEC, NOW, FUNDED.as_bytes()),
        ante_header(WHSEC, NOW, FUNDED)
    );
    // A fixed vector, to catch a change of the message layout.
    assert_eq!(
        TimestampedV1.sign("whsec_test_secret", 1_700_000_000, b"{}"),
        format!(
            "t=1700000000,v1={}",
            splitkit_common::webhook::sign("whsec_test_secret", &[b"1700000000.{}"])
        )
    );
}

#[test]
fn a_dashboard_delivery_verifies_and_decodes_group_funded_with_fx_fields() {
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, FUNDED));
    let event = verifier().verify(&h, FUNDED.as_bytes()).unwrap();
    assert_eq!(event.id, "evt_1719234567890");
    assert_eq!(event.event_type, WebhookEventType::GroupFunded);
    assert_eq!(event.source, WebhookSource::Endpoint);
    assert_eq!(
        event.created_at.map(|t| t.unix_seconds()),
        Some(1_719_234_567)
    );
    assert_eq!(event.session_id(), Some("j57abc"));
    assert_eq!(event.order_ref(), Some("ORD-1042"));
    let EventData::GroupFunded(funded) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(funded.group_id.as_deref(), Some("j57grp"));
    assert_eq!(funded.transfer_id.as_deref(), Some("tr_123"));
    assert_eq!(funded.total, Some(12500));
    assert_eq!(funded.merchant_fee, Some(251));
    assert_eq!(funded.checkout_currency.as_deref(), Some("eur"));
    assert_eq!(funded.payout_currency_preference.as_deref(), Some("usd"));
    assert_eq!(funded.fx_fee_cents, Some(245));
    assert_eq!(funded.merchant_transfer_cents, Some(12004));
    assert_eq!(funded.sandbox_payout_skipped, None);
    assert_eq!(event.raw_data["fx_fee_cents"], 245);
}

#[test]
fn a_per_session_delivery_verifies_with_the_signing_secret() {
    let body = r#"{"id":"evt_2","type":"group.funded","data":{"session_id":"j57abc","transfer_id":"none","total":1000,"merchant_fee":20,"order_ref":"ORD-9","sandbox_payout_skipped":true}}"#;
    let h = headers("Ante-Signature", &ante_header(SIGN, NOW, body));
    let event = verifier().verify(&h, body.as_bytes()).unwrap();
    assert_eq!(event.source, WebhookSource::Session);
    let EventData::GroupFunded(funded) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(funded.sandbox_payout_skipped, Some(true));
    assert_eq!(funded.transfer_id.as_deref(), Some("none"));
    assert_eq!(funded.fx_fee_cents, None);

    // A verifier with only the dashboard secret refuses it: the most common production bug.
    let only_whsec = WebhookVerifier::new(WebhookSecret::parse(WHSEC).unwrap())
        .clock(Arc::new(ManualClock::at(NOW)));
    assert_eq!(
        only_whsec.verify(&h, body.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn the_plurel_header_is_an_alias() {
    let h = headers("Plurel-Signature", &ante_header(WHSEC, NOW, FUNDED));
    assert_eq!(
        verifier().verify_signature(&h, FUNDED.as_bytes()).unwrap(),
        WebhookSource::Endpoint
    );
    // Both present, one of them stale garbage: the good one wins.
    let mut both = headers("Ante-Signature", "t=1,v1=00");
    both.insert(
        "Plurel-Signature",
        HeaderValue::from_str(&ante_header(WHSEC, NOW, FUNDED)).unwrap(),
    );
    assert!(verifier().verify(&both, FUNDED.as_bytes()).is_ok());
}

#[test]
fn any_of_several_v1_signatures_may_match() {
    let good = ante_header(WHSEC, NOW, FUNDED);
    let mac = good.split("v1=").nth(1).unwrap();
    let value = format!("t={NOW}, v1={}, v1={mac}, v0=ignored", "00".repeat(32));
    let h = headers("Ante-Signature", &value);
    assert!(verifier().verify(&h, FUNDED.as_bytes()).is_ok());
}

#[test]
fn changed_bodies_and_wrong_secrets_are_refused() {
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, FUNDED));
    let changed = FUNDED.replace("12500", "12501");
    assert_eq!(
        verifier().verify(&h, changed.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
    let trailing = format!("{FUNDED}\n");
    assert_eq!(
        verifier().verify(&h, trailing.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
    let wrong = headers(
        "Ante-Signature",
        &ante_header("whsec_another_secret_value", NOW, FUNDED),
    );
    assert_eq!(
        verifier().verify(&wrong, FUNDED.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
    // The secret without its prefix is a different key.
    let unprefixed = headers(
        "Ante-Signature",
        &ante_header(WHSEC.trim_start_matches("whsec_"), NOW, FUNDED),
    );
    assert_eq!(
        verifier()
            .verify(&unprefixed, FUNDED.as_bytes())
            .unwrap_err(),
        WebhookError::SignatureMismatch
    );
    // A changed timestamp breaks the signature.
    let good = ante_header(WHSEC, NOW, FUNDED);
    let moved = good.replace(&format!("t={NOW}"), &format!("t={}", NOW + 1));
    assert_eq!(
        verifier()
            .verify(&headers("Ante-Signature", &moved), FUNDED.as_bytes())
            .unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn stale_and_future_timestamps_are_refused() {
    let v = verifier();
    for (t, ok) in [
        (NOW - 300, true),
        (NOW + 300, true),
        (NOW - 301, false),
        (NOW + 301, false),
    ] {
        let h = headers("Ante-Signature", &ante_header(WHSEC, t, FUNDED));
        let result = v.verify(&h, FUNDED.as_bytes());
        assert_eq!(result.is_ok(), ok, "t = now {:+}: {result:?}", t - NOW);
    }
    let old = headers("Ante-Signature", &ante_header(WHSEC, NOW - 301, FUNDED));
    assert!(matches!(
        v.verify(&old, FUNDED.as_bytes()),
        Err(WebhookError::TooOld {
            age_seconds: 301,
            tolerance_seconds: 300
        })
    ));
    let future = headers("Ante-Signature", &ante_header(WHSEC, NOW + 301, FUNDED));
    assert!(matches!(
        v.verify(&future, FUNDED.as_bytes()),
        Err(WebhookError::TooNew {
            ahead_seconds: 301,
            ..
        })
    ));
    // A wider tolerance accepts it.
    let lenient = verifier().tolerance(Duration::from_secs(600));
    assert!(lenient.verify(&old, FUNDED.as_bytes()).is_ok());
}

#[test]
fn malformed_and_missing_headers_are_refused() {
    let v = verifier();
    assert_eq!(
        v.verify(&HeaderMap::new(), FUNDED.as_bytes()).unwrap_err(),
        WebhookError::MissingHeader("Ante-Signature")
    );
    let mac = splitkit_common::webhook::sign(WHSEC, &[FUNDED.as_bytes()]);
    for (value, reason) in [
        (format!("v1={mac}"), "no timestamp"),
        (format!("t={NOW}"), "no `v1=<hex>` signature"),
        (format!("t=soon,v1={mac}"), "not a whole number"),
        (format!("t={NOW}.5,v1={mac}"), "not a whole number"),
        (format!("t={NOW},t={NOW},v1={mac}"), "more than one `t`"),
        (mac.clone(), "expected `t=<unix seconds>,v1=<hex>`"),
        ("garbage".to_owned(), "expected"),
    ] {
        let err = v
            .verify(&headers("Ante-Signature", &value), FUNDED.as_bytes())
            .unwrap_err();
        match &err {
            WebhookError::MalformedHeader { header, reason: r } => {
                assert_eq!(*header, "Ante-Signature");
                assert!(r.contains(reason), "{value}: {r}");
            }
            other => panic!("{value}: expected MalformedHeader, got {other:?}"),
        }
    }
    // Not hex: no match.
    let h = headers("Ante-Signature", &format!("t={NOW},v1=zz"));
    assert_eq!(
        v.verify(&h, FUNDED.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
    // A header value that is not visible ASCII.
    let mut h = HeaderMap::new();
    h.insert(
        "Ante-Signature",
        HeaderValue::from_bytes(b"t=1,v1=\xff").unwrap(),
    );
    assert!(matches!(
        v.verify(&h, FUNDED.as_bytes()),
        Err(WebhookError::MalformedHeader { .. })
    ));
}

#[test]
fn the_signature_is_checked_before_the_body_is_read() {
    let v = verifier();
    let not_json = "not json";
    let bad = headers(
        "Ante-Signature",
        &ante_header("whsec_wrong_wrong_wrong", NOW, not_json),
    );
    assert_eq!(
        v.verify(&bad, not_json.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
    let good = headers("Ante-Signature", &ante_header(WHSEC, NOW, not_json));
    assert!(matches!(
        v.verify(&good, not_json.as_bytes()),
        Err(WebhookError::Payload(_))
    ));
    // A known type whose data has the wrong shape (minor units with a fraction; `"12500"` would
    // be read, numbers as strings are tolerated).
    let body = r#"{"id":"evt_3","type":"group.funded","data":{"session_id":"s","total":125.5}}"#;
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, body));
    let err = v.verify(&h, body.as_bytes()).unwrap_err();
    assert!(
        matches!(&err, WebhookError::Payload(m) if m.contains("group.funded")),
        "{err:?}"
    );
}

fn verified(body: &str) -> ante_client::WebhookEvent {
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, body));
    verifier().verify(&h, body.as_bytes()).unwrap()
}

#[test]
fn every_documented_event_type_decodes() {
    let created = verified(
        r#"{"id":"evt_1","type":"group.created","created_at":"2025-06-24T14:30:00.000Z","data":{"session_id":"j57abc","group_id":"j57grp","order_ref":"ORD-1042","expiry_at":"2025-06-26T12:00:00.000Z"}}"#,
    );
    let EventData::GroupCreated(d) = &created.data else {
        panic!("{:?}", created.data)
    };
    assert_eq!(d.group_id.as_deref(), Some("j57grp"));
    assert_eq!(d.expiry_at.map(|t| t.unix_seconds()), Some(1_750_939_200));
    assert_eq!(created.order_ref(), Some("ORD-1042"));

    let expired = verified(
        r#"{"id":"evt_2","type":"group.expired","data":{"session_id":"j57abc","group_id":"j57grp","order_ref":"ORD-1042","refunded":true,"reason":"expired"}}"#,
    );
    let EventData::GroupExpired(d) = &expired.data else {
        panic!("{:?}", expired.data)
    };
    assert_eq!(
        (d.refunded, d.reason.as_deref()),
        (Some(true), Some("expired"))
    );

    let cancelled = verified(
        r#"{"id":"evt_3","type":"group.cancelled","data":{"session_id":"j57abc","order_ref":null,"refunded":true,"reason":"cancelled"}}"#,
    );
    let EventData::GroupCancelled(d) = &cancelled.data else {
        panic!("{:?}", cancelled.data)
    };
    assert_eq!(d.reason.as_deref(), Some("cancelled"));
    assert_eq!(cancelled.order_ref(), None);
    assert_eq!(cancelled.session_id(), Some("j57abc"));
}

#[test]
fn unknown_event_types_are_kept_raw() {
    let event = verified(
        r#"{"id":"evt_9","type":"member.paid","data":{"session_id":"j57abc","member_id":"m1","amount_cents":3000}}"#,
    );
    assert_eq!(
        event.event_type,
        WebhookEventType::Unknown("member.paid".into())
    );
    let EventData::Unknown(raw) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(raw["amount_cents"], 3000);
    assert_eq!(event.session_id(), Some("j57abc"));
    assert_eq!(event.id, "evt_9");
}

/// A scheme Ante might use instead: `sha256=<hex>` over the body alone, no timestamp.
#[derive(Debug)]
struct BodyOnly;

impl SignatureScheme for BodyOnly {
    fn parse(&self, header: &'static str, value: &str) -> Result<SignatureHeader, WebhookError> {
        let hex = value
            .strip_prefix("sha256=")
            .ok_or(WebhookError::MalformedHeader {
                header,
                reason: "expected sha256=<hex>".into(),
            })?;
        Ok(SignatureHeader {
            timestamp: None,
            timestamp_text: String::new(),
            signatures: vec![hex.to_owned()],
        })
    }

    fn signed_payload<'a>(&self, _header: &'a SignatureHeader, body: &'a [u8]) -> Vec<&'a [u8]> {
        vec![body]
    }

    fn key<'a>(&self, secret: &'a str) -> &'a str {
        secret.strip_prefix("whsec_").unwrap_or(secret)
    }

    fn sign(&self, secret: &str, _timestamp: i64, body: &[u8]) -> String {
        format!(
            "sha256={}",
            splitkit_common::webhook::sign(self.key(secret), &[body])
        )
    }
}

#[test]
fn the_scheme_can_be_replaced() {
    let v = verifier()
        .scheme(Arc::new(BodyOnly))
        .header_names(&["X-Ante-Webhook-Signature"]);
    let value = BodyOnly.sign(WHSEC, 0, FUNDED.as_bytes());
    assert_eq!(
        value,
        format!(
            "sha256={}",
            splitkit_common::webhook::sign("0a1b2c3d4e5f6a7b8c9d", &[FUNDED.as_bytes()])
        )
    );
    let h = headers("X-Ante-Webhook-Signature", &value);
    let event = v.verify(&h, FUNDED.as_bytes()).unwrap();
    assert_eq!(event.id, "evt_1719234567890");
    // The default header is no longer read.
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, FUNDED));
    assert_eq!(
        v.verify(&h, FUNDED.as_bytes()).unwrap_err(),
        WebhookError::MissingHeader("X-Ante-Webhook-Signature")
    );
}

#[test]
fn debug_shows_no_secret() {
    let shown = format!("{:?}", verifier());
    assert!(
        !shown.contains("0a1b2c3d") && !shown.contains("5e6f7a8b"),
        "{shown}"
    );
}
