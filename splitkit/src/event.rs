//! Webhook events in the neutral vocabulary, with the provider's verified event kept beside.

use std::fmt;

use splitkit_common::{Currency, MinorUnits};

use crate::payment::State;
use crate::provider::ProviderKind;

/// What an event means for a group payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// The group payment (or, for Zepto, one participant's share) was created or opened.
    Created,
    /// One payer paid their share.
    SharePaid,
    /// Part of the total is paid.
    PartiallyPaid,
    /// Every share is paid: fulfil the order.
    Funded,
    /// It expired before it was funded.
    Expired,
    /// It (or a share) was cancelled.
    Cancelled,
    /// A payment failed.
    Failed,
    /// A funded payment was refunded.
    Refunded,
    /// Verified and readable, but with no neutral meaning of its own (a provider's
    /// intermediate step, an event about something other than a group payment). Its
    /// [`Event::updates`] may still carry the state.
    Other,
    /// Verified, but the SDK could not read it: see [`Event::unrecognised`] and keep
    /// [`Event::raw`] for a human. Never an error: the delivery is genuine.
    Unrecognised,
}

impl EventKind {
    /// The kind's name (`"share_paid"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::SharePaid => "share_paid",
            Self::PartiallyPaid => "partially_paid",
            Self::Funded => "funded",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Other => "other",
            Self::Unrecognised => "unrecognised",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an event says about one group payment (or one share of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentUpdate {
    /// The group payment's id, when the event names it (Splitable's and Zepto's do not: use
    /// the merchant reference).
    pub payment_id: Option<String>,
    /// The share the event is about (FairShare contribution, Zepto Payment Request).
    pub share_id: Option<String>,
    /// Your reference, when the event carries it.
    pub merchant_reference: Option<String>,
    /// The group payment's state after the event, when the event tells it.
    pub state: Option<State>,
    /// The provider's own state, when the event carries one.
    pub provider_state: Option<String>,
    /// The amount the event is about (the total funded, the share paid), in minor units.
    pub amount: Option<MinorUnits>,
    /// Its currency, when the event tells it.
    pub currency: Option<Currency>,
}

/// The provider's verified event, typed by its crate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProviderEvent {
    /// An Ante delivery.
    Ante(ante_client::WebhookEvent),
    /// A FairShare delivery.
    FairShare(fairshare_client::WebhookEvent),
    /// A split(able) callback.
    Splitable(splitable_client::WebhookEvent),
    /// A Zepto delivery.
    Zepto(zepto_client::WebhookEvent),
}

impl ProviderEvent {
    /// The Ante event, if this is one.
    pub fn ante(&self) -> Option<&ante_client::WebhookEvent> {
        match self {
            Self::Ante(e) => Some(e),
            _ => None,
        }
    }

    /// The FairShare event, if this is one.
    pub fn fairshare(&self) -> Option<&fairshare_client::WebhookEvent> {
        match self {
            Self::FairShare(e) => Some(e),
            _ => None,
        }
    }

    /// The split(able) callback, if this is one.
    pub fn splitable(&self) -> Option<&splitable_client::WebhookEvent> {
        match self {
            Self::Splitable(e) => Some(e),
            _ => None,
        }
    }

    /// The Zepto event, if this is one.
    pub fn zepto(&self) -> Option<&zepto_client::WebhookEvent> {
        match self {
            Self::Zepto(e) => Some(e),
            _ => None,
        }
    }
}

/// A verified webhook delivery in the neutral vocabulary.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Event {
    /// The provider.
    pub provider: ProviderKind,
    /// The id to de-duplicate on: the provider's event id, the same on every retry (the
    /// provider crate's [`Event::id`](splitkit_common::webhook::Event::id)).
    pub id: String,
    /// The provider's event type as sent (`group.funded`, `split_session.completed`, `paid`,
    /// `credit.cleared`); empty when the body could not be read.
    pub provider_type: String,
    /// What it means.
    pub kind: EventKind,
    /// What it says about group payments: one entry for Ante, FairShare and Splitable; one per
    /// Payment Request item for Zepto (a Zepto delivery may carry several); none for an event
    /// about something else.
    pub updates: Vec<PaymentUpdate>,
    /// For [`EventKind::Unrecognised`]: why the body could not be read.
    pub unrecognised: Option<String>,
    /// The provider's verified event, typed.
    pub raw: ProviderEvent,
}

impl Event {
    /// The first update's group payment id.
    pub fn payment_id(&self) -> Option<&str> {
        self.updates.iter().find_map(|u| u.payment_id.as_deref())
    }

    /// The first update's merchant reference.
    pub fn merchant_reference(&self) -> Option<&str> {
        self.updates
            .iter()
            .find_map(|u| u.merchant_reference.as_deref())
    }

    /// The first update's state.
    pub fn state(&self) -> Option<State> {
        self.updates.iter().find_map(|u| u.state)
    }

    pub(crate) fn new(
        provider: ProviderKind,
        id: String,
        provider_type: impl Into<String>,
        kind: EventKind,
        updates: Vec<PaymentUpdate>,
        raw: ProviderEvent,
    ) -> Self {
        Self {
            provider,
            id,
            provider_type: provider_type.into(),
            kind,
            updates,
            unrecognised: None,
            raw,
        }
    }

    /// A verified delivery whose body did not decode.
    pub(crate) fn unreadable(
        provider: ProviderKind,
        id: String,
        reason: impl fmt::Display,
        raw: ProviderEvent,
    ) -> Self {
        Self {
            unrecognised: Some(reason.to_string()),
            ..Self::new(provider, id, "", EventKind::Unrecognised, Vec::new(), raw)
        }
    }
}
