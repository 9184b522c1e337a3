//! The drift corpus: every answer example of Zepto's documentation (extracted from the seed
//! document into `tests/fixtures/seed/`) decodes through the crate's models and the runtime's
//! decoders, and so does every variant a real API produces over the years (numbers and
//! booleans as strings, timestamps with a space, unknown fields, unknown enum values, each
//! optional field `null` or absent). A page with one broken item returns the others and one
//! item error. The request examples of the seed are the examples of `openapi.yaml`, which
//! `tests/operations.rs` proves the SDK sends byte for byte.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use futures_util::StreamExt;
use serde_json::Value;
use splitkit_common::testing::{self, DriftSettings, check_drift, read_list, read_one};
use splitkit_common::{Page, decode};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};
use zepto_client::Error;
use zepto_client::models::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");

fn fixture(name: &str) -> String {
    testing::fixture(FIXTURES, name).unwrap()
}

fn document() -> Value {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(include_str!("../openapi.yaml")).unwrap();
    serde_json::to_value(yaml).unwrap()
}

/// Keys of Zepto's models that hold open enums (single values or lists).
const ENUM_FIELDS: &[&str] = &[
    "alias_type",
    "category",
    "channels",
    "current_channel",
    "event_type",
    "failure_reason",
    "iav_provider",
    "iav_status",
    "provider_name",
    "source_credit_failure_reason",
    "state",
    "status",
    "type",
];

type Read = fn(&[u8]) -> Result<String, Error>;

/// Every answer example of the seed: file, the component it is an instance of, and how it is
/// read.
fn answers() -> Vec<(&'static str, &'static str, Read)> {
    vec![
        (
            "get_agreements_outgoing.200",
            "AgreementListResponse",
            |b| read_list::<Agreement>(b, "data"),
        ),
        (
            "get_agreements_agreement_ref.200",
            "AgreementResponse",
            read_one::<AgreementResponse>,
        ),
        ("get_bank_accounts.200", "BankAccountListResponse", |b| {
            read_list::<BankAccount>(b, "data")
        }),
        (
            "get_bank_connections.200",
            "BankConnectionListResponse",
            |b| read_list::<BankConnection>(b, "data"),
        ),
        (
            "get_bank_connections_id.200",
            "BankConnectionResponse",
            read_one::<BankConnectionResponse>,
        ),
        (
            "post_contacts_anyone.201",
            "ContactResponse",
            read_one::<ContactResponse>,
        ),
        ("get_contacts.200", "ContactListResponse", |b| {
            read_list::<Contact>(b, "data")
        }),
        (
            "get_contacts_id.200",
            "ContactResponse",
            read_one::<ContactResponse>,
        ),
        (
            "patch_contacts_id.200",
            "ContactResponse",
            read_one::<ContactResponse>,
        ),
        (
            "post_contacts_receivable.201",
            "ContactResponse",
            read_one::<ContactResponse>,
        ),
        (
            "post_open_agreements.200",
            "OpenAgreementResponse",
            read_one::<OpenAgreementResponse>,
        ),
        (
            "get_open_agreements.200",
            "OpenAgreementListResponse",
            |b| read_list::<OpenAgreement>(b, "data"),
        ),
        (
            "post_open_agreements_open_agreement_ref_activate.200",
            "OpenAgreementResponse",
            read_one::<OpenAgreementResponse>,
        ),
        (
            "post_open_agreements_open_agreement_ref_close.200",
            "OpenAgreementResponse",
            read_one::<OpenAgreementResponse>,
        ),
        (
            "post_payment_requests.200",
            "PaymentRequestResponse",
            read_one::<PaymentRequestResponse>,
        ),
        (
            "get_payment_requests_payment_request_ref.200",
            "PaymentRequestResponse",
            read_one::<PaymentRequestResponse>,
        ),
        (
            "get_payment_requests_collections.200",
            "PaymentRequestListResponse",
            |b| read_list::<PaymentRequest>(b, "data"),
        ),
        (
            "get_payment_requests_receivables.200",
            "PaymentRequestListResponse",
            |b| read_list::<PaymentRequest>(b, "data"),
        ),
        (
            "post_payments.201",
            "PaymentResponse",
            read_one::<PaymentResponse>,
        ),
        ("get_payments.200", "PaymentListResponse", |b| {
            read_list::<Payment>(b, "data")
        }),
        (
            "get_payments_payment_ref.200",
            "PaymentResponse",
            read_one::<PaymentResponse>,
        ),
        (
            "post_payouts_ref_retry.200",
            "TransactionResponse",
            read_one::<TransactionResponse>,
        ),
        (
            "post_credits_credit_ref_refunds.200",
            "RefundResponse",
            read_one::<RefundResponse>,
        ),
        ("get_refunds_outgoing.200", "RefundListResponse", |b| {
            read_list::<Refund>(b, "data")
        }),
        (
            "get_refunds_refund_ref.200",
            "RefundResponse",
            read_one::<RefundResponse>,
        ),
        (
            "post_simulate_incoming_payid_payment.201",
            "SimulatedPayIdPaymentResponse",
            read_one::<SimulatedPayIdPaymentResponse>,
        ),
        ("get_transactions.200", "TransactionListResponse", |b| {
            read_list::<Transaction>(b, "data")
        }),
        (
            "post_transfers.201",
            "TransferResponse",
            read_one::<TransferResponse>,
        ),
        ("get_transfers.200", "TransferListResponse", |b| {
            read_list::<Transfer>(b, "data")
        }),
        (
            "get_transfers_transfer_ref.200",
            "TransferResponse",
            read_one::<TransferResponse>,
        ),
        (
            "post_unassigned_agreements.200",
            "UnassignedAgreementResponse",
            read_one::<UnassignedAgreementResponse>,
        ),
        (
            "get_unassigned_agreements.200",
            "UnassignedAgreementListResponse",
            |b| read_list::<UnassignedAgreement>(b, "data"),
        ),
        (
            "get_unassigned_agreements_unassigned_agreement_ref.200",
            "UnassignedAgreementResponse",
            read_one::<UnassignedAgreementResponse>,
        ),
        ("error.detailed", "ErrorResponse", read_one::<ErrorResponse>),
        (
            "error.idempotency_conflict",
            "ErrorResponse",
            read_one::<ErrorResponse>,
        ),
        ("error.resource", "ErrorResponse", read_one::<ErrorResponse>),
    ]
}

/// Request examples of the seed, by the operation of `openapi.yaml` they document.
const REQUESTS: &[(&str, &str, &str)] = &[
    ("patch_contacts_id.request", "patch", "/contacts/{id}"),
    ("post_contacts_anyone.request", "post", "/contacts/anyone"),
    (
        "post_contacts_receivable.request",
        "post",
        "/contacts/receivable",
    ),
    (
        "post_credits_credit_ref_refunds.request",
        "post",
        "/credits/{credit_ref}/refunds",
    ),
    ("post_open_agreements.request", "post", "/open_agreements"),
    ("post_payment_requests.request", "post", "/payment_requests"),
    ("post_payments.request", "post", "/payments"),
    (
        "post_simulate_incoming_payid_payment.request",
        "post",
        "/simulate/incoming_payid_payment",
    ),
    ("post_transfers.request", "post", "/transfers"),
    (
        "post_unassigned_agreements.request",
        "post",
        "/unassigned_agreements",
    ),
];

/// Read by the OAuth module through the `oauth2` crate, not by a model of this document.
const OAUTH_TOKEN: &str = "post_oauth_token.200";

#[test]
fn every_fixture_is_in_the_corpus() {
    let mut listed: Vec<String> = answers()
        .iter()
        .map(|(name, ..)| (*name).to_owned())
        .collect();
    listed.extend(REQUESTS.iter().map(|(name, ..)| (*name).to_owned()));
    listed.push(OAUTH_TOKEN.to_owned());
    listed.sort();
    assert_eq!(listed, testing::fixture_names(FIXTURES).unwrap());
}

#[test]
fn every_answer_example_and_its_drift_decodes() {
    let document = document();
    let settings = DriftSettings {
        free_form: &["metadata"],
        enum_fields: ENUM_FIELDS,
        document: Some(&document),
    };
    let mut failures = Vec::new();
    for (name, schema, read) in answers() {
        for failure in check_drift(&fixture(name), schema, &settings, read) {
            failures.push(format!("{name}: {failure}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seed_prints_days_as_a_string_and_it_reads_as_a_number() {
    let page: Page<Agreement> = decode::list(
        "drift",
        fixture("get_agreements_outgoing.200").as_bytes(),
        &[],
        "data",
    )
    .unwrap();
    assert!(page.is_complete());
    let days: Vec<_> = page
        .items
        .iter()
        .map(|a| a.terms.per_frequency.days)
        .collect();
    assert_eq!(days, [Some(7), Some(1)]);
}

#[test]
fn space_separated_timestamps_read_as_rfc_3339() {
    let mut value: Value =
        serde_json::from_str(&fixture("get_agreements_agreement_ref.200")).unwrap();
    value["data"]["created_at"] = "2021-09-02 02:24:50+00:00".into();
    let read: AgreementResponse = serde_json::from_value(value).unwrap();
    assert_eq!(read.data.created_at.to_string(), "2021-09-02T02:24:50Z");
}

#[test]
fn minor_units_never_take_a_fraction() {
    let mut value: Value = serde_json::from_str(&fixture("get_payments_payment_ref.200")).unwrap();
    value["data"]["payouts"][0]["amount"] = "30000".into();
    assert!(serde_json::from_value::<PaymentResponse>(value.clone()).is_ok());
    value["data"]["payouts"][0]["amount"] = 300.5.into();
    let err = serde_json::from_value::<PaymentResponse>(value).unwrap_err();
    assert!(err.to_string().contains("fractions are refused"), "{err}");
}

#[test]
fn the_seed_request_examples_are_the_documented_ones() {
    // `tests/operations.rs` checks that the SDK's builders send exactly the examples of
    // `openapi.yaml`; here those examples must be the seed's, field by field.
    let document = document();
    for (name, method, path) in REQUESTS {
        let seed: Value = serde_json::from_str(&fixture(name)).unwrap();
        let documented = &document["paths"][path][method]["requestBody"]["content"]["application/json"]
            ["example"];
        assert_eq!(&seed, documented, "{name}");
    }
}

/// The documented list of payments with a broken copy of its first payment (a fractional
/// amount) and a good copy after it, answered by wiremock.
async fn server_with_a_broken_payment() -> MockServer {
    let mut page: Value = serde_json::from_str(&fixture("get_payments.200")).unwrap();
    let items = page["data"].as_array_mut().unwrap();
    let mut broken = items[0].clone();
    broken["ref"] = "PB.broken".into();
    broken["payouts"][0]["amount"] = 12.5.into();
    let mut after = items[0].clone();
    after["ref"] = "PB.after".into();
    items.insert(1, broken);
    items.insert(2, after);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/payments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_page_with_one_broken_item_returns_the_others_and_one_item_error() {
    let server = server_with_a_broken_payment().await;
    let page = client(&server).payments().list().send().await.unwrap();
    let [bad] = page.rejected() else {
        panic!("one rejected item expected: {:?}", page.rejected())
    };
    assert_eq!(bad.index(), 1);
    assert_eq!(bad.path(), "payouts[0].amount");
    assert!(bad.raw_json().get().contains("PB.broken"));
    assert_eq!(bad.to_value()["ref"], "PB.broken");
    let expected: Value = serde_json::from_str(&fixture("get_payments.200")).unwrap();
    let count = expected["data"].as_array().unwrap().len();
    assert_eq!(page.items.len(), count + 1);
    assert_eq!(
        page.items[0].ref_,
        expected["data"][0]["ref"].as_str().unwrap()
    );
    assert_eq!(page.items[1].ref_, "PB.after");

    // The stream yields the same: every item in its place, the broken one as an item error.
    let all: Vec<Result<Payment, Error>> =
        client(&server).payments().list().stream().collect().await;
    assert_eq!(all.len(), page.items.len() + 1);
    assert!(
        matches!(&all[1], Err(Error::Item(e)) if e.index() == 1),
        "{:?}",
        all[1]
    );
    assert!(all.iter().enumerate().all(|(i, r)| i == 1 || r.is_ok()));
}

#[tokio::test]
async fn the_drifted_page_reads_through_the_public_api() {
    let page: Value = serde_json::from_str(&fixture("get_agreements_outgoing.200")).unwrap();
    let drifted = splitkit_common::testing::with_unknown_fields(
        &splitkit_common::testing::spaced_timestamps(
            &splitkit_common::testing::numbers_as_strings(&page, &["metadata"]),
            &["metadata"],
        ),
        &["metadata"],
    );
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/agreements/outgoing"))
        .respond_with(ResponseTemplate::new(200).set_body_json(drifted))
        .mount(&server)
        .await;
    let read = client(&server).agreements().list().send().await.unwrap();
    assert!(read.is_complete(), "{:?}", read.rejected());
    assert_eq!(read.items[1].terms.per_frequency.days, Some(1));
    assert_eq!(read.items[0].terms.per_payout.max_amount, Some(10000));
}

#[test]
fn unknown_enum_values_are_refused_in_query_filters_before_sending() {
    let mut params = zepto_client::generated::operations::ListTransactionsParams::default();
    params.status = Some(vec![TransactionStatus::Unknown("bogus".into())]);
    let err = zepto_client::generated::operations::list_transactions_request(&params).unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "status"),
        "{err:?}"
    );
}

#[test]
fn the_oauth_token_example_reads_with_the_oauth_module_s_type() {
    use oauth2::TokenResponse;
    let token: oauth2::basic::BasicTokenResponse =
        serde_json::from_str(&fixture(OAUTH_TOKEN)).unwrap();
    assert_eq!(
        token.expires_in(),
        Some(std::time::Duration::from_secs(7200))
    );
    assert!(token.refresh_token().is_some());
}

/// Replaces every `metadata` object in `value` with one whose values are numbers, booleans,
/// `null`, arrays and nested objects, as Zepto's unconstrained metadata allows. Counts them.
fn with_rich_metadata(value: &mut Value) -> usize {
    match value {
        Value::Object(map) => {
            let mut count = 0;
            for (key, child) in map.iter_mut() {
                if key == "metadata" && child.is_object() {
                    *child = serde_json::json!({
                        "remitter": "Tandem Co",
                        "invoice_id": 123,
                        "amount_due": 12.5,
                        "paid": true,
                        "note": null,
                        "lines": [{ "sku": "A1", "qty": 2 }],
                        "nested": { "deep": { "list": [1, "two", false] } }
                    });
                    count += 1;
                } else {
                    count += with_rich_metadata(child);
                }
            }
            count
        }
        Value::Array(items) => items.iter_mut().map(with_rich_metadata).sum(),
        _ => 0,
    }
}

#[test]
fn every_answer_example_reads_metadata_of_any_json() {
    let mut rewritten = 0;
    let mut failures = Vec::new();
    for (name, _, read) in answers() {
        let mut value: Value = serde_json::from_str(&fixture(name)).unwrap();
        if with_rich_metadata(&mut value) == 0 {
            continue;
        }
        rewritten += 1;
        let body = serde_json::to_vec(&value).unwrap();
        match read(&body) {
            // Nothing of the metadata may be lost or rewritten on the way in.
            Ok(debug) if debug.contains("invoice_id") && debug.contains("\"two\"") => {}
            Ok(debug) => failures.push(format!("{name}: metadata not kept: {debug}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(rewritten >= 5, "only {rewritten} examples carry metadata");
}
