//! What a webhook delivery costs each provider's verifier, valid or forged.
//!
//! Per provider, with one secret configured: a valid delivery of a small and of a 1 MiB body;
//! the worst forged delivery the bounds let through to the HMAC (1 MiB body, a fresh timestamp,
//! signature headers filled to the 4 KiB cap around the 8 candidates allowed); and a forged
//! delivery past the bounds (a 64 KiB header of candidates with the 1 MiB body), refused before
//! any HMAC. Splitable has no signature: its forged deliveries carry a wrong `api_secret` in a
//! 1 MiB form body, and a 64 KiB `Content-Type`. Target: at most 5 ms of CPU per forged
//! delivery. Figures only; nothing passes or fails.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::{header, measure, row};
use http::{HeaderMap, HeaderValue};
use splitkit_common::webhook::{DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES};

const SECRET: &str = "whsec_benchmark_secret_0123456789";
/// A signature that never matches.
const WRONG: &str = "0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a09080706050403020100f";
const RUNS_SMALL: u32 = 20_000;
const RUNS_LARGE: u32 = 200;

/// Calls a verifier: whether the delivery passed.
type Verify = Box<dyn Fn(&HeaderMap, &[u8]) -> bool>;
/// The headers of a valid delivery of a body.
type Valid = Box<dyn Fn(&[u8]) -> HeaderMap>;
/// Forged headers: full up to a number of bytes of header, with a number of candidates.
type Forged = Box<dyn Fn(usize, usize) -> HeaderMap>;

/// One provider's deliveries, and how its verifier is called.
struct Provider {
    name: &'static str,
    verify: Verify,
    valid: Valid,
    forged: Forged,
    small: Vec<u8>,
    large: Vec<u8>,
    forged_large: Vec<u8>,
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or_default())
        .unwrap_or_default()
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("x"))
}

/// `entries` joined by `separator`, then `filler` entries until the text is `bytes` long.
fn filled(entries: Vec<String>, separator: &str, filler: &str, bytes: usize) -> String {
    let mut text = entries.join(separator);
    while text.len() + separator.len() + filler.len() <= bytes {
        text.push_str(separator);
        text.push_str(filler);
    }
    text
}

/// A JSON body of about `bytes` bytes shaped like `prefix` + padding.
fn json_body(prefix: &str, bytes: usize) -> Vec<u8> {
    let pad = bytes.saturating_sub(prefix.len() + 16);
    format!(r#"{prefix},"pad":"{}"}}"#, "x".repeat(pad)).into_bytes()
}

fn zepto() -> Provider {
    use zepto_client::webhook::WebhookVerifier;
    let verifier = WebhookVerifier::new([SECRET]).ok();
    let envelope = r#"{"event":{"type":"debit.cleared","at":"2021-04-08T23:15:00Z","who":{"account_id":"a","bank_account_id":"b"}},"data":[]"#;
    Provider {
        name: "Zepto",
        verify: Box::new(move |h, b| verifier.as_ref().is_some_and(|v| v.verify(h, b).is_ok())),
        valid: Box::new(|body| {
            let mut h = HeaderMap::new();
            h.insert(
                "Split-Signature",
                value(&zepto_client::webhook::sign(SECRET, now(), body)),
            );
            h.insert(
                "Split-Request-ID",
                value("07f4e8c1-846b-5ec0-8a25-24c3bc5582b5"),
            );
            h
        }),
        forged: Box::new(|bytes, candidates| {
            let mut entries = vec![now().to_string()];
            entries.extend((0..candidates).map(|_| WRONG.to_owned()));
            let mut h = HeaderMap::new();
            h.insert("Split-Signature", value(&filled(entries, ".", "x", bytes)));
            h
        }),
        small: json_body(envelope, 2048),
        large: json_body(envelope, DEFAULT_MAX_BODY_BYTES),
        forged_large: json_body(envelope, DEFAULT_MAX_BODY_BYTES),
    }
}

fn fairshare() -> Provider {
    use fairshare_client::webhook::{WebhookVerifier, signature_headers};
    let verifier = WebhookVerifier::new([SECRET]).ok();
    let envelope = r#"{"id":"evt_1","type":"contribution.created","created":"2026-04-08T10:15:30Z","data":{"object":{"id":"c"}}"#;
    Provider {
        name: "FairShare",
        verify: Box::new(move |h, b| verifier.as_ref().is_some_and(|v| v.verify(h, b).is_ok())),
        valid: Box::new(|body| signature_headers(SECRET, now(), body)),
        forged: Box::new(|bytes, candidates| {
            let entries = (0..candidates).map(|_| format!("v1={WRONG}")).collect();
            let mut h = HeaderMap::new();
            h.insert("X-SplitPay-Timestamp", HeaderValue::from(now()));
            h.insert(
                "X-SplitPay-Signature",
                value(&filled(entries, ",", "v0=x", bytes)),
            );
            h
        }),
        small: json_body(envelope, 2048),
        large: json_body(envelope, DEFAULT_MAX_BODY_BYTES),
        forged_large: json_body(envelope, DEFAULT_MAX_BODY_BYTES),
    }
}

fn ante() -> Provider {
    use ante_client::webhook::{Key, WebhookVerifier};
    use ante_client::{SignatureScheme, TimestampedV1, WebhookSecret};
    let verifier = WebhookSecret::parse(SECRET)
        .ok()
        .and_then(|s| WebhookVerifier::new([Key::from(s)]).ok());
    let envelope = r#"{"id":"evt_1","type":"group.created","created_at":"2025-06-24T14:30:00.000Z","data":{"session_id":"s","order_ref":"o"}"#;
    Provider {
        name: "Ante",
        verify: Box::new(move |h, b| verifier.as_ref().is_some_and(|v| v.verify(h, b).is_ok())),
        valid: Box::new(|body| {
            let mut h = HeaderMap::new();
            h.insert(
                "Ante-Signature",
                value(&TimestampedV1.sign(SECRET, now(), body)),
            );
            h
        }),
        forged: Box::new(|bytes, candidates| {
            let mut entries = vec![format!("t={}", now())];
            entries.extend((0..candidates).map(|_| format!("v1={WRONG}")));
            let mut h = HeaderMap::new();
            h.insert(
                "Ante-Signature",
                value(&filled(entries, ",", "v2=x", bytes)),
            );
            h
        }),
        small: json_body(envelope, 2048),
        large: json_body(envelope, DEFAULT_MAX_BODY_BYTES),
        forged_large: json_body(envelope, DEFAULT_MAX_BODY_BYTES),
    }
}

fn splitable() -> Provider {
    use splitable_client::WebhookVerifier;
    let verifier = WebhookVerifier::new([SECRET]).ok();
    let form = |secret: &str, bytes: usize| {
        let fields = format!(
            "invoice=3789273937239273&payment_status=paid&api_secret={secret}&transaction_id=852973493383974&pad="
        );
        let pad = bytes.saturating_sub(fields.len());
        format!("{fields}{}", "x".repeat(pad)).into_bytes()
    };
    let form_headers = |content_type: &str| {
        let mut h = HeaderMap::new();
        h.insert("content-type", value(content_type));
        h
    };
    Provider {
        name: "Splitable",
        verify: Box::new(move |h, b| verifier.as_ref().is_some_and(|v| v.verify(h, b).is_ok())),
        valid: Box::new(move |_| form_headers("application/x-www-form-urlencoded")),
        forged: Box::new(move |bytes, _| {
            let filler = "x".repeat(bytes.saturating_sub(40));
            form_headers(&format!("application/x-www-form-urlencoded; {filler}"))
        }),
        small: form(SECRET, 200),
        large: form(SECRET, DEFAULT_MAX_BODY_BYTES),
        forged_large: form("guessed-secret-000000000000000000", DEFAULT_MAX_BODY_BYTES),
    }
}

fn run_provider(p: &Provider) {
    let cases: [(&str, HeaderMap, &[u8], u32, bool); 4] = [
        (
            "valid, small body",
            (p.valid)(&p.small),
            &p.small,
            RUNS_SMALL,
            true,
        ),
        (
            "valid, 1 MiB body",
            (p.valid)(&p.large),
            &p.large,
            RUNS_LARGE,
            true,
        ),
        (
            "forged, 1 MiB body, headers at the 4 KiB cap (worst case)",
            (p.forged)(DEFAULT_MAX_HEADER_BYTES, 8),
            &p.forged_large,
            RUNS_LARGE,
            false,
        ),
        (
            "forged, 1 MiB body, 64 KiB header (refused unhashed)",
            (p.forged)(64 * 1024, 64 * 1024 / 68),
            &p.forged_large,
            RUNS_SMALL,
            false,
        ),
    ];
    for (case, headers, body, runs, expect_ok) in cases {
        if (p.verify)(&headers, body) != expect_ok {
            println!("| {} | {case}: unexpected outcome, not measured |", p.name);
            continue;
        }
        row(p.name, case, measure(runs, || (p.verify)(&headers, body)));
    }
}

/// The webhook benchmark, printed as a table.
pub fn run() {
    header("## Webhook verification, per request (one secret configured)");
    for provider in [zepto(), fairshare(), ante(), splitable()] {
        run_provider(&provider);
    }
}
