//! `GET /merchants/me` and the webhook endpoint API over HTTP against wiremock.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::str::FromStr;

use ante_client::{PayoutCurrencyMode, WebhookEventType};
use rust_decimal::Decimal;
use splitkit_common::Error;
use support::*;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn secret_key_required(err: &Error, call: &str) {
    match err {
        Error::Validation { field, rule } => {
            assert_eq!(field, "api_key");
            assert!(rule.starts_with(call), "{rule}");
            assert!(rule.contains("needs a secret key"), "{rule}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[tokio::test]
async fn merchant_me_decodes_every_documented_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/merchants/me"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .and(NoHeader("origin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"request_id":"req_m","merchant_fee_rate":0.0201,"consumer_fee_rate":0.01,
                "sandbox":true,"stripe_connected":false,"headless_api_enabled":false,
                "payout_currency":{"mode":"preferred","preferred":"usd"}}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let merchant = secret_client(&server).merchants().me().await.unwrap();
    assert_eq!(
        merchant.merchant_fee_rate,
        Some(Decimal::from_str("0.0201").unwrap())
    );
    assert_eq!(
        merchant.consumer_fee_rate,
        Some(Decimal::from_str("0.01").unwrap())
    );
    assert_eq!(merchant.sandbox, Some(true));
    assert_eq!(merchant.stripe_connected, Some(false));
    assert_eq!(merchant.headless_api_enabled, Some(false));
    let payout = merchant.payout_currency.unwrap();
    assert_eq!(payout.mode, Some(PayoutCurrencyMode::Preferred));
    assert_eq!(payout.preferred.as_deref(), Some("usd"));
    assert_eq!(merchant.request_id.as_deref(), Some("req_m"));
}

#[tokio::test]
async fn merchant_me_in_checkout_mode() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/merchants/me"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"payout_currency":{"mode":"checkout","preferred":null}}"#),
        )
        .mount(&server)
        .await;
    let merchant = secret_client(&server).merchants().me().await.unwrap();
    let payout = merchant.payout_currency.unwrap();
    assert_eq!(payout.mode, Some(PayoutCurrencyMode::Checkout));
    assert_eq!(payout.preferred, None);
    assert_eq!(merchant.sandbox, None);
}

#[tokio::test]
async fn publishable_keys_cannot_make_secret_key_calls() {
    let server = MockServer::start().await;
    let client = publishable_client(&server);
    secret_key_required(
        &client.merchants().me().await.unwrap_err(),
        "GET /merchants/me",
    );
    secret_key_required(
        &client.webhooks().list().await.unwrap_err(),
        "GET /webhooks",
    );
    secret_key_required(
        &client
            .webhooks()
            .create(
                "https://shop.example.com/hooks",
                [WebhookEventType::GroupFunded],
            )
            .await
            .unwrap_err(),
        "POST /webhooks",
    );
    secret_key_required(
        &client.webhooks().delete("we_1").await.unwrap_err(),
        "DELETE /webhooks/{id}",
    );
    assert_eq!(request_count(&server).await, 0, "nothing was sent");
}

#[tokio::test]
async fn webhook_endpoints_list() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/webhooks"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .and(NoHeader("origin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"request_id":"req_w","data":[
                {"id":"we_1","url":"https://shop.example.com/hooks/ante","events":["group.funded","group.refunded"]},
                {"id":"we_2","url":"https://shop.example.com/other"}]}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let endpoints = secret_client(&server).webhooks().list().await.unwrap();
    assert!(endpoints.is_complete() && !endpoints.has_next());
    let endpoints = endpoints.items;
    assert_eq!(endpoints.len(), 2);
    assert_eq!(endpoints[0].id, "we_1");
    assert_eq!(endpoints[0].url, "https://shop.example.com/hooks/ante");
    assert_eq!(
        endpoints[0].events.as_deref().unwrap(),
        [
            WebhookEventType::GroupFunded,
            WebhookEventType::Unknown("group.refunded".into())
        ]
    );
    assert_eq!(endpoints[1].events, None);
}

#[tokio::test]
async fn webhook_endpoint_create_returns_the_secret_once_and_masked() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/webhooks"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .and(header("content-type", "application/json"))
        .and(NoHeader("origin"))
        .and(NoHeader("idempotency-key"))
        .and(body_string(
            r#"{"url":"https://shop.example.com/hooks/ante","events":["group.funded","group.cancelled"]}"#,
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"request_id":"req_wc","id":"we_3","url":"https://shop.example.com/hooks/ante",
                "events":["group.funded","group.cancelled"],"secret":"whsec_9f8e7d6c5b4a39281706"}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    let created = secret_client(&server)
        .webhooks()
        .create(
            "https://shop.example.com/hooks/ante",
            [
                WebhookEventType::GroupFunded,
                WebhookEventType::GroupCancelled,
            ],
        )
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("we_3"));
    assert_eq!(created.secret.expose(), "whsec_9f8e7d6c5b4a39281706");
    assert_eq!(created.events.len(), 2);
    assert_eq!(created.request_id.as_deref(), Some("req_wc"));
    let shown = format!("{created:?}");
    assert!(!shown.contains("9f8e7d6c"), "{shown}");
    assert!(shown.contains("WebhookSecret(whsec_***)"), "{shown}");
}

#[tokio::test]
async fn webhook_endpoint_create_is_checked_and_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/webhooks"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = secret_client(&server);
    let err = client
        .webhooks()
        .create(
            "http://shop.example.com/hooks",
            [WebhookEventType::GroupFunded],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "url"),
        "{err}"
    );
    let err = client
        .webhooks()
        .create(
            "https://shop.example.com/hooks",
            [WebhookEventType::Unknown("group.other".into())],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "events"),
        "{err}"
    );
    assert_eq!(request_count(&server).await, 0);
    let err = client
        .webhooks()
        .create(
            "https://shop.example.com/hooks",
            [WebhookEventType::GroupFunded],
        )
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(request_count(&server).await, 1);
}

#[tokio::test]
async fn webhook_endpoint_delete() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/webhooks/we_1"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(header("x-merchant-id", MERCH))
        .and(EmptyBody)
        .and(NoHeader("origin"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"request_id":"req_d"}"#))
        .expect(1)
        .mount(&server)
        .await;
    let client = secret_client(&server);
    client.webhooks().delete("we_1").await.unwrap();
    let err = client.webhooks().delete("").await.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "id"),
        "{err}"
    );
}

#[tokio::test]
async fn plain_http_webhook_urls_are_accepted_only_on_loopback_hosts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/webhooks"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"id":"we_4","url":"http://127.0.0.1:9/hooks","events":["group.funded"],"secret":"whsec_0123456789abcdef0123"}"#,
        ))
        .expect(3)
        .mount(&server)
        .await;
    let client = secret_client(&server);
    for url in [
        "http://127.0.0.1:9/hooks",
        "http://localhost:9/hooks",
        "http://[::1]:9/hooks",
    ] {
        client
            .webhooks()
            .create(url, [WebhookEventType::GroupFunded])
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }
    for url in [
        "http://10.0.0.1/hooks",
        "http://localhost.example.com/hooks",
    ] {
        let err = client
            .webhooks()
            .create(url, [WebhookEventType::GroupFunded])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "url"),
            "{url}: {err}"
        );
    }
}
