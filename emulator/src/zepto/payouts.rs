//! Payouts: void (both paths) and the deprecated retry of a prefailed Payment Request.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, post};
use serde_json::Map;

use super::*;
use crate::seed;
use crate::server::{Ctx, Shared};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/payouts/{ref}", delete(void_payout))
        .route("/payouts/{ref}/void", post(void_payout_with_details))
}

/// Voids the debit (and the credit waiting for it) with `user_voided`, and the voider's
/// `details` as `failure_details`.
pub(super) fn void_pair(st: &mut ZeptoState, cx: &mut Ctx<'_>, first: &str, details: Option<&str>) {
    let mut refs = vec![first.to_string()];
    refs.extend(
        st.transactions
            .iter()
            .filter(|t| t.after.as_deref() == Some(first))
            .map(|t| t.reference.clone()),
    );
    for r in refs {
        let Some(t) = st.txn_mut(&r) else {
            continue;
        };
        if super::processing::is_final(t.status) {
            continue;
        }
        t.status = "voided";
        t.status_changed_at = cx.now;
        t.failure_reason = Some("user_voided");
        t.failure_details = details.map(str::to_string);
        t.step = 5;
        let (event, data, account) = (
            format!("{}.voided", t.event_prefix()),
            vec![txn_json(t)],
            if t.ours() {
                t.bank_account_id.clone()
            } else {
                seed::ZEPTO_BANK_ACCOUNT_ID.to_string()
            },
        );
        st.emit(cx, &event, data, &account);
    }
}

async fn void_payout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| void(&mut st.zepto, cx, &headers, &reference, None))
}

/// `POST /payouts/{ref}/void` with an optional `{"details": "..."}`.
async fn void_payout_with_details(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        }
    };
    let mut errors = Vec::new();
    let details = text(&body, "details", "Details", false, &mut errors);
    if !errors.is_empty() {
        return unprocessable(&errors);
    }
    shared.run(|st, cx| void(&mut st.zepto, cx, &headers, &reference, details.as_deref()))
}

fn void(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    headers: &HeaderMap,
    reference: &str,
    details: Option<&str>,
) -> Response {
    if let Err(r) = authenticate(st, headers, cx.now, Some("payments")) {
        return r;
    }
    match st.txn(reference) {
        Some(t) if t.kind == TxnKind::PaymentDebit => {
            if t.status != "maturing" {
                return resource_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!(
                        "Only payouts that have not matured can be voided; {reference} is {}",
                        t.status
                    ),
                );
            }
        }
        _ => return not_found("Payout"),
    }
    void_pair(st, cx, reference, details);
    no_content()
}
