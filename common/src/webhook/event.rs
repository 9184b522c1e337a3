//! A verified delivery: the same wrapper for every provider.

use std::fmt;

use bytes::Bytes;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::dedup::DeliveryKey;
use super::echo;

/// A delivery whose origin is proven: its de-duplication id, when it was signed, which secret
/// proved it, its raw body, and its payload, typed or not.
///
/// Persist or queue it (or at least [`Event::id`] and [`Event::body`]) before answering the
/// provider: once the answer is out, some providers never send the event again.
#[derive(Clone)]
#[non_exhaustive]
pub struct Event<T> {
    /// The provider's name, lower case (`"zepto"`).
    pub provider: &'static str,
    /// The id to de-duplicate on: the provider's event id, the same on every retry of the
    /// event (each provider crate says where it comes from). When the delivery carries none
    /// (its body does not decode far enough, or the provider left it out), `body-sha256:`
    /// followed by the hex SHA-256 of the body, so an identical repeat is still recognised.
    pub id: String,
    /// When the provider signed the delivery (Unix seconds), for schemes that sign a time.
    pub signed_at: Option<i64>,
    /// The position, in the list given to the verifier, of the secret that proved it.
    pub key_index: usize,
    /// The label of that secret ([`Key::labelled`](super::Key::labelled)), empty if none.
    pub key_label: &'static str,
    /// The body exactly as received.
    pub body: Bytes,
    /// What the body holds.
    pub payload: Payload<T>,
    /// For schemes whose event id is not covered by the signature
    /// ([`Scheme::id_is_signed`](super::Scheme::id_is_signed)): `body-sha256:` followed by the
    /// hex SHA-256 of the body, which the signature covers. A replay of a captured delivery and
    /// the provider's own retry have the same one, whatever id and timestamp they carry; an
    /// [`Inbox`](super::Inbox) de-duplicates on it as well as on [`Event::id`]. `None`
    /// otherwise.
    pub replay_id: Option<String>,
}

impl<T> Event<T> {
    pub(crate) fn new(
        provider: &'static str,
        signed_at: Option<i64>,
        key_index: usize,
        key_label: &'static str,
        body: Bytes,
        decoded: Decoded<T>,
    ) -> Self {
        let id = decoded
            .id
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| format!("body-sha256:{}", hex::encode(Sha256::digest(&body))));
        let payload = match decoded.payload {
            Ok(typed) => Payload::Typed(typed),
            Err(error) => Payload::Unrecognised(Unrecognised {
                body: body.clone(),
                error,
            }),
        };
        Self {
            provider,
            id,
            signed_at,
            key_index,
            key_label,
            body,
            payload,
            replay_id: None,
        }
    }

    /// The typed payload, when the body decoded.
    pub fn typed(&self) -> Option<&T> {
        self.payload.typed()
    }

    /// The key a [`DeliveryStore`](super::DeliveryStore) records this event under.
    pub fn delivery_key(&self) -> DeliveryKey {
        DeliveryKey::new(self.provider, self.id.clone())
    }

    /// The second key an [`Inbox`](super::Inbox) records this event under, from
    /// [`Event::replay_id`], when there is one.
    pub fn replay_key(&self) -> Option<DeliveryKey> {
        self.replay_id
            .as_ref()
            .map(|id| DeliveryKey::new(self.provider, id.clone()))
    }
}

impl<T: fmt::Debug> fmt::Debug for Event<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body can carry a shared secret (Splitable): show its length only.
        f.debug_struct("Event")
            .field("provider", &self.provider)
            .field("id", &self.id)
            .field("signed_at", &self.signed_at)
            .field("key_index", &self.key_index)
            .field("key_label", &self.key_label)
            .field("body_len", &self.body.len())
            .field("payload", &self.payload)
            .field("replay_id", &self.replay_id)
            .finish()
    }
}

/// What a verified body holds: the provider's typed event, or, when the body does not decode
/// into it, the raw body and why.
#[derive(Debug, Clone)]
pub enum Payload<T> {
    /// The body, decoded.
    Typed(T),
    /// A proven delivery this SDK cannot read: keep it, and answer the provider as for any
    /// other event (it is not the provider's fault, and it will not be sent differently).
    Unrecognised(Unrecognised),
}

impl<T> Payload<T> {
    /// The typed payload, when the body decoded.
    pub fn typed(&self) -> Option<&T> {
        match self {
            Self::Typed(typed) => Some(typed),
            Self::Unrecognised(_) => None,
        }
    }

    /// The raw body and the decode failure, when the body did not decode.
    pub fn unrecognised(&self) -> Option<&Unrecognised> {
        match self {
            Self::Typed(_) => None,
            Self::Unrecognised(raw) => Some(raw),
        }
    }
}

/// A verified body that did not decode: the bytes as received and the reason.
#[derive(Clone)]
pub struct Unrecognised {
    body: Bytes,
    error: DecodeFailure,
}

impl Unrecognised {
    /// The body exactly as received.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as text, when it is UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The body as raw JSON, when it is JSON.
    pub fn json(&self) -> Option<&RawValue> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as a JSON value, when it is JSON. Numbers in a `Value` can lose precision:
    /// read amounts from [`Unrecognised::json`] with your own types.
    pub fn to_value(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Why it did not decode.
    pub fn error(&self) -> &DecodeFailure {
        &self.error
    }
}

impl fmt::Debug for Unrecognised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unrecognised")
            .field("body_len", &self.body.len())
            .field("error", &self.error)
            .finish()
    }
}

/// Where and why a verified body did not decode. The message shows at most
/// [`ECHO_LIMIT`](super::ECHO_LIMIT) bytes of what serde said, so a huge received value is not
/// copied into logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeFailure {
    path: String,
    message: String,
}

impl DecodeFailure {
    /// A failure at `path` (e.g. `data.object.total`; `.` for the body itself).
    pub fn new(path: impl Into<String>, message: impl AsRef<str>) -> Self {
        Self {
            path: echo(&path.into()),
            message: echo(message.as_ref()),
        }
    }

    /// Decodes `body` as JSON into `T`, naming the path on failure (read off the body's text
    /// where the decoder stopped, see [`crate::decode::json`]).
    pub fn decode_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Self> {
        crate::decode::with_path(body).map_err(|(path, error)| Self::new(path, error.to_string()))
    }

    /// The same failure, seen from a document that holds the decoded one under `prefix` (e.g.
    /// `data` for a webhook's `data` object): `amount` becomes `data.amount`, `.` becomes `data`.
    pub fn within(self, prefix: &str) -> Self {
        let path = match self.path.as_str() {
            "." => prefix.to_owned(),
            inner if inner.starts_with('[') => format!("{prefix}{inner}"),
            inner => format!("{prefix}.{inner}"),
        };
        Self {
            path: echo(&path),
            message: self.message,
        }
    }

    /// Where decoding failed.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the decoder said.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for DecodeFailure {}

/// What a [`Scheme`](super::Scheme) read from a verified body.
#[derive(Debug)]
pub struct Decoded<T> {
    /// The provider's id of the event, when the delivery carries one.
    pub id: Option<String>,
    /// The typed event, or why the body is not one.
    pub payload: Result<T, DecodeFailure>,
}
