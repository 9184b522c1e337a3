//! Turning answer bodies into types, with the JSON path and a masked excerpt on failure.

use std::fmt;

use serde::de::{DeserializeOwned, DeserializeSeed};
use serde_json::value::RawValue;

use crate::error::{ApiError, DecodeError, Error};
use crate::operation::Pagination;
use crate::pagination::Page;

/// How much of the body, either side of the failure, an error shows.
const SNIPPET_RADIUS: usize = 60;

/// Decodes `body` as JSON into `T`, naming the path on failure.
///
/// A body is read once, at full speed. When it fails, the path is read off the text up to where
/// the decoder stopped, so no model's decoder is compiled a second time for path tracking.
pub fn json<T: DeserializeOwned>(
    operation: &'static str,
    body: &[u8],
    secret_fields: &[&str],
) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| decode_error(operation, body, secret_fields, &e))
}

/// Decodes `body` with a seed (used for pages), naming the path on failure (as [`json`]).
pub(crate) fn json_seed<'de, S: DeserializeSeed<'de>>(
    operation: &'static str,
    body: &'de [u8],
    secret_fields: &[&str],
    seed: S,
) -> Result<S::Value, Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    seed.deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value))
        .map_err(|e| decode_error(operation, body, secret_fields, &e))
}

/// Decodes `body` into `T`; on failure, where it failed (`data[3].amount`, `.` for the body
/// itself) and what serde said.
pub(crate) fn with_path<T: DeserializeOwned>(
    body: &[u8],
) -> Result<T, (String, serde_json::Error)> {
    serde_json::from_slice(body).map_err(|e| (crate::json_path::of_error(body, &e), e))
}

fn decode_error(
    operation: &'static str,
    body: &[u8],
    secret_fields: &[&str],
    error: &serde_json::Error,
) -> Error {
    let path = crate::json_path::of_error(body, error);
    let text = redact(&String::from_utf8_lossy(body), secret_fields);
    let offset = byte_offset(&text, error.line(), error.column());
    Error::Decode(Box::new(DecodeError::new(
        operation,
        path,
        error.to_string(),
        excerpt(&text, offset),
    )))
}

/// One item of a list (a page, a stream, a webhook's `data` array) that could not be decoded
/// while the other items of the same list were.
///
/// It keeps the item's position, where inside the item decoding failed, what serde said, and
/// the item's raw JSON, so nothing the provider sent is lost. `Debug` and `Display` show the
/// raw JSON's length only: an item can carry secrets.
#[derive(Clone)]
pub struct ItemError {
    index: usize,
    path: String,
    message: String,
    raw: Box<RawValue>,
}

impl ItemError {
    /// Decodes `raw`, the item at `index` of its list, into `T` (the path is read off the
    /// item's text only when it fails).
    pub fn decode<T: DeserializeOwned>(index: usize, raw: Box<RawValue>) -> Result<T, Self> {
        // Read as bytes, like whole answers: each model's decoder is then compiled for one
        // reader, not two (build time and code size).
        match with_path(raw.get().as_bytes()) {
            Ok(value) => Ok(value),
            // serde quotes the offending value: keep a message bounded, whatever was received.
            Err((path, error)) => Err(Self {
                index,
                path: crate::webhook::echo(&path),
                message: crate::webhook::echo(&error.to_string()),
                raw,
            }),
        }
    }

    /// The item's position in its list, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Where inside the item decoding failed, e.g. `per_frequency.days` (`.` for the item itself).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the decoder said, cut to [`crate::webhook::ECHO_LIMIT`] bytes (serde quotes the
    /// value it could not read, which can be long).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The item exactly as it was received.
    pub fn raw_json(&self) -> &RawValue {
        &self.raw
    }

    /// The item as a JSON value, for code that wants to read what it can of it.
    pub fn to_value(&self) -> serde_json::Value {
        // The raw text was parsed as JSON once already, so this cannot fail; `Null` otherwise.
        serde_json::from_str(self.raw.get()).unwrap_or_default()
    }
}

impl fmt::Debug for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ItemError")
            .field("index", &self.index)
            .field("path", &self.path)
            .field("message", &self.message)
            .field("raw_len", &self.raw.get().len())
            .finish()
    }
}

impl fmt::Display for ItemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "item {} could not be decoded at `{}`: {}",
            self.index, self.path, self.message
        )
    }
}

impl std::error::Error for ItemError {}

/// Decodes every item of a list on its own: the items that decode, in their order, and one
/// [`ItemError`] for each item that does not.
pub fn items<T: DeserializeOwned>(raw: Vec<Box<RawValue>>) -> (Vec<T>, Vec<ItemError>) {
    let mut decoded = Vec::with_capacity(raw.len());
    let mut rejected = Vec::new();
    for (index, item) in raw.into_iter().enumerate() {
        match ItemError::decode(index, item) {
            Ok(value) => decoded.push(value),
            Err(error) => rejected.push(error),
        }
    }
    (decoded, rejected)
}

/// Decodes a whole list answer (no paging): the items under `items_field` (`""`: the body is
/// the array) as a [`Page`] without a next page. One item that cannot be decoded is isolated in
/// [`Page::rejected`], as for the pages of paginated lists. For hand-written list calls.
pub fn list<T: DeserializeOwned>(
    operation: &'static str,
    body: &[u8],
    secret_fields: &[&str],
    items_field: &'static str,
) -> Result<Page<T>, Error> {
    let pagination = Pagination::Unpaged { items: items_field };
    crate::pagination::decode_list(operation, body, secret_fields, pagination).map(|list| {
        let mut page = Page::new(list.items);
        page.rejected = list.rejected;
        page
    })
}

/// Attaches the answer's status, request id and call to a decode error (other errors pass
/// through).
pub fn with_api(error: Error, api: ApiError) -> Error {
    match error {
        Error::Decode(mut d) => {
            d.call = api.call.clone();
            d.api = Some(api);
            Error::Decode(d)
        }
        other => other,
    }
}

fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += l.len();
    }
    text.len()
}

fn excerpt(text: &str, offset: usize) -> String {
    let mut start = offset.saturating_sub(SNIPPET_RADIUS);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (offset + SNIPPET_RADIUS).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&text[start..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Replaces the string values of the named JSON fields with `***`, wherever they appear.
pub fn redact(text: &str, fields: &[&str]) -> String {
    let mut out = text.to_owned();
    for field in fields {
        let needle = format!("\"{field}\"");
        let mut from = 0;
        while let Some(found) = out[from..].find(&needle) {
            let after_key = from + found + needle.len();
            let rest = &out[after_key..];
            let trimmed = rest.trim_start();
            let Some(after_colon) = trimmed.strip_prefix(':') else {
                from = after_key;
                continue;
            };
            let value = after_colon.trim_start();
            if !value.starts_with('"') {
                from = after_key;
                continue;
            }
            let value_start = out.len() - value.len() + 1;
            let Some(value_len) = string_len(&out[value_start..]) else {
                out.truncate(value_start);
                out.push_str("***");
                break;
            };
            out.replace_range(value_start..value_start + value_len, "***");
            from = value_start + 3;
        }
    }
    out
}

/// Length of a JSON string's content up to (not including) its closing quote.
fn string_len(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Payment {
        amount: i64,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Envelope {
        data: Vec<Payment>,
    }

    #[test]
    fn failure_names_path_and_shows_excerpt() {
        let body = br#"{"data":[{"amount":1},{"amount":"12.50"}]}"#;
        let err = json::<Envelope>("listPayments", body, &[]).unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, "data[1].amount");
        assert!(d.snippet.contains("12.50"), "{}", d.snippet);
        assert!(err.to_string().contains("listPayments"), "{err}");
    }

    #[test]
    fn items_keep_the_good_and_report_the_bad_with_raw_json() {
        let raw: Vec<Box<RawValue>> =
            serde_json::from_str(r#"[{"amount":1},{"amount":"x","token":"s3cr3t"},{"amount":3}]"#)
                .unwrap();
        let (good, bad) = items::<Payment>(raw);
        assert_eq!(good.iter().map(|p| p.amount).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(bad.len(), 1);
        let e = &bad[0];
        assert_eq!((e.index(), e.path()), (1, "amount"));
        assert!(e.message().contains("invalid type"), "{}", e.message());
        assert_eq!(e.raw_json().get(), r#"{"amount":"x","token":"s3cr3t"}"#);
        assert_eq!(e.to_value()["amount"], "x");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("item 1"), "{shown}");
    }

    #[test]
    fn an_item_error_quotes_a_long_value_only_in_part() {
        let long = "x".repeat(10_000);
        let raw: Vec<Box<RawValue>> =
            serde_json::from_str(&format!(r#"[{{"amount":"{long}"}}]"#)).unwrap();
        let (_, bad) = items::<Payment>(raw);
        assert!(
            bad[0].message().len() <= crate::webhook::ECHO_LIMIT + 3,
            "{}",
            bad[0]
        );
        assert_eq!(bad[0].raw_json().get().len(), long.len() + 13);
    }

    #[test]
    fn excerpt_masks_secret_fields() {
        let body = br#"{"access_token":"s3cr3t\"x","data":[{"amount":true}]}"#;
        let err = json::<Envelope>("op", body, &["access_token"]).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }

    #[test]
    fn redact_handles_spacing_and_non_string_values() {
        assert_eq!(
            redact(
                r#"{"token" : "abc", "n": {"token": 5}, "token":"d\\"}"#,
                &["token"]
            ),
            r#"{"token" : "***", "n": {"token": 5}, "token":"***"}"#
        );
        assert_eq!(
            redact(r#"{"token":"unterminated"#, &["token"]),
            r#"{"token":"***"#
        );
    }

    #[test]
    fn a_list_decodes_whole_and_isolates_a_bad_item_with_its_path() {
        let page = list::<Payment>(
            "op",
            br#"{"data":[{"amount":1},{"amount":2}]}"#,
            &[],
            "data",
        )
        .unwrap();
        assert_eq!(
            page.items.iter().map(|p| p.amount).collect::<Vec<_>>(),
            [1, 2]
        );
        assert!(page.is_complete());

        let body = br#"{"data":[{"amount":1},{"amount":"x"},{"amount":3}]}"#;
        let page = list::<Payment>("op", body, &[], "data").unwrap();
        assert_eq!(
            page.items.iter().map(|p| p.amount).collect::<Vec<_>>(),
            [1, 3]
        );
        let bad = &page.rejected()[0];
        assert_eq!((bad.index(), bad.path()), (1, "amount"));
    }

    #[test]
    fn a_list_whose_envelope_is_wrong_fails_with_the_path() {
        let err = list::<Payment>("op", br#"{"more":true,"data":{"amount":1}}"#, &[], "data")
            .unwrap_err();
        let Error::Decode(d) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(d.path, "data");
        assert!(d.message.contains("invalid type"), "{}", d.message);
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(json::<Payment>("op", br#"{"amount":1} x"#, &[]).is_err());
    }
}
