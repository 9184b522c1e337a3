//! Tolerant reading of the scalars in answers: the "tolerant reader" half of the SDK's policy.
//!
//! Providers drift: a count arrives as `"1"` one year, an id as a number the next. Generated
//! response models read every string, integer, boolean and decimal field through this module
//! (`#[serde(with = "splitkit_common::lenient")]`), which accepts what a provider plausibly
//! sends and refuses what would change a value:
//!
//! | field type | accepted | refused |
//! |---|---|---|
//! | `i64`, `i32` (minor units, counts) | `12`, `"12"`, `12.0` | `12.5`, `"12.5"`, `"12.0"`, out of range |
//! | `Decimal` | `12.50`, `"12.50"`, `1.25e1`, exactly, never through a float | anything not a number |
//! | `bool` | `true`, `"true"`, `"FALSE"` | other strings, numbers |
//! | `String` | `"abc"`, and a number as its text (`42` is `"42"`) | booleans, arrays, objects |
//! | `Option<T>`, `Vec<T>`, `BTreeMap<String, T>` | `null` as `None`; each element as `T` | |
//!
//! A whole JSON number is accepted for an integer only when a float holds it exactly (below
//! 2^53); money in minor units is never rounded. Writing is strict and plain: integers, strings
//! and booleans are written as themselves, decimals as exact JSON numbers (see [`crate::decimal`]).
//!
//! Every reader goes straight from the deserializer through a visitor: nothing is buffered into
//! a `serde_json::Value`, and only what the plain type allocates is allocated (a decimal reads
//! its number's text first, see [`crate::decimal`]).
//!
//! Open enums read through [`open_enum`], which keeps a value it does not know and also takes
//! a number as its text. Timestamps and dates ([`crate::Timestamp`], [`crate::Date`]) are
//! tolerant on their own.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

#[cfg(feature = "decimal")]
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserializer, Serialize, Serializer};

/// A type this module reads tolerantly and writes strictly.
pub trait Lenient: Sized {
    /// Reads a value, accepting the variants described in the [module docs](self).
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;

    /// Writes the value in its one canonical form.
    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Reads a [`Lenient`] value; for `#[serde(with = "splitkit_common::lenient")]`.
pub fn deserialize<'de, D: Deserializer<'de>, T: Lenient>(deserializer: D) -> Result<T, D::Error> {
    T::deserialize_lenient(deserializer)
}

/// Writes a [`Lenient`] value; for `#[serde(with = "splitkit_common::lenient")]`.
pub fn serialize<S: Serializer, T: Lenient>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    value.serialize_strict(serializer)
}

/// Reads an open enum `E` from a string (or a number, as its text) without allocating for the
/// values `E` knows; `E::from_str` keeps any other value.
pub fn open_enum<'de, D, E>(deserializer: D) -> Result<E, D::Error>
where
    D: Deserializer<'de>,
    E: FromStr<Err = Infallible>,
{
    struct EnumVisitor<E>(PhantomData<E>);

    impl<E: FromStr<Err = Infallible>> Visitor<'_> for EnumVisitor<E> {
        type Value = E;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<Er: de::Error>(self, value: &str) -> Result<E, Er> {
            let Ok(parsed) = value.parse();
            Ok(parsed)
        }

        fn visit_u64<Er: de::Error>(self, value: u64) -> Result<E, Er> {
            self.visit_str(&value.to_string())
        }

        fn visit_i64<Er: de::Error>(self, value: i64) -> Result<E, Er> {
            self.visit_str(&value.to_string())
        }
    }

    deserializer.deserialize_any(EnumVisitor(PhantomData))
}

/// The largest integer a JSON float carries exactly (2^53).
const MAX_EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

struct IntVisitor<T>(PhantomData<T>);

impl<T> Visitor<'_> for IntVisitor<T>
where
    T: TryFrom<i64> + TryFrom<u64> + FromStr,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer, or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<T, E> {
        T::try_from(value).map_err(|_| E::custom(format!("integer {value} is out of range")))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<T, E> {
        T::try_from(value).map_err(|_| E::custom(format!("integer {value} is out of range")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<T, E> {
        if value.fract() != 0.0 || !value.is_finite() || value.abs() > MAX_EXACT_FLOAT {
            return Err(E::custom(format!(
                "expected an integer, got {value} (fractions are refused, not rounded)"
            )));
        }
        // Whole and within ±2^53: the conversion is exact.
        self.visit_i64(value as i64)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        value.trim().parse().map_err(|_| {
            E::custom(format!(
                "expected an integer, got the string {value:?} (fractions are refused, not rounded)"
            ))
        })
    }
}

macro_rules! lenient_integer {
    ($($ty:ty),*) => {$(
        impl Lenient for $ty {
            fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(IntVisitor::<$ty>(PhantomData))
            }

            fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.serialize(serializer)
            }
        }
    )*};
}

lenient_integer!(i32, i64, u32, u64);

/// Reads an integer as [`Lenient`] does (for hand-written `Deserialize` impls).
pub(crate) fn deserialize_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    i64::deserialize_lenient(deserializer)
}

impl Lenient for bool {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BoolVisitor;

        impl Visitor<'_> for BoolVisitor {
            type Value = bool;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean, or \"true\" or \"false\"")
            }

            fn visit_bool<E: de::Error>(self, value: bool) -> Result<bool, E> {
                Ok(value)
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<bool, E> {
                if value.eq_ignore_ascii_case("true") {
                    Ok(true)
                } else if value.eq_ignore_ascii_case("false") {
                    Ok(false)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(value), &self))
                }
            }
        }

        deserializer.deserialize_any(BoolVisitor)
    }

    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*self)
    }
}

impl Lenient for String {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StringVisitor;

        impl Visitor<'_> for StringVisitor {
            type Value = String;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string (or a number, kept as its text)")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
                Ok(value.to_owned())
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<String, E> {
                Ok(value)
            }

            fn visit_u64<E: de::Error>(self, value: u64) -> Result<String, E> {
                Ok(value.to_string())
            }

            fn visit_i64<E: de::Error>(self, value: i64) -> Result<String, E> {
                Ok(value.to_string())
            }

            fn visit_f64<E: de::Error>(self, value: f64) -> Result<String, E> {
                // The shortest text that reads back as the same float.
                Ok(value.to_string())
            }
        }

        deserializer.deserialize_any(StringVisitor)
    }

    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

#[cfg(feature = "decimal")]
impl Lenient for Decimal {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::decimal::deserialize(deserializer)
    }

    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        crate::decimal::serialize(self, serializer)
    }
}

/// Reads one `T` leniently where serde wants a seed (elements, map values, `Some`).
struct Seed<T>(PhantomData<T>);

impl<'de, T: Lenient> DeserializeSeed<'de> for Seed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::deserialize_lenient(deserializer)
    }
}

/// Writes one `T` strictly where serde wants a `Serialize` value.
struct Strict<'a, T>(&'a T);

impl<T: Lenient> Serialize for Strict<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_strict(serializer)
    }
}

impl<T: Lenient> Lenient for Option<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OptionVisitor<T>(PhantomData<T>);

        impl<'de, T: Lenient> Visitor<'de> for OptionVisitor<T> {
            type Value = Option<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a value or null")
            }

            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }

            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                T::deserialize_lenient(d).map(Some)
            }
        }

        deserializer.deserialize_option(OptionVisitor(PhantomData))
    }

    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Some(value) => serializer.serialize_some(&Strict(value)),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SeqVisitor<T>(PhantomData<T>);

        impl<'de, T: Lenient> Visitor<'de> for SeqVisitor<T> {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(item) = seq.next_element_seed(Seed::<T>(PhantomData))? {
                    out.push(item);
                }
                Ok(out)
            }
        }

        deserializer.deserialize_seq(SeqVisitor(PhantomData))
    }

    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Strict))
    }
}

impl<T: Lenient> Lenient for BTreeMap<String, T> {
    fn deserialize_lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<T>(PhantomData<T>);

        impl<'de, T: Lenient> Visitor<'de> for MapVisitor<T> {
            type Value = BTreeMap<String, T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value_seed(Seed::<T>(PhantomData))?;
                    out.insert(key, value);
                }
                Ok(out)
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }

    fn serialize_strict<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter().map(|(key, value)| (key, Strict(value))))
    }
}

// The models below mix every kind, decimals included (the default features have them).
#[cfg(all(test, feature = "decimal"))]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Model {
        #[serde(default, with = "crate::lenient")]
        count: Option<i64>,
        #[serde(default, with = "crate::lenient")]
        small: Option<i32>,
        #[serde(default, with = "crate::lenient")]
        name: Option<String>,
        #[serde(default, with = "crate::lenient")]
        flag: Option<bool>,
        #[serde(default, with = "crate::lenient")]
        price: Option<Decimal>,
        #[serde(default, with = "crate::lenient")]
        days: Vec<i64>,
        #[serde(default, with = "crate::lenient")]
        tags: BTreeMap<String, String>,
    }

    fn read(json: &str) -> Result<Model, String> {
        crate::decode::with_path(json.as_bytes()).map_err(|(path, e)| format!("{e} at {path}"))
    }

    #[test]
    fn numbers_as_strings_and_strings_as_numbers() {
        let m = read(
            r#"{"count":"1500","small":7.0,"name":42,"flag":"TRUE","price":"200.10",
                "days":["1",2,3.0],"tags":{"a":1,"b":"x"},"extra":{"ignored":[1,2]}}"#,
        )
        .unwrap();
        assert_eq!(m.count, Some(1500));
        assert_eq!(m.small, Some(7));
        assert_eq!(m.name.as_deref(), Some("42"));
        assert_eq!(m.flag, Some(true));
        assert_eq!(m.price.unwrap().to_string(), "200.10");
        assert_eq!(m.days, [1, 2, 3]);
        assert_eq!(m.tags["a"], "1");
    }

    #[test]
    fn null_and_absent_are_none() {
        let m = read(r#"{"count":null,"name":null,"flag":null,"price":null}"#).unwrap();
        assert_eq!((m.count, m.name, m.flag, m.price), (None, None, None, None));
        let m = read("{}").unwrap();
        assert_eq!(m.days, Vec::<i64>::new());
    }

    #[test]
    fn fractions_and_garbage_are_refused_with_the_path() {
        for (json, path) in [
            (r#"{"count":12.5}"#, "count"),
            (r#"{"count":"12.5"}"#, "count"),
            (r#"{"count":1e300}"#, "count"),
            (r#"{"count":"twelve"}"#, "count"),
            (r#"{"small":3000000000}"#, "small"),
            (r#"{"flag":"yes"}"#, "flag"),
            (r#"{"name":true}"#, "name"),
            (r#"{"days":[1,"x"]}"#, "days[1]"),
            (r#"{"price":"abc"}"#, "price"),
        ] {
            let err = read(json).unwrap_err();
            assert!(err.ends_with(&format!("at {path}")), "{json}: {err}");
        }
    }

    #[test]
    fn money_above_two_to_the_53_is_never_rounded() {
        assert_eq!(
            read(r#"{"count":"9007199254740993"}"#).unwrap().count,
            Some(9_007_199_254_740_993)
        );
        assert!(read(r#"{"count":9007199254740993.0}"#).is_err());
    }

    #[test]
    fn writes_plain_values_and_exact_decimals() {
        let m = read(r#"{"count":"5","price":"0.10","days":["1"],"tags":{"k":2}}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"count":5,"small":null,"name":null,"flag":null,"price":0.10,"days":[1],"tags":{"k":"2"}}"#
        );
    }

    #[test]
    fn open_enums_keep_unknown_values_and_read_numbers() {
        #[derive(Debug, PartialEq)]
        enum Kind {
            Known,
            Unknown(String),
        }
        impl FromStr for Kind {
            type Err = Infallible;
            fn from_str(s: &str) -> Result<Self, Infallible> {
                Ok(if s == "known" {
                    Self::Known
                } else {
                    Self::Unknown(s.to_owned())
                })
            }
        }
        let read = |json: &str| open_enum::<_, Kind>(&mut serde_json::Deserializer::from_str(json));
        assert_eq!(read("\"known\"").unwrap(), Kind::Known);
        assert_eq!(read("\"new\"").unwrap(), Kind::Unknown("new".into()));
        assert_eq!(read("3").unwrap(), Kind::Unknown("3".into()));
        assert!(read("true").is_err());
    }
}
