//! The one error of the neutral API.

use crate::capabilities::Capability;
use crate::provider::ProviderKind;

/// Why a neutral call failed.
///
/// The first three variants are decided locally, before any request is sent:
/// [`Error::Unsupported`] (the provider cannot do it), [`Error::Invalid`] (the request breaks a
/// rule of its own, whatever the provider) and [`Error::NotConfigured`]. Everything the provider
/// crate reports (its own validation, the provider's answers, transport, timeouts, webhook
/// signatures) is [`Error::Provider`] with the provider crate's error inside, unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider cannot do this, or cannot honour an option of the request. Nothing was sent.
    #[error("{provider} does not support {capability}: {detail}")]
    Unsupported {
        /// The provider asked.
        provider: ProviderKind,
        /// What it lacks.
        capability: Capability,
        /// What was asked of it, and what it offers instead where that helps.
        detail: String,
    },
    /// The request breaks a rule that holds for every provider (an empty cart, an amount that
    /// overflows, ...). Nothing was sent.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field, as the neutral API names it (`cart.items[2].quantity`).
        field: String,
        /// The rule it breaks.
        reason: String,
    },
    /// The adapter lacks something it needs for this call (e.g. a webhook verifier). Nothing was
    /// sent.
    #[error("{provider} adapter is not configured for this: {detail}")]
    NotConfigured {
        /// The provider.
        provider: ProviderKind,
        /// What is missing.
        detail: String,
    },
    /// What the provider crate reported, unchanged: its validation of the translated request,
    /// the provider's answer, a transport failure, a timeout, a webhook that did not verify.
    #[error("{provider}: {source}")]
    Provider {
        /// The provider.
        provider: ProviderKind,
        /// The provider crate's error.
        #[source]
        source: splitkit_common::Error,
    },
}

impl Error {
    /// Whether trying the same call again later may succeed (the provider crate's judgement;
    /// local refusals never are).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Provider { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// The provider crate's error, when the provider (or the way to it) failed.
    pub fn provider_error(&self) -> Option<&splitkit_common::Error> {
        match self {
            Self::Provider { source, .. } => Some(source),
            _ => None,
        }
    }

    /// The capability a provider lacks, for [`Error::Unsupported`].
    pub fn unsupported_capability(&self) -> Option<Capability> {
        match self {
            Self::Unsupported { capability, .. } => Some(*capability),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(
        provider: ProviderKind,
        capability: Capability,
        detail: impl Into<String>,
    ) -> Self {
        Self::Unsupported {
            provider,
            capability,
            detail: detail.into(),
        }
    }
}

/// Wraps a provider crate's error with the provider's name: `.map_err(provider(kind))`.
pub(crate) fn provider(kind: ProviderKind) -> impl Fn(splitkit_common::Error) -> Error {
    move |source| Error::Provider {
        provider: kind,
        source,
    }
}
