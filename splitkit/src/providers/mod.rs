//! One adapter per provider, each in its own file so that a change in a provider crate's API
//! stays there.

pub mod ante;
pub mod fairshare;
pub mod splitable;
pub mod zepto;

use splitkit_common::webhook::{Event, Scheme, Verifier};

use crate::error::Error;
use crate::provider::ProviderKind;

/// Verifies a delivery with the adapter's verifier, or says the adapter has none.
pub(crate) fn verify<S: Scheme>(
    provider: ProviderKind,
    verifier: Option<&Verifier<S>>,
    headers: &http::HeaderMap,
    body: &[u8],
) -> Result<Event<S::Payload>, Error> {
    let verifier = verifier.ok_or_else(|| Error::NotConfigured {
        provider,
        detail: "no webhook verifier: give one with `.webhooks(verifier)`".into(),
    })?;
    verifier
        .verify(headers, body)
        .map_err(|e| crate::error::provider(provider)(e.into()))
}
