//! Error answers: decoding, classification, Retry-After and retries.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::{Duration, Instant};

use ante_client::{ErrorExt, ErrorKind};
use splitkit_common::Error;
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn the_documented_error_body_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/j57abc"))
        .respond_with(ResponseTemplate::new(401).set_body_string(
            r#"{"request_id": "791687e6-5099-4f04-8aae-686006109000", "error": "Invalid API key format"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = secret_client(&server)
        .sessions()
        .get("j57abc")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        err.request_id(),
        Some("791687e6-5099-4f04-8aae-686006109000")
    );
    let api = err.api_error().unwrap();
    assert_eq!(api.message.as_deref(), Some("Invalid API key format"));
    let ante = err.error_response().unwrap();
    assert_eq!(ante.kind, ErrorKind::InvalidKeyFormat);
    assert_eq!(ante.message, "Invalid API key format");
    assert_eq!(ante.request_id, "791687e6-5099-4f04-8aae-686006109000");
    assert!(ante.details.is_empty());
    assert_eq!(err.error_code(), Some(ErrorKind::InvalidKeyFormat));
    let text = err.to_string();
    assert!(
        text.contains("401")
            && text.contains("Invalid API key format")
            && text.contains("791687e6"),
        "{text}"
    );
    assert!(!text.contains(SK), "{text}");
}

#[tokio::test]
async fn an_invalid_cart_signature_keeps_the_details_checklist() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/j57abc/cancel"))
        .respond_with(ResponseTemplate::new(400).set_body_string(
            r#"{"request_id":"req_sig","error":"Invalid cart signature (X-Ante-Signature)",
                "details":["Use the ante_sign_ secret (not ante_sk_ or whsec_)",
                           "Ante always includes fees: [] in the HMAC"]}"#,
        ))
        .mount(&server)
        .await;
    let err = secret_client(&server)
        .sessions()
        .cancel("j57abc")
        .await
        .unwrap_err();
    let ante = err.error_response().unwrap();
    assert_eq!(ante.kind, ErrorKind::InvalidCartSignature);
    assert_eq!(ante.details.len(), 2);
    assert_eq!(ante.details[1], "Ante always includes fees: [] in the HMAC");
    assert_eq!(ante.request_id, "req_sig");
}

#[test]
fn documented_messages_are_classified() {
    let table: &[(u16, &str, ErrorKind)] = &[
        (401, "Invalid API key format", ErrorKind::InvalidKeyFormat),
        (
            401,
            "Invalid or revoked API key",
            ErrorKind::InvalidOrRevokedKey,
        ),
        (
            401,
            "Missing Authorization bearer token",
            ErrorKind::MissingAuthorization,
        ),
        (
            403,
            "API key missing scope: payments:write",
            ErrorKind::ScopeMissing,
        ),
        (
            403,
            "X-Merchant-ID does not match API key",
            ErrorKind::MerchantMismatch,
        ),
        (
            403,
            "API key environment does not match merchant mode",
            ErrorKind::ModeMismatch,
        ),
        (
            403,
            "Secret API keys must not be used from browser clients",
            ErrorKind::SecretKeyFromBrowser,
        ),
        (
            400,
            "Invalid cart signature (X-Ante-Signature)",
            ErrorKind::InvalidCartSignature,
        ),
        (
            400,
            "Cart total does not match items + tax + shipping + fees",
            ErrorKind::CartTotalMismatch,
        ),
        (
            400,
            "cart.total does not match subtotal",
            ErrorKind::CartTotalMismatch,
        ),
        (
            400,
            "cart.total, cart.currency required",
            ErrorKind::CartFieldsMissing,
        ),
        (
            400,
            "Order total must be at least 1000",
            ErrorKind::OrderTotalTooLow,
        ),
        (
            403,
            "Set up payouts before accepting payments",
            ErrorKind::PayoutsNotSetUp,
        ),
        (
            403,
            "Headless REST requires onboarding",
            ErrorKind::HeadlessNotEnabled,
        ),
        (
            403,
            "Complete the sandbox checklist before switching to live mode",
            ErrorKind::SandboxChecklistIncomplete,
        ),
        (429, "Too many requests", ErrorKind::RateLimited),
        (429, "", ErrorKind::RateLimited),
        (
            503,
            "Service temporarily unavailable",
            ErrorKind::Unavailable,
        ),
        (503, "upstream hiccup", ErrorKind::Unavailable),
        (403, "IP blocked", ErrorKind::Other),
        (401, "Unauthorized", ErrorKind::Other),
    ];
    for (status, message, kind) in table {
        assert_eq!(ErrorKind::classify(*status, message), *kind, "{message}");
    }
}

#[tokio::test]
async fn the_missing_scope_is_named_and_the_raw_message_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/j57abc/remind"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            r#"{"request_id":"req_s","error":"API key missing scope: payments:write"}"#,
        ))
        .mount(&server)
        .await;
    let err = publishable_client(&server)
        .sessions()
        .remind("j57abc")
        .await
        .unwrap_err();
    let ante = err.error_response().unwrap();
    assert_eq!(ante.kind, ErrorKind::ScopeMissing);
    assert_eq!(ante.missing_scope(), Some("payments:write"));
    assert_eq!(ante.message, "API key missing scope: payments:write");
}

#[tokio::test]
async fn a_body_that_is_not_ante_json_still_gives_an_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/j57abc"))
        .respond_with(ResponseTemplate::new(404).set_body_string("<html>Not Found</html>"))
        .mount(&server)
        .await;
    let err = secret_client(&server)
        .sessions()
        .get("j57abc")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    let ante = err.error_response().unwrap();
    assert_eq!(ante.kind, ErrorKind::Other);
    assert_eq!(ante.message, "");
    assert_eq!(
        err.api_error().unwrap().body_text(),
        "<html>Not Found</html>"
    );
}

#[tokio::test]
async fn a_429_on_a_get_waits_for_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/j57abc"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string(r#"{"request_id":"req_429","error":"Too many requests"}"#),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/j57abc"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"session_id":"j57abc","status":"pending"}"#),
        )
        .mount(&server)
        .await;
    let started = Instant::now();
    let session = secret_client(&server)
        .sessions()
        .get("j57abc")
        .await
        .unwrap();
    assert_eq!(session.session_id, "j57abc");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn a_429_asking_too_long_a_wait_is_returned_with_the_wait() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "120")
                .set_body_string(r#"{"request_id":"req_429","error":"Too many requests"}"#),
        )
        .mount(&server)
        .await;
    let err = secret_client(&server)
        .sessions()
        .list(ante_client::ListSessions::new())
        .await
        .unwrap_err();
    match &err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(120)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(err.error_code(), Some(ErrorKind::RateLimited));
    assert!(err.is_retryable());
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_503_on_an_idempotent_call_is_retried_with_backoff() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/merchants/me"))
        .respond_with(ResponseTemplate::new(503).set_body_string(
            r#"{"request_id":"req_503","error":"Service temporarily unavailable"}"#,
        ))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/merchants/me"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"sandbox":true}"#))
        .mount(&server)
        .await;
    let merchant = secret_client(&server).merchants().me().await.unwrap();
    assert_eq!(merchant.sandbox, Some(true));
    assert_eq!(request_count(&server).await, 3);

    // When every attempt fails, the last answer is reported.
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/webhooks/we_1"))
        .respond_with(ResponseTemplate::new(503).set_body_string(
            r#"{"request_id":"req_503b","error":"Service temporarily unavailable"}"#,
        ))
        .mount(&server)
        .await;
    let err = secret_client(&server)
        .webhooks()
        .delete("we_1")
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(ErrorKind::Unavailable));
    assert_eq!(err.request_id(), Some("req_503b"));
    assert_eq!(request_count(&server).await, 3);
}

#[tokio::test]
async fn a_401_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/merchants/me"))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(
                r#"{"request_id":"req_401","error":"Invalid or revoked API key"}"#,
            ),
        )
        .mount(&server)
        .await;
    let err = secret_client(&server).merchants().me().await.unwrap_err();
    assert_eq!(err.error_code(), Some(ErrorKind::InvalidOrRevokedKey));
    assert_eq!(request_count(&server).await, 1);
}
