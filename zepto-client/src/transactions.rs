//! Transactions: every past, current and future debit and credit of your account.
//!
//! Without date filters Zepto returns the last 30 days; set
//! [`List::min_created_date`] to look further back (up to a year).

use splitkit_common::{Error, Timestamp};

use crate::client::Client;
use crate::generated::models::{
    Transaction, TransactionCategory, TransactionStatus, TransactionType,
};
use crate::generated::operations::{self as ops, ListTransactionsParams};
use crate::list::List;

/// Transactions (`client.transactions()`).
#[derive(Debug, Clone)]
pub struct Transactions {
    client: Client,
}

impl Transactions {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Transactions (`GET /transactions`), filtered by the methods of the list.
    pub fn list(self) -> List<ListTransactionsParams, Transaction> {
        List::new(
            self.client,
            ListTransactionsParams::default(),
            ops::list_transactions_request,
        )
        .with_check(check_filters)
    }
}

/// `other_party` and `party_contact_id` "cannot be combined with `both_parties`".
fn check_filters(params: &ListTransactionsParams) -> Result<(), Error> {
    if params.both_parties.is_some() {
        if params.other_party.is_some() {
            return Err(Error::validation(
                "other_party",
                "cannot be combined with both_parties",
            ));
        }
        if params.party_contact_id.is_some() {
            return Err(Error::validation(
                "party_contact_id",
                "cannot be combined with both_parties",
            ));
        }
    }
    Ok(())
}

impl List<ListTransactionsParams, Transaction> {
    /// The transaction with this reference, e.g. `D.1i` or `C.2`.
    pub fn transaction_ref(mut self, reference: impl Into<String>) -> Self {
        self.params.ref_ = Some(reference.into());
        self
    }

    /// Transactions of this parent, e.g. a Payment `PB.1` or a Payment Request `PR.39p1`.
    pub fn parent_ref(mut self, reference: impl Into<String>) -> Self {
        self.params.parent_ref = Some(reference.into());
        self
    }

    /// The transaction with this bank reference, e.g. `DT.12`.
    pub fn bank_ref(mut self, reference: impl Into<String>) -> Self {
        self.params.bank_ref = Some(reference.into());
        self
    }

    /// Also lists the debits and credits applied to the other party. Cannot be combined with
    /// [`Self::other_party`] or [`Self::party_contact_id`].
    pub fn both_parties(mut self) -> Self {
        self.params.both_parties = Some(true);
        self
    }

    /// Only transactions in one of these statuses.
    pub fn status(mut self, statuses: impl IntoIterator<Item = TransactionStatus>) -> Self {
        self.params.status = Some(statuses.into_iter().collect());
        self
    }

    /// Only transactions of one of these categories.
    pub fn category(mut self, categories: impl IntoIterator<Item = TransactionCategory>) -> Self {
        self.params.category = Some(categories.into_iter().collect());
        self
    }

    /// Only debits, or only credits (or both when both are given).
    pub fn transaction_type(mut self, types: impl IntoIterator<Item = TransactionType>) -> Self {
        self.params.type_ = Some(types.into_iter().collect());
        self
    }

    /// Transactions whose other party's name contains `name`.
    pub fn other_party(mut self, name: impl Into<String>) -> Self {
        self.params.other_party = Some(name.into());
        self
    }

    /// The transaction with this bank reference of the other party, e.g. `CT.3a`.
    pub fn other_party_bank_ref(mut self, reference: impl Into<String>) -> Self {
        self.params.other_party_bank_ref = Some(reference.into());
        self
    }

    /// Transactions with this Contact.
    pub fn party_contact_id(mut self, id: impl Into<String>) -> Self {
        self.params.party_contact_id = Some(id.into());
        self
    }

    /// Transactions whose description contains `text`.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.params.description = Some(text.into());
        self
    }

    /// Only transactions of at least `cents`.
    pub fn min_amount(mut self, cents: i64) -> Self {
        self.params.min_amount = Some(cents);
        self
    }

    /// Only transactions of at most `cents`.
    pub fn max_amount(mut self, cents: i64) -> Self {
        self.params.max_amount = Some(cents);
        self
    }

    /// Created at or after `at`.
    pub fn min_created_date(mut self, at: Timestamp) -> Self {
        self.params.min_created_date = Some(at);
        self
    }

    /// Created at or before `at`.
    pub fn max_created_date(mut self, at: Timestamp) -> Self {
        self.params.max_created_date = Some(at);
        self
    }

    /// Matured at or after `at`.
    pub fn min_matured_date(mut self, at: Timestamp) -> Self {
        self.params.min_matured_date = Some(at);
        self
    }

    /// Matured at or before `at`.
    pub fn max_matured_date(mut self, at: Timestamp) -> Self {
        self.params.max_matured_date = Some(at);
        self
    }

    /// Cleared at or after `at`.
    pub fn min_cleared_date(mut self, at: Timestamp) -> Self {
        self.params.min_cleared_date = Some(at);
        self
    }

    /// Cleared at or before `at`.
    pub fn max_cleared_date(mut self, at: Timestamp) -> Self {
        self.params.max_cleared_date = Some(at);
        self
    }

    /// Status changed at or after `at`.
    pub fn min_status_changed_date(mut self, at: Timestamp) -> Self {
        self.params.min_status_changed_date = Some(at);
        self
    }

    /// Status changed at or before `at`.
    pub fn max_status_changed_date(mut self, at: Timestamp) -> Self {
        self.params.max_status_changed_date = Some(at);
        self
    }
}
