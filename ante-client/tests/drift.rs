//! The drift corpus: every answer example of Ante's REST page (extracted from the seed document
//! into `tests/fixtures/seed/`) decodes through the crate's models and the runtime's decoders,
//! and so does every variant a real API produces over the years (numbers and booleans as
//! strings, timestamps with a space, unknown fields, unknown enum values, each optional field
//! `null` or absent). A page with one broken session returns the others and one item error. The
//! seed's request example is the example of `openapi.yaml`, which `tests/openapi_examples.rs`
//! proves the SDK sends field by field.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use ante_client::generated::models::{CreateSessionResponse, Error as ErrorBody, SessionSummary};
use ante_client::{Error, ListSessions, Session, SessionStatus};
use futures_util::StreamExt;
use serde_json::Value;
use splitkit_common::testing::{self, DriftSettings, check_drift, read_list, read_one};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");

fn fixture(name: &str) -> String {
    testing::fixture(FIXTURES, name).unwrap()
}

fn document() -> Value {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(include_str!("../openapi.yaml")).unwrap();
    serde_json::to_value(yaml).unwrap()
}

type Read = fn(&[u8]) -> Result<String, Error>;

/// Every answer example of the seed: file, the component it is an instance of, and how the SDK
/// reads it.
const ANSWERS: &[(&str, &str, Read)] = &[
    (
        "post_sessions.200",
        "CreateSessionResponse",
        read_one::<CreateSessionResponse>,
    ),
    ("get_sessions.200", "ListSessionsResponse", |b| {
        read_list::<SessionSummary>(b, "data")
    }),
    (
        "get_sessions_session_id.200",
        "Session",
        read_one::<Session>,
    ),
    ("error", "Error", read_one::<ErrorBody>),
];

const REQUEST: &str = "post_sessions.request";

#[test]
fn every_fixture_is_in_the_corpus() {
    let mut listed: Vec<&str> = ANSWERS.iter().map(|(name, ..)| *name).collect();
    listed.push(REQUEST);
    listed.sort_unstable();
    assert_eq!(listed, testing::fixture_names(FIXTURES).unwrap());
}

#[test]
fn every_answer_example_and_its_drift_decodes() {
    let document = document();
    let settings = DriftSettings {
        free_form: &["metadata"],
        enum_fields: &[
            "allowed_modes",
            "default_mode",
            "events",
            "mode",
            "status",
            "type",
        ],
        document: Some(&document),
    };
    let mut failures = Vec::new();
    for (name, schema, read) in ANSWERS {
        for failure in check_drift(&fixture(name), schema, &settings, *read) {
            failures.push(format!("{name}: {failure}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn drifted_values_read_as_the_documented_ones() {
    let mut value: Value = serde_json::from_str(&fixture("get_sessions_session_id.200")).unwrap();
    value["group"]["paid_amount"] = "6000".into();
    value["group"]["size"] = 4.0.into();
    value["expires_at"] = "2025-06-26 12:00:00.000+00:00".into();
    value["status"] = "on_hold".into();
    let session: Session = serde_json::from_value(value).unwrap();
    let group = session.group.unwrap();
    assert_eq!((group.paid_amount, group.size), (Some(6000), Some(4)));
    assert_eq!(
        session.expires_at.unwrap().to_string(),
        "2025-06-26T12:00:00Z"
    );
    assert_eq!(session.status, SessionStatus::Unknown("on_hold".into()));

    let mut value: Value = serde_json::from_str(&fixture("post_sessions.200")).unwrap();
    value["merchant_fee_rate"] = "0.0201".into();
    let created: CreateSessionResponse = serde_json::from_value(value).unwrap();
    assert_eq!(created.merchant_fee_rate.unwrap().to_string(), "0.0201");
}

#[test]
fn the_seed_request_example_is_the_documented_one() {
    let seed: Value = serde_json::from_str(&fixture(REQUEST)).unwrap();
    let documented = &document()["paths"]["/sessions"]["post"]["requestBody"]["content"]["application/json"]
        ["example"];
    assert_eq!(&seed, documented);
}

#[tokio::test]
async fn a_page_with_one_broken_session_returns_the_others_and_one_item_error() {
    let mut page: Value = serde_json::from_str(&fixture("get_sessions.200")).unwrap();
    let items = page["data"].as_array_mut().unwrap();
    let mut broken = items[0].clone();
    broken["session_id"] = "j57broken".into();
    broken["total_cents"] = 119.99.into();
    let mut after = items[0].clone();
    after["session_id"] = "j57after".into();
    items.push(broken);
    items.push(after);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&server)
        .await;
    let client = secret_client(&server);

    let page = client.sessions().list(ListSessions::new()).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|s| s.session_id.as_str()).collect();
    assert_eq!(ids, ["j57…", "j57after"]);
    let [bad] = page.rejected() else {
        panic!("one rejected session expected: {:?}", page.rejected())
    };
    assert_eq!((bad.index(), bad.path()), (1, "total_cents"));
    assert_eq!(bad.to_value()["session_id"], "j57broken");

    let streamed: Vec<Result<SessionSummary, Error>> = client
        .sessions()
        .stream(ListSessions::new())
        .collect()
        .await;
    assert_eq!(streamed.len(), 3);
    assert!(matches!(&streamed[1], Err(Error::Item(e)) if e.index() == 1));
    assert_eq!(streamed[2].as_ref().unwrap().session_id, "j57after");
}
