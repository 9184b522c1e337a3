//! Small helpers shared by the provider modules: identifiers, time formats, URLs, bodies.

use std::collections::BTreeMap;

use axum::http::HeaderMap;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A random lowercase hex string of `len` characters (at most 64).
pub(crate) fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(64);
    out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    out.truncate(len.min(64));
    out
}

/// A random UUIDv4 in its hyphenated form.
pub(crate) fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `n` in base 36 (lowercase), as Zepto's short references use.
pub(crate) fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `2025-06-26T12:00:00.000Z`: UTC with milliseconds (Ante).
pub(crate) fn iso_millis(t: OffsetDateTime) -> String {
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    let fmt =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    t.format(&fmt).unwrap_or_default()
}

/// `2026-04-08T10:15:30Z`: UTC to the second (FairShare, Zepto).
pub(crate) fn iso_seconds(t: OffsetDateTime) -> String {
    let t = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&fmt).unwrap_or_default()
}

/// Parses an RFC 3339 date-time; a date-time without a zone, or a bare date, is read at
/// `default_offset` (Zepto reads zone-less times in the user's zone). The result is in UTC;
/// times that cannot be expressed in UTC are refused.
pub(crate) fn parse_datetime(value: &str, default_offset: UtcOffset) -> Option<OffsetDateTime> {
    parse_any_offset(value, default_offset)?.checked_to_offset(UtcOffset::UTC)
}

fn parse_any_offset(value: &str, default_offset: UtcOffset) -> Option<OffsetDateTime> {
    let value = value.trim();
    if let Ok(t) = OffsetDateTime::parse(value, &Rfc3339) {
        return Some(t);
    }
    let with_fraction =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]");
    let without_fraction = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let with_space = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    for fmt in [with_fraction, without_fraction, with_space] {
        if let Ok(t) = PrimitiveDateTime::parse(value, fmt) {
            return Some(t.assume_offset(default_offset));
        }
    }
    let date = format_description!("[year]-[month]-[day]");
    time::Date::parse(value, date)
        .ok()
        .map(|d| d.midnight().assume_offset(default_offset))
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// Whether `url` may receive webhooks from the emulator: HTTPS anywhere, or plain HTTP to a
/// loopback host (the emulator runs beside the merchant's test server).
pub(crate) fn is_webhook_url(raw: &str) -> bool {
    let Ok(url) = url::Url::parse(raw) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => is_loopback(&url),
        _ => false,
    }
}

/// Whether the URL's host is `localhost`, `127.0.0.0/8` or `[::1]`.
pub(crate) fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Any `http` or `https` URL with a host.
pub(crate) fn is_http_url(raw: &str) -> bool {
    url::Url::parse(raw)
        .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .unwrap_or(false)
}

/// A header's value as text, when present and valid.
pub(crate) fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether the request says its body is `media_type` (its `Content-Type`, parameters aside).
pub(crate) fn has_content_type(headers: &HeaderMap, media_type: &str) -> bool {
    header(headers, "content-type")
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case(media_type))
}

/// A sentence naming the `keys` that are not among the documented `fields` (each written after
/// `prefix`, e.g. `cart.`), if any: the strict providers' answer to a misspelt field.
pub(crate) fn unknown_fields<'a>(
    keys: impl IntoIterator<Item = &'a String>,
    fields: &[&str],
    prefix: &str,
) -> Option<String> {
    let unknown: Vec<String> = keys
        .into_iter()
        .filter(|k| !fields.contains(&k.as_str()))
        .map(|k| format!("{prefix}{k}"))
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "Unknown field{} {} (the documented fields are {})",
            if unknown.len() == 1 { "" } else { "s" },
            unknown.join(", "),
            fields
                .iter()
                .map(|f| format!("{prefix}{f}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

/// The pairs of a query string or form body, in order (later duplicates win in `form_map`).
pub(crate) fn form_pairs(raw: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(raw).unwrap_or_default()
}

/// The pairs of a query string or form body as a map; the last value of a repeated key wins.
pub(crate) fn form_map(raw: &[u8]) -> BTreeMap<String, String> {
    form_pairs(raw).into_iter().collect()
}

/// Percent-encodes a query component.
pub(crate) fn encode_component(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A small, dependency-free standard base64 decoder (for HTTP Basic credentials).
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' | b'-' => Some(62),
            b'/' | b'_' => Some(63),
            _ => None,
        }
    }
    let bytes: Vec<u8> = input
        .trim()
        .bytes()
        .filter(|b| *b != b'=' && !b.is_ascii_whitespace())
        .collect();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc: u32 = 0;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let [_, a, b, c] = acc.to_be_bytes();
        out.push(a);
        if chunk.len() > 2 {
            out.push(b);
        }
        if chunk.len() > 3 {
            out.push(c);
        }
    }
    Some(out)
}

/// Constant-time equality of two secrets (lengths may leak).
pub(crate) fn secret_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base36_counts() {
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
    }

    #[test]
    fn base64_decodes_basic_credentials() {
        assert_eq!(
            base64_decode("Y2xpZW50OnNlY3JldA==").as_deref(),
            Some(&b"client:secret"[..])
        );
        assert_eq!(base64_decode("YQ").as_deref(), Some(&b"a"[..]));
        assert!(base64_decode("*").is_none());
    }

    #[test]
    fn formats_and_parses_times() {
        let t = OffsetDateTime::from_unix_timestamp(1_750_939_200)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(iso_millis(t), "2025-06-26T12:00:00.000Z");
        assert_eq!(iso_seconds(t), "2025-06-26T12:00:00Z");
        let sydney = UtcOffset::from_hms(10, 0, 0).unwrap_or(UtcOffset::UTC);
        assert_eq!(parse_datetime("2025-06-26T22:00:00", sydney), Some(t));
        assert_eq!(parse_datetime("2025-06-26T12:00:00Z", sydney), Some(t));
        assert!(parse_datetime("yesterday", sydney).is_none());
        assert!(parse_datetime("9999-12-31T23:59:59-23:59", sydney).is_none());
    }

    #[test]
    fn unknown_fields_are_named_with_their_path() {
        let keys = ["name".to_string(), "sku".to_string()];
        assert_eq!(
            unknown_fields(&keys, &["name", "id"], "items[0].").as_deref(),
            Some(
                "Unknown field items[0].sku (the documented fields are items[0].name, items[0].id)"
            )
        );
        assert_eq!(unknown_fields(&keys[..1], &["name"], ""), None);
    }

    #[test]
    fn webhook_urls_must_be_https_or_loopback() {
        assert!(is_webhook_url("https://shop.example/hooks"));
        assert!(is_webhook_url("http://127.0.0.1:9000/hooks"));
        assert!(is_webhook_url("http://localhost/hooks"));
        assert!(!is_webhook_url("http://shop.example/hooks"));
        assert!(!is_webhook_url("ftp://127.0.0.1/"));
        assert!(!is_webhook_url("not a url"));
    }
}
