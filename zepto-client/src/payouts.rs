//! Single payouts of a Payment: voiding one before it matures, and the deprecated retry of a
//! prefailed Payment Request.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::Transaction;
use crate::generated::operations as ops;

/// Payouts (`client.payouts()`).
#[derive(Debug, Clone, Copy)]
pub struct Payouts<'a> {
    client: &'a Client,
}

impl<'a> Payouts<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Voids a payout that has not matured yet, by its debit reference, e.g. `D.48`
    /// (`DELETE /payouts/{ref}`).
    pub async fn void(&self, debit_ref: &str) -> Result<(), Error> {
        ops::void_payout(self.client.api(), debit_ref).await
    }

    /// Retries a prefailed Payment Request by its credit reference, e.g. `C.2`
    /// (`POST /payouts/{ref}/retry`).
    #[deprecated = "Zepto deprecated this endpoint: create a new Payment Request instead"]
    pub async fn retry(&self, credit_ref: &str) -> Result<Transaction, Error> {
        Ok(ops::retry_payout(self.client.api(), credit_ref).await?.data)
    }
}
