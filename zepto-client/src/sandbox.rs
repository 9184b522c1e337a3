//! The sandbox: simulated incoming payments (NPP to a PayID or an account number, Direct
//! Entry), and the amounts that make transactions fail.
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
    SimulateIncomingDePaymentRequest, SimulateIncomingNppBbanPaymentRequest,
    SimulateIncomingNppPayIdPaymentRequest, SimulateIncomingPayIdPaymentRequest,
    SimulatedPayIdPayment, TransactionFailureReason,
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

/// An incoming real-time PayID payment to simulate: a Receivable Contact pays `amount` cents to
/// their PayID (`POST /simulate/incoming_npp_payid_payment`).
///
/// Fields left unset are not sent and take Zepto's defaults: `payment_description` "Simulated
/// PayID payment", `payment_reference` "simulated-payid-payment", the payer's account
/// `014209` / `12345678`, `debtor_name` "Simulated Debtor", `debtor_legal_name` "Simulated
/// Debtor Pty Ltd".
///
/// ```
/// use zepto_client::sandbox::IncomingPayIdPayment;
///
/// let payment = IncomingPayIdPayment::new("hunter@pay.example.com", 10_000)
///     .payment_description("Invoice 1042")
///     .debtor_name("Hunter Thompson");
/// assert!(payment.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingPayIdPayment {
    body: SimulateIncomingNppPayIdPaymentRequest,
}

impl IncomingPayIdPayment {
    /// `amount` cents (1 to 99 999 999 999) paid to the PayID `payid_email` (6 to 256
    /// characters) of one of your Receivable Contacts.
    pub fn new(payid_email: impl Into<String>, amount: i64) -> Self {
        Self {
            body: SimulateIncomingNppPayIdPaymentRequest {
                payid_email: payid_email.into(),
                amount,
                payment_description: None,
                payment_reference: None,
                from_bsb: None,
                from_account_number: None,
                debtor_name: None,
                debtor_legal_name: None,
            },
        }
    }

    /// Checks the documented rules: the PayID's length, the amount, the payer's BSB (6 digits)
    /// and account number (1 to 9 digits), a printable-ASCII `debtor_name`.
    pub fn validate(&self) -> Result<(), Error> {
        let b = &self.body;
        let (min, max) = rules::PAYID_EMAIL_LENGTH;
        rules::length("payid_email", &b.payid_email, min, max, true)?;
        rules::amount("amount", b.amount)?;
        check_texts(&[
            ("payment_description", &b.payment_description),
            ("payment_reference", &b.payment_reference),
            ("debtor_legal_name", &b.debtor_legal_name),
        ])?;
        check_payer(&b.from_bsb, &b.from_account_number, &b.debtor_name)
    }

    /// The body that will be sent.
    pub fn body(&self) -> &SimulateIncomingNppPayIdPaymentRequest {
        &self.body
    }
}

/// An incoming real-time (NPP) payment to simulate, paid by BSB and account number to one of
/// your Receivable Contacts or to a float account (`POST /simulate/incoming_npp_bban_payment`).
///
/// Fields left unset are not sent and take Zepto's defaults: `payment_description` "Simulated
/// NPP payment", `payment_reference` "simulated-npp-payment", the payer's account `014209` /
/// `12345678`, `debtor_name` "Simulated Debtor", `debtor_legal_name` "Simulated Debtor Pty
/// Ltd".
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingNppPayment {
    body: SimulateIncomingNppBbanPaymentRequest,
}

impl IncomingNppPayment {
    /// `amount` cents (1 to 99 999 999 999) paid to the account `to_bsb` (6 digits; Zepto's
    /// accounts are usually `802919`) / `to_account_number` (1 to 9 digits).
    pub fn new(
        to_bsb: impl Into<String>,
        to_account_number: impl Into<String>,
        amount: i64,
    ) -> Self {
        Self {
            body: SimulateIncomingNppBbanPaymentRequest {
                to_bsb: to_bsb.into(),
                to_account_number: to_account_number.into(),
                amount,
                payment_description: None,
                payment_reference: None,
                from_bsb: None,
                from_account_number: None,
                debtor_name: None,
                debtor_legal_name: None,
            },
        }
    }

    /// Checks the documented rules: the accounts' BSBs (6 digits) and numbers (1 to 9 digits),
    /// the amount, a printable-ASCII `debtor_name`.
    pub fn validate(&self) -> Result<(), Error> {
        let b = &self.body;
        check_destination(&b.to_bsb, &b.to_account_number, b.amount)?;
        check_texts(&[
            ("payment_description", &b.payment_description),
            ("payment_reference", &b.payment_reference),
            ("debtor_legal_name", &b.debtor_legal_name),
        ])?;
        check_payer(&b.from_bsb, &b.from_account_number, &b.debtor_name)
    }

    /// The body that will be sent.
    pub fn body(&self) -> &SimulateIncomingNppBbanPaymentRequest {
        &self.body
    }
}

/// An incoming Direct Entry payment to simulate, paid to one of your Receivable Contacts or to
/// a float account (`POST /simulate/incoming_de_payment`).
///
/// Fields left unset are not sent and take Zepto's defaults: `payment_reference`
/// "simulated-de-pymt", the payer's account `014209` / `12345678`, `debtor_name` "Simulated
/// Debtor". Direct Entry carries less than NPP: a reference of at most 18 characters and a
/// payer name of 1 to 16.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingDirectEntryPayment {
    body: SimulateIncomingDePaymentRequest,
}

impl IncomingDirectEntryPayment {
    /// `amount` cents (1 to 99 999 999 999) paid to the account `to_bsb` (6 digits; Zepto's
    /// accounts are usually `802919`) / `to_account_number` (1 to 9 digits).
    pub fn new(
        to_bsb: impl Into<String>,
        to_account_number: impl Into<String>,
        amount: i64,
    ) -> Self {
        Self {
            body: SimulateIncomingDePaymentRequest {
                to_bsb: to_bsb.into(),
                to_account_number: to_account_number.into(),
                amount,
                payment_reference: None,
                from_bsb: None,
                from_account_number: None,
                debtor_name: None,
            },
        }
    }

    /// Checks the documented rules: the accounts' BSBs (6 digits) and numbers (1 to 9 digits),
    /// the amount, a `payment_reference` of at most 18 characters, a `debtor_name` of 1 to 16
    /// printable-ASCII characters.
    pub fn validate(&self) -> Result<(), Error> {
        let b = &self.body;
        check_destination(&b.to_bsb, &b.to_account_number, b.amount)?;
        check_texts(&[("payment_reference", &b.payment_reference)])?;
        if let Some(reference) = &b.payment_reference {
            rules::length(
                "payment_reference",
                reference,
                1,
                rules::MAX_DE_PAYMENT_REFERENCE,
                false,
            )?;
        }
        if let Some(name) = &b.debtor_name {
            let (min, max) = rules::DE_DEBTOR_NAME_LENGTH;
            rules::length("debtor_name", name, min, max, true)?;
        }
        check_payer(&b.from_bsb, &b.from_account_number, &b.debtor_name)
    }

    /// The body that will be sent.
    pub fn body(&self) -> &SimulateIncomingDePaymentRequest {
        &self.body
    }
}

/// The setters every simulated incoming payment has.
macro_rules! payer_setters {
    ($($ty:ty),*) => {$(
        impl $ty {
            /// The payer's reference (see the type's docs for its limit and Zepto's default).
            pub fn payment_reference(mut self, reference: impl Into<String>) -> Self {
                self.body.payment_reference = Some(reference.into());
                self
            }

            /// The payer's account: `bsb` (6 digits) and `account_number` (1 to 9 digits).
            /// Zepto's default is `014209` / `12345678`.
            pub fn from_account(
                mut self,
                bsb: impl Into<String>,
                account_number: impl Into<String>,
            ) -> Self {
                self.body.from_bsb = Some(bsb.into());
                self.body.from_account_number = Some(account_number.into());
                self
            }

            /// The payer's name, printable ASCII. Zepto's default is "Simulated Debtor".
            pub fn debtor_name(mut self, name: impl Into<String>) -> Self {
                self.body.debtor_name = Some(name.into());
                self
            }
        }
    )*};
}

/// The setters of the real-time (NPP) simulations.
macro_rules! npp_setters {
    ($($ty:ty),*) => {$(
        impl $ty {
            /// What the payer wrote with the payment (see the type's docs for Zepto's default).
            pub fn payment_description(mut self, description: impl Into<String>) -> Self {
                self.body.payment_description = Some(description.into());
                self
            }

            /// The payer's legal name. Zepto's default is "Simulated Debtor Pty Ltd".
            pub fn debtor_legal_name(mut self, name: impl Into<String>) -> Self {
                self.body.debtor_legal_name = Some(name.into());
                self
            }
        }
    )*};
}

payer_setters!(
    IncomingPayIdPayment,
    IncomingNppPayment,
    IncomingDirectEntryPayment
);
npp_setters!(IncomingPayIdPayment, IncomingNppPayment);

/// The account paid to and the amount.
fn check_destination(bsb: &str, account_number: &str, amount: i64) -> Result<(), Error> {
    rules::bsb("to_bsb", bsb)?;
    rules::account_number("to_account_number", account_number)?;
    rules::amount("amount", amount)
}

/// Optional texts, when given, are not empty.
fn check_texts(texts: &[(&str, &Option<String>)]) -> Result<(), Error> {
    for (field, value) in texts {
        if let Some(value) = value {
            rules::not_empty(field, value)?;
        }
    }
    Ok(())
}

/// The payer's account and name, when given.
fn check_payer(
    from_bsb: &Option<String>,
    from_account_number: &Option<String>,
    debtor_name: &Option<String>,
) -> Result<(), Error> {
    if let Some(bsb) = from_bsb {
        rules::bsb("from_bsb", bsb)?;
    }
    if let Some(number) = from_account_number {
        rules::account_number("from_account_number", number)?;
    }
    if let Some(name) = debtor_name {
        rules::not_empty("debtor_name", name)?;
        rules::printable_ascii("debtor_name", name)?;
    }
    Ok(())
}

/// Sandbox-only calls (`client.sandbox()`).
///
/// The simulations of incoming payments are those of Zepto's current API document (NPP PayID,
/// NPP to a BSB and account number, Direct Entry). The older `incoming_payid_payment`
/// simulation stays reachable as the deprecated
/// [`Sandbox::simulate_incoming_payid_payment`]. Every call is refused, before anything is
/// sent, on a client built for a production environment.
#[derive(Debug, Clone)]
pub struct Sandbox {
    client: Client,
}

impl Sandbox {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    fn sandbox_only(&self, operation: &str) -> Result<(), Error> {
        use crate::client::Environment;
        if matches!(
            self.client.environment(),
            Environment::Production | Environment::SplitProduction | Environment::NzProduction
        ) {
            return Err(Error::Config(format!(
                "{operation} exists only in the sandbox"
            )));
        }
        Ok(())
    }

    /// Simulates a Receivable Contact paying to their PayID in real time
    /// (`POST /simulate/incoming_npp_payid_payment`). Zepto then creates an approved
    /// receivable Payment Request, its credit, and the usual webhooks.
    pub async fn simulate_npp_payid_payment(
        self,
        payment: IncomingPayIdPayment,
    ) -> Result<(), Error> {
        self.sandbox_only("simulate_npp_payid_payment")?;
        payment.validate()?;
        ops::simulate_incoming_npp_pay_id_payment(self.client.api(), &payment.body).await
    }

    /// Simulates a real-time payment to a BSB and account number: a Receivable Contact's, or
    /// a float account's (`POST /simulate/incoming_npp_bban_payment`).
    pub async fn simulate_npp_payment(self, payment: IncomingNppPayment) -> Result<(), Error> {
        self.sandbox_only("simulate_npp_payment")?;
        payment.validate()?;
        ops::simulate_incoming_npp_bban_payment(self.client.api(), &payment.body).await
    }

    /// Simulates a Direct Entry payment to a BSB and account number: a Receivable Contact's,
    /// or a float account's (`POST /simulate/incoming_de_payment`).
    pub async fn simulate_de_payment(
        self,
        payment: IncomingDirectEntryPayment,
    ) -> Result<(), Error> {
        self.sandbox_only("simulate_de_payment")?;
        payment.validate()?;
        ops::simulate_incoming_de_payment(self.client.api(), &payment.body).await
    }

    /// Simulates a Receivable Contact paying `amount` cents (1 to 99 999 999 999) to their
    /// PayID `payid_email` with the older simulation (`POST /simulate/incoming_payid_payment`).
    ///
    /// Not in Zepto's current API document; may be retired: it was replaced by
    /// [`Sandbox::simulate_npp_payid_payment`].
    #[deprecated = "Zepto replaced POST /simulate/incoming_payid_payment: use `simulate_npp_payid_payment`"]
    pub async fn simulate_incoming_payid_payment(
        self,
        payid_email: &str,
        amount: i64,
    ) -> Result<SimulatedPayIdPayment, Error> {
        self.sandbox_only("simulate_incoming_payid_payment")?;
        let (min, max) = rules::PAYID_EMAIL_LENGTH;
        rules::length("payid_email", payid_email, min, max, true)?;
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
