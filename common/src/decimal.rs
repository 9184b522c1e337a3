//! Serde adapter that reads and writes [`Decimal`] as an exact JSON number.
//!
//! `serde_json` hands a JSON number such as `200.10` to a deserializer as an `f64` unless its
//! `arbitrary_precision` feature is on, and turning that feature on from a library changes number
//! handling for the whole program. This adapter instead reads the number's text through
//! [`RawValue`] and parses the text as a decimal, and writes a decimal by emitting its text as a
//! raw JSON number. No value passes through a float. A JSON string holding a number (`"200.10"`)
//! is accepted too.
//!
//! Use it as `#[serde(with = "splitkit_common::decimal")]` on a `Decimal` field, or
//! `#[serde(with = "splitkit_common::decimal::option")]` on an `Option<Decimal>` field.
//! It works with `serde_json` only, which is how the SDK encodes JSON.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

/// Serialises a decimal as a JSON number with exactly its digits.
pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(value.to_string()).map_err(serde::ser::Error::custom)?;
    raw.serialize(serializer)
}

/// Deserialises a decimal from a JSON number (or a string holding one) without a float.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(deserializer)?;
    parse_raw(raw.get()).map_err(D::Error::custom)
}

fn parse_raw(text: &str) -> Result<Decimal, String> {
    let unquoted = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    let parsed = if unquoted.contains(['e', 'E']) {
        Decimal::from_scientific(unquoted)
    } else {
        Decimal::from_str(unquoted)
    };
    parsed.map_err(|e| format!("expected a decimal number, got {text}: {e}"))
}

/// The same adapter for `Option<Decimal>`: `null` and a missing field are `None`.
pub mod option {
    use super::*;

    /// Serialises `Some` as an exact JSON number and `None` as `null`.
    pub fn serialize<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => super::serialize(d, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserialises `null` as `None` and a number as `Some` without a float.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Decimal>, D::Error> {
        let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
        match raw {
            None => Ok(None),
            Some(raw) if raw.get() == "null" => Ok(None),
            Some(raw) => parse_raw(raw.get()).map(Some).map_err(D::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Line {
        #[serde(with = "crate::decimal")]
        price: Decimal,
        #[serde(default, with = "crate::decimal::option")]
        fee: Option<Decimal>,
    }

    #[test]
    fn reads_numbers_exactly() {
        let line: Line = serde_json::from_str(r#"{"price": 0.1, "fee": 0.2}"#).unwrap();
        assert_eq!(
            line.price + line.fee.unwrap(),
            Decimal::from_str("0.3").unwrap()
        );
        let line: Line = serde_json::from_str(r#"{"price": 12345678901234567.89}"#).unwrap();
        assert_eq!(line.price.to_string(), "12345678901234567.89");
        assert_eq!(line.fee, None);
        let line: Line = serde_json::from_str(r#"{"price": "200.10", "fee": null}"#).unwrap();
        assert_eq!(line.price.to_string(), "200.10");
        let line: Line = serde_json::from_str(r#"{"price": 1.5e2}"#).unwrap();
        assert_eq!(line.price, Decimal::from(150));
    }

    #[test]
    fn writes_numbers_with_their_digits() {
        let line = Line {
            price: Decimal::from_str("200.10").unwrap(),
            fee: Some(Decimal::from_str("0.30").unwrap()),
        };
        assert_eq!(
            serde_json::to_string(&line).unwrap(),
            r#"{"price":200.10,"fee":0.30}"#
        );
    }

    #[test]
    fn rejects_non_numbers_with_the_path() {
        let (path, error) = crate::decode::with_path::<Line>(br#"{"price": true}"#).unwrap_err();
        assert_eq!(path, "price");
        assert!(
            error.to_string().contains("expected a decimal number"),
            "{error}"
        );
    }
}
