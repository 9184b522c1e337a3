//! split(able): a group payment is a split; the team pays parts on split(able)'s payment hub.
//!
//! - **Create**: the cart's lines, tax and shipping as split(able)'s numbered line items, the
//!   merchant reference as the `invoice`, the notify URL (required) as `api_notify_url`, the
//!   description as the split page's text, the expiry whole hours (1 to 120). US dollars only
//!   (split(able) has no currency parameter). [`Split::Flexible`](crate::Split::Flexible) only:
//!   the team decides who pays what. split(able) takes no idempotency key.
//! - **Share link**: the split's payment hub, for everyone.
//! - **Read, cancel**: split(able) has neither. The callback is the only news of a split: it
//!   says `paid` or `cancelled`; the payers' names are in
//!   `splitable_client::Splits::paid_members`.
//! - **States and events**: the callback's `paid` → [`EventKind::Funded`] /
//!   [`State::Funded`]; `cancelled` ("the total was not reached in time"; split(able) offers no
//!   merchant cancel) → [`EventKind::Expired`] / [`State::Expired`]; an unknown status →
//!   [`EventKind::Other`] with the status kept. Callbacks name the invoice (the merchant
//!   reference), not the split id. Callbacks carry a shared secret, not a signature.

use std::fmt;

use async_trait::async_trait;
use http::HeaderMap;
use splitable_client::webhook::EventBody;
use splitable_client::{LineItem, NewSplit, PaymentStatus, WebhookVerifier};
use splitkit_common::MinorUnits;

use crate::capabilities::Capability;
use crate::error::{Error, provider};
use crate::event::{Event, EventKind, PaymentUpdate, ProviderEvent};
use crate::payment::{
    GroupPayment, LinkAudience, NewGroupPayment, ProviderPayment, ShareLink, State,
};
use crate::provider::{ProviderKind, SplitProvider};
use crate::providers::Reading;

const KIND: ProviderKind = ProviderKind::Splitable;

/// The neutral API over a [`splitable_client::Client`].
#[derive(Clone)]
pub struct SplitableProvider {
    client: splitable_client::Client,
    verifier: Option<WebhookVerifier>,
}

impl fmt::Debug for SplitableProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplitableProvider")
            .field("client", &self.client)
            .field("webhooks", &self.verifier.is_some())
            .finish()
    }
}

impl SplitableProvider {
    /// Over `client`.
    pub fn new(client: splitable_client::Client) -> Self {
        Self {
            client,
            verifier: None,
        }
    }

    /// Verifies callbacks with `verifier` (the company's `api_secret`).
    pub fn webhooks(mut self, verifier: WebhookVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The split(able) client, for what the neutral API does not cover.
    pub fn client(&self) -> &splitable_client::Client {
        &self.client
    }

    fn split(request: &NewGroupPayment, total: MinorUnits) -> Result<NewSplit, Error> {
        let cart = &request.cart;
        let notify_url = request.notify_url.clone().unwrap_or_default();
        let mut split = NewSplit::builder(&request.merchant_reference, notify_url)
            .total_amount(total)
            .tax(cart.tax)
            .shipping(cart.shipping)
            .description(request.title());
        for item in &cart.items {
            let mut line = LineItem::new(&item.name, item.quantity, item.unit_amount);
            if let Some(url) = &item.url {
                line = line.with_url(url);
            }
            split = split.item(line);
        }
        if let Some(expires_in) = request.expires_in {
            let hours = u32::try_from(expires_in.as_secs() / 3600).unwrap_or(u32::MAX);
            split = split.expires_in(hours);
        }
        split.build().map_err(provider(KIND))
    }
}

/// The neutral state a callback's `payment_status` reports.
pub fn state(status: &PaymentStatus) -> State {
    match status {
        PaymentStatus::Paid => State::Funded,
        PaymentStatus::Cancelled => State::Expired,
        _ => State::Unknown,
    }
}

/// What a callback says: the invoice and its outcome.
fn read(callback: &EventBody) -> Reading {
    let state = state(&callback.payment_status);
    let kind = match state {
        State::Funded => EventKind::Funded,
        State::Expired => EventKind::Expired,
        _ => EventKind::Other,
    };
    let status = callback.payment_status.to_string();
    Reading {
        kind,
        updates: vec![PaymentUpdate {
            merchant_reference: Some(callback.invoice.clone()),
            state: Some(state),
            provider_state: Some(status.clone()),
            ..PaymentUpdate::default()
        }],
        provider_type: status,
    }
}

#[async_trait]
impl SplitProvider for SplitableProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, request: &NewGroupPayment) -> Result<GroupPayment, Error> {
        let total = request.check(self.capabilities())?;
        let split = Self::split(request, total)?;
        let created = self
            .client
            .splits()
            .create(split)
            .await
            .map_err(provider(KIND))?;
        Ok(GroupPayment {
            provider: KIND,
            id: created.split_id.clone(),
            merchant_reference: Some(request.merchant_reference.clone()),
            state: State::Open,
            provider_state: "created".into(),
            currency: Some(request.cart.currency),
            total: Some(total),
            collected: Some(MinorUnits::ZERO),
            expires_at: None,
            share_links: vec![ShareLink::new(
                LinkAudience::Everyone,
                created.split_url.clone(),
            )],
            shares: Vec::new(),
            raw: ProviderPayment::Splitable(created),
        })
    }

    async fn get(&self, _id: &str) -> Result<GroupPayment, Error> {
        Err(Error::unsupported(
            KIND,
            Capability::Lookup,
            "split(able) has no status call: its callback says paid or cancelled (the payers' names are in splitable_client::Splits::paid_members)",
        ))
    }

    async fn cancel(&self, _id: &str) -> Result<(), Error> {
        Err(Error::unsupported(
            KIND,
            Capability::Cancel,
            "split(able) documents no cancel call; an unfunded split is cancelled when it expires",
        ))
    }

    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error> {
        let verifier = self.verifier.as_ref();
        super::parse(
            KIND,
            verifier,
            (headers, body),
            ProviderEvent::Splitable,
            read,
        )
    }
}
