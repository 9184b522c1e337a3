//! Idempotency keys: created once per call, sent on every attempt.

use std::fmt;

use crate::error::Error;

/// A key that lets the provider recognise a repeated request and answer it without acting twice.
///
/// The pipeline creates one ([`IdempotencyKey::generate`], a UUIDv4) for every call to an operation
/// that accepts keys, unless the caller supplies one. A generated key protects the retries of one
/// call only: a process that crashes after sending, and sends the create again after a restart,
/// sends a new key, and the provider makes a second payment. To survive restarts, tie the key to
/// your own reference with [`IdempotencyKey::derive`] (or store the key before sending).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(Box<str>);

/// The longest key accepted locally unless a provider sets a lower limit.
pub const DEFAULT_MAX_KEY_LEN: usize = 255;

/// The UUIDv5 namespace of [`IdempotencyKey::derive`] (itself the UUIDv5 of `splitkit` in the
/// URL namespace). Changing it would change every derived key.
const SPLITKIT_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0xcc34_18a5_ad06_5e51_8cbf_1421_71de_092f);

impl IdempotencyKey {
    /// A new random key (UUIDv4).
    pub fn generate() -> Self {
        Self(uuid::Uuid::new_v4().to_string().into_boxed_str())
    }

    /// The key for `reference` (your order id, invoice number, ...) in `namespace` (what the
    /// key is for, such as `"zepto.payment"`): every process that derives it gets the same key,
    /// so a create repeated after a crash or on another instance carries the key of the first.
    ///
    /// The key is a UUIDv5 (SHA-1 name-based, RFC 9562) of the namespace and the reference,
    /// 36 characters, which every provider accepts. Different namespaces or references give
    /// different keys (a collision needs two names hashing to the same 122 bits). The key is
    /// not secret: anyone who knows the reference can compute it, which is harmless because the
    /// provider scopes keys to your account.
    ///
    /// What a repeated key does is the provider's rule: it answers with the first request's
    /// result, or with an idempotency conflict naming the resource already created
    /// ([`crate::Error::IdempotencyConflict`]) — never a second resource. So use a new reference
    /// (`"order-42/attempt-2"`) for a deliberate second attempt, such as paying again after a
    /// payment failed. Providers forget keys after a while (Zepto after 24 hours); a create
    /// repeated later than that makes a new resource.
    pub fn derive(namespace: &str, reference: &str) -> Self {
        let space = uuid::Uuid::new_v5(&SPLITKIT_NAMESPACE, namespace.as_bytes());
        let key = uuid::Uuid::new_v5(&space, reference.as_bytes());
        Self(key.to_string().into_boxed_str())
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

    /// `uuid.uuid5(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "splitkit"), "zepto.payment"),
    /// "order-42")` computed independently with Python's `uuid` module.
    const DERIVED_ORDER_42: &str = "005ea20b-9ffb-51be-9b37-a28962bf4698";

    #[test]
    fn namespace_is_the_uuid_v5_of_splitkit() {
        assert_eq!(
            SPLITKIT_NAMESPACE,
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"splitkit")
        );
    }

    #[test]
    fn derived_keys_are_stable_uuid_v5_and_differ_by_namespace_and_reference() {
        let key = IdempotencyKey::derive("zepto.payment", "order-42");
        assert_eq!(key, IdempotencyKey::derive("zepto.payment", "order-42"));
        // Pinned: a change here would make restarted processes send different keys.
        assert_eq!(key.as_str(), DERIVED_ORDER_42);
        let parsed = uuid::Uuid::parse_str(key.as_str()).unwrap();
        assert_eq!(parsed.get_version_num(), 5);
        assert_ne!(key, IdempotencyKey::derive("zepto.refund", "order-42"));
        assert_ne!(key, IdempotencyKey::derive("zepto.payment", "order-43"));
        // The namespace and the reference are not simply concatenated.
        assert_ne!(
            IdempotencyKey::derive("a", "bc"),
            IdempotencyKey::derive("ab", "c")
        );
        assert!(
            key.check_max_len(36).is_ok(),
            "fits FairShare's 120 and any UUID field"
        );
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
