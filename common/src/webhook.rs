//! Webhook signatures: HMAC-SHA256 over the raw body, checked in constant time, with a
//! timestamp tolerance.
//!
//! Providers differ in header names and in what exactly is signed; their crates parse the headers
//! and hand this module the timestamp, the signed message parts and the candidate signatures.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::clock::{Clock, SystemClock};
use crate::secret::SecretString;

type HmacSha256 = Hmac<Sha256>;

/// Why a webhook was rejected. The messages name headers and rules, never secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent.
    #[error("missing header `{0}`")]
    MissingHeader(&'static str),
    /// A header is present but not in the expected form.
    #[error("malformed header `{header}`: {reason}")]
    MalformedHeader {
        /// The header.
        header: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The timestamp is older than the tolerance allows (a replay, or a very late delivery).
    #[error("timestamp is {age_seconds}s old, more than the {tolerance_seconds}s allowed")]
    TooOld {
        /// How old it is.
        age_seconds: i64,
        /// The tolerance.
        tolerance_seconds: u64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    #[error(
        "timestamp is {ahead_seconds}s in the future, more than the {tolerance_seconds}s allowed"
    )]
    TooNew {
        /// How far ahead it is.
        ahead_seconds: i64,
        /// The tolerance.
        tolerance_seconds: u64,
    },
    /// No signature matched the body under the given secret.
    #[error("no signature matches the body")]
    SignatureMismatch,
    /// A shared secret carried in the payload does not equal any expected secret.
    #[error("the shared secret does not match the expected secret")]
    SecretMismatch,
    /// A field the payload must carry is absent or empty.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// The body could not be decoded after it was verified.
    #[error("verified payload is not the expected JSON: {0}")]
    Payload(String),
}

/// The default timestamp tolerance, both ways: 300 s.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Checks HMAC-SHA256 signatures made with one secret.
#[derive(Debug, Clone)]
pub struct SignatureVerifier {
    secret: SecretString,
    tolerance: Duration,
    clock: Arc<dyn Clock>,
}

impl SignatureVerifier {
    /// A verifier for signatures made with `secret`, tolerance [`DEFAULT_TOLERANCE`].
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self {
            secret: secret.into(),
            tolerance: DEFAULT_TOLERANCE,
            clock: Arc::new(SystemClock),
        }
    }

    /// Accepts timestamps up to `tolerance` old or ahead.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Reads the current time from `clock` (for tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Checks that `timestamp` (Unix seconds) is within the tolerance of now, either way.
    pub fn check_timestamp(&self, timestamp: i64) -> Result<(), WebhookError> {
        let now = self.clock.unix_seconds();
        let tolerance = i64::try_from(self.tolerance.as_secs()).unwrap_or(i64::MAX);
        let age = now.saturating_sub(timestamp);
        if age > tolerance {
            return Err(WebhookError::TooOld {
                age_seconds: age,
                tolerance_seconds: self.tolerance.as_secs(),
            });
        }
        if -age > tolerance {
            return Err(WebhookError::TooNew {
                ahead_seconds: -age,
                tolerance_seconds: self.tolerance.as_secs(),
            });
        }
        Ok(())
    }

    /// Accepts when any of `signatures` (hex) is the HMAC-SHA256 of the concatenated `message`
    /// parts. Comparison is constant-time; signatures that are not hex never match.
    pub fn verify_signature(
        &self,
        message: &[&[u8]],
        signatures: &[&str],
    ) -> Result<(), WebhookError> {
        let mut any_matched = false;
        for candidate in signatures {
            let Ok(bytes) = hex::decode(candidate.trim()) else {
                continue;
            };
            // Compare every candidate, so timing does not tell which one matched.
            any_matched |= mac(self.secret.expose().as_bytes(), message)
                .verify_slice(&bytes)
                .is_ok();
        }
        if any_matched {
            Ok(())
        } else {
            Err(WebhookError::SignatureMismatch)
        }
    }

    /// [`Self::check_timestamp`], then [`Self::verify_signature`].
    pub fn verify(
        &self,
        timestamp: i64,
        message: &[&[u8]],
        signatures: &[&str],
    ) -> Result<(), WebhookError> {
        self.verify_signature(message, signatures)?;
        self.check_timestamp(timestamp)
    }
}

fn mac(secret: &[u8], message: &[&[u8]]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in message {
        mac.update(part);
    }
    mac
}

/// The hex HMAC-SHA256 of the concatenated `message` parts under `secret`: what a provider
/// sends. For tests and for emulating a provider.
pub fn sign(secret: &str, message: &[&[u8]]) -> String {
    hex::encode(mac(secret.as_bytes(), message).finalize().into_bytes())
}

/// Whether `received` equals any of `expected`, compared in constant time.
///
/// Both sides are hashed with SHA-256 first, so neither the content nor the length of a secret
/// shows in the timing; every expected secret is compared, so neither does which one matched.
/// An empty expected secret never matches. For providers that authenticate callbacks with a
/// shared secret instead of a signature.
pub fn secrets_match(received: &str, expected: &[SecretString]) -> bool {
    use sha2::Digest;
    use subtle::ConstantTimeEq;
    let received = Sha256::digest(received.as_bytes());
    let mut matched = subtle::Choice::from(0);
    for secret in expected.iter().filter(|s| !s.is_empty()) {
        let candidate = Sha256::digest(secret.expose().as_bytes());
        matched |= received.as_slice().ct_eq(candidate.as_slice());
    }
    bool::from(matched)
}

/// Parses a Unix timestamp header value (whole seconds).
pub fn parse_timestamp(header: &'static str, value: &str) -> Result<i64, WebhookError> {
    value
        .trim()
        .parse::<i64>()
        .map_err(|_| WebhookError::MalformedHeader {
            header,
            reason: "timestamp is not a whole number of seconds".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn verifier(now: i64) -> SignatureVerifier {
        SignatureVerifier::new("1234").clock(Arc::new(ManualClock::at(now)))
    }

    #[test]
    fn known_vector() {
        // Zepto's documented example: secret 1234, timestamp 1514772000.
        let sig = sign(
            "1234",
            &[b"1514772000", b".", b"full payload of the request"],
        );
        assert_eq!(
            sig,
            "f04cb05adb985b29d84616fbf3868e8e58403ff819cdc47ad8fc47e6acbce29f"
        );
    }

    #[test]
    fn accepts_any_matching_signature() {
        let v = verifier(1_000);
        let good = sign("1234", &[b"body"]);
        v.verify(1_000, &[b"body"], &["zz-not-hex", "00ff", &good])
            .unwrap();
        v.verify(1_000, &[b"body"], &[&good.to_uppercase()])
            .unwrap();
    }

    #[test]
    fn rejects_changed_body_wrong_secret_and_bad_hex() {
        let v = verifier(1_000);
        let good = sign("1234", &[b"body"]);
        assert_eq!(
            v.verify(1_000, &[b"body!"], &[&good]),
            Err(WebhookError::SignatureMismatch)
        );
        let other = sign("4321", &[b"body"]);
        assert_eq!(
            v.verify(1_000, &[b"body"], &[&other]),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            v.verify(1_000, &[b"body"], &["xyz"]),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            v.verify(1_000, &[b"body"], &[]),
            Err(WebhookError::SignatureMismatch)
        );
    }

    #[test]
    fn tolerance_applies_both_ways_at_the_edges() {
        let v = verifier(10_000);
        assert!(v.check_timestamp(10_000 - 300).is_ok());
        assert!(v.check_timestamp(10_000 + 300).is_ok());
        assert!(matches!(
            v.check_timestamp(10_000 - 301),
            Err(WebhookError::TooOld {
                age_seconds: 301,
                ..
            })
        ));
        assert!(matches!(
            v.check_timestamp(10_000 + 301),
            Err(WebhookError::TooNew {
                ahead_seconds: 301,
                ..
            })
        ));
        assert!(v.check_timestamp(i64::MIN).is_err());
        assert!(v.check_timestamp(i64::MAX).is_err());
        let strict = verifier(10_000).tolerance(Duration::from_secs(5));
        assert!(strict.check_timestamp(10_000 - 6).is_err());
    }

    #[test]
    fn shared_secrets_compare_whole_values() {
        let expected = [SecretString::new("s3cret"), SecretString::new("other")];
        assert!(secrets_match("s3cret", &expected));
        assert!(secrets_match("other", &expected));
        assert!(!secrets_match("s3cre", &expected));
        assert!(!secrets_match("s3crett", &expected));
        assert!(!secrets_match("", &expected));
        assert!(!secrets_match("s3cret", &[]));
        assert!(!secrets_match("", &[SecretString::new("")]));
    }

    #[test]
    fn timestamp_parse_errors_name_the_header() {
        assert_eq!(parse_timestamp("X-Ts", " 42 "), Ok(42));
        let err = parse_timestamp("X-Ts", "4.2").unwrap_err();
        assert!(err.to_string().contains("X-Ts"));
    }
}
