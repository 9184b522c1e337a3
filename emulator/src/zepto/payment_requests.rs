//! Payment Requests: collect from a Contact under an accepted Agreement (create, get, cancel)
//! and the two lists (collections the merchant initiated, receivables the Contact did).

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
        .route("/payment_requests", post(create_payment_request))
        .route("/payment_requests/collections", get(list_collections))
        .route("/payment_requests/receivables", get(list_receivables))
        .route(
            "/payment_requests/{ref}",
            get(get_payment_request).delete(cancel_payment_request),
        )
}

#[derive(Debug, Clone)]
pub(crate) struct PaymentRequest {
    pub(crate) reference: String,
    pub(crate) your_bank_account_id: String,
    pub(crate) authoriser_contact_id: String,
    pub(crate) authoriser_id: String,
    pub(crate) contact_initiated: bool,
    pub(crate) status: &'static str,
    pub(crate) status_reason: Option<&'static str>,
    pub(crate) matures_at: OffsetDateTime,
    pub(crate) responded_at: Option<OffsetDateTime>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) credit_ref: Option<String>,
    pub(crate) debit_ref: Option<String>,
    pub(crate) description: String,
    pub(crate) amount: i64,
    pub(crate) metadata: Option<Map<String, Value>>,
}

pub(super) fn payment_request_json(p: &PaymentRequest) -> Value {
    json!({
        "ref": p.reference,
        "initiator_id": seed::ZEPTO_ACCOUNT_ID,
        "your_bank_account_id": p.your_bank_account_id,
        "authoriser_id": p.authoriser_id,
        "authoriser_contact_id": p.authoriser_contact_id,
        "contact_initiated": p.contact_initiated,
        "schedule_ref": null,
        "status": p.status,
        "status_reason": p.status_reason,
        "matures_at": ts(p.matures_at),
        "responded_at": p.responded_at.map(ts),
        "created_at": ts(p.created_at),
        "credit_ref": p.credit_ref,
        "payout": {
            "amount": p.amount,
            "description": p.description,
            "matures_at": ts(p.matures_at),
        },
        "metadata": p.metadata,
    })
}

async fn create_payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "description",
        "matures_at",
        "amount",
        "authoriser_contact_id",
        "your_bank_account_id",
        "metadata",
    ];
    authed_json(
        &shared,
        &headers,
        Some("payment_requests"),
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
            let amount = amount(&body, "amount", "Amount", &mut errors);
            let authoriser = text(
                &body,
                "authoriser_contact_id",
                "Authoriser contact",
                true,
                &mut errors,
            );
            let your_bank_account_id = bank_account(&body, &mut errors);
            let metadata = parse_metadata(body.get("metadata"), &mut errors);
            let contact = authoriser.as_deref().and_then(|a| st.contact(a)).cloned();
            if authoriser.is_some() && contact.is_none() {
                errors.push("Authoriser contact not found".into());
            }
            if !errors.is_empty() {
                return unprocessable(&errors);
            }
            let (Some(description), Some(matures_at), Some(amount), Some(contact)) =
                (description, matures_at, amount, contact)
            else {
                return unprocessable(&vec!["The payment request is invalid".to_string()]);
            };
            if contact.receivable {
                return resource_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "A Receivable Contact cannot be debited",
                );
            }
            // Within the terms of an accepted Agreement, or not created at all.
            let agreement = match st.covering_agreement(&contact.id, amount, cx.now) {
                Ok(agreement) => agreement,
                Err(why) => {
                    return resource_error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &format!("{why}: the Payment Request was not created"),
                    );
                }
            };
            let prefailed = st.precheck(&contact.id, amount);
            let reference = st.next_ref("PR");
            let debit_ref = st.next_ref("D");
            let credit_ref = st.next_ref("C");
            let debit = Txn {
                matures_at,
                party_contact_id: contact.id.clone(),
                party_name: contact.name.clone(),
                description: Some(description.clone()),
                amount,
                bank_account_id: contact.bank_account_id.clone(),
                channels: vec!["direct_entry".into()],
                current_channel: "direct_entry".into(),
                metadata: metadata.clone(),
                plan: first_leg_plan(amount),
                ..Txn::new(
                    next_txn_seq(st),
                    TxnKind::CollectionDebit,
                    debit_ref.clone(),
                    Some(reference.clone()),
                    cx.now,
                )
            };
            let credit = Txn {
                seq: next_txn_seq(st),
                kind: TxnKind::CollectionCredit,
                reference: credit_ref.clone(),
                bank_account_id: your_bank_account_id.clone(),
                plan: second_leg_plan(amount, false),
                after: Some(debit_ref.clone()),
                step: 1,
                ..debit.clone()
            };
            st.transactions.push(debit);
            st.transactions.push(credit);
            let request = PaymentRequest {
                reference: reference.clone(),
                your_bank_account_id: your_bank_account_id.clone(),
                authoriser_contact_id: contact.id.clone(),
                authoriser_id: contact.anyone_account_id.clone(),
                contact_initiated: false,
                status: "approved",
                status_reason: prefailed,
                matures_at,
                responded_at: Some(cx.now),
                created_at: cx.now,
                credit_ref: Some(credit_ref.clone()),
                debit_ref: Some(debit_ref.clone()),
                description,
                amount,
                metadata,
            };
            let body = payment_request_json(&request);
            st.payment_requests.push(request);
            remember_key(st, key, &reference, cx.now);
            st.emit(
                cx,
                "payment_request.added",
                vec![body.clone()],
                &your_bank_account_id,
            );
            if let Some(a) = st.agreement_mut(&agreement)
                && a.unassigned.as_ref().is_some_and(|u| u.single_use)
            {
                a.status = "expended";
            }
            if prefailed.is_some() {
                // Prechecked against the Contact's bank connection: never sent to the bank.
                for leg in [&debit_ref, &credit_ref] {
                    if let Some(t) = st.txn_mut(leg) {
                        t.status = "prefailed";
                        t.failure_reason = Some("insufficient_funds");
                    }
                }
                for (leg, prefix) in [(&debit_ref, "creditor_debit"), (&credit_ref, "credit")] {
                    if let Some(t) = st.txn(leg) {
                        let data = vec![txn_json(t)];
                        st.emit(
                            cx,
                            &format!("{prefix}.prefailed"),
                            data,
                            &your_bank_account_id,
                        );
                    }
                }
            } else {
                emit_scheduled(
                    st,
                    cx,
                    [(&debit_ref, "creditor_debit"), (&credit_ref, "credit")],
                    &your_bank_account_id,
                );
            }
            ok(StatusCode::OK, body)
        },
    )
}

async fn get_payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(
        &shared,
        &headers,
        Some("payment_requests"),
        |st, _| match st
            .payment_requests
            .iter()
            .find(|p| p.reference == reference)
        {
            Some(p) => ok(StatusCode::OK, payment_request_json(p)),
            None => not_found("Payment Request"),
        },
    )
}

async fn cancel_payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("payment_requests"), |st, cx| {
        let Some(index) = st
            .payment_requests
            .iter()
            .position(|p| p.reference == reference)
        else {
            return not_found("Payment Request");
        };
        let request = st.payment_requests[index].clone();
        let first = request
            .debit_ref
            .clone()
            .or(request.credit_ref.clone())
            .unwrap_or_default();
        let status = st.txn(&first).map_or("maturing", |t| t.status);
        if request.status == "cancelled" || !matches!(status, "maturing" | "matured") {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "A Payment Request can only be cancelled while its transaction is maturing or matured; it is {status}"
                ),
            );
        }
        st.payment_requests[index].status = "cancelled";
        void_pair(st, cx, &first, None);
        let body = payment_request_json(&st.payment_requests[index]);
        st.emit(
            cx,
            "payment_request.cancelled",
            vec![body],
            &request.your_bank_account_id,
        );
        no_content()
    })
}

fn list_requests(
    shared: &Shared,
    headers: &HeaderMap,
    query: Option<String>,
    contact_initiated: bool,
    path: &str,
) -> Response {
    let query = query_pairs(query);
    authed(shared, headers, Some("payment_requests"), |st, cx| {
        let items = st
            .payment_requests
            .iter()
            .rev()
            .filter(|p| p.contact_initiated == contact_initiated)
            .map(payment_request_json)
            .collect();
        paginate(items, &query, cx.base_url, path)
    })
}

async fn list_collections(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    list_requests(
        &shared,
        &headers,
        query,
        false,
        "/payment_requests/collections",
    )
}

async fn list_receivables(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    list_requests(
        &shared,
        &headers,
        query,
        true,
        "/payment_requests/receivables",
    )
}
