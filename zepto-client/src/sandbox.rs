//! The sandbox: simulated PayID payments, and the amounts that make transactions fail.
//!
//! The sandbox processes transactions on a one-minute cycle and talks to no bank. A Payment or
//! Payment Request for one of the documented trigger amounts fails the way a real one would,
//! so a test suite can ask for "a payment that fails with `insufficient_funds`":
//!
//! ```
//! use zepto_client::models::TransactionFailureReason;
//! use zepto_client::sandbox::{self, Leg};
//!
//! let trigger = sandbox::direct_entry_trigger(TransactionFailureReason::InsufficientFunds, Leg::Debit)
//!     .expect("documented");
//! assert_eq!(trigger.amount, 11); // $0.11: Zepto fails to debit your account
//! ```

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{
    SimulateIncomingPayIdPaymentRequest, SimulatedPayIdPayment, TransactionFailureReason,
};
use crate::generated::operations as ops;
use crate::rules;

/// Which transaction of a Payment or Payment Request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Leg {
    /// The debit (from your account for a Payment, from the Contact for a Payment Request).
    Debit,
    /// The credit (to the recipient of a Payment).
    Credit,
}

/// The rail a simulated failure happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rail {
    /// Direct Entry (BECS): Payments and Payment Requests.
    DirectEntry,
    /// The New Payments Platform: Payments made from an NPP-enabled Float Account.
    NewPaymentsPlatform,
}

/// One documented sandbox amount that fails a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureTrigger {
    /// The amount to send, in cents.
    pub amount: i64,
    /// The `failure_reason` the failed transaction carries.
    pub reason: TransactionFailureReason,
    /// Which transaction fails.
    pub leg: Leg,
    /// The rail.
    pub rail: Rail,
    /// The `failure_details` Zepto documents for it, if any.
    pub details: Option<&'static str>,
}

const fn de(amount: i64, reason: TransactionFailureReason, leg: Leg) -> FailureTrigger {
    FailureTrigger {
        amount,
        reason,
        leg,
        rail: Rail::DirectEntry,
        details: None,
    }
}

const fn npp(
    amount: i64,
    reason: TransactionFailureReason,
    details: &'static str,
) -> FailureTrigger {
    FailureTrigger {
        amount,
        reason,
        leg: Leg::Credit,
        rail: Rail::NewPaymentsPlatform,
        details: Some(details),
    }
}

/// Every failure-trigger amount of the sandbox reference ("DE Transaction failures" and "NPP
/// Payment failures"), in the order the reference lists them.
pub fn failure_triggers() -> Vec<FailureTrigger> {
    use Leg::{Credit, Debit};
    use TransactionFailureReason as R;
    vec![
        de(1, R::InvalidBsbNumber, Debit),
        de(51, R::InvalidBsbNumber, Credit),
        de(2, R::AccountClosed, Debit),
        de(52, R::AccountClosed, Credit),
        de(3, R::CustomerDeceased, Debit),
        de(53, R::CustomerDeceased, Credit),
        de(4, R::IncorrectAccountNumber, Debit),
        de(54, R::IncorrectAccountNumber, Credit),
        de(5, R::ReferToSplit, Debit),
        de(55, R::ReferToSplit, Credit),
        de(6, R::UserVoided, Debit),
        de(56, R::UserVoided, Credit),
        de(7, R::AdminVoided, Debit),
        de(57, R::AdminVoided, Credit),
        de(10, R::ReferToCustomer, Debit),
        de(11, R::InsufficientFunds, Debit),
        de(12, R::PaymentStopped, Debit),
        npp(
            155,
            R::ReferToSplit,
            "Real-time payment service currently unavailable",
        ),
        npp(
            160,
            R::ReferToCustomer,
            "Real-time payment rejected by recipient",
        ),
        npp(
            165,
            R::ReferToCustomer,
            "Real-time payments not available for recipient",
        ),
    ]
}

/// The Direct Entry amount that fails `leg` with `reason`, when the reference documents one.
pub fn direct_entry_trigger(reason: TransactionFailureReason, leg: Leg) -> Option<FailureTrigger> {
    failure_triggers()
        .into_iter()
        .find(|t| t.rail == Rail::DirectEntry && t.leg == leg && t.reason == reason)
}

/// The amounts that fail an NPP payment from a Float Account with `reason` (two amounts fail
/// with `refer_to_customer`, with different details).
pub fn npp_triggers(reason: TransactionFailureReason) -> Vec<FailureTrigger> {
    failure_triggers()
        .into_iter()
        .filter(|t| t.rail == Rail::NewPaymentsPlatform && t.reason == reason)
        .collect()
}

/// The trigger an amount sets off, if it is one.
pub fn trigger_for_amount(amount: i64) -> Option<FailureTrigger> {
    failure_triggers().into_iter().find(|t| t.amount == amount)
}

/// A newer sandbox amount that fails a Direct Entry debit with a `failure_code` (help centre
/// article "Transaction failure responses"); whether an account gets these or the
/// `failure_reason` amounts above depends on its platform version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCodeTrigger {
    /// The amount to send, in cents.
    pub amount: i64,
    /// The `failure_code`.
    pub code: &'static str,
    /// The `failure_title`.
    pub title: &'static str,
}

/// The `failure_code` trigger amounts ($2.01 to $2.09; E207 is not documented).
pub const FAILURE_CODE_TRIGGERS: &[FailureCodeTrigger] = &[
    FailureCodeTrigger {
        amount: 201,
        code: "E201",
        title: "Invalid BSB Number",
    },
    FailureCodeTrigger {
        amount: 202,
        code: "E202",
        title: "Payment Stopped",
    },
    FailureCodeTrigger {
        amount: 203,
        code: "E203",
        title: "Account Closed",
    },
    FailureCodeTrigger {
        amount: 204,
        code: "E204",
        title: "Customer Deceased",
    },
    FailureCodeTrigger {
        amount: 205,
        code: "E205",
        title: "Account Not Found",
    },
    FailureCodeTrigger {
        amount: 206,
        code: "E206",
        title: "Refer to Customer",
    },
    FailureCodeTrigger {
        amount: 208,
        code: "E208",
        title: "Invalid UserID",
    },
    FailureCodeTrigger {
        amount: 209,
        code: "E209",
        title: "Technically Invalid",
    },
];

/// The one BSB the sandbox refuses, to simulate adding an invalid BSB.
pub const INVALID_BSB: &str = "100000";

/// A sandbox account with special behaviour: add it as a Contact by nickname or bank details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialAccount {
    /// The Zepto nickname.
    pub nickname: &'static str,
    /// The BSB.
    pub branch_code: &'static str,
    /// The account number.
    pub account_number: &'static str,
}

/// Always accepts Agreements.
pub const ACCEPT_AGREEMENTS: SpecialAccount = SpecialAccount {
    nickname: "accept_agreements",
    branch_code: "900000",
    account_number: "99999",
};

/// Always declines Agreements.
pub const DECLINE_AGREEMENTS: SpecialAccount = SpecialAccount {
    nickname: "decline_agreements",
    branch_code: "900001",
    account_number: "99999",
};

/// Online-banking login for testing Instant Account Verification (works with any institution).
pub const IAV_LOGIN: (&str, &str) = ("12345678", "TestMyMoney");

/// The available balance, in cents, of every transactional account connected through Instant
/// Account Verification in the sandbox: Payment Requests above it prefail.
pub const IAV_AVAILABLE_BALANCE: i64 = 12_345;

/// Sandbox-only calls (`client.sandbox()`).
#[derive(Debug, Clone, Copy)]
pub struct Sandbox<'a> {
    client: &'a Client,
}

impl<'a> Sandbox<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Simulates a Receivable Contact paying `amount` cents (1 to 99 999 999 999) to their
    /// PayID `payid_email` (`POST /simulate/incoming_payid_payment`). Zepto then creates an
    /// approved receivable Payment Request and the usual webhooks.
    pub async fn simulate_incoming_payid_payment(
        &self,
        payid_email: &str,
        amount: i64,
    ) -> Result<SimulatedPayIdPayment, Error> {
        use crate::client::Environment;
        if matches!(
            self.client.environment(),
            Environment::Production | Environment::SplitProduction | Environment::NzProduction
        ) {
            return Err(Error::Config(
                "simulate_incoming_payid_payment exists only in the sandbox".into(),
            ));
        }
        rules::length("payid_email", payid_email, 6, 256, true)?;
        rules::amount("amount", amount)?;
        let body = SimulateIncomingPayIdPaymentRequest {
            payid_email: payid_email.to_owned(),
            amount,
        };
        Ok(
            ops::simulate_incoming_pay_id_payment(self.client.api(), &body)
                .await?
                .data,
        )
    }
}
