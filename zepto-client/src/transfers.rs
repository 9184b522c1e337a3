//! Transfers between your own bank and Float accounts (topping up or withdrawing from a Float
//! Account, moving funds between Float Accounts).

use splitkit_common::{Error, IdempotencyKey, Timestamp};

use crate::client::Client;
use crate::generated::models::{CreateTransferRequest, Transfer, TransferResponse};
use crate::generated::operations::{self as ops, ListTransfersParams};
use crate::list::List;
use crate::rules;

/// A Transfer to create with `POST /transfers`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTransfer {
    body: CreateTransferRequest,
    idempotency_key: Option<IdempotencyKey>,
}

impl NewTransfer {
    /// Moves `amount` cents (1 to 99 999 999 999) from one of your accounts to another at
    /// `matures_at` (not earlier than the start of the current day).
    pub fn new(
        from_bank_account_id: impl Into<String>,
        to_bank_account_id: impl Into<String>,
        amount: i64,
        description: impl Into<String>,
        matures_at: Timestamp,
    ) -> Self {
        Self {
            body: CreateTransferRequest {
                from_bank_account_id: from_bank_account_id.into(),
                to_bank_account_id: to_bank_account_id.into(),
                amount,
                description: description.into(),
                matures_at,
            },
            idempotency_key: None,
        }
    }

    /// Uses your own idempotency key (for example one you stored before sending, so that a
    /// retry after a restart cannot move the funds twice). Without one, a new key is made per
    /// call and reused by its automatic retries.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Checks every documented rule; `client` supplies the clock and the account time zone.
    pub fn validate(&self, client: &Client) -> Result<(), Error> {
        rules::not_empty("from_bank_account_id", &self.body.from_bank_account_id)?;
        rules::not_empty("to_bank_account_id", &self.body.to_bank_account_id)?;
        rules::amount("amount", self.body.amount)?;
        rules::not_empty("description", &self.body.description)?;
        rules::not_before_today(
            "matures_at",
            self.body.matures_at,
            client.clock().now(),
            client.time_zone(),
        )
    }

    /// The body that will be sent.
    pub fn body(&self) -> &CreateTransferRequest {
        &self.body
    }
}

/// Transfers (`client.transfers()`).
#[derive(Debug, Clone)]
pub struct Transfers {
    client: Client,
}

impl Transfers {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Creates a Transfer (`POST /transfers`), sending the `Idempotency-Key` Zepto requires.
    ///
    /// Zepto keeps a key for 24 hours: the same key again does not move the funds twice. A `503`
    /// with `Retry-After` is retried after that delay with the same key.
    pub async fn create(self, transfer: NewTransfer) -> Result<Transfer, Error> {
        transfer.validate(&self.client)?;
        let mut request = ops::create_transfer_request(&transfer.body)?;
        if let Some(key) = transfer.idempotency_key {
            request = request.idempotency_key(key);
        }
        let created: TransferResponse = self.client.api().execute(request).await?;
        Ok(created.data)
    }

    /// Transfers (`GET /transfers`).
    pub fn list(self) -> List<ListTransfersParams, Transfer> {
        List::new(
            self.client,
            ListTransfersParams::default(),
            ops::list_transfers_request,
        )
    }

    /// One Transfer by its reference, e.g. `T.11ub` (`GET /transfers/{transfer_ref}`).
    pub async fn get(self, transfer_ref: &str) -> Result<Transfer, Error> {
        Ok(ops::get_transfer(self.client.api(), transfer_ref)
            .await?
            .data)
    }
}

impl List<ListTransfersParams, Transfer> {
    /// Only Transfers from this account.
    pub fn from_bank_account_id(mut self, id: impl Into<String>) -> Self {
        self.params.from_bank_account_id = Some(id.into());
        self
    }

    /// Only Transfers to this account.
    pub fn to_bank_account_id(mut self, id: impl Into<String>) -> Self {
        self.params.to_bank_account_id = Some(id.into());
        self
    }
}
