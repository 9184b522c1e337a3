//! Typed dates and times as providers send them.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::Error;

/// An instant, read from RFC 3339 (`2021-04-10T23:15:00Z`, any offset, fractional seconds) and
/// also, tolerantly, with a space instead of the `T` (`2021-09-02 02:24:50+00:00`, as Zepto's
/// documents print some times) and without an offset (`2021-04-10 23:15:00`,
/// `2021-04-10T23:15:00`: taken as UTC). Written as RFC 3339.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Wraps an instant.
    pub fn new(at: OffsetDateTime) -> Self {
        Self(at)
    }

    /// The current instant, from the system clock, in UTC.
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc())
    }

    /// The instant `time` (a `SystemTime` from a [`crate::Clock`], for example), in UTC.
    pub fn from_system_time(time: SystemTime) -> Self {
        Self(OffsetDateTime::from(time))
    }

    /// The instant `duration` later (saturating at the latest instant `time` can hold).
    pub fn plus(self, duration: Duration) -> Self {
        Self(
            self.0
                .saturating_add(duration.try_into().unwrap_or(time::Duration::MAX)),
        )
    }

    /// The instant.
    pub fn get(self) -> OffsetDateTime {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// The instant `seconds` after the Unix epoch.
    pub fn from_unix_seconds(seconds: i64) -> Result<Self, Error> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .map(Self)
            .map_err(|e| Error::validation("timestamp", e.to_string()))
    }

    /// Parses RFC 3339, also with a space instead of the `T`; and, as UTC, a date-time
    /// without an offset (`YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS`, optional fraction).
    pub fn parse(text: &str) -> Result<Self, Error> {
        if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
            return Ok(Self(at));
        }
        if let Some(at) = parse_space_separated(text) {
            return Ok(Self(at));
        }
        let plain = format_description!(
            "[year]-[month]-[day][first [T][ ]][hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        PrimitiveDateTime::parse(text, plain)
            .map(|at| Self(at.assume_offset(UtcOffset::UTC)))
            .map_err(|_| {
                Error::validation("timestamp", format!("not an RFC 3339 date-time: {text:?}"))
            })
    }
}

/// RFC 3339 with a space where the `T` goes (`2021-09-02 02:24:50+00:00`), without allocating.
fn parse_space_separated(text: &str) -> Option<OffsetDateTime> {
    const LONGEST: usize = 64;
    let bytes = text.as_bytes();
    if bytes.len() > LONGEST || bytes.get(10) != Some(&b' ') {
        return None;
    }
    let mut buffer = [0u8; LONGEST];
    let copy = &mut buffer[..bytes.len()];
    copy.copy_from_slice(bytes);
    copy[10] = b'T';
    let text = std::str::from_utf8(copy).ok()?;
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// Reads a string through `parse` without allocating a `String` for it.
struct ParseVisitor<T> {
    what: &'static str,
    parse: fn(&str) -> Result<T, Error>,
}

impl<T> serde::de::Visitor<'_> for ParseVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what)
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        (self.parse)(value).map_err(E::custom)
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(value: OffsetDateTime) -> Self {
        Self(value)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(text) => f.write_str(&text),
            Err(_) => write!(f, "{}", self.0),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl FromStr for Timestamp {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor {
            what: "an RFC 3339 date-time string",
            parse: Self::parse,
        })
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

impl Date {
    /// Wraps a date.
    pub fn new(date: time::Date) -> Self {
        Self(date)
    }

    /// The date.
    pub fn get(self) -> time::Date {
        self.0
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        time::Date::parse(text, format_description!("[year]-[month]-[day]"))
            .map(Self)
            .map_err(|_| Error::validation("date", format!("not a YYYY-MM-DD date: {text:?}")))
    }
}

impl From<time::Date> for Date {
    fn from(value: time::Date) -> Self {
        Self(value)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl FromStr for Date {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(ParseVisitor {
            what: "a YYYY-MM-DD date string",
            parse: Self::parse,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_follows_the_system_clock_and_plus_adds() {
        let before = SystemTime::now();
        let now = Timestamp::now();
        let after = SystemTime::now();
        assert!(Timestamp::from_system_time(before) <= now);
        assert!(now <= Timestamp::from_system_time(after));
        let epoch = Timestamp::from_system_time(SystemTime::UNIX_EPOCH);
        assert_eq!(
            epoch.plus(Duration::from_secs(86_400)).to_string(),
            "1970-01-02T00:00:00Z"
        );
        assert_eq!(
            epoch.plus(Duration::MAX),
            Timestamp::new(OffsetDateTime::new_utc(time::Date::MAX, time::Time::MAX))
        );
    }

    #[test]
    fn timestamps_read_rfc3339_and_plain_utc() {
        let a = Timestamp::parse("2021-04-10T23:15:00Z").unwrap();
        let b = Timestamp::parse("2021-04-11T09:15:00+10:00").unwrap();
        let c = Timestamp::parse("2021-04-10 23:15:00").unwrap();
        let d = Timestamp::parse("2021-04-10T23:15:00").unwrap();
        let e = Timestamp::parse("2021-04-10T23:15:00.000").unwrap();
        let f = Timestamp::parse("2021-04-11 09:15:00+10:00").unwrap();
        let g = Timestamp::parse("2021-04-10 23:15:00.000Z").unwrap();
        assert_eq!(a, f);
        assert_eq!(a, g);
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a, e);
        assert_eq!(a.to_string(), "2021-04-10T23:15:00Z");
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse("2021-04-10 23:15:00+25:00").is_err());
        let spaced: Timestamp = serde_json::from_str("\"2021-09-02 02:24:50+00:00\"").unwrap();
        assert_eq!(spaced.to_string(), "2021-09-02T02:24:50Z");
        assert!(serde_json::from_str::<Timestamp>("null").is_err());
        let json: Timestamp = serde_json::from_str("\"2024-06-24T10:09:27.890Z\"").unwrap();
        assert_eq!(json.unix_seconds(), 1_719_223_767);
    }

    #[test]
    fn dates_round_trip() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-02-29\"");
        assert!(Date::parse("2023-02-29").is_err());
    }
}
