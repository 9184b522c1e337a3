//! The limits the Zepto reference states, checked before anything is sent.
//!
//! Every request builder of this crate checks its values against these rules when it is sent
//! and fails with [`Error::Validation`] naming the field (in Zepto's JSON naming, e.g.
//! `payouts[0].amount`, `metadata.remitter`, `per_page`) and the rule, with the offending value
//! unless it is personal data.

use std::time::SystemTime;

use splitkit_common::{Error, Timestamp};
use time::macros::offset;
use time::{OffsetDateTime, Time, UtcOffset};

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

/// The time zone in which Zepto decides what "today" is for a `matures_at` that "can not be
/// earlier than the start of current day".
///
/// Zepto reads request times in the account's configured time zone (default
/// `Australia/Sydney`; NZ accounts `Pacific/Auckland`). Without a time-zone database this crate
/// knows a zone as the UTC offsets it can have (standard and daylight time) and takes the
/// earliest start of today among them, so that it never refuses a time Zepto would accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTimeZone {
    offsets: Vec<UtcOffset>,
}

impl AccountTimeZone {
    /// `Australia/Sydney` (+10:00, +11:00 in daylight time): Zepto's default.
    pub fn sydney() -> Self {
        Self {
            offsets: vec![offset!(+10), offset!(+11)],
        }
    }

    /// `Pacific/Auckland` (+12:00, +13:00 in daylight time), for Zepto NZ accounts.
    pub fn auckland() -> Self {
        Self {
            offsets: vec![offset!(+12), offset!(+13)],
        }
    }

    /// A zone with one fixed offset.
    pub fn fixed(offset: UtcOffset) -> Self {
        Self {
            offsets: vec![offset],
        }
    }

    /// The earliest instant that is the start of "today" at `now` in this zone.
    pub fn start_of_today(&self, now: OffsetDateTime) -> OffsetDateTime {
        self.offsets
            .iter()
            .map(|offset| {
                now.to_offset(*offset)
                    .replace_time(Time::MIDNIGHT)
                    .to_offset(UtcOffset::UTC)
            })
            .min()
            .unwrap_or_else(|| now.replace_time(Time::MIDNIGHT))
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

/// `metadata.remitter`, when present, is 3 to 16 characters.
pub(crate) fn remitter(field_prefix: &str, metadata: Option<&Metadata>) -> Result<(), Error> {
    let Some(remitter) = metadata.and_then(|m| m.get("remitter")) else {
        return Ok(());
    };
    let (min, max) = REMITTER_LENGTH;
    length(
        &format!("{field_prefix}metadata.remitter"),
        remitter,
        min,
        max,
        false,
    )
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
    let now = OffsetDateTime::from(now);
    let start = zone.start_of_today(now);
    if at.get() >= start {
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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn sydney_takes_the_earlier_start_of_day() {
        // 13:30 UTC: 23:30 in +10 (day D) but 00:30 of D+1 in +11.
        let now = datetime!(2024-03-01 13:30 UTC);
        assert_eq!(
            AccountTimeZone::sydney().start_of_today(now),
            datetime!(2024-02-29 14:00 UTC)
        );
        assert_eq!(
            AccountTimeZone::fixed(UtcOffset::UTC).start_of_today(now),
            datetime!(2024-03-01 00:00 UTC)
        );
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
