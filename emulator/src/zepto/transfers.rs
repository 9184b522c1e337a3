//! Transfers between the merchant's own accounts. `POST /transfers` requires an
//! `Idempotency-Key` (Zepto's January 2026 document): the same key with the same body answers
//! the Transfer it created, the same key with another body answers 409 with its reference.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::*;
use crate::seed;
use crate::server::Shared;
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/transfers", post(create_transfer).get(list_transfers))
        .route("/transfers/{ref}", get(get_transfer))
}

#[derive(Debug, Clone)]
pub(crate) struct Transfer {
    pub(crate) reference: String,
    pub(crate) from_bank_account_id: String,
    pub(crate) to_bank_account_id: String,
    pub(crate) amount: i64,
    pub(crate) description: String,
    pub(crate) matures_at: OffsetDateTime,
}

fn transfer_json(t: &Transfer) -> Value {
    json!({
        "ref": t.reference,
        "initiator_id": seed::ZEPTO_ACCOUNT_ID,
        "from_bank_account_id": t.from_bank_account_id,
        "to_bank_account_id": t.to_bank_account_id,
        "amount": t.amount,
        "description": t.description,
        "matures_at": ts(t.matures_at),
    })
}

/// `POST /transfers`: a debit from one of the merchant's accounts and a credit to another
/// (category `transfer`), which the processing cycle moves like any transaction.
pub(super) async fn create_transfer(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "from_bank_account_id",
        "to_bank_account_id",
        "amount",
        "description",
        "matures_at",
    ];
    authed_json(
        &shared,
        &headers,
        Some("transfers"),
        &body,
        FIELDS,
        |st, cx, body| {
            let Some(key) = util::header(&headers, "idempotency-key")
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
            else {
                return detailed_error(
                    StatusCode::BAD_REQUEST,
                    "Missing idempotency key",
                    "POST /transfers requires an Idempotency-Key header",
                    None,
                );
            };
            let request = Value::Object(body.clone());
            if let Some(record) = st.idempotency.get(&key) {
                let same = st
                    .transfers
                    .iter()
                    .find(|t| t.reference == record.resource_ref)
                    .filter(|_| record.request.as_ref() == Some(&request));
                return match same {
                    Some(transfer) => ok(StatusCode::CREATED, transfer_json(transfer)),
                    None => detailed_error(
                        StatusCode::CONFLICT,
                        "Duplicate idempotency key",
                        "This idempotency key was used for another request",
                        Some(json!({ "resource_ref": record.resource_ref })),
                    ),
                };
            }
            let mut errors = Vec::new();
            let account = |name: &str, label: &str, errors: &mut Vec<String>| {
                let id = text(&body, name, label, true, errors);
                if id.as_deref().is_some_and(|id| !is_own_bank_account(id)) {
                    errors.push(format!("{label} not found"));
                }
                id
            };
            let from = account("from_bank_account_id", "From bank account", &mut errors);
            let to = account("to_bank_account_id", "To bank account", &mut errors);
            if from.is_some() && from == to {
                errors.push("From and to bank accounts must differ".into());
            }
            let amount = amount(&body, "amount", "Amount", &mut errors);
            let description = text(&body, "description", "Description", true, &mut errors);
            let matures_at = datetime(&body, "matures_at", "Matures at", cx.now, &mut errors);
            let (Some(from), Some(to), Some(amount), Some(description), Some(matures_at), true) =
                (from, to, amount, description, matures_at, errors.is_empty())
            else {
                return unprocessable(&errors);
            };
            let reference = st.next_ref("T");
            let debit_ref = st.next_ref("D");
            let credit_ref = st.next_ref("C");
            let debit = Txn {
                matures_at,
                party_contact_id: String::new(),
                party_name: "Emulator Merchant".into(),
                description: Some(description.clone()),
                amount,
                bank_account_id: from.clone(),
                channels: vec!["float_account".into()],
                current_channel: "float_account".into(),
                ..Txn::new(
                    next_txn_seq(st),
                    TxnKind::TransferDebit,
                    debit_ref.clone(),
                    Some(reference.clone()),
                    cx.now,
                )
            };
            let credit = Txn {
                seq: next_txn_seq(st),
                kind: TxnKind::TransferCredit,
                reference: credit_ref.clone(),
                bank_account_id: to.clone(),
                after: Some(debit_ref.clone()),
                step: 1,
                ..debit.clone()
            };
            st.transactions.push(debit);
            st.transactions.push(credit);
            let transfer = Transfer {
                reference: reference.clone(),
                from_bank_account_id: from.clone(),
                to_bank_account_id: to,
                amount,
                description,
                matures_at,
            };
            let body = transfer_json(&transfer);
            st.transfers.push(transfer);
            st.idempotency.insert(
                key,
                IdempotencyRecord {
                    resource_ref: reference,
                    request: Some(request),
                    expires_at: cx.now + time::Duration::hours(IDEMPOTENCY_HOURS),
                },
            );
            emit_scheduled(
                st,
                cx,
                [(&debit_ref, "debit"), (&credit_ref, "credit")],
                &from,
            );
            ok(StatusCode::CREATED, body)
        },
    )
}

/// `GET /transfers`, newest first, filtered by `from_bank_account_id` / `to_bank_account_id`.
pub(super) async fn list_transfers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("transfers"), |st, cx| {
        let items = st
            .transfers
            .iter()
            .rev()
            .filter(|t| {
                single(&query, "from_bank_account_id").is_none_or(|a| t.from_bank_account_id == a)
            })
            .filter(|t| {
                single(&query, "to_bank_account_id").is_none_or(|a| t.to_bank_account_id == a)
            })
            .map(transfer_json)
            .collect();
        paginate(items, &query, cx.base_url, "/transfers")
    })
}

/// `GET /transfers/{ref}`.
pub(super) async fn get_transfer(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("transfers"), |st, _| {
        match st.transfers.iter().find(|t| t.reference == reference) {
            Some(t) => ok(StatusCode::OK, transfer_json(t)),
            None => not_found("Transfer"),
        }
    })
}
