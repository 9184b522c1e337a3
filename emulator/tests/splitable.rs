//! Splitable over HTTP: form-encoded creation, error bodies, paid members, retried callbacks.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};
use splitkit_emulator::{RunningEmulator, seed};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use common::{control, delivery, http, start};

fn form(notify_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("api_key", seed::SPLITABLE_API_KEY.to_string()),
        ("invoice", "3789273937239273".to_string()),
        ("api_notify_url", notify_url.to_string()),
        ("total_amount", "35000".to_string()),
        ("expires_in", "48".to_string()),
        ("shipping", "1000".to_string()),
        ("tax", "4000".to_string()),
        ("api_secret", "per-split-secret".to_string()),
        ("item_name_1", "Essential Calculus Book".to_string()),
        ("quantity_1", "1".to_string()),
        ("amount_1", "20000".to_string()),
        (
            "url_1",
            "http://www.yourcompany.com/products/essential-calculus-book".to_string(),
        ),
        ("item_name_2", "Marine Biology Book".to_string()),
        ("amount_2", "10000".to_string()),
        ("quantity_2", "1".to_string()),
    ]
}

async fn create(emulator: &RunningEmulator, fields: &[(&str, String)]) -> reqwest::Response {
    http()
        .post(format!("{}/api/splits", emulator.splitable_base_url()))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn paid_split_calls_back_and_retries_after_a_non_200_answer() {
    let emulator = start(common::config()).await;
    let shop = MockServer::start().await;
    // The shop's handler fails once (500), then a 201 (not 200: still retried), then 200.
    Mock::given(method("POST"))
        .and(path("/notify"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&shop)
        .await;
    Mock::given(method("POST"))
        .and(path("/notify"))
        .respond_with(ResponseTemplate::new(201))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&shop)
        .await;
    Mock::given(method("POST"))
        .and(path("/notify"))
        .respond_with(ResponseTemplate::new(200))
        .with_priority(3)
        .mount(&shop)
        .await;

    let response = create(&emulator, &form(&format!("{}/notify", shop.uri()))).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["split_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 52);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(
        created["split_url"].as_str().unwrap(),
        format!("{}/cws/{id}", emulator.splitable_base_url())
    );

    control(
        &emulator,
        &format!("/splitable/splits/{id}/pay"),
        json!({ "name": "Ann", "email": "ann@example.com", "amount": 15000 }),
        200,
    )
    .await;
    let state = control(
        &emulator,
        &format!("/splitable/splits/{id}/pay"),
        json!({ "name": "Bob", "email": "bob@example.com" }),
        200,
    )
    .await;
    assert_eq!(state["status"], "paid");

    let acknowledged = delivery(&emulator, |d| d.status == Some(200)).await;
    assert_eq!(acknowledged.attempt, 3);
    assert!(acknowledged.delivered);
    assert_eq!(
        acknowledged.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let fields = acknowledged.form();
    assert_eq!(
        fields.get("invoice").map(String::as_str),
        Some("3789273937239273")
    );
    assert_eq!(
        fields.get("payment_status").map(String::as_str),
        Some("paid")
    );
    assert_eq!(
        fields.get("api_secret").map(String::as_str),
        Some("per-split-secret")
    );
    let transaction_id = fields.get("transaction_id").cloned().unwrap();

    let attempts: Vec<_> = emulator.webhooks_sent();
    assert_eq!(attempts.len(), 3);
    assert_eq!(
        attempts.iter().map(|d| d.status).collect::<Vec<_>>(),
        vec![Some(500), Some(201), Some(200)]
    );
    assert!(
        attempts
            .iter()
            .all(|d| d.form().get("transaction_id") == Some(&transaction_id))
    );
    assert_eq!(shop.received_requests().await.unwrap().len(), 3);

    let members: Value = http()
        .get(format!(
            "{}/api/splits/{id}/paid_members?api_key={}",
            emulator.splitable_base_url(),
            seed::SPLITABLE_API_KEY
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        members,
        json!([{ "name": "Ann", "email": "ann@example.com" }, { "name": "Bob", "email": "bob@example.com" }])
    );
    control(
        &emulator,
        &format!("/splitable/splits/{id}/pay"),
        json!({}),
        409,
    )
    .await;
}

#[tokio::test]
async fn errors_are_json_bodies_with_the_draft_hosts_status() {
    let emulator = start(common::config()).await;
    let mut no_key = form("http://127.0.0.1:9/notify");
    no_key.retain(|(k, _)| *k != "api_key");
    let response = create(&emulator, &no_key).await;
    assert_eq!(
        response.status(),
        200,
        "the draft host answers errors with 200"
    );
    assert_eq!(response.headers()["x-request-id"].len(), 32);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({ "error": "api_key is missing" })
    );

    let mut wrong_key = form("http://127.0.0.1:9/notify");
    wrong_key[0].1 = "0000000000000000".into();
    assert_eq!(
        create(&emulator, &wrong_key)
            .await
            .json::<Value>()
            .await
            .unwrap()["error"],
        "api_key is invalid"
    );

    let mut no_items = form("http://127.0.0.1:9/notify");
    no_items.retain(|(k, _)| !k.ends_with("_1") && !k.ends_with("_2"));
    assert_eq!(
        create(&emulator, &no_items)
            .await
            .json::<Value>()
            .await
            .unwrap()["error"],
        "Order must have atleast one line item"
    );

    let mut missing_invoice = form("http://127.0.0.1:9/notify");
    missing_invoice.retain(|(k, _)| *k != "invoice");
    assert_eq!(
        create(&emulator, &missing_invoice)
            .await
            .json::<Value>()
            .await
            .unwrap()["error"],
        "invoice is missing"
    );

    // JSON instead of a form.
    let json_body = http()
        .post(format!("{}/api/splits", emulator.splitable_base_url()))
        .json(&json!({ "api_key": seed::SPLITABLE_API_KEY }))
        .send()
        .await
        .unwrap();
    assert!(
        json_body.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .starts_with("the request must be a form")
    );

    let unknown = http()
        .get(format!(
            "{}/api/splits/abc/paid_members?api_key={}",
            emulator.splitable_base_url(),
            seed::SPLITABLE_API_KEY
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"],
        "Split not found"
    );

    let live = start(common::config().splitable_error_status(500)).await;
    let response = create(&live, &no_key).await;
    assert_eq!(
        response.status(),
        500,
        "the live host answers errors with 500"
    );
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "api_key is missing"
    );
}

#[tokio::test]
async fn unpaid_splits_are_cancelled_when_they_expire() {
    let emulator = start(common::config()).await;
    let shop = common::receiver().await;
    let mut fields = form(&format!("{}/notify", shop.uri()));
    fields.retain(|(k, _)| *k != "api_secret");
    // Over 120 hours: silently replaced by the default of 120.
    fields
        .iter_mut()
        .filter(|(k, _)| *k == "expires_in")
        .for_each(|f| f.1 = "500".into());
    let id = create(&emulator, &fields)
        .await
        .json::<Value>()
        .await
        .unwrap()["split_id"]
        .as_str()
        .unwrap()
        .to_string();
    control(
        &emulator,
        &format!("/splitable/splits/{id}/pay"),
        json!({ "amount": 100 }),
        200,
    )
    .await;
    emulator.advance_clock(std::time::Duration::from_secs(119 * 3600));
    assert!(emulator.webhooks_sent().is_empty());
    emulator.advance_clock(std::time::Duration::from_secs(3600));
    let callback = delivery(&emulator, |_| true).await;
    let fields = callback.form();
    assert_eq!(
        fields.get("payment_status").map(String::as_str),
        Some("cancelled")
    );
    assert_eq!(
        fields.get("api_secret").map(String::as_str),
        Some(seed::SPLITABLE_API_SECRET)
    );
}
