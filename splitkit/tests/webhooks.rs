//! Webhook edges the emulator does not send: a verified body the SDK cannot read is an
//! `Unrecognised` event (never an error), an unknown event type is `Other` with what it names,
//! and a forged delivery is an error.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderValue};
use splitkit::{
    AnteProvider, Error, EventKind, FairShareProvider, SplitProvider, SplitableProvider,
    ZeptoProvider,
};
use splitkit_common::WebhookError;
use splitkit_common::webhook::sign;

const ANTE_SECRET: &str = "ante_sign_0123456789abcdef";
const FAIRSHARE_KEY: &str = "fairshare-signing-key";
const SPLITABLE_SECRET: &str = "splitable-secret";
const ZEPTO_SECRET: &str = "zepto-secret";

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn header(headers: &mut HeaderMap, name: &'static str, value: String) {
    headers.insert(name, HeaderValue::from_str(&value).unwrap());
}

struct Signed {
    provider: Arc<dyn SplitProvider>,
    sign: fn(&str, &[u8]) -> HeaderMap,
}

fn ante() -> Signed {
    let client = ante_client::Client::builder(
        ante_client::SecretKey::parse("ante_sk_test_0123456789abcdefghij").unwrap(),
    )
    .signing_secret(ante_client::SigningSecret::parse(ANTE_SECRET).unwrap())
    .build()
    .unwrap();
    let verifier = ante_client::WebhookVerifier::new([ANTE_SECRET]).unwrap();
    Signed {
        provider: Arc::new(AnteProvider::new(client).webhooks(verifier)),
        sign: |secret, body| {
            let t = now().to_string();
            let mut headers = HeaderMap::new();
            let mac = sign(secret, &[t.as_bytes(), b".", body]);
            header(&mut headers, "Ante-Signature", format!("t={t},v1={mac}"));
            headers
        },
    }
}

fn fairshare() -> Signed {
    let client = fairshare_client::Client::builder("key").build().unwrap();
    let verifier = fairshare_client::WebhookVerifier::new([FAIRSHARE_KEY]).unwrap();
    Signed {
        provider: Arc::new(FairShareProvider::new(client).webhooks(verifier)),
        sign: |secret, body| fairshare_client::webhook::signature_headers(secret, now(), body),
    }
}

fn zepto() -> Signed {
    let client = zepto_client::Client::builder(zepto_client::Environment::Sandbox)
        .personal_access_token("token")
        .build()
        .unwrap();
    let verifier = zepto_client::WebhookVerifier::new([ZEPTO_SECRET]).unwrap();
    Signed {
        provider: Arc::new(ZeptoProvider::new(client).webhooks(verifier)),
        sign: |secret, body| {
            let t = now().to_string();
            let mut headers = HeaderMap::new();
            let mac = sign(secret, &[t.as_bytes(), b".", body]);
            header(&mut headers, "Split-Signature", format!("{t}.{mac}"));
            header(&mut headers, "Split-Request-ID", "req-1".into());
            headers
        },
    }
}

fn splitable() -> Arc<dyn SplitProvider> {
    let client = splitable_client::Client::builder("92746e4d66cb8993")
        .build()
        .unwrap();
    let verifier = splitable_client::WebhookVerifier::new([SPLITABLE_SECRET]).unwrap();
    Arc::new(SplitableProvider::new(client).webhooks(verifier))
}

fn form_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    header(
        &mut headers,
        "content-type",
        "application/x-www-form-urlencoded".into(),
    );
    headers
}

#[test]
fn a_verified_body_the_sdk_cannot_read_is_an_unrecognised_event() {
    let cases = [
        (ante(), ANTE_SECRET),
        (fairshare(), FAIRSHARE_KEY),
        (zepto(), ZEPTO_SECRET),
    ];
    for (signed, secret) in cases {
        let body = br#"{"this": "is not an event"}"#;
        let event = signed
            .provider
            .parse_webhook(&(signed.sign)(secret, body), body)
            .unwrap_or_else(|e| panic!("{}: {e}", signed.provider.kind()));
        assert_eq!(event.kind, EventKind::Unrecognised, "{:?}", event.provider);
        assert!(event.unrecognised.is_some());
        assert!(event.updates.is_empty());
        assert!(!event.id.is_empty(), "still de-duplicable");
    }
    // split(able): the secret proves it; the invoice is missing.
    let body = format!("payment_status=paid&api_secret={SPLITABLE_SECRET}&transaction_id=t1");
    let event = splitable()
        .parse_webhook(&form_headers(), body.as_bytes())
        .unwrap();
    assert_eq!(event.kind, EventKind::Unrecognised);
    assert!(
        event.raw.splitable().is_some(),
        "the provider's event is kept"
    );
}

#[test]
fn unknown_event_types_are_other_with_what_they_name() {
    let ante = ante();
    let body = br#"{"id":"evt_1","type":"group.member_paid","created_at":"2026-01-01T00:00:00Z","data":{"session_id":"s_1","order_ref":"ORD-9"}}"#;
    let event = ante
        .provider
        .parse_webhook(&(ante.sign)(ANTE_SECRET, body), body)
        .unwrap();
    assert_eq!(event.kind, EventKind::Other);
    assert_eq!(event.provider_type, "group.member_paid");
    assert_eq!(event.payment_id(), Some("s_1"));
    assert_eq!(event.merchant_reference(), Some("ORD-9"));

    let body = format!(
        "invoice=INV-9&payment_status=refunded&api_secret={SPLITABLE_SECRET}&transaction_id=t9"
    );
    let event = splitable()
        .parse_webhook(&form_headers(), body.as_bytes())
        .unwrap();
    assert_eq!((event.kind, event.id.as_str()), (EventKind::Other, "t9"));
    assert_eq!(event.merchant_reference(), Some("INV-9"));
    assert_eq!(event.updates[0].provider_state.as_deref(), Some("refunded"));

    // A Zepto event about something other than a Payment Request: no update.
    let zepto = zepto();
    let body = br#"{"event":{"type":"contact.added","at":"2026-01-01T00:00:00Z","who":{"account_id":"a","bank_account_id":"b"}},"data":[]}"#;
    let event = zepto
        .provider
        .parse_webhook(&(zepto.sign)(ZEPTO_SECRET, body), body)
        .unwrap();
    assert_eq!((event.kind, event.updates.len()), (EventKind::Other, 0));
    assert_eq!(event.id, "req-1");
}

#[test]
fn forged_deliveries_are_errors() {
    for signed in [ante(), fairshare(), zepto()] {
        let body = br#"{"id":"evt_1"}"#;
        let err = signed
            .provider
            .parse_webhook(&(signed.sign)("a guessed secret", body), body)
            .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::Provider {
                    source: splitkit_common::Error::Webhook(WebhookError::SignatureMismatch),
                    ..
                }
            ),
            "{err:?}"
        );
    }
    let body = "invoice=INV-9&payment_status=paid&api_secret=guessed&transaction_id=t9";
    let err = splitable()
        .parse_webhook(&form_headers(), body.as_bytes())
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Provider {
                source: splitkit_common::Error::Webhook(WebhookError::SecretMismatch),
                ..
            }
        ),
        "{err:?}"
    );
}
