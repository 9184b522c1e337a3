//! Payouts: void (both paths) and the deprecated retry of a prefailed Payment Request.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, post};

use super::*;
use crate::seed;
use crate::server::{Ctx, Shared};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/payouts/{ref}", delete(void_payout))
        .route("/payouts/{ref}/void", post(void_payout_with_details))
        .route("/payouts/{ref}/retry", post(retry_payout))
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
    authed(&shared, &headers, Some("payments"), |st, cx| {
        void(st, cx, &reference, None)
    })
}

/// `POST /payouts/{ref}/void` with an optional `{"details": "..."}` (or no body).
async fn void_payout_with_details(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    if body.iter().all(u8::is_ascii_whitespace) {
        return authed(&shared, &headers, Some("payments"), |st, cx| {
            void(st, cx, &reference, None)
        });
    }
    authed_json(
        &shared,
        &headers,
        Some("payments"),
        &body,
        &["details"],
        |st, cx, body| {
            let mut errors = Vec::new();
            let details = text(&body, "details", "Details", false, &mut errors);
            if !errors.is_empty() {
                return unprocessable(&errors);
            }
            void(st, cx, &reference, details.as_deref())
        },
    )
}

fn void(st: &mut ZeptoState, cx: &mut Ctx<'_>, reference: &str, details: Option<&str>) -> Response {
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

/// `POST /payouts/{credit_ref}/retry` (deprecated by Zepto): a Payment Request whose
/// transactions were `prefailed` for insufficient funds is tried again, when the Contact's
/// bank connection now shows enough. Answers the credit, `maturing` again.
async fn retry_payout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("payment_requests"), |st, cx| {
        let Some(credit) = st
            .txn(&reference)
            .filter(|t| t.kind == TxnKind::CollectionCredit)
            .cloned()
        else {
            return not_found("Payment Request credit");
        };
        if credit.status != "prefailed" {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "Only a prefailed Payment Request can be retried; {reference} is {}",
                    credit.status
                ),
            );
        }
        if let Some(why) = st.precheck(&credit.party_contact_id, credit.amount) {
            return resource_error(StatusCode::UNPROCESSABLE_ENTITY, why);
        }
        let debit_ref = credit.after.clone().unwrap_or_default();
        for (leg, step) in [(debit_ref.as_str(), 0), (reference.as_str(), 1)] {
            if let Some(t) = st.txn_mut(leg) {
                t.status = "maturing";
                t.status_changed_at = cx.now;
                t.failure_reason = None;
                t.step = step;
            }
        }
        if let Some(request) = st
            .payment_requests
            .iter_mut()
            .find(|p| p.credit_ref.as_deref() == Some(reference.as_str()))
        {
            request.status_reason = None;
        }
        let account = credit.bank_account_id.clone();
        emit_scheduled(
            st,
            cx,
            [(&debit_ref, "creditor_debit"), (&reference, "credit")],
            &account,
        );
        match st.txn(&reference) {
            Some(t) => ok(StatusCode::OK, txn_json(t)),
            None => not_found("Payment Request credit"),
        }
    })
}
