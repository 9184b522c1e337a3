//! Sessions over HTTP against wiremock: create, list (pages and stream), get, cancel, remind.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::str::FromStr;

use ante_client::{
    Cart, CartFee, CartItem, CartSignature, Client, CreateSession, Customer, GroupConfig,
    GroupMode, ListSessions, MemberStatus, SecretKey, SessionStatus, SigningSecret,
};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use splitkit_common::Error;
use support::*;
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CREATED: &str = r#"{
  "request_id": "req_create_1",
  "session_id": "j57abc",
  "session_url": "https://splitante.com/session/j57abc?access=org_token_123",
  "status": "pending",
  "expires_at": "2025-06-26T12:00:00.000Z",
  "merchant_fee_rate": 0.0201,
  "consumer_fee_rate": 0.01,
  "group_access_token": "org_token_123"
}"#;

/// The documented request body, as this SDK writes it.
const CREATE_BODY: &str = concat!(
    r#"{"cart":{"total":12500,"currency":"usd","items":[{"id":"sku_1","name":"Ticket","quantity":2,"unit_price":5000}],"tax":1000,"shipping":1000,"fees":[{"id":"cleaning","label":"Cleaning fee","amount":500}],"metadata":{"order_ref":"ORD-1042"}},"#,
    r#""group_config":{"min_size":2,"max_size":6,"default_mode":"equal","allowed_modes":["equal","itemized"],"expiry_hours":48},"#,
    r#""customer":{"name":"Alex","email":"organizer@example.com"},"#,
    r#""success_url":"https://your-store.com/success","cancel_url":"https://your-store.com/cancel","webhook_url":"https://your-store.com/webhooks/ante/ORD-1042"}"#
);

fn documented_cart() -> Cart {
    Cart::builder("usd")
        .item(CartItem::new("Ticket", 2, 5000).id("sku_1"))
        .tax(1000)
        .shipping(1000)
        .fee(CartFee::new("cleaning", "Cleaning fee", 500))
        .order_ref("ORD-1042")
        .total(12500)
        .build()
        .unwrap()
}

fn documented_request() -> CreateSession {
    CreateSession::new(documented_cart())
        .group(
            GroupConfig::new()
                .sizes(2, 6)
                .default_mode(GroupMode::Equal)
                .allowed_modes([GroupMode::Equal, GroupMode::Itemized])
                .expiry_hours(48),
        )
        .customer(Customer::new().email("organizer@example.com").name("Alex"))
        .success_url("https://your-store.com/success")
        .cancel_url("https://your-store.com/cancel")
        .webhook_url("https://your-store.com/webhooks/ante/ORD-1042")
}

#[tokio::test]
async fn create_signs_the_cart_and_sends_the_documented_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-ante-signature", REFERENCE_SIGNATURE))
        .and(header("x-merchant-id", MERCH))
        .and(header("content-type", "application/json"))
        .and(NoHeader("origin"))
        .and(NoHeader("idempotency-key"))
        .and(body_string(CREATE_BODY))
        .respond_with(ResponseTemplate::new(200).set_body_string(CREATED))
        .expect(1)
        .mount(&server)
        .await;
    let session = secret_client(&server)
        .sessions()
        .create(documented_request())
        .await
        .unwrap();
    assert_eq!(session.session_id, "j57abc");
    assert_eq!(session.status, SessionStatus::Pending);
    assert_eq!(
        session.expires_at.to_string(),
        "2025-06-26T12:00:00Z",
        "expires_at"
    );
    assert_eq!(
        session.merchant_fee_rate,
        Some(Decimal::from_str("0.0201").unwrap())
    );
    assert_eq!(
        session.consumer_fee_rate,
        Some(Decimal::from_str("0.01").unwrap())
    );
    assert_eq!(
        session.session_url.expose(),
        "https://splitante.com/session/j57abc?access=org_token_123"
    );
    assert_eq!(
        session.group_access_token.as_ref().unwrap().expose(),
        "org_token_123"
    );
    assert_eq!(session.request_id.as_deref(), Some("req_create_1"));
    let shown = format!("{session:?}");
    assert!(!shown.contains("org_token_123"), "{shown}");
}

#[tokio::test]
async fn create_with_a_publishable_key_signs_too() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .and(header("authorization", format!("Bearer {PK}").as_str()))
        .and(header("x-ante-signature", REFERENCE_SIGNATURE))
        .and(NoHeader("x-merchant-id"))
        .and(NoHeader("origin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(CREATED))
        .expect(1)
        .mount(&server)
        .await;
    let session = publishable_client(&server)
        .sessions()
        .create(CreateSession::new(documented_cart()))
        .await
        .unwrap();
    assert_eq!(session.session_id, "j57abc");
}

#[tokio::test]
async fn unsigned_create_fails_locally_unless_headless() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .and(NoHeader("x-ante-signature"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_string(CREATED))
        .expect(1)
        .mount(&server)
        .await;

    // A publishable key without the signing secret.
    let publishable = Client::builder(ante_client::PublishableKey::parse(PK).unwrap())
        .base_url(base(&server))
        .build()
        .unwrap();
    let err = publishable
        .sessions()
        .create(CreateSession::new(documented_cart()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, rule } if field == "signing_secret" && rule.contains("publishable key")),
        "{err}"
    );

    // A secret key without the signing secret and without `headless`.
    let secret = secret_builder(&server).build().unwrap();
    let err = secret
        .sessions()
        .create(CreateSession::new(documented_cart()))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, rule } if field == "signing_secret" && rule.contains("headless")),
        "{err}"
    );
    assert_eq!(request_count(&server).await, 0);

    // Headless: sent unsigned.
    let headless = secret_builder(&server).headless().build().unwrap();
    headless
        .sessions()
        .create(CreateSession::new(documented_cart()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_given_signature_and_header_name_are_used() {
    let server = MockServer::start().await;
    let given = CartSignature::parse(&"ab".repeat(32)).unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .and(header("x-plurel-signature", given.as_str()))
        .and(NoHeader("x-ante-signature"))
        .respond_with(ResponseTemplate::new(200).set_body_string(CREATED))
        .expect(1)
        .mount(&server)
        .await;
    let client = secret_builder(&server)
        .signing_secret(SigningSecret::parse(SIGN).unwrap())
        .cart_signature_header("X-Plurel-Signature")
        .build()
        .unwrap();
    client
        .sessions()
        .create(CreateSession::new(documented_cart()).signature(given))
        .await
        .unwrap();
}

#[tokio::test]
async fn create_is_never_retried_once_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(503).set_body_string(
            r#"{"request_id":"req_503","error":"Service temporarily unavailable"}"#,
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string(r#"{"request_id":"req_429","error":"Too many requests"}"#),
        )
        .mount(&server)
        .await;
    let client = secret_client(&server);

    let err = client
        .sessions()
        .create(documented_request())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.request_id(), Some("req_503"));
    assert_eq!(request_count(&server).await, 1);

    let err = client
        .sessions()
        .create(documented_request())
        .await
        .unwrap_err();
    match &err {
        Error::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(std::time::Duration::from_secs(1)));
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert_eq!(err.request_id(), Some("req_429"));
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn create_checks_the_request_before_sending() {
    let server = MockServer::start().await;
    let client = secret_client(&server);
    let cases: Vec<(CreateSession, &str, &str)> = vec![
        (
            CreateSession::new(documented_cart()).webhook_url("http://shop.example.com/hook"),
            "webhook_url",
            "must be an absolute https:// URL",
        ),
        (
            CreateSession::new(documented_cart()).success_url("/success"),
            "success_url",
            "must be an absolute http(s):// URL",
        ),
        (
            CreateSession::new(documented_cart()).cancel_url("ftp://x"),
            "cancel_url",
            "must be an absolute http(s):// URL",
        ),
        (
            CreateSession::new(documented_cart()).group(GroupConfig::new().sizes(4, 2)),
            "group_config.max_size",
            "must not be below min_size 4, got 2",
        ),
        (
            CreateSession::new(documented_cart()).group(GroupConfig::new().min_size(0)),
            "group_config.min_size",
            "must be at least 1, got 0",
        ),
        (
            CreateSession::new(documented_cart()).group(GroupConfig::new().expiry_hours(0)),
            "group_config.expiry_hours",
            "must be at least 1, got 0",
        ),
        (
            CreateSession::new(documented_cart()).group(
                GroupConfig::new()
                    .default_mode(GroupMode::Itemized)
                    .allowed_modes([GroupMode::Equal]),
            ),
            "group_config.default_mode",
            "itemized is not one of allowed_modes",
        ),
        (
            CreateSession::new(documented_cart())
                .group(GroupConfig::new().default_mode(GroupMode::Unknown("custom".into()))),
            "group_config.default_mode",
            "\"custom\" is not a mode this SDK can send",
        ),
    ];
    for (request, want_field, want_rule) in cases {
        let err = client.sessions().create(request).await.unwrap_err();
        match err {
            Error::Validation { field, rule } => {
                assert_eq!(field, want_field);
                assert!(rule.starts_with(want_rule), "{rule}");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
    }
    assert_eq!(request_count(&server).await, 0);
}

const PAGE_1: &str = r#"{
  "request_id": "req_l1",
  "data": [
    {"session_id": "j57a", "status": "pending", "order_ref": "ORD-1042", "total_cents": 12000,
     "currency": "usd", "created_at": "2025-06-24T12:00:00.000Z", "expires_at": "2025-06-26T12:00:00.000Z"},
    {"session_id": "j57b", "status": "funded", "order_ref": null, "total_cents": 500,
     "currency": "eur", "created_at": "2025-06-24T11:00:00.000Z", "expires_at": "2025-06-26T11:00:00.000Z"}
  ],
  "has_more": true,
  "next_cursor": 1719230400000
}"#;

const PAGE_2: &str = r#"{
  "request_id": "req_l2",
  "data": [
    {"session_id": "j57c", "status": "pending", "order_ref": "ORD-1040", "total_cents": 3000,
     "currency": "usd", "created_at": "2025-06-23T12:00:00.000Z", "expires_at": "2025-06-25T12:00:00.000Z"}
  ],
  "has_more": false,
  "next_cursor": null
}"#;

async fn mount_pages(server: &MockServer, first_page_calls: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .and(query_param("cursor", "1719230400000"))
        .and(query_param("limit", "2"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .respond_with(ResponseTemplate::new(200).set_body_string(PAGE_2))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .and(query_param("limit", "2"))
        .and(wiremock::matchers::query_param_is_missing("cursor"))
        .and(header("x-merchant-id", MERCH))
        .respond_with(ResponseTemplate::new(200).set_body_string(PAGE_1))
        .expect(first_page_calls)
        .mount(server)
        .await;
}

#[tokio::test]
async fn list_pages_follow_the_cursor() {
    let server = MockServer::start().await;
    mount_pages(&server, 1).await;
    let client = secret_client(&server);
    let first = client
        .sessions()
        .list(ListSessions::new().limit(2))
        .await
        .unwrap();
    assert_eq!(first.items.len(), 2);
    assert_eq!(first.items[0].session_id, "j57a");
    assert_eq!(first.items[0].order_ref.as_deref(), Some("ORD-1042"));
    assert_eq!(first.items[0].total_cents, Some(12000));
    assert_eq!(first.items[0].currency.as_deref(), Some("usd"));
    assert_eq!(
        first.items[0].created_at.map(|t| t.unix_seconds()),
        Some(1_750_766_400)
    );
    assert_eq!(
        first.items[1].status,
        SessionStatus::Unknown("funded".into())
    );
    assert_eq!(first.items[1].order_ref, None);
    assert!(first.has_next());
    assert_eq!(first.next_token(), Some("1719230400000"));

    let second = client.sessions().next_page(&first).await.unwrap().unwrap();
    assert_eq!(second.items[0].session_id, "j57c");
    assert!(!second.has_next());
    assert!(
        client
            .sessions()
            .next_page(&second)
            .await
            .unwrap()
            .is_none()
    );
    assert_no_origin_nor_idempotency(&server).await;
}

#[tokio::test]
async fn stream_reads_every_page_lazily() {
    let server = MockServer::start().await;
    mount_pages(&server, 1).await;
    let client = secret_client(&server);
    let stream = client.sessions().stream(ListSessions::new().limit(2));
    assert_eq!(
        request_count(&server).await,
        0,
        "nothing fetched before reading"
    );
    let ids: Vec<String> = stream.map_ok(|s| s.session_id).try_collect().await.unwrap();
    assert_eq!(ids, ["j57a", "j57b", "j57c"]);
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn list_starts_at_a_given_cursor_and_checks_the_limit() {
    let server = MockServer::start().await;
    mount_pages(&server, 0).await;
    let client = secret_client(&server);
    let page = client
        .sessions()
        .list(ListSessions::new().limit(2).cursor(1_719_230_400_000))
        .await
        .unwrap();
    assert_eq!(page.items[0].session_id, "j57c");

    for limit in [0, 101] {
        let err = client
            .sessions()
            .list(ListSessions::new().limit(limit))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, rule } if field == "limit" && rule == &format!("must be 1 to 100, got {limit}")),
            "{err}"
        );
        let mut stream = Box::pin(client.sessions().stream(ListSessions::new().limit(limit)));
        let first = stream.try_next().await;
        assert!(matches!(first, Err(Error::Validation { .. })), "{first:?}");
    }
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_stream() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"data":[{"session_id":"x","status":"pending"}],"has_more":true,"next_cursor":42}"#,
        ))
        .mount(&server)
        .await;
    let client = secret_client(&server);
    let results: Vec<_> =
        futures_util::StreamExt::collect::<Vec<_>>(client.sessions().stream(ListSessions::new()))
            .await;
    assert!(matches!(
        results.last(),
        Some(Err(Error::PaginationLoop { .. }))
    ));
    assert!(results.len() <= 4, "{results:?}");
}

#[tokio::test]
async fn get_decodes_the_documented_session() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/j57abc"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .and(NoHeader("origin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{
              "request_id": "req_get",
              "session_id": "j57abc",
              "status": "pending",
              "expires_at": "2025-06-26T12:00:00.000Z",
              "order_ref": "ORD-1042",
              "group": {
                "id": "j57grp",
                "size": 4,
                "mode": "equal",
                "paid_amount": 6000,
                "pending_amount": 6000,
                "members": [
                  { "id": "m1", "name": "Alex", "amount_cents": 3000, "status": "paid" },
                  { "id": "m2", "name": "Sam", "amount_cents": 3000, "status": "pending" }
                ]
              },
              "charges": ["pi_123"],
              "transfer": "tr_456"
            }"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let session = secret_client(&server)
        .sessions()
        .get("j57abc")
        .await
        .unwrap();
    assert_eq!(session.session_id, "j57abc");
    assert_eq!(session.order_ref.as_deref(), Some("ORD-1042"));
    let group = session.group.unwrap();
    assert_eq!(group.size, Some(4));
    assert_eq!(group.mode, Some(GroupMode::Equal));
    assert_eq!(
        (group.paid_amount, group.pending_amount),
        (Some(6000), Some(6000))
    );
    let members = group.members.unwrap();
    assert_eq!(members[0].name.as_deref(), Some("Alex"));
    assert_eq!(members[0].amount_cents, Some(3000));
    assert_eq!(members[0].status, Some(MemberStatus::Paid));
    assert_eq!(members[1].status, Some(MemberStatus::Pending));
    assert_eq!(session.charges.unwrap(), ["pi_123"]);
    assert_eq!(session.transfer.as_deref(), Some("tr_456"));
}

#[tokio::test]
async fn ids_are_encoded_and_checked() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/a%2Fb"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"session_id":"a/b","status":"pending"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = secret_client(&server);
    assert_eq!(
        client.sessions().get("a/b").await.unwrap().session_id,
        "a/b"
    );
    for bad in ["", " ", "..", "."] {
        let err = client.sessions().get(bad).await.unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "session_id"),
            "{err}"
        );
        let err = client.sessions().cancel(bad).await.unwrap_err();
        assert!(matches!(&err, Error::Validation { .. }), "{err}");
        let err = client.sessions().remind(bad).await.unwrap_err();
        assert!(matches!(&err, Error::Validation { .. }), "{err}");
    }
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn cancel_posts_an_empty_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/j57abc/cancel"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .and(EmptyBody)
        .and(NoHeader("content-type"))
        .and(NoHeader("origin"))
        .and(NoHeader("x-ante-signature"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"request_id":"req_c"}"#))
        .expect(1)
        .mount(&server)
        .await;
    secret_client(&server)
        .sessions()
        .cancel("j57abc")
        .await
        .unwrap();
}

#[tokio::test]
async fn remind_decodes_the_counts_and_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/j57abc/remind"))
        .and(header("authorization", format!("Bearer {PK}").as_str()))
        .and(EmptyBody)
        .and(NoHeader("origin"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"request_id":"req_r","reminded":2,"skipped":1}"#),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/j57abc/remind"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = publishable_client(&server);
    let counts = client.sessions().remind("j57abc").await.unwrap();
    assert_eq!((counts.reminded, counts.skipped), (2, 1));
    assert_eq!(counts.request_id.as_deref(), Some("req_r"));

    let err = client.sessions().remind("j57abc").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(request_count(&server).await, 2, "the 503 was not retried");
}

#[tokio::test]
async fn the_plurel_host_and_an_unknown_key_kind_work() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/j57abc"))
        .and(header(
            "authorization",
            "Bearer plurel_sk_live_9a8b7c6d5e4f3a2b",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"session_id":"j57abc","status":"pending"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let key = ante_client::ApiKey::parse("plurel_sk_live_9a8b7c6d5e4f3a2b").unwrap();
    let client = Client::builder(key)
        .base_url(base(&server))
        .build()
        .unwrap();
    assert_eq!(client.mode(), ante_client::Mode::Live);
    client.sessions().get("j57abc").await.unwrap();

    // Every documented host is expressible.
    for url in [ante_client::ANTE_BASE_URL, ante_client::PLUREL_BASE_URL] {
        let c = Client::builder(SecretKey::parse(SK).unwrap())
            .base_url(url)
            .build()
            .unwrap();
        assert_eq!(c.api().base_url().as_str(), url);
    }
    assert!(
        Client::builder(SecretKey::parse(SK).unwrap())
            .base_url("not a url")
            .build()
            .is_err()
    );
}
