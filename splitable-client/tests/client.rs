//! Hosts, configuration and masking of the client.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use splitable_client::{Client, DRAFT_BASE_URL, Environment, Error, LIVE_BASE_URL};
use support::*;

fn base(builder: splitable_client::ClientBuilder) -> String {
    builder.build().unwrap().base_url().to_string()
}

#[test]
fn every_documented_host_can_be_chosen() {
    assert_eq!(LIVE_BASE_URL, "https://www.splitable.com");
    assert_eq!(DRAFT_BASE_URL, "https://www.splitable-draft.com");
    assert_eq!(base(Client::builder(API_KEY)), "https://www.splitable.com/");
    assert_eq!(
        base(Client::builder(API_KEY).draft()),
        "https://www.splitable-draft.com/"
    );
    assert_eq!(
        base(Client::builder(API_KEY).company("nimbleshop")),
        "https://nimbleshop.splitable.com/"
    );
    assert_eq!(
        base(
            Client::builder(API_KEY)
                .environment(Environment::Draft)
                .company("NimbleShop")
        ),
        "https://nimbleshop.splitable-draft.com/"
    );
}

#[test]
fn base_url_overrides_environment_and_company() {
    assert_eq!(
        base(
            Client::builder(API_KEY)
                .draft()
                .company("nimbleshop")
                .base_url("http://127.0.0.1:8089/proxy")
        ),
        "http://127.0.0.1:8089/proxy"
    );
}

#[test]
fn a_base_url_that_is_not_http_is_a_config_error() {
    let err = Client::builder(API_KEY)
        .base_url("ftp://example.com")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[test]
fn environment_helpers() {
    assert_eq!(Environment::default(), Environment::Live);
    assert_eq!(Environment::Draft.base_url(), DRAFT_BASE_URL);
    assert_eq!(
        Environment::Live.company_base_url("acme-books").unwrap(),
        "https://acme-books.splitable.com"
    );
}

#[test]
fn debug_never_shows_the_api_key() {
    let builder = Client::builder(API_KEY).company("nimbleshop");
    let shown_builder = format!("{builder:?}");
    let client = builder.build().unwrap();
    let clone = client.clone();
    let shown = format!("{shown_builder} {client:?} {clone:?} {:?}", client.api());
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(shown.contains("nimbleshop.splitable.com"), "{shown}");
}

#[test]
fn credentials_in_a_base_url_are_masked_everywhere() {
    let builder =
        Client::builder(API_KEY).base_url("https://user:hunter2@proxy.example/?api_key=k_secret");
    let shown = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown = format!("{shown} {client:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("k_secret"),
        "{shown}"
    );
    let err = Client::builder(API_KEY)
        .base_url("ftp://user:hunter2@proxy.example")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
    let err = Client::builder("  ").build().unwrap_err();
    assert!(
        matches!(&err, splitable_client::Error::Validation { field, .. } if field == "api_key"),
        "{err:?}"
    );
}
