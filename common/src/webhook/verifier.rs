//! The verifier: bounds first, then one HMAC per secret, then decoding.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::{Choice, ConstantTimeEq};

use super::error::{SecretError, WebhookError};
use super::event::{Decoded, Event};
use super::inbox::Answers;
use super::{DEFAULT_TOLERANCE, mac};
use crate::clock::{Clock, SystemClock};
use crate::secret::SecretString;

/// Length of an HMAC-SHA256 signature, in bytes.
pub const MAC_LEN: usize = 32;

/// Default for [`Limits::max_header_bytes`]: 4 KiB. Eight `v1=` signatures with a timestamp
/// take about 600 bytes.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 4 * 1024;
/// Default for [`Limits::max_signatures`]: 8.
pub const DEFAULT_MAX_SIGNATURES: usize = 8;
/// Default for [`Limits::max_body_bytes`]: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// What a delivery may cost before it is rejected, checked before any HMAC is computed.
///
/// With these bounds a forged delivery costs at most one HMAC of at most `max_body_bytes`
/// per configured secret, and `max_signatures` 32-byte comparisons per secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The most bytes the headers a scheme reads (signature and timestamp headers, all their
    /// values together) may hold. Default [`DEFAULT_MAX_HEADER_BYTES`].
    pub max_header_bytes: usize,
    /// The most candidate signatures (and header values) one delivery may carry. Default
    /// [`DEFAULT_MAX_SIGNATURES`].
    pub max_signatures: usize,
    /// The most bytes a body may hold. Default [`DEFAULT_MAX_BODY_BYTES`].
    pub max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: DEFAULT_MAX_HEADER_BYTES,
            max_signatures: DEFAULT_MAX_SIGNATURES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// A secret a verifier checks deliveries with, and a label that says which one it is.
///
/// The label comes back on every event the secret verified ([`Event::key_label`]): during a
/// rotation, label the secrets `"old"` and `"new"` to see when the old one stops being used.
/// `Debug` masks the secret.
#[derive(Debug, Clone)]
pub struct Key {
    secret: SecretString,
    label: &'static str,
}

impl Key {
    /// A secret without a label.
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self::labelled(secret, "")
    }

    /// A secret with a label.
    pub fn labelled(secret: impl Into<SecretString>, label: &'static str) -> Self {
        Self {
            secret: secret.into(),
            label,
        }
    }

    /// The label (empty when none was given).
    pub fn label(&self) -> &'static str {
        self.label
    }
}

impl From<SecretString> for Key {
    fn from(secret: SecretString) -> Self {
        Self::new(secret)
    }
}

impl From<String> for Key {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<&str> for Key {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<&String> for Key {
    fn from(secret: &String) -> Self {
        Self::new(secret.as_str())
    }
}

/// How one provider proves its deliveries and what its deliveries hold: the only part of
/// webhook intake a provider crate writes.
///
/// A scheme reads what authenticates a delivery ([`Scheme::proof`], using [`header_values`] and
/// [`Candidates`] so that the [`Limits`] hold) and decodes a verified body ([`Scheme::decode`]).
/// The [`Verifier`] does the rest the same way for every provider: the body bound, the
/// timestamp, one HMAC per secret compared in constant time with every candidate, the event.
pub trait Scheme: Send + Sync + fmt::Debug + 'static {
    /// The provider's typed event.
    type Payload: Send + 'static;

    /// The provider's name, lower case (`"zepto"`): the first part of every
    /// [`DeliveryKey`](super::DeliveryKey).
    fn provider(&self) -> &'static str;

    /// How far the signing time may be from now, either way, unless the verifier is told
    /// otherwise. Default [`DEFAULT_TOLERANCE`].
    fn default_tolerance(&self) -> Duration {
        DEFAULT_TOLERANCE
    }

    /// How long the provider may send the same event again: how long an
    /// [`Inbox`](super::Inbox) remembers handled deliveries by default.
    fn retry_window(&self) -> Duration;

    /// The HTTP answer to each outcome. Default [`Answers::DEFAULT`].
    fn answers(&self) -> Answers {
        Answers::DEFAULT
    }

    /// The HMAC key made from a secret (default: the secret's UTF-8 bytes).
    fn hmac_key<'s>(&self, secret: &'s str) -> &'s [u8] {
        secret.as_bytes()
    }

    /// Reads what authenticates the delivery. It must stay within `limits` (read headers
    /// through [`header_values`], signatures into [`Candidates`]) and do no cryptography.
    fn proof<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &'a [u8],
        limits: &Limits,
    ) -> Result<Proof<'a>, WebhookError>;

    /// Decodes a body whose origin is proven. It never fails: what does not decode is reported
    /// in [`Decoded::payload`] and ends up as [`Payload::Unrecognised`](super::Payload).
    fn decode(&self, headers: &HeaderMap, body: &[u8]) -> Decoded<Self::Payload>;

    /// Whether the signature covers the event id that [`Scheme::decode`] reads (default: yes,
    /// an id inside the signed body). When it does not (an id in a header of its own), a
    /// captured delivery could be replayed within the tolerance under another id, so each
    /// [`Event`] verified by a signature also gets a [`replay_id`](Event::replay_id) made from
    /// its signed body, and an [`Inbox`](super::Inbox) de-duplicates on both.
    fn id_is_signed(&self) -> bool {
        true
    }
}

/// What authenticates a delivery, as a [`Scheme`] read it.
#[derive(Debug)]
pub enum Proof<'a> {
    /// An HMAC-SHA256 over a message made of the request's bytes.
    Hmac(SignedMessage<'a>),
    /// A shared secret carried in the delivery, compared with the verifier's secrets.
    SharedSecret(SecretString),
}

/// The message an HMAC signature covers, the candidate signatures, and the signing time.
#[derive(Debug)]
pub struct SignedMessage<'a> {
    /// When the provider signed, in Unix seconds, checked against the tolerance before any
    /// HMAC; `None` when the scheme carries no time.
    pub timestamp: Option<i64>,
    /// The signed bytes, in order (they are concatenated), e.g. `[timestamp, b".", body]`.
    pub parts: Vec<&'a [u8]>,
    /// The signatures to compare with.
    pub candidates: Candidates,
}

/// Candidate signatures read from a delivery, at most [`Limits::max_signatures`].
///
/// Each is kept as the 32 bytes it decodes to; a candidate that is not 64 hex digits counts
/// against the limit and never matches.
#[derive(Clone)]
pub struct Candidates {
    macs: Vec<[u8; MAC_LEN]>,
    seen: usize,
    limit: usize,
}

impl Candidates {
    /// No candidates yet, with the limit of `limits`.
    pub fn new(limits: &Limits) -> Self {
        Self {
            macs: Vec::new(),
            seen: 0,
            limit: limits.max_signatures,
        }
    }

    /// Adds a hex-encoded candidate (either case).
    pub fn push_hex(&mut self, text: &str) -> Result<(), WebhookError> {
        self.seen += 1;
        if self.seen > self.limit {
            return Err(WebhookError::TooManySignatures { limit: self.limit });
        }
        let mut mac = [0u8; MAC_LEN];
        if hex::decode_to_slice(text.trim(), &mut mac).is_ok() {
            self.macs.push(mac);
        }
        Ok(())
    }

    /// How many candidates were added, readable or not.
    pub fn len(&self) -> usize {
        self.seen
    }

    /// Whether none was added.
    pub fn is_empty(&self) -> bool {
        self.seen == 0
    }

    /// Whether `expected` equals any candidate; every candidate is compared, in constant time.
    fn contains(&self, expected: &[u8]) -> Choice {
        self.macs
            .iter()
            .fold(Choice::from(0), |hit, mac| hit | mac.ct_eq(expected))
    }
}

impl fmt::Debug for Candidates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Candidates")
            .field("seen", &self.seen)
            .field("readable", &self.macs.len())
            .finish()
    }
}

/// Every value of the headers `names`, in order, as text, within `limits`: all values together
/// at most [`Limits::max_header_bytes`], at most [`Limits::max_signatures`] values. An empty
/// list means none of the headers is present.
pub fn header_values<'h>(
    headers: &'h HeaderMap,
    names: &[&'static str],
    limits: &Limits,
) -> Result<Vec<(&'static str, &'h str)>, WebhookError> {
    let mut total = 0usize;
    let mut values = Vec::new();
    for &name in names {
        for value in headers.get_all(name) {
            total = total.saturating_add(value.len());
            if total > limits.max_header_bytes {
                return Err(WebhookError::HeaderTooLarge {
                    header: name,
                    limit: limits.max_header_bytes,
                });
            }
            if values.len() >= limits.max_signatures {
                return Err(WebhookError::TooManySignatures {
                    limit: limits.max_signatures,
                });
            }
            let text = value.to_str().map_err(|_| WebhookError::MalformedHeader {
                header: name,
                reason: "not visible ASCII",
            })?;
            values.push((name, text));
        }
    }
    Ok(values)
}

/// The one value of header `name`, within `limits`: `None` when absent, an error when it
/// appears more than once.
pub fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
    limits: &Limits,
) -> Result<Option<&'h str>, WebhookError> {
    let values = header_values(headers, &[name], limits)?;
    match values.as_slice() {
        [] => Ok(None),
        [(_, value)] => Ok(Some(value)),
        _ => Err(WebhookError::MalformedHeader {
            header: name,
            reason: "appears more than once",
        }),
    }
}

/// Parses a Unix timestamp header value (whole seconds).
pub fn parse_timestamp(header: &'static str, value: &str) -> Result<i64, WebhookError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| WebhookError::MalformedHeader {
            header,
            reason: "timestamp is not a whole number of seconds",
        })
}

/// Verifies deliveries of one provider, and decodes them into events.
///
/// Build it once with every secret that may sign (two during a rotation) and share it; it is
/// cheap to clone. For each delivery, [`Verifier::verify`]:
///
/// 1. refuses a body over [`Limits::max_body_bytes`];
/// 2. lets the [`Scheme`] read the headers within the other [`Limits`];
/// 3. checks the signing time against the tolerance (both ways), before any HMAC;
/// 4. computes the expected HMAC once per secret and compares it with every candidate in
///    constant time (or compares a shared secret in constant time);
/// 5. decodes the body: a proven delivery always becomes an [`Event`], typed when the body
///    decodes and [`Payload::Unrecognised`](super::Payload) otherwise.
#[derive(Debug, Clone)]
pub struct Verifier<S> {
    scheme: S,
    keys: Arc<[Key]>,
    tolerance: Duration,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

impl<S: Scheme + Default> Verifier<S> {
    /// A verifier accepting deliveries signed with any of `keys` (strings, [`SecretString`]s or
    /// [`Key`]s), with the provider's default scheme, tolerance and [`Limits::default`].
    ///
    /// Fails when no secret is given or one is empty or blank.
    pub fn new<K: Into<Key>>(keys: impl IntoIterator<Item = K>) -> Result<Self, SecretError> {
        Self::with_scheme(S::default(), keys)
    }
}

impl<S: Scheme> Verifier<S> {
    /// Like [`Verifier::new`], with a scheme configured by hand (other header names, ...).
    pub fn with_scheme<K: Into<Key>>(
        scheme: S,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<Self, SecretError> {
        let keys: Vec<Key> = keys.into_iter().map(Into::into).collect();
        if keys.is_empty() {
            return Err(SecretError::NoSecret);
        }
        if let Some(position) = keys
            .iter()
            .position(|k| k.secret.expose().trim().is_empty())
        {
            return Err(SecretError::Blank { position });
        }
        Ok(Self {
            tolerance: scheme.default_tolerance(),
            scheme,
            keys: keys.into(),
            clock: Arc::new(SystemClock),
            limits: Limits::default(),
        })
    }

    /// Accepts signing times up to `tolerance` old or ahead.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Reads the current time from `clock` (tests, emulators).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses other bounds than [`Limits::default`].
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The scheme.
    pub fn scheme(&self) -> &S {
        &self.scheme
    }

    /// The largest body accepted, in bytes: read no more than this from the network.
    pub fn body_limit(&self) -> usize {
        self.limits.max_body_bytes
    }

    /// Verifies a delivery: its headers and its body, the raw bytes exactly as received.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Event<S::Payload>, WebhookError> {
        if body.len() > self.limits.max_body_bytes {
            return Err(WebhookError::BodyTooLarge {
                limit: self.limits.max_body_bytes,
            });
        }
        let (signed_at, key, replay_id) = match self.scheme.proof(headers, body, &self.limits)? {
            Proof::Hmac(message) => {
                if let Some(timestamp) = message.timestamp {
                    self.check_timestamp(timestamp)?;
                }
                let key = self.match_signature(&message)?;
                // The body is signed: a replay or a retry carries the same one, whatever id
                // and timestamp come with it.
                let replay_id = (!self.scheme.id_is_signed())
                    .then(|| format!("body-sha256:{}", hex::encode(Sha256::digest(body))));
                (message.timestamp, key, replay_id)
            }
            Proof::SharedSecret(received) => (None, self.match_secret(&received)?, None),
        };
        let decoded = self.scheme.decode(headers, body);
        let mut event = Event::new(
            self.scheme.provider(),
            signed_at,
            key,
            self.keys[key].label,
            Bytes::copy_from_slice(body),
            decoded,
        );
        event.replay_id = replay_id;
        Ok(event)
    }

    fn check_timestamp(&self, timestamp: i64) -> Result<(), WebhookError> {
        let now = self.clock.unix_seconds();
        let tolerance_seconds = self.tolerance.as_secs();
        let tolerance = i64::try_from(tolerance_seconds).unwrap_or(i64::MAX);
        let age = now.saturating_sub(timestamp);
        if age > tolerance {
            return Err(WebhookError::TooOld {
                age_seconds: age,
                tolerance_seconds,
            });
        }
        if age.saturating_neg() > tolerance {
            return Err(WebhookError::TooNew {
                ahead_seconds: age.saturating_neg(),
                tolerance_seconds,
            });
        }
        Ok(())
    }

    /// The position of the first key whose HMAC equals a candidate. One HMAC per key; every
    /// candidate compared with it in constant time.
    fn match_signature(&self, message: &SignedMessage<'_>) -> Result<usize, WebhookError> {
        let mut matched = None;
        for (position, key) in self.keys.iter().enumerate() {
            #[cfg(test)]
            super::tests::HMACS.with(|count| count.set(count.get() + 1));
            let expected = mac(self.scheme.hmac_key(key.secret.expose()), &message.parts);
            let hit = message.candidates.contains(&expected);
            if bool::from(hit) && matched.is_none() {
                matched = Some(position);
            }
        }
        matched.ok_or(WebhookError::SignatureMismatch)
    }

    /// The position of the first key equal to `received`. Both sides are hashed first, so
    /// neither the content nor the length of a secret shows in the timing, and every key is
    /// compared.
    fn match_secret(&self, received: &SecretString) -> Result<usize, WebhookError> {
        let received = Sha256::digest(received.expose().as_bytes());
        let mut matched = None;
        for (position, key) in self.keys.iter().enumerate() {
            let expected = Sha256::digest(key.secret.expose().as_bytes());
            if bool::from(received.as_slice().ct_eq(expected.as_slice())) && matched.is_none() {
                matched = Some(position);
            }
        }
        matched.ok_or(WebhookError::SecretMismatch)
    }
}
