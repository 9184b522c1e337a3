//! Your bank accounts and Zepto Float Accounts.

use crate::client::Client;
use crate::generated::models::BankAccount;
use crate::generated::operations::{self as ops, ListBankAccountsParams};
use crate::list::List;

/// Bank accounts (`client.bank_accounts()`).
#[derive(Debug, Clone)]
pub struct BankAccounts {
    client: Client,
}

impl BankAccounts {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Your linked bank accounts and Float Accounts (`GET /bank_accounts`).
    pub fn list(self) -> List<ListBankAccountsParams, BankAccount> {
        List::new(
            self.client,
            ListBankAccountsParams::default(),
            ops::list_bank_accounts_request,
        )
    }
}
