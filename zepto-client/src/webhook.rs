//! Receiving Zepto webhooks: signature verification, de-duplication id, typed events.
//!
//! Zepto POSTs a JSON body `{"event": {"type", "at", "who"}, "data": [...]}` with two headers:
//!
//! - `Split-Signature: <timestamp>.<signature>[.<more>]`: `timestamp` is Unix seconds;
//!   `signature` is the hex HMAC-SHA256, keyed with the endpoint's signing secret, of
//!   `<timestamp>.<raw body>`. More dot-separated elements may follow: any element that is a
//!   64-digit hex string is treated as a signature and one match is enough (the reference says
//!   the header holds "one or more signatures"; other elements are "placeholders for future
//!   parameters").
//! - `Split-Request-ID: <uuid>`: unique per event and unchanged when Zepto retries the
//!   delivery; use it to process each event once.
//!
//! [`WebhookVerifier::verify_event`] checks the signature over the raw bytes (constant time),
//! then the timestamp (default tolerance 300 s either way), and only then parses the body.
//! `data` is an array and may hold several items: loop over all of them.
//!
//! # Answering Zepto
//!
//! Zepto counts any HTTP answer (2xx, 4xx, 5xx) as delivered and retries only deliveries that
//! got no answer at all, every 5 minutes for an hour, in no guaranteed order. So: verify,
//! record the request id, answer `200` quickly, and do the work afterwards; answer `401` to a
//! delivery that fails verification (it will not be retried); answer `200` to a request id you
//! have already processed. A Direct Entry credit that is `cleared` can still be `returned` a day
//! or two later: fulfilment logic must accept `cleared` followed by `returned`.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use splitkit_common::webhook::{self as common_webhook, SignatureVerifier, WebhookError};
use splitkit_common::{Clock, Error, SecretString, Timestamp};

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

/// Checks deliveries signed with one endpoint's signing secret.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    verifier: SignatureVerifier,
    signature_header: &'static str,
    request_id_header: &'static str,
}

/// What a verified delivery's headers said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// `Split-Request-ID`: the event's id, the same on every retry. `None` when absent.
    pub request_id: Option<String>,
    /// When Zepto signed the delivery (Unix seconds).
    pub timestamp: i64,
}

impl WebhookVerifier {
    /// A verifier for the endpoint whose signing secret is `secret` (shown in Zepto's webhook
    /// settings, or as `signature_secret` by `client.webhooks().list()`).
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self {
            verifier: SignatureVerifier::new(secret),
            signature_header: SIGNATURE_HEADER,
            request_id_header: REQUEST_ID_HEADER,
        }
    }

    /// Accepts timestamps up to `tolerance` old or ahead (default 300 s).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.verifier = self.verifier.tolerance(tolerance);
        self
    }

    /// Reads the current time from `clock` (for tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.verifier = self.verifier.clock(clock);
        self
    }

    /// Reads the signature and the request id from other headers than `Split-Signature` and
    /// `Split-Request-ID` (should Zepto rename them).
    pub fn header_names(mut self, signature: &'static str, request_id: &'static str) -> Self {
        self.signature_header = signature;
        self.request_id_header = request_id;
        self
    }

    /// Checks the signature of `body` (the raw bytes as received) and its timestamp.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified, Error> {
        let header = self.signature_header;
        let value = headers
            .get(header)
            .ok_or(WebhookError::MissingHeader(header))?
            .to_str()
            .map_err(|_| WebhookError::MalformedHeader {
                header,
                reason: "not visible ASCII".into(),
            })?;
        let (timestamp_text, signatures) = parse_signature_header(header, value)?;
        let timestamp = common_webhook::parse_timestamp(header, timestamp_text)?;
        self.verifier.verify(
            timestamp,
            &[timestamp_text.as_bytes(), b".", body],
            &signatures,
        )?;
        let request_id = headers
            .get(self.request_id_header)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        Ok(Verified {
            request_id,
            timestamp,
        })
    }

    /// Verifies the delivery, then decodes it into a typed event.
    pub fn verify_event(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, Error> {
        let verified = self.verify(headers, body)?;
        let mut event = WebhookEvent::parse_unverified(body)?;
        event.request_id = verified.request_id;
        event.signed_at = Some(verified.timestamp);
        Ok(event)
    }
}

/// Splits `timestamp.sig[.sig...]`; keeps the elements that look like HMAC-SHA256 hex digests.
fn parse_signature_header<'a>(
    header: &'static str,
    value: &'a str,
) -> Result<(&'a str, Vec<&'a str>), WebhookError> {
    let mut parts = value.trim().split('.');
    let timestamp = parts.next().unwrap_or_default().trim();
    if timestamp.is_empty() {
        return Err(WebhookError::MalformedHeader {
            header,
            reason: "no timestamp before the first `.`".into(),
        });
    }
    let signatures: Vec<&str> = parts
        .map(str::trim)
        .filter(|p| p.len() == 64 && p.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    if signatures.is_empty() {
        return Err(WebhookError::MalformedHeader {
            header,
            reason: "no 64-digit hex signature after the timestamp".into(),
        });
    }
    Ok((timestamp, signatures))
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

/// The `data` array of an event, decoded by the event's object.
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
    /// An event type this SDK does not know: the `data` array exactly as received.
    Unknown(Box<RawValue>),
}

impl EventData {
    /// How many items `data` holds (for [`EventData::Unknown`], the raw array is counted).
    pub fn len(&self) -> usize {
        match self {
            Self::Agreements(v) => v.len(),
            Self::Contacts(v) => v.len(),
            Self::Transactions(v) => v.len(),
            Self::OpenAgreements(v) => v.len(),
            Self::Payments(v) => v.len(),
            Self::PaymentRequests(v) => v.len(),
            Self::UnassignedAgreements(v) => v.len(),
            Self::Unknown(raw) => serde_json::from_str::<Vec<&RawValue>>(raw.get())
                .map(|v| v.len())
                .unwrap_or(0),
        }
    }

    /// Whether `data` is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A decoded webhook delivery.
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// `Split-Request-ID`: the de-duplication key (set by [`WebhookVerifier::verify_event`]).
    pub request_id: Option<String>,
    /// When Zepto signed the delivery (set by [`WebhookVerifier::verify_event`]).
    pub signed_at: Option<i64>,
    /// The event type, e.g. `debit.cleared` (an open enum: unknown types are kept as strings).
    pub event_type: WebhookEventType,
    /// When the event occurred.
    pub at: Timestamp,
    /// The account (and its bank account) the event belongs to.
    pub who: WebhookEventWho,
    /// The items of the event.
    pub data: EventData,
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

fn payload_error(what: &str, error: serde_json::Error) -> Error {
    Error::Webhook(WebhookError::Payload(format!("{what}: {error}")))
}

fn items<T: DeserializeOwned>(raw: &RawValue) -> Result<Vec<T>, Error> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            "data".to_owned()
        } else if path.starts_with('[') {
            format!("data{path}")
        } else {
            format!("data.{path}")
        };
        payload_error(&at, e.into_inner())
    })
}

impl WebhookEvent {
    /// Decodes a body WITHOUT checking its signature: for replays from your own storage and
    /// tests. Use [`WebhookVerifier::verify_event`] for anything that came over the network.
    pub fn parse_unverified(body: &[u8]) -> Result<Self, Error> {
        let envelope: Envelope =
            serde_json::from_slice(body).map_err(|e| payload_error("envelope", e))?;
        let event_type = envelope.event.type_;
        let data = match EventObject::of(event_type.as_str()) {
            EventObject::Agreement => EventData::Agreements(items(&envelope.data)?),
            EventObject::Contact => EventData::Contacts(items(&envelope.data)?),
            EventObject::Credit
            | EventObject::CreditorDebit
            | EventObject::Debit
            | EventObject::DebtorCredit => EventData::Transactions(items(&envelope.data)?),
            EventObject::OpenAgreement => EventData::OpenAgreements(items(&envelope.data)?),
            EventObject::Payment => EventData::Payments(items(&envelope.data)?),
            EventObject::PaymentRequest => EventData::PaymentRequests(items(&envelope.data)?),
            EventObject::UnassignedAgreement => {
                EventData::UnassignedAgreements(items(&envelope.data)?)
            }
            EventObject::Other(_) => EventData::Unknown(envelope.data),
        };
        Ok(Self {
            request_id: None,
            signed_at: None,
            event_type,
            at: envelope.event.at,
            who: envelope.event.who,
            data,
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
