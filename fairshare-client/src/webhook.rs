//! Webhooks: [`WebhookVerifier`], [`WebhookInbox`] and FairShare's typed [`EventBody`].
//!
//! FairShare POSTs each event as JSON with these headers:
//!
//! | Header | Holds |
//! |---|---|
//! | `X-SplitPay-Signature` | `v1=<hex>`: HMAC-SHA256, keyed with the webhook's signing key, of `X-SplitPay-Timestamp + "." + raw body` |
//! | `X-SplitPay-Timestamp` | Unix time in seconds |
//! | `X-SplitPay-Event` | the event type, e.g. `split_session.completed` (not signed: the body's `type` is used) |
//! | `X-SplitPay-Delivery` | an id of this delivery *attempt* (it changes when FairShare retries) |
//!
//! [`WebhookVerifier::verify`] checks the bounds, the timestamp (5 minutes either way by
//! default), then the signature over the raw bytes (one HMAC per signing key, compared in
//! constant time with every `v1=` entry of every `X-SplitPay-Signature` header), and only then
//! decodes the body. A verified delivery always becomes a [`WebhookEvent`]: typed when the
//! body decodes, [`Payload::Unrecognised`] with the raw body and the reason otherwise. Its
//! [`Event::id`](splitkit_common::webhook::Event::id) is the body's `id`, the same on every
//! attempt of the event (not the delivery id).
//!
//! # Answering FairShare
//!
//! FairShare counts any `2xx` and also `409 Conflict` as delivered; anything else is a failed
//! attempt, which it retries on a schedule it does not document ([`RETRY_WINDOW`] is this
//! crate's assumption, change it with [`WebhookInbox::retention`](splitkit_common::webhook::Inbox::retention)).
//!
//! | outcome | answer | why |
//! |---|---|---|
//! | verified, new | record or queue the event, then `200` | answer quickly; do slow work afterwards |
//! | verified, payload [`Payload::Unrecognised`] | record it as any other, `200` | a retry would carry the same body |
//! | verified, already handled | `200` (`409` also counts as delivered) | |
//! | verified, another instance is handling it | `503` | FairShare retries; by then it is handled |
//! | your handler failed | `500` | FairShare retries |
//! | signature, timestamp or headers wrong | `401` | not acted on; a genuine delivery under a misconfigured key is retried until fixed |
//! | body over the limit | `413` | |
//!
//! [`WebhookInbox`] gives exactly these answers.
//!
//! ```
//! use fairshare_client::webhook::{EventData, Payload, WebhookVerifier};
//! use fairshare_client::WebhookEventType;
//!
//! fn handle(verifier: &WebhookVerifier, headers: &http::HeaderMap, body: &[u8]) -> u16 {
//!     let Ok(event) = verifier.verify(headers, body) else {
//!         return 401;
//!     };
//!     // Record (event.id, event.body) here; skip ids already handled.
//!     if let Payload::Typed(body) = &event.payload {
//!         if body.event_type == WebhookEventType::SplitSessionCompleted {
//!             if let EventData::SplitSession(session) = &body.data {
//!                 println!("fulfil the order of session {}", session.id);
//!             }
//!         }
//!     }
//!     200
//! }
//! ```

use std::fmt;
use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use splitkit_common::Timestamp;
use splitkit_common::webhook::{
    self as common_webhook, Candidates, DecodeFailure, Decoded, Limits, Proof, Scheme,
    SignedMessage, header_values, parse_timestamp, single_header,
};

pub use splitkit_common::webhook::{
    Answers, DeliveryStore, Key, MemoryDeliveryStore, Outcome, Payload, Receipt, SecretError,
    Unrecognised, WebhookError,
};

use crate::generated::models::{SplitSession, WebhookEventType};

/// The signature header: `v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-SplitPay-Signature";
/// The header with the Unix timestamp (seconds) that is signed with the body.
pub const TIMESTAMP_HEADER: &str = "X-SplitPay-Timestamp";
/// The header naming the event type (the body's `type` is the one that is signed).
pub const EVENT_HEADER: &str = "X-SplitPay-Event";
/// The header with the id of this delivery attempt.
pub const DELIVERY_HEADER: &str = "X-SplitPay-Delivery";
/// How long FairShare may retry an event, as this crate assumes: 3 days. FairShare does not
/// document its schedule. A [`WebhookInbox`] remembers handled events this long by default.
pub const RETRY_WINDOW: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// The signature scheme this SDK checks (`v1=` entries of [`SIGNATURE_HEADER`]).
const SCHEME: &str = "v1=";

/// Verifies FairShare deliveries: `WebhookVerifier::new([signing_key])?`.
///
/// Each webhook configured in the dashboard has its own signing key, and sandbox and live
/// webhooks are separate: use the key of the webhook this endpoint serves (two while
/// replacing one). `Debug` masks keys.
pub type WebhookVerifier = common_webhook::Verifier<FairShareScheme>;
/// A FairShare webhook endpoint without the HTTP server: verify, skip repeats, hand over,
/// answer.
pub type WebhookInbox = common_webhook::Inbox<FairShareScheme>;
/// A verified FairShare delivery.
pub type WebhookEvent = common_webhook::Event<EventBody>;

/// How FairShare signs its deliveries and what they hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct FairShareScheme;

impl Scheme for FairShareScheme {
    type Payload = EventBody;

    fn provider(&self) -> &'static str {
        "fairshare"
    }

    fn retry_window(&self) -> Duration {
        RETRY_WINDOW
    }

    fn proof<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &'a [u8],
        limits: &Limits,
    ) -> Result<Proof<'a>, WebhookError> {
        let timestamp_text = single_header(headers, TIMESTAMP_HEADER, limits)?
            .ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?
            .trim();
        let timestamp = parse_timestamp(TIMESTAMP_HEADER, timestamp_text)?;
        let values = header_values(headers, &[SIGNATURE_HEADER], limits)?;
        if values.is_empty() {
            return Err(WebhookError::MissingHeader(SIGNATURE_HEADER));
        }
        let mut candidates = Candidates::new(limits);
        for (_, value) in values {
            for entry in value.split(|c: char| c == ',' || c.is_ascii_whitespace()) {
                if let Some(hex) = entry.strip_prefix(SCHEME) {
                    candidates.push_hex(hex)?;
                }
            }
        }
        if candidates.is_empty() {
            return Err(WebhookError::MalformedHeader {
                header: SIGNATURE_HEADER,
                reason: "expected `v1=<hex>`",
            });
        }
        Ok(Proof::Hmac(SignedMessage {
            timestamp: Some(timestamp),
            parts: vec![timestamp_text.as_bytes(), b".", body],
            candidates,
        }))
    }

    fn decode(&self, _headers: &HeaderMap, body: &[u8]) -> Decoded<EventBody> {
        match EventBody::decode(body) {
            Ok((id, event)) => Decoded {
                id: Some(id),
                payload: Ok(event),
            },
            Err(error) => Decoded {
                id: id_only(body),
                payload: Err(error),
            },
        }
    }
}

/// The body's `id`, when the body is an object with a string `id`.
fn id_only(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_slice::<IdOnly>(body).ok().map(|e| e.id)
}

/// A decoded FairShare delivery body (its `id` is the event's
/// [`Event::id`](splitkit_common::webhook::Event::id)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EventBody {
    /// The event type (an open enum: a type this SDK does not know is
    /// [`WebhookEventType::Unknown`] with the type as sent).
    pub event_type: WebhookEventType,
    /// When the event was created.
    pub created: Timestamp,
    /// The event's object (`data.object`).
    pub data: EventData,
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
    /// An event type this SDK does not know: the object as received.
    Raw(RawObject),
}

/// A JSON value kept as the exact text FairShare sent, so that amounts in it are never rounded
/// through a float. Decode it into your own type with [`RawObject::decode`] (use
/// `#[serde(with = "fairshare_client::splitkit_common::decimal")]` on `Decimal` fields), or
/// look into it with [`RawObject::to_value`].
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

impl EventBody {
    /// Decodes a body WITHOUT checking its signature, with its event id: for events you stored
    /// after verifying them. Anything from the network goes through
    /// [`WebhookVerifier::verify`].
    pub fn decode(body: &[u8]) -> Result<(String, Self), DecodeFailure> {
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

        let envelope: Envelope = DecodeFailure::decode_json(body)?;
        let object = RawObject(envelope.data.object);
        let data = match &envelope.event_type {
            WebhookEventType::ContributionCreated => EventData::Contribution(object),
            WebhookEventType::Unknown(_) => EventData::Raw(object),
            _session_event => {
                let session = DecodeFailure::decode_json::<SplitSession>(object.json().as_bytes())
                    .map_err(|e| e.within("data.object"))?;
                EventData::SplitSession(Box::new(session))
            }
        };
        Ok((
            envelope.id,
            Self {
                event_type: envelope.event_type,
                created: envelope.created,
                data,
            },
        ))
    }

    /// The split session, for a `split_session.*` event.
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
