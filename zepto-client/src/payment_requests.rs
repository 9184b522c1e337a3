//! Payment Requests: collecting funds by direct debit from a Contact with an accepted
//! Agreement, and the records of funds Receivable Contacts sent you (always `approved`).

use splitkit_common::{Error, IdempotencyKey, Timestamp};

use crate::client::Client;
use crate::generated::models::{
    CreatePaymentRequestRequest, Metadata, PaymentRequest, PaymentRequestResponse,
};
use crate::generated::operations::{
    self as ops, ListPaymentRequestCollectionsParams, ListPaymentRequestReceivablesParams,
};
use crate::list::List;
use crate::rules;

/// A Payment Request to create with `POST /payment_requests`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPaymentRequest {
    body: CreatePaymentRequestRequest,
    idempotency_key: Option<IdempotencyKey>,
}

impl NewPaymentRequest {
    /// Requests `amount` cents (1 to 99 999 999 999) from the Contact `authoriser_contact_id`,
    /// debited at `matures_at` once approved (straight away if approved later). The authoriser
    /// sees the first 9 characters of `description`.
    pub fn new(
        authoriser_contact_id: impl Into<String>,
        amount: i64,
        description: impl Into<String>,
        matures_at: Timestamp,
    ) -> Self {
        Self {
            body: CreatePaymentRequestRequest {
                description: description.into(),
                matures_at,
                amount,
                authoriser_contact_id: authoriser_contact_id.into(),
                your_bank_account_id: None,
                metadata: None,
            },
            idempotency_key: None,
        }
    }

    /// Where the funds settle (default: your primary bank account).
    pub fn your_bank_account_id(mut self, id: impl Into<String>) -> Self {
        self.body.your_bank_account_id = Some(id.into());
        self
    }

    /// Your own data, stored with the Payment Request.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// The remitter name the debited party sees (3 to 16 characters), sent as
    /// `metadata.remitter`.
    pub fn remitter(mut self, remitter: impl Into<String>) -> Self {
        self.body.metadata.get_or_insert_with(Metadata::new).insert(
            "remitter".into(),
            serde_json::Value::String(remitter.into()),
        );
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
        rules::not_empty("description", &self.body.description)?;
        rules::not_empty("authoriser_contact_id", &self.body.authoriser_contact_id)?;
        rules::remitter("", self.body.metadata.as_ref())
    }

    /// The body that will be sent.
    pub fn body(&self) -> &CreatePaymentRequestRequest {
        &self.body
    }
}

/// Payment Requests (`client.payment_requests()`).
#[derive(Debug, Clone)]
pub struct PaymentRequests {
    client: Client,
}

impl PaymentRequests {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Requests a payment (`POST /payment_requests`), sending an `Idempotency-Key`. Within the
    /// terms of an accepted Agreement it is approved automatically; otherwise Zepto refuses it.
    pub async fn create(self, request: NewPaymentRequest) -> Result<PaymentRequest, Error> {
        request.validate()?;
        let mut call = ops::create_payment_request_request(&request.body)?;
        if let Some(key) = request.idempotency_key {
            call = call.idempotency_key(key);
        }
        let created: PaymentRequestResponse = self.client.api().execute(call).await?;
        Ok(created.data)
    }

    /// One Payment Request by its reference, e.g. `PR.39p1` (`GET /payment_requests/{ref}`).
    pub async fn get(self, payment_request_ref: &str) -> Result<PaymentRequest, Error> {
        Ok(
            ops::get_payment_request(self.client.api(), payment_request_ref)
                .await?
                .data,
        )
    }

    /// Cancels a Payment Request that has not matured (`DELETE /payment_requests/{ref}`).
    pub async fn cancel(self, payment_request_ref: &str) -> Result<(), Error> {
        ops::cancel_payment_request(self.client.api(), payment_request_ref).await
    }

    /// Payment Requests you sent: collections (`GET /payment_requests/collections`).
    pub fn list_collections(self) -> List<ListPaymentRequestCollectionsParams, PaymentRequest> {
        List::new(
            self.client,
            ListPaymentRequestCollectionsParams::default(),
            ops::list_payment_request_collections_request,
        )
    }

    /// Payment Requests created by funds sent to you, e.g. through a PayID: receivables
    /// (`GET /payment_requests/receivables`).
    pub fn list_receivables(self) -> List<ListPaymentRequestReceivablesParams, PaymentRequest> {
        List::new(
            self.client,
            ListPaymentRequestReceivablesParams::default(),
            ops::list_payment_request_receivables_request,
        )
    }
}
