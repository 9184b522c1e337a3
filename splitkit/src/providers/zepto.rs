//! Zepto: a group payment is one Payment Request per participant, each a direct debit from a
//! Contact with an accepted Agreement, collected into your account.
//!
//! Zepto has no group object, no payment page and no expiry; what fits, and how:
//!
//! - **Create**: [`Split::Assigned`] (each [`Participant`](crate::Participant) with its amount)
//!   or [`Split::Equal`] (the total divided by the number of participants, the remainder on
//!   the first); participants are named by their Zepto Contact id
//!   ([`Participant::new`](crate::Participant::new)). Each Payment Request matures now,
//!   carries the description (payers see its first 9 characters), the metadata
//!   `splitkit_reference` (the merchant reference) and `splitkit_share` (its position), and an
//!   idempotency key derived from both (`IdempotencyKey::derive("splitkit.zepto",
//!   "<reference>#<position>")`): a repeated create finds the requests the first one made
//!   (Zepto answers 409 naming them) and returns the same group payment. Zepto does not compare
//!   the bodies, so a changed cart under the same reference finds the first requests too: use a
//!   new reference for a new cart. Zepto forgets keys after 24 hours. Requests are created one by one: when one fails, the error is returned
//!   and the ones before it stay; repeating the create finds them and goes on. Payers see the
//!   description, not the cart's lines. Return URLs, an expiry and an organizer have no place
//!   in Zepto and are refused; the currency is the account's (AUD, or NZD for
//!   [`ZeptoProvider::currency`]).
//! - **Id**: the Payment Request references joined by commas (`PR.1,PR.2`); treat it as opaque.
//! - **Read**: each Payment Request and the transactions under it (your credit): a share is
//!   paid when its credit has `cleared`, failed when the credit (or the debit before it) was
//!   `rejected`, `returned` or voided without a cancel, cancelled when the request was.
//! - **States**: every share paid → [`State::Funded`]; any failed → [`State::Failed`]; any
//!   cancelled → [`State::Cancelled`]; some paid → [`State::PartiallyPaid`]; else
//!   [`State::Open`]. Zepto payments never expire; refunds (of cleared credits) are left to
//!   `zepto_client::refunds`.
//! - **Cancel**: cancels every request (Zepto allows it while the debit is maturing or
//!   matured); every request is tried, and the first refusal is returned.
//! - **Events** are per share, never per group: `payment_request.added` →
//!   [`EventKind::Created`], `payment_request.cancelled` → [`EventKind::Cancelled`],
//!   `credit.cleared` of a request's credit → [`EventKind::SharePaid`], `creditor_debit.rejected`
//!   / `.returned` and `credit.rejected` / `.returned` → [`EventKind::Failed`], the other steps
//!   (`scheduled`, `maturing`, ..., `voided`) → [`EventKind::Other`]. Each update names the
//!   share (the request's reference) and the merchant reference (from the metadata); read the
//!   group with [`SplitProvider::get`] to see whether it is funded. Events about payments,
//!   contacts and other money are [`EventKind::Other`] without updates.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures_util::TryStreamExt;
use http::HeaderMap;
use splitkit_common::{Currency, IdempotencyKey, MinorUnits, Timestamp};
use zepto_client::WebhookVerifier;
use zepto_client::models::{
    Metadata, PaymentRequest, PaymentRequestStatus, Transaction, TransactionStatus, TransactionType,
};
use zepto_client::payment_requests::NewPaymentRequest;
use zepto_client::webhook::{EventBody, EventData};

use crate::capabilities::Capability;
use crate::error::{Error, provider};
use crate::event::{Event, EventKind, PaymentUpdate, ProviderEvent};
use crate::payment::{
    GroupPayment, NewGroupPayment, ProviderPayment, Share, ShareStatus, Split, State,
};
use crate::provider::{ProviderKind, SplitProvider};
use crate::providers::Reading;

const KIND: ProviderKind = ProviderKind::Zepto;

/// The idempotency-key namespace of Zepto Payment Requests made by this adapter.
pub const IDEMPOTENCY_NAMESPACE: &str = "splitkit.zepto";
/// The metadata key holding the merchant reference on each Payment Request.
pub const REFERENCE_KEY: &str = "splitkit_reference";
/// The metadata key holding the share's position on each Payment Request.
pub const SHARE_KEY: &str = "splitkit_share";

/// One participant's share: the Payment Request and the transactions under it (as read; empty
/// right after the create).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ZeptoShare {
    /// The Payment Request.
    pub request: PaymentRequest,
    /// Its transactions on your side (the credit).
    pub transactions: Vec<Transaction>,
}

impl ZeptoShare {
    /// Where this share stands.
    pub fn status(&self) -> ShareStatus {
        match &self.request.status {
            PaymentRequestStatus::Cancelled => return ShareStatus::Cancelled,
            PaymentRequestStatus::Declined => return ShareStatus::Failed,
            _ => {}
        }
        let mut status = ShareStatus::Pending;
        for t in &self.transactions {
            match (&t.type_, &t.status) {
                (TransactionType::Credit, TransactionStatus::Cleared) => {
                    status = ShareStatus::Paid;
                }
                (
                    _,
                    TransactionStatus::Rejected
                    | TransactionStatus::Returned
                    | TransactionStatus::Voided
                    | TransactionStatus::Prefailed,
                ) => return ShareStatus::Failed,
                _ => {}
            }
        }
        status
    }
}

/// The neutral state of a group of shares.
pub fn state(shares: &[ShareStatus]) -> State {
    let any = |s: ShareStatus| shares.contains(&s);
    if shares.is_empty() {
        State::Unknown
    } else if shares.iter().all(|s| *s == ShareStatus::Paid) {
        State::Funded
    } else if any(ShareStatus::Failed) {
        State::Failed
    } else if any(ShareStatus::Cancelled) {
        State::Cancelled
    } else if any(ShareStatus::Paid) {
        State::PartiallyPaid
    } else {
        State::Open
    }
}

/// The neutral API over a [`zepto_client::Client`].
#[derive(Clone)]
pub struct ZeptoProvider {
    client: zepto_client::Client,
    verifier: Option<WebhookVerifier>,
    currency: Currency,
}

impl fmt::Debug for ZeptoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZeptoProvider")
            .field("client", &self.client)
            .field("webhooks", &self.verifier.is_some())
            .field("currency", &self.currency)
            .finish()
    }
}

impl ZeptoProvider {
    /// Over `client`, for an Australian account (AUD).
    pub fn new(client: zepto_client::Client) -> Self {
        Self {
            client,
            verifier: None,
            currency: Currency::AUD,
        }
    }

    /// The account's currency: [`Currency::NZD`] for Zepto NZ. Carts in another currency are
    /// refused.
    pub fn currency(mut self, currency: Currency) -> Self {
        self.currency = currency;
        self
    }

    /// Verifies webhooks with `verifier` (the webhook's signature secret).
    pub fn webhooks(mut self, verifier: WebhookVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The Zepto client, for what the neutral API does not cover (refunds, contacts, ...).
    pub fn client(&self) -> &zepto_client::Client {
        &self.client
    }

    /// Each participant's amount.
    fn amounts(request: &NewGroupPayment, total: MinorUnits) -> Result<Vec<MinorUnits>, Error> {
        let participants = &request.participants;
        match request.split {
            Split::Assigned => Ok(participants
                .iter()
                .map(|p| p.amount.unwrap_or(MinorUnits::ZERO))
                .collect()),
            Split::Equal { .. } => {
                let n = i64::try_from(participants.len()).unwrap_or(i64::MAX).max(1);
                let share = total.get() / n;
                let remainder = total.get() % n;
                if share == 0 {
                    return Err(Error::invalid(
                        "participants",
                        format!("{total} cannot be split into {n} shares of at least 1"),
                    ));
                }
                Ok((0..participants.len())
                    .map(|i| MinorUnits::new(if i == 0 { share + remainder } else { share }))
                    .collect())
            }
            other => Err(Error::unsupported(
                KIND,
                other.capability(),
                "Zepto collects assigned or equal amounts from named participants",
            )),
        }
    }

    /// Creates a share, or finds the one an earlier create made with the same key.
    async fn create_share(&self, new: NewPaymentRequest) -> Result<PaymentRequest, Error> {
        match self.client.payment_requests().create(new).await {
            Ok(created) => Ok(created),
            Err(splitkit_common::Error::IdempotencyConflict {
                existing_resource: Some(existing),
                ..
            }) => self
                .client
                .payment_requests()
                .get(&existing)
                .await
                .map_err(provider(KIND)),
            Err(e) => Err(provider(KIND)(e)),
        }
    }

    async fn read_share(&self, reference: &str) -> Result<ZeptoShare, Error> {
        let request = self
            .client
            .payment_requests()
            .get(reference)
            .await
            .map_err(provider(KIND))?;
        let transactions = self
            .client
            .transactions()
            .list()
            .parent_ref(reference)
            .per_page(100)
            .stream()
            .try_collect()
            .await
            .map_err(provider(KIND))?;
        Ok(ZeptoShare {
            request,
            transactions,
        })
    }

    fn payment(&self, shares: Vec<ZeptoShare>) -> GroupPayment {
        let neutral: Vec<Share> = shares
            .iter()
            .map(|s| Share {
                id: Some(s.request.ref_.clone()),
                name: s.transactions.first().map(|t| t.party_name.clone()),
                amount: Some(MinorUnits::new(s.request.payout.amount)),
                status: s.status(),
                provider_status: s
                    .transactions
                    .iter()
                    .find(|t| t.type_ == TransactionType::Credit)
                    .map_or_else(|| s.request.status.to_string(), |t| t.status.to_string()),
            })
            .collect();
        let statuses: Vec<ShareStatus> = neutral.iter().map(|s| s.status).collect();
        let paid = neutral
            .iter()
            .filter(|s| s.status == ShareStatus::Paid)
            .filter_map(|s| s.amount);
        GroupPayment {
            provider: KIND,
            id: shares
                .iter()
                .map(|s| s.request.ref_.as_str())
                .collect::<Vec<_>>()
                .join(","),
            merchant_reference: shares
                .first()
                .and_then(|s| reference(s.request.metadata.as_ref())),
            state: state(&statuses),
            provider_state: neutral
                .iter()
                .map(|s| s.provider_status.as_str())
                .collect::<Vec<_>>()
                .join(","),
            currency: Some(self.currency),
            total: MinorUnits::checked_sum(neutral.iter().filter_map(|s| s.amount)),
            collected: MinorUnits::checked_sum(paid),
            expires_at: None,
            share_links: Vec::new(),
            shares: neutral,
            raw: ProviderPayment::Zepto(shares),
        }
    }
}

fn reference(metadata: Option<&Metadata>) -> Option<String> {
    metadata?.get(REFERENCE_KEY)?.as_str().map(str::to_owned)
}

/// The Payment Request references in a group payment id.
fn references(id: &str) -> Result<Vec<&str>, Error> {
    let refs: Vec<&str> = id.split(',').map(str::trim).collect();
    if refs.iter().any(|r| r.is_empty()) {
        return Err(Error::invalid(
            "id",
            format!(
                "a Zepto group payment id is Payment Request references joined by commas, got {id:?}"
            ),
        ));
    }
    Ok(refs)
}

fn now() -> Result<Timestamp, Error> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    Timestamp::from_unix_seconds(seconds).map_err(provider(KIND))
}

/// The neutral meaning of a Zepto event type, for the items about Payment Requests.
fn event_kind(event_type: &str, data: &EventData) -> EventKind {
    match data {
        EventData::PaymentRequests(_) => match event_type {
            "payment_request.added" => EventKind::Created,
            "payment_request.cancelled" => EventKind::Cancelled,
            "payment_request.declined" => EventKind::Failed,
            _ => EventKind::Other,
        },
        EventData::Transactions(_) => match event_type {
            "credit.cleared" => EventKind::SharePaid,
            "credit.rejected"
            | "credit.returned"
            | "creditor_debit.rejected"
            | "creditor_debit.returned" => EventKind::Failed,
            _ => EventKind::Other,
        },
        _ => EventKind::Other,
    }
}

fn updates(body: &EventBody) -> Vec<PaymentUpdate> {
    match &body.data {
        EventData::PaymentRequests(requests) => requests
            .iter()
            .filter(|r| !r.contact_initiated)
            .map(|r| PaymentUpdate {
                share_id: Some(r.ref_.clone()),
                merchant_reference: reference(r.metadata.as_ref()),
                provider_state: Some(r.status.to_string()),
                amount: Some(MinorUnits::new(r.payout.amount)),
                ..PaymentUpdate::default()
            })
            .collect(),
        EventData::Transactions(transactions) => transactions
            .iter()
            .filter(|t| {
                t.parent_ref
                    .as_deref()
                    .is_some_and(|r| r.starts_with("PR."))
            })
            .map(|t| PaymentUpdate {
                share_id: t.parent_ref.clone(),
                merchant_reference: reference(t.metadata.as_ref()),
                provider_state: Some(t.status.to_string()),
                amount: Some(MinorUnits::new(t.amount)),
                ..PaymentUpdate::default()
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What a Zepto event says about Payment Requests (nothing, for other events).
fn read(body: &EventBody) -> Reading {
    let provider_type = body.event_type.to_string();
    let updates = updates(body);
    let kind = if updates.is_empty() {
        EventKind::Other
    } else {
        event_kind(&provider_type, &body.data)
    };
    Reading {
        provider_type,
        kind,
        updates,
    }
}

#[async_trait]
impl SplitProvider for ZeptoProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, request: &NewGroupPayment) -> Result<GroupPayment, Error> {
        let total = request.check(self.capabilities())?;
        if request.cart.currency != self.currency {
            return Err(Error::unsupported(
                KIND,
                Capability::Currency,
                format!(
                    "this Zepto account collects {}, not {}",
                    self.currency, request.cart.currency
                ),
            ));
        }
        let amounts = Self::amounts(request, total)?;
        let matures_at = now()?;
        let mut shares = Vec::with_capacity(amounts.len());
        for (position, (participant, amount)) in
            request.participants.iter().zip(amounts).enumerate()
        {
            let mut metadata = Metadata::new();
            metadata.insert(
                REFERENCE_KEY.into(),
                request.merchant_reference.clone().into(),
            );
            metadata.insert(SHARE_KEY.into(), position.into());
            let key = IdempotencyKey::derive(
                IDEMPOTENCY_NAMESPACE,
                &format!("{}#{position}", request.merchant_reference),
            );
            let new = NewPaymentRequest::new(
                &participant.provider_id,
                amount.get(),
                request.title(),
                matures_at,
            )
            .metadata(metadata)
            .idempotency_key(key);
            shares.push(ZeptoShare {
                request: self.create_share(new).await?,
                transactions: Vec::new(),
            });
        }
        let mut payment = self.payment(shares);
        payment.merchant_reference = Some(request.merchant_reference.clone());
        for (share, participant) in payment.shares.iter_mut().zip(&request.participants) {
            if share.name.is_none() {
                share.name.clone_from(&participant.name);
            }
        }
        Ok(payment)
    }

    async fn get(&self, id: &str) -> Result<GroupPayment, Error> {
        let mut shares = Vec::new();
        for reference in references(id)? {
            shares.push(self.read_share(reference).await?);
        }
        Ok(self.payment(shares))
    }

    async fn cancel(&self, id: &str) -> Result<(), Error> {
        self.capabilities().require(Capability::Cancel)?;
        let mut first_error = None;
        for reference in references(id)? {
            if let Err(e) = self.client.payment_requests().cancel(reference).await {
                first_error.get_or_insert(provider(KIND)(e));
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error> {
        let verifier = self.verifier.as_ref();
        super::parse(KIND, verifier, (headers, body), ProviderEvent::Zepto, read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ShareStatus::{Cancelled, Failed, Paid, Pending};

    #[test]
    fn group_state_from_share_states() {
        assert_eq!(state(&[Pending, Pending]), State::Open);
        assert_eq!(state(&[Paid, Pending]), State::PartiallyPaid);
        assert_eq!(state(&[Paid, Paid]), State::Funded);
        assert_eq!(state(&[Paid, Failed]), State::Failed);
        assert_eq!(state(&[Cancelled, Failed]), State::Failed);
        assert_eq!(state(&[Cancelled, Cancelled]), State::Cancelled);
        assert_eq!(state(&[Paid, Cancelled]), State::Cancelled);
        assert_eq!(state(&[]), State::Unknown);
    }

    #[test]
    fn group_ids_are_request_references() {
        assert_eq!(references("PR.1,PR.2").unwrap(), ["PR.1", "PR.2"]);
        assert!(references("PR.1,,PR.2").is_err());
        assert!(references("").is_err());
    }
}
