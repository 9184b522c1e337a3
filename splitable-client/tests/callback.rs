//! Callback verification: the documented example, wrong and missing secrets, missing fields,
//! statuses, content types and duplicates.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use http::{HeaderMap, HeaderValue, StatusCode};
use splitable_client::{
    ACKNOWLEDGE_STATUS, Callback, CallbackError, CallbackVerifier, PaymentStatus, ReceivedCallback,
    SecretString,
};

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

fn verify(body: &[u8]) -> Result<Callback, CallbackError> {
    CallbackVerifier::new(SECRET).verify(&form_headers(), body)
}

#[test]
fn documented_callback_verifies() {
    let callback = verify(DOCUMENTED).unwrap();
    assert_eq!(callback.invoice, "3789273937239273");
    assert_eq!(callback.payment_status, PaymentStatus::Paid);
    assert_eq!(callback.transaction_id, "852973493383974");
    assert!(callback.is_paid());
    assert!(!callback.is_cancelled());
    assert_eq!(ACKNOWLEDGE_STATUS, StatusCode::OK);
}

#[test]
fn cancelled_callback_with_hex_transaction_id() {
    // The official mock callback used a 24-hex transaction id.
    let callback = verify(
        b"invoice=27376633&payment_status=cancelled&api_secret=82746e2d66cb8993&transaction_id=49c380175f3c5603287698a4",
    )
    .unwrap();
    assert_eq!(callback.payment_status, PaymentStatus::Cancelled);
    assert!(callback.is_cancelled());
    assert_eq!(callback.transaction_id, "49c380175f3c5603287698a4");
}

#[test]
fn unknown_status_is_kept_not_rejected() {
    let callback =
        verify(b"invoice=1&payment_status=refunded&api_secret=82746e2d66cb8993&transaction_id=9")
            .unwrap();
    assert_eq!(
        callback.payment_status,
        PaymentStatus::Unknown("refunded".into())
    );
    assert!(!callback.is_paid() && !callback.is_cancelled());
}

#[test]
fn wrong_secret_is_rejected_with_403() {
    let err = verify(
        b"invoice=3789273937239273&payment_status=paid&api_secret=82746e2d66cb8994&transaction_id=852973493383974",
    )
    .unwrap_err();
    assert_eq!(err, CallbackError::SecretMismatch);
    assert_eq!(err.http_status(), StatusCode::FORBIDDEN);
    assert!(!err.to_string().contains("8274"), "{err}");
}

#[test]
fn secret_prefix_and_extension_are_rejected() {
    for secret in ["82746e2d66cb899", "82746e2d66cb89930", "82746E2D66CB8993"] {
        let body = format!("invoice=1&payment_status=paid&api_secret={secret}&transaction_id=9");
        assert_eq!(
            verify(body.as_bytes()).unwrap_err(),
            CallbackError::SecretMismatch,
            "{secret}"
        );
    }
}

#[test]
fn missing_secret_is_rejected_with_403() {
    let err = verify(b"invoice=1&payment_status=paid&transaction_id=9").unwrap_err();
    assert_eq!(err, CallbackError::MissingField("api_secret"));
    assert_eq!(err.http_status(), StatusCode::FORBIDDEN);
}

#[test]
fn empty_secret_is_rejected() {
    let err = verify(b"invoice=1&payment_status=paid&api_secret=&transaction_id=9").unwrap_err();
    assert_eq!(err, CallbackError::MissingField("api_secret"));
}

#[test]
fn missing_invoice_is_rejected() {
    let err =
        verify(b"payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=9").unwrap_err();
    assert_eq!(err, CallbackError::MissingField("invoice"));
    assert_eq!(err.http_status(), StatusCode::BAD_REQUEST);
}

#[test]
fn missing_payment_status_is_rejected() {
    let err = verify(b"invoice=1&api_secret=82746e2d66cb8993&transaction_id=9").unwrap_err();
    assert_eq!(err, CallbackError::MissingField("payment_status"));
}

#[test]
fn missing_transaction_id_is_rejected() {
    let err = verify(b"invoice=1&payment_status=paid&api_secret=82746e2d66cb8993").unwrap_err();
    assert_eq!(err, CallbackError::MissingField("transaction_id"));
}

#[test]
fn empty_transaction_id_is_missing() {
    let err = verify(b"invoice=1&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=")
        .unwrap_err();
    assert_eq!(err, CallbackError::MissingField("transaction_id"));
}

#[test]
fn a_forgery_without_fields_learns_only_that_the_secret_is_wrong() {
    let err = verify(b"api_secret=guess").unwrap_err();
    assert_eq!(err, CallbackError::SecretMismatch);
}

#[test]
fn a_repeated_secret_is_rejected() {
    let err = verify(
        b"invoice=1&payment_status=paid&api_secret=guess&api_secret=82746e2d66cb8993&transaction_id=9",
    )
    .unwrap_err();
    assert_eq!(err, CallbackError::DuplicateField("api_secret"));
}

#[test]
fn a_repeated_status_is_rejected() {
    let err = verify(
        b"invoice=1&payment_status=cancelled&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=9",
    )
    .unwrap_err();
    assert_eq!(err, CallbackError::DuplicateField("payment_status"));
}

#[test]
fn extra_fields_are_ignored_and_values_are_decoded() {
    let callback = verify(
        b"invoice=A%26B+1&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=9&team=7",
    )
    .unwrap();
    assert_eq!(callback.invoice, "A&B 1");
}

#[test]
fn json_content_type_is_rejected() {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let err = CallbackVerifier::new(SECRET)
        .verify(&headers, DOCUMENTED)
        .unwrap_err();
    assert_eq!(
        err,
        CallbackError::UnexpectedContentType("application/json".into())
    );
    assert_eq!(err.http_status(), StatusCode::BAD_REQUEST);
}

#[test]
fn content_type_with_charset_or_absent_is_accepted() {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
    );
    let verifier = CallbackVerifier::new(SECRET);
    assert!(verifier.verify(&headers, DOCUMENTED).unwrap().is_paid());
    assert!(
        verifier
            .verify(&HeaderMap::new(), DOCUMENTED)
            .unwrap()
            .is_paid()
    );
}

#[test]
fn any_of_several_secrets_is_accepted() {
    let verifier = CallbackVerifier::new("old-company-secret").also_accept(SECRET);
    assert!(
        verifier
            .verify(&form_headers(), DOCUMENTED)
            .unwrap()
            .is_paid()
    );
    let other = CallbackVerifier::new("a").also_accept("b");
    assert_eq!(
        other.verify(&form_headers(), DOCUMENTED).unwrap_err(),
        CallbackError::SecretMismatch
    );
}

#[test]
fn per_split_secret_is_looked_up_by_the_unverified_invoice() {
    let received = ReceivedCallback::parse(&form_headers(), DOCUMENTED).unwrap();
    assert_eq!(received.unverified_invoice(), Some("3789273937239273"));
    let per_split = SecretString::new(SECRET);
    let callback = received.verify(&per_split).unwrap();
    assert_eq!(callback.transaction_id, "852973493383974");
    assert_eq!(
        received.verify(&SecretString::new("other")).unwrap_err(),
        CallbackError::SecretMismatch
    );
}

#[test]
fn debug_never_shows_a_secret() {
    let verifier = CallbackVerifier::new(SECRET);
    let received = ReceivedCallback::parse(&form_headers(), DOCUMENTED).unwrap();
    let shown = format!("{verifier:?} {received:?}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(shown.contains("3789273937239273"), "{shown}");
}
