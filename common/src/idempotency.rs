//! Idempotency keys: created once per call, sent on every attempt.

use std::fmt;

use crate::error::Error;

/// A key that lets the provider recognise a repeated request and answer it without acting twice.
///
/// The pipeline creates one ([`IdempotencyKey::generate`], a UUIDv4) for every call to an operation
/// that accepts keys, unless the caller supplies one. Supply your own (for example your order id)
/// when you may repeat a call after your process restarts: the provider then recognises it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(Box<str>);

/// The longest key accepted locally unless a provider sets a lower limit.
pub const DEFAULT_MAX_KEY_LEN: usize = 255;

impl IdempotencyKey {
    /// A new random key (UUIDv4).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string().into_boxed_str())
    }

    /// A key of your own: 1 to 255 visible ASCII characters (it travels in an HTTP header).
    pub fn new(key: impl Into<String>) -> Result<Self, Error> {
        let key = key.into();
        validate(&key, DEFAULT_MAX_KEY_LEN)?;
        Ok(Self(key.into_boxed_str()))
    }

    /// A key of your own for a provider with a lower length limit than 255.
    pub fn with_max_len(key: impl Into<String>, max_len: usize) -> Result<Self, Error> {
        let key = key.into();
        validate(&key, max_len.min(DEFAULT_MAX_KEY_LEN))?;
        Ok(Self(key.into_boxed_str()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Checks the key against a provider's own length limit.
    pub fn check_max_len(&self, max_len: usize) -> Result<(), Error> {
        validate(&self.0, max_len)
    }
}

fn validate(key: &str, max_len: usize) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::validation("idempotency_key", "must not be empty"));
    }
    if key.len() > max_len {
        return Err(Error::validation(
            "idempotency_key",
            format!("must be at most {max_len} characters, got {}", key.len()),
        ));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::validation(
            "idempotency_key",
            "must be visible ASCII characters without spaces",
        ));
    }
    Ok(())
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_uuid_v4_and_distinct() {
        let a = IdempotencyKey::generate();
        let b = IdempotencyKey::generate();
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(a.as_str()).unwrap();
        assert_eq!(parsed.get_version_num(), 4);
    }

    #[test]
    fn own_keys_are_checked() {
        assert!(IdempotencyKey::new("order-42").is_ok());
        assert!(IdempotencyKey::new("").is_err());
        assert!(IdempotencyKey::new("has space").is_err());
        assert!(IdempotencyKey::new("x".repeat(256)).is_err());
        let err = IdempotencyKey::with_max_len("x".repeat(300), 120).unwrap_err();
        assert!(err.to_string().contains("at most 120"), "{err}");
        let key = IdempotencyKey::new("x".repeat(121)).unwrap();
        let err = key.check_max_len(120).unwrap_err();
        assert!(err.to_string().contains("at most 120"), "{err}");
    }
}
