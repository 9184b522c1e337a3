//! Every operation over real HTTP against wiremock: method, path, auth header, idempotency
//! header, exact body, and decoding of the documented answer.

#![allow(clippy::unwrap_used)]

mod support;

use std::str::FromStr;
use std::sync::{Arc, Mutex};

use fairshare_client::{
    Client, ConvenienceFee, ConvenienceFeeType, Decimal, Error, ErrorCode, ErrorExt,
    IdempotencyKey, Item, NewSplitSession, SplitSessionStatus, SplitType,
};
use support::*;
use wiremock::matchers::{body_string, header, header_exists, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn session_answer(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/json")
        .set_body_string(DOCUMENTED_SESSION)
}

fn header_of(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn redirects<K: fairshare_client::SplitKind>(session: NewSplitSession<K>) -> NewSplitSession<K> {
    session.redirect_urls(
        "https://example.com/success",
        "https://example.com/cancel",
        "https://example.com/failed",
    )
}

const REDIRECTS_JSON: &str = r#""successRedirectUrl":"https://example.com/success","cancelRedirectUrl":"https://example.com/cancel","failedRedirectUrl":"https://example.com/failed""#;

#[tokio::test]
async fn create_split_evenly_sends_the_documented_example_and_decodes_the_answer() {
    let server = MockServer::start().await;
    let expected_body = format!(
        r#"{{"totalAmountQar":200,"currency":"QAR","splitType":"EQUAL_COUNT","expectedContributors":4,"convenienceFeeType":"NONE","convenienceFeeValue":0,{REDIRECTS_JSON},"detailTitle":"Group order","expiryMinutes":20}}"#
    );
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .and(header("x-splitpay-api-key", API_KEY))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(header_exists("idempotency-key"))
        .and(body_string(expected_body))
        .respond_with(session_answer(201))
        .expect(1)
        .mount(&server)
        .await;

    let order = redirects(NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4))
        .convenience_fee(ConvenienceFee::None)
        .detail_title("Group order")
        .expiry_minutes(20);
    let session = client(&server).sessions().create(order).await.unwrap();

    assert_eq!(session.id, SESSION_ID);
    assert_eq!(
        session.split_session_link,
        format!("https://app.fairsharepay.com/contributor/{SESSION_ID}")
    );
    assert_eq!(session.status, SplitSessionStatus::Pending);

    let requests = server.received_requests().await.unwrap();
    let key = header_of(&requests[0], "idempotency-key").unwrap();
    assert_eq!(key.len(), 36, "a UUIDv4: {key}");
    assert_eq!(key.as_bytes()[14], b'4', "a UUIDv4: {key}");
    assert_eq!(header_of(&requests[0], "x-api-key"), None);
}

#[tokio::test]
async fn create_pick_items_sends_the_documented_example() {
    let server = MockServer::start().await;
    let expected_body = format!(
        r#"{{"totalAmountQar":120,"items":[{{"id":"pizza-1","description":"Pizza","price":40,"quantity":2,"imageUrl":"https://example.com/pizza.png"}},{{"id":"drink-1","description":"Soft Drink","price":20,"quantity":2}}],"currency":"QAR","splitType":"ITEM_CLAIM","convenienceFeeType":"NONE","convenienceFeeValue":0,{REDIRECTS_JSON},"detailTitle":"Team dinner","expiryMinutes":15}}"#
    );
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .and(header("x-splitpay-api-key", API_KEY))
        .and(header_exists("idempotency-key"))
        .and(body_string(expected_body))
        .respond_with(session_answer(200))
        .expect(1)
        .mount(&server)
        .await;

    let order = redirects(
        NewSplitSession::pick_items(
            Decimal::from(120),
            "QAR",
            [Item::new("pizza-1", "Pizza", Decimal::from(40), 2)
                .image_url("https://example.com/pizza.png")],
        )
        .item(Item::new("drink-1", "Soft Drink", Decimal::from(20), 2)),
    )
    .convenience_fee(ConvenienceFee::None)
    .detail_title("Team dinner")
    .expiry_minutes(15);
    client(&server).sessions().create(order).await.unwrap();
}

#[tokio::test]
async fn create_flexible_amount_sends_the_documented_example() {
    let server = MockServer::start().await;
    let expected_body = format!(
        r#"{{"totalAmountQar":300,"currency":"QAR","splitType":"PROPORTIONAL_POOL","convenienceFeeType":"FIXED_PER_CONTRIBUTION","convenienceFeeValue":2.5,{REDIRECTS_JSON},"detailTitle":"Office gift","expiryMinutes":30}}"#
    );
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .and(header("x-splitpay-api-key", API_KEY))
        .and(header_exists("idempotency-key"))
        .and(body_string(expected_body))
        .respond_with(session_answer(201))
        .expect(1)
        .mount(&server)
        .await;

    let order = redirects(NewSplitSession::flexible_amount(Decimal::from(300), "QAR"))
        .convenience_fee(ConvenienceFee::FixedPerContribution(dec("2.5")))
        .detail_title("Office gift")
        .expiry_minutes(30);
    client(&server).sessions().create(order).await.unwrap();
}

#[tokio::test]
async fn amounts_are_sent_as_exact_decimal_numbers() {
    let server = MockServer::start().await;
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point; here it stays 0.3.
    let expected_body = r#"{"totalAmountQar":0.3,"items":[{"id":"a","description":"A","price":0.10,"quantity":1},{"id":"b","description":"B","price":12345678901234567.89,"quantity":3}],"currency":"QAR","splitType":"ITEM_CLAIM","convenienceFeeType":"FIXED_PER_CONTRIBUTION","convenienceFeeValue":2.50,"meta":"order-7"}"#;
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .and(body_string(expected_body))
        .respond_with(session_answer(201))
        .expect(1)
        .mount(&server)
        .await;

    let total = dec("0.1") + dec("0.2");
    let order = NewSplitSession::pick_items(
        total,
        "qar",
        [
            Item::new("a", "A", dec("0.10"), 1),
            Item::new("b", "B", dec("12345678901234567.89"), 3),
        ],
    )
    .convenience_fee(ConvenienceFee::FixedPerContribution(dec("2.50")))
    .meta("order-7");
    client(&server).sessions().create(order).await.unwrap();
}

#[tokio::test]
async fn split_evenly_count_later_leaves_the_count_out() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .and(body_string(
            r#"{"totalAmountQar":200.00,"currency":"QAR","splitType":"EQUAL_COUNT"}"#,
        ))
        .respond_with(session_answer(201))
        .expect(1)
        .mount(&server)
        .await;
    let order = NewSplitSession::split_evenly_count_later(dec("200.00"), "QAR");
    client(&server).sessions().create(order).await.unwrap();
}

#[tokio::test]
async fn a_callers_idempotency_key_is_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .and(header("idempotency-key", "order-123-attempt"))
        .respond_with(session_answer(201))
        .expect(1)
        .mount(&server)
        .await;
    let order = NewSplitSession::flexible_amount(Decimal::from(300), "QAR")
        .idempotency_key(IdempotencyKey::new("order-123-attempt").unwrap());
    client(&server).sessions().create(order).await.unwrap();
}

/// The idempotency key and body of each attempt.
type Seen = Arc<Mutex<Vec<(Option<String>, Vec<u8>)>>>;

/// Answers 503 until `failures` attempts were made, then the documented session; records the
/// idempotency key and body of every attempt.
struct BusyThenCreated {
    failures: usize,
    seen: Seen,
}

impl Respond for BusyThenCreated {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut seen = self.seen.lock().unwrap();
        seen.push((header_of(request, "idempotency-key"), request.body.clone()));
        if seen.len() <= self.failures {
            ResponseTemplate::new(503).set_body_string(
                r#"{"code":"INTERNAL_ERROR","message":"Service temporarily unavailable"}"#,
            )
        } else {
            session_answer(201)
        }
    }
}

#[tokio::test]
async fn a_retried_create_sends_the_same_generated_key_and_bytes() {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .respond_with(BusyThenCreated {
            failures: 1,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4);
    let session = client(&server).sessions().create(order).await.unwrap();
    assert_eq!(session.id, SESSION_ID);

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].0.is_some());
    assert_eq!(seen[0].0, seen[1].0);
    assert_eq!(seen[0].1, seen[1].1);
}

#[tokio::test]
async fn a_retried_create_sends_the_callers_key_every_time() {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .respond_with(BusyThenCreated {
            failures: 2,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4)
        .idempotency_key(IdempotencyKey::new("order-9").unwrap());
    client(&server).sessions().create(order).await.unwrap();
    let seen = seen.lock().unwrap();
    let keys: Vec<_> = seen.iter().map(|(k, _)| k.as_deref()).collect();
    assert_eq!(keys, [Some("order-9"); 3]);
}

#[tokio::test]
async fn two_creates_get_two_different_keys() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(session_answer(201))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4);
    c.sessions().create(order.clone()).await.unwrap();
    c.sessions().create(order).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_ne!(
        header_of(&requests[0], "idempotency-key"),
        header_of(&requests[1], "idempotency-key")
    );
}

#[tokio::test]
async fn a_reused_key_is_a_typed_conflict_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .respond_with(ResponseTemplate::new(409).set_body_string(
            r#"{"code":"IDEMPOTENCY_KEY_REUSED","message":"Idempotency key already used with a different payload"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4)
        .idempotency_key(IdempotencyKey::new("order-1").unwrap());
    let err = client(&server).sessions().create(order).await.unwrap_err();
    match &err {
        Error::IdempotencyConflict { key, error, .. } => {
            assert_eq!(key.as_deref(), Some("order-1"));
            assert_eq!(error.status.as_u16(), 409);
            assert_eq!(
                error.message.as_deref(),
                Some("Idempotency key already used with a different payload")
            );
        }
        other => panic!("expected an idempotency conflict, got {other:?}"),
    }
    assert_eq!(err.error_code(), Some(ErrorCode::IdempotencyKeyReused));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn internal_errors_are_retried_for_creates_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .set_body_string(r#"{"code":"INTERNAL_ERROR","message":"Unexpected"}"#),
        )
        .expect(3)
        .mount(&server)
        .await;
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4);
    let err = client(&server).sessions().create(order).await.unwrap_err();
    assert_eq!(err.error_code(), Some(ErrorCode::InternalError));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn conflicts_other_than_a_reused_key_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(409).set_body_string(
            r#"{"code":"PSP_CONNECTION_MISSING","message":"No active payment gateway connection"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4);
    let err = client(&server).sessions().create(order).await.unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.error_code(), Some(ErrorCode::PspConnectionMissing));
}

#[tokio::test]
async fn every_documented_error_code_decodes_with_its_message() {
    let cases = [
        (400, "VALIDATION_ERROR", ErrorCode::ValidationError),
        (
            400,
            "IDEMPOTENCY_KEY_INVALID",
            ErrorCode::IdempotencyKeyInvalid,
        ),
        (
            400,
            "EXPECTED_CONTRIBUTORS_INVALID",
            ErrorCode::ExpectedContributorsInvalid,
        ),
        (
            400,
            "CONVENIENCE_FEE_INVALID",
            ErrorCode::ConvenienceFeeInvalid,
        ),
        (401, "UNAUTHORIZED", ErrorCode::Unauthorized),
        (403, "FORBIDDEN", ErrorCode::Forbidden),
        (403, "LIVE_ACCESS_DISABLED", ErrorCode::LiveAccessDisabled),
        (
            409,
            "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::IdempotencyKeyReused,
        ),
        (
            409,
            "PSP_CONNECTION_MISSING",
            ErrorCode::PspConnectionMissing,
        ),
        (
            409,
            "BUSINESS_RULE_VIOLATION",
            ErrorCode::BusinessRuleViolation,
        ),
        (500, "INTERNAL_ERROR", ErrorCode::InternalError),
        (
            422,
            "A_CODE_FROM_THE_FUTURE",
            ErrorCode::Unknown("A_CODE_FROM_THE_FUTURE".into()),
        ),
    ];
    for (status, code, expected) in cases {
        let server = MockServer::start().await;
        let message = format!("message for {code}");
        Mock::given(method("POST"))
            .and(path("/api/v1/split-sessions"))
            .respond_with(ResponseTemplate::new(status).set_body_string(format!(
                r#"{{"code":"{code}","message":"{message}","details":{{"field":"x"}}}}"#
            )))
            .expect(1)
            .mount(&server)
            .await;
        let c = builder(&server)
            .retry(fairshare_client::RetryPolicy::none())
            .build()
            .unwrap();
        let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4);
        let err = c.sessions().create(order).await.unwrap_err();

        assert_eq!(err.error_code(), Some(expected.clone()), "{code}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{code}");
        let body = err.error_response().unwrap();
        assert_eq!(body.code, expected, "{code}");
        assert_eq!(body.message, message);
        assert_eq!(err.api_error().unwrap().message.as_deref(), Some(&*message));
        let shown = err.to_string();
        // The code is shown once: as itself, or as the status text it repeats.
        assert!(
            shown.to_uppercase().contains(&code.replace('_', " ")) || shown.contains(code),
            "{err}"
        );
        assert!(!shown.contains(API_KEY));
        match code {
            "IDEMPOTENCY_KEY_REUSED" => {
                assert!(matches!(err, Error::IdempotencyConflict { .. }), "{code}");
            }
            // A rejected key is an authentication error; FairShare's answer stays readable.
            "UNAUTHORIZED" => assert!(matches!(err, Error::Auth { .. }), "{code}: {err:?}"),
            _ => assert!(matches!(err, Error::Api(_)), "{code}: {err:?}"),
        }
    }
}

#[tokio::test]
async fn get_reads_the_documented_session_exactly() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/split-sessions/{SESSION_ID}")))
        .and(header("x-splitpay-api-key", API_KEY))
        .respond_with(session_answer(200))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server).sessions().get(SESSION_ID).await.unwrap();

    assert_eq!(s.id, SESSION_ID);
    assert_eq!(s.total.to_string(), "200.00");
    assert_eq!(s.collected.to_string(), "0.00");
    assert_eq!(s.authorized_amount.unwrap().to_string(), "0.00");
    assert_eq!(s.status, SplitSessionStatus::Pending);
    assert!(s.status.is_open());
    assert_eq!(s.created.to_string(), "2026-04-08T10:15:30Z");
    assert_eq!(
        s.expires_at.unix_seconds() - s.created.unix_seconds(),
        20 * 60
    );
    assert_eq!(s.completed_at, None);
    assert_eq!(s.refunded_at, None);
    assert_eq!(s.currency, "QAR");
    assert_eq!(s.gateway.as_deref(), Some("STRIPE"));
    assert_eq!(s.split_type, SplitType::EqualCount);
    assert_eq!(s.expected_contributors, Some(4));
    assert_eq!(s.min_contribution, None);
    assert_eq!(
        s.convenience_fee_type,
        Some(ConvenienceFeeType::FixedPerContribution)
    );
    assert_eq!(s.convenience_fee_value.unwrap().to_string(), "2.50");
    assert_eq!(s.detail_title.as_deref(), Some("Group order"));
    assert_eq!(s.lead_contributor_name, None);
    assert_eq!(s.lead_contributor_email, None);
    assert_eq!(s.meta.as_deref(), Some("order-123"));
    assert_eq!(
        s.success_redirect_url.as_deref(),
        Some("https://example.com/success")
    );
    assert_eq!(
        s.cancel_redirect_url.as_deref(),
        Some("https://example.com/cancel")
    );
    assert_eq!(
        s.failed_redirect_url.as_deref(),
        Some("https://example.com/failed")
    );
    assert_eq!(s.items, Some(vec![]));
    assert_eq!(s.contributions, Some(vec![]));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(header_of(&requests[0], "idempotency-key"), None);
    assert!(requests[0].body.is_empty());
}

#[tokio::test]
async fn get_reads_items_contributions_and_unknown_statuses() {
    let server = MockServer::start().await;
    let body = r#"{
        "id": "s-1", "splitSessionLink": "https://app.fairsharepay.com/contributor/s-1",
        "total": 120, "collected": 80.5, "status": "CANCELED",
        "created": "2026-04-08T10:15:30Z", "expiresAt": "2026-04-08T10:30:30Z",
        "completedAt": "2026-04-08T10:20:00Z", "currency": "QAR", "splitType": "ITEM_CLAIM",
        "minContribution": 10.25, "leadContributorName": "Amina", "somethingNew": {"x": 1},
        "items": [{"id": "pizza-1", "description": "Pizza", "price": 40.10, "quantity": 2,
                   "imageUrl": null}],
        "contributions": [{"id": "c-1", "amount": 40.10}]
    }"#;
    Mock::given(method("GET"))
        .and(path("/api/v1/split-sessions/s-1"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let s = client(&server).sessions().get("s-1").await.unwrap();
    assert_eq!(s.status, SplitSessionStatus::Unknown("CANCELED".into()));
    assert!(!s.status.is_open());
    assert_eq!(s.collected, dec("80.5"));
    assert_eq!(s.min_contribution, Some(dec("10.25")));
    assert_eq!(s.completed_at.unwrap().to_string(), "2026-04-08T10:20:00Z");
    assert_eq!(s.lead_contributor_name.as_deref(), Some("Amina"));
    let item = &s.items.as_ref().unwrap()[0];
    assert_eq!(item.id.as_deref(), Some("pizza-1"));
    assert_eq!(item.price.unwrap().to_string(), "40.10");
    assert_eq!(item.quantity, Some(2));
    assert_eq!(item.image_url, None);
    let contribution = &s.contributions.as_ref().unwrap()[0];
    assert_eq!(contribution["id"], "c-1");
}

#[tokio::test]
async fn get_encodes_the_id_as_one_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/split-sessions/a%2Fb%20c"))
        .respond_with(session_answer(200))
        .expect(1)
        .mount(&server)
        .await;
    client(&server).sessions().get("a/b c").await.unwrap();
}

#[tokio::test]
async fn a_session_that_does_not_decode_names_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"id":"s","splitSessionLink":"l","total":"lots","collected":0,"status":"PENDING","created":"2026-04-08T10:15:30Z","expiresAt":"2026-04-08T10:35:30Z","currency":"QAR","splitType":"EQUAL_COUNT","leadContributorEmail":"amina@example.com"}"#,
        ))
        .mount(&server)
        .await;
    let err = client(&server).sessions().get("s").await.unwrap_err();
    match &err {
        Error::Decode(decode) => assert_eq!(decode.path, "total"),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(!err.to_string().contains("amina@example.com"), "{err}");
}

#[tokio::test]
async fn set_expected_contributors_posts_the_count_without_an_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v1/split-sessions/{SESSION_ID}/expected-contributors"
        )))
        .and(header("x-splitpay-api-key", API_KEY))
        .and(header("content-type", "application/json"))
        .and(body_string(r#"{"expectedContributors":4}"#))
        .respond_with(session_answer(200))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server)
        .sessions()
        .set_expected_contributors(SESSION_ID, 4)
        .await
        .unwrap();
    assert_eq!(s.expected_contributors, Some(4));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header_of(&requests[0], "idempotency-key"), None);
}

#[tokio::test]
async fn set_expected_contributors_reads_the_session_when_the_answer_is_empty() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v1/split-sessions/{SESSION_ID}/expected-contributors"
        )))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/split-sessions/{SESSION_ID}")))
        .respond_with(session_answer(200))
        .expect(1)
        .mount(&server)
        .await;
    let s = client(&server)
        .sessions()
        .set_expected_contributors(SESSION_ID, 4)
        .await
        .unwrap();
    assert_eq!(s.id, SESSION_ID);
}

#[tokio::test]
async fn set_expected_contributors_is_retried_after_a_503() {
    let server = MockServer::start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v1/split-sessions/{SESSION_ID}/expected-contributors"
        )))
        .respond_with(BusyThenCreated {
            failures: 1,
            seen: seen.clone(),
        })
        .mount(&server)
        .await;
    client(&server)
        .sessions()
        .set_expected_contributors(SESSION_ID, 4)
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|(key, _)| key.is_none()));
}

#[tokio::test]
async fn set_expected_contributors_after_contributions_began_is_a_business_rule_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(409).set_body_string(
            r#"{"code":"BUSINESS_RULE_VIOLATION","message":"Contributions have already begun"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .sessions()
        .set_expected_contributors(SESSION_ID, 4)
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(ErrorCode::BusinessRuleViolation));
    assert_eq!(
        err.error_response().unwrap().message,
        "Contributions have already begun"
    );
}

#[tokio::test]
async fn the_api_key_header_name_is_configurable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-api-key", API_KEY))
        .respond_with(session_answer(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(&server)
        .api_key_header(fairshare_client::LEGACY_API_KEY_HEADER)
        .build()
        .unwrap();
    assert_eq!(c.api_key_header(), "x-api-key");
    c.sessions().get(SESSION_ID).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(header_of(&requests[0], "x-splitpay-api-key"), None);
}

#[tokio::test]
async fn a_rejected_key_is_unauthorized_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"code":"UNAUTHORIZED","message":"Invalid API key"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server)
        .sessions()
        .get(SESSION_ID)
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(ErrorCode::Unauthorized));
}

#[test]
fn the_client_never_shows_its_key() {
    let c = Client::builder(API_KEY).build().unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(
        shown.contains("https://api.fairsharepay.com/api/v1"),
        "{shown}"
    );
    assert!(shown.contains("X-SplitPay-API-Key"), "{shown}");
    let builder = format!("{:?}", Client::builder(API_KEY));
    assert!(!builder.contains(API_KEY), "{builder}");
}

#[test]
fn the_builder_refuses_settings_that_cannot_work() {
    for (what, result) in [
        ("empty key", Client::builder("").build()),
        ("blank key", Client::builder(" \t").build()),
        ("key with a newline", Client::builder("abc\ndef").build()),
        (
            "bad header name",
            Client::builder(API_KEY).api_key_header("x api key").build(),
        ),
        (
            "bad base URL",
            Client::builder(API_KEY).base_url("not a url").build(),
        ),
        (
            "non-http base URL",
            Client::builder(API_KEY)
                .base_url("ftp://example.com")
                .build(),
        ),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::Config(_))
                || matches!(&err, Error::Validation { field, .. } if field == "api_key"),
            "{what}: {err:?}"
        );
        assert!(!err.to_string().contains(API_KEY), "{what}: {err}");
    }
}

#[test]
fn credentials_in_a_base_url_are_masked_everywhere() {
    let builder =
        Client::builder(API_KEY).base_url("https://user:hunter2@proxy.example/api/v1?token=t0k");
    let shown = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown = format!("{shown} {client:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("t0k"),
        "{shown}"
    );
    assert!(!shown.contains(API_KEY), "{shown}");
    let err = Client::builder(API_KEY)
        .base_url("ftp://user:hunter2@proxy.example")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
