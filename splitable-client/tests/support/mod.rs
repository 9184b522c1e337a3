//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::time::Duration;

use splitable_client::{Client, LineItem, NewSplit, RetryPolicy};
use wiremock::MockServer;

/// The public test key of the documentation.
pub const API_KEY: &str = "92746e4d66cb8993";

/// Retries without real waiting.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
        .jitter(false)
}

/// A client of the mock server.
pub fn client(server: &MockServer) -> Client {
    Client::builder(API_KEY)
        .base_url(server.uri())
        .retry(fast_retry())
        .build()
        .unwrap()
}

/// The documentation's curl example, as a builder.
pub fn documented_split() -> splitable_client::NewSplitBuilder {
    NewSplit::builder(
        "3789273937239273",
        "http://www.acme.com/instant_payment_notification/splitable",
    )
    .total_amount(35000)
    .expires_in(48)
    .shipping(1000)
    .tax(4000)
    .description("Campus books has the best selection of educational books in the market")
    .item(
        LineItem::new("Essential Calculus Book", 1, 20000)
            .with_url("http://www.yourcompany.com/products/essential-calculus-book"),
    )
    .item(
        LineItem::new("Marine Biology Book", 1, 10000)
            .with_url("http://www.yourcompany.com/products/marine-biology-book"),
    )
}

/// A minimal valid split.
pub fn small_split() -> splitable_client::NewSplitBuilder {
    NewSplit::builder("inv-1", "https://shop.example.com/callback")
        .total_amount(450)
        .item(LineItem::new("Tea", 1, 450))
}

/// The recorded success body (nimbleshop VCR cassette, April 2012).
pub const RECORDED_SUCCESS: &str = r#"{"split_url":"https://checkout.splitable.com/cws/d4439197c134c2a2c2c04ab02b8cf57bb93296d6bd6554127dd7","split_id":"d4439197c134c2a2c2c04ab02b8cf57bb93296d6bd6554127dd7"}"#;

/// The recorded failure body (500 on live, 200 on draft).
pub const RECORDED_NO_ITEMS: &str = r#"{"error":"Order must have atleast one line item"}"#;
