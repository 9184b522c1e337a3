//! The drift corpus: the answer example of FairShare's create-session page (extracted from the
//! seed document into `tests/fixtures/seed/`) decodes through the crate's model and the runtime's
//! decoder, and so does every variant a real API produces over the years (decimals and integers
//! as strings, booleans as strings, timestamps with a space, unknown fields, unknown enum values,
//! each optional field `null` or absent); decimals stay exact. The three request examples of the
//! page are what the SDK's builders produce, field by field.
//!
//! FairShare has no list call: item isolation applies to its webhook payloads, tested with the
//! webhook module.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::str::FromStr;

use fairshare_client::{
    ConvenienceFee, Decimal, Item, NewSplitSession, SplitKind, SplitSession, SplitSessionStatus,
};
use serde_json::Value;
use splitkit_common::testing::{self, DriftSettings, check_drift, read_one};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed");

fn fixture(name: &str) -> String {
    testing::fixture(FIXTURES, name).unwrap()
}

fn document() -> Value {
    let yaml: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(include_str!("../openapi.yaml")).unwrap();
    serde_json::to_value(yaml).unwrap()
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

const ANSWER: &str = "post_split_sessions.200";

#[test]
fn the_answer_example_and_its_drift_decode() {
    let document = document();
    let settings = DriftSettings {
        free_form: &["contributions"],
        enum_fields: &["code", "convenienceFeeType", "splitType", "status", "type"],
        document: Some(&document),
    };
    let failures = check_drift(
        &fixture(ANSWER),
        "SplitSession",
        &settings,
        read_one::<SplitSession>,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn decimals_as_strings_stay_exact() {
    let mut value: Value = serde_json::from_str(&fixture(ANSWER)).unwrap();
    value["total"] = "12345678901234567.89".into();
    value["collected"] = "0.10".into();
    value["status"] = "ON_HOLD".into();
    value["created"] = "2026-04-08 10:15:30+00:00".into();
    let session: SplitSession = serde_json::from_str(&value.to_string()).unwrap();
    assert_eq!(session.total, dec("12345678901234567.89"));
    assert_eq!(session.collected.to_string(), "0.10");
    assert_eq!(
        session.status,
        SplitSessionStatus::Unknown("ON_HOLD".into())
    );
    assert_eq!(session.created.to_string(), "2026-04-08T10:15:30Z");
}

fn with_redirects<K: SplitKind>(session: NewSplitSession<K>) -> NewSplitSession<K> {
    session.redirect_urls(
        "https://example.com/success",
        "https://example.com/cancel",
        "https://example.com/failed",
    )
}

fn body<K: SplitKind>(session: &NewSplitSession<K>) -> Value {
    let body = session.to_request_body().unwrap();
    serde_json::from_str(&serde_json::to_string(&body).unwrap()).unwrap()
}

#[test]
fn the_builders_produce_the_seed_request_examples() {
    let item_claim = with_redirects(NewSplitSession::pick_items(
        dec("120"),
        "QAR",
        [
            Item::new("pizza-1", "Pizza", dec("40"), 2).image_url("https://example.com/pizza.png"),
            Item::new("drink-1", "Soft Drink", dec("20"), 2),
        ],
    ))
    .convenience_fee(ConvenienceFee::None)
    .detail_title("Team dinner")
    .expiry_minutes(15);
    let pool = with_redirects(NewSplitSession::flexible_amount(dec("300"), "QAR"))
        .convenience_fee(ConvenienceFee::FixedPerContribution(dec("2.5")))
        .detail_title("Office gift")
        .expiry_minutes(30);
    let equal = with_redirects(NewSplitSession::split_evenly(dec("200"), "QAR", 4))
        .convenience_fee(ConvenienceFee::None)
        .detail_title("Group order")
        .expiry_minutes(20);
    for (name, built) in [
        ("item_claim", body(&item_claim)),
        ("proportional_pool", body(&pool)),
        ("equal_count", body(&equal)),
    ] {
        let seed: Value =
            serde_json::from_str(&fixture(&format!("post_split_sessions.request.{name}"))).unwrap();
        assert_eq!(built, seed, "{name}");
    }
}
