//! Readers of request fields that collect Rails-style validation messages, and the rules
//! Zepto states for them (amounts, channels, dates, bank details, metadata).

use serde_json::{Map, Value};
use time::{OffsetDateTime, Time, UtcOffset};

use super::bank_accounts::is_own_bank_account;
use super::wire::Errors;
use crate::seed;
use crate::util;

/// The largest amount Zepto accepts, in cents.
const MAX_AMOUNT: i64 = 99_999_999_999;

/// The start of the current day in Australia/Sydney (the earlier of AEST and AEDT, so a
/// request is never refused for the daylight-saving hour).
fn start_of_day_sydney(now: OffsetDateTime) -> OffsetDateTime {
    [10, 11]
        .into_iter()
        .filter_map(|h| UtcOffset::from_hms(h, 0, 0).ok())
        .map(|offset| now.to_offset(offset).replace_time(Time::MIDNIGHT))
        .min()
        .unwrap_or(now)
}

pub(super) fn sydney() -> UtcOffset {
    UtcOffset::from_hms(10, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// Space to `~`: the names NPP and Direct Entry carry.
pub(super) fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

pub(super) fn text(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    required: bool,
    errors: &mut Errors,
) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => {
            if required {
                errors.push(format!("{label} can't be blank"));
            }
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            if required {
                errors.push(format!("{label} can't be blank"));
            }
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(format!("{label} must be a string"));
            None
        }
    }
}

pub(super) fn amount(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    errors: &mut Errors,
) -> Option<i64> {
    match body.get(name) {
        None | Some(Value::Null) => {
            errors.push(format!("{label} can't be blank"));
            None
        }
        Some(v) => match v.as_i64() {
            Some(a) if (1..=MAX_AMOUNT).contains(&a) => Some(a),
            Some(_) => {
                errors.push(format!("{label} must be between 1 and {MAX_AMOUNT}"));
                None
            }
            None => {
                errors.push(format!("{label} must be an integer number of cents"));
                None
            }
        },
    }
}

pub(super) fn datetime(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    now: OffsetDateTime,
    errors: &mut Errors,
) -> Option<OffsetDateTime> {
    let raw = text(body, name, label, true, errors)?;
    match util::parse_datetime(&raw, sydney()) {
        Some(t) if t < start_of_day_sydney(now) => {
            errors.push(format!(
                "{label} can not be earlier than the start of the current day"
            ));
            None
        }
        Some(t) => Some(t),
        None => {
            errors.push(format!("{label} is not a valid ISO 8601 date-time"));
            None
        }
    }
}

pub(super) fn channels(
    body: &Map<String, Value>,
    required: bool,
    errors: &mut Errors,
) -> Option<Vec<String>> {
    let list = match body.get("channels") {
        None | Some(Value::Null) => {
            if required {
                errors.push("Channels can't be blank".into());
            }
            return None;
        }
        Some(Value::Array(list)) => list,
        Some(_) => {
            errors.push("Channels must be an array".into());
            return None;
        }
    };
    let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    let valid = names.len() == list.len()
        && matches!(
            names.as_slice(),
            ["new_payments_platform"]
                | ["direct_entry"]
                | ["new_payments_platform", "direct_entry"]
        );
    if !valid {
        errors.push(
            "Channels must be [\"new_payments_platform\"], [\"direct_entry\"] or [\"new_payments_platform\", \"direct_entry\"]"
                .into(),
        );
        return None;
    }
    Some(names.into_iter().map(str::to_string).collect())
}

pub(super) fn bank_account(body: &Map<String, Value>, errors: &mut Errors) -> String {
    match text(
        body,
        "your_bank_account_id",
        "Your bank account",
        false,
        errors,
    ) {
        Some(id) if is_own_bank_account(&id) => id,
        Some(_) => {
            errors.push("Your bank account not found".into());
            String::new()
        }
        None => seed::ZEPTO_BANK_ACCOUNT_ID.to_string(),
    }
}

pub(super) fn check_bank_details(
    branch_code: Option<&str>,
    account_number: Option<&str>,
    errors: &mut Errors,
) -> (String, String) {
    let bsb = branch_code.map(|b| b.replace('-', "")).unwrap_or_default();
    if branch_code.is_some()
        && (bsb.len() != 6 || !bsb.bytes().all(|b| b.is_ascii_digit()) || bsb == "100000")
    {
        errors.push("Branch code is invalid".into());
    }
    let account = account_number
        .map(|a| a.replace([' ', '-'], ""))
        .unwrap_or_default();
    if account_number.is_some()
        && (!(5..=9).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push("Account number is invalid".into());
    }
    (bsb, account)
}

pub(super) fn length(
    value: &Option<String>,
    label: &str,
    min: usize,
    max: usize,
    errors: &mut Errors,
) {
    if let Some(v) = value {
        let n = v.chars().count();
        if n < min || n > max {
            errors.push(format!(
                "{label} must be between {min} and {max} characters"
            ));
        }
    }
}

/// Metadata is an object whose values may be any JSON; `remitter` is a text of 3 to 16
/// characters.
pub(crate) fn parse_metadata(
    value: Option<&Value>,
    errors: &mut Vec<String>,
) -> Option<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => {
            let remitter_ok = match map.get("remitter") {
                None => true,
                Some(Value::String(r)) => (3..=16).contains(&r.chars().count()),
                Some(_) => false,
            };
            if !remitter_ok {
                errors.push("Metadata remitter must be between 3 and 16 characters".into());
            }
            Some(map.clone())
        }
        Some(_) => {
            errors.push("Metadata must be an object".into());
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn start_of_day_is_never_after_either_sydney_midnight() {
        let now = OffsetDateTime::from_unix_timestamp(1_750_939_200)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let start = start_of_day_sydney(now);
        assert!(start <= now);
        assert!(now - start < time::Duration::days(1) + time::Duration::hours(1));
    }

    #[test]
    fn channels_accept_the_documented_combinations() {
        let check = |v: Value| {
            let mut errors = Vec::new();
            let body = json!({ "channels": v });
            channels(body.as_object().unwrap_or(&Map::new()), true, &mut errors)
        };
        assert!(check(json!(["new_payments_platform"])).is_some());
        assert!(check(json!(["new_payments_platform", "direct_entry"])).is_some());
        assert!(check(json!(["direct_entry", "new_payments_platform"])).is_none());
        assert!(check(json!(["float_account"])).is_none());
        assert!(check(json!("direct_entry")).is_none());
    }
}
