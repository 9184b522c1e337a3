//! Callback verification: the documented example, table-driven rejections, callbacks missing
//! a field kept raw, form and JSON bodies, several secrets, and mutated deliveries.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use http::{HeaderMap, HeaderValue, StatusCode};
use splitable_client::webhook::{
    EventBody, Payload, SecretError, WebhookError, WebhookEvent, unverified_invoice,
};
use splitable_client::{ACKNOWLEDGE_STATUS, PaymentStatus, WebhookVerifier};
use splitkit_common::webhook::Scheme;
use splitkit_common::webhook::testing::mutants;

const SECRET: &str = "82746e2d66cb8993";
/// The documentation's curl example.
const DOCUMENTED: &[u8] =
    b"invoice=3789273937239273&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=852973493383974";

fn form_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    headers
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new([SECRET]).unwrap()
}

fn verify(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    verifier().verify(&form_headers(), body)
}

fn typed(event: &WebhookEvent) -> &EventBody {
    match &event.payload {
        Payload::Typed(body) => body,
        Payload::Unrecognised(raw) => panic!("expected a typed callback: {}", raw.error()),
    }
}

#[test]
fn documented_callback_verifies() {
    let event = verify(DOCUMENTED).unwrap();
    assert_eq!(event.id, "852973493383974");
    assert_eq!(event.signed_at, None);
    let callback = typed(&event);
    assert_eq!(callback.invoice, "3789273937239273");
    assert_eq!(callback.payment_status, PaymentStatus::Paid);
    assert!(callback.is_paid() && !callback.is_cancelled());
    assert_eq!(ACKNOWLEDGE_STATUS, StatusCode::OK);
}

#[test]
fn every_kind_of_bad_callback_is_rejected_with_its_own_variant() {
    let cases: Vec<(&str, Vec<u8>, WebhookError)> = vec![
        (
            "wrong secret",
            b"invoice=1&payment_status=paid&api_secret=00000000deadbeef&transaction_id=9".to_vec(),
            WebhookError::SecretMismatch,
        ),
        (
            "secret changed by one byte",
            b"invoice=1&payment_status=paid&api_secret=82746e2d66cb8994&transaction_id=9".to_vec(),
            WebhookError::SecretMismatch,
        ),
        (
            "secret prefix",
            b"invoice=1&payment_status=paid&api_secret=82746e2d66cb899&transaction_id=9".to_vec(),
            WebhookError::SecretMismatch,
        ),
        (
            "secret extended",
            b"invoice=1&payment_status=paid&api_secret=82746e2d66cb89930&transaction_id=9".to_vec(),
            WebhookError::SecretMismatch,
        ),
        (
            "no secret",
            b"invoice=1&payment_status=paid&transaction_id=9".to_vec(),
            WebhookError::MissingField("api_secret"),
        ),
        (
            "empty secret",
            b"invoice=1&payment_status=paid&api_secret=&transaction_id=9".to_vec(),
            WebhookError::MissingField("api_secret"),
        ),
        (
            "empty body",
            Vec::new(),
            WebhookError::MissingField("api_secret"),
        ),
        (
            "secret twice",
            [DOCUMENTED, b"&api_secret=x"].concat(),
            WebhookError::DuplicateField("api_secret"),
        ),
        (
            "status twice",
            [DOCUMENTED, b"&payment_status=cancelled"].concat(),
            WebhookError::DuplicateField("payment_status"),
        ),
        (
            "non-UTF-8 body",
            [DOCUMENTED, b"&note=\xff"].concat(),
            WebhookError::MalformedBody {
                reason: "not UTF-8",
            },
        ),
        (
            "non-UTF-8 escape",
            b"invoice=%FF1&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=9"
                .to_vec(),
            WebhookError::MalformedBody {
                reason: "a percent-escape is not UTF-8",
            },
        ),
        (
            "over 1 MiB",
            [DOCUMENTED, &b"&pad="[..], &vec![b'x'; 1 << 20]].concat(),
            WebhookError::BodyTooLarge { limit: 1 << 20 },
        ),
    ];
    for (name, body, expected) in cases {
        assert_eq!(verify(&body).unwrap_err(), expected, "{name}");
    }
}

#[test]
fn headers_are_bounded_and_never_echoed_whole() {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("text/plain"));
    assert_eq!(
        verifier().verify(&h, DOCUMENTED).unwrap_err(),
        WebhookError::UnsupportedContentType {
            received: "text/plain".into(),
            expected: "application/x-www-form-urlencoded (or application/json)",
        }
    );
    let long = format!("text/{}", "x".repeat(2000));
    h.insert("content-type", HeaderValue::from_str(&long).unwrap());
    let err = verifier().verify(&h, DOCUMENTED).unwrap_err();
    assert!(err.to_string().len() < 300, "{err}");
    let huge = format!("text/{}", "x".repeat(1 << 20));
    h.insert("content-type", HeaderValue::from_str(&huge).unwrap());
    let err = verifier().verify(&h, DOCUMENTED).unwrap_err();
    assert_eq!(
        err,
        WebhookError::HeaderTooLarge {
            header: "content-type",
            limit: 4096
        }
    );
}

#[test]
fn an_empty_secret_is_refused_when_building() {
    assert_eq!(
        WebhookVerifier::new([""]).unwrap_err(),
        SecretError::Blank { position: 0 }
    );
    assert_eq!(
        WebhookVerifier::new([SECRET, " "]).unwrap_err(),
        SecretError::Blank { position: 1 }
    );
}

#[test]
fn a_verified_callback_missing_a_field_is_kept_raw() {
    for (body, missing, id) in [
        (
            &b"payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=9"[..],
            "invoice",
            Some("9"),
        ),
        (
            b"invoice=1&api_secret=82746e2d66cb8993&transaction_id=9",
            "payment_status",
            Some("9"),
        ),
        (
            b"invoice=1&payment_status=paid&api_secret=82746e2d66cb8993",
            "transaction_id",
            None,
        ),
        (
            b"invoice=1&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=",
            "transaction_id",
            None,
        ),
    ] {
        let event = verify(body).unwrap();
        let raw = event.payload.unrecognised().expect("kept raw");
        assert_eq!(raw.error().path(), missing);
        assert_eq!(raw.body(), body);
        match id {
            Some(id) => assert_eq!(event.id, id),
            None => assert!(event.id.starts_with("body-sha256:")),
        }
        // The raw body holds the secret: Debug shows its length only.
        assert!(!format!("{event:?}").contains(SECRET));
    }
}

#[test]
fn statuses_values_and_content_types_are_read_leniently() {
    let event = verify(b"invoice=A%26B+1&payment_status=refunded&api_secret=82746e2d66cb8993&transaction_id=49c380175f3c5603287698a4&team=7").unwrap();
    let callback = typed(&event);
    assert_eq!(callback.invoice, "A&B 1");
    assert_eq!(
        callback.payment_status,
        PaymentStatus::Unknown("refunded".into())
    );
    assert_eq!(event.id, "49c380175f3c5603287698a4");

    let mut h = HeaderMap::new();
    h.insert(
        "content-type",
        HeaderValue::from_static("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
    );
    assert!(typed(&verifier().verify(&h, DOCUMENTED).unwrap()).is_paid());
    assert!(typed(&verifier().verify(&HeaderMap::new(), DOCUMENTED).unwrap()).is_paid());

    let json = br#"{"invoice":"3789","payment_status":"cancelled","api_secret":"82746e2d66cb8993","transaction_id":852973493383974}"#;
    h.insert("content-type", HeaderValue::from_static("application/json"));
    let event = verifier().verify(&h, json).unwrap();
    assert!(typed(&event).is_cancelled());
    assert_eq!(event.id, "852973493383974");
    assert!(typed(&verifier().verify(&HeaderMap::new(), json).unwrap()).is_cancelled());
    let twice = br#"{"api_secret":"x","api_secret":"82746e2d66cb8993"}"#;
    assert_eq!(
        verifier().verify(&h, twice).unwrap_err(),
        WebhookError::DuplicateField("api_secret")
    );
    assert_eq!(
        verifier().verify(&h, b"[1]").unwrap_err(),
        WebhookError::MalformedBody {
            reason: "not a JSON object"
        }
    );
}

#[test]
fn any_of_several_secrets_is_accepted_and_a_per_split_one_looked_up() {
    let rotated = WebhookVerifier::new(["old-company-secret", SECRET]).unwrap();
    assert_eq!(
        rotated
            .verify(&form_headers(), DOCUMENTED)
            .unwrap()
            .key_index,
        1
    );
    let other = WebhookVerifier::new(["a", "b"]).unwrap();
    assert_eq!(
        other.verify(&form_headers(), DOCUMENTED).unwrap_err(),
        WebhookError::SecretMismatch
    );
    let invoice = unverified_invoice(&form_headers(), DOCUMENTED).unwrap();
    assert_eq!(invoice.as_deref(), Some("3789273937239273"));
    let per_split = WebhookVerifier::new([SECRET]).unwrap();
    assert!(per_split.verify(&form_headers(), DOCUMENTED).is_ok());
}

#[test]
fn rejections_are_answered_so_that_split_able_retries() {
    let answers = splitable_client::webhook::SplitableScheme.answers();
    assert_eq!(answers.handled, StatusCode::OK);
    assert_eq!(answers.duplicate, StatusCode::OK);
    assert_eq!(
        answers.for_error(&WebhookError::SecretMismatch),
        StatusCode::FORBIDDEN
    );
    assert_ne!(answers.in_progress, StatusCode::OK);
    assert_ne!(answers.failed, StatusCode::OK);
}

#[test]
fn debug_never_shows_a_secret() {
    let shown = format!("{:?}", verifier());
    assert!(!shown.contains(SECRET), "{shown}");
}

#[test]
fn mutated_callbacks_never_panic_and_pass_only_with_the_secret() {
    let v = verifier();
    for mutant in mutants(4, &form_headers(), DOCUMENTED, 4000) {
        if let Ok(event) = v.verify(&mutant.headers, &mutant.body) {
            let text = std::str::from_utf8(&mutant.body).unwrap();
            assert!(text.contains(&format!("api_secret={SECRET}")), "{text}");
            let _ = event.id;
        }
    }
}
