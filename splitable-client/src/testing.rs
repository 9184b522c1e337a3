//! Test support (feature `testing`): split(able)'s answers, ready `wiremock` mocks, and
//! callbacks as split(able) sends them, for the unit tests of code that uses this crate.
//!
//! - [`created_split`], [`paid_members`], [`error`]: split(able)'s answers as it wrote them
//!   (`201` with `{"split_url", "split_id"}`; errors as `{"error": "…"}` with `200` on the draft
//!   host or `500` on the live one).
//! - [`mocks`]: `wiremock` mocks of the two calls.
//! - [`callback`]: the form split(able) posts to `api_notify_url`, authenticated by the
//!   `api_secret` it carries (no signature header), to post to your own handler; [`mutants`]
//!   makes broken copies.
//!
//! ```
//! use splitable_client::testing::{self, mocks};
//! use splitable_client::{Client, LineItem, NewSplit};
//! use wiremock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let splitable = MockServer::start().await;
//! mocks::create_split(testing::created_split("d443c9a6")).expect(1).mount(&splitable).await;
//!
//! let client = Client::builder("92746e4d66cb8993").base_url(splitable.uri()).build()?;
//! let split = NewSplit::builder("INV-1", "https://shop.example/splitable/callback")
//!     .item(LineItem::new("Team lunch", 4, 1_500))
//!     .total_from_items()
//!     .build()?;
//! assert_eq!(client.splits().create(&split).await?.split_id, "d443c9a6");
//! # Ok(())
//! # }
//! ```

use http::{HeaderMap, HeaderValue};
use serde_json::json;
pub use splitkit_common::testing::ResponseFixture;
pub use splitkit_common::webhook::testing::{Mutant, mutants};

/// `201 Created` with `{"split_url", "split_id"}`, as the live host answered a new split.
pub fn created_split(split_id: &str) -> ResponseFixture {
    ResponseFixture::json(json!({
        "split_url": format!("https://checkout.splitable.com/cws/{split_id}"),
        "split_id": split_id,
    }))
    .with_status(201)
}

/// `GET /api/splits/{id}/paid_members`: a JSON array of `{"name", "email"}`.
pub fn paid_members<'a>(members: impl IntoIterator<Item = (&'a str, &'a str)>) -> ResponseFixture {
    let members: Vec<_> = members
        .into_iter()
        .map(|(name, email)| json!({ "name": name, "email": email }))
        .collect();
    ResponseFixture::json(json!(members))
}

/// `{"error": message}` with `200`, as the draft (test) host answered errors; `.with_status(500)`
/// for the live host.
pub fn error(message: &str) -> ResponseFixture {
    ResponseFixture::json(json!({ "error": message }))
}

/// The callback split(able) posts to `api_notify_url` when a split is `paid` or
/// `cancelled`: the headers (`Content-Type: application/x-www-form-urlencoded`) and the form
/// `invoice`, `payment_status`, `api_secret`, `transaction_id`. Its only proof is `api_secret`:
/// give the company's secret, or the one the split was created with.
///
/// ```
/// use splitable_client::testing::callback;
/// use splitable_client::WebhookVerifier;
///
/// let (headers, body) = callback("INV-1", "paid", "82746e2d66cb8993", "852973493383974");
/// let verifier = WebhookVerifier::new(["82746e2d66cb8993"])?;
/// let event = verifier.verify(&headers, &body)?;
/// assert!(event.typed().is_some_and(|c| c.is_paid()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn callback(
    invoice: &str,
    payment_status: &str,
    api_secret: &str,
    transaction_id: &str,
) -> (HeaderMap, Vec<u8>) {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("invoice", invoice)
        .append_pair("payment_status", payment_status)
        .append_pair("api_secret", api_secret)
        .append_pair("transaction_id", transaction_id)
        .finish();
    (headers, body.into_bytes())
}

/// Ready `wiremock` mocks of split(able)'s calls: each matches the method and path and answers
/// the fixture given. Mount them on a `MockServer` and give the client
/// `.base_url(server.uri())`.
pub mod mocks {
    use wiremock::Mock;
    use wiremock::matchers::{method, path, path_regex};

    use super::ResponseFixture;

    /// `POST /api/splits`: a [`super::created_split`] or an [`super::error`].
    pub fn create_split(answer: ResponseFixture) -> Mock {
        Mock::given(method("POST"))
            .and(path("/api/splits"))
            .respond_with(answer)
    }

    /// `GET /api/splits/{id}/paid_members` (with or without `.json`), any split.
    pub fn paid_members(answer: ResponseFixture) -> Mock {
        Mock::given(method("GET"))
            .and(path_regex(r"^/api/splits/[^/]+/paid_members(\.json)?$"))
            .respond_with(answer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

    use super::*;
    use crate::generated::models;

    #[test]
    fn fixtures_read_as_the_models() {
        let created: models::SplitCreateResult =
            serde_json::from_slice(&created_split("d443").to_bytes()).unwrap();
        assert_eq!(created.split_id.as_deref(), Some("d443"));
        let failed: models::SplitCreateResult =
            serde_json::from_slice(&error("api_key is missing").to_bytes()).unwrap();
        assert_eq!(failed.error.as_deref(), Some("api_key is missing"));
        let members: Vec<models::PaidMember> =
            serde_json::from_slice(&paid_members([("Jo", "jo@example.com")]).to_bytes()).unwrap();
        assert_eq!(members.len(), 1);
    }

    #[test]
    fn a_callback_with_another_secret_is_refused() {
        let verifier = crate::WebhookVerifier::new(["right"]).unwrap();
        let (headers, body) = callback("INV-1", "cancelled", "wrong", "1");
        assert!(verifier.verify(&headers, &body).is_err());
        let (headers, body) = callback("INV-1", "cancelled", "right", "1");
        assert!(
            verifier
                .verify(&headers, &body)
                .unwrap()
                .typed()
                .is_some_and(|c| c.is_cancelled())
        );
    }
}
