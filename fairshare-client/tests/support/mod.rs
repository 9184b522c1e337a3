//! Shared pieces of the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::time::Duration;

use fairshare_client::{Client, ClientBuilder, RetryPolicy};
use wiremock::MockServer;

/// The API key the tests authenticate with.
pub const API_KEY: &str = "fs_sandbox_test_key_123";

/// The documented example success response of "Create Split Sessions via API".
pub const DOCUMENTED_SESSION: &str = r#"{
  "id": "9f6e96d3-7b18-4f0e-96b8-e2eb9f6a2a1c",
  "splitSessionLink": "https://app.fairsharepay.com/contributor/9f6e96d3-7b18-4f0e-96b8-e2eb9f6a2a1c",
  "total": 200.00,
  "collected": 0.00,
  "authorizedAmount": 0.00,
  "status": "PENDING",
  "created": "2026-04-08T10:15:30Z",
  "expiresAt": "2026-04-08T10:35:30Z",
  "completedAt": null,
  "refundedAt": null,
  "currency": "QAR",
  "gateway": "STRIPE",
  "splitType": "EQUAL_COUNT",
  "expectedContributors": 4,
  "minContribution": null,
  "convenienceFeeType": "FIXED_PER_CONTRIBUTION",
  "convenienceFeeValue": 2.50,
  "detailTitle": "Group order",
  "leadContributorName": null,
  "leadContributorEmail": null,
  "meta": "order-123",
  "successRedirectUrl": "https://example.com/success",
  "cancelRedirectUrl": "https://example.com/cancel",
  "failedRedirectUrl": "https://example.com/failed",
  "items": [],
  "contributions": []
}"#;

/// The id of the documented session.
pub const SESSION_ID: &str = "9f6e96d3-7b18-4f0e-96b8-e2eb9f6a2a1c";

/// Retries without real waiting.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .jitter(false)
}

/// A builder aimed at `server`, the way a merchant would point the SDK at a proxy.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder(API_KEY)
        .base_url(format!("{}/api/v1", server.uri()))
        .retry(fast_retry())
}

/// A client aimed at `server` with fast retries.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().unwrap()
}
