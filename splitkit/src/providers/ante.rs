//! Ante: a group payment is a session for a signed cart.
//!
//! - **Create**: the cart becomes Ante's cart (currency in lower case, the merchant reference
//!   as `order_ref`, the total checked by both sides), the split becomes the group config
//!   ([`Split::Equal`] with `n` shares: a group of exactly `n` in `equal` mode;
//!   [`Split::PerItem`]: `itemized` mode), the expiry whole hours, the organizer the customer,
//!   the notify URL the session's `webhook_url` (signed with the signing secret). Ante takes no
//!   idempotency key: after a timeout, look for the `order_ref` in
//!   `ante_client::Sessions::list` before creating again.
//! - **Share link**: the organizer's `session_url`, a credential.
//! - **Read**: Ante's session shows the members and the amounts paid and pending, but not the
//!   currency ([`GroupPayment::currency`] is `None`; the share link is not returned either).
//! - **States**: `pending` is [`State::Open`], or [`State::PartiallyPaid`] once a share is
//!   paid; `funded`, `expired` and `cancelled` map to their namesakes (Ante documents only
//!   `pending`; the others are what its events and the emulator say). Expiry and cancellation
//!   refund the paid shares.
//! - **Events**: `group.created` → [`EventKind::Created`], `group.funded` →
//!   [`EventKind::Funded`] (with the total), `group.expired` → [`EventKind::Expired`],
//!   `group.cancelled` → [`EventKind::Cancelled`]. Ante sends no event per share.

use std::fmt;

use ante_client::webhook::{EventBody, EventData};
use ante_client::{
    Cart, CartItem, CreateSession, Customer, GroupConfig, GroupMode, MemberStatus, WebhookVerifier,
};
use async_trait::async_trait;
use http::HeaderMap;
use splitkit_common::{Currency, MinorUnits};

use crate::capabilities::Capability;
use crate::error::{Error, provider};
use crate::event::{Event, EventKind, PaymentUpdate, ProviderEvent};
use crate::payment::{
    GroupPayment, LinkAudience, NewGroupPayment, ProviderPayment, Share, ShareLink, ShareStatus,
    Split, State,
};
use crate::provider::{ProviderKind, SplitProvider};
use crate::providers::Reading;

const KIND: ProviderKind = ProviderKind::Ante;

/// The neutral API over an [`ante_client::Client`].
#[derive(Clone)]
pub struct AnteProvider {
    client: ante_client::Client,
    verifier: Option<WebhookVerifier>,
}

impl fmt::Debug for AnteProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnteProvider")
            .field("client", &self.client)
            .field("webhooks", &self.verifier.is_some())
            .finish()
    }
}

impl AnteProvider {
    /// Over `client` (which signs carts: give it the signing secret).
    pub fn new(client: ante_client::Client) -> Self {
        Self {
            client,
            verifier: None,
        }
    }

    /// Verifies webhooks with `verifier`: give it the signing secret for per-payment notify
    /// URLs and each dashboard endpoint's `whsec_` secret.
    pub fn webhooks(mut self, verifier: WebhookVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The Ante client, for what the neutral API does not cover.
    pub fn client(&self) -> &ante_client::Client {
        &self.client
    }

    fn session(request: &NewGroupPayment, total: MinorUnits) -> Result<CreateSession, Error> {
        let cart = &request.cart;
        let mut builder = Cart::builder(cart.currency.to_lowercase())
            .tax(cart.tax.get())
            .shipping(cart.shipping.get())
            .order_ref(&request.merchant_reference)
            .total(total.get());
        for item in &cart.items {
            let mut line = CartItem::new(&item.name, item.quantity, item.unit_amount.get());
            if let Some(id) = &item.id {
                line = line.id(id);
            }
            builder = builder.item(line);
        }
        let mut group = match request.split {
            Split::Equal { shares } => GroupConfig::new()
                .sizes(shares, shares)
                .default_mode(GroupMode::Equal)
                .allowed_modes([GroupMode::Equal]),
            Split::PerItem => GroupConfig::new()
                .default_mode(GroupMode::Itemized)
                .allowed_modes([GroupMode::Itemized]),
            other => {
                return Err(Error::unsupported(
                    KIND,
                    other.capability(),
                    "Ante splits equally or by item",
                ));
            }
        };
        if let Some(expires_in) = request.expires_in {
            let hours = u32::try_from(expires_in.as_secs() / 3600).map_err(|_| {
                Error::unsupported(KIND, Capability::Expiry, "the expiry is too long")
            })?;
            group = group.expiry_hours(hours);
        }
        let mut session = CreateSession::new(builder.build().map_err(provider(KIND))?).group(group);
        if let Some(organizer) = &request.organizer {
            let mut customer = Customer::new();
            if let Some(name) = &organizer.name {
                customer = customer.name(name);
            }
            if let Some(email) = &organizer.email {
                customer = customer.email(email);
            }
            session = session.customer(customer);
        }
        if let Some(url) = &request.success_url {
            session = session.success_url(url);
        }
        if let Some(url) = &request.cancel_url {
            session = session.cancel_url(url);
        }
        if let Some(url) = &request.notify_url {
            session = session.webhook_url(url);
        }
        Ok(session)
    }
}

/// The neutral state of an Ante session status, given whether any share is paid.
pub fn state(status: &str, anything_paid: bool) -> State {
    match status {
        "pending" if anything_paid => State::PartiallyPaid,
        "pending" => State::Open,
        "funded" => State::Funded,
        "expired" => State::Expired,
        "cancelled" | "canceled" => State::Cancelled,
        _ => State::Unknown,
    }
}

fn share_status(status: Option<&MemberStatus>) -> ShareStatus {
    match status.map(MemberStatus::as_str) {
        Some("pending") => ShareStatus::Pending,
        Some("paid") => ShareStatus::Paid,
        Some("refunded") => ShareStatus::Refunded,
        _ => ShareStatus::Unknown,
    }
}

fn from_session(session: ante_client::Session) -> GroupPayment {
    let group = session.group.as_ref();
    let paid = group.and_then(|g| g.paid_amount);
    let members = group.and_then(|g| g.members.as_deref()).unwrap_or_default();
    let shares: Vec<Share> = members
        .iter()
        .map(|m| Share {
            id: m.id.clone(),
            name: m.name.clone(),
            amount: m.amount_cents.map(MinorUnits::new),
            status: share_status(m.status.as_ref()),
            provider_status: m.status.as_ref().map(|s| s.to_string()).unwrap_or_default(),
        })
        .collect();
    let total = if members.is_empty() {
        group
            .and_then(|g| Some(g.paid_amount? + g.pending_amount?))
            .map(MinorUnits::new)
    } else {
        MinorUnits::checked_sum(shares.iter().filter_map(|s| s.amount))
    };
    GroupPayment {
        provider: KIND,
        id: session.session_id.clone(),
        merchant_reference: session.order_ref.clone(),
        state: state(session.status.as_str(), paid.unwrap_or(0) > 0),
        provider_state: session.status.to_string(),
        currency: None,
        total,
        collected: paid.map(MinorUnits::new),
        expires_at: session.expires_at,
        share_links: Vec::new(),
        shares,
        raw: ProviderPayment::AnteSession(Box::new(session)),
    }
}

/// What an Ante event says.
fn read(body: &EventBody) -> Reading {
    let (kind, state, amount, currency) = match &body.data {
        EventData::GroupCreated(_) => (EventKind::Created, Some(State::Open), None, None),
        EventData::GroupFunded(funded) => (
            EventKind::Funded,
            Some(State::Funded),
            funded.total.map(MinorUnits::new),
            funded
                .checkout_currency
                .as_deref()
                .and_then(|c| Currency::parse(c).ok()),
        ),
        EventData::GroupExpired(_) => (EventKind::Expired, Some(State::Expired), None, None),
        EventData::GroupCancelled(_) => (EventKind::Cancelled, Some(State::Cancelled), None, None),
        _ => (EventKind::Other, None, None, None),
    };
    Reading {
        provider_type: body.event_type.to_string(),
        kind,
        updates: vec![PaymentUpdate {
            payment_id: body.session_id().map(str::to_owned),
            merchant_reference: body.order_ref().map(str::to_owned),
            state,
            amount,
            currency,
            ..PaymentUpdate::default()
        }],
    }
}

#[async_trait]
impl SplitProvider for AnteProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, request: &NewGroupPayment) -> Result<GroupPayment, Error> {
        let total = request.check(self.capabilities())?;
        let session = Self::session(request, total)?;
        let created = self
            .client
            .sessions()
            .create(session)
            .await
            .map_err(provider(KIND))?;
        Ok(GroupPayment {
            provider: KIND,
            id: created.session_id.clone(),
            merchant_reference: Some(request.merchant_reference.clone()),
            state: state(created.status.as_str(), false),
            provider_state: created.status.to_string(),
            currency: Some(request.cart.currency),
            total: Some(total),
            collected: Some(MinorUnits::ZERO),
            expires_at: Some(created.expires_at),
            share_links: vec![ShareLink::new(
                LinkAudience::Organizer,
                created.session_url.clone(),
            )],
            shares: Vec::new(),
            raw: ProviderPayment::AnteCreated(Box::new(created)),
        })
    }

    async fn get(&self, id: &str) -> Result<GroupPayment, Error> {
        let session = self
            .client
            .sessions()
            .get(id)
            .await
            .map_err(provider(KIND))?;
        Ok(from_session(session))
    }

    async fn cancel(&self, id: &str) -> Result<(), Error> {
        self.capabilities().require(Capability::Cancel)?;
        self.client
            .sessions()
            .cancel(id)
            .await
            .map_err(provider(KIND))
    }

    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error> {
        let verifier = self.verifier.as_ref();
        super::parse(KIND, verifier, (headers, body), ProviderEvent::Ante, read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_statuses() {
        assert_eq!(state("pending", false), State::Open);
        assert_eq!(state("pending", true), State::PartiallyPaid);
        assert_eq!(state("funded", true), State::Funded);
        assert_eq!(state("expired", false), State::Expired);
        assert_eq!(state("cancelled", false), State::Cancelled);
        assert_eq!(state("on_hold", false), State::Unknown);
    }
}
