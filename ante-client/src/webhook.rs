//! Verifying Ante's webhook deliveries and reading their events: [`WebhookVerifier`],
//! [`WebhookInbox`], typed [`EventBody`].
//!
//! Ante signs every delivery with HMAC-SHA256 in the `Ante-Signature` header (`Plurel-Signature`
//! after the rebrand). Which secret depends on where the delivery goes:
//!
//! | Delivery to | Verify with |
//! |---|---|
//! | a dashboard endpoint (Merchants → Webhooks, or [`WebhookEndpoints::create`](crate::WebhookEndpoints::create)) | its [`WebhookSecret`] (`whsec_…`) |
//! | a per-session `webhook_url` ([`CreateSession::webhook_url`](crate::CreateSession::webhook_url)) | the merchant [`SigningSecret`] (`ante_sign_…`) |
//!
//! Using the wrong kind is, per Ante, the most common production bug; a [`WebhookVerifier`] can
//! hold both kinds (and several of each, e.g. during a rotation) and accepts a delivery that any
//! of them signed; [`WebhookSource::of`] tells you which kind did.
//!
//! ```
//! use ante_client::webhook::{Key, WebhookVerifier};
//! use ante_client::{SigningSecret, WebhookSecret};
//!
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = WebhookVerifier::new([
//!     Key::from(WebhookSecret::parse("whsec_0123456789abcdef0123")?),
//!     Key::from(SigningSecret::parse("ante_sign_0123456789abcdef")?),
//! ])?;
//! # let _ = verifier; Ok(()) }
//! ```
//!
//! # The signature scheme
//!
//! Ante documents HMAC-SHA256, the header name, a constant-time check and "reject timestamps
//! older than 5 minutes", but not the header's exact grammar. The default, [`TimestampedV1`],
//! is the most likely scheme from what is known (Plurel's storefront tests its verifier with a
//! `v1=…` header): `Ante-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<raw body>"`, keyed with the full secret string, prefix included. It is not confirmed.
//! The header grammar sits behind the [`SignatureScheme`] trait: if Ante's deliveries turn out
//! to differ, build the verifier with [`WebhookVerifier::with_scheme`] and
//! [`AnteScheme::format`] (no other code changes), and a later version of this crate will
//! change the default.
//!
//! # Answering Ante
//!
//! Ante asks for a `2xx` and documents neither its retry schedule nor a de-duplication header;
//! a delivery that gets another answer is presumably retried ([`RETRY_WINDOW`] is this crate's
//! assumption; change it with
//! [`WebhookInbox::retention`](splitkit_common::webhook::Inbox::retention)).
//!
//! | outcome | answer | why |
//! |---|---|---|
//! | verified, new | record or queue the event, then `200` | fulfil on `group.funded`, never on browser callbacks |
//! | verified, payload [`Payload::Unrecognised`] | record it as any other, `200` | a retry would carry the same body |
//! | verified, already handled (same [`Event::id`](splitkit_common::webhook::Event::id)) | `200` | a dashboard endpoint and a per-session URL can both receive one event |
//! | verified, another instance is handling it | `503` | Ante retries; by then it is handled |
//! | your handler failed | `500` | Ante retries |
//! | signature, timestamp or headers wrong | `401` | not from Ante, or too old: do nothing |
//! | body over the limit | `413` | |
//!
//! Make fulfilment idempotent on `order_ref` too. [`WebhookInbox`] gives exactly these answers.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use splitkit_common::Timestamp;
use splitkit_common::webhook::{
    self as common_webhook, DecodeFailure, Decoded, Limits, Proof, Scheme, SignedMessage,
    header_values, parse_timestamp,
};

pub use splitkit_common::webhook::{
    Answers, Candidates, DeliveryStore, Key, MemoryDeliveryStore, Outcome, Payload, Receipt,
    SecretError, Unrecognised, WebhookError,
};

use crate::credentials::{SigningSecret, WebhookSecret};
use crate::generated::models::{
    self, GroupCancelledData, GroupCreatedData, GroupExpiredData, GroupFundedData, WebhookEventType,
};

/// The signature header Ante documents.
pub const SIGNATURE_HEADER: &str = "Ante-Signature";

/// The same header under the Plurel Pay rebrand; accepted as an alias.
pub const PLUREL_SIGNATURE_HEADER: &str = "Plurel-Signature";

/// How long Ante may retry an event, as this crate assumes: 3 days. Ante does not document its
/// schedule. A [`WebhookInbox`] remembers handled events this long by default.
pub const RETRY_WINDOW: Duration = Duration::from_secs(3 * 24 * 60 * 60);

/// The [`Key`] label of a dashboard endpoint's `whsec_` secret.
const ENDPOINT_LABEL: &str = "ante:endpoint";
/// The [`Key`] label of the merchant signing secret.
const SESSION_LABEL: &str = "ante:session";

/// Verifies Ante deliveries: `WebhookVerifier::new([Key::from(webhook_secret), ...])?`.
pub type WebhookVerifier = common_webhook::Verifier<AnteScheme>;
/// An Ante webhook endpoint without the HTTP server: verify, skip repeats, hand over, answer.
pub type WebhookInbox = common_webhook::Inbox<AnteScheme>;
/// A verified Ante delivery.
pub type WebhookEvent = common_webhook::Event<EventBody>;

/// How Ante lays out the signature header. Implement it to correct the default
/// ([`TimestampedV1`]) without waiting for a new version of this crate.
pub trait SignatureScheme: Send + Sync + fmt::Debug {
    /// Reads one header value: adds its signatures to `candidates` and returns the timestamp
    /// exactly as sent (it is signed as `"<timestamp>.<raw body>"`), or `None` when the scheme
    /// carries no timestamp (then the raw body alone is signed and no tolerance applies).
    /// `header` is its name, for errors.
    fn parse<'v>(
        &self,
        header: &'static str,
        value: &'v str,
        candidates: &mut Candidates,
    ) -> Result<Option<&'v str>, WebhookError>;

    /// The HMAC key made from a secret (default: the whole secret string, prefix included).
    fn key<'a>(&self, secret: &'a str) -> &'a str {
        secret
    }

    /// The header value Ante would send for `body` at `timestamp`; for tests and emulators.
    fn sign(&self, secret: &str, timestamp: i64, body: &[u8]) -> String;
}

/// The default scheme: `t=<unix seconds>,v1=<hex>` with HMAC-SHA256 over `"<t>.<raw body>"`.
///
/// Parts are separated by `,` and may carry spaces; several `v1` values are all tried (key
/// rotation); other parts (e.g. a future `v2`) are ignored. Exactly one `t` is required.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimestampedV1;

impl SignatureScheme for TimestampedV1 {
    fn parse<'v>(
        &self,
        header: &'static str,
        value: &'v str,
        candidates: &mut Candidates,
    ) -> Result<Option<&'v str>, WebhookError> {
        let malformed = |reason| WebhookError::MalformedHeader { header, reason };
        let mut timestamp = None;
        let mut signatures = 0;
        for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, v)) = part.split_once('=') else {
                return Err(malformed("expected `t=<unix seconds>,v1=<hex>`"));
            };
            match name.trim() {
                "t" if timestamp.is_some() => return Err(malformed("more than one `t`")),
                "t" => timestamp = Some(v.trim()),
                "v1" => {
                    signatures += 1;
                    candidates.push_hex(v)?;
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or_else(|| malformed("no timestamp (`t=<unix seconds>`)"))?;
        if signatures == 0 {
            return Err(malformed("no `v1=<hex>` signature"));
        }
        Ok(Some(timestamp))
    }

    fn sign(&self, secret: &str, timestamp: i64, body: &[u8]) -> String {
        let t = timestamp.to_string();
        let mac = common_webhook::sign(self.key(secret), &[t.as_bytes(), b".", body]);
        format!("t={t},v1={mac}")
    }
}

/// How Ante signs its deliveries and what they hold: the header grammar
/// ([`SignatureScheme`]) and the header names.
#[derive(Debug, Clone)]
pub struct AnteScheme {
    format: Arc<dyn SignatureScheme>,
    header_names: Vec<&'static str>,
}

impl Default for AnteScheme {
    /// [`TimestampedV1`] in `Ante-Signature` or `Plurel-Signature`.
    fn default() -> Self {
        Self {
            format: Arc::new(TimestampedV1),
            header_names: vec![SIGNATURE_HEADER, PLUREL_SIGNATURE_HEADER],
        }
    }
}

impl AnteScheme {
    /// Reads the signature header with another grammar (see the [module docs](self)).
    pub fn format(mut self, format: Arc<dyn SignatureScheme>) -> Self {
        self.format = format;
        self
    }

    /// Reads the signature from these headers (default `Ante-Signature`,
    /// `Plurel-Signature`); every value of each is read.
    pub fn header_names(mut self, names: &[&'static str]) -> Self {
        self.header_names = names.to_vec();
        self
    }
}

impl Scheme for AnteScheme {
    type Payload = EventBody;

    fn provider(&self) -> &'static str {
        "ante"
    }

    fn retry_window(&self) -> Duration {
        RETRY_WINDOW
    }

    fn hmac_key<'s>(&self, secret: &'s str) -> &'s [u8] {
        self.format.key(secret).as_bytes()
    }

    fn proof<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &'a [u8],
        limits: &Limits,
    ) -> Result<Proof<'a>, WebhookError> {
        let values = header_values(headers, &self.header_names, limits)?;
        let Some(&(first, _)) = values.first() else {
            return Err(WebhookError::MissingHeader(
                self.header_names
                    .first()
                    .copied()
                    .unwrap_or(SIGNATURE_HEADER),
            ));
        };
        let mut candidates = Candidates::new(limits);
        let mut timestamp: Option<Option<&str>> = None;
        for (name, value) in values {
            let stamp = self.format.parse(name, value, &mut candidates)?;
            match timestamp {
                Some(seen) if seen != stamp => {
                    return Err(WebhookError::MalformedHeader {
                        header: name,
                        reason: "several signature headers with different timestamps",
                    });
                }
                _ => timestamp = Some(stamp),
            }
        }
        let (timestamp, parts) = match timestamp.flatten() {
            Some(text) => (
                Some(parse_timestamp(first, text)?),
                vec![text.as_bytes(), b".", body],
            ),
            None => (None, vec![body]),
        };
        Ok(Proof::Hmac(SignedMessage {
            timestamp,
            parts,
            candidates,
        }))
    }

    fn decode(&self, _headers: &HeaderMap, body: &[u8]) -> Decoded<EventBody> {
        let envelope: models::WebhookEvent = match DecodeFailure::decode_json(body) {
            Ok(envelope) => envelope,
            Err(error) => {
                #[derive(Deserialize)]
                struct IdOnly {
                    id: String,
                }
                let id = serde_json::from_slice::<IdOnly>(body).ok().map(|e| e.id);
                return Decoded {
                    id,
                    payload: Err(error),
                };
            }
        };
        let id = Some(envelope.id.clone());
        Decoded {
            id,
            payload: EventBody::from_envelope(envelope),
        }
    }
}

impl From<WebhookSecret> for Key {
    /// A dashboard endpoint's secret, labelled so that [`WebhookSource::of`] knows it.
    fn from(secret: WebhookSecret) -> Self {
        Key::labelled(secret.secret().clone(), ENDPOINT_LABEL)
    }
}

impl From<SigningSecret> for Key {
    /// The merchant signing secret, labelled so that [`WebhookSource::of`] knows it.
    fn from(secret: SigningSecret) -> Self {
        Key::labelled(secret.secret().clone(), SESSION_LABEL)
    }
}

/// Which kind of secret verified a delivery, and so where it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookSource {
    /// A dashboard endpoint (`whsec_` secret).
    Endpoint,
    /// A per-session `webhook_url` (signing secret).
    Session,
}

impl WebhookSource {
    /// Where `event` was sent, when it was verified with a [`Key`] made from a
    /// [`WebhookSecret`] or a [`SigningSecret`] (`None` for a plain string key).
    pub fn of<T>(event: &common_webhook::Event<T>) -> Option<Self> {
        match event.key_label {
            ENDPOINT_LABEL => Some(Self::Endpoint),
            SESSION_LABEL => Some(Self::Session),
            _ => None,
        }
    }
}

/// The typed `data` of an event.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EventData {
    /// `group.created`: the organizer opened the group.
    GroupCreated(GroupCreatedData),
    /// `group.funded`: every share is paid and the payout started; fulfil the order. Has the FX
    /// fields when the checkout currency differs from the preferred payout currency.
    GroupFunded(GroupFundedData),
    /// `group.expired`: the session expired; paid shares were refunded.
    GroupExpired(GroupExpiredData),
    /// `group.cancelled`: the merchant cancelled; paid shares were refunded.
    GroupCancelled(GroupCancelledData),
    /// An event type this SDK does not know; its `data` as received.
    Unknown(Value),
}

/// A decoded Ante delivery body (its `id` is the event's
/// [`Event::id`](splitkit_common::webhook::Event::id)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct EventBody {
    /// The event type, as sent (unknown types kept).
    pub event_type: WebhookEventType,
    /// When the event happened.
    pub created_at: Option<Timestamp>,
    /// The typed payload.
    pub data: EventData,
    /// The payload as received, including fields this SDK does not model.
    pub raw_data: Value,
}

impl EventBody {
    /// Decodes a body WITHOUT checking its signature, with its event id: for events you stored
    /// after verifying them. Anything from the network goes through
    /// [`WebhookVerifier::verify`].
    pub fn decode(body: &[u8]) -> Result<(String, Self), DecodeFailure> {
        let envelope: models::WebhookEvent = DecodeFailure::decode_json(body)?;
        let id = envelope.id.clone();
        Ok((id, Self::from_envelope(envelope)?))
    }

    fn from_envelope(envelope: models::WebhookEvent) -> Result<Self, DecodeFailure> {
        let raw_data = envelope.data.unwrap_or(Value::Null);
        fn decode_as<T: serde::de::DeserializeOwned>(data: &Value) -> Result<T, DecodeFailure> {
            // Decoded from text, like every answer and event: the failure then has a position,
            // from which its path is read, and each model's decoder is compiled for one reader.
            let text =
                serde_json::to_vec(data).map_err(|e| DecodeFailure::new("data", e.to_string()))?;
            DecodeFailure::decode_json(&text).map_err(|e| e.within("data"))
        }
        let data = match &envelope.type_ {
            WebhookEventType::GroupCreated => EventData::GroupCreated(decode_as(&raw_data)?),
            WebhookEventType::GroupFunded => EventData::GroupFunded(decode_as(&raw_data)?),
            WebhookEventType::GroupExpired => EventData::GroupExpired(decode_as(&raw_data)?),
            WebhookEventType::GroupCancelled => EventData::GroupCancelled(decode_as(&raw_data)?),
            WebhookEventType::Unknown(_) => EventData::Unknown(raw_data.clone()),
        };
        Ok(Self {
            event_type: envelope.type_,
            created_at: envelope.created_at,
            data,
            raw_data,
        })
    }

    /// The session the event is about, when the payload names it.
    pub fn session_id(&self) -> Option<&str> {
        match &self.data {
            EventData::GroupCreated(d) => Some(&d.session_id),
            EventData::GroupFunded(d) => Some(&d.session_id),
            EventData::GroupExpired(d) => Some(&d.session_id),
            EventData::GroupCancelled(d) => Some(&d.session_id),
            EventData::Unknown(v) => v.get("session_id").and_then(Value::as_str),
        }
    }

    /// Your `order_ref`, when the payload has one.
    pub fn order_ref(&self) -> Option<&str> {
        match &self.data {
            EventData::GroupCreated(d) => d.order_ref.as_deref(),
            EventData::GroupFunded(d) => d.order_ref.as_deref(),
            EventData::GroupExpired(d) => d.order_ref.as_deref(),
            EventData::GroupCancelled(d) => d.order_ref.as_deref(),
            EventData::Unknown(v) => v.get("order_ref").and_then(Value::as_str),
        }
    }
}
