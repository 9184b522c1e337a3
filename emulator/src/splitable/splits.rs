//! Splits: create (form-encoded, numbered line items), paid members, and the callback a
//! settled split sends.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::*;
use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;
use crate::webhooks::{Job, Provider, Signing};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/splits", post(create_split))
        .route("/api/splits/{id}/paid_members", get(paid_members))
        .route("/api/splits/{id}/paid_members.json", get(paid_members))
}

/// split(able) supports up to 20 line items per order.
pub(super) const MAX_LINE_ITEMS: usize = 20;
/// The default and maximum `expires_in`, in hours.
pub(super) const MAX_EXPIRES_IN_HOURS: i64 = 120;

pub(super) fn parse_int(value: &str) -> Option<i64> {
    let value = value.trim();
    if let Ok(n) = value.parse::<i64>() {
        return Some(n);
    }
    // split(able) tolerated float-formatted cents such as `1311.0`.
    let (whole, fraction) = value.split_once('.')?;
    if fraction.bytes().all(|b| b == b'0') {
        whole.parse::<i64>().ok()
    } else {
        None
    }
}

/// Reads the numbered line items (`item_name_N`, `quantity_N`, `amount_N`, `url_N`).
pub(super) fn line_items(form: &BTreeMap<String, String>) -> Result<Vec<LineItem>, String> {
    let mut numbers = BTreeSet::new();
    for key in form.keys() {
        for prefix in ["item_name_", "quantity_", "amount_", "url_"] {
            if let Some(n) = key
                .strip_prefix(prefix)
                .and_then(|n| n.parse::<usize>().ok())
            {
                numbers.insert(n);
            }
        }
    }
    if numbers.is_empty() {
        return Err("Order must have atleast one line item".into());
    }
    if numbers.len() > MAX_LINE_ITEMS {
        return Err(format!(
            "Order can have at most {MAX_LINE_ITEMS} line items"
        ));
    }
    let mut items = Vec::new();
    for (expected, n) in (1..).zip(&numbers) {
        if *n != expected {
            return Err(format!(
                "line items must be numbered 1, 2, 3... without gaps; item {expected} is missing"
            ));
        }
        let name = form
            .get(&format!("item_name_{n}"))
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| format!("item_name_{n} is missing"))?;
        let quantity = form
            .get(&format!("quantity_{n}"))
            .ok_or_else(|| format!("quantity_{n} is missing"))
            .and_then(|q| parse_int(q).ok_or_else(|| format!("quantity_{n} must be an integer")))?;
        if quantity < 1 {
            return Err(format!("quantity_{n} must be at least 1"));
        }
        let amount = form
            .get(&format!("amount_{n}"))
            .ok_or_else(|| format!("amount_{n} is missing"))
            .and_then(|a| {
                parse_int(a).ok_or_else(|| format!("amount_{n} must be in cents (an integer)"))
            })?;
        if amount < 0 {
            return Err(format!("amount_{n} must not be negative"));
        }
        items.push(LineItem {
            name: name.clone(),
            quantity,
            amount,
            url: form.get(&format!("url_{n}")).cloned(),
        });
    }
    Ok(items)
}

pub(super) fn transaction_id() -> String {
    let hex = util::random_hex(16);
    let n = u64::from_str_radix(&hex, 16).unwrap_or(0) % 900_000_000_000_000 + 100_000_000_000_000;
    n.to_string()
}

/// The form fields `POST /api/splits` documents, besides the numbered line items.
const SPLIT_FIELDS: &[&str] = &[
    "api_key",
    "invoice",
    "api_notify_url",
    "total_amount",
    "api_secret",
    "expires_in",
    "shipping",
    "tax",
    "description",
];

/// Whether `name` is a numbered line-item field (`item_name_1`, `quantity_2`, ...).
fn is_line_item_field(name: &str) -> bool {
    ["item_name_", "quantity_", "amount_", "url_"]
        .iter()
        .any(|prefix| {
            name.strip_prefix(prefix)
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// `POST /api/splits`. Strict, the body is a form (`application/x-www-form-urlencoded`)
/// holding `api_key` and only the documented fields; lenient, `api_key` may come in the query
/// and other fields are ignored.
async fn create_split(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let strict = !shared.config.lenient;
    let mut form = BTreeMap::new();
    if strict {
        let is_form = util::header(&headers, "content-type")
            .and_then(|c| c.split(';').next())
            .is_some_and(|c| {
                c.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return error(
                &shared,
                "the request must be a form (Content-Type: application/x-www-form-urlencoded)",
            );
        }
    } else {
        form.extend(util::form_map(query.unwrap_or_default().as_bytes()));
    }
    form.extend(util::form_map(&body));
    if strict {
        let unknown: Vec<&str> = form
            .keys()
            .map(String::as_str)
            .filter(|k| !SPLIT_FIELDS.contains(k) && !is_line_item_field(k))
            .collect();
        if !unknown.is_empty() {
            return error(
                &shared,
                format!(
                    "unknown parameter{} {} (the documented ones are {} and item_name_N, quantity_N, amount_N, url_N)",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(", "),
                    SPLIT_FIELDS.join(", ")
                ),
            );
        }
    }
    let api_key = form
        .get("api_key")
        .map(|k| k.trim())
        .filter(|k| !k.is_empty());
    let Some(api_key) = api_key else {
        return error(&shared, "api_key is missing");
    };
    if !util::secret_eq(api_key, seed::SPLITABLE_API_KEY) {
        return error(&shared, "api_key is invalid");
    }
    let mut missing = Vec::new();
    for field in ["invoice", "api_notify_url", "total_amount"] {
        if form.get(field).is_none_or(|v| v.trim().is_empty()) {
            missing.push(field);
        }
    }
    if let Some(first) = missing.first() {
        return error(&shared, format!("{first} is missing"));
    }
    let notify_url = form.get("api_notify_url").cloned().unwrap_or_default();
    if !util::is_http_url(&notify_url) {
        return error(&shared, "api_notify_url is not a valid http(s) URL");
    }
    let total = match form.get("total_amount").and_then(|t| parse_int(t)) {
        Some(t) if t > 0 => t,
        _ => return error(&shared, "total_amount must be a positive number of cents"),
    };
    let mut optional_cents = Vec::new();
    for field in ["shipping", "tax"] {
        match form.get(field).filter(|v| !v.trim().is_empty()) {
            None => optional_cents.push(None),
            Some(v) => match parse_int(v) {
                Some(n) if n >= 0 => optional_cents.push(Some(n)),
                _ => {
                    return error(
                        &shared,
                        format!("{field} must be in cents (a non-negative integer)"),
                    );
                }
            },
        }
    }
    let items = match line_items(&form) {
        Ok(items) => items,
        Err(message) => return error(&shared, message),
    };
    // Non-numeric or over-long values are ignored silently, as documented.
    let expires_in = form
        .get("expires_in")
        .and_then(|e| e.trim().parse::<i64>().ok())
        .filter(|h| (1..=MAX_EXPIRES_IN_HOURS).contains(h))
        .unwrap_or(MAX_EXPIRES_IN_HOURS);
    let api_secret = form
        .get("api_secret")
        .filter(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| seed::SPLITABLE_API_SECRET.to_string());
    shared.run(|st, cx| {
        let id = util::random_hex(52);
        let split = Split {
            id: id.clone(),
            invoice: form.get("invoice").cloned().unwrap_or_default(),
            notify_url,
            total,
            api_secret,
            expires_at: cx.now + time::Duration::hours(expires_in),
            description: form.get("description").cloned(),
            shipping: optional_cents[0],
            tax: optional_cents[1],
            items,
            members: Vec::new(),
            status: Status::Open,
            transaction_id: None,
        };
        st.splitable.splits.insert(id.clone(), split);
        json_response(
            StatusCode::CREATED,
            &json!({
                "split_url": format!("{}/splitable/cws/{id}", cx.base_url),
                "split_id": id,
            }),
        )
    })
}

async fn paid_members(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = util::form_map(query.unwrap_or_default().as_bytes());
    let Some(api_key) = query.get("api_key").filter(|k| !k.is_empty()) else {
        return error(&shared, "api_key is missing");
    };
    if !util::secret_eq(api_key, seed::SPLITABLE_API_KEY) {
        return error(&shared, "api_key is invalid");
    }
    let members = shared.run(|st, _| {
        st.splitable.splits.get(&id).map(|s| {
            s.members
                .iter()
                .map(|m| json!({ "name": m.name, "email": m.email }))
                .collect::<Vec<_>>()
        })
    });
    match members {
        Some(members) => json_response(StatusCode::OK, &members),
        None => error(&shared, "Split not found"),
    }
}

/// Settles an open split and queues the callback.
pub(super) fn settle(split: &mut Split, cx: &mut Ctx<'_>, status: Status) {
    split.status = status;
    let transaction_id = transaction_id();
    split.transaction_id = Some(transaction_id.clone());
    let form = [
        ("invoice", split.invoice.as_str()),
        ("payment_status", status.as_str()),
        ("api_secret", split.api_secret.as_str()),
        ("transaction_id", transaction_id.as_str()),
    ];
    let body = serde_urlencoded::to_string(form).unwrap_or_default();
    cx.jobs.push(Job {
        provider: Provider::Splitable,
        event_type: status.as_str().to_string(),
        event_id: Some(transaction_id),
        url: split.notify_url.clone(),
        body: Bytes::from(body),
        signing: Signing::Splitable,
        zepto_delivery: None,
        epoch: 0,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn line_items_are_numbered_without_gaps() {
        assert_eq!(
            line_items(&form(&[])).err().as_deref(),
            Some("Order must have atleast one line item")
        );
        let ok = line_items(&form(&[
            ("item_name_1", "Book"),
            ("quantity_1", "1"),
            ("amount_1", "20000"),
            ("item_name_2", "Pen"),
            ("quantity_2", "2"),
            ("amount_2", "150.0"),
        ]))
        .unwrap_or_default();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].amount, 150);
        assert!(
            line_items(&form(&[
                ("item_name_2", "x"),
                ("quantity_2", "1"),
                ("amount_2", "1")
            ]))
            .is_err()
        );
        assert!(line_items(&form(&[("item_name_1", "x"), ("amount_1", "1")])).is_err());
        assert!(
            line_items(&form(&[
                ("item_name_1", "x"),
                ("quantity_1", "1"),
                ("amount_1", "1.5")
            ]))
            .is_err()
        );
    }

    #[test]
    fn transaction_ids_are_fifteen_digits() {
        let id = transaction_id();
        assert_eq!(id.len(), 15);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
    }
}
