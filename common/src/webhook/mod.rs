//! Webhook intake: one shape for every provider.
//!
//! - [`Verifier`] checks a delivery (its headers and raw body) and turns it into an [`Event`],
//!   or rejects it with a [`WebhookError`]. It is built with one or more secrets ([`Key`]s:
//!   several during a rotation, any may match) and refuses an empty or blank one
//!   ([`SecretError`]).
//! - Before any HMAC, it bounds the work a stranger can cause ([`Limits`]): body size, length
//!   of the signature headers, number of candidate signatures. Then it checks the signing time
//!   (both ways, [`DEFAULT_TOLERANCE`]), computes the expected HMAC-SHA256 once per secret and
//!   compares it with every candidate in constant time.
//! - Signature and decoding are separate outcomes: a proven delivery always yields an
//!   [`Event`], whose [`Payload`] is the provider's typed event or, when the body does not
//!   decode, [`Payload::Unrecognised`] with the raw body and the reason. A decode problem can
//!   never turn into a lost event.
//! - [`Inbox`] adds the rest of an endpoint: "have I handled this delivery?" through a
//!   [`DeliveryStore`] ([`MemoryDeliveryStore`] by default; a claim with a lease while a
//!   handler runs, a longer "handled" record after), your handler, and the HTTP status to
//!   answer ([`Answers`]). With the `axum` feature, `Inbox::into_handler` is a ready axum
//!   handler.
//!
//! Each provider crate supplies only a [`Scheme`] (header names, signed message, tolerance,
//! how candidates are parsed, its retry window and answers) and its event types, and names
//! the result `WebhookVerifier`, `WebhookInbox` and `WebhookEvent`.

mod dedup;
mod error;
mod event;
mod inbox;
mod verifier;

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "testing")]
pub mod testing;

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use dedup::{Claim, ClaimToken, DeliveryKey, DeliveryStore, MemoryDeliveryStore};
pub use error::{SecretError, WebhookError};
pub use event::{DecodeFailure, Decoded, Event, Payload, Unrecognised};
pub use inbox::{Answers, DEFAULT_LEASE, Inbox, Outcome, Receipt};
pub use verifier::{
    Candidates, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_SIGNATURES, Key,
    Limits, MAC_LEN, Proof, Scheme, SignedMessage, Verifier, header_values, parse_timestamp,
    single_header,
};

type HmacSha256 = Hmac<Sha256>;

/// The default signing-time tolerance, both ways: 300 s.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The most bytes of a received value an error message repeats.
pub const ECHO_LIMIT: usize = 100;

/// The HMAC-SHA256 of the concatenated `message` parts under `secret`.
fn mac(secret: &[u8], message: &[&[u8]]) -> [u8; MAC_LEN] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in message {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The hex HMAC-SHA256 of the concatenated `message` parts under `secret`: what a provider
/// sends. For tests and for emulating a provider.
pub fn sign(secret: &str, message: &[&[u8]]) -> String {
    hex::encode(mac(secret.as_bytes(), message))
}

/// Whether `signature` (hex, either case) is the HMAC-SHA256 of the concatenated `message`
/// parts under `secret`, compared in constant time: for one-off checks such as a signed cart.
/// Webhook deliveries go through a [`Verifier`].
pub fn signature_matches(secret: &str, message: &[&[u8]], signature: &str) -> bool {
    use subtle::ConstantTimeEq;
    let mut candidate = [0u8; MAC_LEN];
    hex::decode_to_slice(signature.trim(), &mut candidate).is_ok()
        && bool::from(mac(secret.as_bytes(), message).ct_eq(&candidate))
}

/// `text` cut to at most [`ECHO_LIMIT`] bytes (on a character boundary, `…` marking the cut):
/// the most of a received value an error repeats.
pub fn echo(text: &str) -> String {
    if text.len() <= ECHO_LIMIT {
        return text.to_owned();
    }
    let mut end = ECHO_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests;
