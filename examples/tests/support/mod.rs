//! Helpers shared by the examples crate's emulator tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
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

/// A Zepto client of the emulator: the personal access token, and the emulator's clock.
pub(crate) fn zepto_client(emulator: &RunningEmulator) -> zepto_client::Client {
    zepto_client::Client::builder(zepto_client::Environment::custom(
        emulator.zepto_api_base_url(),
        emulator.zepto_oauth_base_url(),
    ))
    .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
    .clock(emulator.clock())
    .build()
    .unwrap()
}
