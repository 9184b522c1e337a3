//! FairShare over HTTP: idempotent creation, validation codes, contributions, signed webhooks.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};
use splitkit_common::webhook::{WebhookError, signature_matches};
use splitkit_emulator::{RunningEmulator, WebhookDelivery, seed};

use common::{control, delivery, http, receiver, start};

fn equal_split() -> Value {
    json!({
        "totalAmountQar": 200,
        "currency": "QAR",
        "splitType": "EQUAL_COUNT",
        "expectedContributors": 4,
        "convenienceFeeType": "FIXED_PER_CONTRIBUTION",
        "convenienceFeeValue": 2.5,
        "detailTitle": "Group order",
        "expiryMinutes": 20,
        "meta": "order-123",
        "successRedirectUrl": "https://example.com/success"
    })
}

async fn post(
    emulator: &RunningEmulator,
    key: &str,
    idempotency_key: Option<&str>,
    body: &Value,
) -> reqwest::Response {
    let mut request = http()
        .post(format!("{}/split-sessions", emulator.fairshare_base_url()))
        .header("X-SplitPay-API-Key", key)
        .json(body);
    if let Some(k) = idempotency_key {
        request = request.header("Idempotency-Key", k);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn idempotency_replays_the_same_session_and_rejects_another_body() {
    let emulator = start(common::config()).await;
    let first = post(
        &emulator,
        seed::FAIRSHARE_API_KEY,
        Some("order-123-create"),
        &equal_split(),
    )
    .await;
    assert_eq!(first.status(), 201);
    let first_text = first.text().await.unwrap();
    // Decimal money keeps two places on the wire.
    assert!(first_text.contains("\"total\":200.00"), "{first_text}");
    assert!(
        first_text.contains("\"convenienceFeeValue\":2.50"),
        "{first_text}"
    );
    let first: Value = serde_json::from_str(&first_text).unwrap();
    assert_eq!(first["status"], "PENDING");
    assert_eq!(first["gateway"], "STRIPE");
    assert_eq!(first["expectedContributors"], 4);
    let id = first["id"].as_str().unwrap();
    assert_eq!(
        first["splitSessionLink"].as_str().unwrap(),
        format!("{}/fairshare/contributor/{id}", emulator.base_url())
    );

    let replay = post(
        &emulator,
        seed::FAIRSHARE_API_KEY,
        Some("order-123-create"),
        &equal_split(),
    )
    .await;
    assert_eq!(replay.status(), 200);
    assert_eq!(replay.json::<Value>().await.unwrap()["id"], id);

    let mut other = equal_split();
    other["totalAmountQar"] = json!(300);
    let conflict = post(
        &emulator,
        seed::FAIRSHARE_API_KEY,
        Some("order-123-create"),
        &other,
    )
    .await;
    assert_eq!(conflict.status(), 409);
    let error: Value = conflict.json().await.unwrap();
    assert_eq!(error["code"], "IDEMPOTENCY_KEY_REUSED");
    assert!(error["message"].is_string());

    let too_long = "k".repeat(121);
    let invalid = post(
        &emulator,
        seed::FAIRSHARE_API_KEY,
        Some(&too_long),
        &equal_split(),
    )
    .await;
    assert_eq!(invalid.status(), 400);
    assert_eq!(
        invalid.json::<Value>().await.unwrap()["code"],
        "IDEMPOTENCY_KEY_INVALID"
    );

    // Without a key every request is a new session.
    let a = post(&emulator, seed::FAIRSHARE_API_KEY, None, &equal_split())
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_ne!(a["id"], id);
}

#[tokio::test]
async fn keys_and_validation_answer_fairshare_codes() {
    let emulator = start(common::config()).await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("wrong key", equal_split(), 401, "UNAUTHORIZED"),
        (
            seed::FAIRSHARE_LIVE_API_KEY,
            equal_split(),
            403,
            "LIVE_ACCESS_DISABLED",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "currency": "QAR", "splitType": "EQUAL_COUNT" }),
            400,
            "VALIDATION_ERROR",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 10, "currency": "QAR", "splitType": "HALVES" }),
            400,
            "VALIDATION_ERROR",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 10, "currency": "QAR", "splitType": "EQUAL_COUNT", "expectedContributors": 11 }),
            400,
            "EXPECTED_CONTRIBUTORS_INVALID",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 10, "currency": "QAR", "splitType": "PROPORTIONAL_POOL", "convenienceFeeType": "PERCENT" }),
            400,
            "CONVENIENCE_FEE_INVALID",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 10, "currency": "QAR", "splitType": "PROPORTIONAL_POOL", "expiryMinutes": 90 }),
            400,
            "VALIDATION_ERROR",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 0, "currency": "QAR", "splitType": "PROPORTIONAL_POOL" }),
            400,
            "VALIDATION_ERROR",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 100, "currency": "QAR", "splitType": "ITEM_CLAIM" }),
            400,
            "VALIDATION_ERROR",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 100, "currency": "QAR", "splitType": "ITEM_CLAIM",
            "items": [{ "id": "a", "description": "A", "price": "40", "quantity": 2 }] }),
            400,
            "VALIDATION_ERROR",
        ),
        (
            seed::FAIRSHARE_API_KEY,
            json!({ "totalAmountQar": 100, "currency": "QAR", "splitType": "EQUAL_COUNT",
            "meta": "m".repeat(1025) }),
            400,
            "VALIDATION_ERROR",
        ),
    ];
    for (key, body, status, code) in cases {
        let response = post(&emulator, key, None, &body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], code, "{body}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let missing_key = http()
        .get(format!(
            "{}/split-sessions/x",
            emulator.fairshare_base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing_key.status(), 401);
    // The older documented header name works too.
    let old_header = http()
        .get(format!(
            "{}/split-sessions/nope",
            emulator.fairshare_base_url()
        ))
        .header("x-api-key", seed::FAIRSHARE_API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(old_header.status(), 404);
    assert_eq!(
        old_header.json::<Value>().await.unwrap()["code"],
        "NOT_FOUND"
    );
}

fn verify(d: &WebhookDelivery, key: &str) -> Result<(), WebhookError> {
    let ts = d.header("x-splitpay-timestamp").unwrap();
    let signature = d
        .header("x-splitpay-signature")
        .unwrap()
        .strip_prefix("v1=")
        .unwrap();
    signature_matches(key, &[ts.as_bytes(), b".", d.body.as_bytes()], signature)
        .then_some(())
        .ok_or(WebhookError::SignatureMismatch)
}

#[tokio::test]
async fn equal_split_contributions_complete_the_session_with_signed_events() {
    let emulator = start(common::config()).await;
    let hooks = receiver().await;
    control(
        &emulator,
        "/fairshare/webhook-url",
        json!({ "url": format!("{}/fs", hooks.uri()) }),
        200,
    )
    .await;
    let mut body = equal_split();
    body.as_object_mut().unwrap().remove("expectedContributors");
    let session: Value = post(&emulator, seed::FAIRSHARE_API_KEY, None, &body)
        .await
        .json()
        .await
        .unwrap();
    let id = session["id"].as_str().unwrap().to_string();

    // EQUAL_COUNT needs expectedContributors before contributions.
    control(
        &emulator,
        &format!("/fairshare/split-sessions/{id}/contributions"),
        json!({}),
        409,
    )
    .await;
    let set = http()
        .post(format!(
            "{}/split-sessions/{id}/expected-contributors",
            emulator.fairshare_base_url()
        ))
        .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
        .json(&json!({ "expectedContributors": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    assert_eq!(
        set.json::<Value>().await.unwrap()["expectedContributors"],
        3
    );

    let lead = control(
        &emulator,
        &format!("/fairshare/split-sessions/{id}/contributions"),
        json!({ "name": "Lead", "email": "lead@example.com" }),
        200,
    )
    .await;
    assert_eq!(lead["status"], "PARTIAL");
    assert_eq!(lead["collected"], json!(66.66));
    assert_eq!(lead["leadContributorName"], "Lead");
    assert_eq!(lead["contributions"][0]["convenienceFee"], json!(2.5));
    control(
        &emulator,
        &format!("/fairshare/split-sessions/{id}/contributions"),
        json!({ "amount": 66.66 }),
        200,
    )
    .await;
    let done = control(
        &emulator,
        &format!("/fairshare/split-sessions/{id}/contributions"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(done["status"], "COMPLETED");
    assert_eq!(done["collected"], json!(200.0));
    assert!(done["completedAt"].is_string());

    let completed = delivery(&emulator, |d| d.event_type == "split_session.completed").await;
    assert_eq!(completed.status, Some(200));
    verify(&completed, seed::FAIRSHARE_WEBHOOK_SIGNING_KEY).unwrap();
    assert_eq!(
        verify(&completed, "another key"),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        completed.header("x-splitpay-event"),
        Some("split_session.completed")
    );
    let event = completed.json().unwrap();
    assert_eq!(event["type"], "split_session.completed");
    assert_eq!(event["data"]["object"]["id"], id.as_str());
    assert_eq!(event["data"]["object"]["status"], "COMPLETED");
    assert!(completed.body.contains("\"total\":200.00"));

    let types: Vec<String> = emulator
        .webhooks_sent()
        .iter()
        .map(|d| d.event_type.clone())
        .collect();
    for expected in [
        "split_session.created",
        "contribution.created",
        "split_session.lead_authorized",
        "split_session.partial",
        "split_session.status_changed",
        "split_session.completed",
    ] {
        assert!(
            types.iter().any(|t| t == expected),
            "{expected} missing from {types:?}"
        );
    }
    let deliveries: Vec<String> = emulator
        .webhooks_sent()
        .iter()
        .filter_map(|d| d.header("x-splitpay-delivery").map(str::to_string))
        .collect();
    let mut unique = deliveries.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        deliveries.len(),
        "delivery ids are per attempt"
    );

    let closed = http()
        .post(format!(
            "{}/split-sessions/{id}/expected-contributors",
            emulator.fairshare_base_url()
        ))
        .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
        .json(&json!({ "expectedContributors": 4 }))
        .send()
        .await
        .unwrap();
    assert_eq!(closed.status(), 409);
    assert_eq!(
        closed.json::<Value>().await.unwrap()["code"],
        "BUSINESS_RULE_VIOLATION"
    );

    let refunded = control(
        &emulator,
        &format!("/fairshare/split-sessions/{id}/refund"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(refunded["status"], "REFUNDED");
    delivery(&emulator, |d| d.event_type == "split_session.refunded").await;
}

#[tokio::test]
async fn sessions_expire_on_the_emulator_clock_and_item_claims_add_up() {
    let emulator =
        start(common::config().fairshare_webhook_url("http://127.0.0.1:9/unreachable")).await;
    let pool: Value = post(
        &emulator,
        seed::FAIRSHARE_API_KEY,
        None,
        &json!({ "totalAmountQar": 300, "currency": "QAR", "splitType": "PROPORTIONAL_POOL", "expiryMinutes": 5 }),
    )
    .await
    .json()
    .await
    .unwrap();
    let pool_id = pool["id"].as_str().unwrap().to_string();
    control(
        &emulator,
        &format!("/fairshare/split-sessions/{pool_id}/contributions"),
        json!({ "amount": 100.25 }),
        200,
    )
    .await;
    control(
        &emulator,
        &format!("/fairshare/split-sessions/{pool_id}/contributions"),
        json!({ "amount": 500 }),
        409,
    )
    .await;

    let items: Value = post(
        &emulator,
        seed::FAIRSHARE_API_KEY,
        None,
        &json!({ "totalAmountQar": 120, "currency": "QAR", "splitType": "ITEM_CLAIM",
            "items": [{ "id": "pizza-1", "description": "Pizza", "price": 40, "quantity": 2 },
                      { "id": "drink-1", "description": "Soft Drink", "price": 20, "quantity": 2 }] }),
    )
    .await
    .json()
    .await
    .unwrap();
    let items_id = items["id"].as_str().unwrap().to_string();
    let claimed = control(
        &emulator,
        &format!("/fairshare/split-sessions/{items_id}/contributions"),
        json!({ "items": [{ "id": "pizza-1", "quantity": 2 }] }),
        200,
    )
    .await;
    assert_eq!(claimed["collected"], json!(80.0));
    control(
        &emulator,
        &format!("/fairshare/split-sessions/{items_id}/contributions"),
        json!({ "items": [{ "id": "pizza-1", "quantity": 1 }] }),
        409,
    )
    .await;

    emulator.advance_clock(std::time::Duration::from_secs(6 * 60));
    let expired: Value = http()
        .get(format!(
            "{}/split-sessions/{pool_id}",
            emulator.fairshare_base_url()
        ))
        .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(expired["status"], "EXPIRED");
    assert_eq!(expired["collected"], json!(100.25));
    // The unreachable receiver is retried, every attempt logged without a status.
    let failed = delivery(&emulator, |d| {
        d.event_type == "split_session.expired" && d.attempt == 2
    })
    .await;
    assert_eq!(failed.status, None);
    assert!(failed.error.is_some());
    assert!(!failed.delivered);
}
