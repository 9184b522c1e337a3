//! Single payouts of a Payment: voiding one before it matures, and the deprecated retry of a
//! prefailed Payment Request.

use splitkit_common::Error;

use crate::client::Client;
use crate::generated::models::{Transaction, VoidPayoutRequest};
use crate::generated::operations as ops;
use crate::rules;

/// Payouts (`client.payouts()`).
#[derive(Debug, Clone)]
pub struct Payouts {
    client: Client,
}

impl Payouts {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Voids a payout that has not matured yet, by its debit reference, e.g. `D.48`
    /// (`POST /payouts/{ref}/void`, the path of Zepto's current API document).
    pub async fn void(self, debit_ref: &str) -> Result<(), Error> {
        self.send_void(debit_ref, VoidPayoutRequest::default())
            .await
    }

    /// Voids a payout that has not matured yet and says why: `details` is kept as the
    /// voided transactions' `failure_details` (`POST /payouts/{ref}/void`).
    pub async fn void_with_details(self, debit_ref: &str, details: &str) -> Result<(), Error> {
        rules::not_empty("details", details)?;
        let body = VoidPayoutRequest {
            details: Some(details.to_owned()),
        };
        self.send_void(debit_ref, body).await
    }

    async fn send_void(&self, debit_ref: &str, body: VoidPayoutRequest) -> Result<(), Error> {
        rules::not_empty("ref", debit_ref)?;
        ops::void_payout_with_details(self.client.api(), debit_ref, &body).await
    }

    /// Voids a payout with the path of Zepto's older API reference, `DELETE /payouts/{ref}`,
    /// which cannot carry `details`.
    #[deprecated = "the path of Zepto's older API reference: use `void` (POST /payouts/{ref}/void)"]
    pub async fn void_by_delete(self, debit_ref: &str) -> Result<(), Error> {
        rules::not_empty("ref", debit_ref)?;
        ops::void_payout(self.client.api(), debit_ref).await
    }

    /// Retries a prefailed Payment Request by its credit reference, e.g. `C.2`
    /// (`POST /payouts/{ref}/retry`).
    ///
    /// Not in Zepto's current API document; may be retired.
    #[deprecated = "Zepto deprecated this endpoint: create a new Payment Request instead"]
    pub async fn retry(self, credit_ref: &str) -> Result<Transaction, Error> {
        Ok(ops::retry_payout(self.client.api(), credit_ref).await?.data)
    }
}
