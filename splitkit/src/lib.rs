//! One API over the splitkit split-payment SDKs: "collect a group payment for this cart"
//! through Ante, FairShare, split(able) or Zepto, chosen at run time.
//!
//! Each provider speaks its own language (Ante's sessions and groups, FairShare's split
//! sessions, split(able)'s splits, Zepto's payment requests; funded, completed, paid, cleared).
//! This crate puts one vocabulary over them, on top of the four provider crates:
//!
//! - **A neutral model**: a [`NewGroupPayment`] is a [`Cart`] (line items, tax and shipping in
//!   integer minor units with a currency), your merchant reference, a [`Split`] and options
//!   (expiry, return URLs, notify URL, organizer, participants). A [`GroupPayment`] has a
//!   normalised [`State`] with the provider's own state beside it, the amounts, the share links
//!   and the shares, and the provider's typed value ([`ProviderPayment`]).
//! - **One trait**, [`SplitProvider`]: create, get, cancel, and verify-and-parse a webhook into
//!   an [`Event`] with a neutral [`EventKind`] and the provider's verified event kept
//!   ([`ProviderEvent`]). It is object-safe: hold an `Arc<dyn SplitProvider>`.
//! - **Capabilities as data** ([`Capabilities`]): what a provider cannot do, or an option it
//!   cannot honour, is refused before any request with [`Error::Unsupported`] naming the
//!   provider and the [`Capability`]. The table below is made from the same data (a test fails
//!   when they differ).
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use splitkit::{Cart, Currency, LineItem, NewGroupPayment, Split, SplitProvider, State};
//!
//! # async fn run(provider: Arc<dyn SplitProvider>) -> Result<(), splitkit::Error> {
//! let cart = Cart::new(Currency::USD)
//!     .item(LineItem::new("Concert ticket", 4, 5_000).id("ticket-ga"))
//!     .tax(1_200);
//! let caps = provider.capabilities();
//! // Offer what the provider can do: an equal split where it has one, else what it has.
//! let split = match caps.equal_split {
//!     Some(range) if range.min <= 4 && 4 <= range.max => Split::Equal { shares: 4 },
//!     _ => Split::Flexible,
//! };
//! let mut order = NewGroupPayment::new(cart, "ORD-1042", split);
//! if caps.success_url {
//!     order = order.success_url("https://shop.example/thanks");
//! }
//! let payment = provider.create(&order).await?;
//! for link in &payment.share_links {
//!     let _send_to_the_group = link.url.expose();
//! }
//! // Later, from a webhook (`provider.parse_webhook(&headers, &body)?`) or a read:
//! if caps.lookup && provider.get(&payment.id).await?.state == State::Funded {
//!     // fulfil ORD-1042
//! }
//! # Ok(()) }
//! ```
//!
//! Adapters: [`AnteProvider`], [`FairShareProvider`], [`SplitableProvider`], [`ZeptoProvider`],
//! each built from the provider crate's client (and its webhook verifier). Each adapter's module
//! documents how the neutral model maps onto its provider, state by state and event by event.
//!
//! # Capabilities
//!
//! <!-- capability-table:start -->
//! | Capability | Ante | FairShare | Splitable | Zepto |
//! |---|---|---|---|---|
//! | Lookup by id | yes | yes | no | yes |
//! | Amount collected before completion | yes | yes | no | yes |
//! | Cancel | yes | no | no | yes |
//! | Refund | no | no | no | no |
//! | Idempotent create | no | yes | no | yes |
//! | Equal split | 1+ shares | 2–10 shares | no | 1–50 shares |
//! | Per-item split | yes | yes | no | no |
//! | Flexible split | no | yes | yes | no |
//! | Assigned split | no | no | no | yes |
//! | Expiry (whole units) | 1+ h | 1–60 min | 1–120 h | no |
//! | Success / cancel / failure URL | yes / yes / no | yes / yes / yes | no / no / no | no / no / no |
//! | Per-payment notify URL | optional | no | required | no |
//! | Organizer | yes | no | no | no |
//! | Participants (provider ids) | no | no | no | required |
//! | Currencies | any | any | USD | AUD, NZD |
//! | Payers see line items | yes | yes | yes | no |
//! | Share links | organizer's (a credential) | one for all payers | one for all payers | none |
//! | Webhook proof | HMAC signature | HMAC signature | shared secret | HMAC signature |
//! | Neutral events | created, funded, expired, cancelled | created, share_paid, partially_paid, funded, expired, cancelled, refunded | funded, expired | created, share_paid, cancelled, failed |
//! <!-- capability-table:end -->
//!
//! # Cargo features
//!
//! The provider crates' TLS and OAuth choices, forwarded to all four: `rustls-ring` (default),
//! `rustls-aws-lc` or `native-tls` for the default transport (choose one), and `oauth`
//! (default) for Zepto accounts connected through OAuth2. `default-features = false, features =
//! ["rustls-ring"]` builds without the `oauth2` crate when Zepto is used with a personal access
//! token or not at all.
//!
//! # What the neutral model chooses
//!
//! - **Money** is integer minor units ([`MinorUnits`]) with a
//!   [`Currency`]. FairShare's decimals are converted exactly with
//!   the currency's exponent ([`money`]): an amount finer than the currency's minor unit is
//!   refused, never rounded, and nothing passes through a float.
//! - **The cart total** is the items plus tax plus shipping, checked (no overflow, nothing
//!   negative, above zero) before any request.
//! - **The merchant reference** is required: it comes back on payments and events (Ante's
//!   `order_ref`, FairShare's `meta`, split(able)'s `invoice`, Zepto's metadata), so webhooks can
//!   be matched to orders with every provider, and it keys idempotent creates.
//! - **States** ([`State`]): open, partially paid, funded, expired, cancelled, failed,
//!   refunded, and unknown for a provider state this SDK does not know (kept in
//!   [`GroupPayment::provider_state`]).
//! - **Events** are never lost: a verified delivery the SDK cannot read is
//!   [`EventKind::Unrecognised`] with the raw event, not an error; only a delivery that does
//!   not prove its origin is an error.
//! - **Share links** are [`SecretString`]s: Ante's organizer link
//!   signs the organizer in.
//! - **What does not fit**: Zepto has no group, page or expiry (a group payment is one direct
//!   debit per participant, and its events are per share); split(able) can be neither read nor
//!   cancelled (its callback is the only news); no provider refunds a funded group payment
//!   through the neutral API: Ante and FairShare have no refund call (Ante refunds paid shares
//!   when a session is cancelled or expires; FairShare refunds from its dashboard, and its
//!   `refunded` event and status come through), split(able) has none, and Zepto refunds
//!   cleared credits one by one (`zepto_client::refunds`) but cannot list refunds by payment,
//!   so a neutral read could not show them. See each adapter's module.

pub mod capabilities;
mod error;
pub mod event;
pub mod money;
pub mod payment;
mod provider;
pub mod providers;

pub use capabilities::{Capabilities, Capability, Support};
pub use error::Error;
pub use event::{Event, EventKind, PaymentUpdate, ProviderEvent};
pub use payment::{
    Cart, GroupPayment, LineItem, LinkAudience, NewGroupPayment, Organizer, Participant,
    ProviderPayment, Share, ShareLink, ShareStatus, Split, State,
};
pub use provider::{ProviderKind, SplitProvider};
pub use providers::ante::AnteProvider;
pub use providers::fairshare::FairShareProvider;
pub use providers::splitable::SplitableProvider;
pub use providers::zepto::ZeptoProvider;
pub use splitkit_common;
#[doc(no_inline)]
pub use splitkit_common::{Currency, MinorUnits, SecretString, Timestamp};
