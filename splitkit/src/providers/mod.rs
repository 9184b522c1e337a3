//! One adapter per provider, each in its own file so that a change in a provider crate's API
//! stays there.

pub mod ante;
pub mod fairshare;
pub mod splitable;
pub mod zepto;

use splitkit_common::webhook::{self, Payload, Scheme, Verifier};

use crate::error::Error;
use crate::event::{Event, EventKind, PaymentUpdate, ProviderEvent};
use crate::provider::ProviderKind;

/// What a provider's typed event says, in neutral words.
pub(crate) struct Reading {
    /// The provider's event type as sent.
    pub(crate) provider_type: String,
    /// Its neutral meaning.
    pub(crate) kind: EventKind,
    /// What it says about group payments.
    pub(crate) updates: Vec<PaymentUpdate>,
}

/// Verifies a delivery with the adapter's verifier (or says the adapter has none) and reads it:
/// a typed event through `read`, a verified body that did not decode as
/// [`EventKind::Unrecognised`]. The provider's event is kept, wrapped by `wrap`.
pub(crate) fn parse<S: Scheme>(
    provider: ProviderKind,
    verifier: Option<&Verifier<S>>,
    (headers, body): (&http::HeaderMap, &[u8]),
    wrap: fn(webhook::Event<S::Payload>) -> ProviderEvent,
    read: impl FnOnce(&S::Payload) -> Reading,
) -> Result<Event, Error> {
    let verifier = verifier.ok_or_else(|| Error::NotConfigured {
        provider,
        detail: "no webhook verifier: give one with `.webhooks(verifier)`".into(),
    })?;
    let event = verifier
        .verify(headers, body)
        .map_err(|e| crate::error::provider(provider)(e.into()))?;
    let id = event.id.clone();
    let reading = match &event.payload {
        Payload::Typed(typed) => Ok(read(typed)),
        Payload::Unrecognised(raw) => Err(raw.error().to_string()),
    };
    Ok(match reading {
        Ok(r) => Event::new(
            provider,
            id,
            r.provider_type,
            r.kind,
            r.updates,
            wrap(event),
        ),
        Err(reason) => Event::unreadable(provider, id, reason, wrap(event)),
    })
}
