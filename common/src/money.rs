//! Money without floats: integer minor units and ISO 4217 currency codes.
//!
//! Providers that send decimals (FairShare) use [`rust_decimal::Decimal`] with the
//! [`crate::decimal`] serde adapter instead.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// An amount in the currency's minor unit (cents for AUD, USD, EUR, ...).
///
/// Written as a JSON integer. Read from an integer or, tolerantly, from a string holding one
/// (`"1500"`); a fraction (`15.5`, `"15.50"`) is refused, never rounded (see [`crate::lenient`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(transparent)]
pub struct MinorUnits(i64);

impl<'de> Deserialize<'de> for MinorUnits {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lenient::deserialize_i64(deserializer).map(Self)
    }
}

impl MinorUnits {
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// An amount of `value` minor units.
    pub const fn new(value: i64) -> Self {
        Self(value)
    }

    /// The amount as a plain integer.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` on overflow.
    pub const fn checked_add(self, other: Self) -> Option<Self> {
        match self.0.checked_add(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self - other`, or `None` on overflow.
    pub const fn checked_sub(self, other: Self) -> Option<Self> {
        match self.0.checked_sub(other.0) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// `self * factor` (a quantity), or `None` on overflow.
    pub const fn checked_mul(self, factor: i64) -> Option<Self> {
        match self.0.checked_mul(factor) {
            Some(v) => Some(Self(v)),
            None => None,
        }
    }

    /// The sum of `amounts`, or `None` on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Self>>(amounts: I) -> Option<Self> {
        amounts
            .into_iter()
            .try_fold(Self::ZERO, |acc, next| acc.checked_add(next))
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for MinorUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i64> for MinorUnits {
    fn from(value: i64) -> Self {
        Self(value)
    }
}

/// A three-letter ISO 4217 currency code, stored in upper case.
///
/// Parsing accepts either case (`"aud"`, `"AUD"`); [`Currency::as_str`] gives the upper-case
/// form and [`Currency::to_lowercase`] the lower-case form some providers require.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Australian dollar.
    pub const AUD: Self = Self(*b"AUD");
    /// New Zealand dollar.
    pub const NZD: Self = Self(*b"NZD");
    /// United States dollar.
    pub const USD: Self = Self(*b"USD");
    /// Euro.
    pub const EUR: Self = Self(*b"EUR");
    /// Pound sterling.
    pub const GBP: Self = Self(*b"GBP");
    /// Canadian dollar.
    pub const CAD: Self = Self(*b"CAD");

    /// Parses a code of exactly three ASCII letters, in either case.
    pub fn parse(code: &str) -> Result<Self, Error> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_alphabetic) {
            return Err(Error::validation(
                "currency",
                format!("must be three ASCII letters (ISO 4217), got {code:?}"),
            ));
        }
        Ok(Self([
            bytes[0].to_ascii_uppercase(),
            bytes[1].to_ascii_uppercase(),
            bytes[2].to_ascii_uppercase(),
        ]))
    }

    /// The upper-case code, e.g. `"AUD"`.
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The lower-case code, e.g. `"aud"`.
    pub fn to_lowercase(&self) -> String {
        self.as_str().to_ascii_lowercase()
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_arithmetic_reports_overflow() {
        let a = MinorUnits::new(1_250);
        assert_eq!(
            a.checked_add(MinorUnits::new(50)),
            Some(MinorUnits::new(1_300))
        );
        assert_eq!(
            a.checked_sub(MinorUnits::new(1_300)),
            Some(MinorUnits::new(-50))
        );
        assert_eq!(a.checked_mul(3), Some(MinorUnits::new(3_750)));
        assert_eq!(
            MinorUnits::new(i64::MAX).checked_add(MinorUnits::new(1)),
            None
        );
        assert_eq!(MinorUnits::new(i64::MAX).checked_mul(2), None);
        assert_eq!(
            MinorUnits::checked_sum([MinorUnits::new(1), MinorUnits::new(2)]),
            Some(MinorUnits::new(3))
        );
        assert_eq!(
            MinorUnits::checked_sum([MinorUnits::new(i64::MAX), MinorUnits::new(1)]),
            None
        );
    }

    #[test]
    fn minor_units_read_numeric_strings_but_never_fractions() {
        let read = |json: &str| serde_json::from_str::<MinorUnits>(json);
        assert_eq!(read("1500").unwrap(), MinorUnits::new(1500));
        assert_eq!(read("\"1500\"").unwrap(), MinorUnits::new(1500));
        assert!(read("15.5").is_err());
        assert!(read("\"15.50\"").is_err());
        assert_eq!(serde_json::to_string(&MinorUnits::new(-3)).unwrap(), "-3");
    }

    #[test]
    fn currency_parses_either_case_and_rejects_the_rest() {
        assert_eq!(Currency::parse("aud").unwrap(), Currency::AUD);
        assert_eq!(Currency::parse("Usd").unwrap().to_lowercase(), "usd");
        for bad in ["", "AU", "AUDD", "A1D", "ÄUD"] {
            let err = Currency::parse(bad).unwrap_err();
            assert!(err.to_string().contains("currency"), "{err}");
        }
        let json = serde_json::to_string(&Currency::NZD).unwrap();
        assert_eq!(json, "\"NZD\"");
        assert_eq!(
            serde_json::from_str::<Currency>("\"nzd\"").unwrap(),
            Currency::NZD
        );
    }
}
