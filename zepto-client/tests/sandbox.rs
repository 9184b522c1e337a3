//! The sandbox failure-trigger table.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::collections::HashSet;

use zepto_client::models::TransactionFailureReason as Reason;
use zepto_client::sandbox::{
    self, FAILURE_CODE_TRIGGERS, Leg, Rail, direct_entry_trigger, npp_triggers, trigger_for_amount,
};

#[test]
fn a_test_suite_can_ask_for_a_payment_that_fails_with_a_reason() {
    let debit = direct_entry_trigger(Reason::InsufficientFunds, Leg::Debit).unwrap();
    assert_eq!(debit.amount, 11);
    assert_eq!(debit.rail, Rail::DirectEntry);
    let credit = direct_entry_trigger(Reason::IncorrectAccountNumber, Leg::Credit).unwrap();
    assert_eq!(credit.amount, 54);
    assert_eq!(
        direct_entry_trigger(Reason::AccountClosed, Leg::Debit).map(|t| t.amount),
        Some(2)
    );
    // Documented for debits only.
    assert_eq!(
        direct_entry_trigger(Reason::InsufficientFunds, Leg::Credit),
        None
    );
}

#[test]
fn the_table_is_the_documented_one() {
    let triggers = sandbox::failure_triggers();
    let rows: Vec<(i64, &str, Leg)> = triggers
        .iter()
        .filter(|t| t.rail == Rail::DirectEntry)
        .map(|t| (t.amount, t.reason.as_str(), t.leg))
        .collect();
    assert_eq!(
        rows,
        [
            (1, "invalid_bsb_number", Leg::Debit),
            (51, "invalid_bsb_number", Leg::Credit),
            (2, "account_closed", Leg::Debit),
            (52, "account_closed", Leg::Credit),
            (3, "customer_deceased", Leg::Debit),
            (53, "customer_deceased", Leg::Credit),
            (4, "incorrect_account_number", Leg::Debit),
            (54, "incorrect_account_number", Leg::Credit),
            (5, "refer_to_split", Leg::Debit),
            (55, "refer_to_split", Leg::Credit),
            (6, "user_voided", Leg::Debit),
            (56, "user_voided", Leg::Credit),
            (7, "admin_voided", Leg::Debit),
            (57, "admin_voided", Leg::Credit),
            (10, "refer_to_customer", Leg::Debit),
            (11, "insufficient_funds", Leg::Debit),
            (12, "payment_stopped", Leg::Debit),
        ]
    );
    let amounts: HashSet<i64> = sandbox::failure_triggers()
        .iter()
        .map(|t| t.amount)
        .collect();
    assert_eq!(
        amounts.len(),
        sandbox::failure_triggers().len(),
        "amounts are unique"
    );
}

#[test]
fn npp_failures_from_a_float_account() {
    let refer: Vec<_> = npp_triggers(Reason::ReferToCustomer)
        .into_iter()
        .map(|t| (t.amount, t.details.unwrap()))
        .collect();
    assert_eq!(
        refer,
        [
            (160, "Real-time payment rejected by recipient"),
            (165, "Real-time payments not available for recipient"),
        ]
    );
    let unavailable = trigger_for_amount(155).unwrap();
    assert_eq!(unavailable.reason, Reason::ReferToSplit);
    assert_eq!(unavailable.rail, Rail::NewPaymentsPlatform);
    assert_eq!(unavailable.leg, Leg::Credit);
    assert_eq!(trigger_for_amount(100), None);
}

#[test]
fn failure_code_amounts() {
    let e201 = FAILURE_CODE_TRIGGERS
        .iter()
        .find(|t| t.code == "E201")
        .unwrap();
    assert_eq!((e201.amount, e201.title), (201, "Invalid BSB Number"));
    assert!(
        FAILURE_CODE_TRIGGERS
            .iter()
            .all(|t| t.code[1..] == t.amount.to_string())
    );
}
