//! Typed dates and times as providers send them.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// An instant, read from RFC 3339 (`2021-04-10T23:15:00Z`, any offset, fractional seconds) and
/// also, tolerantly, with a space instead of the `T` (`2021-09-02 02:24:50+00:00`, as Zepto's
/// documents print some times) and without an offset (`2021-04-10 23:15:00`,
/// `2021-04-10T23:15:00`: taken as UTC). Written as RFC 3339 with the offset it was read with
/// (`Z` for UTC) and the fraction of a second only when there is one, without trailing zeros.
///
/// Years 0000 to 9999, the range RFC 3339 can write. Two timestamps are equal when they name
/// the same instant, whatever their offsets.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<FixedOffset>);

/// The latest instant RFC 3339 can write: `9999-12-31T23:59:59.999999999Z`.
fn latest() -> DateTime<FixedOffset> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|date| date.and_hms_nano_opt(23, 59, 59, 999_999_999))
        .map(|at| at.and_utc().fixed_offset())
        .unwrap_or(DateTime::<Utc>::MAX_UTC.fixed_offset())
}

/// The earliest instant RFC 3339 can write: `0000-01-01T00:00:00Z`.
fn earliest() -> DateTime<FixedOffset> {
    NaiveDate::from_ymd_opt(0, 1, 1)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc().fixed_offset())
        .unwrap_or(DateTime::<Utc>::MIN_UTC.fixed_offset())
}

/// Whether RFC 3339 can write `at` (a four-digit year).
fn writable(at: &DateTime<FixedOffset>) -> bool {
    use chrono::Datelike as _;
    (0..=9999).contains(&at.year())
}

impl Timestamp {
    /// Wraps an instant, in any time zone (its offset at that instant is kept). An instant
    /// outside the years 0000 to 9999 is brought to the nearest end of that range.
    pub fn new<Tz: chrono::TimeZone>(at: DateTime<Tz>) -> Self {
        let at = at.fixed_offset();
        if writable(&at) {
            Self(at)
        } else if at < earliest() {
            Self(earliest())
        } else {
            Self(latest())
        }
    }

    /// The current instant, from the system clock, in UTC.
    pub fn now() -> Self {
        Self::new(Utc::now())
    }

    /// The instant `time` (a `SystemTime` from a [`crate::Clock`], for example), in UTC.
    pub fn from_system_time(time: SystemTime) -> Self {
        Self::new(DateTime::<Utc>::from(time))
    }

    /// The instant `duration` later (saturating at `9999-12-31T23:59:59.999999999Z`).
    pub fn plus(self, duration: Duration) -> Self {
        TimeDelta::from_std(duration)
            .ok()
            .and_then(|delta| self.0.checked_add_signed(delta))
            .map_or_else(|| Self(latest()), Self::new)
    }

    /// The instant, with the offset it was read or made with.
    pub fn get(self) -> DateTime<FixedOffset> {
        self.0
    }

    /// The instant in UTC.
    pub fn utc(self) -> DateTime<Utc> {
        self.0.to_utc()
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(self) -> i64 {
        self.0.timestamp()
    }

    /// The instant `seconds` after the Unix epoch, in UTC (years 0000 to 9999).
    pub fn from_unix_seconds(seconds: i64) -> Result<Self, Error> {
        DateTime::<Utc>::from_timestamp(seconds, 0)
            .map(|at| at.fixed_offset())
            .filter(writable)
            .map(Self)
            .ok_or_else(|| {
                Error::validation(
                    "timestamp",
                    format!(
                        "{seconds} seconds from the Unix epoch is outside the years 0000 to 9999"
                    ),
                )
            })
    }

    /// Parses RFC 3339, also with a space instead of the `T`; and, as UTC, a date-time
    /// without an offset (`YYYY-MM-DDTHH:MM:SS` or `YYYY-MM-DD HH:MM:SS`, optional fraction).
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid =
            || Error::validation("timestamp", format!("not an RFC 3339 date-time: {text:?}"));
        // A four-digit year, then `-`: chrono's own formats would take more digits or a sign.
        let bytes = text.as_bytes();
        if bytes.len() < 19 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
            return Err(invalid());
        }
        let separator = bytes[10];
        if separator != b'T' && separator != b't' && separator != b' ' {
            return Err(invalid());
        }
        // chrono's RFC 3339 reader takes `T`, `t` or a space between date and time.
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self(at));
        }
        // No offset: UTC. `%.f` reads an optional fraction.
        let format = match separator {
            b' ' => "%Y-%m-%d %H:%M:%S%.f",
            b't' => "%Y-%m-%dt%H:%M:%S%.f",
            _ => "%Y-%m-%dT%H:%M:%S%.f",
        };
        NaiveDateTime::parse_from_str(text, format)
            .map(|at| Self(at.and_utc().fixed_offset()))
            .map_err(|_| invalid())
    }
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

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self::new(value)
    }
}

impl From<DateTime<FixedOffset>> for Timestamp {
    fn from(value: DateTime<FixedOffset>) -> Self {
        Self::new(value)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Timelike as _;
        let utc = self.0.offset().local_minus_utc() == 0;
        // Above 999,999,999 in a leap second.
        let fraction = self.0.nanosecond() % 1_000_000_000;
        if fraction == 0 {
            return f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, utc));
        }
        // The fraction without trailing zeros (`.89`, not `.890`), between the seconds and the
        // offset of the nine-digit form (`YYYY-MM-DDTHH:MM:SS.nnnnnnnnn<offset>`).
        let full = self.0.to_rfc3339_opts(SecondsFormat::Nanos, utc);
        let (seconds, offset) = (&full[..19], &full[29..]);
        let digits = format!("{fraction:09}");
        write!(f, "{seconds}.{}{offset}", digits.trim_end_matches('0'))
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
pub struct Date(NaiveDate);

impl Date {
    /// Wraps a date.
    pub fn new(date: NaiveDate) -> Self {
        Self(date)
    }

    /// The date.
    pub fn get(self) -> NaiveDate {
        self.0
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = || Error::validation("date", format!("not a YYYY-MM-DD date: {text:?}"));
        let bytes = text.as_bytes();
        let shape = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shape {
            return Err(invalid());
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Self)
            .map_err(|_| invalid())
    }
}

impl From<NaiveDate> for Date {
    fn from(value: NaiveDate) -> Self {
        Self(value)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use chrono::Datelike as _;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
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
        assert_eq!(epoch.plus(Duration::MAX), Timestamp(latest()));
        assert_eq!(
            epoch.plus(Duration::MAX).to_string(),
            "9999-12-31T23:59:59.999999999Z"
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
    fn timestamps_print_rfc3339_with_their_offset_and_a_trimmed_fraction() {
        let cases = [
            ("2024-06-24T10:09:27.890Z", "2024-06-24T10:09:27.89Z"),
            ("2024-06-24T10:09:27.000Z", "2024-06-24T10:09:27Z"),
            (
                "2024-06-24T10:09:27.000000001Z",
                "2024-06-24T10:09:27.000000001Z",
            ),
            ("2024-06-24T20:09:27.5+10:00", "2024-06-24T20:09:27.5+10:00"),
            ("2024-06-24T05:39:27-04:30", "2024-06-24T05:39:27-04:30"),
            ("2024-06-24t10:09:27z", "2024-06-24T10:09:27Z"),
            ("2024-06-24T10:09:27+00:00", "2024-06-24T10:09:27Z"),
            ("2024-06-24 10:09:27.25", "2024-06-24T10:09:27.25Z"),
        ];
        for (text, printed) in cases {
            let at = Timestamp::parse(text).unwrap();
            assert_eq!(at.to_string(), printed, "{text}");
            assert_eq!(Timestamp::parse(printed).unwrap(), at, "{text}");
        }
        // Equal as instants, whatever the offsets; ordered by instant.
        let a = Timestamp::parse("2024-06-24T20:00:00+10:00").unwrap();
        let b = Timestamp::parse("2024-06-24T10:00:00Z").unwrap();
        assert_eq!(a, b);
        assert!(Timestamp::parse("2024-06-24T19:00:00Z").unwrap() > a);
        assert_eq!(a.utc().to_rfc3339(), "2024-06-24T10:00:00+00:00");
    }

    #[test]
    fn only_four_digit_years_and_real_times_are_read() {
        for text in [
            "+2024-06-24T10:09:27Z",
            "02024-06-24T10:09:27Z",
            "24-06-24T10:09:27Z",
            "2024-06-24X10:09:27Z",
            "2024-06-24T25:09:27Z",
            "2024-02-30T10:09:27Z",
            "2024-06-24T10:09",
            "2024-06-24T10:09:27 Z",
            "",
        ] {
            assert!(Timestamp::parse(text).is_err(), "{text:?}");
        }
        assert_eq!(
            Timestamp::from_unix_seconds(253_402_300_799)
                .unwrap()
                .to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert!(Timestamp::from_unix_seconds(253_402_300_800).is_err());
        assert_eq!(
            Timestamp::from_unix_seconds(-62_167_219_200)
                .unwrap()
                .to_string(),
            "0000-01-01T00:00:00Z"
        );
        assert!(Timestamp::from_unix_seconds(-62_167_219_201).is_err());
        assert!(Timestamp::from_unix_seconds(i64::MAX).is_err());
    }

    #[test]
    fn dates_round_trip() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-02-29\"");
        assert!(Date::parse("2023-02-29").is_err());
        for text in [
            "+2024-02-29",
            "02024-02-29",
            "2024-2-29",
            "2024-02-29T00:00:00Z",
            "",
        ] {
            assert!(Date::parse(text).is_err(), "{text:?}");
        }
        let read: Date = serde_json::from_str("\"0001-01-01\"").unwrap();
        assert_eq!(read.to_string(), "0001-01-01");
    }
}
