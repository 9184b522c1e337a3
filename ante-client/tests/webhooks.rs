//! Webhook verification vectors (good and bad) and typed events.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use ante_client::webhook::{
    AnteScheme, Candidates, EventBody, Key, Payload, SecretError, WebhookError, WebhookEvent,
};
use ante_client::{
    EventData, SignatureScheme, SigningSecret, TimestampedV1, WebhookEventType, WebhookSecret,
    WebhookSource, WebhookVerifier,
};
use http::{HeaderMap, HeaderValue};
use splitkit_common::ManualClock;
use splitkit_common::webhook::testing::mutants;

const WHSEC: &str = "whsec_0a1b2c3d4e5f6a7b8c9d";
const SIGN: &str = "ante_sign_5e6f7a8b9c0d1e2f";
const NOW: i64 = 1_719_234_600;

const FUNDED: &str = r#"{"id":"evt_1719234567890","type":"group.funded","created_at":"2024-06-24T13:09:27.890Z","data":{"session_id":"j57abc","group_id":"j57grp","transfer_id":"tr_123","total":12500,"merchant_fee":251,"order_ref":"ORD-1042","checkout_currency":"eur","payout_currency_preference":"usd","fx_fee_cents":245,"merchant_transfer_cents":12004}}"#;

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new([
        Key::from(WebhookSecret::parse(WHSEC).unwrap()),
        Key::from(SigningSecret::parse(SIGN).unwrap()),
    ])
    .unwrap()
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

fn typed(event: &WebhookEvent) -> &EventBody {
    match &event.payload {
        Payload::Typed(body) => body,
        Payload::Unrecognised(raw) => panic!("expected a typed event: {}", raw.error()),
    }
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
    let verified = verifier().verify(&h, FUNDED.as_bytes()).unwrap();
    assert_eq!(verified.id, "evt_1719234567890");
    assert_eq!(verified.signed_at, Some(NOW));
    assert_eq!(WebhookSource::of(&verified), Some(WebhookSource::Endpoint));
    let event = typed(&verified);
    assert_eq!(event.event_type, WebhookEventType::GroupFunded);
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
    let verified = verifier().verify(&h, body.as_bytes()).unwrap();
    assert_eq!(WebhookSource::of(&verified), Some(WebhookSource::Session));
    let event = typed(&verified);
    let EventData::GroupFunded(funded) = &event.data else {
        panic!("{:?}", event.data)
    };
    assert_eq!(funded.sandbox_payout_skipped, Some(true));
    assert_eq!(funded.transfer_id.as_deref(), Some("none"));
    assert_eq!(funded.fx_fee_cents, None);

    // A verifier with only the dashboard secret refuses it: the most common production bug.
    let only_whsec = WebhookVerifier::new([Key::from(WebhookSecret::parse(WHSEC).unwrap())])
        .unwrap()
        .clock(Arc::new(ManualClock::at(NOW)));
    assert_eq!(
        only_whsec.verify(&h, body.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

/// A name, the header values (each under its header name), the body, the time of checking,
/// the expected error.
type Case<'a> = (
    &'a str,
    Vec<(&'static str, String)>,
    String,
    i64,
    WebhookError,
);

#[test]
fn every_kind_of_bad_delivery_is_rejected_with_its_own_variant() {
    let good = ante_header(WHSEC, NOW, FUNDED);
    let (t, v1) = good.split_once(",v1=").unwrap();
    let wrong = "ab".repeat(32);
    let sig = |value: String| ("Ante-Signature", value);
    let malformed = |reason| WebhookError::MalformedHeader {
        header: "Ante-Signature",
        reason,
    };
    let mut one_byte = FUNDED.to_owned();
    one_byte.replace_range(10..11, "X");
    let cases: Vec<Case> = vec![
        (
            "body changed by one byte",
            vec![sig(good.clone())],
            one_byte,
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "stale",
            vec![sig(good.clone())],
            FUNDED.into(),
            NOW + 301,
            WebhookError::TooOld {
                age_seconds: 301,
                tolerance_seconds: 300,
            },
        ),
        (
            "future",
            vec![sig(good.clone())],
            FUNDED.into(),
            NOW - 301,
            WebhookError::TooNew {
                ahead_seconds: 301,
                tolerance_seconds: 300,
            },
        ),
        (
            "another timestamp signed",
            vec![sig(format!("t={},v1={v1}", NOW + 1))],
            FUNDED.into(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "no header",
            vec![],
            FUNDED.into(),
            NOW,
            WebhookError::MissingHeader("Ante-Signature"),
        ),
        (
            "empty header",
            vec![sig(String::new())],
            FUNDED.into(),
            NOW,
            malformed("no timestamp (`t=<unix seconds>`)"),
        ),
        (
            "no timestamp",
            vec![sig(format!("v1={v1}"))],
            FUNDED.into(),
            NOW,
            malformed("no timestamp (`t=<unix seconds>`)"),
        ),
        (
            "no signature",
            vec![sig(t.to_owned())],
            FUNDED.into(),
            NOW,
            malformed("no `v1=<hex>` signature"),
        ),
        (
            "two timestamps",
            vec![sig(format!("{t},{t},v1={v1}"))],
            FUNDED.into(),
            NOW,
            malformed("more than one `t`"),
        ),
        (
            "not key=value",
            vec![sig(format!("{t},{v1}"))],
            FUNDED.into(),
            NOW,
            malformed("expected `t=<unix seconds>,v1=<hex>`"),
        ),
        (
            "timestamp not a number",
            vec![sig(format!("t=soon,v1={v1}"))],
            FUNDED.into(),
            NOW,
            malformed("timestamp is not a whole number of seconds"),
        ),
        (
            "several signatures, none valid",
            vec![sig(format!("{t},v1={wrong},v1=00ff"))],
            FUNDED.into(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "several headers, none valid",
            vec![
                sig(format!("{t},v1={wrong}")),
                ("Plurel-Signature", format!("{t},v1={wrong}")),
            ],
            FUNDED.into(),
            NOW,
            WebhookError::SignatureMismatch,
        ),
        (
            "headers disagreeing on the time",
            vec![
                sig(good.clone()),
                ("Plurel-Signature", format!("t={},v1={wrong}", NOW + 1)),
            ],
            FUNDED.into(),
            NOW,
            WebhookError::MalformedHeader {
                header: "Plurel-Signature",
                reason: "several signature headers with different timestamps",
            },
        ),
        (
            "nine signatures",
            vec![sig(format!(
                "{t},{}",
                vec![format!("v1={wrong}"); 9].join(",")
            ))],
            FUNDED.into(),
            NOW,
            WebhookError::TooManySignatures { limit: 8 },
        ),
        (
            "1 MiB header",
            vec![sig(format!("{t},v1={}", "0".repeat(1 << 20)))],
            FUNDED.into(),
            NOW,
            WebhookError::HeaderTooLarge {
                header: "Ante-Signature",
                limit: 4096,
            },
        ),
        (
            "body over 1 MiB",
            vec![sig(good.clone())],
            " ".repeat((1 << 20) + 1),
            NOW,
            WebhookError::BodyTooLarge { limit: 1 << 20 },
        ),
    ];
    for (name, values, body, now, expected) in cases {
        let mut h = HeaderMap::new();
        for (header, value) in values {
            h.append(header, HeaderValue::from_str(&value).unwrap());
        }
        let v = verifier().clock(Arc::new(ManualClock::at(now)));
        assert_eq!(
            v.verify(&h, body.as_bytes()).unwrap_err(),
            expected,
            "{name}"
        );
    }
    // A body that is not UTF-8, signed as the funded event was: refused.
    let h = headers("Ante-Signature", &good);
    let mut not_utf8 = FUNDED.as_bytes().to_vec();
    not_utf8[5] = 0xff;
    assert_eq!(
        verifier().verify(&h, &not_utf8).unwrap_err(),
        WebhookError::SignatureMismatch
    );
    // A wrong secret of the right kind.
    let other = ante_header("whsec_another_another_anot", NOW, FUNDED);
    assert_eq!(
        verifier()
            .verify(&headers("Ante-Signature", &other), FUNDED.as_bytes())
            .unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

#[test]
fn valid_deliveries_pass_in_every_accepted_form() {
    let good = ante_header(WHSEC, NOW, FUNDED);
    let (t, v1) = good.split_once(",v1=").unwrap();
    let wrong = "ab".repeat(32);
    for values in [
        vec![("Ante-Signature", good.clone())],
        vec![("Plurel-Signature", good.clone())],
        vec![(
            "Ante-Signature",
            format!(" {t} , v1={wrong} , v1={} , v2=x ", v1.to_uppercase()),
        )],
        vec![
            ("Ante-Signature", format!("{t},v1={wrong}")),
            ("Ante-Signature", good.clone()),
        ],
        vec![
            ("Plurel-Signature", format!("{t},v1={wrong}")),
            ("Ante-Signature", good.clone()),
        ],
    ] {
        let mut h = HeaderMap::new();
        for (name, value) in &values {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        assert!(
            verifier().verify(&h, FUNDED.as_bytes()).is_ok(),
            "{values:?}"
        );
    }
    for edge in [NOW - 300, NOW + 300] {
        let v = verifier().clock(Arc::new(ManualClock::at(edge)));
        assert!(
            v.verify(&headers("Ante-Signature", &good), FUNDED.as_bytes())
                .is_ok()
        );
    }
    let lenient = verifier()
        .clock(Arc::new(ManualClock::at(NOW + 3600)))
        .tolerance(Duration::from_secs(3600));
    assert!(
        lenient
            .verify(&headers("Ante-Signature", &good), FUNDED.as_bytes())
            .is_ok()
    );
}

#[test]
fn empty_secrets_are_refused_and_rotated_ones_accepted() {
    assert_eq!(
        WebhookVerifier::new([""]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    assert_eq!(
        WebhookVerifier::new(Vec::<Key>::new()).unwrap_err(),
        SecretError::NoSecret
    );
    let rotated = WebhookVerifier::new([
        Key::from(WebhookSecret::parse("whsec_the_old_one_0123456").unwrap()),
        Key::from(WebhookSecret::parse(WHSEC).unwrap()),
    ])
    .unwrap()
    .clock(Arc::new(ManualClock::at(NOW)));
    let old = ante_header("whsec_the_old_one_0123456", NOW, FUNDED);
    let event = rotated
        .verify(&headers("Ante-Signature", &old), FUNDED.as_bytes())
        .unwrap();
    assert_eq!(
        (event.key_index, WebhookSource::of(&event)),
        (0, Some(WebhookSource::Endpoint))
    );
}

#[test]
fn a_verified_body_that_does_not_decode_is_kept_raw() {
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
    let event = v.verify(&good, not_json.as_bytes()).unwrap();
    assert_eq!(event.payload.unrecognised().unwrap().text(), Some(not_json));
    assert!(event.id.starts_with("body-sha256:"));
    // A known type whose data has the wrong shape: kept, with its id and where it failed.
    let body =
        r#"{"id":"evt_3","type":"group.funded","data":{"session_id":"s","total":{"cents":1}}}"#;
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, body));
    let event = v.verify(&h, body.as_bytes()).unwrap();
    assert_eq!(event.id, "evt_3");
    let raw = event.payload.unrecognised().unwrap();
    assert_eq!(raw.error().path(), "data.total");
    assert_eq!(raw.to_value().unwrap()["data"]["session_id"], "s");
    assert_eq!(
        EventBody::decode(body.as_bytes()).unwrap_err().path(),
        "data.total"
    );
}

#[test]
fn mutated_deliveries_never_panic_and_never_pass_with_another_body() {
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, FUNDED));
    let v = verifier();
    for mutant in mutants(3, &h, FUNDED.as_bytes(), 4000) {
        if let Ok(event) = v.verify(&mutant.headers, &mutant.body) {
            assert!(!mutant.body_changed, "{mutant:?}");
            assert_eq!(event.id, "evt_1719234567890");
        }
    }
}

fn verified(body: &str) -> EventBody {
    let h = headers("Ante-Signature", &ante_header(WHSEC, NOW, body));
    typed(&verifier().verify(&h, body.as_bytes()).unwrap()).clone()
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
}

/// A scheme Ante might use instead: `sha256=<hex>` over the body alone, no timestamp, keyed
/// without the `whsec_` prefix.
#[derive(Debug)]
struct BodyOnly;

impl SignatureScheme for BodyOnly {
    fn parse<'v>(
        &self,
        header: &'static str,
        value: &'v str,
        candidates: &mut Candidates,
    ) -> Result<Option<&'v str>, WebhookError> {
        let hex = value
            .strip_prefix("sha256=")
            .ok_or(WebhookError::MalformedHeader {
                header,
                reason: "expected sha256=<hex>",
            })?;
        candidates.push_hex(hex)?;
        Ok(None)
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
    let scheme = AnteScheme::default()
        .format(Arc::new(BodyOnly))
        .header_names(&["X-Ante-Webhook-Signature"]);
    let v = WebhookVerifier::with_scheme(scheme, [Key::from(WebhookSecret::parse(WHSEC).unwrap())])
        .unwrap();
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
    assert_eq!(
        (event.id.as_str(), event.signed_at),
        ("evt_1719234567890", None)
    );
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
