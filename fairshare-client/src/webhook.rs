//! Webhooks: verifying FairShare's signature and reading the event.
//!
//! FairShare POSTs each event as JSON with these headers:
//!
//! | Header | Holds |
//! |---|---|
//! | `X-SplitPay-Signature` | `v1=<hex>`: HMAC-SHA256, keyed with the webhook's signing key, of `X-SplitPay-Timestamp + "." + raw body` |
//! | `X-SplitPay-Timestamp` | Unix time in seconds |
//! | `X-SplitPay-Event` | the event type, e.g. `split_session.completed` |
//! | `X-SplitPay-Delivery` | an id of this delivery *attempt* (it changes when FairShare retries) |
//!
//! [`WebhookVerifier::verify`] checks the signature over the raw bytes in constant time,
//! then the timestamp (5 minutes either way by default), and only then decodes the body into a
//! [`WebhookEvent`].
//!
//! # Answering FairShare
//!
//! - Verify, record the event, and answer `2xx` quickly; do slow work after answering.
//! - Deliveries can repeat. De-duplicate on [`WebhookEvent::id`], which stays the same across
//!   attempts, not on the delivery id. FairShare also counts `409 Conflict` as delivered, so a
//!   duplicate may be answered `200` or `409`.
//! - Answer a failed verification with `400` (or `401`) and do not act on it.
//! - Any other answer is a failed delivery, which FairShare presumably retries (its retry
//!   schedule is not documented).
//!
//! ```
//! use fairshare_client::webhook::{EventData, WebhookVerifier};
//! use fairshare_client::WebhookEventType;
//!
//! fn handle(
//!     verifier: &WebhookVerifier,
//!     headers: &http::HeaderMap,
//!     body: &[u8],
//! ) -> http::StatusCode {
//!     let event = match verifier.verify(headers, body) {
//!         Ok(event) => event,
//!         Err(_) => return http::StatusCode::BAD_REQUEST,
//!     };
//!     // if already_processed(&event.id) { return http::StatusCode::CONFLICT; }
//!     if event.event_type == WebhookEventType::SplitSessionCompleted {
//!         if let EventData::SplitSession(session) = &event.data {
//!             println!("fulfil the order of session {}", session.id);
//!         }
//!     }
//!     http::StatusCode::OK
//! }
//! ```

use std::sync::Arc;
use std::time::Duration;

use std::fmt;

use http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use splitkit_common::webhook::{self as common_webhook, DEFAULT_TOLERANCE};
use splitkit_common::{Clock, Error, SecretString, SignatureVerifier, Timestamp, WebhookError};

use crate::generated::models::{SplitSession, WebhookEventType};

/// The signature header: `v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-SplitPay-Signature";
/// The header with the Unix timestamp (seconds) that is signed with the body.
pub const TIMESTAMP_HEADER: &str = "X-SplitPay-Timestamp";
/// The header naming the event type (the body's `type` is the one that is signed).
pub const EVENT_HEADER: &str = "X-SplitPay-Event";
/// The header with the id of this delivery attempt.
pub const DELIVERY_HEADER: &str = "X-SplitPay-Delivery";

/// The signature scheme this SDK checks (`v1=` entries of [`SIGNATURE_HEADER`]).
const SCHEME: &str = "v1=";

/// Checks FairShare webhook deliveries made with one webhook's signing key.
///
/// Each webhook configured in the dashboard has its own signing key, and sandbox and live
/// webhooks are separate: use the key of the webhook this endpoint serves. `Debug` masks it.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    verifier: SignatureVerifier,
}

impl WebhookVerifier {
    /// A verifier for deliveries signed with `signing_key`, accepting timestamps up to 5
    /// minutes old or ahead.
    ///
    /// Fails with [`Error::Config`] when the key is empty: anyone could sign with an empty key.
    pub fn new(signing_key: impl Into<SecretString>) -> Result<Self, Error> {
        let signing_key = signing_key.into();
        if signing_key.expose().trim().is_empty() {
            return Err(Error::Config(
                "the FairShare webhook signing key is empty".into(),
            ));
        }
        Ok(Self {
            verifier: SignatureVerifier::new(signing_key).tolerance(DEFAULT_TOLERANCE),
        })
    }

    /// Accepts timestamps up to `tolerance` old or ahead (default 5 minutes).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.verifier = self.verifier.tolerance(tolerance);
        self
    }

    /// Reads the current time from `clock` (for tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.verifier = self.verifier.clock(clock);
        self
    }

    /// Checks the signature of a delivery (`headers` and the raw `body` bytes as received)
    /// and its timestamp, without decoding the body.
    pub fn verify_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let timestamp_text = header_text(headers, TIMESTAMP_HEADER)?
            .ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
        let timestamp = common_webhook::parse_timestamp(TIMESTAMP_HEADER, timestamp_text)?;
        let mut candidates = Vec::new();
        let mut any_header = false;
        for value in headers.get_all(SIGNATURE_HEADER) {
            any_header = true;
            let text = value.to_str().map_err(|_| malformed_signature())?;
            candidates.extend(
                text.split(|c: char| c == ',' || c.is_ascii_whitespace())
                    .filter_map(|entry| entry.strip_prefix(SCHEME)),
            );
        }
        if !any_header {
            return Err(WebhookError::MissingHeader(SIGNATURE_HEADER));
        }
        if candidates.is_empty() {
            return Err(malformed_signature());
        }
        self.verifier.verify(
            timestamp,
            &[timestamp_text.as_bytes(), b".", body],
            &candidates,
        )
    }

    /// Checks a delivery like [`Self::verify_signature`], then decodes the body into a
    /// [`WebhookEvent`].
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        self.verify_signature(headers, body)?;
        let delivery_id = header_text(headers, DELIVERY_HEADER)?.map(str::to_owned);
        WebhookEvent::from_verified_body(body, delivery_id)
    }
}

fn malformed_signature() -> WebhookError {
    WebhookError::MalformedHeader {
        header: SIGNATURE_HEADER,
        reason: "expected `v1=<hex>`".into(),
    }
}

fn header_text<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h str>, WebhookError> {
    headers
        .get(name)
        .map(|value| {
            value.to_str().map_err(|_| WebhookError::MalformedHeader {
                header: name,
                reason: "not visible ASCII".into(),
            })
        })
        .transpose()
}

/// A verified FairShare event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The event id, the same on every delivery attempt of this event: de-duplicate on it.
    pub id: String,
    /// The event type (an open enum: a type this SDK does not know is
    /// [`WebhookEventType::Unknown`] with the type as sent).
    pub event_type: WebhookEventType,
    /// When the event was created.
    pub created: Timestamp,
    /// The event's object (`data.object`).
    pub data: EventData,
    /// The `X-SplitPay-Delivery` id of this attempt, if sent. It changes on every retry: use it
    /// in logs, not for de-duplication.
    pub delivery_id: Option<String>,
}

/// The object an event carries (`data.object`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// A `split_session.*` event: the split session after the event.
    SplitSession(Box<SplitSession>),
    /// A `contribution.created` event: the contribution, as received (FairShare does not document
    /// its fields).
    Contribution(RawObject),
    /// An event type this SDK does not know, or a `split_session.*` event whose object is not a
    /// split session as this SDK reads one: the object as received.
    Raw(RawObject),
}

/// A JSON value kept as the exact text FairShare sent, so that amounts in it are never rounded
/// through a float. Decode it into your own type with [`RawObject::decode`] (use
/// `#[serde(with = "splitkit_common::decimal")]` on `Decimal` fields), or look into it with
/// [`RawObject::to_value`].
#[derive(Clone)]
pub struct RawObject(Box<RawValue>);

impl RawObject {
    /// The JSON text as received.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// Decodes the object into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// The object as a [`serde_json::Value`]. Numbers in a `Value` are floats: read amounts
    /// with [`RawObject::decode`] instead.
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        self.decode()
    }
}

impl fmt::Debug for RawObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawObject({})", self.0.get())
    }
}

impl PartialEq for RawObject {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl WebhookEvent {
    /// Decodes a body whose signature has already been checked. Prefer
    /// [`WebhookVerifier::verify`], which checks and decodes in one step.
    pub fn from_verified_body(
        body: &[u8],
        delivery_id: Option<String>,
    ) -> Result<Self, WebhookError> {
        #[derive(Deserialize)]
        struct Envelope {
            id: String,
            #[serde(rename = "type")]
            event_type: WebhookEventType,
            created: Timestamp,
            data: Data,
        }
        #[derive(Deserialize)]
        struct Data {
            object: Box<RawValue>,
        }

        let de = &mut serde_json::Deserializer::from_slice(body);
        let envelope: Envelope = serde_path_to_error::deserialize(de)
            .map_err(|e| WebhookError::Payload(format!("at `{}`: {}", e.path(), e.inner())))?;
        let object = RawObject(envelope.data.object);
        let data = match &envelope.event_type {
            WebhookEventType::ContributionCreated => EventData::Contribution(object),
            WebhookEventType::Unknown(_) => EventData::Raw(object),
            _session_event => match object.decode::<SplitSession>() {
                Ok(session) => EventData::SplitSession(Box::new(session)),
                Err(_) => EventData::Raw(object),
            },
        };
        Ok(Self {
            id: envelope.id,
            event_type: envelope.event_type,
            created: envelope.created,
            data,
            delivery_id,
        })
    }

    /// The split session, for a `split_session.*` event that carries one.
    pub fn split_session(&self) -> Option<&SplitSession> {
        match &self.data {
            EventData::SplitSession(session) => Some(session),
            _ => None,
        }
    }
}

/// The headers FairShare would send with `body` at `timestamp` (Unix seconds), signed with
/// `signing_key`: for testing your webhook endpoint.
pub fn signature_headers(signing_key: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
    let timestamp_text = timestamp.to_string();
    let signature = common_webhook::sign(signing_key, &[timestamp_text.as_bytes(), b".", body]);
    let mut headers = HeaderMap::new();
    headers.insert(TIMESTAMP_HEADER, HeaderValue::from(timestamp));
    // Hex digits after `v1=` are always a valid header value.
    if let Ok(value) = HeaderValue::from_str(&format!("{SCHEME}{signature}")) {
        headers.insert(SIGNATURE_HEADER, value);
    }
    headers
}
