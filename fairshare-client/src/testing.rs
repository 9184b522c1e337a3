//! Test support (feature `testing`): FairShare's answers, ready `wiremock` mocks, and signed
//! webhook deliveries, for the unit tests of code that uses this crate.
//!
//! - [`session`]: a split session as FairShare writes it (camelCase field names, amounts as JSON
//!   numbers in major units with two decimals, `200.00`, never a float's `200.0`), with typed
//!   setters; [`error`] is FairShare's `{code, message}`.
//! - [`mocks`]: `wiremock` mocks of the three calls.
//! - [`sign_webhook`]: the `X-SplitPay-*` headers FairShare sends with a delivery of a body, to
//!   post a correctly signed delivery to your own handler; [`webhook_body`] writes the body;
//!   [`mutants`] makes broken copies of a delivery.
//!
//! For flows (contributors paying, a webhook retried after an outage), use the emulator
//! (`splitkit-emulator`) instead.
//!
//! ```
//! use fairshare_client::testing::{self, mocks};
//! use fairshare_client::{Client, Decimal, NewSplitSession, SplitSessionStatus};
//! use wiremock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let fairshare = MockServer::start().await;
//! mocks::create_split_session(testing::session().id("ss_1").total(Decimal::new(20_000, 2)))
//!     .expect(1)
//!     .mount(&fairshare)
//!     .await;
//!
//! let client = Client::builder("fs_test_key").base_url(fairshare.uri()).build()?;
//! let order = NewSplitSession::split_evenly(Decimal::new(20_000, 2), "QAR", 4);
//! let session = client.sessions().create(&order).await?;
//! assert_eq!((session.id.as_str(), session.status), ("ss_1", SplitSessionStatus::Pending));
//! assert_eq!(session.total, Decimal::new(20_000, 2));
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderValue};
use rust_decimal::Decimal;
use serde_json::value::RawValue;
use serde_json::{Map, Value, json};
use splitkit_common::IdempotencyKey;
pub use splitkit_common::testing::ResponseFixture;
pub use splitkit_common::webhook::testing::{Mutant, mutants};

use crate::webhook::{DELIVERY_HEADER, EVENT_HEADER};

/// The headers FairShare sends with a webhook delivery of `body` signed with `signing_key`
/// now: `X-SplitPay-Timestamp`, `X-SplitPay-Signature: v1=<hex HMAC-SHA256 of
/// "<timestamp>.<body>">`, `X-SplitPay-Event` (the body's `type`), a new
/// `X-SplitPay-Delivery`, and `Content-Type: application/json`.
///
/// ```
/// use fairshare_client::testing::{self, sign_webhook, webhook_body};
/// use fairshare_client::WebhookVerifier;
///
/// let body = webhook_body("split_session.completed", &testing::session().status("COMPLETED"));
/// let headers = sign_webhook("fs_whsec_test", &body);
/// let verifier = WebhookVerifier::new(["fs_whsec_test"])?;
/// assert!(verifier.verify(&headers, &body).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_webhook(signing_key: &str, body: &[u8]) -> HeaderMap {
    let now = splitkit_common::Clock::unix_seconds(&splitkit_common::SystemClock);
    sign_webhook_at(signing_key, now, body)
}

/// [`sign_webhook`] at `timestamp` (Unix seconds): a stale or future signature for tests of
/// the timestamp tolerance.
pub fn sign_webhook_at(signing_key: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
    let mut headers = crate::webhook::signature_headers(signing_key, timestamp, body);
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let event_type = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|b| b.get("type").and_then(Value::as_str).map(str::to_string));
    if let Some(v) = event_type.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(EVENT_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(IdempotencyKey::generate().as_str()) {
        headers.insert(DELIVERY_HEADER, v);
    }
    headers
}

/// A webhook body as FairShare writes it: `{"id", "type", "created", "data": {"object":
/// <the session>}}`.
pub fn webhook_body(event_type: &str, session: &SessionFixture) -> Vec<u8> {
    let envelope = format!(
        r#"{{"id":{},"type":{},"created":"2030-01-01T00:00:00Z","data":{{"object":{}}}}}"#,
        json!(IdempotencyKey::generate().as_str()),
        json!(event_type),
        session.render()
    );
    envelope.into_bytes()
}

/// A split session (`POST /split-sessions` answers 201 with it; `GET /split-sessions/{id}` and
/// `POST …/expected-contributors` 200).
///
/// ```json
/// {"id": "…", "splitSessionLink": "https://app.fairsharepay.com/contributor/…",
///  "total": 200.00, "collected": 0.00, "authorizedAmount": 0.00, "status": "PENDING",
///  "created": "2030-01-01T00:00:00Z", "expiresAt": "2030-01-01T00:15:00Z",
///  "completedAt": null, "refundedAt": null, "currency": "QAR", "gateway": "STRIPE",
///  "splitType": "EQUAL_COUNT", "expectedContributors": 4, "minContribution": null,
///  "convenienceFeeType": "NONE", "convenienceFeeValue": 0.00, "detailTitle": null,
///  "leadContributorName": null, "leadContributorEmail": null, "meta": null,
///  "successRedirectUrl": null, "cancelRedirectUrl": null, "failedRedirectUrl": null,
///  "items": [], "contributions": []}
/// ```
pub fn session() -> SessionFixture {
    let id = "2b1f6c1e-4a7d-4e0b-9c3e-5f8a7d6c4b21";
    let fields = json!({
        "id": id,
        "splitSessionLink": format!("https://app.fairsharepay.com/contributor/{id}"),
        "status": "PENDING",
        "created": "2030-01-01T00:00:00Z",
        "expiresAt": "2030-01-01T00:15:00Z",
        "completedAt": null,
        "refundedAt": null,
        "currency": "QAR",
        "gateway": "STRIPE",
        "splitType": "EQUAL_COUNT",
        "expectedContributors": 4,
        "minContribution": null,
        "convenienceFeeType": "NONE",
        "detailTitle": null,
        "leadContributorName": null,
        "leadContributorEmail": null,
        "meta": null,
        "successRedirectUrl": null,
        "cancelRedirectUrl": null,
        "failedRedirectUrl": null,
        "items": [],
        "contributions": [],
    });
    let mut amounts = BTreeMap::new();
    amounts.insert("total", Decimal::new(20_000, 2));
    amounts.insert("collected", Decimal::ZERO);
    amounts.insert("authorizedAmount", Decimal::ZERO);
    amounts.insert("convenienceFeeValue", Decimal::ZERO);
    SessionFixture {
        fields: match fields {
            Value::Object(map) => map,
            _ => Map::new(),
        },
        amounts,
        status: 200,
    }
}

/// A split session fixture; see [`session`].
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFixture {
    fields: Map<String, Value>,
    /// The decimal fields, written with at least two decimals.
    amounts: BTreeMap<&'static str, Decimal>,
    status: u16,
}

impl SessionFixture {
    /// Sets a field that is not an amount (`"detailTitle"`, `"items"`, ...), as FairShare names
    /// it.
    pub fn set(mut self, field: &str, value: impl serde::Serialize) -> Self {
        if let Ok(v) = serde_json::to_value(value) {
            self.fields.insert(field.to_string(), v);
        }
        self
    }

    /// `id` (and the `splitSessionLink` that names it).
    pub fn id(self, id: &str) -> Self {
        let link = format!("https://app.fairsharepay.com/contributor/{id}");
        self.set("id", id).set("splitSessionLink", link)
    }

    /// `status` (`PENDING`, `PARTIAL`, `COMPLETED`, `EXPIRED`, `REFUNDED`, ...).
    pub fn status(self, status: &str) -> Self {
        self.set("status", status)
    }

    /// `splitType` (`ITEM_CLAIM`, `PROPORTIONAL_POOL`, `EQUAL_COUNT`).
    pub fn split_type(self, split_type: &str) -> Self {
        self.set("splitType", split_type)
    }

    /// `currency`.
    pub fn currency(self, currency: &str) -> Self {
        self.set("currency", currency)
    }

    /// `total`.
    pub fn total(mut self, total: Decimal) -> Self {
        self.amounts.insert("total", total);
        self
    }

    /// `collected`.
    pub fn collected(mut self, collected: Decimal) -> Self {
        self.amounts.insert("collected", collected);
        self
    }

    /// Answers with `status` instead of the operation's success status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The session as FairShare writes it.
    pub fn render(&self) -> String {
        let mut out: BTreeMap<&str, Box<RawValue>> = BTreeMap::new();
        for (name, value) in &self.fields {
            if let Ok(raw) = RawValue::from_string(value.to_string()) {
                out.insert(name, raw);
            }
        }
        for (name, amount) in &self.amounts {
            if let Ok(raw) = RawValue::from_string(two_decimals(*amount)) {
                out.insert(name, raw);
            }
        }
        serde_json::to_string(&out).unwrap_or_default()
    }
}

/// A decimal as FairShare writes amounts: a JSON number with at least two decimals.
fn two_decimals(amount: Decimal) -> String {
    if amount.scale() < 2 {
        format!("{amount:.2}")
    } else {
        amount.to_string()
    }
}

impl From<SessionFixture> for ResponseFixture {
    fn from(fixture: SessionFixture) -> Self {
        ResponseFixture::text(fixture.render(), "application/json").with_status(fixture.status)
    }
}

/// FairShare's error (`{"code", "message"}`) with `status`, e.g.
/// `error(409, "IDEMPOTENCY_KEY_REUSED", "...")`.
pub fn error(status: u16, code: &str, message: &str) -> ResponseFixture {
    ResponseFixture::json(json!({ "code": code, "message": message })).with_status(status)
}

/// Ready `wiremock` mocks of FairShare's calls: each matches the method and path and answers
/// the fixture given. Mount them on a `MockServer` and give the client
/// `.base_url(server.uri())`.
pub mod mocks {
    use wiremock::Mock;
    use wiremock::matchers::{method, path, path_regex};

    use super::{ResponseFixture, SessionFixture};

    /// `POST /split-sessions`, answering the session with 201 (a [`super::session`]) or
    /// anything else (an [`super::error`]).
    pub fn create_split_session(answer: SessionFixture) -> Mock {
        Mock::given(method("POST"))
            .and(path("/split-sessions"))
            .respond_with(ResponseFixture::from(answer.with_status(201)))
    }

    /// `POST /split-sessions` answering an error.
    pub fn create_split_session_fails(answer: ResponseFixture) -> Mock {
        Mock::given(method("POST"))
            .and(path("/split-sessions"))
            .respond_with(answer)
    }

    /// `GET /split-sessions/{id}`, any id.
    pub fn get_split_session(answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method("GET"))
            .and(path_regex(r"^/split-sessions/[^/]+$"))
            .respond_with(answer.into())
    }

    /// `POST /split-sessions/{id}/expected-contributors`, any id.
    pub fn set_expected_contributors(answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method("POST"))
            .and(path_regex(r"^/split-sessions/[^/]+/expected-contributors$"))
            .respond_with(answer.into())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

    use super::*;

    #[test]
    fn the_session_reads_as_the_model_with_exact_amounts() {
        let fixture = session()
            .total(Decimal::new(120, 0))
            .collected(Decimal::new(125, 3));
        let text = fixture.render();
        assert!(text.contains(r#""total":120.00"#), "{text}");
        assert!(text.contains(r#""collected":0.125"#), "{text}");
        let read: crate::SplitSession = serde_json::from_str(&text).unwrap();
        assert_eq!(read.total, Decimal::new(12_000, 2));
        assert_eq!(read.collected, Decimal::new(125, 3));
        serde_json::from_slice::<crate::ErrorResponse>(
            &error(409, "IDEMPOTENCY_KEY_REUSED", "reused").to_bytes(),
        )
        .unwrap();
    }

    #[test]
    fn signed_deliveries_verify_and_stale_ones_do_not() {
        let body = webhook_body("split_session.completed", &session().status("COMPLETED"));
        let verifier = crate::WebhookVerifier::new(["key"]).unwrap();
        let event = verifier.verify(&sign_webhook("key", &body), &body).unwrap();
        assert!(event.typed().is_some());
        assert!(
            verifier
                .verify(&sign_webhook_at("key", 1_000_000_000, &body), &body)
                .is_err()
        );
    }
}
