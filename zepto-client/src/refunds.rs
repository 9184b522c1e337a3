//! Refunds: returning funds you collected or received, as a new debit from your account.

use splitkit_common::{Error, IdempotencyKey};

use crate::client::Client;
use crate::generated::models::{
    IssueRefundRequest, Metadata, PaymentChannel, Refund, RefundResponse,
};
use crate::generated::operations::{self as ops, ListOutgoingRefundsParams};
use crate::list::List;
use crate::rules;

/// A Refund to issue with `POST /credits/{credit_ref}/refunds`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRefund {
    body: IssueRefundRequest,
    idempotency_key: Option<IdempotencyKey>,
}

impl NewRefund {
    /// Refunds `amount` cents (1 to 99 999 999 999).
    pub fn new(amount: i64) -> Self {
        Self {
            body: IssueRefundRequest {
                amount,
                channels: None,
                reason: None,
                your_bank_account_id: None,
                metadata: None,
            },
            idempotency_key: None,
        }
    }

    /// The payment channels, in order (see [`crate::payments::NewPayment::channels`]).
    pub fn channels(mut self, channels: impl IntoIterator<Item = PaymentChannel>) -> Self {
        self.body.channels = Some(channels.into_iter().collect());
        self
    }

    /// Why; both parties see its first 9 characters.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.body.reason = Some(reason.into());
        self
    }

    /// Where the funds come from (default: your primary bank account).
    pub fn your_bank_account_id(mut self, id: impl Into<String>) -> Self {
        self.body.your_bank_account_id = Some(id.into());
        self
    }

    /// Your own data, stored with the Refund.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Uses your own idempotency key instead of a new one per call.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Checks every documented rule.
    pub fn validate(&self) -> Result<(), Error> {
        rules::amount("amount", self.body.amount)?;
        if let Some(channels) = &self.body.channels {
            rules::channels("channels", channels)?;
        }
        Ok(())
    }

    /// The body that will be sent.
    pub fn body(&self) -> &IssueRefundRequest {
        &self.body
    }
}

/// Refunds (`client.refunds()`).
#[derive(Debug, Clone)]
pub struct Refunds {
    client: Client,
}

impl Refunds {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Refunds (part of) the credit `credit_ref`, e.g. `C.1gf22`
    /// (`POST /credits/{credit_ref}/refunds`), sending an `Idempotency-Key`.
    pub async fn create(self, credit_ref: &str, refund: NewRefund) -> Result<Refund, Error> {
        refund.validate()?;
        rules::not_empty("credit_ref", credit_ref)?;
        let mut call = ops::issue_refund_request(credit_ref, &refund.body)?;
        if let Some(key) = refund.idempotency_key {
            call = call.idempotency_key(key);
        }
        let created: RefundResponse = self.client.api().execute(call).await?;
        Ok(created.data)
    }

    /// Refunds you issued (`GET /refunds/outgoing`).
    pub fn list(self) -> List<ListOutgoingRefundsParams, Refund> {
        List::new(
            self.client,
            ListOutgoingRefundsParams::default(),
            ops::list_outgoing_refunds_request,
        )
    }

    /// One Refund by its reference, e.g. `PRF.7f4` (`GET /refunds/{refund_ref}`).
    pub async fn get(self, refund_ref: &str) -> Result<Refund, Error> {
        Ok(ops::get_refund(self.client.api(), refund_ref).await?.data)
    }
}
