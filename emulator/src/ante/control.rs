//! The control endpoints of Ante, mounted at `/_emulator/ante`: open a group, pay shares,
//! expire a session.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::*;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;

/// The control endpoints, mounted at `/_emulator/ante`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/sessions/{id}/open", post(control_open))
        .route("/sessions/{id}/pay", post(control_pay))
        .route("/sessions/{id}/expire", post(control_expire))
}

pub(super) fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control_api::error(status, message.as_ref())
}

/// Opens the group (emits `group.created` once).
pub(super) fn open(st: &mut AnteState, cx: &mut Ctx<'_>, id: &str) {
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

pub(super) fn pending_session<'a>(st: &'a AnteState, id: &str) -> Result<&'a Session, Response> {
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

pub(super) fn control_session(st: &AnteState, id: &str) -> Response {
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
