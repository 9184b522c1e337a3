//! Ante over HTTP: signed sessions, payment, funded/expired/cancelled webhooks, errors.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use serde_json::{Value, json};
use splitkit_common::Clock;
use splitkit_common::webhook::{WebhookError, sign, signature_matches};
use splitkit_emulator::{RunningEmulator, WebhookDelivery, seed};

use common::{control, delivery, http, receiver, start};

fn cart(total: i64) -> Value {
    json!({
        "total": total,
        "currency": "usd",
        "items": [{ "id": "sku_1", "name": "Ticket", "quantity": 2, "unit_price": (total - 2500) / 2 }],
        "tax": 1000,
        "shipping": 1000,
        "fees": [{ "id": "cleaning", "label": "Cleaning fee", "amount": 500 }],
        "metadata": { "order_ref": "ORD-1042" }
    })
}

/// The canonical cart, built independently of the emulator from the documented rules.
fn signature(total: i64, secret: &str) -> String {
    let canonical = format!(
        r#"{{"total":{total},"currency":"usd","items":[{{"id":"sku_1","name":"Ticket","quantity":2,"unit_price":{}}}],"tax":1000,"shipping":1000,"fees":[{{"id":"cleaning","label":"Cleaning fee","amount":500}}],"metadata":{{"order_ref":"ORD-1042"}}}}"#,
        (total - 2500) / 2
    );
    sign(secret, &[canonical.as_bytes()])
}

async fn create(
    emulator: &RunningEmulator,
    key: &str,
    body: Value,
    signature: Option<&str>,
) -> reqwest::Response {
    let mut request = http()
        .post(format!("{}/sessions", emulator.ante_base_url()))
        .bearer_auth(key)
        .json(&body);
    if let Some(s) = signature {
        request = request.header("X-Ante-Signature", s);
    }
    request.send().await.unwrap()
}

async fn create_ok(emulator: &RunningEmulator, total: i64, extra: Value) -> Value {
    let mut body = json!({ "cart": cart(total), "group_config": { "min_size": 2, "max_size": 6 } });
    if let (Some(obj), Value::Object(extra)) = (body.as_object_mut(), extra) {
        obj.extend(extra);
    }
    let sig = signature(total, seed::ANTE_SIGNING_SECRET);
    let response = create(emulator, seed::ANTE_TEST_PUBLISHABLE_KEY, body, Some(&sig)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn verify(d: &WebhookDelivery, secret: &str) -> Result<(), WebhookError> {
    let header = d.header("ante-signature").unwrap();
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = Some(value.parse::<i64>().unwrap()),
            Some(("v1", value)) => v1.push(value),
            _ => {}
        }
    }
    let t = t.unwrap();
    let message = [
        t.to_string().into_bytes(),
        b".".to_vec(),
        d.body.clone().into_bytes(),
    ];
    let parts: Vec<&[u8]> = message.iter().map(Vec::as_slice).collect();
    v1.iter()
        .any(|sig| signature_matches(secret, &parts, sig))
        .then_some(())
        .ok_or(WebhookError::SignatureMismatch)
}

#[tokio::test]
async fn signed_session_paid_in_full_sends_signed_group_funded() {
    let emulator = start(common::config()).await;
    let hooks = receiver().await;
    let endpoint: Value = http()
        .post(format!("{}/webhooks", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .json(&json!({ "url": format!("{}/ante", hooks.uri()), "events": ["group.created", "group.funded"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let whsec = endpoint["secret"].as_str().unwrap().to_string();
    assert!(whsec.starts_with("whsec_"));

    let created = create_ok(
        &emulator,
        12500,
        json!({ "webhook_url": format!("{}/per-session", hooks.uri()), "customer": { "name": "Alex", "email": "alex@example.com" } }),
    )
    .await;
    assert_eq!(created["status"], "pending");
    assert_eq!(created["merchant_fee_rate"], 0.0201);
    let id = created["session_id"].as_str().unwrap().to_string();
    assert!(
        created["session_url"]
            .as_str()
            .unwrap()
            .contains(&format!("/ante/session/{id}?access="))
    );
    assert!(created["request_id"].is_string());

    let paid = control(
        &emulator,
        &format!("/ante/sessions/{id}/pay"),
        json!({}),
        200,
    )
    .await;
    assert_eq!(paid["status"], "funded");

    let funded = delivery(&emulator, |d| {
        d.event_type == "group.funded" && d.url.ends_with("/ante")
    })
    .await;
    assert_eq!(funded.status, Some(200));
    verify(&funded, &whsec).unwrap();
    assert_eq!(
        verify(&funded, seed::ANTE_SIGNING_SECRET),
        Err(WebhookError::SignatureMismatch)
    );
    let event = funded.json().unwrap();
    assert!(event["id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(event["type"], "group.funded");
    assert_eq!(event["data"]["session_id"], id.as_str());
    assert_eq!(event["data"]["total"], 12500);
    assert_eq!(event["data"]["merchant_fee"], 251);
    assert_eq!(event["data"]["order_ref"], "ORD-1042");
    assert_eq!(event["data"]["transfer_id"], "none");
    assert_eq!(event["data"]["sandbox_payout_skipped"], true);

    // The per-session URL gets the same event, signed with the signing secret.
    let per_session = delivery(&emulator, |d| {
        d.event_type == "group.funded" && d.url.ends_with("/per-session")
    })
    .await;
    verify(&per_session, seed::ANTE_SIGNING_SECRET).unwrap();
    assert_eq!(per_session.json().unwrap()["id"], event["id"]);
    // group.created came first (the group was opened by the first payment).
    let created_event = delivery(&emulator, |d| {
        d.event_type == "group.created" && d.url.ends_with("/ante")
    })
    .await;
    assert!(created_event.seq < funded.seq);

    // The receiver really got the bytes that were signed.
    let received = hooks.received_requests().await.unwrap();
    assert!(received.iter().any(|r| r.body == funded.body.as_bytes()));

    let session: Value = http()
        .get(format!("{}/sessions/{id}", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_PUBLISHABLE_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["status"], "funded");
    assert_eq!(session["group"]["size"], 2);
    assert_eq!(session["group"]["paid_amount"], 12500);
    assert_eq!(session["group"]["pending_amount"], 0);
    assert_eq!(session["group"]["members"][0]["name"], "Alex");
    assert_eq!(session["charges"].as_array().unwrap().len(), 2);
    assert_eq!(session["transfer"], "none");
}

#[tokio::test]
async fn bad_keys_and_signatures_answer_antes_error_shape() {
    let emulator = start(common::config()).await;
    let body = json!({ "cart": cart(12500) });
    let good = signature(12500, seed::ANTE_SIGNING_SECRET);

    let response = create(&emulator, "sk_test_123", body.clone(), Some(&good)).await;
    assert_eq!(response.status(), 401);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "Invalid API key format");
    assert!(error["request_id"].is_string());

    let response = create(
        &emulator,
        "ante_sk_test_not_the_real_one_0000000",
        body.clone(),
        Some(&good),
    )
    .await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "Invalid or revoked API key"
    );

    // Signed with the secret API key instead of the signing secret.
    let wrong = signature(12500, seed::ANTE_TEST_SECRET_KEY);
    let response = create(
        &emulator,
        seed::ANTE_TEST_PUBLISHABLE_KEY,
        body.clone(),
        Some(&wrong),
    )
    .await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "Invalid cart signature (X-Ante-Signature)");
    assert!(error["details"].as_array().unwrap().len() >= 3);

    // A cart changed after signing.
    let mut tampered = body.clone();
    tampered["cart"]["metadata"]["order_ref"] = json!("ORD-9999");
    let response = create(
        &emulator,
        seed::ANTE_TEST_PUBLISHABLE_KEY,
        tampered,
        Some(&good),
    )
    .await;
    assert_eq!(response.status(), 400);

    // Publishable key without a signature; secret key without one and no headless onboarding.
    let response = create(
        &emulator,
        seed::ANTE_TEST_PUBLISHABLE_KEY,
        body.clone(),
        None,
    )
    .await;
    assert_eq!(response.status(), 400);
    let response = create(&emulator, seed::ANTE_TEST_SECRET_KEY, body.clone(), None).await;
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "Headless REST requires onboarding"
    );

    // Secret key signing its own cart works; X-Merchant-ID must match.
    let response = create(
        &emulator,
        seed::ANTE_TEST_SECRET_KEY,
        body.clone(),
        Some(&good),
    )
    .await;
    assert_eq!(response.status(), 200);
    let response = http()
        .post(format!("{}/sessions", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .header("X-Merchant-ID", "ante_merch_someone_else")
        .header("X-Ante-Signature", &good)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // A secret key from a browser.
    let response = http()
        .get(format!("{}/sessions", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "Secret API keys must not be used from browser clients"
    );
}

#[tokio::test]
async fn cart_rules_are_enforced_before_creation() {
    let emulator = start(common::config()).await;
    let mut body = json!({ "cart": cart(12500) });
    body["cart"]["total"] = json!(12400);
    let sig = {
        let canonical = r#"{"total":12400,"currency":"usd","items":[{"id":"sku_1","name":"Ticket","quantity":2,"unit_price":5000}],"tax":1000,"shipping":1000,"fees":[{"id":"cleaning","label":"Cleaning fee","amount":500}],"metadata":{"order_ref":"ORD-1042"}}"#;
        sign(seed::ANTE_SIGNING_SECRET, &[canonical.as_bytes()])
    };
    let response = create(&emulator, seed::ANTE_TEST_PUBLISHABLE_KEY, body, Some(&sig)).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .starts_with("Cart total does not match"),
        "{error}"
    );

    let response = create(
        &emulator,
        seed::ANTE_TEST_PUBLISHABLE_KEY,
        json!({ "cart": { "items": [] } }),
        None,
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "cart.total, cart.currency required"
    );

    let response = http()
        .post(format!("{}/sessions", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_PUBLISHABLE_KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON")
    );

    // Below the merchant's minimum order total.
    let small = json!({ "cart": { "total": 500, "currency": "usd", "items": [{ "id": "a", "name": "A", "quantity": 1, "unit_price": 500 }] } });
    let canonical = r#"{"total":500,"currency":"usd","items":[{"id":"a","name":"A","quantity":1,"unit_price":500}],"tax":0,"shipping":0,"fees":[]}"#;
    let sig = sign(seed::ANTE_SIGNING_SECRET, &[canonical.as_bytes()]);
    let response = create(
        &emulator,
        seed::ANTE_TEST_PUBLISHABLE_KEY,
        small,
        Some(&sig),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(
        response.json::<Value>().await.unwrap()["error"]
            .as_str()
            .unwrap()
            .starts_with("Order total must be at least")
    );
}

#[tokio::test]
async fn sessions_list_with_a_cursor_newest_first() {
    let emulator = start(common::config()).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            create_ok(&emulator, 12500, json!({})).await["session_id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let list = |query: String| {
        let url = format!("{}/sessions?{query}", emulator.ante_base_url());
        async move {
            http()
                .get(url)
                .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let first = list("limit=2".into()).await;
    assert_eq!(first["has_more"], true);
    let page: Vec<&str> = first["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session_id"].as_str().unwrap())
        .collect();
    assert_eq!(page, vec![ids[2].as_str(), ids[1].as_str()]);
    assert_eq!(first["data"][0]["total_cents"], 12500);
    assert_eq!(first["data"][0]["order_ref"], "ORD-1042");
    let cursor = first["next_cursor"].as_i64().unwrap();
    let second = list(format!("limit=2&cursor={cursor}")).await;
    assert_eq!(second["has_more"], false);
    assert!(second["next_cursor"].is_null());
    assert_eq!(second["data"][0]["session_id"], ids[0].as_str());
    // Live keys see none of the sandbox sessions.
    let live: Value = http()
        .get(format!("{}/sessions", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_LIVE_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(live["data"].as_array().unwrap().len(), 0);
    let bad = http()
        .get(format!("{}/sessions?limit=101", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn expiry_and_cancellation_refund_and_notify() {
    let emulator = start(common::config()).await;
    let hooks = receiver().await;
    let hook = json!({ "webhook_url": format!("{}/h", hooks.uri()) });
    let expiring = create_ok(&emulator, 12500, hook.clone()).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let cancelled = create_ok(&emulator, 12500, hook).await["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    control(
        &emulator,
        &format!("/ante/sessions/{cancelled}/pay"),
        json!({ "count": 1 }),
        200,
    )
    .await;

    let response = http()
        .post(format!(
            "{}/sessions/{cancelled}/cancel",
            emulator.ante_base_url()
        ))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let event = delivery(&emulator, |d| d.event_type == "group.cancelled")
        .await
        .json()
        .unwrap();
    assert_eq!(event["data"]["session_id"], cancelled.as_str());
    assert_eq!(event["data"]["refunded"], true);
    assert_eq!(event["data"]["reason"], "cancelled");
    let again = http()
        .post(format!(
            "{}/sessions/{cancelled}/cancel",
            emulator.ante_base_url()
        ))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);

    // 48 hours (the default expiry) later the other session expires.
    emulator.advance_clock(Duration::from_secs(48 * 3600 + 1));
    let expired = delivery(&emulator, |d| d.event_type == "group.expired").await;
    let event = expired.json().unwrap();
    assert_eq!(event["data"]["session_id"], expiring.as_str());
    assert_eq!(event["data"]["reason"], "expired");
    // Its timestamp is on the emulator clock: verify with it.
    let header = expired.header("ante-signature").unwrap().to_string();
    let t: i64 = header
        .split(',')
        .next()
        .unwrap()
        .trim_start_matches("t=")
        .parse()
        .unwrap();
    let v1 = header.split(",v1=").nth(1).unwrap();
    let message = [
        t.to_string().into_bytes(),
        b".".to_vec(),
        expired.body.clone().into_bytes(),
    ]
    .concat();
    assert!(signature_matches(
        seed::ANTE_SIGNING_SECRET,
        &[&message],
        v1
    ));
    let system_now = splitkit_common::SystemClock.unix_seconds();
    assert!(
        (t - system_now).abs() > 300,
        "outside the tolerance by the system clock"
    );
    assert!(
        (t - emulator.clock().unix_seconds()).abs() <= 300,
        "within it by the emulator's"
    );

    let session: Value = http()
        .get(format!("{}/sessions/{cancelled}", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(session["status"], "cancelled");
    assert_eq!(session["group"]["members"][0]["status"], "refunded");
    let pay = http()
        .post(format!(
            "{}/ante/sessions/{expiring}/pay",
            emulator.control_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(pay.status(), 409);
}

#[tokio::test]
async fn merchant_remind_and_webhook_endpoints_need_the_right_key() {
    let emulator = start(common::config().ante_headless_enabled(true)).await;
    let me = http()
        .get(format!("{}/merchants/me", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_PUBLISHABLE_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 403);
    let me: Value = http()
        .get(format!("{}/merchants/me", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["sandbox"], true);
    assert_eq!(me["headless_api_enabled"], true);
    assert_eq!(me["payout_currency"]["mode"], "checkout");

    // Headless creation now works without a signature.
    let response = create(
        &emulator,
        seed::ANTE_TEST_SECRET_KEY,
        json!({ "cart": cart(12500), "customer": { "email": "o@example.com" } }),
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let id = response.json::<Value>().await.unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let remind: Value = http()
        .post(format!("{}/sessions/{id}/remind", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(remind["reminded"], 2);
    assert_eq!(remind["skipped"], 0);

    let bad_url = http()
        .post(format!("{}/webhooks", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .json(&json!({ "url": "http://shop.example/hooks", "events": ["group.funded"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad_url.status(), 400);
    let created: Value = http()
        .post(format!("{}/webhooks", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .json(&json!({ "url": "https://shop.example/hooks", "events": ["group.funded"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let endpoint = created["id"].as_str().unwrap();
    let list: Value = http()
        .get(format!("{}/webhooks", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["id"], endpoint);
    assert!(
        list["data"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    let deleted = http()
        .delete(format!("{}/webhooks/{endpoint}", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let missing = http()
        .get(format!("{}/sessions/j57nope", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_SECRET_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"],
        "Session not found"
    );
}
