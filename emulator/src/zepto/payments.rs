//! Payments: one Payout each, a debit from the merchant then a credit to the Contact.

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

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/payments", post(create_payment).get(list_payments))
        .route("/payments/{ref}", get(get_payment))
}

#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) reference: String,
    pub(crate) your_bank_account_id: String,
    pub(crate) channels: Vec<String>,
    pub(crate) description: String,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) debit_ref: String,
    pub(crate) recipient_contact_id: String,
    pub(crate) to_id: String,
    pub(crate) amount: i64,
    pub(crate) payout_description: String,
    pub(crate) payout_metadata: Option<Map<String, Value>>,
    /// The payout's ISO 20022 category purpose (`PENS`, `SALA`, `TAXS`) and its end-to-end id.
    pub(crate) category_purpose: Option<(String, String)>,
    pub(crate) matures_at: OffsetDateTime,
    pub(crate) created_at: OffsetDateTime,
}

fn payment_json(st: &ZeptoState, p: &Payment) -> Value {
    let status = st.txn(&p.debit_ref).map_or("maturing", |t| t.status);
    json!({
        "ref": p.reference,
        "your_bank_account_id": p.your_bank_account_id,
        "channels": p.channels,
        "payouts": [{
            "ref": p.debit_ref,
            "recipient_contact_id": p.recipient_contact_id,
            "batch_description": p.description,
            "matures_at": ts(p.matures_at),
            "created_at": ts(p.created_at),
            "status": status,
            "amount": p.amount,
            "description": p.payout_description,
            "from_id": p.your_bank_account_id,
            "to_id": p.to_id,
            "category_purpose_code": p.category_purpose.as_ref().map(|(code, _)| code),
            "end_to_end_id": p.category_purpose.as_ref().map(|(_, id)| id),
            "metadata": p.payout_metadata,
        }],
        "metadata": p.metadata,
    })
}

/// The fields of the one payout.
const PAYOUT_FIELDS: &[&str] = &[
    "amount",
    "description",
    "recipient_contact_id",
    "category_purpose_code",
    "end_to_end_id",
    "metadata",
];

/// A payout's `category_purpose_code` (`PENS`, `SALA`, `TAXS`) and the `end_to_end_id` (at most
/// 35 characters) it requires.
fn category_purpose(payout: &Map<String, Value>, errors: &mut Errors) -> Option<(String, String)> {
    let code = text(
        payout,
        "category_purpose_code",
        "Category purpose code",
        false,
        errors,
    );
    let id = text(payout, "end_to_end_id", "End to end", false, errors);
    length(&id, "End to end", 1, 35, errors);
    if code
        .as_deref()
        .is_some_and(|c| !matches!(c, "PENS" | "SALA" | "TAXS"))
    {
        errors.push("Category purpose code must be PENS, SALA or TAXS".into());
    }
    match (code, id) {
        (Some(_), None) => {
            errors.push("End to end can't be blank with a category purpose code".into());
            None
        }
        (Some(code), Some(id)) => Some((code, id)),
        _ => None,
    }
}

async fn create_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "description",
        "matures_at",
        "your_bank_account_id",
        "channels",
        "payouts",
        "metadata",
    ];
    authed_json(
        &shared,
        &headers,
        Some("payments"),
        &body,
        FIELDS,
        |st, cx, body| {
            let key = match check_idempotency(st, &headers) {
                Ok(k) => k,
                Err(r) => return r,
            };
            let mut errors = Vec::new();
            let description = text(&body, "description", "Description", true, &mut errors);
            let matures_at = datetime(&body, "matures_at", "Matures at", cx.now, &mut errors);
            let channels = channels(&body, true, &mut errors);
            let your_bank_account_id = bank_account(&body, &mut errors);
            let metadata = parse_metadata(body.get("metadata"), &mut errors);
            let payout = match body.get("payouts") {
                Some(Value::Array(list)) if list.len() == 1 => match &list[0] {
                    Value::Object(p) => Some(p.clone()),
                    _ => {
                        errors.push("Payouts must hold payout objects".into());
                        None
                    }
                },
                Some(Value::Array(list)) if list.len() > 1 => {
                    errors.push(
                        "Payouts must hold exactly one payout (a Payment has one Payout)".into(),
                    );
                    None
                }
                None | Some(Value::Null) => {
                    errors.push("Payouts can't be blank".into());
                    None
                }
                Some(_) => {
                    errors.push("Payouts must hold exactly one payout".into());
                    None
                }
            };
            let mut payout_fields = None;
            if let Some(p) = &payout {
                if cx.strict
                    && let Some(sentence) =
                        util::unknown_fields(p.keys(), PAYOUT_FIELDS, "payouts[0].")
                {
                    errors.push(sentence);
                }
                let purpose = category_purpose(p, &mut errors);
                let amount = amount(p, "amount", "Payout amount", &mut errors);
                let payout_description =
                    text(p, "description", "Payout description", true, &mut errors);
                let recipient = text(
                    p,
                    "recipient_contact_id",
                    "Payout recipient contact",
                    true,
                    &mut errors,
                );
                let payout_metadata = parse_metadata(p.get("metadata"), &mut errors);
                let contact = recipient.as_deref().and_then(|r| st.contact(r)).cloned();
                if recipient.is_some() && contact.is_none() {
                    errors.push("Payout recipient contact not found".into());
                }
                payout_fields = Some((
                    amount,
                    payout_description,
                    contact,
                    payout_metadata,
                    purpose,
                ));
            }
            if !errors.is_empty() {
                return unprocessable(&errors);
            }
            let (
                Some(description),
                Some(matures_at),
                Some(channels),
                Some((
                    Some(amount),
                    Some(payout_description),
                    Some(contact),
                    payout_metadata,
                    category_purpose,
                )),
            ) = (description, matures_at, channels, payout_fields)
            else {
                return unprocessable(&vec!["The payment is invalid".to_string()]);
            };
            let reference = st.next_ref("PB");
            let debit_ref = st.next_ref("D");
            let credit_ref = st.next_ref("C");
            let from_float = your_bank_account_id == seed::ZEPTO_FLOAT_ACCOUNT_ID;
            let npp_from_float = from_float
                && channels
                    .first()
                    .is_some_and(|c| c == "new_payments_platform");
            let txn_metadata = payout_metadata.clone().or_else(|| metadata.clone());
            let debit = Txn {
                matures_at,
                party_contact_id: contact.id.clone(),
                party_name: contact.name.clone(),
                description: Some(payout_description.clone()),
                amount,
                bank_account_id: your_bank_account_id.clone(),
                channels: if from_float {
                    vec!["float_account".into()]
                } else {
                    channels.clone()
                },
                current_channel: if from_float {
                    "float_account".into()
                } else {
                    channels[0].clone()
                },
                metadata: txn_metadata.clone(),
                plan: first_leg_plan(amount),
                ..Txn::new(
                    next_txn_seq(st),
                    TxnKind::PaymentDebit,
                    debit_ref.clone(),
                    Some(reference.clone()),
                    cx.now,
                )
            };
            let credit = Txn {
                seq: next_txn_seq(st),
                kind: TxnKind::PaymentCredit,
                reference: credit_ref.clone(),
                bank_account_id: contact.bank_account_id.clone(),
                channels: channels.clone(),
                current_channel: channels[0].clone(),
                plan: second_leg_plan(amount, npp_from_float),
                after: Some(debit_ref.clone()),
                step: 1,
                ..debit.clone()
            };
            st.transactions.push(debit);
            st.transactions.push(credit);
            let payment = Payment {
                reference: reference.clone(),
                your_bank_account_id: your_bank_account_id.clone(),
                channels,
                description,
                metadata,
                debit_ref: debit_ref.clone(),
                recipient_contact_id: contact.id.clone(),
                to_id: contact.bank_account_id.clone(),
                amount,
                payout_description,
                payout_metadata,
                category_purpose,
                matures_at,
                created_at: cx.now,
            };
            let body = payment_json(st, &payment);
            st.payments.push(payment);
            remember_key(st, key, &reference, cx.now);
            st.emit(
                cx,
                "payment.added",
                vec![body.clone()],
                &your_bank_account_id,
            );
            emit_scheduled(
                st,
                cx,
                [(&debit_ref, "debit"), (&credit_ref, "debtor_credit")],
                &your_bank_account_id,
            );
            ok(StatusCode::CREATED, body)
        },
    )
}

async fn list_payments(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("payments"), |st, cx| {
        let items = st
            .payments
            .iter()
            .rev()
            .map(|p| payment_json(st, p))
            .collect();
        paginate(items, &query, cx.base_url, "/payments")
    })
}

async fn get_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("payments"), |st, _| {
        match st.payments.iter().find(|p| p.reference == reference) {
            Some(p) => ok(StatusCode::OK, payment_json(st, p)),
            None => not_found("Payment"),
        }
    })
}
