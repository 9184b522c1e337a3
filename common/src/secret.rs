//! Values that must never be printed: API keys, tokens, signing secrets.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What `Debug` and `Display` print in place of a secret.
pub const MASK: &str = "***";

/// A string that must not leak: its `Debug` and `Display` print [`MASK`].
///
/// The value is reachable only through [`SecretString::expose`], so every place that
/// needs the plain text is easy to find in a review. It serialises and deserialises as a
/// plain string, because the providers send and expect it that way.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SecretString(Box<str>);

impl SecretString {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into_boxed_str())
    }

    /// The plain text. Use it only where the value goes on the wire or into a MAC.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_mask_the_value() {
        let secret = SecretString::new("sk_live_abcdef");
        assert_eq!(format!("{secret:?}"), MASK);
        assert_eq!(format!("{secret}"), MASK);
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(***)");
        assert_eq!(secret.expose(), "sk_live_abcdef");
    }

    #[test]
    fn serde_round_trips_the_plain_string() {
        let secret: SecretString = serde_json::from_str("\"tok_123\"").unwrap();
        assert_eq!(secret.expose(), "tok_123");
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"tok_123\"");
    }
}
