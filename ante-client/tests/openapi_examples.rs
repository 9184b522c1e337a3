//! The examples in `openapi.yaml` decode with the generated types, and the SDK sends the
//! documented request bodies: the document and the code cannot quietly disagree.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::str::FromStr;

use ante_client::generated::models;
use ante_client::{
    Cart, CartFee, CartItem, CreateSession, Customer, GroupConfig, GroupMode, SessionStatus,
    WebhookEventType,
};
use rust_decimal::Decimal;
use serde_json::Value;
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn document() -> Value {
    serde_yaml_ng::from_str(include_str!("../openapi.yaml")).unwrap()
}

fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]
}

fn response_example(doc: &Value, path: &str, method: &str) -> Value {
    let example =
        operation(doc, path, method)["responses"]["200"]["content"]["application/json"]["example"]
            .clone();
    assert!(!example.is_null(), "{method} {path} has no example");
    example
}

fn request_example(doc: &Value, path: &str, method: &str) -> Value {
    operation(doc, path, method)["requestBody"]["content"]["application/json"]["example"].clone()
}

#[test]
fn every_response_example_decodes() {
    let doc = document();
    let created: models::CreateSessionResponse =
        serde_json::from_value(response_example(&doc, "/sessions", "post")).unwrap();
    assert_eq!(created.status, SessionStatus::Pending);
    assert_eq!(
        created.merchant_fee_rate,
        Some(Decimal::from_str("0.0201").unwrap())
    );
    assert!(created.group_access_token.is_some());

    let list: models::ListSessionsResponse =
        serde_json::from_value(response_example(&doc, "/sessions", "get")).unwrap();
    assert_eq!(list.data[0].total_cents, Some(12000));
    assert!(!list.has_more);
    assert_eq!(list.next_cursor, None);

    let session: models::Session =
        serde_json::from_value(response_example(&doc, "/sessions/{sessionId}", "get")).unwrap();
    assert_eq!(session.group.unwrap().members.unwrap().len(), 1);

    let reminded: models::RemindSessionResponse = serde_json::from_value(response_example(
        &doc,
        "/sessions/{sessionId}/remind",
        "post",
    ))
    .unwrap();
    assert_eq!((reminded.reminded, reminded.skipped), (2, 1));

    let merchant: models::Merchant =
        serde_json::from_value(response_example(&doc, "/merchants/me", "get")).unwrap();
    assert_eq!(merchant.headless_api_enabled, Some(false));

    let endpoints: models::ListWebhookEndpointsResponse =
        serde_json::from_value(response_example(&doc, "/webhooks", "get")).unwrap();
    assert_eq!(endpoints.data.unwrap()[0].events.as_ref().unwrap().len(), 3);

    let created: models::CreateWebhookEndpointResponse =
        serde_json::from_value(response_example(&doc, "/webhooks", "post")).unwrap();
    assert_eq!(created.secret.expose(), "whsec_…");
}

#[test]
fn schema_examples_decode() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let error: models::Error = serde_json::from_value(schemas["Error"]["example"].clone()).unwrap();
    assert_eq!(error.error, "Invalid API key format");
    assert_eq!(error.request_id, "791687e6-5099-4f04-8aae-686006109000");

    let event: models::WebhookEvent =
        serde_json::from_value(schemas["WebhookEvent"]["example"].clone()).unwrap();
    assert_eq!(event.type_, WebhookEventType::GroupFunded);
    let funded: models::GroupFundedData =
        serde_json::from_value(event.data.clone().unwrap()).unwrap();
    assert_eq!(funded.total, Some(12500));

    let fx: models::GroupFundedData =
        serde_json::from_value(schemas["GroupFundedData"]["example"].clone()).unwrap();
    assert_eq!(fx.fx_fee_cents, Some(245));
}

#[tokio::test]
async fn the_sdk_sends_the_documented_request_bodies() {
    let doc = document();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(response_example(
            &doc,
            "/sessions",
            "post",
        )))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/webhooks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(response_example(
            &doc,
            "/webhooks",
            "post",
        )))
        .mount(&server)
        .await;
    let client = secret_client(&server);
    let cart = Cart::builder("usd")
        .item(CartItem::new("Ticket", 2, 5000).id("sku_1"))
        .tax(1000)
        .shipping(1000)
        .fee(CartFee::new("cleaning", "Cleaning fee", 500))
        .order_ref("ORD-1042")
        .total(12500)
        .build()
        .unwrap();
    client
        .sessions()
        .create(
            CreateSession::new(cart)
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
                .webhook_url("https://your-store.com/webhooks/ante/ORD-1042"),
        )
        .await
        .unwrap();
    client
        .webhooks()
        .create(
            "https://your-store.com/webhooks/ante",
            [
                WebhookEventType::GroupFunded,
                WebhookEventType::GroupExpired,
                WebhookEventType::GroupCancelled,
            ],
        )
        .await
        .unwrap();
    let sent = server.received_requests().await.unwrap();
    let body = |i: usize| serde_json::from_slice::<Value>(&sent[i].body).unwrap();
    assert_eq!(body(0), request_example(&doc, "/sessions", "post"));
    assert_eq!(body(1), request_example(&doc, "/webhooks", "post"));
}
