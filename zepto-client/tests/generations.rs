//! What Zepto's January 2026 API document changed, against wiremock: the transfer key, payout
//! category purposes, metadata of any JSON, the new transaction fields and enum values, the
//! delivery list's cursor, and the recovery of failed deliveries on both redelivery paths.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::{Arc, Mutex};

use futures_util::TryStreamExt;
use serde_json::{Value, json};
use support::*;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};
use zepto_client::models::{
    BankAccountState, BankConnectionProvider, BankConnectionState, CategoryPurposeCode, Metadata,
    PayIdState, Payment, PaymentChannel, Transaction, TransactionCategory, WebhookDeliveryState,
};
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::transfers::NewTransfer;
use zepto_client::webhooks::RedeliveryPath;
use zepto_client::{Error, IdempotencyKey, Timestamp};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn transfer() -> NewTransfer {
    NewTransfer::new(
        "a79423b2-3827-4cf5-9eda-dc02a298d005",
        "0921a719-c79d-4ffb-91b6-1b30ab77d14d",
        100_000,
        "Float account balance adjustment",
        at("2021-06-06T00:00:00Z"),
    )
}

/// Answers 503 (`Retry-After: 0`) first, then `answer`; records the `Idempotency-Key`s.
struct BusyOnce {
    keys: Arc<Mutex<Vec<Option<String>>>>,
    answer: ResponseTemplate,
}

impl Respond for BusyOnce {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let mut keys = self.keys.lock().unwrap();
        keys.push(
            request
                .headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap().to_owned()),
        );
        if keys.len() == 1 {
            ResponseTemplate::new(503).insert_header("Retry-After", "0")
        } else {
            self.answer.clone()
        }
    }
}

async fn busy_transfers(server: &MockServer) -> Arc<Mutex<Vec<Option<String>>>> {
    let keys = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/transfers"))
        .respond_with(BusyOnce {
            keys: keys.clone(),
            answer: ResponseTemplate::new(201)
                .set_body_json(response_example("createTransfer", 201).unwrap()),
        })
        .expect(2)
        .mount(server)
        .await;
    keys
}

#[tokio::test]
async fn a_transfer_carries_the_required_key_and_the_same_one_on_its_retry() {
    let server = MockServer::start().await;
    let keys = busy_transfers(&server).await;
    let created = client(&server)
        .transfers()
        .create(transfer())
        .await
        .unwrap();
    assert_eq!(created.ref_, "T.11ub");
    let keys = keys.lock().unwrap();
    let first = keys[0].clone().expect("a key on the first attempt");
    assert_eq!(first.len(), 36, "a UUID: {first}");
    assert_eq!(keys[1].as_deref(), Some(first.as_str()), "the same key");
}

#[tokio::test]
async fn a_transfer_sends_the_callers_key() {
    let server = MockServer::start().await;
    let keys = busy_transfers(&server).await;
    let key = IdempotencyKey::new("float-topup-2021-06-06").unwrap();
    client(&server)
        .transfers()
        .create(transfer().idempotency_key(key))
        .await
        .unwrap();
    let keys = keys.lock().unwrap();
    assert!(
        keys.iter()
            .all(|k| k.as_deref() == Some("float-topup-2021-06-06"))
    );
}

#[tokio::test]
async fn a_payout_sends_its_category_purpose_and_end_to_end_id_and_metadata_of_any_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/payments"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(response_example("createPayment", 201).unwrap()),
        )
        .mount(&server)
        .await;
    let metadata: Metadata = serde_json::from_value(json!({
        "invoice_id": 123,
        "lines": [{ "sku": "A1", "qty": 2 }],
        "paid": true,
    }))
    .unwrap();
    client(&server)
        .payments()
        .create(
            NewPayment::new("Payroll March", at("2021-06-13T00:00:00Z"))
                .channels([PaymentChannel::NewPaymentsPlatform])
                .payout(
                    Payout::new("48b89364-1577-4c81-ba02-96705895d457", 250_000, "Salary")
                        .category_purpose(CategoryPurposeCode::Sala, "EMP-0042")
                        .metadata(metadata),
                )
                .remitter("Payroll Co"),
        )
        .await
        .unwrap();
    let sent: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(
        sent["payouts"][0],
        json!({
            "amount": 250000,
            "description": "Salary",
            "recipient_contact_id": "48b89364-1577-4c81-ba02-96705895d457",
            "category_purpose_code": "SALA",
            "end_to_end_id": "EMP-0042",
            "metadata": { "invoice_id": 123, "lines": [{ "sku": "A1", "qty": 2 }], "paid": true },
        })
    );
    assert_eq!(sent["metadata"], json!({ "remitter": "Payroll Co" }));
}

#[test]
fn responses_with_todays_fields_and_values_decode() {
    let payment: Payment = serde_json::from_value(json!({
        "ref": "PB.1", "your_bank_account_id": "83623359-e86e-440c-9780-432a3bc3626f",
        "channels": ["new_payments_platform"],
        "payouts": [{
            "ref": "D.1", "recipient_contact_id": "48b89364-1577-4c81-ba02-96705895d457",
            "batch_description": "Payroll", "matures_at": "2021-06-13T00:00:00Z",
            "created_at": "2021-06-05T00:00:00Z", "status": "maturing", "amount": 250000,
            "description": "Salary", "from_id": "83623359-e86e-440c-9780-432a3bc3626f",
            "to_id": "21066764-c103-4e7f-b436-4cee7db5f400",
            "category_purpose_code": "SALA", "end_to_end_id": "EMP-0042",
            "metadata": { "invoice_id": 123, "nested": { "a": [1, 2] } }
        }],
        "metadata": { "invoice_id": 123 }
    }))
    .unwrap();
    let payout = &payment.payouts[0];
    assert_eq!(
        payout.category_purpose_code,
        Some(CategoryPurposeCode::Sala)
    );
    assert_eq!(payout.end_to_end_id.as_deref(), Some("EMP-0042"));
    assert_eq!(payout.metadata.as_ref().unwrap()["nested"]["a"][1], 2);
    assert_eq!(payment.metadata.unwrap()["invoice_id"], 123);

    let reversal: Transaction = serde_json::from_value(json!({
        "ref": "C.5", "parent_ref": "PB.2", "type": "credit", "category": "payout_reversal",
        "created_at": "2026-01-20T02:00:00Z", "matures_at": "2026-01-20T02:00:00Z",
        "cleared_at": null, "bank_ref": null, "status": "maturing",
        "status_changed_at": "2026-01-20T02:00:00Z",
        "party_contact_id": "26297f44-c5e1-40a1-9864-3e0b0754c32a", "party_name": "Sanford-Rees",
        "party_nickname": null, "description": "Payout reversal", "amount": 52,
        "failure": null,
        "reversal_details": {
            "source_debit_ref": "D.4",
            "source_credit_failure_reason": "account_closed",
            "source_credit_failure": { "code": "E203", "title": "Account Closed", "detail": null }
        }
    }))
    .unwrap();
    assert_eq!(reversal.failure, None);
    let source = reversal
        .reversal_details
        .unwrap()
        .source_credit_failure
        .unwrap();
    assert_eq!(
        (source.code.as_deref(), source.title.as_deref()),
        (Some("E203"), Some("Account Closed"))
    );
    let failed: Transaction = serde_json::from_value(json!({
        "ref": "D.9", "parent_ref": "T.1", "type": "debit", "category": "transfer",
        "created_at": "2026-01-20T02:00:00Z", "matures_at": "2026-01-20T02:00:00Z",
        "cleared_at": null, "bank_ref": "DT.1", "status": "returned",
        "status_changed_at": "2026-01-21T02:00:00Z",
        "party_contact_id": "", "party_name": "Us", "party_nickname": null,
        "description": null, "amount": 100,
        "failure": { "code": "AC03", "title": "Invalid Creditor Account Number", "detail": "From the bank" }
    }))
    .unwrap();
    assert_eq!(failed.category, TransactionCategory::Transfer);
    assert_eq!(failed.failure.unwrap().code.as_deref(), Some("AC03"));
    assert_eq!(
        serde_json::from_value::<TransactionCategory>(json!("recovery")).unwrap(),
        TransactionCategory::Recovery
    );
    assert_eq!(
        serde_json::from_value::<BankAccountState>(json!("removed")).unwrap(),
        BankAccountState::Removed
    );
    assert_eq!(
        serde_json::from_value::<PayIdState>(json!("deregistered")).unwrap(),
        PayIdState::Deregistered
    );
    assert_eq!(
        serde_json::from_value::<BankConnectionProvider>(json!("credit_sense")).unwrap(),
        BankConnectionProvider::CreditSense
    );
    assert_eq!(
        serde_json::from_value::<BankConnectionState>(json!("removed")).unwrap(),
        BankConnectionState::Removed
    );
}

// ---- the delivery list's cursor ------------------------------------------------------------

fn delivery(n: usize, state: &str) -> Value {
    json!({
        "id": format!("d-{n}"),
        "event_type": "debit.cleared",
        "state": state,
        "payload_data_summary": [{ "ref": format!("D.{n}") }],
        "response_status_code": null,
        // The revision's space-separated form.
        "created_at": format!("2021-09-02 {:02}:{:02}:00+00:00", 23 - n / 60, 59 - n % 60),
    })
}

/// Serves `items` newest first, honouring `per_page` (up to `cap`, announced in a `Per-Page`
/// header) and `starting_after` (unless `ignore_cursor`); records the queries.
struct Deliveries {
    items: Vec<Value>,
    ignore_cursor: bool,
    cap: Option<usize>,
    queries: Arc<Mutex<Vec<String>>>,
}

impl Respond for Deliveries {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let query = request.url.query().unwrap_or_default().to_owned();
        self.queries.lock().unwrap().push(query);
        let param = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let asked: usize = param("per_page").map_or(25, |p| p.parse().unwrap());
        let per_page = self.cap.map_or(asked, |cap| asked.min(cap));
        let start = match param("starting_after").filter(|_| !self.ignore_cursor) {
            Some(id) => {
                self.items
                    .iter()
                    .position(|d| d["id"] == id.as_str())
                    .unwrap()
                    + 1
            }
            None => 0,
        };
        let page: Vec<Value> = self
            .items
            .iter()
            .skip(start)
            .take(per_page)
            .cloned()
            .collect();
        let mut answer = ResponseTemplate::new(200).set_body_json(json!({ "data": page }));
        if self.cap.is_some() {
            answer = answer.insert_header("Per-Page", per_page.to_string().as_str());
        }
        answer
    }
}

async fn serve(
    server: &MockServer,
    count: usize,
    ignore_cursor: bool,
    cap: Option<usize>,
) -> Arc<Mutex<Vec<String>>> {
    let queries = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(path("/webhooks/w-1/deliveries"))
        .respond_with(Deliveries {
            items: (0..count).map(|n| delivery(n, "failed")).collect(),
            ignore_cursor,
            cap,
            queries: queries.clone(),
        })
        .mount(server)
        .await;
    queries
}

fn ids(deliveries: &[zepto_client::models::WebhookDelivery]) -> Vec<String> {
    deliveries.iter().map(|d| d.id.clone()).collect()
}

#[tokio::test]
async fn the_stream_follows_starting_after_until_a_short_page() {
    let server = MockServer::start().await;
    let queries = serve(&server, 7, false, None).await;
    let all: Vec<_> = client(&server)
        .webhooks()
        .deliveries("w-1")
        .state(WebhookDeliveryState::Failed)
        .per_page(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), ["d-0", "d-1", "d-2", "d-3", "d-4", "d-5", "d-6"]);
    assert_eq!(
        all[0].created_at.unwrap().to_string(),
        "2021-09-02T23:59:00Z"
    );
    assert_eq!(
        *queries.lock().unwrap(),
        [
            "per_page=3&state=failed",
            "per_page=3&starting_after=d-2&state=failed",
            "per_page=3&starting_after=d-5&state=failed",
        ]
    );
}

#[tokio::test]
async fn the_stream_asks_for_100_a_page_and_ends_with_an_empty_page() {
    let server = MockServer::start().await;
    let queries = serve(&server, 200, false, None).await;
    let all: Vec<_> = client(&server)
        .webhooks()
        .deliveries("w-1")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 200);
    assert_eq!(
        *queries.lock().unwrap(),
        [
            "per_page=100",
            "per_page=100&starting_after=d-99",
            "per_page=100&starting_after=d-199",
        ]
    );
}

#[tokio::test]
async fn a_per_page_header_smaller_than_asked_still_pages_on() {
    // Zepto serving 2 a page though 3 were asked: the stream trusts its `Per-Page`.
    let server = MockServer::start().await;
    let queries = serve(&server, 5, false, Some(2)).await;
    let all: Vec<_> = client(&server)
        .webhooks()
        .deliveries("w-1")
        .per_page(3)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&all), ["d-0", "d-1", "d-2", "d-3", "d-4"]);
    assert_eq!(queries.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_server_that_ignores_the_cursor_ends_the_stream_without_repeats() {
    let server = MockServer::start().await;
    serve(&server, 10, true, None).await;
    let mut stream = Box::pin(
        client(&server)
            .webhooks()
            .deliveries("w-1")
            .per_page(4)
            .stream(),
    );
    let mut yielded = Vec::new();
    let error = loop {
        match stream.try_next().await {
            Ok(Some(d)) => yielded.push(d.id),
            Ok(None) => panic!("the stream ended without noticing the repeat"),
            Err(e) => break e,
        }
    };
    assert_eq!(yielded, ["d-0", "d-1", "d-2", "d-3"]);
    assert!(
        matches!(&error, Error::PaginationLoop { repeated } if repeated == "starting_after d-3"),
        "{error:?}"
    );
}

// ---- recovery ------------------------------------------------------------------------------

/// Redelivery answers: 202 for every delivery but `refuse`, which gets 404.
async fn redeliveries(server: &MockServer, path_pattern: &str, refuse: &'static str) {
    Mock::given(method("POST"))
        .and(path_regex(format!(
            "^/webhook_deliveries/{refuse}{path_pattern}$"
        )))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({ "errors": "Webhook delivery not found" })),
        )
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex(format!(
            "^/webhook_deliveries/[^/]+{path_pattern}$"
        )))
        .respond_with(|request: &wiremock::Request| {
            let id = request.url.path().split('/').nth(2).unwrap().to_owned();
            ResponseTemplate::new(202).set_body_json(
                json!({ "data": { "id": id, "webhook_id": "w-1", "state": "pending" } }),
            )
        })
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn recovery_lists_failed_deliveries_since_a_time_and_redelivers_each_despite_a_failure() {
    let server = MockServer::start().await;
    let queries = serve(&server, 5, false, None).await;
    redeliveries(&server, "/redeliver", "d-1").await;
    let report = client(&server)
        .webhooks()
        .recover("w-1", at("2021-09-02T00:00:00Z"))
        .event_type("debit.cleared")
        .send()
        .await
        .unwrap();
    assert_eq!(
        *queries.lock().unwrap(),
        ["per_page=100&event_type=debit.cleared&since=2021-09-02T00%3A00%3A00Z&state=failed"]
    );
    let resent: Vec<_> = report
        .resent
        .iter()
        .map(|r| (r.delivery.id.as_str(), r.redelivery.state.clone()))
        .collect();
    let pending = Some(WebhookDeliveryState::Pending);
    assert_eq!(
        resent,
        [
            ("d-0", pending.clone()),
            ("d-2", pending.clone()),
            ("d-3", pending.clone()),
            ("d-4", pending)
        ]
    );
    assert!(!report.is_complete());
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].delivery.id, "d-1");
    assert_eq!(
        report.failures[0].error.status().map(|s| s.as_u16()),
        Some(404)
    );
    let posts: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(posts.len(), 5, "every failed delivery was tried: {posts:?}");
    assert!(posts.iter().all(|p| p.ends_with("/redeliver")));
}

#[tokio::test]
async fn recovery_can_use_the_older_resend_path() {
    let server = MockServer::start().await;
    serve(&server, 2, false, None).await;
    redeliveries(&server, "", "none").await;
    let report = client(&server)
        .webhooks()
        .recover("w-1", at("2021-09-02T00:00:00Z"))
        .path(RedeliveryPath::Resend)
        .send()
        .await
        .unwrap();
    assert!(report.is_complete());
    assert_eq!(report.resent.len(), 2);
    let posts: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        posts,
        ["/webhook_deliveries/d-0", "/webhook_deliveries/d-1"]
    );
}

#[tokio::test]
async fn a_listing_error_means_nothing_was_redelivered() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({ "errors": "Forbidden" })))
        .mount(&server)
        .await;
    let err = client(&server)
        .webhooks()
        .recover("w-1", at("2021-09-02T00:00:00Z"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.method.as_str() == "GET"));
}
