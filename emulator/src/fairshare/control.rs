//! The control endpoints of FairShare, mounted at `/_emulator/fairshare`: where webhooks go,
//! contributions, refunds, cancellations and expiry.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::*;
use crate::server::{Shared, json as json_response};
use crate::util;

/// The control endpoints, mounted at `/_emulator/fairshare`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/webhook-url", post(control_webhook_url))
        .route(
            "/split-sessions/{id}/contributions",
            post(control_contribute),
        )
        .route("/split-sessions/{id}/refund", post(control_refund))
        .route("/split-sessions/{id}/cancel", post(control_cancel))
        .route("/split-sessions/{id}/expire", post(control_expire))
}

pub(super) fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control_api::error(status, message.as_ref())
}

pub(super) fn control_object(body: &[u8]) -> Result<Fields, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::new());
    }
    serde_json::from_slice::<Fields>(body)
        .map_err(|_| control_error(StatusCode::BAD_REQUEST, "body must be a JSON object"))
}

/// `{"url": "...", "signing_key"?: "...", "events"?: [...]}` sets the webhook target;
/// `{"url": null}` removes it.
async fn control_webhook_url(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "body must be a JSON object with `url`",
            );
        }
    };
    let url = match request.get("url") {
        Some(Value::String(u)) if util::is_http_url(u) => Some(u.clone()),
        Some(Value::Null) => None,
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`url` must be an http(s) URL or null",
            );
        }
    };
    let key = match request.get("signing_key") {
        None | Some(Value::Null) => shared.config.fairshare_webhook_signing_key.clone(),
        Some(Value::String(k)) if !k.is_empty() => k.clone(),
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`signing_key` must be a non-empty string",
            );
        }
    };
    let events = match request.get("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => {
            let names: Vec<String> = list
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect();
            if names.len() != list.len() || names.iter().any(|n| !EVENT_TYPES.contains(&n.as_str()))
            {
                return control_error(
                    StatusCode::BAD_REQUEST,
                    format!("`events` may only hold {}", EVENT_TYPES.join(", ")),
                );
            }
            Some(names)
        }
        Some(_) => return control_error(StatusCode::BAD_REQUEST, "`events` must be an array"),
    };
    shared.run(|st, _| {
        st.fairshare.webhook = url.map(|url| WebhookTarget { url, key, events });
        let body = match &st.fairshare.webhook {
            Some(t) => json!({ "url": t.url, "signing_key": t.key, "events": t.events }),
            None => json!({ "url": null }),
        };
        json_response(StatusCode::OK, &body)
    })
}

pub(super) fn open_session<'a>(
    st: &'a mut FairShareState,
    id: &str,
) -> Result<&'a mut Session, Response> {
    match st.sessions.get_mut(id) {
        None => Err(control_error(
            StatusCode::NOT_FOUND,
            format!("no FairShare split session {id}"),
        )),
        Some(s) if !matches!(s.status, "PENDING" | "PARTIAL") => Err(control_error(
            StatusCode::CONFLICT,
            format!(
                "split session {id} is {}, not open for contributions",
                s.status
            ),
        )),
        Some(s) => Ok(s),
    }
}

/// `{"amount"?, "name"?, "email"?, "items"?: [{"id", "quantity"}]}`: one contributor pays.
/// EQUAL_COUNT defaults `amount` to the next share; ITEM_CLAIM may claim items instead of an
/// amount; PROPORTIONAL_POOL needs `amount`.
async fn control_contribute(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = match control_object(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let bad = |m: String| control_error(StatusCode::BAD_REQUEST, m);
    let amount = match field_decimal(&fields, "amount") {
        Ok(a) => a,
        Err(_) => return bad("`amount` must be a number".into()),
    };
    if amount.is_some_and(|a| a <= Decimal::ZERO || has_more_than_two_decimals(a)) {
        return bad("`amount` must be positive with at most 2 decimal places".into());
    }
    let name = field_str(&fields, "name").ok().flatten();
    let email = field_str(&fields, "email").ok().flatten();
    let claims: Vec<(String, i64)> = match fields.get("items").filter(|r| !raw_is_null(r)) {
        None => Vec::new(),
        Some(raw) => match serde_json::from_str::<Vec<Value>>(raw.get()) {
            Ok(list) => {
                let mut claims = Vec::new();
                for v in list {
                    let (Some(item_id), q) = (
                        v.get("id").and_then(Value::as_str),
                        v.get("quantity").and_then(Value::as_i64),
                    ) else {
                        return bad(
                            "`items` entries need an `id` (and optionally a `quantity`)".into()
                        );
                    };
                    claims.push((item_id.to_string(), q.unwrap_or(1)));
                }
                claims
            }
            Err(_) => return bad("`items` must be an array of {id, quantity}".into()),
        },
    };
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        let s = match open_session(st, &id) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let remaining = s.total - s.collected;
        let amount = match s.split_type.as_str() {
            "EQUAL_COUNT" => {
                let Some(n) = s.expected else {
                    return control_error(
                        StatusCode::CONFLICT,
                        "EQUAL_COUNT sessions need expectedContributors before contributions (POST .../expected-contributors)",
                    );
                };
                let made = i64::try_from(s.contributions.len()).unwrap_or(i64::MAX);
                if made >= n {
                    return control_error(StatusCode::CONFLICT, "every expected contributor has paid");
                }
                let share = (s.total / Decimal::from(n)).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
                let due = if made + 1 == n { remaining } else { share };
                if amount.is_some_and(|a| a != due) {
                    return control_error(StatusCode::BAD_REQUEST, format!("this EQUAL_COUNT share is {due:.2}"));
                }
                due
            }
            "ITEM_CLAIM" if !claims.is_empty() => {
                let mut sum = Decimal::ZERO;
                for (item_id, q) in &claims {
                    let Some(item) = s.items.iter().find(|i| &i.id == item_id) else {
                        return control_error(StatusCode::NOT_FOUND, format!("no item {item_id} in session {id}"));
                    };
                    if *q < 1 || item.claimed + q > item.quantity {
                        return control_error(
                            StatusCode::CONFLICT,
                            format!("item {item_id} has {} of {} left", item.quantity - item.claimed, item.quantity),
                        );
                    }
                    let Some(next) = item
                        .price
                        .checked_mul(Decimal::from(*q))
                        .and_then(|line| sum.checked_add(line))
                    else {
                        return control_error(StatusCode::BAD_REQUEST, "the claimed amount is too large");
                    };
                    sum = next;
                }
                for (item_id, q) in &claims {
                    if let Some(item) = s.items.iter_mut().find(|i| &i.id == item_id) {
                        item.claimed += q;
                    }
                }
                sum
            }
            _ => match amount {
                Some(a) => a,
                None if s.split_type == "ITEM_CLAIM" => remaining,
                None => return bad("`amount` is required for PROPORTIONAL_POOL contributions".into()),
            },
        };
        if amount > remaining {
            return control_error(
                StatusCode::CONFLICT,
                format!("contribution {amount:.2} exceeds the {remaining:.2} still due"),
            );
        }
        let first = s.contributions.is_empty();
        let fee = if s.fee_type == "FIXED_PER_CONTRIBUTION" { s.fee_value } else { Decimal::ZERO };
        let contribution = Contribution {
            id: util::uuid(),
            session_id: id.clone(),
            name: name.clone(),
            email: email.clone(),
            amount,
            fee,
            items: claims.clone(),
            created: cx.now,
        };
        s.collected += amount;
        if first {
            s.lead_name = name;
            s.lead_email = email;
            s.authorized = amount;
        }
        let complete = s.collected >= s.total;
        if complete {
            s.completed_at = Some(cx.now);
            s.authorized = Decimal::ZERO;
        }
        s.contributions.push(contribution.clone());
        let previous = s.status;
        let (status, event) = if complete {
            ("COMPLETED", "split_session.completed")
        } else {
            ("PARTIAL", "split_session.partial")
        };
        // Every event of this contribution shows the session as it is after it.
        s.status = status;
        st.emit(cx, "contribution.created", &contribution_out(&contribution));
        if first {
            st.emit_session(cx, "split_session.lead_authorized", &id);
        }
        st.emit_session(cx, event, &id);
        if previous != status {
            st.emit_session(cx, "split_session.status_changed", &id);
        }
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

async fn control_refund(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        match st.sessions.get_mut(&id) {
            None => {
                return control_error(
                    StatusCode::NOT_FOUND,
                    format!("no FairShare split session {id}"),
                );
            }
            Some(s) if s.status != "COMPLETED" => {
                return control_error(
                    StatusCode::CONFLICT,
                    format!(
                        "only COMPLETED sessions can be refunded; {id} is {}",
                        s.status
                    ),
                );
            }
            Some(s) => s.refunded_at = Some(cx.now),
        }
        st.transition(cx, &id, "REFUNDED", "split_session.refunded");
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

async fn control_cancel(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        match open_session(st, &id) {
            Ok(s) => s.authorized = Decimal::ZERO,
            Err(r) => return r,
        }
        st.transition(cx, &id, "CANCELED", "split_session.canceled");
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

async fn control_expire(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        match open_session(st, &id) {
            Ok(s) => s.expires_at = cx.now,
            Err(r) => return r,
        }
        sweep(st, cx);
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}
