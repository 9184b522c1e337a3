//! Helpers shared by the examples crate's emulator tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Fast webhook retries, for tests that do not move the clock.
pub(crate) fn config() -> EmulatorConfig {
    EmulatorConfig::default()
        .webhook_retry_delays(vec![Duration::from_millis(20); 4])
        .webhook_timeout(Duration::from_secs(2))
}

pub(crate) async fn start(config: EmulatorConfig) -> RunningEmulator {
    Emulator::start(config).await.unwrap()
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
