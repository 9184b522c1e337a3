//! Receiving Zepto webhooks: [`WebhookVerifier`], [`WebhookInbox`], typed [`EventBody`]s.
//!
//! Zepto POSTs a JSON body `{"event": {"type", "at", "who"}, "data": [...]}` with two headers:
//!
//! - `Split-Signature: <timestamp>.<signature>[.<more>]`: `timestamp` is Unix seconds;
//!   `signature` is the hex HMAC-SHA256, keyed with the endpoint's signing secret, of
//!   `<timestamp>.<raw body>`. More dot-separated elements may follow: any element that is a
//!   64-digit hex string is a candidate signature and one match is enough (the reference says
//!   the header holds "one or more signatures"; other elements are "placeholders for future
//!   parameters"). Every `Split-Signature` header of a delivery is read; they must agree on
//!   the timestamp.
//! - `Split-Request-ID: <uuid>`: unique per event and unchanged when Zepto retries the
//!   delivery: it is the event's [`Event::id`](splitkit_common::webhook::Event::id). It is not
//!   covered by the signature, so a captured delivery replayed within the tolerance could carry
//!   another one. Each event therefore also has a
//!   [`replay_id`](splitkit_common::webhook::Event::replay_id) made from its signed body, and
//!   [`WebhookInbox`] de-duplicates on both: a retry (same id) and a replay (same signed body,
//!   any id or timestamp) are each answered as duplicates. A receiver that de-duplicates by
//!   itself should record both keys. (Two events always differ in their bodies: `data`
//!   carries the objects and `event.at` the time.)
//!
//! [`WebhookVerifier::verify`] checks the delivery (bounds, timestamp within 300 s either way,
//! one HMAC per secret in constant time) and then decodes it. A verified delivery always
//! becomes a [`WebhookEvent`]: when the envelope does not decode, its payload is
//! [`Payload::Unrecognised`] with the raw body; when single items of `data` do not decode, the
//! others are typed and the unreadable ones are in [`EventBody::unreadable`] with their raw
//! JSON. `data` may hold several items: handle every one.
//!
//! # Answering Zepto
//!
//! Zepto counts **any** HTTP answer (2xx, 4xx, 5xx) as delivered and retries only deliveries
//! that got no answer at all, every 5 minutes for an hour ([`RETRY_WINDOW`]), in no guaranteed
//! order. An answered delivery is never sent again unless you ask for it
//! ([`Webhooks::redeliver`](crate::webhooks::Webhooks::redeliver) for one,
//! [`Webhooks::recover`](crate::webhooks::Webhooks::recover) for the failed ones since a time). So:
//!
//! | outcome | answer | why |
//! |---|---|---|
//! | verified, new | persist or queue the event, **then** `200` | the answer ends Zepto's attempts: an event only held in memory is lost with the process |
//! | verified, payload [`Payload::Unrecognised`] or items in [`EventBody::unreadable`] | persist it as any other, `200` | Zepto will not send it differently |
//! | verified, already handled | `200` | |
//! | verified, another instance is handling it | `503` (counts as delivered) | that instance holds it |
//! | your handler could not persist it | `500` (counts as delivered) | log the id and resend the delivery from Zepto's delivery log |
//! | signature, timestamp or headers wrong | `401` | not from Zepto (or a misconfigured secret); not retried |
//! | body over the limit | `413` | |
//!
//! [`WebhookInbox`] gives exactly these answers. A Direct Entry credit that is `cleared` can
//! still be `returned` a day or two later: fulfilment logic must accept `cleared` followed by
//! `returned`.
//!
//! ```
//! use zepto_client::webhook::{EventData, Payload, WebhookEvent, WebhookVerifier};
//!
//! fn handle(verifier: &WebhookVerifier, headers: &http::HeaderMap, body: &[u8]) -> u16 {
//!     let event: WebhookEvent = match verifier.verify(headers, body) {
//!         Ok(event) => event,
//!         Err(_) => return 401,
//!     };
//!     // Persist (event.id, event.body) here, before answering.
//!     match &event.payload {
//!         Payload::Typed(body) => {
//!             if let EventData::Transactions(transactions) = &body.data {
//!                 for transaction in transactions {
//!                     println!("{} {} {}", body.event_type, transaction.ref_, transaction.status);
//!                 }
//!             }
//!         }
//!         Payload::Unrecognised(raw) => println!("kept for review: {}", raw.error()),
//!     }
//!     200
//! }
//! ```

use std::time::Duration;

use http::HeaderMap;
use serde::Deserialize;
use serde_json::value::RawValue;
use splitkit_common::ItemError;
use splitkit_common::Timestamp;
use splitkit_common::decode::items;
use splitkit_common::webhook::{
    self as common_webhook, Candidates, DecodeFailure, Decoded, Limits, Proof, Scheme,
    SignedMessage, header_values, parse_timestamp, single_header,
};

pub use splitkit_common::webhook::{
    Answers, DeliveryStore, Key, MemoryDeliveryStore, Outcome, Payload, Receipt, SecretError,
    Unrecognised, WebhookError,
};

use crate::generated::models::{
    Agreement, Contact, OpenAgreement, Payment, PaymentRequest, Transaction, UnassignedAgreement,
    WebhookEventType, WebhookEventWho,
};

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Split-Signature";
/// The header that identifies the event (stable across retries).
pub const REQUEST_ID_HEADER: &str = "Split-Request-ID";
/// The default timestamp tolerance, either way: 300 s.
pub const DEFAULT_TOLERANCE: Duration = common_webhook::DEFAULT_TOLERANCE;
/// How long Zepto retries a delivery that got no answer: every 5 minutes for an hour. An
/// [`WebhookInbox`] remembers handled events this long by default.
pub const RETRY_WINDOW: Duration = Duration::from_secs(60 * 60);

/// Verifies Zepto deliveries: `WebhookVerifier::new([secret])?`, several secrets during a
/// rotation. See the [module docs](self).
pub type WebhookVerifier = common_webhook::Verifier<ZeptoScheme>;
/// A Zepto webhook endpoint without the HTTP server: verify, skip repeats, hand over, answer.
pub type WebhookInbox = common_webhook::Inbox<ZeptoScheme>;
/// A verified Zepto delivery.
pub type WebhookEvent = common_webhook::Event<EventBody>;

/// How Zepto signs its deliveries and what they hold (header names can be changed, should
/// Zepto rename them).
#[derive(Debug, Clone)]
pub struct ZeptoScheme {
    signature_header: &'static str,
    request_id_header: &'static str,
}

impl Default for ZeptoScheme {
    fn default() -> Self {
        Self {
            signature_header: SIGNATURE_HEADER,
            request_id_header: REQUEST_ID_HEADER,
        }
    }
}

impl ZeptoScheme {
    /// Reads the signature and the request id from other headers than `Split-Signature` and
    /// `Split-Request-ID`; use with [`WebhookVerifier::with_scheme`].
    pub fn header_names(mut self, signature: &'static str, request_id: &'static str) -> Self {
        self.signature_header = signature;
        self.request_id_header = request_id;
        self
    }
}

impl Scheme for ZeptoScheme {
    type Payload = EventBody;

    fn provider(&self) -> &'static str {
        "zepto"
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
        let header = self.signature_header;
        let values = header_values(headers, &[header], limits)?;
        if values.is_empty() {
            return Err(WebhookError::MissingHeader(header));
        }
        let malformed = |reason| WebhookError::MalformedHeader { header, reason };
        let mut timestamp_text: Option<&str> = None;
        let mut candidates = Candidates::new(limits);
        for (_, value) in values {
            let mut elements = value.trim().split('.');
            let stamp = elements.next().unwrap_or_default().trim();
            if stamp.is_empty() {
                return Err(malformed("no timestamp before the first `.`"));
            }
            match timestamp_text {
                Some(seen) if seen != stamp => {
                    return Err(malformed("several headers with different timestamps"));
                }
                _ => timestamp_text = Some(stamp),
            }
            for element in elements.map(str::trim) {
                if element.len() == 64 && element.bytes().all(|b| b.is_ascii_hexdigit()) {
                    candidates.push_hex(element)?;
                }
            }
        }
        let Some(timestamp_text) = timestamp_text else {
            return Err(WebhookError::MissingHeader(header));
        };
        if candidates.is_empty() {
            return Err(malformed("no 64-digit hex signature after the timestamp"));
        }
        Ok(Proof::Hmac(SignedMessage {
            timestamp: Some(parse_timestamp(header, timestamp_text)?),
            parts: vec![timestamp_text.as_bytes(), b".", body],
            candidates,
        }))
    }

    fn id_is_signed(&self) -> bool {
        false
    }

    fn decode(&self, headers: &HeaderMap, body: &[u8]) -> Decoded<EventBody> {
        let id = single_header(headers, self.request_id_header, &Limits::default())
            .ok()
            .flatten()
            .map(|id| id.trim().to_owned());
        Decoded {
            id,
            payload: EventBody::decode(body),
        }
    }
}

/// The `Split-Signature` value Zepto would send for `body` at `timestamp` under `secret`: for
/// tests of your webhook endpoint.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let stamp = timestamp.to_string();
    let signature = common_webhook::sign(secret, &[stamp.as_bytes(), b".", body]);
    format!("{stamp}.{signature}")
}

/// The kind of object an event is about: the part of the event type before the first `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventObject {
    /// `agreement.*`
    Agreement,
    /// `contact.*`
    Contact,
    /// `credit.*` (a transaction)
    Credit,
    /// `creditor_debit.*` (a transaction)
    CreditorDebit,
    /// `debit.*` (a transaction)
    Debit,
    /// `debtor_credit.*` (a transaction)
    DebtorCredit,
    /// `open_agreement.*`
    OpenAgreement,
    /// `payment.*`
    Payment,
    /// `payment_request.*`
    PaymentRequest,
    /// `unassigned_agreement.*`
    UnassignedAgreement,
    /// Any other prefix (e.g. `payout_batch`), kept as received.
    Other(String),
}

impl EventObject {
    /// The object of the event type `event_type` (`debit.cleared` -> [`EventObject::Debit`]).
    pub fn of(event_type: &str) -> Self {
        let prefix = event_type.split('.').next().unwrap_or_default();
        match prefix {
            "agreement" => Self::Agreement,
            "contact" => Self::Contact,
            "credit" => Self::Credit,
            "creditor_debit" => Self::CreditorDebit,
            "debit" => Self::Debit,
            "debtor_credit" => Self::DebtorCredit,
            "open_agreement" => Self::OpenAgreement,
            "payment" => Self::Payment,
            "payment_request" => Self::PaymentRequest,
            "unassigned_agreement" => Self::UnassignedAgreement,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether events of this object carry transactions.
    pub fn is_transaction(&self) -> bool {
        matches!(
            self,
            Self::Credit | Self::CreditorDebit | Self::Debit | Self::DebtorCredit
        )
    }
}

/// The items of `data` that decoded, by the event's object. Items that did not decode are in
/// [`EventBody::unreadable`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum EventData {
    /// `agreement.*`
    Agreements(Vec<Agreement>),
    /// `contact.*`
    Contacts(Vec<Contact>),
    /// `credit.*`, `creditor_debit.*`, `debit.*`, `debtor_credit.*`
    Transactions(Vec<Transaction>),
    /// `open_agreement.*`
    OpenAgreements(Vec<OpenAgreement>),
    /// `payment.*`
    Payments(Vec<Payment>),
    /// `payment_request.*`
    PaymentRequests(Vec<PaymentRequest>),
    /// `unassigned_agreement.*`
    UnassignedAgreements(Vec<UnassignedAgreement>),
    /// An event type this SDK does not know: the items exactly as received.
    Unknown(Vec<Box<RawValue>>),
}

impl EventData {
    /// How many items decoded (for [`EventData::Unknown`], how many there are).
    pub fn len(&self) -> usize {
        match self {
            Self::Agreements(v) => v.len(),
            Self::Contacts(v) => v.len(),
            Self::Transactions(v) => v.len(),
            Self::OpenAgreements(v) => v.len(),
            Self::Payments(v) => v.len(),
            Self::PaymentRequests(v) => v.len(),
            Self::UnassignedAgreements(v) => v.len(),
            Self::Unknown(v) => v.len(),
        }
    }

    /// Whether no item decoded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decoded Zepto delivery body.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EventBody {
    /// The event type, e.g. `debit.cleared` (an open enum: unknown types are kept as strings).
    pub event_type: WebhookEventType,
    /// When the event occurred.
    pub at: Timestamp,
    /// The account (and its bank account) the event belongs to.
    pub who: WebhookEventWho,
    /// The items of `data` that decoded.
    pub data: EventData,
    /// The items of `data` that did not decode, each with its position and raw JSON: persist
    /// them with the event, they are part of it.
    pub unreadable: Vec<ItemError>,
}

#[derive(Deserialize)]
struct Envelope {
    event: EnvelopeEvent,
    data: Box<RawValue>,
}

#[derive(Deserialize)]
struct EnvelopeEvent {
    #[serde(rename = "type")]
    type_: WebhookEventType,
    at: Timestamp,
    who: WebhookEventWho,
}

/// `data` as a list of raw items; a single object is read as a list of one.
fn data_items(data: &RawValue) -> Result<Vec<Box<RawValue>>, DecodeFailure> {
    if let Ok(list) = serde_json::from_str::<Vec<Box<RawValue>>>(data.get()) {
        return Ok(list);
    }
    if data.get().trim_start().starts_with('{') {
        return Ok(vec![data.to_owned()]);
    }
    Err(DecodeFailure::new("data", "expected an array of items"))
}

impl EventBody {
    /// Decodes a body WITHOUT checking its signature: for events you stored after verifying
    /// them. Anything from the network goes through [`WebhookVerifier::verify`].
    pub fn decode(body: &[u8]) -> Result<Self, DecodeFailure> {
        let envelope: Envelope = DecodeFailure::decode_json(body)?;
        let raw = data_items(&envelope.data)?;
        let event_type = envelope.event.type_;
        let (data, unreadable) = match EventObject::of(event_type.as_str()) {
            EventObject::Agreement => typed(raw, EventData::Agreements),
            EventObject::Contact => typed(raw, EventData::Contacts),
            EventObject::Credit
            | EventObject::CreditorDebit
            | EventObject::Debit
            | EventObject::DebtorCredit => typed(raw, EventData::Transactions),
            EventObject::OpenAgreement => typed(raw, EventData::OpenAgreements),
            EventObject::Payment => typed(raw, EventData::Payments),
            EventObject::PaymentRequest => typed(raw, EventData::PaymentRequests),
            EventObject::UnassignedAgreement => typed(raw, EventData::UnassignedAgreements),
            EventObject::Other(_) => (EventData::Unknown(raw), Vec::new()),
        };
        Ok(Self {
            event_type,
            at: envelope.event.at,
            who: envelope.event.who,
            data,
            unreadable,
        })
    }

    /// The object the event is about.
    pub fn object(&self) -> EventObject {
        EventObject::of(self.event_type.as_str())
    }

    /// The action, the part of the event type after the first `.` (`cleared` in
    /// `debit.cleared`).
    pub fn action(&self) -> &str {
        self.event_type
            .as_str()
            .split_once('.')
            .map(|(_, action)| action)
            .unwrap_or_default()
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    raw: Vec<Box<RawValue>>,
    wrap: fn(Vec<T>) -> EventData,
) -> (EventData, Vec<ItemError>) {
    let (good, bad) = items(raw);
    (wrap(good), bad)
}
