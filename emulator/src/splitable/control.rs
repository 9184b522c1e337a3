//! The control endpoints of Splitable, mounted at `/_emulator/splitable`: read a split, pay,
//! cancel.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::*;
use crate::server::{Shared, json as json_response};
use crate::util;

/// The control endpoints, mounted at `/_emulator/splitable`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/splits/{id}", get(control_get))
        .route("/splits/{id}/pay", post(control_pay))
        .route("/splits/{id}/cancel", post(control_cancel))
}

pub(super) fn split_json(s: &Split) -> Value {
    json!({
        "split_id": s.id,
        "invoice": s.invoice,
        "status": s.status.as_str(),
        "total_amount": s.total,
        "paid_amount": s.members.iter().map(|m| m.amount).sum::<i64>(),
        "api_notify_url": s.notify_url,
        "expires_at": util::iso_seconds(s.expires_at),
        "description": s.description,
        "shipping": s.shipping,
        "tax": s.tax,
        "line_items": s.items.iter().map(|i| json!({
            "item_name": i.name, "quantity": i.quantity, "amount": i.amount, "url": i.url,
        })).collect::<Vec<_>>(),
        "paid_members": s.members.iter().map(|m| json!({
            "name": m.name, "email": m.email, "amount": m.amount,
        })).collect::<Vec<_>>(),
        "transaction_id": s.transaction_id,
    })
}

pub(super) fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control_api::error(status, message.as_ref())
}

async fn control_get(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, _| match st.splitable.splits.get(&id) {
        Some(s) => json_response(StatusCode::OK, &split_json(s)),
        None => control_error(StatusCode::NOT_FOUND, format!("no Splitable split {id}")),
    })
}

/// `{"name"?, "email"?, "amount"?}`: a team member pays `amount` cents (default: everything
/// still due). When the total is reached the split is paid and the callback sent.
async fn control_pay(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return control_error(StatusCode::BAD_REQUEST, "body must be a JSON object"),
        }
    };
    let amount = match request.get("amount") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(a) if a > 0 => Some(a),
            _ => {
                return control_error(
                    StatusCode::BAD_REQUEST,
                    "`amount` must be a positive integer (cents)",
                );
            }
        },
    };
    shared.run(|st, cx| {
        let Some(split) = st.splitable.splits.get_mut(&id) else {
            return control_error(StatusCode::NOT_FOUND, format!("no Splitable split {id}"));
        };
        if split.status != Status::Open {
            return control_error(
                StatusCode::CONFLICT,
                format!("split {id} is {}, not open", split.status.as_str()),
            );
        }
        let paid: i64 = split.members.iter().map(|m| m.amount).sum();
        let due = split.total - paid;
        let amount = amount.unwrap_or(due);
        if amount > due {
            return control_error(
                StatusCode::CONFLICT,
                format!("{amount} cents exceeds the {due} still due"),
            );
        }
        let n = split.members.len() + 1;
        split.members.push(Member {
            name: request
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("Team Member {n}")),
            email: request
                .get("email")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("member{n}@example.com")),
            amount,
        });
        if amount == due {
            settle(split, cx, Status::Paid);
        }
        json_response(StatusCode::OK, &split_json(split))
    })
}

async fn control_cancel(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let Some(split) = st.splitable.splits.get_mut(&id) else {
            return control_error(StatusCode::NOT_FOUND, format!("no Splitable split {id}"));
        };
        if split.status != Status::Open {
            return control_error(
                StatusCode::CONFLICT,
                format!("split {id} is {}, not open", split.status.as_str()),
            );
        }
        settle(split, cx, Status::Cancelled);
        json_response(StatusCode::OK, &split_json(split))
    })
}
