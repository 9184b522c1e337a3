//! Zepto's sandbox processing cycle: transactions move `maturing -> matured -> processing ->
//! clearing -> cleared`, or fail as the sandbox's failure amounts say, emitting an event at
//! every step.
//!
//! A Payment is a debit from the merchant (first leg) and a credit to the Contact (second leg,
//! which waits for the first to clear); a Payment Request is a debit from the Contact and a
//! credit to the merchant; a Refund is a debit from the merchant and a credit to the Contact.

use serde_json::json;

use super::transactions::failure_json;
use super::*;
use crate::seed;
use crate::server::Ctx;

/// Statuses after which a transaction never moves again.
pub(crate) fn is_final(status: &str) -> bool {
    matches!(
        status,
        "cleared" | "rejected" | "returned" | "voided" | "prefailed"
    )
}

/// The sandbox's Direct Entry failure amounts, in cents: debits (first legs).
fn debit_failure(amount: i64) -> Option<Plan> {
    let legacy = |reason| {
        Some(Plan::Fail {
            reason,
            code: None,
            title: None,
        })
    };
    let coded = |reason, code, title| {
        Some(Plan::Fail {
            reason,
            code: Some(code),
            title: Some(title),
        })
    };
    match amount {
        1 => legacy("invalid_bsb_number"),
        2 => legacy("account_closed"),
        3 => legacy("customer_deceased"),
        4 => legacy("incorrect_account_number"),
        5 => legacy("refer_to_split"),
        6 => legacy("user_voided"),
        7 => legacy("admin_voided"),
        10 => legacy("refer_to_customer"),
        11 => legacy("insufficient_funds"),
        12 => legacy("payment_stopped"),
        201 => coded("invalid_bsb_number", "E201", "Invalid BSB Number"),
        202 => coded("payment_stopped", "E202", "Payment Stopped"),
        203 => coded("account_closed", "E203", "Account Closed"),
        204 => coded("customer_deceased", "E204", "Customer Deceased"),
        205 => coded("incorrect_account_number", "E205", "Account Not Found"),
        206 => coded("refer_to_customer", "E206", "Refer to Customer"),
        208 => coded("refer_to_split", "E208", "Invalid UserID"),
        209 => coded("refer_to_split", "E209", "Technically Invalid"),
        _ => None,
    }
}

/// The sandbox's failure amounts for credits (second legs): Direct Entry credit failures, and
/// the NPP failures of payments made from a Float Account.
fn credit_failure(amount: i64, npp_from_float: bool) -> Option<Plan> {
    let legacy = |reason| {
        Some(Plan::Fail {
            reason,
            code: None,
            title: None,
        })
    };
    match amount {
        51 => legacy("invalid_bsb_number"),
        52 => legacy("account_closed"),
        53 => legacy("customer_deceased"),
        54 => legacy("incorrect_account_number"),
        55 => legacy("refer_to_split"),
        56 => legacy("user_voided"),
        57 => legacy("admin_voided"),
        155 if npp_from_float => Some(Plan::NppFail {
            reason: "refer_to_split",
            details: "Real-time payment service currently unavailable",
        }),
        160 if npp_from_float => Some(Plan::NppFail {
            reason: "refer_to_customer",
            details: "Real-time payment rejected by recipient",
        }),
        165 if npp_from_float => Some(Plan::NppFail {
            reason: "refer_to_customer",
            details: "Real-time payments not available for recipient",
        }),
        _ => None,
    }
}

/// What the first leg (a debit) of a transfer of `amount` cents will do.
pub(crate) fn first_leg_plan(amount: i64) -> Plan {
    debit_failure(amount).unwrap_or(Plan::Succeed)
}

/// What the second leg (a credit) of a transfer of `amount` cents will do.
pub(crate) fn second_leg_plan(amount: i64, npp_from_float: bool) -> Plan {
    credit_failure(amount, npp_from_float).unwrap_or(Plan::Succeed)
}

/// The status a failed transaction ends in.
fn failed_status(reason: &str) -> &'static str {
    match reason {
        "invalid_bsb_number" | "incorrect_account_number" => "rejected",
        "user_voided" | "admin_voided" => "voided",
        _ => "returned",
    }
}

/// Runs the cycle `steps` times, or until nothing moves (at most 100 times). Returns how many
/// cycles ran and how many transitions they made.
pub(crate) fn run(st: &mut ZeptoState, cx: &mut Ctx<'_>, steps: Option<u64>) -> (u64, usize) {
    activate_payids(st, cx.now);
    let limit = steps.unwrap_or(100).min(100);
    let (mut ran, mut moved) = (0, 0);
    while ran < limit {
        let n = step(st, cx);
        ran += 1;
        moved += n;
        if n == 0 && steps.is_none() {
            break;
        }
    }
    (ran, moved)
}

/// One cycle: every transaction that can move takes one step.
fn step(st: &mut ZeptoState, cx: &mut Ctx<'_>) -> usize {
    let refs: Vec<String> = st
        .transactions
        .iter()
        .filter(|t| !is_final(t.status))
        .map(|t| t.reference.clone())
        .collect();
    refs.iter().filter(|r| advance(st, cx, r)).count()
}

fn emit_txn(st: &mut ZeptoState, cx: &mut Ctx<'_>, reference: &str, action: &str) {
    let Some(t) = st.txn(reference) else {
        return;
    };
    let event = format!("{}.{action}", t.event_prefix());
    let account = if t.ours() {
        t.bank_account_id.clone()
    } else {
        seed::ZEPTO_BANK_ACCOUNT_ID.to_string()
    };
    let data = vec![txn_json(t)];
    st.emit(cx, &event, data, &account);
}

fn set_status(t: &mut Txn, status: &'static str, now: time::OffsetDateTime) {
    t.status = status;
    t.status_changed_at = now;
}

/// Moves one transaction one step; says whether it moved.
fn advance(st: &mut ZeptoState, cx: &mut Ctx<'_>, reference: &str) -> bool {
    let Some(t) = st.txn(reference).cloned() else {
        return false;
    };
    if is_final(t.status) || t.matures_at > cx.now {
        return false;
    }
    if let Some(first) = &t.after
        && st.txn(first).is_none_or(|f| f.status != "cleared")
    {
        return false;
    }
    let now = cx.now;
    match t.step {
        0 => {
            if let Some(t) = st.txn_mut(reference) {
                t.step = 1;
            }
            emit_txn(st, cx, reference, "maturing");
        }
        1 => {
            if let Plan::Fail { reason, .. } = &t.plan
                && failed_status(reason) == "voided"
            {
                fail(st, cx, reference);
                return true;
            }
            if let Some(t) = st.txn_mut(reference) {
                set_status(t, "matured", now);
                t.step = 2;
            }
            emit_txn(st, cx, reference, "matured");
        }
        2 => {
            let bank_ref = st.next_ref(if t.kind.is_debit() { "DT" } else { "CT" });
            if let Some(t) = st.txn_mut(reference) {
                set_status(t, "processing", now);
                t.bank_ref.get_or_insert(bank_ref);
                t.step = 3;
            }
            emit_txn(st, cx, reference, "processing");
        }
        3 => {
            if let Some(t) = st.txn_mut(reference) {
                set_status(t, "clearing", now);
                t.step = 4;
            }
            emit_txn(st, cx, reference, "clearing");
        }
        _ => match &t.plan {
            Plan::Succeed => {
                if let Some(t) = st.txn_mut(reference) {
                    set_status(t, "cleared", now);
                    t.cleared_at = Some(now);
                    t.step = 5;
                }
                emit_txn(st, cx, reference, "cleared");
            }
            Plan::Fail { .. } => fail(st, cx, reference),
            Plan::NppFail { reason, details } => {
                let can_switch = t.current_channel == "new_payments_platform"
                    && t.channels.iter().any(|c| c == "direct_entry");
                if can_switch {
                    if let Some(t) = st.txn_mut(reference) {
                        set_status(t, "channel_switched", now);
                        t.current_channel = "direct_entry".into();
                        t.failure_reason = Some(reason);
                        t.failure_details = Some((*details).to_string());
                        t.plan = Plan::Succeed;
                        t.step = 2;
                    }
                    emit_txn(st, cx, reference, "channel_switched");
                    if let Some(t) = st.txn_mut(reference) {
                        t.failure_reason = None;
                        t.failure_details = None;
                    }
                } else {
                    fail(st, cx, reference);
                }
            }
        },
    }
    true
}

/// Fails a transaction as its plan says, voids what waited for it, and, for a Payment's
/// credit, creates the `payout_reversal` credit back to the merchant.
fn fail(st: &mut ZeptoState, cx: &mut Ctx<'_>, reference: &str) {
    let now = cx.now;
    let Some(t) = st.txn(reference).cloned() else {
        return;
    };
    let (reason, code, title, details) = match &t.plan {
        Plan::Fail {
            reason,
            code,
            title,
        } => (*reason, *code, *title, None),
        Plan::NppFail { reason, details } => (*reason, None, None, Some((*details).to_string())),
        Plan::Succeed => return,
    };
    let status = if matches!(t.plan, Plan::NppFail { .. }) {
        "returned"
    } else {
        failed_status(reason)
    };
    if let Some(t) = st.txn_mut(reference) {
        set_status(t, status, now);
        t.failure_reason = Some(reason);
        t.failure_code = code;
        t.failure_title = title;
        t.failure_details = details;
        t.step = 5;
    }
    emit_txn(st, cx, reference, status);
    let dependents: Vec<String> = st
        .transactions
        .iter()
        .filter(|d| d.after.as_deref() == Some(reference) && !is_final(d.status))
        .map(|d| d.reference.clone())
        .collect();
    for d in dependents {
        if let Some(d) = st.txn_mut(&d) {
            set_status(d, "voided", now);
            d.failure_reason = Some(reason);
            d.step = 5;
        }
        emit_txn(st, cx, &d, "voided");
    }
    if t.kind == TxnKind::PaymentCredit && matches!(t.plan, Plan::Fail { .. }) {
        reverse(st, cx, &t, reason);
    }
}

/// The credit Zepto creates back to the payer when a payout credit fails.
fn reverse(st: &mut ZeptoState, cx: &mut Ctx<'_>, failed: &Txn, reason: &'static str) {
    let Some(debit) = failed.after.as_deref().and_then(|d| st.txn(d)).cloned() else {
        return;
    };
    let reference = st.next_ref("C");
    let reversal = Txn {
        party_contact_id: failed.party_contact_id.clone(),
        party_name: failed.party_name.clone(),
        description: Some(format!(
            "Payout reversal: the credit {} failed ({reason})",
            failed.reference
        )),
        amount: failed.amount,
        bank_account_id: debit.bank_account_id.clone(),
        channels: vec!["direct_entry".into()],
        current_channel: "direct_entry".into(),
        reversal_details: Some(json!({
            "source_debit_ref": debit.reference,
            "source_credit_failure_reason": reason,
            "source_credit_failure": st.txn(&failed.reference).map(failure_json),
        })),
        metadata: failed.metadata.clone(),
        step: 1,
        ..Txn::new(
            next_txn_seq(st),
            TxnKind::Reversal,
            reference.clone(),
            failed.parent_ref.clone(),
            cx.now,
        )
    };
    st.transactions.push(reversal);
    emit_txn(st, cx, &reference, "scheduled");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_tables() {
        assert_eq!(
            first_leg_plan(11),
            Plan::Fail {
                reason: "insufficient_funds",
                code: None,
                title: None
            }
        );
        assert_eq!(first_leg_plan(30000), Plan::Succeed);
        assert!(matches!(
            first_leg_plan(203),
            Plan::Fail {
                code: Some("E203"),
                ..
            }
        ));
        assert_eq!(first_leg_plan(207), Plan::Succeed);
        assert!(matches!(
            second_leg_plan(54, false),
            Plan::Fail {
                reason: "incorrect_account_number",
                ..
            }
        ));
        assert_eq!(second_leg_plan(160, false), Plan::Succeed);
        assert!(matches!(second_leg_plan(160, true), Plan::NppFail { .. }));
        assert_eq!(failed_status("incorrect_account_number"), "rejected");
        assert_eq!(failed_status("user_voided"), "voided");
        assert_eq!(failed_status("insufficient_funds"), "returned");
    }
}
