//! Sessions: create for a signed cart, list with the millisecond cursor, get, cancel, remind.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::*;
use crate::server::{Ctx, Shared};
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sessions", post(create_session).get(list_sessions))
        .route("/sessions/{id}", get(get_session))
        .route("/sessions/{id}/cancel", post(cancel_session))
        .route("/sessions/{id}/remind", post(remind_session))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Pending,
    Funded,
    Expired,
    Cancelled,
}

impl Status {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Funded => "funded",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) amount: i64,
    /// `pending`, `paid` or `refunded`.
    pub(super) status: &'static str,
    pub(super) charge: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) id: String,
    pub(super) mode: Mode,
    pub(super) created_ms: i64,
    pub(super) created_at: OffsetDateTime,
    pub(super) expires_at: OffsetDateTime,
    pub(super) status: Status,
    pub(super) total: i64,
    pub(super) currency: String,
    pub(super) order_ref: Option<String>,
    pub(super) group_id: String,
    pub(super) group_mode: String,
    pub(super) members: Vec<Member>,
    pub(super) transfer: Option<String>,
    pub(super) opened: bool,
    pub(super) customer_email: Option<String>,
    pub(super) webhook_url: Option<String>,
}

pub(super) fn session_json(s: &Session) -> Value {
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

pub(super) fn summary_json(s: &Session) -> Value {
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

pub(super) struct GroupConfig {
    pub(super) min_size: usize,
    pub(super) mode: String,
    pub(super) expiry_hours: i64,
}

pub(super) fn parse_group_config(
    value: Option<&Value>,
    strict: bool,
) -> Result<GroupConfig, Response> {
    let empty = Map::new();
    let obj = match value {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(o)) => o,
        Some(_) => return Err(bad("group_config must be an object")),
    };
    known_fields(
        obj,
        &[
            "min_size",
            "max_size",
            "default_mode",
            "allowed_modes",
            "expiry_hours",
        ],
        "group_config.",
        strict,
    )?;
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
    let strict = !shared.config.lenient;
    let request = match request_object(
        &headers,
        &body,
        &[
            "cart",
            "group_config",
            "customer",
            "success_url",
            "cancel_url",
            "webhook_url",
        ],
        strict,
    ) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let cart = match parse_cart(request.get("cart"), strict) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let group = match parse_group_config(request.get("group_config"), strict) {
        Ok(g) => g,
        Err(r) => return r,
    };
    let customer = match request.get("customer") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(c)) => c.clone(),
        Some(_) => return bad("customer must be an object"),
    };
    if let Err(r) = known_fields(&customer, &["name", "email", "phone"], "customer.", strict) {
        return r;
    }
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
    match cart_signature(&headers, strict) {
        Some(signature) => {
            let well_formed = signature.len() == 64
                && signature
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
            if !well_formed || !signature_matches(&cart, signature, strict) {
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

pub(super) fn not_found_session() -> Response {
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
pub(super) fn close(st: &mut AnteState, cx: &mut Ctx<'_>, id: &str, status: Status) {
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
