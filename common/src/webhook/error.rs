//! The one error of webhook intake, and the error of building a verifier.

/// Why a delivery was rejected: it did not prove it came from the provider, or it was too big
/// to check. The same enum for every provider.
///
/// A delivery that proves its origin is never an error, whatever its body holds: see
/// [`Payload`](super::Payload). Messages name headers, fields and rules; they never show a
/// secret and never more than [`ECHO_LIMIT`](super::ECHO_LIMIT) bytes of anything received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent.
    #[error("missing header `{0}`")]
    MissingHeader(&'static str),
    /// A header is present but not in the expected form (empty, not visible ASCII, no
    /// timestamp, no signature in the provider's format, ...).
    #[error("malformed header `{header}`: {reason}")]
    MalformedHeader {
        /// The header.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The signature headers together are longer than the verifier accepts.
    #[error("header `{header}` is longer than the {limit} bytes accepted")]
    HeaderTooLarge {
        /// The header that went over the limit.
        header: &'static str,
        /// The limit, in bytes, for all signature headers together.
        limit: usize,
    },
    /// The delivery carries more candidate signatures than the verifier accepts.
    #[error("more than {limit} signatures in one delivery")]
    TooManySignatures {
        /// The limit.
        limit: usize,
    },
    /// The body is longer than the verifier accepts.
    #[error("the body is longer than the {limit} bytes accepted")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body cannot carry what authenticates the delivery (not UTF-8, not a form or JSON
    /// object, cut short).
    #[error("malformed body: {reason}")]
    MalformedBody {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request says its body is of a type the provider does not send.
    #[error("unexpected Content-Type {received:?}: {expected}")]
    UnsupportedContentType {
        /// The received value, cut to [`ECHO_LIMIT`](super::ECHO_LIMIT) bytes.
        received: String,
        /// What the provider sends.
        expected: &'static str,
    },
    /// The signing timestamp is older than the tolerance allows (a replay, or a very late
    /// delivery).
    #[error("timestamp is {age_seconds}s old, more than the {tolerance_seconds}s allowed")]
    TooOld {
        /// How old it is.
        age_seconds: i64,
        /// The tolerance.
        tolerance_seconds: u64,
    },
    /// The signing timestamp is further in the future than the tolerance allows.
    #[error(
        "timestamp is {ahead_seconds}s in the future, more than the {tolerance_seconds}s allowed"
    )]
    TooNew {
        /// How far ahead it is.
        ahead_seconds: i64,
        /// The tolerance.
        tolerance_seconds: u64,
    },
    /// No candidate signature is the HMAC of the delivery under any of the secrets.
    #[error("no signature matches the body")]
    SignatureMismatch,
    /// The shared secret carried in the delivery equals none of the expected secrets.
    #[error("the shared secret does not match the expected secret")]
    SecretMismatch,
    /// A field that authenticates the delivery is absent or empty.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// A field appears more than once, so which value counts would be ambiguous.
    #[error("field `{0}` appears more than once")]
    DuplicateField(&'static str),
}

/// Why a verifier could not be built. A verifier that accepted an empty secret would accept
/// deliveries anyone can sign, so it is refused when it is built rather than when the first
/// forged delivery arrives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// No secret was given.
    #[error("no webhook secret was given")]
    NoSecret,
    /// A secret is empty or only whitespace (an unset environment variable, typically).
    #[error("webhook secret #{position} is empty or blank: anyone could sign with it")]
    Blank {
        /// Its position in the list given, from 0.
        position: usize,
    },
}

impl From<SecretError> for crate::Error {
    fn from(error: SecretError) -> Self {
        crate::Error::Config(error.to_string())
    }
}
