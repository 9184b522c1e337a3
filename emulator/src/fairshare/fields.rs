//! Request fields read exactly: decimals from the JSON number's own text (never through a
//! float), and the amounts FairShare sends back with two decimals (`200.00`).

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;

use super::validation;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

/// A decimal amount written as a JSON number with at least two decimals (`200.00`, `2.50`,
/// `0.125`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Dec(pub(super) Decimal);

impl Serialize for Dec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = if self.0.scale() < 2 {
            format!("{:.2}", self.0)
        } else {
            self.0.to_string()
        };
        match RawValue::from_string(text) {
            Ok(raw) => raw.serialize(serializer),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }
}

pub(super) type Fields = BTreeMap<String, Box<RawValue>>;

pub(super) fn parse_fields(body: &[u8]) -> Result<Fields, Response> {
    serde_json::from_slice::<Fields>(body)
        .map_err(|e| validation(format!("Request body must be a JSON object: {e}")))
}

/// The JSON object body of a request. Strict, it must come as `Content-Type:
/// application/json` and hold only the documented `fields`.
pub(super) fn request_fields(
    headers: &HeaderMap,
    body: &[u8],
    fields: &[&str],
    strict: bool,
) -> Result<Fields, Response> {
    if strict && !crate::util::has_content_type(headers, "application/json") {
        return Err(super::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VALIDATION_ERROR",
            "Content-Type must be application/json",
        ));
    }
    let parsed = parse_fields(body)?;
    known_fields(&parsed, fields, "", strict)?;
    Ok(parsed)
}

/// Strict, a `VALIDATION_ERROR` naming the fields of an object (at `path`) that FairShare does
/// not document (a misspelt field would otherwise be ignored).
pub(super) fn known_fields(
    object: &Fields,
    fields: &[&str],
    path: &str,
    strict: bool,
) -> Result<(), Response> {
    match crate::util::unknown_fields(object.keys(), fields, path) {
        Some(sentence) if strict => Err(validation(sentence)),
        _ => Ok(()),
    }
}

pub(super) fn raw_is_null(raw: &RawValue) -> bool {
    raw.get().trim() == "null"
}

pub(super) fn field_str(fields: &Fields, name: &str) -> Result<Option<String>, Response> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) if raw_is_null(raw) => Ok(None),
        Some(raw) => serde_json::from_str::<String>(raw.get())
            .map(Some)
            .map_err(|_| validation(format!("{name} must be a string"))),
    }
}

pub(super) fn parse_decimal(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        return None;
    }
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

pub(super) fn field_decimal(fields: &Fields, name: &str) -> Result<Option<Decimal>, Response> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) if raw_is_null(raw) => Ok(None),
        Some(raw) => parse_decimal(raw)
            .map(Some)
            .ok_or_else(|| validation(format!("{name} must be a number"))),
    }
}

pub(super) fn field_int(fields: &Fields, name: &str) -> Result<Option<i64>, Option<String>> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) if raw_is_null(raw) => Ok(None),
        Some(raw) => serde_json::from_str::<i64>(raw.get())
            .map(Some)
            .map_err(|_| Some(format!("{name} must be an integer"))),
    }
}

pub(super) fn has_more_than_two_decimals(d: Decimal) -> bool {
    d.normalize().scale() > 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_keep_two_places() {
        let text = serde_json::to_string(&Dec(Decimal::new(25, 1))).unwrap_or_default();
        assert_eq!(text, "2.50");
        let raw =
            serde_json::from_str::<Box<RawValue>>("200.005").unwrap_or_else(|_| unreachable!());
        assert!(has_more_than_two_decimals(
            parse_decimal(&raw).unwrap_or_default()
        ));
    }
}
