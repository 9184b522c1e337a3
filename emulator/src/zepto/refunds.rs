//! Refunds of cleared Payment Request credits: issue, list outgoing, get.

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
use crate::seed;
use crate::server::Shared;
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/credits/{ref}/refunds", post(issue_refund))
        .route("/refunds/outgoing", get(list_refunds))
        .route("/refunds/{ref}", get(get_refund))
}

#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) reference: String,
    pub(crate) for_ref: String,
    pub(crate) debit_ref: String,
    pub(crate) your_bank_account_id: String,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) amount: i64,
    pub(crate) channels: Vec<String>,
    pub(crate) reason: Option<String>,
    pub(crate) target_contact_id: String,
    pub(crate) metadata: Option<Map<String, Value>>,
}

fn refund_json(r: &Refund) -> Value {
    json!({
        "ref": r.reference,
        "for_ref": r.for_ref,
        "debit_ref": r.debit_ref,
        "your_bank_account_id": r.your_bank_account_id,
        "created_at": ts(r.created_at),
        "amount": r.amount,
        "channels": r.channels,
        "reason": r.reason,
        "contacts": {
            "source_contact_id": seed::ZEPTO_ACCOUNT_ID,
            "target_contact_id": r.target_contact_id,
        },
        "metadata": r.metadata,
    })
}

async fn issue_refund(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(credit_ref): Path<String>,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "amount",
        "channels",
        "reason",
        "your_bank_account_id",
        "metadata",
    ];
    authed_json(
        &shared,
        &headers,
        Some("refunds"),
        &body,
        FIELDS,
        |st, cx, body| {
            let key = match check_idempotency(st, &headers) {
                Ok(k) => k,
                Err(r) => return r,
            };
            let Some(credit) = st
                .txn(&credit_ref)
                .filter(|t| matches!(t.kind, TxnKind::CollectionCredit | TxnKind::Receipt))
                .cloned()
            else {
                return not_found("Credit");
            };
            let mut errors = Vec::new();
            let amount = amount(&body, "amount", "Amount", &mut errors);
            let channels =
                channels(&body, false, &mut errors).unwrap_or_else(|| vec!["direct_entry".into()]);
            let reason = text(&body, "reason", "Reason", false, &mut errors);
            let your_bank_account_id = bank_account(&body, &mut errors);
            let metadata = parse_metadata(body.get("metadata"), &mut errors);
            if credit.status != "cleared" {
                errors.push(format!(
                    "Only cleared credits can be refunded; {credit_ref} is {}",
                    credit.status
                ));
            }
            let refunded: i64 = st
                .refunds
                .iter()
                .filter(|r| r.for_ref == credit_ref)
                .map(|r| r.amount)
                .sum();
            let refundable = credit.amount - refunded;
            if amount.is_some_and(|a| a > refundable) {
                errors.push(format!(
                    "Amount exceeds the {refundable} cents that can still be refunded"
                ));
            }
            if !errors.is_empty() {
                return unprocessable(&errors);
            }
            let Some(amount) = amount else {
                return unprocessable(&vec!["Amount can't be blank".to_string()]);
            };
            let reference = st.next_ref("PRF");
            let debit_ref = st.next_ref("D");
            let contact_credit_ref = st.next_ref("C");
            let contact_bank = st
                .contact(&credit.party_contact_id)
                .map_or_else(util::uuid, |c| c.bank_account_id.clone());
            let debit = Txn {
                party_contact_id: credit.party_contact_id.clone(),
                party_name: credit.party_name.clone(),
                description: reason.clone(),
                amount,
                bank_account_id: your_bank_account_id.clone(),
                channels: channels.clone(),
                current_channel: channels[0].clone(),
                metadata: metadata.clone(),
                plan: first_leg_plan(amount),
                ..Txn::new(
                    next_txn_seq(st),
                    TxnKind::RefundDebit,
                    debit_ref.clone(),
                    Some(reference.clone()),
                    cx.now,
                )
            };
            let contact_credit = Txn {
                seq: next_txn_seq(st),
                kind: TxnKind::RefundCredit,
                reference: contact_credit_ref.clone(),
                bank_account_id: contact_bank,
                plan: second_leg_plan(amount, false),
                after: Some(debit_ref.clone()),
                step: 1,
                ..debit.clone()
            };
            st.transactions.push(debit);
            st.transactions.push(contact_credit);
            let refund = Refund {
                reference: reference.clone(),
                for_ref: credit_ref.clone(),
                debit_ref: debit_ref.clone(),
                your_bank_account_id: your_bank_account_id.clone(),
                created_at: cx.now,
                amount,
                channels,
                reason,
                target_contact_id: credit.party_contact_id.clone(),
                metadata,
            };
            let body = refund_json(&refund);
            st.refunds.push(refund);
            remember_key(st, key, &reference, cx.now);
            emit_scheduled(
                st,
                cx,
                [
                    (&debit_ref, "debit"),
                    (&contact_credit_ref, "debtor_credit"),
                ],
                &your_bank_account_id,
            );
            ok(StatusCode::OK, body)
        },
    )
}

async fn list_refunds(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("refunds"), |st, cx| {
        let items = st.refunds.iter().rev().map(refund_json).collect();
        paginate(items, &query, cx.base_url, "/refunds/outgoing")
    })
}

async fn get_refund(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("refunds"), |st, _| {
        match st.refunds.iter().find(|r| r.reference == reference) {
            Some(r) => ok(StatusCode::OK, refund_json(r)),
            None => not_found("Refund"),
        }
    })
}
