//! The drift corpus: the answer examples of split(able)'s API page (extracted from the seed
//! document into `tests/fixtures/seed/`; the page prints them as JavaScript literals, stored here
//! with quoted keys) decode through the crate's models and the runtime's decoder, and so does
//! every variant a real API produces (numbers as strings, unknown fields, each optional field
//! `null` or absent). The curl example's form fields are what the SDK sends, field by field.
//!
//! The one list of this API, the paid members, isolates a member it cannot read:
//! `tests/paid_members.rs`.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use serde_json::Value;
use splitable_client::generated::models::{ErrorResponse, SplitCreateResult};
use splitkit_common::testing::{self, DriftSettings, check_drift, read_one};
use std::collections::BTreeMap;
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");

fn fixture(name: &str) -> String {
    testing::fixture(FIXTURES, name).unwrap()
}

#[test]
fn the_answer_examples_and_their_drift_decode() {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(include_str!("../openapi.yaml")).unwrap();
    let document = serde_json::to_value(yaml).unwrap();
    let settings = DriftSettings {
        free_form: &[],
        enum_fields: &["payment_status"],
        document: Some(&document),
    };
    let mut failures = check_drift(
        &fixture("post_api_splits.200"),
        "SplitCreateResult",
        &settings,
        read_one::<SplitCreateResult>,
    );
    failures.extend(check_drift(
        &fixture("error"),
        "ErrorResponse",
        &settings,
        read_one::<ErrorResponse>,
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn the_sdk_sends_the_curl_example_field_by_field() {
    let answer: Value = serde_json::from_str(&fixture("post_api_splits.200")).unwrap();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/splits"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&answer))
        .expect(1)
        .mount(&server)
        .await;
    let split = documented_split().build().unwrap();
    let created = client(&server).splits().create(split).await.unwrap();
    assert_eq!(created.split_id, answer["split_id"].as_str().unwrap());

    let request = &server.received_requests().await.unwrap()[0];
    let mut sent: BTreeMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    sent.extend(request.url.query_pairs().into_owned());
    let seed: Vec<(String, String)> =
        serde_json::from_str(&fixture("post_api_splits.request")).unwrap();
    let documented: BTreeMap<String, String> = seed
        .into_iter()
        // The page's curl example misspells `expires_in`; the SDK sends the documented name.
        .map(|(key, value)| match key.as_str() {
            "exires_in" => ("expires_in".to_owned(), value),
            _ => (key, value),
        })
        .collect();
    assert_eq!(sent, documented);
}
