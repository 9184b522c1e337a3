//! The provider-neutral trait and the names of the providers.

use std::fmt;

use async_trait::async_trait;
use http::HeaderMap;

use crate::capabilities::Capabilities;
use crate::error::Error;
use crate::event::Event;
use crate::payment::{GroupPayment, NewGroupPayment};

/// The providers this crate speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProviderKind {
    /// Ante (Plurel Pay), `ante-client`.
    Ante,
    /// FairShare, `fairshare-client`.
    FairShare,
    /// split(able), `splitable-client`.
    Splitable,
    /// Zepto, `zepto-client`.
    Zepto,
}

impl ProviderKind {
    /// Every provider, in a fixed order.
    pub const ALL: [ProviderKind; 4] = [Self::Ante, Self::FairShare, Self::Splitable, Self::Zepto];

    /// The provider's name as its brand writes it (`"FairShare"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Ante => "Ante",
            Self::FairShare => "FairShare",
            Self::Splitable => "Splitable",
            Self::Zepto => "Zepto",
        }
    }

    /// What it can do.
    pub fn capabilities(self) -> &'static Capabilities {
        Capabilities::of(self)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// "Collect a group payment for this cart", whatever the provider.
///
/// Object-safe: hold a `Box<dyn SplitProvider>` or an `Arc<dyn SplitProvider>` and choose the
/// provider at run time. Every method refuses, before any request is sent, what the provider
/// cannot do ([`Error::Unsupported`] naming the provider and the [`Capability`](crate::Capability))
/// and requests that break a rule of their own ([`Error::Invalid`]); check
/// [`SplitProvider::capabilities`] first to offer only what works.
#[async_trait]
pub trait SplitProvider: Send + Sync + fmt::Debug {
    /// Which provider this is.
    fn kind(&self) -> ProviderKind;

    /// What it can do (the same data as the crate documentation's table).
    fn capabilities(&self) -> &'static Capabilities {
        self.kind().capabilities()
    }

    /// Creates a group payment for the request's cart and returns it with its share links.
    ///
    /// Sent once. Providers with idempotent creates carry a key derived from the merchant
    /// reference, so a repeated create returns the first payment instead of a second one; for
    /// the others, look the reference up before creating again after a timeout (see each
    /// adapter).
    async fn create(&self, request: &NewGroupPayment) -> Result<GroupPayment, Error>;

    /// Reads a group payment by the id [`SplitProvider::create`] returned.
    async fn get(&self, id: &str) -> Result<GroupPayment, Error>;

    /// Cancels an open group payment (the provider refunds or voids what was paid, each in its
    /// own way).
    async fn cancel(&self, id: &str) -> Result<(), Error>;

    /// Verifies a webhook delivery (its headers and its raw body, exactly as received) with the
    /// provider crate's verifier and turns it into a neutral [`Event`].
    ///
    /// A delivery that does not prove its origin is an error ([`Error::Provider`] holding a
    /// [`WebhookError`](splitkit_common::WebhookError)); a proven one never is: what the SDK
    /// cannot read comes back as [`EventKind::Unrecognised`](crate::EventKind::Unrecognised)
    /// with the provider's raw event beside it.
    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error>;
}
