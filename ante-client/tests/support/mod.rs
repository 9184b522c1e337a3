//! Shared helpers of the integration tests.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use ante_client::{
    Client, ClientBuilder, MerchantId, PublishableKey, RetryPolicy, SecretKey, SigningSecret,
};
use wiremock::{Match, MockServer, Request};

pub const SK: &str = "ante_sk_test_9a8b7c6d5e4f3a2b";
pub const PK: &str = "ante_pk_test_4f9c2b7e1a3d5c8e";
pub const MERCH: &str = "ante_merch_j57abc";
/// The key of the research notes' derived signing example.
pub const SIGN: &str = "ante_sign_example";
/// The signature of the documented request cart under [`SIGN`] (research notes, section 2.9).
pub const REFERENCE_SIGNATURE: &str =
    "699bbcd991ba7e38dbe77dab70ca3dd5a25fd8f45fc591d4ebad3516e26123a7";

pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .max_retry_after(Duration::from_secs(2))
        .jitter(false)
}

pub fn base(server: &MockServer) -> String {
    format!("{}/api/v1", server.uri())
}

pub fn secret_builder(server: &MockServer) -> ClientBuilder {
    Client::builder(SecretKey::parse(SK).unwrap())
        .base_url(base(server))
        .retry(fast_retry())
}

/// Secret key, signing secret and merchant id: the recommended server setup.
pub fn secret_client(server: &MockServer) -> Client {
    secret_builder(server)
        .signing_secret(SigningSecret::parse(SIGN).unwrap())
        .merchant_id(MerchantId::parse(MERCH).unwrap())
        .build()
        .unwrap()
}

pub fn publishable_client(server: &MockServer) -> Client {
    Client::builder(PublishableKey::parse(PK).unwrap())
        .base_url(base(server))
        .retry(fast_retry())
        .signing_secret(SigningSecret::parse(SIGN).unwrap())
        .build()
        .unwrap()
}

/// Matches requests that do NOT carry the header.
pub struct NoHeader(pub &'static str);

impl Match for NoHeader {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key(self.0)
    }
}

/// Matches requests with an empty body.
pub struct EmptyBody;

impl Match for EmptyBody {
    fn matches(&self, request: &Request) -> bool {
        request.body.is_empty()
    }
}

/// Every request the server saw carried no `Origin` and no idempotency key.
pub async fn assert_no_origin_nor_idempotency(server: &MockServer) {
    for request in server.received_requests().await.unwrap_or_default() {
        assert!(!request.headers.contains_key("origin"), "{request:?}");
        assert!(
            !request.headers.contains_key("idempotency-key"),
            "{request:?}"
        );
    }
}

pub async fn request_count(server: &MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}
