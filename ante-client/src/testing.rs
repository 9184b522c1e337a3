//! Test support (feature `testing`): Ante's answers, ready `wiremock` mocks, and signed webhook
//! deliveries, for the unit tests of code that uses this crate.
//!
//! - [`fixtures`]: a builder per response type, starting from a realistic answer written as
//!   Ante writes it (a `request_id` on every answer, amounts in integer minor units, lower-case
//!   currencies, UTC timestamps with milliseconds, fee rates as decimals), with typed setters
//!   and `set` (a JSON pointer) for the rest; [`fixtures::error`] is Ante's error shape.
//! - [`mocks`]: `wiremock` mocks of the common calls (method and path).
//! - [`sign_webhook`]: the `Ante-Signature` header Ante sends with a delivery of a body,
//!   to post a correctly signed delivery to your own handler; [`webhook_body`] writes the
//!   body; [`mutants`] makes broken copies of a delivery.
//!
//! For flows (a group that pays share by share, a webhook retried after an outage), use the
//! emulator (`splitkit-emulator`) instead.
//!
//! ```
//! use ante_client::testing::{fixtures, mocks};
//! use ante_client::{Cart, CartItem, Client, CreateSession, SecretKey, SigningSecret};
//! use wiremock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ante = MockServer::start().await;
//! mocks::create_session(fixtures::created_session().session_id("j57demo"))
//!     .expect(1)
//!     .mount(&ante)
//!     .await;
//!
//! let client = Client::builder(SecretKey::parse("ante_sk_test_0123456789abcdefghij")?)
//!     .signing_secret(SigningSecret::parse("ante_sign_0123456789abcdef")?)
//!     .base_url(ante.uri())
//!     .build()?;
//! let cart = Cart::builder("usd").item(CartItem::new("Ticket", 2, 5_000).id("t1")).total(10_000).build()?;
//! let session = client.sessions().create(CreateSession::new(cart)).await?;
//! assert_eq!(session.session_id, "j57demo");
//! # Ok(())
//! # }
//! ```

use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
pub use splitkit_common::testing::ResponseFixture;
pub use splitkit_common::webhook::testing::{Mutant, mutants};

use crate::webhook::{SIGNATURE_HEADER, SignatureScheme, TimestampedV1};

/// The headers Ante sends with a webhook delivery of `body` signed with `secret` (a
/// dashboard endpoint's `whsec_…` secret, or the signing secret for a session's
/// `webhook_url`) now: `Ante-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
/// and `Content-Type: application/json`.
///
/// ```
/// use ante_client::testing::{fixtures, sign_webhook, webhook_body};
/// use ante_client::webhook::Key;
/// use ante_client::{WebhookSecret, WebhookVerifier};
///
/// let secret = "whsec_0123456789abcdef0123456789abcdef";
/// let body = webhook_body("group.funded", fixtures::group_funded());
/// let headers = sign_webhook(secret, &body);
/// let verifier = WebhookVerifier::new([Key::from(WebhookSecret::parse(secret)?)])?;
/// assert!(verifier.verify(&headers, &body).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_webhook(secret: &str, body: &[u8]) -> HeaderMap {
    let now = splitkit_common::Clock::unix_seconds(&splitkit_common::SystemClock);
    sign_webhook_at(secret, now, body)
}

/// [`sign_webhook`] at `timestamp` (Unix seconds): a stale or future signature for tests of
/// the timestamp tolerance.
pub fn sign_webhook_at(secret: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&TimestampedV1.sign(secret, timestamp, body)) {
        headers.insert(SIGNATURE_HEADER, v);
    }
    headers
}

/// A webhook body as Ante writes it: `{"id": "evt_…", "type", "created_at", "data"}`, with
/// `data` one of the event fixtures ([`fixtures::group_funded`], ...).
pub fn webhook_body(event_type: &str, data: Value) -> Vec<u8> {
    let body = json!({
        "id": "evt_1893456000000",
        "type": event_type,
        "created_at": "2030-01-01T00:00:00.000Z",
        "data": data,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Ante's answers, one builder per response type, each wrapping a [`ResponseFixture`]
/// (`set(pointer, value)` changes any field, `item()` is the object).
pub mod fixtures {
    use splitkit_common::{response_fixture as fixture, response_fixture_setters as setters};

    use super::*;

    fixture!(
        /// The answer to `POST /sessions` (200).
        ///
        /// ```json
        /// {"request_id": "req_…", "session_id": "j57…", "session_url": "https://splitante.com/s/j57…?access=…",
        ///  "status": "pending", "expires_at": "2030-01-03T00:00:00.000Z",
        ///  "merchant_fee_rate": 0.0201, "consumer_fee_rate": 0.01, "group_access_token": "…"}
        /// ```
        CreatedSession,
        created_session,
        "",
        json!({
            "request_id": "req_2f6c3b1a9d8e",
            "session_id": "j57a1b2c3d4e5f60718293a4b5c6d7e8",
            "session_url": "https://splitante.com/s/j57a1b2c3d4e5f60718293a4b5c6d7e8?access=3f1c9e7b5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c",
            "status": "pending",
            "expires_at": "2030-01-03T00:00:00.000Z",
            "merchant_fee_rate": 0.0201,
            "consumer_fee_rate": 0.01,
            "group_access_token": "3f1c9e7b5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c",
        })
    );
    setters!(CreatedSession {
        /// `session_id`.
        session_id("/session_id"): &str;
        /// `status`.
        status("/status"): &str;
    });

    fixture!(
        /// A session (`GET /sessions/{id}`): its group and members.
        ///
        /// ```json
        /// {"request_id": "req_…", "session_id": "j57…", "status": "pending", "expires_at": "…",
        ///  "order_ref": "ORD-1042",
        ///  "group": {"id": "j97…", "size": 2, "mode": "equal", "paid_amount": 0, "pending_amount": 12500,
        ///            "members": [{"id": "mem_…", "name": "Alex", "amount_cents": 6250, "status": "pending"}, …]},
        ///  "charges": [], "transfer": null}
        /// ```
        Session,
        session,
        "",
        json!({
            "request_id": "req_4b8d0f2a6c1e",
            "session_id": "j57a1b2c3d4e5f60718293a4b5c6d7e8",
            "status": "pending",
            "expires_at": "2030-01-03T00:00:00.000Z",
            "order_ref": "ORD-1042",
            "group": {
                "id": "j97f0e1d2c3b4a5968778695a4b3c2d1",
                "size": 2,
                "mode": "equal",
                "paid_amount": 0,
                "pending_amount": 12_500,
                "members": [
                    { "id": "mem_5c0d1e2f3a4b5c6d7e8f9a0b", "name": "Alex", "amount_cents": 6_250, "status": "pending" },
                    { "id": "mem_6d1e2f3a4b5c6d7e8f9a0b1c", "name": "Sam", "amount_cents": 6_250, "status": "pending" },
                ],
            },
            "charges": [],
            "transfer": null,
        })
    );
    setters!(Session {
        /// `session_id`.
        session_id("/session_id"): &str;
        /// `status` (`pending`, ...).
        status("/status"): &str;
        /// `order_ref`.
        order_ref("/order_ref"): &str;
    });

    impl Session {
        /// Every share paid: `funded`, the members `paid`, a Stripe charge each.
        pub fn funded(self) -> Self {
            self.set("/status", "funded")
                .set("/group/paid_amount", 12_500)
                .set("/group/pending_amount", 0)
                .set("/group/members/0/status", "paid")
                .set("/group/members/1/status", "paid")
                .set("/charges", ["pi_3Nabc0001", "pi_3Nabc0002"])
                .set("/transfer", "tr_1Nabc0003")
        }
    }

    fixture!(
        /// A page of `GET /sessions` (`total_cents`, not `total`; `next_cursor` a millisecond
        /// timestamp, `null` on the last page).
        SessionList,
        session_list,
        "",
        json!({
            "request_id": "req_9a3c5e7b1d2f",
            "data": [{
                "session_id": "j57a1b2c3d4e5f60718293a4b5c6d7e8",
                "status": "pending",
                "order_ref": "ORD-1042",
                "total_cents": 12_500,
                "currency": "usd",
                "created_at": "2030-01-01T00:00:00.000Z",
                "expires_at": "2030-01-03T00:00:00.000Z",
            }],
            "has_more": false,
            "next_cursor": null,
        })
    );

    impl SessionList {
        /// More pages follow, from `cursor`.
        pub fn more_from(self, cursor: i64) -> Self {
            self.set("/has_more", true).set("/next_cursor", cursor)
        }
    }

    fixture!(
        /// The answer to `POST /sessions/{id}/remind`.
        Reminded,
        reminded,
        "",
        json!({ "request_id": "req_1e2d3c4b5a69", "reminded": 1, "skipped": 1 })
    );

    fixture!(
        /// `GET /merchants/me` (secret keys only).
        Merchant,
        merchant,
        "",
        json!({
            "request_id": "req_7f8e9d0c1b2a",
            "merchant_id": "ante_merch_0123456789",
            "merchant_fee_rate": 0.0201,
            "consumer_fee_rate": 0.01,
            "sandbox": true,
            "stripe_connected": true,
            "headless_api_enabled": false,
            "payout_currency": { "mode": "checkout", "preferred": null },
        })
    );

    fixture!(
        /// `GET /webhooks`: the dashboard endpoints.
        WebhookEndpoints,
        webhook_endpoints,
        "",
        json!({
            "request_id": "req_3c4d5e6f7a8b",
            "data": [{
                "id": "we_0a1b2c3d4e5f60718293a4b5",
                "url": "https://shop.example/webhooks/ante",
                "events": ["group.funded", "group.expired"],
            }],
        })
    );

    fixture!(
        /// The answer to `POST /webhooks`, with the `whsec_` secret Ante shows once.
        CreatedWebhookEndpoint,
        created_webhook_endpoint,
        "",
        json!({
            "request_id": "req_5e6f7a8b9c0d",
            "id": "we_0a1b2c3d4e5f60718293a4b5",
            "url": "https://shop.example/webhooks/ante",
            "events": ["group.funded", "group.expired"],
            "secret": "whsec_4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a",
        })
    );

    /// Ante's error (`{"request_id", "error", "details"?}`) with `status`, e.g.
    /// `error(401, "Invalid or revoked API key")`; 429 with [`ResponseFixture::with_header`]
    /// `("Retry-After", "1")`.
    pub fn error(status: u16, message: &str) -> ResponseFixture {
        ResponseFixture::json(json!({ "request_id": "req_0f1e2d3c4b5a", "error": message }))
            .with_status(status)
    }

    /// The 400 of a cart whose signature does not match, with Ante's checklist.
    pub fn invalid_cart_signature() -> ResponseFixture {
        ResponseFixture::json(json!({
            "request_id": "req_0f1e2d3c4b5a",
            "error": "Invalid cart signature (X-Ante-Signature)",
            "details": [
                "Sign with the signing secret (ante_sign_...), not the secret API key or a webhook secret.",
                "Sign the canonical cart: Ante always includes `fees: []` in the HMAC.",
            ],
        }))
        .with_status(400)
    }

    /// The `data` of `group.created`.
    pub fn group_created() -> Value {
        json!({
            "session_id": "j57a1b2c3d4e5f60718293a4b5c6d7e8",
            "group_id": "j97f0e1d2c3b4a5968778695a4b3c2d1",
            "order_ref": "ORD-1042",
            "expiry_at": "2030-01-03T00:00:00.000Z",
        })
    }

    /// The `data` of `group.funded` in test mode (`transfer_id: "none"`,
    /// `sandbox_payout_skipped`).
    pub fn group_funded() -> Value {
        json!({
            "session_id": "j57a1b2c3d4e5f60718293a4b5c6d7e8",
            "group_id": "j97f0e1d2c3b4a5968778695a4b3c2d1",
            "transfer_id": "none",
            "total": 12_500,
            "merchant_fee": 251,
            "order_ref": "ORD-1042",
            "sandbox_payout_skipped": true,
        })
    }

    /// The `data` of `group.expired`.
    pub fn group_expired() -> Value {
        json!({
            "session_id": "j57a1b2c3d4e5f60718293a4b5c6d7e8",
            "group_id": "j97f0e1d2c3b4a5968778695a4b3c2d1",
            "order_ref": "ORD-1042",
            "refunded": true,
            "reason": "expired",
        })
    }
}

/// Ready `wiremock` mocks of the common calls: each matches the method and path and answers
/// the fixture given. Mount them on a `MockServer` and give the client
/// `.base_url(server.uri())`.
pub mod mocks {
    use wiremock::Mock;
    use wiremock::matchers::{method, path, path_regex};

    use super::ResponseFixture;

    fn on(verb: &str, exact: &str, answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method(verb))
            .and(path(exact))
            .respond_with(answer.into())
    }

    /// `POST /sessions`.
    pub fn create_session(answer: impl Into<ResponseFixture>) -> Mock {
        on("POST", "/sessions", answer)
    }

    /// `GET /sessions/{id}`, any id.
    pub fn get_session(answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method("GET"))
            .and(path_regex(r"^/sessions/[^/]+$"))
            .respond_with(answer.into())
    }

    /// `GET /sessions`.
    pub fn list_sessions(answer: impl Into<ResponseFixture>) -> Mock {
        on("GET", "/sessions", answer)
    }

    /// `POST /sessions/{id}/cancel`, any id.
    pub fn cancel_session(answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method("POST"))
            .and(path_regex(r"^/sessions/[^/]+/cancel$"))
            .respond_with(answer.into())
    }

    /// `GET /merchants/me`.
    pub fn get_merchant(answer: impl Into<ResponseFixture>) -> Mock {
        on("GET", "/merchants/me", answer)
    }

    /// `POST /webhooks`.
    pub fn create_webhook_endpoint(answer: impl Into<ResponseFixture>) -> Mock {
        on("POST", "/webhooks", answer)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

    use super::*;
    use crate::generated::models;

    /// Every fixture reads as the model it stands for.
    #[test]
    fn every_fixture_reads_as_its_model() {
        fn read<T: serde::de::DeserializeOwned>(fixture: impl Into<ResponseFixture>) {
            serde_json::from_slice::<T>(&fixture.into().to_bytes()).unwrap();
        }
        read::<models::CreateSessionResponse>(fixtures::created_session());
        read::<models::Session>(fixtures::session());
        read::<models::Session>(fixtures::session().funded());
        read::<models::ListSessionsResponse>(fixtures::session_list().more_from(1_893_456_000_000));
        read::<models::RemindSessionResponse>(fixtures::reminded());
        read::<models::Merchant>(fixtures::merchant());
        read::<models::ListWebhookEndpointsResponse>(fixtures::webhook_endpoints());
        read::<models::CreateWebhookEndpointResponse>(fixtures::created_webhook_endpoint());
        read::<models::Error>(fixtures::error(401, "Invalid or revoked API key"));
        serde_json::from_value::<models::GroupCreatedData>(fixtures::group_created()).unwrap();
        serde_json::from_value::<models::GroupFundedData>(fixtures::group_funded()).unwrap();
        serde_json::from_value::<models::GroupExpiredData>(fixtures::group_expired()).unwrap();
    }

    #[test]
    fn signed_deliveries_verify_and_stale_ones_do_not() {
        use crate::webhook::Key;
        let secret = "whsec_0123456789abcdef0123456789abcdef";
        let verifier =
            crate::WebhookVerifier::new([Key::from(crate::WebhookSecret::parse(secret).unwrap())])
                .unwrap();
        let body = webhook_body("group.funded", fixtures::group_funded());
        let event = verifier
            .verify(&sign_webhook(secret, &body), &body)
            .unwrap();
        assert!(event.typed().is_some());
        assert!(
            verifier
                .verify(&sign_webhook_at(secret, 1_000_000_000, &body), &body)
                .is_err()
        );
    }
}
