//! Verifying Ante's webhook deliveries and reading their events.
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
//! of them signed, telling you which ([`WebhookEvent::source`]).
//!
//! # The signature scheme
//!
//! Ante documents HMAC-SHA256, the header name, a constant-time check and "reject timestamps
//! older than 5 minutes", but not the header's exact grammar. The default, [`TimestampedV1`],
//! is the most likely scheme from what is known (Plurel's storefront tests its verifier with a
//! `v1=…` header): `Ante-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<raw body>"`, keyed with the full secret string, prefix included. It is not confirmed.
//! The scheme sits behind the [`SignatureScheme`] trait: if Ante's deliveries turn out to differ,
//! pass your own scheme to [`WebhookVerifier::scheme`] (no other code changes), and a later
//! version of this crate will change the default.
//!
//! # Answering Ante
//!
//! Verify over the raw body bytes, exactly as received, before parsing anything. Then:
//! - verification failed ([`WebhookError`]): answer `400` (or `401`) and do nothing;
//! - verified: record [`WebhookEvent::id`] and skip events you have already handled (deliveries
//!   repeat, and a dashboard endpoint and a per-session URL can both receive the same event);
//!   make fulfilment idempotent on `order_ref` too;
//! - answer `2xx` quickly and do slow work afterwards;
//! - fulfil on `group.funded`, not on browser callbacks, which can fire twice or never.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use serde_json::Value;
use splitkit_common::clock::{Clock, SystemClock};
use splitkit_common::webhook::{DEFAULT_TOLERANCE, parse_timestamp};
use splitkit_common::{SecretString, SignatureVerifier, Timestamp, WebhookError};

use crate::credentials::{SigningSecret, WebhookSecret};
use crate::generated::models::{
    self, GroupCancelledData, GroupCreatedData, GroupExpiredData, GroupFundedData, WebhookEventType,
};

/// The signature header Ante documents.
pub const SIGNATURE_HEADER: &str = "Ante-Signature";

/// The same header under the Plurel Pay rebrand; accepted as an alias.
pub const PLUREL_SIGNATURE_HEADER: &str = "Plurel-Signature";

/// The signature header, read: the timestamp and the candidate signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// The signing time in Unix seconds, when the scheme carries one. Checked against the
    /// verifier's tolerance; `None` skips that check.
    pub timestamp: Option<i64>,
    /// The timestamp exactly as sent (it is part of the signed bytes).
    pub timestamp_text: String,
    /// The signatures to try (hex); any one matching is enough.
    pub signatures: Vec<String>,
}

/// How Ante lays out the signature header and what it signs. Implement it to correct the
/// default ([`TimestampedV1`]) without waiting for a new version of this crate.
pub trait SignatureScheme: Send + Sync + fmt::Debug {
    /// Reads the header's value. `header` is its name, for errors.
    fn parse(&self, header: &'static str, value: &str) -> Result<SignatureHeader, WebhookError>;

    /// The bytes that were signed, in order (they are concatenated).
    fn signed_payload<'a>(&self, header: &'a SignatureHeader, body: &'a [u8]) -> Vec<&'a [u8]>;

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
    fn parse(&self, header: &'static str, value: &str) -> Result<SignatureHeader, WebhookError> {
        let malformed = |reason: &str| WebhookError::MalformedHeader {
            header,
            reason: reason.to_owned(),
        };
        let mut timestamp_text = None;
        let mut signatures = Vec::new();
        for part in value.split(',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let Some((name, v)) = part.split_once('=') else {
                return Err(malformed("expected `t=<unix seconds>,v1=<hex>`"));
            };
            match name.trim() {
                "t" if timestamp_text.is_some() => return Err(malformed("more than one `t`")),
                "t" => timestamp_text = Some(v.trim().to_owned()),
                "v1" => signatures.push(v.trim().to_owned()),
                _ => {}
            }
        }
        let timestamp_text =
            timestamp_text.ok_or_else(|| malformed("no timestamp (`t=<unix seconds>`)"))?;
        if signatures.is_empty() {
            return Err(malformed("no `v1=<hex>` signature"));
        }
        let timestamp = parse_timestamp(header, &timestamp_text)?;
        Ok(SignatureHeader {
            timestamp: Some(timestamp),
            timestamp_text,
            signatures,
        })
    }

    fn signed_payload<'a>(&self, header: &'a SignatureHeader, body: &'a [u8]) -> Vec<&'a [u8]> {
        vec![header.timestamp_text.as_bytes(), b".", body]
    }

    fn sign(&self, secret: &str, timestamp: i64, body: &[u8]) -> String {
        let t = timestamp.to_string();
        let mac = splitkit_common::webhook::sign(self.key(secret), &[t.as_bytes(), b".", body]);
        format!("t={t},v1={mac}")
    }
}

/// A secret a [`WebhookVerifier`] checks deliveries with.
#[derive(Debug, Clone)]
pub enum WebhookKey {
    /// A dashboard endpoint's `whsec_` secret.
    Endpoint(WebhookSecret),
    /// The merchant signing secret, for per-session `webhook_url` deliveries.
    Session(SigningSecret),
}

impl From<WebhookSecret> for WebhookKey {
    fn from(value: WebhookSecret) -> Self {
        Self::Endpoint(value)
    }
}

impl From<SigningSecret> for WebhookKey {
    fn from(value: SigningSecret) -> Self {
        Self::Session(value)
    }
}

impl WebhookKey {
    fn source(&self) -> WebhookSource {
        match self {
            Self::Endpoint(_) => WebhookSource::Endpoint,
            Self::Session(_) => WebhookSource::Session,
        }
    }

    fn secret(&self) -> &SecretString {
        match self {
            Self::Endpoint(s) => s.secret(),
            Self::Session(s) => s.secret(),
        }
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

/// Verifies deliveries and decodes their events.
///
/// ```
/// use ante_client::{SigningSecret, WebhookSecret, WebhookVerifier};
///
/// # fn run(headers: &http::HeaderMap, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = WebhookVerifier::new(WebhookSecret::parse("whsec_0123456789abcdef0123")?)
///     .with_secret(SigningSecret::parse("ante_sign_0123456789abcdef")?);
/// let event = verifier.verify(headers, body)?; // 400 on error
/// println!("{} {}", event.id, event.event_type);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    keys: Vec<WebhookKey>,
    tolerance: Duration,
    clock: Arc<dyn Clock>,
    scheme: Arc<dyn SignatureScheme>,
    header_names: Vec<&'static str>,
}

impl WebhookVerifier {
    /// A verifier for deliveries signed with `key` ([`WebhookSecret`] or [`SigningSecret`]),
    /// [`TimestampedV1`] scheme, 5 minutes' tolerance either way, headers `Ante-Signature`
    /// and `Plurel-Signature`.
    pub fn new(key: impl Into<WebhookKey>) -> Self {
        Self {
            keys: vec![key.into()],
            tolerance: DEFAULT_TOLERANCE,
            clock: Arc::new(SystemClock),
            scheme: Arc::new(TimestampedV1),
            header_names: vec![SIGNATURE_HEADER, PLUREL_SIGNATURE_HEADER],
        }
    }

    /// Also accepts deliveries signed with `key`.
    pub fn with_secret(mut self, key: impl Into<WebhookKey>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Accepts timestamps up to `tolerance` old or ahead (default 5 minutes, Ante's rule).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Reads the time from `clock` (for tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses another signature scheme (see the [module docs](self)).
    pub fn scheme(mut self, scheme: Arc<dyn SignatureScheme>) -> Self {
        self.scheme = scheme;
        self
    }

    /// Reads the signature from these headers, in order (default `Ante-Signature`,
    /// `Plurel-Signature`).
    pub fn header_names(mut self, names: &[&'static str]) -> Self {
        self.header_names = names.to_vec();
        self
    }

    /// Checks the signature and the timestamp of a delivery; returns which kind of secret
    /// matched. Does not read the body.
    pub fn verify_signature(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<WebhookSource, WebhookError> {
        let mut first_error = None;
        let mut found_header = false;
        for &name in &self.header_names {
            for value in headers.get_all(name) {
                found_header = true;
                let attempt = value
                    .to_str()
                    .map_err(|_| WebhookError::MalformedHeader {
                        header: name,
                        reason: "not visible ASCII".into(),
                    })
                    .and_then(|text| self.check(name, text, body));
                match attempt {
                    Ok(source) => return Ok(source),
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
        }
        if !found_header {
            return Err(WebhookError::MissingHeader(
                self.header_names
                    .first()
                    .copied()
                    .unwrap_or(SIGNATURE_HEADER),
            ));
        }
        Err(first_error.unwrap_or(WebhookError::SignatureMismatch))
    }

    fn check(
        &self,
        name: &'static str,
        value: &str,
        body: &[u8],
    ) -> Result<WebhookSource, WebhookError> {
        let header = self.scheme.parse(name, value)?;
        let payload = self.scheme.signed_payload(&header, body);
        let signatures: Vec<&str> = header.signatures.iter().map(String::as_str).collect();
        for key in &self.keys {
            let verifier = SignatureVerifier::new(self.scheme.key(key.secret().expose()))
                .tolerance(self.tolerance)
                .clock(self.clock.clone());
            if verifier.verify_signature(&payload, &signatures).is_ok() {
                if let Some(timestamp) = header.timestamp {
                    verifier.check_timestamp(timestamp)?;
                }
                return Ok(key.source());
            }
        }
        Err(WebhookError::SignatureMismatch)
    }

    /// Verifies a delivery ([`WebhookVerifier::verify_signature`]), then decodes its event.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, WebhookError> {
        let source = self.verify_signature(headers, body)?;
        WebhookEvent::decode(body, source)
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

/// A verified webhook event.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookEvent {
    /// The event id (`evt_…`): record it and skip events already handled.
    pub id: String,
    /// The event type, as sent (unknown types kept).
    pub event_type: WebhookEventType,
    /// When the event happened.
    pub created_at: Option<Timestamp>,
    /// The typed payload.
    pub data: EventData,
    /// The payload as received, including fields this SDK does not model.
    pub raw_data: Value,
    /// Which kind of secret verified it.
    pub source: WebhookSource,
}

impl WebhookEvent {
    fn decode(body: &[u8], source: WebhookSource) -> Result<Self, WebhookError> {
        let envelope: models::WebhookEvent = serde_json::from_slice(body)
            .map_err(|e| WebhookError::Payload(format!("event envelope: {e}")))?;
        let raw_data = envelope.data.unwrap_or(Value::Null);
        fn decode_as<T: serde::de::DeserializeOwned>(
            kind: &WebhookEventType,
            data: &Value,
        ) -> Result<T, WebhookError> {
            T::deserialize(data)
                .map_err(|e| WebhookError::Payload(format!("`data` of {kind}: {e}")))
        }
        let data = match &envelope.type_ {
            WebhookEventType::GroupCreated => {
                EventData::GroupCreated(decode_as(&envelope.type_, &raw_data)?)
            }
            WebhookEventType::GroupFunded => {
                EventData::GroupFunded(decode_as(&envelope.type_, &raw_data)?)
            }
            WebhookEventType::GroupExpired => {
                EventData::GroupExpired(decode_as(&envelope.type_, &raw_data)?)
            }
            WebhookEventType::GroupCancelled => {
                EventData::GroupCancelled(decode_as(&envelope.type_, &raw_data)?)
            }
            WebhookEventType::Unknown(_) => EventData::Unknown(raw_data.clone()),
        };
        Ok(Self {
            id: envelope.id,
            event_type: envelope.type_,
            created_at: envelope.created_at,
            data,
            raw_data,
            source,
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
