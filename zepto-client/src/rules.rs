//! The limits the Zepto reference states, checked before anything is sent.
//!
//! Every request builder of this crate checks its values against these rules when it is sent
//! and fails with [`Error::Validation`] naming the field (in Zepto's JSON naming, e.g.
//! `payouts[0].amount`, `metadata.remitter`, `per_page`) and the rule, with the offending value
//! unless it is personal data.

use std::time::SystemTime;

use chrono::{DateTime, FixedOffset, NaiveTime, Offset as _, Utc};
use splitkit_common::{Error, Timestamp};

use crate::generated::models::{Metadata, PaymentChannel};

/// The smallest amount Zepto accepts, in cents.
pub const MIN_AMOUNT: i64 = 1;
/// The largest amount Zepto accepts, in cents (`99999999999`, just under one billion dollars).
pub const MAX_AMOUNT: i64 = 99_999_999_999;
/// The most items a page can hold (`per_page`); Zepto silently caps larger values, this crate
/// refuses them so that a page never holds fewer items than asked for without saying so.
pub const MAX_PER_PAGE: u32 = 100;
/// The longest Contact name (characters).
pub const MAX_CONTACT_NAME: usize = 140;
/// The longest Contact email (characters).
pub const MAX_CONTACT_EMAIL: usize = 256;
/// The shortest and longest remitter name (`metadata.remitter`, characters).
pub const REMITTER_LENGTH: (usize, usize) = (3, 16);
/// The longest `end_to_end_id` of a payout (characters).
pub const MAX_END_TO_END_ID: usize = 35;
/// The longest `payment_reference` of a simulated Direct Entry payment (characters).
pub const MAX_DE_PAYMENT_REFERENCE: usize = 18;
/// The shortest and longest `debtor_name` of a simulated Direct Entry payment (characters).
pub const DE_DEBTOR_NAME_LENGTH: (usize, usize) = (1, 16);
/// The shortest and longest PayID email (characters).
pub const PAYID_EMAIL_LENGTH: (usize, usize) = (6, 256);

/// The time zone in which Zepto decides what "today" is for a `matures_at` that "can not be
/// earlier than the start of current day".
///
/// Zepto reads request times in the account's configured time zone (default
/// `Australia/Sydney`; NZ accounts `Pacific/Auckland`). Without a time-zone database this crate
/// knows a zone as the UTC offsets it can have (standard and daylight time) and takes the
/// earliest start of today among them, so that it never refuses a time Zepto would accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTimeZone {
    offsets: Vec<FixedOffset>,
}

/// `hours` east of UTC (within a day).
fn east(hours: i32) -> FixedOffset {
    FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| Utc.fix())
}

impl AccountTimeZone {
    /// `Australia/Sydney` (+10:00, +11:00 in daylight time): Zepto's default.
    pub fn sydney() -> Self {
        Self {
            offsets: vec![east(10), east(11)],
        }
    }

    /// `Pacific/Auckland` (+12:00, +13:00 in daylight time), for Zepto NZ accounts.
    pub fn auckland() -> Self {
        Self {
            offsets: vec![east(12), east(13)],
        }
    }

    /// A zone with one fixed offset.
    pub fn fixed(offset: FixedOffset) -> Self {
        Self {
            offsets: vec![offset],
        }
    }

    /// The earliest instant that is the start of "today" at `now` in this zone.
    pub fn start_of_today(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let midnight = |offset: &FixedOffset| {
            let day = now.with_timezone(offset).date_naive();
            day.and_time(NaiveTime::MIN)
                .and_local_timezone(*offset)
                .single()
                .map(|at| at.to_utc())
        };
        self.offsets
            .iter()
            .filter_map(midnight)
            .min()
            .or_else(|| midnight(&Utc.fix()))
            .unwrap_or(now)
    }
}

impl Default for AccountTimeZone {
    fn default() -> Self {
        Self::sydney()
    }
}

pub(crate) fn amount(field: &str, cents: i64) -> Result<(), Error> {
    if (MIN_AMOUNT..=MAX_AMOUNT).contains(&cents) {
        Ok(())
    } else {
        Err(Error::validation(
            field.to_owned(),
            format!("must be whole cents between {MIN_AMOUNT} and {MAX_AMOUNT}, got {cents}"),
        ))
    }
}

/// Checks the length of a text in characters; `personal` keeps the value out of the message.
pub(crate) fn length(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
    personal: bool,
) -> Result<(), Error> {
    let count = value.chars().count();
    if (min..=max).contains(&count) {
        return Ok(());
    }
    let bounds = if min == 0 {
        format!("at most {max} characters")
    } else {
        format!("{min} to {max} characters")
    };
    let got = if personal {
        format!("got {count}")
    } else {
        format!("got {count}: {value:?}")
    };
    Err(Error::validation(
        field.to_owned(),
        format!("must be {bounds}, {got}"),
    ))
}

pub(crate) fn not_empty(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::validation(field.to_owned(), "must not be empty"))
    } else {
        Ok(())
    }
}

/// `metadata.remitter`, when present, is a text of 3 to 16 characters. The other metadata
/// values may be any JSON.
pub(crate) fn remitter(field_prefix: &str, metadata: Option<&Metadata>) -> Result<(), Error> {
    let Some(remitter) = metadata.and_then(|m| m.get("remitter")) else {
        return Ok(());
    };
    let field = format!("{field_prefix}metadata.remitter");
    let Some(remitter) = remitter.as_str() else {
        return Err(Error::validation(
            field,
            format!("must be a text of 3 to 16 characters, got {remitter}"),
        ));
    };
    let (min, max) = REMITTER_LENGTH;
    length(&field, remitter, min, max, false)
}

/// Printable ASCII (space to `~`), the character set of the names NPP and Direct Entry carry.
pub(crate) fn printable_ascii(field: &str, value: &str) -> Result<(), Error> {
    match value.chars().find(|c| !(' '..='~').contains(c)) {
        None => Ok(()),
        Some(c) => Err(Error::validation(
            field.to_owned(),
            format!("must be printable ASCII (space to `~`), found {c:?}"),
        )),
    }
}

/// A BSB: exactly 6 digits.
pub(crate) fn bsb(field: &str, value: &str) -> Result<(), Error> {
    digits(field, value, 6, 6)
}

/// An account number: 1 to 9 digits.
pub(crate) fn account_number(field: &str, value: &str) -> Result<(), Error> {
    digits(field, value, 1, 9)
}

fn digits(field: &str, value: &str, min: usize, max: usize) -> Result<(), Error> {
    let count = value.len();
    if (min..=max).contains(&count) && value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let bounds = if min == max {
        format!("{min} digits")
    } else {
        format!("{min} to {max} digits")
    };
    Err(Error::validation(
        field.to_owned(),
        format!("must be {bounds}, got {value:?}"),
    ))
}

pub(crate) fn per_page(per_page: u32) -> Result<(), Error> {
    if (1..=MAX_PER_PAGE).contains(&per_page) {
        Ok(())
    } else {
        Err(Error::validation(
            "per_page",
            format!("must be between 1 and {MAX_PER_PAGE}, got {per_page}"),
        ))
    }
}

pub(crate) fn page(page: u32) -> Result<(), Error> {
    if page >= 1 && i32::try_from(page).is_ok() {
        Ok(())
    } else {
        Err(Error::validation(
            "page",
            format!("must be at least 1 (the first page is 1), got {page}"),
        ))
    }
}

/// `matures_at` "can not be earlier than the start of current day".
pub(crate) fn not_before_today(
    field: &str,
    at: Timestamp,
    now: SystemTime,
    zone: &AccountTimeZone,
) -> Result<(), Error> {
    let start = zone.start_of_today(DateTime::<Utc>::from(now));
    if at.utc() >= start {
        Ok(())
    } else {
        Err(Error::validation(
            field.to_owned(),
            format!(
                "can not be earlier than the start of the current day ({}), got {at}",
                Timestamp::new(start)
            ),
        ))
    }
}

/// The channel combinations the reference documents: NPP, Direct Entry, or NPP falling back
/// to Direct Entry.
pub(crate) fn channels(field: &str, channels: &[PaymentChannel]) -> Result<(), Error> {
    use PaymentChannel::{DirectEntry, NewPaymentsPlatform};
    match channels {
        [NewPaymentsPlatform] | [DirectEntry] | [NewPaymentsPlatform, DirectEntry] => Ok(()),
        other => Err(Error::validation(
            field.to_owned(),
            format!(
                "must be [new_payments_platform], [direct_entry] or [new_payments_platform, direct_entry], got [{}]",
                other
                    .iter()
                    .map(PaymentChannel::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The error for an enum value this SDK does not know (an `Unknown` variant): Zepto documents
/// the values it accepts, so an unknown one is not sent.
pub(crate) fn unknown_value(field: &str, value: &str) -> Error {
    Error::validation(
        field.to_owned(),
        format!("`{value}` is not a value Zepto documents for this field"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    fn utc(text: &str) -> DateTime<Utc> {
        Timestamp::parse(text).unwrap().utc()
    }

    #[test]
    fn sydney_takes_the_earlier_start_of_day() {
        // 13:30 UTC: 23:30 in +10 (day D) but 00:30 of D+1 in +11.
        let now = utc("2024-03-01T13:30:00Z");
        assert_eq!(
            AccountTimeZone::sydney().start_of_today(now),
            utc("2024-02-29T14:00:00Z")
        );
        assert_eq!(
            AccountTimeZone::fixed(Utc.fix()).start_of_today(now),
            utc("2024-03-01T00:00:00Z")
        );
        // 11:30 UTC: 21:30 in +10 and 22:30 in +11, the same day D: +11's midnight is earlier.
        let now = Utc.with_ymd_and_hms(2024, 3, 1, 11, 30, 0).unwrap();
        assert_eq!(
            AccountTimeZone::sydney().start_of_today(now),
            utc("2024-02-29T13:00:00Z")
        );
        // West of UTC too: 02:00 UTC is 21:00 of the day before in -05:00.
        let west = AccountTimeZone::fixed(FixedOffset::west_opt(5 * 3600).unwrap());
        assert_eq!(
            west.start_of_today(utc("2024-03-01T02:00:00Z")),
            utc("2024-02-29T05:00:00Z")
        );
    }

    #[test]
    fn remitter_is_a_text_among_any_json() {
        let mut metadata = Metadata::new();
        metadata.insert("invoice_id".into(), serde_json::json!(123));
        metadata.insert("nested".into(), serde_json::json!({ "a": [1, 2] }));
        assert!(remitter("", Some(&metadata)).is_ok());
        metadata.insert("remitter".into(), serde_json::json!(12345));
        let err = remitter("payouts[0].", Some(&metadata)).unwrap_err();
        assert!(
            err.to_string().contains("payouts[0].metadata.remitter"),
            "{err}"
        );
        metadata.insert("remitter".into(), serde_json::json!("SkyDive Co"));
        assert!(remitter("", Some(&metadata)).is_ok());
    }

    #[test]
    fn bank_details_and_names() {
        assert!(bsb("to_bsb", "802919").is_ok());
        for bad in ["80291", "8029190", "80291a", "802-91"] {
            assert!(bsb("to_bsb", bad).is_err(), "{bad}");
        }
        assert!(account_number("a", "1").is_ok());
        assert!(account_number("a", "123456789").is_ok());
        assert!(account_number("a", "").is_err());
        assert!(account_number("a", "1234567890").is_err());
        assert!(printable_ascii("debtor_name", "Simulated Debtor ~!").is_ok());
        assert!(printable_ascii("debtor_name", "Zoë").is_err());
        assert!(printable_ascii("debtor_name", "tab\there").is_err());
    }

    #[test]
    fn lengths_count_characters_and_hide_personal_data() {
        assert!(length("name", &"é".repeat(140), 0, 140, true).is_ok());
        let err = length("email", &"x".repeat(257), 0, 256, true).unwrap_err();
        assert!(!err.to_string().contains("xxx"), "{err}");
        let err = length("metadata.remitter", "ab", 3, 16, false).unwrap_err();
        assert!(err.to_string().contains("\"ab\""), "{err}");
    }
}
