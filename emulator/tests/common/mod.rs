//! Helpers shared by the emulator's integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, WebhookDelivery};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Fast webhook retries so retry tests finish quickly.
pub(crate) fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .webhook_retry_delays(vec![Duration::from_millis(20); 4])
        .webhook_timeout(Duration::from_secs(2))
}

pub(crate) async fn start(config: EmulatorConfig) -> RunningEmulator {
    Emulator::start(config).await.unwrap()
}

/// A client that does not follow redirects (the OAuth tests read `Location`).
pub(crate) fn http() -> reqwest::Client {
    splitkit_common::tls::http_client_builder()
        .unwrap()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap()
}

/// A webhook receiver that answers 200 to everything.
pub(crate) async fn receiver() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    server
}

/// Waits (up to five seconds) for a delivery attempt.
pub(crate) async fn delivery(
    emulator: &RunningEmulator,
    matches: impl Fn(&WebhookDelivery) -> bool,
) -> WebhookDelivery {
    emulator
        .wait_for_webhook(matches, Duration::from_secs(5))
        .await
        .expect("the webhook was not delivered in time")
}

/// Posts JSON to a control endpoint and returns the JSON answer, asserting the status.
pub(crate) async fn control(
    emulator: &RunningEmulator,
    path: &str,
    body: serde_json::Value,
    expected_status: u16,
) -> serde_json::Value {
    let response = http()
        .post(format!("{}{path}", emulator.control_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), expected_status, "POST {path}");
    response.json().await.unwrap()
}
