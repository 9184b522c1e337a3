//! Transactions: the legs every Payment, Payment Request, Refund, Transfer and incoming payment
//! is made of, how they look on the wire, and their list with Zepto's filters.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::*;
use crate::server::{Ctx, Shared};
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/transactions", get(list_transactions))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Clears.
    Succeed,
    /// Fails on the Direct Entry rails with this reason (and the newer code and title).
    Fail {
        reason: &'static str,
        code: Option<&'static str>,
        title: Option<&'static str>,
    },
    /// An NPP credit the recipient's bank refuses: switches to Direct Entry when the payment
    /// allows it, otherwise returns with `reason` and `details`.
    NppFail {
        reason: &'static str,
        details: &'static str,
    },
}

/// Which side of which resource a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxnKind {
    /// The merchant's debit paying a Payment's payout.
    PaymentDebit,
    /// The recipient Contact's credit of a Payment.
    PaymentCredit,
    /// The Contact's debit collected by a Payment Request.
    CollectionDebit,
    /// The merchant's credit of a Payment Request.
    CollectionCredit,
    /// The merchant's credit of a PayID payment received.
    Receipt,
    /// The merchant's debit paying a Refund.
    RefundDebit,
    /// The Contact's credit of a Refund.
    RefundCredit,
    /// The credit back to the merchant after a payout credit failed.
    Reversal,
    /// The debit of a Transfer from one of the merchant's accounts.
    TransferDebit,
    /// The credit of a Transfer to another of the merchant's accounts.
    TransferCredit,
}

impl TxnKind {
    /// Whether it is a debit (else a credit).
    pub(super) fn is_debit(self) -> bool {
        matches!(
            self,
            TxnKind::PaymentDebit
                | TxnKind::CollectionDebit
                | TxnKind::RefundDebit
                | TxnKind::TransferDebit
        )
    }

    /// The merchant's own transaction (listed by default), or the other party's (listed with
    /// `both_parties=true`).
    pub(super) fn is_ours(self) -> bool {
        !matches!(
            self,
            TxnKind::PaymentCredit | TxnKind::CollectionDebit | TxnKind::RefundCredit
        )
    }

    /// The transaction's `category`.
    pub(super) fn category(self) -> &'static str {
        match self {
            TxnKind::RefundDebit | TxnKind::RefundCredit => "payout_refund",
            TxnKind::Reversal => "payout_reversal",
            TxnKind::TransferDebit | TxnKind::TransferCredit => "transfer",
            _ => "payout",
        }
    }

    /// The webhook event prefix: `debit` and `credit` for the merchant's side,
    /// `debtor_credit` and `creditor_debit` for the Contact's.
    pub(super) fn event_prefix(self) -> &'static str {
        match (self.is_ours(), self.is_debit()) {
            (true, true) => "debit",
            (true, false) => "credit",
            (false, true) => "creditor_debit",
            (false, false) => "debtor_credit",
        }
    }
}

/// One transaction leg.
#[derive(Debug, Clone)]
pub(crate) struct Txn {
    pub(crate) seq: u64,
    pub(crate) kind: TxnKind,
    pub(crate) reference: String,
    pub(crate) parent_ref: Option<String>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) matures_at: OffsetDateTime,
    pub(crate) cleared_at: Option<OffsetDateTime>,
    pub(crate) bank_ref: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_changed_at: OffsetDateTime,
    pub(crate) failure_reason: Option<&'static str>,
    pub(crate) failure_code: Option<&'static str>,
    pub(crate) failure_title: Option<&'static str>,
    pub(crate) failure_details: Option<String>,
    pub(crate) party_contact_id: String,
    pub(crate) party_name: String,
    pub(crate) description: Option<String>,
    pub(crate) amount: i64,
    pub(crate) bank_account_id: String,
    pub(crate) channels: Vec<String>,
    pub(crate) current_channel: String,
    pub(crate) reversal_details: Option<Value>,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) plan: Plan,
    /// Whether it waits for another transaction (the first leg) to clear.
    pub(crate) after: Option<String>,
    /// The next step to take; see `processing`.
    pub(crate) step: u8,
}

impl Txn {
    /// A new leg of `kind`, `maturing` now on Direct Entry, with nothing else set: callers
    /// fill in what differs with struct-update syntax.
    pub(super) fn new(
        seq: u64,
        kind: TxnKind,
        reference: String,
        parent_ref: Option<String>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            seq,
            kind,
            reference,
            parent_ref,
            created_at: now,
            matures_at: now,
            cleared_at: None,
            bank_ref: None,
            status: "maturing",
            status_changed_at: now,
            failure_reason: None,
            failure_code: None,
            failure_title: None,
            failure_details: None,
            party_contact_id: String::new(),
            party_name: String::new(),
            description: None,
            amount: 0,
            bank_account_id: String::new(),
            channels: vec!["direct_entry".into()],
            current_channel: "direct_entry".into(),
            reversal_details: None,
            metadata: None,
            plan: Plan::Succeed,
            after: None,
            step: 0,
        }
    }

    /// The webhook event prefix (`debit`, `credit`, `debtor_credit`, `creditor_debit`).
    pub(super) fn event_prefix(&self) -> &'static str {
        self.kind.event_prefix()
    }

    /// Whether the merchant's own side.
    pub(super) fn ours(&self) -> bool {
        self.kind.is_ours()
    }
}

/// A transaction as the API (and the webhooks) show it.
pub(crate) fn txn_json(t: &Txn) -> Value {
    let failure = t.failure_reason.map(|_| failure_json(t));
    let mut body = json!({
        "ref": t.reference,
        "parent_ref": t.parent_ref,
        "type": if t.kind.is_debit() { "debit" } else { "credit" },
        "category": t.kind.category(),
        "created_at": ts(t.created_at),
        "matures_at": ts(t.matures_at),
        "cleared_at": t.cleared_at.map(ts),
        "bank_ref": t.bank_ref,
        "status": t.status,
        "status_changed_at": ts(t.status_changed_at),
        "failure_reason": t.failure_reason,
        "failure_code": t.failure_code,
        "failure_title": t.failure_title,
        "failure_details": t.failure_details,
        "failure": failure,
        "party_contact_id": t.party_contact_id,
        "party_name": t.party_name,
        "party_nickname": null,
        "party_bank_ref": null,
        "description": t.description,
        "amount": t.amount,
        "bank_account_id": t.bank_account_id,
        "channels": t.channels,
        "current_channel": t.current_channel,
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(r) = &t.reversal_details {
            obj.insert("reversal_details".into(), r.clone());
        }
        if let Some(m) = &t.metadata {
            obj.insert("metadata".into(), Value::Object(m.clone()));
        }
    }
    body
}

/// A failed transaction's `failure` (the January 2026 revision's code, title and detail).
pub(crate) fn failure_json(t: &Txn) -> Value {
    json!({
        "code": t.failure_code,
        "title": t.failure_title,
        "detail": t.failure_details,
    })
}

pub(super) fn next_txn_seq(st: &mut ZeptoState) -> u64 {
    st.txn_seq += 1;
    st.txn_seq
}

/// Announces each new transaction leg `(reference, event prefix)` as `<prefix>.scheduled` to
/// the webhooks of `account`.
pub(super) fn emit_scheduled(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    legs: [(&str, &str); 2],
    account: &str,
) {
    for (reference, prefix) in legs {
        if let Some(t) = st.txn(reference) {
            let data = vec![txn_json(t)];
            st.emit(cx, &format!("{prefix}.scheduled"), data, account);
        }
    }
}

async fn list_transactions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("transactions"), |st, cx| {
        let both = match single(&query, "both_parties") {
            None => false,
            Some("true") => true,
            Some("false") => false,
            Some(_) => {
                return resource_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Both parties must be true or false",
                );
            }
        };
        if both
            && (single(&query, "other_party").is_some()
                || single(&query, "party_contact_id").is_some())
        {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "other_party and party_contact_id cannot be combined with both_parties",
            );
        }
        let mut dates = Vec::new();
        for name in [
            "min_created_date",
            "max_created_date",
            "min_matured_date",
            "max_matured_date",
            "min_cleared_date",
            "max_cleared_date",
            "min_status_changed_date",
            "max_status_changed_date",
        ] {
            let value = match single(&query, name) {
                None => None,
                Some(v) => match util::parse_datetime(v, sydney()) {
                    Some(t) => Some(t),
                    None => {
                        return resource_error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            &format!("{name} is not a valid ISO 8601 date-time"),
                        );
                    }
                },
            };
            dates.push(value);
        }
        let mut amounts = Vec::new();
        for name in ["min_amount", "max_amount"] {
            match single(&query, name).map(str::parse::<i64>) {
                None => amounts.push(None),
                Some(Ok(a)) => amounts.push(Some(a)),
                Some(Err(_)) => {
                    return resource_error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &format!("{name} must be an integer (cents)"),
                    );
                }
            }
        }
        // Defaults to the last 30 days; at most one year back.
        let min_created = dates[0]
            .unwrap_or(cx.now - time::Duration::days(30))
            .max(cx.now - time::Duration::days(366));
        let statuses = multi(&query, "status");
        let categories = multi(&query, "category");
        let types = multi(&query, "type");
        let contains = |field: Option<&str>, filter: Option<&str>| {
            filter
                .is_none_or(|f| field.is_some_and(|v| v.to_lowercase().contains(&f.to_lowercase())))
        };
        let within = |t: Option<OffsetDateTime>,
                      min: Option<OffsetDateTime>,
                      max: Option<OffsetDateTime>| {
            (min.is_none() || t.zip(min).is_some_and(|(t, m)| t >= m))
                && (max.is_none() || t.zip(max).is_some_and(|(t, m)| t <= m))
        };
        let mut txns: Vec<&Txn> = st
            .transactions
            .iter()
            .filter(|t| both || t.ours())
            .filter(|t| t.created_at >= min_created)
            .filter(|t| single(&query, "ref").is_none_or(|r| t.reference == r))
            .filter(|t| {
                single(&query, "parent_ref").is_none_or(|r| t.parent_ref.as_deref() == Some(r))
            })
            .filter(|t| single(&query, "bank_ref").is_none_or(|r| t.bank_ref.as_deref() == Some(r)))
            .filter(|_| single(&query, "other_party_bank_ref").is_none())
            .filter(|t| single(&query, "party_contact_id").is_none_or(|c| t.party_contact_id == c))
            .filter(|t| contains(Some(&t.party_name), single(&query, "other_party")))
            .filter(|t| contains(t.description.as_deref(), single(&query, "description")))
            .filter(|t| {
                statuses
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s == t.status))
            })
            .filter(|t| {
                categories
                    .as_ref()
                    .is_none_or(|c| c.iter().any(|c| c == t.kind.category()))
            })
            .filter(|t| {
                types.as_ref().is_none_or(|k| {
                    k.iter()
                        .any(|k| k == if t.kind.is_debit() { "debit" } else { "credit" })
                })
            })
            .filter(|t| {
                amounts[0].is_none_or(|a| t.amount >= a) && amounts[1].is_none_or(|a| t.amount <= a)
            })
            .filter(|t| within(Some(t.created_at), None, dates[1]))
            .filter(|t| within(Some(t.matures_at), dates[2], dates[3]))
            .filter(|t| within(t.cleared_at, dates[4], dates[5]))
            .filter(|t| within(Some(t.status_changed_at), dates[6], dates[7]))
            .collect();
        txns.sort_by_key(|t| std::cmp::Reverse(t.seq));
        let items = txns.into_iter().map(txn_json).collect();
        paginate(items, &query, cx.base_url, "/transactions")
    })
}
