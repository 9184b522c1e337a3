//! Ante: group checkout sessions for signed carts (`/ante/api/v1`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;
use crate::webhooks::{Job, Provider, Signing};

/// The event types Ante documents.
const EVENT_TYPES: [&str; 4] = [
    "group.created",
    "group.funded",
    "group.expired",
    "group.cancelled",
];

/// The `details` checklist Ante returns with `Invalid cart signature`.
const SIGNATURE_CHECKLIST: [&str; 4] = [
    "Sign with the signing secret (ante_sign_...), not the secret API key (ante_sk_...) or a webhook secret (whsec_...).",
    "Paste the full signing secret; rotating it invalidates the previous one immediately.",
    "Sign the canonical cart: Ante always includes `fees: []` in the HMAC when the cart has no custom fees.",
    "Re-sign at click time: any change to the cart after signing invalidates the signature.",
];

const MERCHANT_FEE_RATE: f64 = 0.0201;
const CONSUMER_FEE_RATE: f64 = 0.01;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Test,
    Live,
}

#[derive(Debug, Clone, Copy)]
struct Key {
    mode: Mode,
    secret: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Funded,
    Expired,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Funded => "funded",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone)]
struct Member {
    id: String,
    name: String,
    amount: i64,
    /// `pending`, `paid` or `refunded`.
    status: &'static str,
    charge: Option<String>,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    mode: Mode,
    created_ms: i64,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    status: Status,
    total: i64,
    currency: String,
    order_ref: Option<String>,
    group_id: String,
    group_mode: String,
    members: Vec<Member>,
    transfer: Option<String>,
    opened: bool,
    customer_email: Option<String>,
    webhook_url: Option<String>,
}

#[derive(Debug, Clone)]
struct Endpoint {
    id: String,
    mode: Mode,
    url: String,
    events: Vec<String>,
    secret: String,
}

/// Ante's state: sessions and dashboard webhook endpoints, test and live kept apart.
#[derive(Debug, Default)]
pub(crate) struct AnteState {
    sessions: BTreeMap<String, Session>,
    endpoints: Vec<Endpoint>,
    last_created_ms: i64,
    last_event_ms: i64,
}

/// An Ante error body: `{request_id, error, details?}`.
pub(crate) fn error(status: StatusCode, message: &str, details: Option<&[&str]>) -> Response {
    let mut body = json!({ "request_id": util::uuid(), "error": message });
    if let (Some(details), Some(obj)) = (details, body.as_object_mut()) {
        obj.insert("details".into(), json!(details));
    }
    json_response(status, &body)
}

fn ok(mut body: Value) -> Response {
    if let Some(obj) = body.as_object_mut() {
        obj.insert("request_id".into(), json!(util::uuid()));
    }
    json_response(StatusCode::OK, &body)
}

/// The REST API, mounted at `/ante/api/v1`.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sessions", post(create_session).get(list_sessions))
        .route("/sessions/{id}", get(get_session))
        .route("/sessions/{id}/cancel", post(cancel_session))
        .route("/sessions/{id}/remind", post(remind_session))
        .route("/merchants/me", get(merchant))
        .route("/webhooks", get(list_endpoints).post(create_endpoint))
        .route("/webhooks/{id}", delete(delete_endpoint))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "Not found", None) })
}

/// The hosted session page the `session_url` points at, mounted at `/ante`.
pub(crate) fn pages_router() -> Router<Arc<Shared>> {
    Router::new().route("/session/{id}", get(session_page))
}

/// The control endpoints, mounted at `/_emulator/ante`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sessions/{id}/open", post(control_open))
        .route("/sessions/{id}/pay", post(control_pay))
        .route("/sessions/{id}/expire", post(control_expire))
}

fn authenticate(headers: &HeaderMap) -> Result<Key, Response> {
    let unauthorized = |m: &str| error(StatusCode::UNAUTHORIZED, m, None);
    let forbidden = |m: &str| error(StatusCode::FORBIDDEN, m, None);
    let Some(auth) = util::header(headers, "authorization") else {
        return Err(unauthorized("Missing Authorization bearer token"));
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(unauthorized("Missing Authorization bearer token"));
    };
    let format_ok = ["ante_", "plurel_"].iter().any(|family| {
        ["pk_test_", "pk_live_", "sk_test_", "sk_live_"]
            .iter()
            .any(|kind| token.starts_with(&format!("{family}{kind}")))
    });
    if !format_ok {
        return Err(unauthorized("Invalid API key format"));
    }
    let key = [
        (seed::ANTE_TEST_PUBLISHABLE_KEY, Mode::Test, false),
        (seed::ANTE_TEST_SECRET_KEY, Mode::Test, true),
        (seed::ANTE_LIVE_PUBLISHABLE_KEY, Mode::Live, false),
        (seed::ANTE_LIVE_SECRET_KEY, Mode::Live, true),
    ]
    .iter()
    .find(|(k, _, _)| util::secret_eq(k, token))
    .map(|(_, mode, secret)| Key {
        mode: *mode,
        secret: *secret,
    });
    let Some(key) = key else {
        return Err(unauthorized("Invalid or revoked API key"));
    };
    if let Some(merchant) = util::header(headers, "x-merchant-id")
        && merchant.trim() != seed::ANTE_MERCHANT_ID
    {
        return Err(forbidden(
            "X-Merchant-ID does not match the API key's merchant",
        ));
    }
    if key.secret && headers.contains_key("origin") {
        return Err(forbidden(
            "Secret API keys must not be used from browser clients",
        ));
    }
    Ok(key)
}

fn require_secret(key: Key, scope: &str) -> Result<(), Response> {
    if key.secret {
        Ok(())
    } else {
        Err(error(
            StatusCode::FORBIDDEN,
            &format!("API key missing scope: {scope} (publishable keys cannot call this endpoint)"),
            None,
        ))
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
            None,
        )),
        Err(e) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("Invalid JSON body: {e}"),
            None,
        )),
    }
}

/// A validated cart.
#[derive(Debug)]
struct Cart {
    total: i64,
    currency: String,
    items: Vec<(String, String, i64, i64)>,
    tax: i64,
    shipping: i64,
    fees: Vec<(String, String, i64)>,
    metadata: Option<BTreeMap<String, String>>,
}

fn bad(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, message.as_ref(), None)
}

fn int_field(
    obj: &Map<String, Value>,
    name: &str,
    path: &str,
    min: Option<i64>,
) -> Result<Option<i64>, Response> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let n = v
                .as_i64()
                .ok_or_else(|| bad(format!("{path} must be an integer")))?;
            if let Some(min) = min
                && n < min
            {
                return Err(bad(format!("{path} must be at least {min}")));
            }
            Ok(Some(n))
        }
    }
}

fn str_field<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'a str>, Response> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("{path} must be a string"))),
    }
}

fn parse_cart(value: Option<&Value>) -> Result<Cart, Response> {
    let Some(Value::Object(cart)) = value else {
        return Err(bad("cart is required"));
    };
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
        let id = match item.get("id") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
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
enum IdOrder {
    /// JavaScript's `localeCompare` (ICU root collation): `"a" < "B" < "b"`, punctuation before
    /// digits before letters.
    LocaleCompare,
    /// JavaScript's plain `sort()`: UTF-16 code units (`"B" < "_" < "a"`).
    CodeUnits,
}

fn sort_ids<T>(entries: &mut [T], order: IdOrder, key: impl Fn(&T) -> &str) {
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

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The canonical cart JSON the signature covers: keys `total, currency, items, tax, shipping,
/// fees, [metadata]`, items `id, name, quantity, unit_price` sorted by id, fees `id, label,
/// amount` sorted by id (always present), metadata keys sorted, no whitespace.
fn canonical_cart(cart: &Cart, order: IdOrder) -> String {
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

fn signature_matches(cart: &Cart, signature: &str) -> bool {
    let secret = seed::ANTE_SIGNING_SECRET.trim();
    [IdOrder::LocaleCompare, IdOrder::CodeUnits]
        .into_iter()
        .any(|order| {
            let expected =
                splitkit_common::webhook::sign(secret, &[canonical_cart(cart, order).as_bytes()]);
            util::secret_eq(&expected, signature)
        })
}

fn cart_signature(headers: &HeaderMap) -> Option<&str> {
    [
        "x-ante-signature",
        "x-ante-cart-signature",
        "x-plurel-signature",
        "x-plurel-cart-signature",
    ]
    .iter()
    .find_map(|h| util::header(headers, h))
    .map(str::trim)
}

impl AnteState {
    fn next_created_ms(&mut self, now: OffsetDateTime) -> i64 {
        let ms = util::unix_millis(now).max(self.last_created_ms + 1);
        self.last_created_ms = ms;
        ms
    }

    fn next_event_id(&mut self, now: OffsetDateTime) -> String {
        let ms = util::unix_millis(now).max(self.last_event_ms + 1);
        self.last_event_ms = ms;
        format!("evt_{ms}")
    }

    /// Queues `event` for the session's `webhook_url` (signed with the signing secret) and for
    /// every dashboard endpoint of the session's mode subscribed to it (signed with its secret).
    fn emit(&mut self, cx: &mut Ctx<'_>, session_id: &str, event_type: &str, data: Value) {
        let Some(session) = self.sessions.get(session_id).cloned() else {
            return;
        };
        let id = self.next_event_id(cx.now);
        let envelope = json!({
            "id": id,
            "type": event_type,
            "created_at": util::iso_millis(cx.now),
            "data": data,
        });
        let body = Bytes::from(serde_json::to_vec(&envelope).unwrap_or_default());
        let mut targets: Vec<(String, String)> = Vec::new();
        if let Some(url) = &session.webhook_url {
            targets.push((url.clone(), seed::ANTE_SIGNING_SECRET.to_string()));
        }
        for endpoint in &self.endpoints {
            if endpoint.mode == session.mode && endpoint.events.iter().any(|e| e == event_type) {
                targets.push((endpoint.url.clone(), endpoint.secret.clone()));
            }
        }
        for (url, secret) in targets {
            cx.jobs.push(Job {
                provider: Provider::Ante,
                event_type: event_type.to_string(),
                event_id: Some(id.clone()),
                url,
                body: body.clone(),
                signing: Signing::Ante { secret },
                zepto_delivery: None,
            });
        }
    }
}

fn session_json(s: &Session) -> Value {
    let paid: i64 = s
        .members
        .iter()
        .filter(|m| m.status == "paid")
        .map(|m| m.amount)
        .sum();
    let pending: i64 = s
        .members
        .iter()
        .filter(|m| m.status == "pending")
        .map(|m| m.amount)
        .sum();
    json!({
        "session_id": s.id,
        "status": s.status.as_str(),
        "expires_at": util::iso_millis(s.expires_at),
        "order_ref": s.order_ref,
        "group": {
            "id": s.group_id,
            "size": s.members.len(),
            "mode": s.group_mode,
            "paid_amount": paid,
            "pending_amount": pending,
            "members": s.members.iter().map(|m| json!({
                "id": m.id,
                "name": m.name,
                "amount_cents": m.amount,
                "status": m.status,
            })).collect::<Vec<_>>(),
        },
        "charges": s.members.iter().filter_map(|m| m.charge.clone()).collect::<Vec<_>>(),
        "transfer": s.transfer,
    })
}

fn summary_json(s: &Session) -> Value {
    json!({
        "session_id": s.id,
        "status": s.status.as_str(),
        "order_ref": s.order_ref,
        "total_cents": s.total,
        "currency": s.currency,
        "created_at": util::iso_millis(s.created_at),
        "expires_at": util::iso_millis(s.expires_at),
    })
}

struct GroupConfig {
    min_size: usize,
    mode: String,
    expiry_hours: i64,
}

fn parse_group_config(value: Option<&Value>) -> Result<GroupConfig, Response> {
    let empty = Map::new();
    let obj = match value {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(bad("group_config must be an object")),
    };
    let min_size = int_field(obj, "min_size", "group_config.min_size", Some(1))?.unwrap_or(2);
    let max_size = int_field(obj, "max_size", "group_config.max_size", Some(1))?;
    if let Some(max) = max_size {
        if max < min_size {
            return Err(bad(
                "group_config.max_size must be at least group_config.min_size",
            ));
        }
        if max > 100 {
            return Err(bad("group_config.max_size must be at most 100"));
        }
    }
    if min_size > 100 {
        return Err(bad("group_config.min_size must be at most 100"));
    }
    let valid_mode = |m: &str| m == "equal" || m == "itemized";
    let mode = str_field(obj, "default_mode", "group_config.default_mode")?.unwrap_or("equal");
    if !valid_mode(mode) {
        return Err(bad("group_config.default_mode must be equal or itemized"));
    }
    if let Some(modes) = obj.get("allowed_modes") {
        let Value::Array(modes) = modes else {
            return Err(bad("group_config.allowed_modes must be an array"));
        };
        let names: Vec<&str> = modes.iter().filter_map(Value::as_str).collect();
        if names.len() != modes.len() || !names.iter().all(|m| valid_mode(m)) {
            return Err(bad(
                "group_config.allowed_modes may only hold equal and itemized",
            ));
        }
        if !names.is_empty() && !names.contains(&mode) {
            return Err(bad(
                "group_config.default_mode must be one of group_config.allowed_modes",
            ));
        }
    }
    let expiry_hours =
        int_field(obj, "expiry_hours", "group_config.expiry_hours", Some(1))?.unwrap_or(48);
    if expiry_hours > 24 * 90 {
        return Err(bad("group_config.expiry_hours must be at most 2160"));
    }
    Ok(GroupConfig {
        min_size: usize::try_from(min_size).unwrap_or(2),
        mode: mode.to_string(),
        expiry_hours,
    })
}

async fn create_session(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match authenticate(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let request = match parse_object(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let cart = match parse_cart(request.get("cart")) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let group = match parse_group_config(request.get("group_config")) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let customer = match request.get("customer") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(c)) => c.clone(),
        Some(_) => return bad("customer must be an object"),
    };
    for field in ["name", "email", "phone"] {
        if let Err(r) = str_field(&customer, field, &format!("customer.{field}")) {
            return r;
        }
    }
    for field in ["success_url", "cancel_url"] {
        if let Err(r) = str_field(&request, field, field) {
            return r;
        }
    }
    let webhook_url = match str_field(&request, "webhook_url", "webhook_url") {
        Ok(url) => url.map(str::to_string),
        Err(r) => return r,
    };
    if let Some(url) = &webhook_url
        && !util::is_webhook_url(url)
    {
        return bad(
            "webhook_url must be an HTTPS URL (the emulator also accepts http:// on 127.0.0.1 or localhost)",
        );
    }
    match cart_signature(&headers) {
        Some(signature) => {
            let well_formed = signature.len() == 64
                && signature
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !well_formed || !signature_matches(&cart, signature) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "Invalid cart signature (X-Ante-Signature)",
                    Some(&SIGNATURE_CHECKLIST),
                );
            }
        }
        None if !key.secret => {
            return error(
                StatusCode::BAD_REQUEST,
                "Invalid cart signature (X-Ante-Signature): publishable keys need a signed cart",
                Some(&SIGNATURE_CHECKLIST),
            );
        }
        None if !shared.config.ante_headless_enabled => {
            return error(
                StatusCode::FORBIDDEN,
                "Headless REST requires onboarding",
                None,
            );
        }
        None => {}
    }
    let subtotal: i64 = cart
        .items
        .iter()
        .map(|(_, _, q, p)| q.saturating_mul(*p))
        .fold(0i64, i64::saturating_add);
    let fees: i64 = cart
        .fees
        .iter()
        .map(|f| f.2)
        .fold(0i64, i64::saturating_add);
    let expected = subtotal
        .saturating_add(cart.tax)
        .saturating_add(cart.shipping)
        .saturating_add(fees);
    if expected != cart.total {
        return bad(format!(
            "Cart total does not match subtotal: items {subtotal} + tax {} + shipping {} + fees {fees} = {expected}, cart.total = {}",
            cart.tax, cart.shipping, cart.total
        ));
    }
    if cart.total < shared.config.ante_min_order_total {
        return bad(format!(
            "Order total must be at least {} ({})",
            shared.config.ante_min_order_total, cart.currency
        ));
    }
    let customer_name = customer
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let customer_email = customer
        .get("email")
        .and_then(Value::as_str)
        .map(str::to_string);
    shared.run(|st, cx| {
        let st = &mut st.ante;
        let id = format!("j57{}", util::random_hex(29));
        let access = util::random_hex(40);
        let created_ms = st.next_created_ms(cx.now);
        let expires_at = cx.now + time::Duration::hours(group.expiry_hours);
        let size = i64::try_from(group.min_size.max(1)).unwrap_or(1);
        let share = cart.total / size;
        let remainder = cart.total - share * size;
        let members = (0..size)
            .map(|i| Member {
                id: format!("mem_{}", util::random_hex(24)),
                name: match (i, &customer_name) {
                    (0, Some(name)) => name.clone(),
                    _ => format!("Person {}", i + 1),
                },
                amount: if i == 0 { share + remainder } else { share },
                status: "pending",
                charge: None,
            })
            .collect();
        let session = Session {
            id: id.clone(),
            mode: key.mode,
            created_ms,
            created_at: cx.now,
            expires_at,
            status: Status::Pending,
            total: cart.total,
            currency: cart.currency.clone(),
            order_ref: cart
                .metadata
                .as_ref()
                .and_then(|m| m.get("order_ref").cloned()),
            group_id: format!("j97{}", util::random_hex(29)),
            group_mode: group.mode.clone(),
            members,
            transfer: None,
            opened: false,
            customer_email,
            webhook_url,
        };
        st.sessions.insert(id.clone(), session);
        ok(json!({
            "session_id": id,
            "session_url": format!("{}/ante/session/{id}?access={access}", cx.base_url),
            "status": "pending",
            "expires_at": util::iso_millis(expires_at),
            "merchant_fee_rate": MERCHANT_FEE_RATE,
            "consumer_fee_rate": CONSUMER_FEE_RATE,
            "group_access_token": access,
        }))
    })
}

async fn list_sessions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let key = match authenticate(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let query = util::form_map(query.unwrap_or_default().as_bytes());
    let limit = match query.get("limit").map(|l| l.parse::<usize>()) {
        None => 25,
        Some(Ok(l)) if (1..=100).contains(&l) => l,
        Some(_) => return bad("limit must be an integer between 1 and 100"),
    };
    let cursor = match query
        .get("cursor")
        .filter(|c| !c.is_empty())
        .map(|c| c.parse::<i64>())
    {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => {
            return bad(
                "cursor must be the next_cursor of the previous page (a milliseconds timestamp)",
            );
        }
    };
    shared.run(|st, _| {
        let mut sessions: Vec<&Session> = st
            .ante
            .sessions
            .values()
            .filter(|s| s.mode == key.mode)
            .filter(|s| cursor.is_none_or(|c| s.created_ms < c))
            .collect();
        sessions.sort_by_key(|s| std::cmp::Reverse(s.created_ms));
        let has_more = sessions.len() > limit;
        sessions.truncate(limit);
        let next_cursor = if has_more {
            sessions.last().map(|s| s.created_ms)
        } else {
            None
        };
        ok(json!({
            "data": sessions.iter().map(|s| summary_json(s)).collect::<Vec<_>>(),
            "has_more": has_more,
            "next_cursor": next_cursor,
        }))
    })
}

fn not_found_session() -> Response {
    error(StatusCode::NOT_FOUND, "Session not found", None)
}

async fn get_session(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let key = match authenticate(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, _| match st.ante.sessions.get(&id) {
        Some(s) if s.mode == key.mode => ok(session_json(s)),
        _ => not_found_session(),
    })
}

async fn cancel_session(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let key = match authenticate(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, cx| {
        let st = &mut st.ante;
        match st.sessions.get(&id) {
            Some(s) if s.mode == key.mode => {
                if s.status != Status::Pending {
                    return bad(format!(
                        "Session is not open (status: {})",
                        s.status.as_str()
                    ));
                }
            }
            _ => return not_found_session(),
        }
        close(st, cx, &id, Status::Cancelled);
        ok(json!({ "session_id": id, "status": "cancelled" }))
    })
}

/// Cancels or expires a pending session: paid shares are refunded and the event emitted.
fn close(st: &mut AnteState, cx: &mut Ctx<'_>, id: &str, status: Status) {
    let Some(s) = st.sessions.get_mut(id) else {
        return;
    };
    s.status = status;
    for m in &mut s.members {
        if m.status == "paid" {
            m.status = "refunded";
        }
    }
    let (event, reason) = match status {
        Status::Expired => ("group.expired", "expired"),
        _ => ("group.cancelled", "cancelled"),
    };
    let data = json!({
        "session_id": s.id,
        "group_id": s.group_id,
        "order_ref": s.order_ref,
        "refunded": true,
        "reason": reason,
    });
    st.emit(cx, id, event, data);
}

async fn remind_session(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let key = match authenticate(&headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, _| match st.ante.sessions.get(&id) {
        Some(s) if s.mode == key.mode => {
            let pending = s.members.iter().filter(|m| m.status == "pending").count();
            let reminded = if s.status == Status::Pending && s.customer_email.is_some() {
                pending
            } else {
                0
            };
            ok(json!({ "reminded": reminded, "skipped": s.members.len() - reminded }))
        }
        _ => not_found_session(),
    })
}

async fn merchant(headers: HeaderMap, State(shared): State<Arc<Shared>>) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "merchants:read").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    ok(json!({
        "merchant_id": seed::ANTE_MERCHANT_ID,
        "merchant_fee_rate": MERCHANT_FEE_RATE,
        "consumer_fee_rate": CONSUMER_FEE_RATE,
        "sandbox": key.mode == Mode::Test,
        "stripe_connected": true,
        "headless_api_enabled": shared.config.ante_headless_enabled,
        "payout_currency": { "mode": "checkout", "preferred": null },
    }))
}

fn endpoint_json(e: &Endpoint) -> Value {
    json!({ "id": e.id, "url": e.url, "events": e.events })
}

async fn list_endpoints(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "webhooks:write").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, _| {
        let data: Vec<Value> = st
            .ante
            .endpoints
            .iter()
            .filter(|e| e.mode == key.mode)
            .map(endpoint_json)
            .collect();
        ok(json!({ "data": data }))
    })
}

async fn create_endpoint(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "webhooks:write").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    let request = match parse_object(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let url = match request.get("url") {
        Some(Value::String(u)) if util::is_webhook_url(u) => u.clone(),
        Some(Value::String(_)) => {
            return bad(
                "url must be an HTTPS URL (the emulator also accepts http:// on 127.0.0.1 or localhost)",
            );
        }
        _ => return bad("url is required"),
    };
    let events = match request.get("events") {
        Some(Value::Array(list)) if !list.is_empty() => {
            let mut events = Vec::new();
            for e in list {
                match e.as_str() {
                    Some(name) if EVENT_TYPES.contains(&name) => events.push(name.to_string()),
                    _ => {
                        return bad(format!(
                            "events may only hold {}; got {e}",
                            EVENT_TYPES.join(", ")
                        ));
                    }
                }
            }
            events
        }
        _ => return bad("events is required (a non-empty array of event types)"),
    };
    shared.run(|st, _| {
        let endpoint = Endpoint {
            id: format!("we_{}", util::random_hex(24)),
            mode: key.mode,
            url,
            events,
            secret: format!("whsec_{}", util::random_hex(48)),
        };
        let mut body = endpoint_json(&endpoint);
        if let Some(obj) = body.as_object_mut() {
            obj.insert("secret".into(), json!(endpoint.secret));
        }
        st.ante.endpoints.push(endpoint);
        ok(body)
    })
}

async fn delete_endpoint(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "webhooks:write").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, _| {
        let before = st.ante.endpoints.len();
        st.ante
            .endpoints
            .retain(|e| !(e.id == id && e.mode == key.mode));
        if st.ante.endpoints.len() == before {
            error(StatusCode::NOT_FOUND, "Webhook endpoint not found", None)
        } else {
            ok(json!({ "id": id, "deleted": true }))
        }
    })
}

/// Applies expiries: pending sessions past `expires_at` become `expired`.
pub(crate) fn sweep(st: &mut AnteState, cx: &mut Ctx<'_>) {
    let due: Vec<String> = st
        .sessions
        .values()
        .filter(|s| s.status == Status::Pending && s.expires_at <= cx.now)
        .map(|s| s.id.clone())
        .collect();
    for id in due {
        close(st, cx, &id, Status::Expired);
    }
}

async fn session_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let status = shared.run(|st, _| st.ante.sessions.get(&id).map(|s| s.status.as_str()));
    match status {
        Some(status) => Html(format!(
            "<!doctype html><title>Ante session (emulator)</title><h1>Ante session {id}</h1>\
             <p>Status: {status}.</p><p>This is the splitkit emulator. Pay shares with \
             <code>POST /_emulator/ante/sessions/{id}/pay</code>.</p>"
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "unknown session").into_response(),
    }
}

fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control::error(status, message.as_ref())
}

/// Opens the group (emits `group.created` once).
fn open(st: &mut AnteState, cx: &mut Ctx<'_>, id: &str) {
    let Some(s) = st.sessions.get_mut(id) else {
        return;
    };
    if s.opened {
        return;
    }
    s.opened = true;
    let data = json!({
        "session_id": s.id,
        "group_id": s.group_id,
        "order_ref": s.order_ref,
        "expiry_at": util::iso_millis(s.expires_at),
    });
    st.emit(cx, id, "group.created", data);
}

fn pending_session<'a>(st: &'a AnteState, id: &str) -> Result<&'a Session, Response> {
    match st.sessions.get(id) {
        None => Err(control_error(
            StatusCode::NOT_FOUND,
            format!("no Ante session {id}"),
        )),
        Some(s) if s.status != Status::Pending => Err(control_error(
            StatusCode::CONFLICT,
            format!("Ante session {id} is {}, not pending", s.status.as_str()),
        )),
        Some(s) => Ok(s),
    }
}

async fn control_open(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        if let Err(r) = pending_session(&st.ante, &id) {
            return r;
        }
        open(&mut st.ante, cx, &id);
        control_session(&st.ante, &id)
    })
}

fn control_session(st: &AnteState, id: &str) -> Response {
    match st.sessions.get(id) {
        Some(s) => json_response(StatusCode::OK, &session_json(s)),
        None => control_error(StatusCode::NOT_FOUND, format!("no Ante session {id}")),
    }
}

/// `{}` or no body: pay every pending share. `{"member_id": "..."}`: pay that share.
/// `{"count": n}`: pay the next `n` pending shares.
async fn control_pay(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(m)) => m,
            _ => return control_error(StatusCode::BAD_REQUEST, "body must be a JSON object"),
        }
    };
    let member_id = request
        .get("member_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let count = request.get("count").and_then(Value::as_u64);
    shared.run(|st, cx| {
        if let Err(r) = pending_session(&st.ante, &id) {
            return r;
        }
        open(&mut st.ante, cx, &id);
        let Some(s) = st.ante.sessions.get_mut(&id) else {
            return control_error(StatusCode::NOT_FOUND, format!("no Ante session {id}"));
        };
        let targets: Vec<usize> = match &member_id {
            Some(mid) => match s.members.iter().position(|m| &m.id == mid) {
                Some(i) if s.members[i].status == "pending" => vec![i],
                Some(_) => {
                    return control_error(
                        StatusCode::CONFLICT,
                        format!("member {mid} has already paid"),
                    );
                }
                None => {
                    return control_error(
                        StatusCode::NOT_FOUND,
                        format!("no member {mid} in session {id}"),
                    );
                }
            },
            None => {
                let pending = s
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.status == "pending")
                    .map(|(i, _)| i);
                match count {
                    Some(n) => pending
                        .take(usize::try_from(n).unwrap_or(usize::MAX))
                        .collect(),
                    None => pending.collect(),
                }
            }
        };
        for i in targets {
            s.members[i].status = "paid";
            s.members[i].charge = Some(format!("pi_{}", util::random_hex(24)));
        }
        if s.members.iter().all(|m| m.status == "paid") {
            s.status = Status::Funded;
            let transfer = match s.mode {
                Mode::Test => "none".to_string(),
                Mode::Live => format!("tr_{}", util::random_hex(24)),
            };
            s.transfer = Some(transfer.clone());
            let merchant_fee = s.total.saturating_mul(201).saturating_add(5000) / 10_000;
            let mut data = json!({
                "session_id": s.id,
                "group_id": s.group_id,
                "transfer_id": transfer,
                "total": s.total,
                "merchant_fee": merchant_fee,
                "order_ref": s.order_ref,
            });
            if s.mode == Mode::Test
                && let Some(obj) = data.as_object_mut()
            {
                obj.insert("sandbox_payout_skipped".into(), json!(true));
            }
            st.ante.emit(cx, &id, "group.funded", data);
        }
        control_session(&st.ante, &id)
    })
}

async fn control_expire(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        if let Err(r) = pending_session(&st.ante, &id) {
            return r;
        }
        if let Some(s) = st.ante.sessions.get_mut(&id) {
            s.expires_at = cx.now;
        }
        close(&mut st.ante, cx, &id, Status::Expired);
        control_session(&st.ante, &id)
    })
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
        parse_cart(Some(&value)).unwrap_or_else(|_| unreachable!())
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
        let cart = parse_cart(Some(&value)).unwrap_or_else(|_| unreachable!());
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
        let err = |v: Value| parse_cart(Some(&v)).is_err();
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
    }
}
