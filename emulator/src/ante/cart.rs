//! The cart: Ante's rules for it, its canonical form and the `X-Ante-Signature` HMAC over it.

use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::*;
use crate::seed;
use crate::util;

/// The `details` checklist Ante returns with `Invalid cart signature`.
pub(super) const SIGNATURE_CHECKLIST: [&str; 4] = [
    "Sign with the signing secret (ante_sign_...), not the secret API key (ante_sk_...) or a webhook secret (whsec_...).",
    "Paste the full signing secret; rotating it invalidates the previous one immediately.",
    "Sign the canonical cart: Ante always includes `fees: []` in the HMAC when the cart has no custom fees.",
    "Re-sign at click time: any change to the cart after signing invalidates the signature.",
];

/// A validated cart.
#[derive(Debug)]
pub(super) struct Cart {
    pub(super) total: i64,
    pub(super) currency: String,
    pub(super) items: Vec<(String, String, i64, i64)>,
    pub(super) tax: i64,
    pub(super) shipping: i64,
    pub(super) fees: Vec<(String, String, i64)>,
    pub(super) metadata: Option<BTreeMap<String, String>>,
}

/// Reads and checks the cart. Strict, its objects hold only the documented fields and item ids
/// are strings (lenient, a numeric id is read as its text).
pub(super) fn parse_cart(value: Option<&Value>, strict: bool) -> Result<Cart, Response> {
    let Some(Value::Object(cart)) = value else {
        return Err(bad("cart is required"));
    };
    known_fields(
        cart,
        &[
            "total", "currency", "items", "tax", "shipping", "fees", "metadata",
        ],
        "cart.",
        strict,
    )?;
    let (Some(_), Some(_)) = (cart.get("total"), cart.get("currency")) else {
        return Err(bad("cart.total, cart.currency required"));
    };
    let total = int_field(cart, "total", "cart.total", Some(0))?.unwrap_or(0);
    let currency = str_field(cart, "currency", "cart.currency")?.unwrap_or_default();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(bad(
            "cart.currency must be a three-letter ISO 4217 code (e.g. usd)",
        ));
    }
    let items = match cart.get("items") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(bad("cart.items must hold at least one item")),
    };
    let mut parsed_items = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("cart.items[{i}]");
        let Value::Object(item) = item else {
            return Err(bad(format!("{path} must be an object")));
        };
        known_fields(
            item,
            &["id", "name", "quantity", "unit_price", "image_url"],
            &format!("{path}."),
            strict,
        )?;
        let id = match item.get("id") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) if !strict => n.to_string(),
            Some(_) => return Err(bad(format!("{path}.id must be a string"))),
        };
        let name = str_field(item, "name", &format!("{path}.name"))?
            .ok_or_else(|| bad(format!("{path}.name is required")))?;
        let quantity = int_field(item, "quantity", &format!("{path}.quantity"), Some(1))?
            .ok_or_else(|| bad(format!("{path}.quantity is required")))?;
        let unit_price = int_field(item, "unit_price", &format!("{path}.unit_price"), Some(0))?
            .ok_or_else(|| bad(format!("{path}.unit_price is required")))?;
        if let Some(url) = str_field(item, "image_url", &format!("{path}.image_url"))?
            && !url.starts_with("https://")
        {
            return Err(bad(format!("{path}.image_url must be an HTTPS URL")));
        }
        parsed_items.push((id, name.to_string(), quantity, unit_price));
    }
    let tax = int_field(cart, "tax", "cart.tax", Some(0))?.unwrap_or(0);
    let shipping = int_field(cart, "shipping", "cart.shipping", Some(0))?.unwrap_or(0);
    let mut fees = Vec::new();
    match cart.get("fees") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, fee) in list.iter().enumerate() {
                let path = format!("cart.fees[{i}]");
                let Value::Object(fee) = fee else {
                    return Err(bad(format!("{path} must be an object")));
                };
                known_fields(fee, &["id", "label", "amount"], &format!("{path}."), strict)?;
                let id = str_field(fee, "id", &format!("{path}.id"))?
                    .ok_or_else(|| bad(format!("{path}.id is required")))?;
                let label = str_field(fee, "label", &format!("{path}.label"))?
                    .ok_or_else(|| bad(format!("{path}.label is required")))?;
                let amount = int_field(fee, "amount", &format!("{path}.amount"), None)?
                    .ok_or_else(|| bad(format!("{path}.amount is required")))?;
                fees.push((id.to_string(), label.to_string(), amount));
            }
        }
        Some(_) => return Err(bad("cart.fees must be an array")),
    }
    let metadata = match cart.get("metadata") {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => {
            let mut out = BTreeMap::new();
            for (k, v) in map {
                let Value::String(s) = v else {
                    return Err(bad(format!(
                        "cart.metadata.{k} must be a string (metadata values are strings only)"
                    )));
                };
                out.insert(k.clone(), s.clone());
            }
            Some(out)
        }
        Some(_) => return Err(bad("cart.metadata must be an object of strings")),
    };
    Ok(Cart {
        total,
        currency: currency.to_ascii_lowercase(),
        items: parsed_items,
        tax,
        shipping,
        fees,
        metadata,
    })
}

/// How cart ids are ordered in the canonical form. Ante says "sorted by id" without the
/// comparison, so a signature made with either order is accepted.
#[derive(Debug, Clone, Copy)]
pub(super) enum IdOrder {
    /// JavaScript's `localeCompare` (ICU root collation): `"a" < "B" < "b"`, punctuation before
    /// digits before letters.
    LocaleCompare,
    /// JavaScript's plain `sort()`: UTF-16 code units (`"B" < "_" < "a"`).
    CodeUnits,
}

pub(super) fn sort_ids<T>(entries: &mut [T], order: IdOrder, key: impl Fn(&T) -> &str) {
    match order {
        IdOrder::CodeUnits => {
            entries.sort_by(|a, b| key(a).encode_utf16().cmp(key(b).encode_utf16()))
        }
        IdOrder::LocaleCompare => {
            match icu_collator::CollatorBorrowed::try_new(
                Default::default(),
                icu_collator::options::CollatorOptions::default(),
            ) {
                Ok(collator) => entries.sort_by(|a, b| collator.compare(key(a), key(b))),
                Err(_) => entries.sort_by(|a, b| key(a).cmp(key(b))),
            }
        }
    }
}

pub(super) fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The canonical cart JSON the signature covers: keys `total, currency, items, tax, shipping,
/// fees, [metadata]`, items `id, name, quantity, unit_price` sorted by id, fees `id, label,
/// amount` sorted by id (always present), metadata keys sorted, no whitespace.
pub(super) fn canonical_cart(cart: &Cart, order: IdOrder) -> String {
    let mut items: Vec<_> = cart.items.iter().collect();
    sort_ids(&mut items, order, |i| i.0.as_str());
    let mut fees: Vec<_> = cart.fees.iter().collect();
    sort_ids(&mut fees, order, |f| f.0.as_str());
    let items = items
        .iter()
        .map(|(id, name, q, p)| {
            format!(
                "{{\"id\":{},\"name\":{},\"quantity\":{q},\"unit_price\":{p}}}",
                js(id),
                js(name)
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let fees = fees
        .iter()
        .map(|(id, label, amount)| {
            format!(
                "{{\"id\":{},\"label\":{},\"amount\":{amount}}}",
                js(id),
                js(label)
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let mut out = format!(
        "{{\"total\":{},\"currency\":{},\"items\":[{items}],\"tax\":{},\"shipping\":{},\"fees\":[{fees}]",
        cart.total,
        js(&cart.currency),
        cart.tax,
        cart.shipping
    );
    if let Some(metadata) = &cart.metadata {
        let mut keys: Vec<(&String, &String)> = metadata.iter().collect();
        keys.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        let entries = keys
            .into_iter()
            .map(|(k, v)| format!("{}:{}", js(k), js(v)))
            .collect::<Vec<_>>()
            .join(",");
        out.push_str(&format!(",\"metadata\":{{{entries}}}"));
    }
    out.push('}');
    out
}

/// Whether `signature` signs the cart. Strict, only in `ante-client`'s documented id order
/// (`localeCompare`, ICU root collation); lenient, in code-unit order too.
pub(super) fn signature_matches(cart: &Cart, signature: &str, strict: bool) -> bool {
    let secret = seed::ANTE_SIGNING_SECRET.trim();
    let orders: &[IdOrder] = if strict {
        &[IdOrder::LocaleCompare]
    } else {
        &[IdOrder::LocaleCompare, IdOrder::CodeUnits]
    };
    orders.iter().any(|order| {
        let expected =
            splitkit_common::webhook::sign(secret, &[canonical_cart(cart, *order).as_bytes()]);
        util::secret_eq(&expected, signature)
    })
}

/// The cart signature. Strict, only under `X-Ante-Signature` (the header Ante documents);
/// lenient, also under the reference storefront's aliases.
pub(super) fn cart_signature(headers: &HeaderMap, strict: bool) -> Option<&str> {
    let names: &[&str] = if strict {
        &["x-ante-signature"]
    } else {
        &[
            "x-ante-signature",
            "x-ante-cart-signature",
            "x-plurel-signature",
            "x-plurel-cart-signature",
        ]
    };
    names
        .iter()
        .find_map(|h| util::header(headers, h))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed_cart() -> Cart {
        let value = json!({
            "total": 12500, "currency": "usd",
            "items": [{"id": "sku_1", "name": "Ticket", "quantity": 2, "unit_price": 5000}],
            "tax": 1000, "shipping": 1000,
            "fees": [{"id": "cleaning", "label": "Cleaning fee", "amount": 500}],
            "metadata": {"order_ref": "ORD-1042"}
        });
        parse_cart(Some(&value), true).unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn canonical_cart_matches_the_reference_fixture() {
        let cart = seed_cart();
        let canonical = canonical_cart(&cart, IdOrder::CodeUnits);
        assert_eq!(
            canonical,
            r#"{"total":12500,"currency":"usd","items":[{"id":"sku_1","name":"Ticket","quantity":2,"unit_price":5000}],"tax":1000,"shipping":1000,"fees":[{"id":"cleaning","label":"Cleaning fee","amount":500}],"metadata":{"order_ref":"ORD-1042"}}"#
        );
        assert_eq!(
            splitkit_common::webhook::sign("ante_sign_example", &[canonical.as_bytes()]),
            "699bbcd991ba7e38dbe77dab70ca3dd5a25fd8f45fc591d4ebad3516e26123a7"
        );
    }

    #[test]
    fn canonical_cart_defaults_and_orders() {
        let value = json!({
            "total": 3, "currency": "USD",
            "items": [
                {"id": "b", "name": "B", "quantity": 1, "unit_price": 1, "image_url": "https://x/y.png"},
                {"id": "B", "name": "C", "quantity": 1, "unit_price": 1},
                {"name": "A", "quantity": 1, "unit_price": 1}
            ]
        });
        let cart = parse_cart(Some(&value), true).unwrap_or_else(|_| unreachable!());
        assert_eq!(
            canonical_cart(&cart, IdOrder::CodeUnits),
            r#"{"total":3,"currency":"usd","items":[{"id":"","name":"A","quantity":1,"unit_price":1},{"id":"B","name":"C","quantity":1,"unit_price":1},{"id":"b","name":"B","quantity":1,"unit_price":1}],"tax":0,"shipping":0,"fees":[]}"#
        );
        let locale = canonical_cart(&cart, IdOrder::LocaleCompare);
        assert!(locale.find("\"id\":\"b\"") < locale.find("\"id\":\"B\""));
        let mut ids = vec!["a1", "a_", "B"];
        sort_ids(&mut ids, IdOrder::LocaleCompare, |s| s);
        assert_eq!(ids, vec!["a_", "a1", "B"]);
    }

    #[test]
    fn cart_rules() {
        let err = |v: Value| parse_cart(Some(&v), true).is_err();
        assert!(err(json!({"currency": "usd", "items": []})));
        assert!(err(json!({"total": 1, "currency": "usd", "items": []})));
        assert!(err(
            json!({"total": 1, "currency": "us", "items": [{"name": "a", "quantity": 1, "unit_price": 1}]})
        ));
        assert!(err(
            json!({"total": 1, "currency": "usd", "items": [{"name": "a", "quantity": 0, "unit_price": 1}]})
        ));
        assert!(err(
            json!({"total": 1, "currency": "usd", "items": [{"name": "a", "quantity": 1, "unit_price": 1}], "metadata": {"n": 1}})
        ));
        assert!(!err(
            json!({"total": 1, "currency": "usd", "items": [{"name": "a", "quantity": 1, "unit_price": 1}]})
        ));
        assert!(err(
            json!({"total": 1, "currency": "usd", "items": [{"name": "a", "quantity": 1, "unit_price": 1, "sku": "x"}]})
        ));
        let numeric_id = json!({"total": 1, "currency": "usd", "items": [{"id": 7, "name": "a", "quantity": 1, "unit_price": 1}]});
        assert!(parse_cart(Some(&numeric_id), true).is_err());
        assert!(parse_cart(Some(&numeric_id), false).is_ok());
    }
}
