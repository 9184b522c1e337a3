//! Payments: paying your Contacts.
//!
//! A Payment holds exactly one Payout (Zepto no longer accepts several). It has no status of its
//! own; its Payout moves through the transaction lifecycle (`maturing` ... `cleared`), which
//! webhooks (`debit.*`, `debtor_credit.*`) and [`crate::transactions`] report.

use splitkit_common::{Error, IdempotencyKey, Timestamp};

use crate::client::Client;
use crate::generated::models::{
    CategoryPurposeCode, CreatePaymentRequest, Metadata, Payment, PaymentChannel, PaymentResponse,
    PayoutRequest,
};
use crate::generated::operations::{self as ops, ListPaymentsParams};
use crate::list::List;
use crate::rules;

/// The Payout of a [`NewPayment`]: who is paid, how much, and what they see.
#[derive(Debug, Clone, PartialEq)]
pub struct Payout {
    body: PayoutRequest,
}

impl Payout {
    /// Pays `amount` cents (1 to 99 999 999 999) to the Contact `recipient_contact_id`
    /// (`Contact.data.id`). The recipient sees `description`: its first 9 characters over Direct
    /// Entry, its first 280 over NPP.
    pub fn new(
        recipient_contact_id: impl Into<String>,
        amount: i64,
        description: impl Into<String>,
    ) -> Self {
        Self {
            body: PayoutRequest {
                amount,
                description: description.into(),
                recipient_contact_id: recipient_contact_id.into(),
                category_purpose_code: None,
                end_to_end_id: None,
                metadata: None,
            },
        }
    }

    /// Your own data, stored against the transactions and sent back in webhooks. Values may be
    /// any JSON (`{"invoice_id": 123}`).
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.body.metadata = Some(metadata);
        self
    }

    /// Marks the payout as a salary (`SALA`), superannuation (`PENS`) or tax (`TAXS`) payment
    /// (ISO 20022 category purpose), with the `end_to_end_id` such a payment needs: the
    /// employee reference for salary, the Payment Reference Number for superannuation or tax
    /// (at most 35 characters).
    pub fn category_purpose(
        mut self,
        code: CategoryPurposeCode,
        end_to_end_id: impl Into<String>,
    ) -> Self {
        self.body.category_purpose_code = Some(code);
        self.body.end_to_end_id = Some(end_to_end_id.into());
        self
    }

    /// An end-to-end ID (at most 35 characters) that travels with the payment, without a
    /// category purpose.
    pub fn end_to_end_id(mut self, end_to_end_id: impl Into<String>) -> Self {
        self.body.end_to_end_id = Some(end_to_end_id.into());
        self
    }

    fn validate(&self, index: usize) -> Result<(), Error> {
        let at = |field: &str| format!("payouts[{index}].{field}");
        let b = &self.body;
        rules::amount(&at("amount"), b.amount)?;
        rules::not_empty(&at("description"), &b.description)?;
        rules::not_empty(&at("recipient_contact_id"), &b.recipient_contact_id)?;
        if let Some(CategoryPurposeCode::Unknown(code)) = &b.category_purpose_code {
            return Err(rules::unknown_value(&at("category_purpose_code"), code));
        }
        // `category_purpose` sets the code together with its ID, so a code always has one.
        if let Some(id) = &b.end_to_end_id {
            rules::not_empty(&at("end_to_end_id"), id)?;
            rules::length(&at("end_to_end_id"), id, 1, rules::MAX_END_TO_END_ID, false)?;
        }
        rules::remitter(&format!("payouts[{index}]."), b.metadata.as_ref())
    }
}

/// A Payment to create with `POST /payments`.
///
/// ```
/// use zepto_client::payments::{NewPayment, Payout};
/// use zepto_client::models::PaymentChannel;
/// use zepto_client::Timestamp;
///
/// let payment = NewPayment::new("The SuperPackage", Timestamp::parse("2030-06-13T00:00:00Z")?)
///     .channels([PaymentChannel::NewPaymentsPlatform, PaymentChannel::DirectEntry])
///     .payout(Payout::new("48b89364-1577-4c81-ba02-96705895d457", 30_000, "A tandem skydive jump"))
///     .remitter("SkyDive Co");
/// # Ok::<(), zepto_client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayment {
    description: String,
    matures_at: Timestamp,
    your_bank_account_id: Option<String>,
    channels: Vec<PaymentChannel>,
    payouts: Vec<Payout>,
    metadata: Option<Metadata>,
    idempotency_key: Option<IdempotencyKey>,
}

impl NewPayment {
    /// A Payment described (to you only) as `description`, processed at `matures_at` (not
    /// earlier than the start of the current day). Add its Payout with [`Self::payout`] and its
    /// channels with [`Self::channels`].
    pub fn new(description: impl Into<String>, matures_at: Timestamp) -> Self {
        Self {
            description: description.into(),
            matures_at,
            your_bank_account_id: None,
            channels: Vec::new(),
            payouts: Vec::new(),
            metadata: None,
            idempotency_key: None,
        }
    }

    /// The payment channels, in order: `[NewPaymentsPlatform]` (real time), `[DirectEntry]`
    /// (BECS), or `[NewPaymentsPlatform, DirectEntry]` (NPP, switching to Direct Entry if NPP
    /// fails).
    pub fn channels(mut self, channels: impl IntoIterator<Item = PaymentChannel>) -> Self {
        self.channels = channels.into_iter().collect();
        self
    }

    /// The Payout. A Payment takes exactly one.
    pub fn payout(mut self, payout: Payout) -> Self {
        self.payouts.push(payout);
        self
    }

    /// Where the funds come from (default: your primary bank account). For real-time payments
    /// from an NPP-enabled Float Account, the Float Account's ID.
    pub fn your_bank_account_id(mut self, id: impl Into<String>) -> Self {
        self.your_bank_account_id = Some(id.into());
        self
    }

    /// Your own data, stored with the Payment.
    pub fn metadata(mut self, metadata: Metadata) -> Self {
        self.metadata = Some(metadata);
        self
    }

    /// The remitter name the recipient sees (3 to 16 characters), sent as `metadata.remitter`.
    pub fn remitter(mut self, remitter: impl Into<String>) -> Self {
        self.metadata.get_or_insert_with(Metadata::new).insert(
            "remitter".into(),
            serde_json::Value::String(remitter.into()),
        );
        self
    }

    /// Uses your own idempotency key (for example one you stored before sending, so that a
    /// retry after a restart cannot pay twice). Without one, a new key is made per call and
    /// reused by its automatic retries.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// Checks every documented rule; `client` supplies the clock and the account time zone.
    pub fn validate(&self, client: &Client) -> Result<(), Error> {
        rules::not_empty("description", &self.description)?;
        rules::not_before_today(
            "matures_at",
            self.matures_at,
            client.clock().now(),
            client.time_zone(),
        )?;
        rules::channels("channels", &self.channels)?;
        if self.payouts.len() != 1 {
            return Err(Error::validation(
                "payouts",
                format!(
                    "a Payment takes exactly one Payout, got {}",
                    self.payouts.len()
                ),
            ));
        }
        for (index, payout) in self.payouts.iter().enumerate() {
            payout.validate(index)?;
        }
        rules::remitter("", self.metadata.as_ref())
    }

    /// The body that will be sent.
    pub fn body(&self) -> CreatePaymentRequest {
        CreatePaymentRequest {
            description: self.description.clone(),
            matures_at: self.matures_at,
            your_bank_account_id: self.your_bank_account_id.clone(),
            channels: self.channels.clone(),
            payouts: self.payouts.iter().map(|p| p.body.clone()).collect(),
            metadata: self.metadata.clone(),
        }
    }
}

/// Payments (`client.payments()`).
#[derive(Debug, Clone)]
pub struct Payments {
    client: Client,
}

impl Payments {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Makes a Payment (`POST /payments`), sending an `Idempotency-Key`.
    ///
    /// A reused key answers [`Error::IdempotencyConflict`] with the reference of the Payment
    /// that key already created; a `503` with `Retry-After` (a concurrent duplicate) is retried
    /// after that delay with the same key.
    pub async fn create(self, payment: NewPayment) -> Result<Payment, Error> {
        payment.validate(&self.client)?;
        let mut request = ops::build_create_payment_request(&payment.body())?;
        if let Some(key) = payment.idempotency_key {
            request = request.idempotency_key(key);
        }
        let created: PaymentResponse = self.client.api().execute(request).await?;
        Ok(created.data)
    }

    /// Payments (`GET /payments`).
    pub fn list(self) -> List<ListPaymentsParams, Payment> {
        List::new(
            self.client,
            ListPaymentsParams::default(),
            ops::list_payments_request,
        )
    }

    /// One Payment by its reference, e.g. `PB.1` (`GET /payments/{payment_ref}`).
    pub async fn get(self, payment_ref: &str) -> Result<Payment, Error> {
        Ok(ops::get_payment(self.client.api(), payment_ref).await?.data)
    }
}
