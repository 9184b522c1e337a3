//! Zepto over HTTP: OAuth with refresh rotation, Link pagination, idempotency, the processing
//! cycle with sandbox failure amounts, PayID, refunds, signed webhooks, error shapes.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};
use splitkit_common::webhook::{WebhookError, signature_matches};
use splitkit_emulator::{RunningEmulator, WebhookDelivery, seed};

use common::{control, delivery, http, receiver, start};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAT: &str = seed::ZEPTO_PERSONAL_ACCESS_TOKEN;

async fn api(
    emulator: &RunningEmulator,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = http()
        .request(method, format!("{}{path}", emulator.zepto_api_base_url()))
        .bearer_auth(token)
        .header("Accept", "application/json");
    if let Some(b) = body {
        request = request.json(&b);
    }
    request.send().await.unwrap()
}

async fn add_contact(emulator: &RunningEmulator, name: &str) -> String {
    let response = api(
        emulator,
        reqwest::Method::POST,
        "/contacts/anyone",
        PAT,
        Some(json!({ "name": name, "email": "hunter@batcountry.com", "branch_code": "123456", "account_number": "13048322" })),
    )
    .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn payment(contact: &str, amount: i64) -> Value {
    json!({
        "description": "The SuperPackage",
        "matures_at": now(),
        "channels": ["direct_entry"],
        "payouts": [{ "amount": amount, "description": "A tandem skydive jump", "recipient_contact_id": contact,
                      "metadata": { "invoice_ref": "BILL-0001" } }],
        "metadata": { "custom_key": "Custom string" }
    })
}

/// Now, in UTC to the second (a payment maturing now is processed by the next cycle).
fn now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = now / 86_400;
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let secs = now % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn verify(d: &WebhookDelivery, secret: &str) -> Result<(), WebhookError> {
    let header = d.header("split-signature").unwrap();
    let (ts, signature) = header.split_once('.').unwrap();
    signature_matches(secret, &[ts.as_bytes(), b".", d.body.as_bytes()], signature)
        .then_some(())
        .ok_or(WebhookError::SignatureMismatch)
}

fn location(response: &reqwest::Response) -> url::Url {
    url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
}

fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn token(
    emulator: &RunningEmulator,
    form: &[(&str, &str)],
    basic: bool,
) -> reqwest::Response {
    let mut request = http().post(format!("{}/oauth/token", emulator.zepto_oauth_base_url()));
    let mut fields: Vec<(&str, &str)> = form.to_vec();
    if basic {
        request = request.basic_auth(seed::ZEPTO_CLIENT_ID, Some(seed::ZEPTO_CLIENT_SECRET));
    } else {
        fields.push(("client_id", seed::ZEPTO_CLIENT_ID));
        fields.push(("client_secret", seed::ZEPTO_CLIENT_SECRET));
    }
    request.form(&fields).send().await.unwrap()
}

#[tokio::test]
async fn oauth_code_token_and_refresh_rotation() {
    let emulator = start(common::config().zepto_access_token_ttl(Duration::from_secs(60))).await;
    let redirect = "http://127.0.0.1:8080/oauth/callback";
    let authorize = http()
        .get(format!(
            "{}/oauth/authorize",
            emulator.zepto_oauth_base_url()
        ))
        .query(&[
            ("response_type", "code"),
            ("client_id", seed::ZEPTO_CLIENT_ID),
            ("redirect_uri", redirect),
            ("scope", "public contacts payments"),
            ("state", "xyz"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(authorize.status(), 302);
    let back = location(&authorize);
    assert!(back.as_str().starts_with(redirect));
    assert_eq!(param(&back, "state").as_deref(), Some("xyz"));
    let code = param(&back, "code").unwrap();

    let issued = token(
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
        ],
        false,
    )
    .await;
    assert_eq!(issued.status(), 200);
    assert_eq!(issued.headers()["cache-control"], "no-store");
    let issued: Value = issued.json().await.unwrap();
    assert_eq!(issued["token_type"], "bearer");
    assert_eq!(issued["expires_in"], 60);
    assert_eq!(issued["scope"], "public contacts payments");
    let access = issued["access_token"].as_str().unwrap().to_string();
    let refresh = issued["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(access.len(), 64);

    // The code is single-use.
    let reused = token(
        &emulator,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
        ],
        false,
    )
    .await;
    assert_eq!(reused.status(), 400);
    assert_eq!(
        reused.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );

    assert_eq!(
        api(&emulator, reqwest::Method::GET, "/contacts", &access, None)
            .await
            .status(),
        200
    );
    // The token lacks the `transactions` scope.
    let scoped = api(
        &emulator,
        reqwest::Method::GET,
        "/transactions",
        &access,
        None,
    )
    .await;
    assert_eq!(scoped.status(), 403);
    assert!(
        scoped.json::<Value>().await.unwrap()["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("transactions")
    );

    // Refresh (client credentials by HTTP Basic this time) rotates the refresh token.
    let refreshed = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        true,
    )
    .await;
    assert_eq!(refreshed.status(), 200);
    let refreshed: Value = refreshed.json().await.unwrap();
    let new_access = refreshed["access_token"].as_str().unwrap().to_string();
    let new_refresh = refreshed["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new_refresh, refresh);
    assert_eq!(refreshed["scope"], "public contacts payments");
    let old = token(
        &emulator,
        &[("grant_type", "refresh_token"), ("refresh_token", &refresh)],
        true,
    )
    .await;
    assert_eq!(old.status(), 400);
    assert_eq!(old.json::<Value>().await.unwrap()["error"], "invalid_grant");
    assert_eq!(
        api(
            &emulator,
            reqwest::Method::GET,
            "/contacts",
            &new_access,
            None
        )
        .await
        .status(),
        200
    );

    // Access tokens expire on the emulator clock.
    emulator.advance_clock(Duration::from_secs(61));
    let expired = api(
        &emulator,
        reqwest::Method::GET,
        "/contacts",
        &new_access,
        None,
    )
    .await;
    assert_eq!(expired.status(), 403);
    assert_eq!(
        expired.json::<Value>().await.unwrap()["errors"][0]["detail"],
        "The access token expired"
    );
    // The rotated refresh token still works (refresh tokens do not expire).
    let again = token(
        &emulator,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &new_refresh),
        ],
        false,
    )
    .await;
    assert_eq!(again.status(), 200);

    // Wrong client secret; unknown grant; a redirect URI that is not loopback.
    let bad_client = http()
        .post(format!("{}/oauth/token", emulator.zepto_oauth_base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", seed::ZEPTO_CLIENT_ID),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_client.status(), 401);
    assert_eq!(
        bad_client.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let bad_grant = token(&emulator, &[("grant_type", "client_credentials")], false).await;
    assert_eq!(
        bad_grant.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let evil = http()
        .get(format!(
            "{}/oauth/authorize",
            emulator.zepto_oauth_base_url()
        ))
        .query(&[
            ("response_type", "code"),
            ("client_id", seed::ZEPTO_CLIENT_ID),
            ("redirect_uri", "https://evil.example/cb"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 400);
    let bad_scope = http()
        .get(format!(
            "{}/oauth/authorize",
            emulator.zepto_oauth_base_url()
        ))
        .query(&[
            ("response_type", "code"),
            ("client_id", seed::ZEPTO_CLIENT_ID),
            ("redirect_uri", redirect),
            ("scope", "everything"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_scope.status(), 302);
    assert_eq!(
        param(&location(&bad_scope), "error").as_deref(),
        Some("invalid_scope")
    );
}

#[tokio::test]
async fn multipart_token_requests_work_as_in_zeptos_curl_examples() {
    let emulator = start(common::config()).await;
    let redirect = "http://localhost/cb";
    let authorize = http()
        .get(format!(
            "{}/oauth/authorize?response_type=code&client_id={}&redirect_uri={redirect}",
            emulator.zepto_oauth_base_url(),
            seed::ZEPTO_CLIENT_ID
        ))
        .send()
        .await
        .unwrap();
    let code = param(&location(&authorize), "code").unwrap();
    let boundary = "XyZzY";
    let mut body = String::new();
    for (name, value) in [
        ("grant_type", "authorization_code"),
        ("client_id", seed::ZEPTO_CLIENT_ID),
        ("client_secret", seed::ZEPTO_CLIENT_SECRET),
        ("code", code.as_str()),
        ("redirect_uri", redirect),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    let response = http()
        .post(format!("{}/oauth/token", emulator.zepto_oauth_base_url()))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let issued: Value = response.json().await.unwrap();
    assert_eq!(issued["scope"], "public");
    assert_eq!(
        api(
            &emulator,
            reqwest::Method::GET,
            "/user",
            issued["access_token"].as_str().unwrap(),
            None
        )
        .await
        .status(),
        200
    );
}

#[tokio::test]
async fn lists_paginate_with_link_headers() {
    let emulator = start(common::config()).await;
    let mut created = HashSet::new();
    for i in 0..5 {
        created.insert(add_contact(&emulator, &format!("Contact {i}")).await);
    }
    let mut seen = HashSet::new();
    let mut url = format!(
        "{}/contacts?per_page=2&name=contact",
        emulator.zepto_api_base_url()
    );
    let mut pages = 0;
    loop {
        let response = http().get(&url).bearer_auth(PAT).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["per-page"], "2");
        assert_eq!(response.headers()["total"], "5");
        let link = response.headers()["link"].to_str().unwrap().to_string();
        assert!(link.contains("rel=\"last\""), "{link}");
        assert!(link.contains("page=3"), "{link}");
        let body: Value = response.json().await.unwrap();
        for c in body["data"].as_array().unwrap() {
            seen.insert(c["id"].as_str().unwrap().to_string());
        }
        pages += 1;
        let next = link
            .split(", ")
            .find(|l| l.ends_with("rel=\"next\""))
            .map(|l| {
                l.split(';')
                    .next()
                    .unwrap()
                    .trim_matches(['<', '>'])
                    .to_string()
            });
        match next {
            Some(n) => {
                assert!(n.contains("name=contact"), "filters are kept: {n}");
                url = n;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, created);
    // per_page above 100 is treated as 100.
    let big = http()
        .get(format!(
            "{}/contacts?per_page=500",
            emulator.zepto_api_base_url()
        ))
        .bearer_auth(PAT)
        .send()
        .await
        .unwrap();
    assert_eq!(big.headers()["per-page"], "100");
}

#[tokio::test]
async fn reused_idempotency_key_answers_409_with_the_resource_ref() {
    let emulator = start(common::config()).await;
    let contact = add_contact(&emulator, "Hunter Thompson").await;
    let send = |key: &'static str, amount: i64| {
        let body = payment(&contact, amount);
        let url = format!("{}/payments", emulator.zepto_api_base_url());
        async move {
            http()
                .post(url)
                .bearer_auth(PAT)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let first = send("6f82d2e3-5252-4f3c-b45d-c238c5f9c7ce", 30000).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let reference = first["data"]["ref"].as_str().unwrap().to_string();
    assert!(reference.starts_with("PB."));
    assert_eq!(first["data"]["payouts"][0]["status"], "maturing");
    assert_eq!(first["data"]["payouts"][0]["amount"], 30000);

    for amount in [30000, 123] {
        let again = send("6f82d2e3-5252-4f3c-b45d-c238c5f9c7ce", amount).await;
        assert_eq!(again.status(), 409);
        let error: Value = again.json().await.unwrap();
        assert_eq!(error["errors"][0]["title"], "Duplicate idempotency key");
        assert_eq!(
            error["errors"][0]["meta"]["resource_ref"],
            reference.as_str()
        );
    }
    let payments: Value = api(&emulator, reqwest::Method::GET, "/payments", PAT, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(payments["data"].as_array().unwrap().len(), 1);

    // Keys expire after 24 hours.
    emulator.advance_clock(Duration::from_secs(24 * 3600 + 1));
    let body = payment(&contact, 30000);
    let mut body = body;
    body["matures_at"] = json!("2099-01-01T00:00:00Z");
    let later = http()
        .post(format!("{}/payments", emulator.zepto_api_base_url()))
        .bearer_auth(PAT)
        .header("Idempotency-Key", "6f82d2e3-5252-4f3c-b45d-c238c5f9c7ce")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), 201);
}

#[tokio::test]
async fn a_failure_amount_produces_a_failed_transaction_and_signed_events() {
    let emulator = start(common::config()).await;
    let hooks = receiver().await;
    let endpoint = control(
        &emulator,
        "/zepto/webhooks",
        json!({ "url": format!("{}/zepto", hooks.uri()) }),
        201,
    )
    .await;
    assert_eq!(endpoint["signature_secret"], seed::ZEPTO_WEBHOOK_SECRET);
    let contact = add_contact(&emulator, "Hunter Thompson").await;

    // $0.11: the merchant's debit fails with insufficient_funds; the credit is voided.
    let created: Value = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(payment(&contact, 11)),
    )
    .await
    .json()
    .await
    .unwrap();
    let pb = created["data"]["ref"].as_str().unwrap().to_string();
    let debit_ref = created["data"]["payouts"][0]["ref"]
        .as_str()
        .unwrap()
        .to_string();
    let processed = control(&emulator, "/zepto/process", json!({}), 200).await;
    assert_eq!(processed["unsettled_transactions"], 0);

    let returned = delivery(&emulator, |d| d.event_type == "debit.returned").await;
    verify(&returned, seed::ZEPTO_WEBHOOK_SECRET).unwrap();
    assert_eq!(
        verify(&returned, "1234"),
        Err(WebhookError::SignatureMismatch)
    );
    let event = returned.json().unwrap();
    assert_eq!(event["event"]["type"], "debit.returned");
    assert_eq!(event["event"]["who"]["account_id"], seed::ZEPTO_ACCOUNT_ID);
    assert_eq!(event["data"][0]["ref"], debit_ref.as_str());
    assert_eq!(event["data"][0]["parent_ref"], pb.as_str());
    assert_eq!(event["data"][0]["status"], "returned");
    assert_eq!(event["data"][0]["failure_reason"], "insufficient_funds");
    let request_id = returned.header("split-request-id").unwrap();
    assert_eq!(request_id.len(), 36);
    let voided = delivery(&emulator, |d| d.event_type == "debtor_credit.voided")
        .await
        .json()
        .unwrap();
    assert_eq!(voided["data"][0]["status"], "voided");

    // The sequence of events, in order.
    let types: Vec<String> = emulator
        .webhooks_sent()
        .iter()
        .map(|d| d.event_type.clone())
        .collect();
    assert_eq!(
        types,
        vec![
            "payment.added",
            "debit.scheduled",
            "debtor_credit.scheduled",
            "debit.maturing",
            "debit.matured",
            "debit.processing",
            "debit.clearing",
            "debit.returned",
            "debtor_credit.voided",
        ]
    );

    let failed: Value = api(
        &emulator,
        reqwest::Method::GET,
        "/transactions?status=returned,rejected",
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(failed["data"].as_array().unwrap().len(), 1);
    assert_eq!(failed["data"][0]["ref"], debit_ref.as_str());
    let got: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/payments/{pb}"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(got["data"]["payouts"][0]["status"], "returned");

    // The deliveries API shows them; a resend (the older path) keeps the Split-Request-ID.
    let webhooks: Value = api(&emulator, reqwest::Method::GET, "/webhooks", PAT, None)
        .await
        .json()
        .await
        .unwrap();
    let webhook_id = webhooks["data"][0]["id"].as_str().unwrap().to_string();
    let deliveries: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/webhooks/{webhook_id}/deliveries"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let record = deliveries["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["event_type"] == "debit.returned")
        .unwrap()
        .clone();
    assert_eq!(record["state"], "completed");
    assert_eq!(record["response_status_code"], 200);
    assert_eq!(record["payload_data_summary"][0]["ref"], debit_ref.as_str());
    let resent = api(
        &emulator,
        reqwest::Method::POST,
        &format!("/webhook_deliveries/{}", record["id"].as_str().unwrap()),
        PAT,
        None,
    )
    .await;
    assert_eq!(resent.status(), 202);
    let resent: Value = resent.json().await.unwrap();
    assert_eq!(resent["data"]["id"], record["id"]);
    assert_eq!(resent["data"]["webhook_id"], webhook_id.as_str());
    assert_eq!(resent["data"]["state"], "pending");
    let again = delivery(&emulator, |d| {
        d.event_type == "debit.returned" && d.attempt == 2
    })
    .await;
    assert_eq!(again.header("split-request-id"), Some(request_id));
    verify(&again, seed::ZEPTO_WEBHOOK_SECRET).unwrap();
}

#[tokio::test]
async fn a_failed_payout_credit_is_reversed_and_npp_failures_switch_channel() {
    let emulator =
        start(common::config().zepto_webhook_url("http://127.0.0.1:9/nobody-listens")).await;
    let contact = add_contact(&emulator, "Hunter Thompson").await;
    // $0.54: the debit clears, the credit is rejected, a payout_reversal credit comes back.
    let created: Value = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(payment(&contact, 54)),
    )
    .await
    .json()
    .await
    .unwrap();
    let pb = created["data"]["ref"].as_str().unwrap().to_string();
    // $1.60 from the float account over NPP, falling back to Direct Entry.
    let mut npp = payment(&contact, 160);
    npp["your_bank_account_id"] = json!(seed::ZEPTO_FLOAT_ACCOUNT_ID);
    npp["channels"] = json!(["new_payments_platform", "direct_entry"]);
    let switched: Value = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(npp),
    )
    .await
    .json()
    .await
    .unwrap();
    let npp_pb = switched["data"]["ref"].as_str().unwrap().to_string();
    control(&emulator, "/zepto/process", json!({}), 200).await;

    let all: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/transactions?parent_ref={pb}&both_parties=true"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let by_category = |category: &str| {
        all["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["category"] == category)
            .cloned()
            .collect::<Vec<_>>()
    };
    let payout = by_category("payout");
    assert_eq!(payout.len(), 2);
    let credit = payout.iter().find(|t| t["type"] == "credit").unwrap();
    assert_eq!(credit["status"], "rejected");
    assert_eq!(credit["failure_reason"], "incorrect_account_number");
    let debit = payout.iter().find(|t| t["type"] == "debit").unwrap();
    assert_eq!(debit["status"], "cleared");
    let reversal = by_category("payout_reversal");
    assert_eq!(reversal.len(), 1);
    assert_eq!(reversal[0]["status"], "cleared");
    assert_eq!(
        reversal[0]["reversal_details"]["source_debit_ref"],
        debit["ref"]
    );
    assert_eq!(
        reversal[0]["reversal_details"]["source_credit_failure_reason"],
        "incorrect_account_number"
    );
    // Without both_parties only the merchant's own transactions are listed.
    let own: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/transactions?parent_ref={pb}"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(own["data"].as_array().unwrap().len(), 2);

    let npp_txns: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/transactions?parent_ref={npp_pb}&both_parties=true&type=credit"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(npp_txns["data"][0]["status"], "cleared");
    assert_eq!(npp_txns["data"][0]["current_channel"], "direct_entry");
    let switch = delivery(&emulator, |d| {
        d.event_type == "debtor_credit.channel_switched"
    })
    .await
    .json()
    .unwrap();
    assert_eq!(
        switch["data"][0]["failure_details"],
        "Real-time payment rejected by recipient"
    );
    // Nobody listens: Zepto retries only deliveries that got no answer at all.
    let unanswered = delivery(&emulator, |d| d.attempt == 2).await;
    assert!(unanswered.status.is_none());
}

#[tokio::test]
async fn payid_receipts_can_be_refunded() {
    let emulator = start(common::config()).await;
    let response = api(
        &emulator,
        reqwest::Method::POST,
        "/contacts/receivable",
        PAT,
        Some(json!({ "name": "Delphine Jestin", "email": "delphine@gmail.com", "payid_email": "delphine_123@merchant.com.au" })),
    )
    .await;
    assert_eq!(response.status(), 201);
    let contact: Value = response.json().await.unwrap();
    assert_eq!(contact["data"]["payid_details"]["state"], "pending");
    let simulate = |amount: i64| {
        api(
            &emulator,
            reqwest::Method::POST,
            "/simulate/incoming_payid_payment",
            PAT,
            Some(json!({ "payid_email": "delphine_123@merchant.com.au", "amount": amount })),
        )
    };
    assert_eq!(
        simulate(10000).await.status(),
        422,
        "the PayID is not active yet"
    );
    control(&emulator, "/zepto/process", json!({}), 200).await;
    let paid = simulate(10000).await;
    assert_eq!(paid.status(), 201);
    assert_eq!(paid.json::<Value>().await.unwrap()["data"]["amount"], 10000);
    let receivables: Value = api(
        &emulator,
        reqwest::Method::GET,
        "/payment_requests/receivables",
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let receivable = &receivables["data"][0];
    assert_eq!(receivable["contact_initiated"], true);
    assert_eq!(receivable["status"], "approved");
    let credit_ref = receivable["credit_ref"].as_str().unwrap().to_string();

    let refund = |amount: i64, key: &'static str| {
        let url = format!(
            "{}/credits/{credit_ref}/refunds",
            emulator.zepto_api_base_url()
        );
        async move {
            http()
                .post(url)
                .bearer_auth(PAT)
                .header("Idempotency-Key", key)
                .json(&json!({ "amount": amount, "reason": "Because" }))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        refund(500, "r0").await.status(),
        422,
        "the credit has not cleared yet"
    );
    control(&emulator, "/zepto/process", json!({}), 200).await;
    let issued = refund(500, "r1").await;
    assert_eq!(issued.status(), 200);
    let issued: Value = issued.json().await.unwrap();
    assert!(issued["data"]["ref"].as_str().unwrap().starts_with("PRF."));
    assert_eq!(issued["data"]["for_ref"], credit_ref.as_str());
    assert_eq!(refund(500, "r1").await.status(), 409);
    let too_much = refund(9600, "r2").await;
    assert_eq!(too_much.status(), 422);
    assert!(
        too_much.json::<Value>().await.unwrap()["errors"]
            .as_str()
            .unwrap()
            .contains("9500")
    );
    let got: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/refunds/{}", issued["data"]["ref"].as_str().unwrap()),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(got["data"]["amount"], 500);
}

#[tokio::test]
async fn bad_tokens_validation_and_unemulated_operations_answer_zeptos_shapes() {
    let emulator = start(common::config()).await;
    let missing = http()
        .get(format!("{}/contacts", emulator.zepto_api_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let invalid = api(
        &emulator,
        reqwest::Method::GET,
        "/contacts",
        "not-a-token",
        None,
    )
    .await;
    assert_eq!(invalid.status(), 403);
    let body: Value = invalid.json().await.unwrap();
    assert_eq!(body["errors"][0]["title"], "Forbidden");
    assert!(body["errors"][0]["links"]["about"].is_string());

    let invalid_contact = api(
        &emulator,
        reqwest::Method::POST,
        "/contacts/anyone",
        PAT,
        Some(json!({ "name": "X", "email": "x@example.com", "branch_code": "100000", "account_number": "13048322" })),
    )
    .await;
    assert_eq!(invalid_contact.status(), 422);
    assert_eq!(
        invalid_contact.json::<Value>().await.unwrap()["errors"],
        "Branch code is invalid"
    );

    let contact = add_contact(&emulator, "Hunter").await;
    let mut two_payouts = payment(&contact, 100);
    let payout = two_payouts["payouts"][0].clone();
    two_payouts["payouts"] = json!([payout.clone(), payout]);
    let rejected = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(two_payouts),
    )
    .await;
    assert_eq!(rejected.status(), 422);
    assert!(
        rejected.json::<Value>().await.unwrap()["errors"]
            .as_str()
            .unwrap()
            .contains("exactly one payout")
    );
    let mut past = payment(&contact, 100);
    past["matures_at"] = json!("2016-09-13T23:50:44Z");
    let past = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(past),
    )
    .await;
    assert_eq!(past.status(), 422);
    let not_json = http()
        .post(format!("{}/payments", emulator.zepto_api_base_url()))
        .bearer_auth(PAT)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert_eq!(
        not_json.json::<Value>().await.unwrap()["errors"][0]["title"],
        "Bad Request"
    );
    let not_declared = http()
        .post(format!("{}/payments", emulator.zepto_api_base_url()))
        .bearer_auth(PAT)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(not_declared.status(), 415);

    let unknown = api(
        &emulator,
        reqwest::Method::POST,
        "/payouts/D.1/frobnicate",
        PAT,
        None,
    )
    .await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["errors"][0]["title"],
        "Not Found"
    );
}

#[tokio::test]
async fn payment_requests_collect_and_can_be_cancelled() {
    let emulator = start(common::config()).await;
    let contact = add_contact(&emulator, "Price and Sons").await;
    let request = json!({ "description": "Membership", "matures_at": now(), "amount": 10, "authoriser_contact_id": contact });
    let refused = api(
        &emulator,
        reqwest::Method::POST,
        "/payment_requests",
        PAT,
        Some(request),
    )
    .await;
    assert_eq!(refused.status(), 422, "no Agreement yet");
    control(
        &emulator,
        &format!("/zepto/contacts/{contact}/agreement"),
        json!({ "accepted": true }),
        200,
    )
    .await;
    let request = |amount: i64| json!({ "description": "Membership", "matures_at": now(), "amount": amount, "authoriser_contact_id": contact });
    let created = api(
        &emulator,
        reqwest::Method::POST,
        "/payment_requests",
        PAT,
        Some(request(4999)),
    )
    .await;
    assert_eq!(created.status(), 200);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["data"]["status"], "approved");
    let pr = created["data"]["ref"].as_str().unwrap().to_string();
    let cancelled = api(
        &emulator,
        reqwest::Method::POST,
        "/payment_requests",
        PAT,
        Some(request(2)),
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    let cancel_ref = cancelled["data"]["ref"].as_str().unwrap().to_string();
    assert_eq!(
        api(
            &emulator,
            reqwest::Method::DELETE,
            &format!("/payment_requests/{cancel_ref}"),
            PAT,
            None
        )
        .await
        .status(),
        204
    );
    control(&emulator, "/zepto/process", json!({}), 200).await;
    let credit: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/transactions?parent_ref={pr}"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(credit["data"][0]["type"], "credit");
    assert_eq!(credit["data"][0]["status"], "cleared");
    let voided: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/transactions?parent_ref={cancel_ref}&both_parties=true"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(
        voided["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "voided" && t["failure_reason"] == "user_voided")
    );
    let collections: Value = api(
        &emulator,
        reqwest::Method::GET,
        "/payment_requests/collections",
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(collections["data"].as_array().unwrap().len(), 2);

    // Without an accepted Agreement a Payment Request is refused.
    control(
        &emulator,
        &format!("/zepto/contacts/{contact}/agreement"),
        json!({ "accepted": false }),
        200,
    )
    .await;
    let refused = api(
        &emulator,
        reqwest::Method::POST,
        "/payment_requests",
        PAT,
        Some(request(100)),
    )
    .await;
    assert_eq!(refused.status(), 422);
    assert!(refused.json::<Value>().await.unwrap()["errors"].is_string());
}

/// Adds a Receivable Contact with an on-demand PayID and runs the cycle that activates it.
async fn receivable_contact(emulator: &RunningEmulator, payid: &str) -> Value {
    let response = api(
        emulator,
        reqwest::Method::POST,
        "/contacts/receivable",
        PAT,
        Some(json!({ "name": "Delphine Jestin", "email": "delphine@gmail.com", "payid_email": payid })),
    )
    .await;
    assert_eq!(response.status(), 201);
    control(emulator, "/zepto/process", json!({ "steps": 1 }), 200).await;
    let id = response.json::<Value>().await.unwrap()["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let contact: Value = api(
        emulator,
        reqwest::Method::GET,
        &format!("/contacts/{id}"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    contact["data"].clone()
}

async fn transactions(emulator: &RunningEmulator, query: &str) -> Vec<Value> {
    let page: Value = api(
        emulator,
        reqwest::Method::GET,
        &format!("/transactions?{query}"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    page["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn todays_incoming_payment_simulations_book_credits_and_their_webhooks() {
    let emulator = start(common::config()).await;
    let hooks = receiver().await;
    control(
        &emulator,
        "/zepto/webhooks",
        json!({ "url": format!("{}/zepto", hooks.uri()) }),
        201,
    )
    .await;
    let contact = receivable_contact(&emulator, "delphine_123@merchant.com.au").await;
    assert_eq!(contact["payid_details"]["state"], "active");
    let simulate = |path: &'static str, body: Value| {
        api(&emulator, reqwest::Method::POST, path, PAT, Some(body))
    };

    // NPP to the PayID: a receivable payment request and its NPP credit.
    let paid = simulate(
        "/simulate/incoming_npp_payid_payment",
        json!({ "payid_email": "delphine_123@merchant.com.au", "amount": 10000, "payment_description": "Invoice 1042" }),
    )
    .await;
    assert_eq!(paid.status(), 201);
    let paid: Value = paid.json().await.unwrap();
    let npp_credit = paid["data"]["credit_ref"].as_str().unwrap().to_string();
    // NPP and Direct Entry to the Receivable Contact's own account number.
    let account = contact["bank_account"]["account_number"].as_str().unwrap();
    let by_account = simulate(
        "/simulate/incoming_npp_bban_payment",
        json!({ "to_bsb": "802919", "to_account_number": account, "amount": 2500 }),
    )
    .await;
    assert_eq!(by_account.status(), 201);
    let de = simulate(
        "/simulate/incoming_de_payment",
        json!({ "to_bsb": "802919", "to_account_number": account, "amount": 700, "payment_reference": "INV-1043", "debtor_name": "D Jestin" }),
    )
    .await;
    assert_eq!(de.status(), 201);
    // Direct Entry to the float account: a credit with no Contact.
    let float = simulate(
        "/simulate/incoming_de_payment",
        json!({ "to_bsb": "802919", "to_account_number": "1408281", "amount": 300, "debtor_name": "Walk-in Payer" }),
    )
    .await;
    assert_eq!(float.status(), 201);
    let float: Value = float.json().await.unwrap();
    assert_eq!(float["data"]["payment_request_ref"], Value::Null);

    let credits = transactions(&emulator, "type=credit").await;
    let summary: Vec<(i64, &str, &str, &str)> = credits
        .iter()
        .map(|t| {
            (
                t["amount"].as_i64().unwrap(),
                t["current_channel"].as_str().unwrap(),
                t["party_name"].as_str().unwrap(),
                t["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (300, "direct_entry", "Walk-in Payer", "simulated-de-pymt"),
            (700, "direct_entry", "Delphine Jestin", "INV-1043"),
            (
                2500,
                "new_payments_platform",
                "Delphine Jestin",
                "Simulated NPP payment"
            ),
            (
                10000,
                "new_payments_platform",
                "Delphine Jestin",
                "Invoice 1042"
            ),
        ]
    );
    let receivables: Value = api(
        &emulator,
        reqwest::Method::GET,
        "/payment_requests/receivables",
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(receivables["data"].as_array().unwrap().len(), 3);

    // Every credit is announced, then clears with the cycle.
    let scheduled = delivery(&emulator, |d| {
        d.event_type == "credit.scheduled"
            && d.json()
                .is_some_and(|b| b["data"][0]["ref"] == npp_credit.as_str())
    })
    .await;
    verify(&scheduled, seed::ZEPTO_WEBHOOK_SECRET).unwrap();
    control(&emulator, "/zepto/process", json!({}), 200).await;
    let cleared = delivery(&emulator, |d| {
        d.event_type == "credit.cleared"
            && d.json()
                .is_some_and(|b| b["data"][0]["ref"] == npp_credit.as_str())
    })
    .await;
    assert_eq!(cleared.json().unwrap()["data"][0]["amount"], 10000);
    assert!(
        transactions(&emulator, "type=credit&status=cleared")
            .await
            .len()
            == 4
    );

    // What Zepto refuses answers 400 with its sentence.
    for (path, body, says) in [
        (
            "/simulate/incoming_npp_payid_payment",
            json!({ "payid_email": "nobody@merchant.com.au", "amount": 100 }),
            "No Receivable Contact has this PayID",
        ),
        (
            "/simulate/incoming_npp_bban_payment",
            json!({ "to_bsb": "80291", "to_account_number": account, "amount": 100 }),
            "To bsb must be 6 digits",
        ),
        (
            "/simulate/incoming_de_payment",
            json!({ "to_bsb": "802919", "to_account_number": "999", "amount": 100 }),
            "No Receivable Contact or float account",
        ),
        (
            "/simulate/incoming_de_payment",
            json!({ "to_bsb": "802919", "to_account_number": account, "amount": 100, "debtor_name": "A name far too long" }),
            "Debtor name must be between 1 and 16 characters",
        ),
    ] {
        let refused = simulate(path, body).await;
        assert_eq!(refused.status(), 400, "{path}");
        let error: Value = refused.json().await.unwrap();
        assert!(
            error["errors"].as_str().unwrap().contains(says),
            "{path}: {error}"
        );
    }
}

#[tokio::test]
async fn a_receivable_contacts_payid_name_can_change_once_active() {
    let emulator = start(common::config()).await;
    let pending = api(
        &emulator,
        reqwest::Method::POST,
        "/contacts/receivable",
        PAT,
        Some(json!({ "name": "Hunter Thompson", "email": "hunter@gmail.com", "payid_email": "hunter@merchant.com.au" })),
    )
    .await
    .json::<Value>()
    .await
    .unwrap();
    let id = pending["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/contacts/{id}/receivable");
    let rename = |name: &'static str| {
        api(
            &emulator,
            reqwest::Method::PATCH,
            &path,
            PAT,
            Some(json!({ "payid_name": name })),
        )
    };
    assert_eq!(rename("Hunter Tours").await.status(), 400, "not active yet");
    control(&emulator, "/zepto/process", json!({ "steps": 1 }), 200).await;
    let accepted = rename("Hunter Tours").await;
    assert_eq!(accepted.status(), 202);
    assert!(accepted.bytes().await.unwrap().is_empty());
    let contact: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/contacts/{id}"),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        contact["data"]["payid_details"]["alias_name"],
        "Hunter Tours"
    );
    assert_eq!(rename("Café Tours").await.status(), 400);
    let anyone = add_contact(&emulator, "Not Receivable").await;
    let not_receivable = api(
        &emulator,
        reqwest::Method::PATCH,
        &format!("/contacts/{anyone}/receivable"),
        PAT,
        Some(json!({ "payid_name": "X" })),
    )
    .await;
    assert_eq!(not_receivable.status(), 400);
    let missing = api(
        &emulator,
        reqwest::Method::PATCH,
        "/contacts/00000000-0000-4000-8000-000000000000/receivable",
        PAT,
        Some(json!({ "payid_name": "X" })),
    )
    .await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn transfers_honour_their_required_idempotency_key() {
    let emulator = start(common::config()).await;
    let body = json!({
        "from_bank_account_id": seed::ZEPTO_BANK_ACCOUNT_ID,
        "to_bank_account_id": seed::ZEPTO_FLOAT_ACCOUNT_ID,
        "amount": 100000,
        "description": "Float top-up",
        "matures_at": now(),
    });
    let send = |key: Option<&'static str>, body: Value| {
        let mut request = http()
            .post(format!("{}/transfers", emulator.zepto_api_base_url()))
            .bearer_auth(PAT)
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        async move { request.send().await.unwrap() }
    };
    let unkeyed = send(None, body.clone()).await;
    assert_eq!(unkeyed.status(), 400);
    assert_eq!(
        unkeyed.json::<Value>().await.unwrap()["errors"][0]["title"],
        "Missing idempotency key"
    );

    let first = send(Some("k-1"), body.clone()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    assert!(first["data"]["ref"].as_str().unwrap().starts_with("T."));
    assert_eq!(first["data"]["initiator_id"], seed::ZEPTO_ACCOUNT_ID);
    // A retry of the same request: the same Transfer, nothing new.
    let retry = send(Some("k-1"), body.clone()).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.json::<Value>().await.unwrap(), first);
    // The key with another body: a conflict naming what the key created.
    let mut other = body.clone();
    other["amount"] = json!(5);
    let conflict = send(Some("k-1"), other).await;
    assert_eq!(conflict.status(), 409);
    assert_eq!(
        conflict.json::<Value>().await.unwrap()["errors"][0]["meta"]["resource_ref"],
        first["data"]["ref"]
    );
    let listed: Value = api(&emulator, reqwest::Method::GET, "/transfers", PAT, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    let got = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/transfers/{}", first["data"]["ref"].as_str().unwrap()),
        PAT,
        None,
    )
    .await;
    assert_eq!(got.json::<Value>().await.unwrap()["data"], first["data"]);

    // The transfer's two legs are transactions of category `transfer` that clear.
    control(&emulator, "/zepto/process", json!({}), 200).await;
    let legs = transactions(&emulator, "category=transfer").await;
    assert_eq!(legs.len(), 2);
    assert!(
        legs.iter()
            .all(|t| t["status"] == "cleared" && t["parent_ref"] == first["data"]["ref"])
    );

    let same_account = send(
        Some("k-2"),
        json!({
            "from_bank_account_id": seed::ZEPTO_FLOAT_ACCOUNT_ID,
            "to_bank_account_id": seed::ZEPTO_FLOAT_ACCOUNT_ID,
            "amount": 1, "description": "x", "matures_at": now(),
        }),
    )
    .await;
    assert_eq!(same_account.status(), 422);
}

#[tokio::test]
async fn a_voided_payout_keeps_its_details_and_failures_carry_the_failure_object() {
    let emulator = start(common::config()).await;
    let contact = add_contact(&emulator, "Hunter Thompson").await;
    let mut later = payment(&contact, 30000);
    later["matures_at"] = json!("2099-01-01T00:00:00Z");
    let created: Value = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(later),
    )
    .await
    .json()
    .await
    .unwrap();
    let debit_ref = created["data"]["payouts"][0]["ref"]
        .as_str()
        .unwrap()
        .to_string();
    let voided = api(
        &emulator,
        reqwest::Method::POST,
        &format!("/payouts/{debit_ref}/void"),
        PAT,
        Some(json!({ "details": "Paid twice by mistake" })),
    )
    .await;
    assert_eq!(voided.status(), 204);
    let debit = &transactions(&emulator, &format!("ref={debit_ref}")).await[0];
    assert_eq!(debit["status"], "voided");
    assert_eq!(debit["failure_reason"], "user_voided");
    assert_eq!(debit["failure_details"], "Paid twice by mistake");
    assert_eq!(debit["failure"]["detail"], "Paid twice by mistake");

    // A coded failure: `failure` holds the code and title; a failed payout credit's reversal
    // names the credit's failure.
    let coded: Value = api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(payment(&contact, 203)),
    )
    .await
    .json()
    .await
    .unwrap();
    api(
        &emulator,
        reqwest::Method::POST,
        "/payments",
        PAT,
        Some(payment(&contact, 52)),
    )
    .await;
    control(&emulator, "/zepto/process", json!({}), 200).await;
    let coded_ref = coded["data"]["payouts"][0]["ref"].as_str().unwrap();
    let failed = &transactions(&emulator, &format!("ref={coded_ref}")).await[0];
    assert_eq!(
        failed["failure"],
        json!({ "code": "E203", "title": "Account Closed", "detail": null })
    );
    let reversal = &transactions(&emulator, "category=payout_reversal").await[0];
    assert_eq!(
        reversal["reversal_details"]["source_credit_failure_reason"],
        "account_closed"
    );
    assert!(reversal["reversal_details"]["source_credit_failure"].is_object());
    let user: Value = api(&emulator, reqwest::Method::GET, "/user", PAT, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["data"]["account"]["state"], "NSW");
}

#[tokio::test]
async fn deliveries_filter_page_by_cursor_and_redeliver_for_real() {
    // A receiver that is down: every attempt gets no answer, so Zepto's retries run out.
    let parked = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = parked.local_addr().unwrap();
    drop(parked);
    let emulator = start(common::config()).await;
    let endpoint = control(
        &emulator,
        "/zepto/webhooks",
        json!({ "url": format!("http://{address}/zepto") }),
        201,
    )
    .await;
    let webhook_id = endpoint["id"].as_str().unwrap().to_string();
    let contact = add_contact(&emulator, "Hunter Thompson").await;
    for amount in [100, 200, 300] {
        api(
            &emulator,
            reqwest::Method::POST,
            "/payments",
            PAT,
            Some(payment(&contact, amount)),
        )
        .await;
    }
    // 3 x (payment.added, debit.scheduled, debtor_credit.scheduled); each tried 5 times.
    let deliveries = |query: String| {
        let path = format!("/webhooks/{webhook_id}/deliveries?{query}");
        let emulator = &emulator;
        async move {
            let page: Value = api(emulator, reqwest::Method::GET, &path, PAT, None)
                .await
                .json()
                .await
                .unwrap();
            page["data"].as_array().unwrap().clone()
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while deliveries("state=failed".into()).await.len() < 9 {
        assert!(
            std::time::Instant::now() < deadline,
            "retries did not run out"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let all = deliveries(String::new()).await;
    assert_eq!(all.len(), 9);
    assert!(
        all.iter()
            .all(|d| d["state"] == "failed" && d["response_status_code"].is_null())
    );

    // Filters.
    let added = deliveries("event_type=payment.added".into()).await;
    assert_eq!(added.len(), 3);
    let first_payment = added[2]["payload_data_summary"][0]["ref"].as_str().unwrap();
    let by_ref = deliveries(format!("ref={first_payment}")).await;
    assert_eq!(by_ref.len(), 1);
    assert_eq!(by_ref[0]["id"], added[2]["id"]);
    assert!(
        deliveries("response_status_code=2xx".into())
            .await
            .is_empty()
    );
    assert!(
        deliveries("since=2099-01-01T00:00:00Z".into())
            .await
            .is_empty()
    );
    // `since` in the space-separated form Zepto's documents print (`+` encoded as `%2B`).
    assert_eq!(
        deliveries("since=2000-01-01%2000:00:00%2B00:00".into())
            .await
            .len(),
        9
    );
    // The cursor: pages of 4 after each page's last delivery, newest first, no repeats.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(c) => format!("per_page=4&starting_after={c}"),
            None => "per_page=4".into(),
        };
        let page = deliveries(query).await;
        if page.is_empty() {
            break;
        }
        cursor = page.last().map(|d| d["id"].as_str().unwrap().to_string());
        seen.extend(page.iter().map(|d| d["id"].clone()));
    }
    let ids: Vec<Value> = all.iter().map(|d| d["id"].clone()).collect();
    assert_eq!(seen, ids);
    let bad = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/webhooks/{webhook_id}/deliveries?state=lost"),
        PAT,
        None,
    )
    .await;
    assert_eq!(bad.status(), 400);

    // One delivery with the body that was sent.
    let one = &added[0];
    let got: Value = api(
        &emulator,
        reqwest::Method::GET,
        &format!("/webhook_deliveries/{}", one["id"].as_str().unwrap()),
        PAT,
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(got["data"]["webhook_id"], webhook_id.as_str());
    assert_eq!(got["data"]["payload"]["event"]["type"], "payment.added");
    assert_eq!(
        got["data"]["payload"]["data"][0]["ref"],
        one["payload_data_summary"][0]["ref"]
    );

    // The receiver comes back on the same address; a redelivery reaches it.
    let hooks = MockServer::builder()
        .listener(std::net::TcpListener::bind(address).unwrap())
        .start()
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&hooks)
        .await;
    let redelivered = api(
        &emulator,
        reqwest::Method::POST,
        &format!(
            "/webhook_deliveries/{}/redeliver",
            one["id"].as_str().unwrap()
        ),
        PAT,
        None,
    )
    .await;
    assert_eq!(redelivered.status(), 202);
    let body: Value = redelivered.json().await.unwrap();
    assert_eq!(
        body["data"],
        json!({ "id": one["id"], "webhook_id": webhook_id, "state": "pending" })
    );
    let arrived = delivery(&emulator, |d| d.status == Some(200)).await;
    assert_eq!(arrived.event_type, "payment.added");
    assert_eq!(arrived.attempt, 6);
    verify(&arrived, seed::ZEPTO_WEBHOOK_SECRET).unwrap();
    let received = hooks.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(
        serde_json::from_slice::<Value>(&received[0].body).unwrap(),
        got["data"]["payload"]
    );
    let after = deliveries("state=completed".into()).await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["id"], one["id"]);
    assert_eq!(after[0]["response_status_code"], 200);
    let unknown = api(
        &emulator,
        reqwest::Method::POST,
        "/webhook_deliveries/00000000-0000-4000-8000-000000000000/redeliver",
        PAT,
        None,
    )
    .await;
    assert_eq!(unknown.status(), 404);
}
