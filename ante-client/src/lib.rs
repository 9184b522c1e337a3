//! Rust SDK for [Ante](https://splitante.com) group checkout ("Split with Ante", being rebranded
//! as Plurel Pay): a merchant creates a *session* for a signed cart, the organizer and friends
//! pay their shares through Stripe in Ante's hosted modal, and the merchant is paid by a Stripe
//! Connect transfer.
//!
//! This crate covers the REST API (`https://splitante.com/api/v1`): sessions, the merchant,
//! webhook endpoints, plus cart signing and webhook verification. It sends no HTTP you did not
//! ask for, signs carts exactly as documented, never re-sends a create, and keeps every
//! credential out of `Debug` output and error messages.
//!
//! # Quick start
//!
//! ```no_run
//! use ante_client::{Cart, CartFee, CartItem, Client, CreateSession, Customer, GroupConfig,
//!     GroupMode, SecretKey, SigningSecret};
//!
//! # async fn run() -> Result<(), ante_client::Error> {
//! let client = Client::builder(SecretKey::parse(&std::env::var("ANTE_SECRET_KEY").unwrap_or_default())?)
//!     .signing_secret(SigningSecret::parse(&std::env::var("ANTE_SIGNING_SECRET").unwrap_or_default())?)
//!     .build()?;
//!
//! // The cart is checked here: items, quantities, amounts, currency, and the total.
//! let cart = Cart::builder("usd")
//!     .item(CartItem::new("Ticket", 2, 5000).id("sku_1"))
//!     .tax(1000)
//!     .shipping(1000)
//!     .fee(CartFee::new("cleaning", "Cleaning fee", 500))
//!     .order_ref("ORD-1042")
//!     .total(12500)
//!     .build()?;
//!
//! let session = client
//!     .sessions()
//!     .create(
//!         CreateSession::new(cart)
//!             .customer(Customer::new().name("Alex").email("organizer@example.com"))
//!             .group(GroupConfig::new().sizes(2, 6).default_mode(GroupMode::Equal).expiry_hours(48))
//!             .success_url("https://your-store.com/success")
//!             .cancel_url("https://your-store.com/cancel"),
//!     )
//!     .await?;
//! // Send the organizer to the session URL (it embeds their access token: never log it).
//! let url = session.session_url.expose();
//! # let _ = url;
//! # Ok(()) }
//! ```
//!
//! # Credentials
//!
//! Ante has five credentials; each is a type that checks its prefix when parsed and masks itself
//! in `Debug` (see [`credentials`]): [`PublishableKey`] and [`SecretKey`] (the bearer key; test or
//! live mode comes from the prefix), [`SigningSecret`] (cart HMAC, per-session webhooks),
//! [`MerchantId`] (optional `X-Merchant-ID`) and [`WebhookSecret`] (dashboard webhooks). Both
//! prefix families are accepted: `ante_…` and Plurel Pay's `plurel_…`. A malformed or truncated
//! value (the dashboard shows only a 16-character prefix) is a local error, not a round trip.
//!
//! Which key for what:
//! - **Secret key + signing secret** (recommended on a server): every call; carts are signed.
//! - **Publishable key + signing secret**: sessions only; `merchants().me()` and `webhooks()`
//!   fail locally, since Ante refuses publishable keys there.
//! - **Secret key without signing secret**: headless session create, only once Ante has enabled
//!   it for the merchant; say so with [`ClientBuilder::headless`].
//!
//! The client never sends an `Origin` header (Ante rejects secret keys that come with one) and
//! sends `X-Merchant-ID` when [`ClientBuilder::merchant_id`] is set.
//!
//! # Sessions
//!
//! - [`Sessions::create`] checks the request, signs the cart ([`Cart::sign`], header
//!   `X-Ante-Signature`) and sends it **once**. Ante takes no idempotency key, so a create that
//!   may have reached Ante is never retried. To avoid duplicates, always set the cart's
//!   `order_ref` to your order id; after a timeout or transport error, look for that `order_ref`
//!   in [`Sessions::list`] before creating again.
//! - [`Sessions::list`] returns a [`Page`] (limit 1 to 100, cursor pagination);
//!   [`Sessions::next_page`] and the lazy [`Sessions::stream`] walk every page. A session the
//!   SDK cannot read never costs the others (see choice 13).
//! - [`Sessions::get`], [`Sessions::cancel`] (refunds paid shares), [`Sessions::remind`]
//!   (reminded and skipped counts).
//!
//! Carts signed for a browser storefront: build or read the cart ([`Cart::from_json`]) and call
//! [`Cart::sign`] in your signature endpoint.
//!
//! # Merchant and webhook endpoints
//!
//! [`Merchants::me`] (fee rates, sandbox flag, Stripe connected, headless flag, payout currency)
//! and [`WebhookEndpoints`] (`list`, a [`Page`] without a next page; `create`, which returns the one-time `whsec_` secret as a
//! [`WebhookSecret`], and `delete`). Secret key only.
//!
//! # Errors
//!
//! Every call returns [`Error`]. Local rule violations are [`Error::Validation`] naming the field
//! (`cart.items[1].quantity`), before anything is sent. Ante's answers keep the status, Ante's
//! message and `request_id`; [`ErrorExt::error_response`] gives the `details` checklist and an
//! [`ErrorKind`] (invalid key, scope missing, merchant mismatch, invalid cart signature, cart
//! total mismatch, headless not enabled, ...). 429 answers honour `Retry-After`; 429 and 503 are
//! retried with backoff for `GET` and `DELETE` calls only; otherwise they surface as
//! [`Error::RateLimited`] (with the wait Ante asked for) or [`Error::Api`]. A rejected key (`401`)
//! is an [`Error::Auth`] whose answer [`ErrorExt`] reads the same way. Every error of a call
//! names the provider and the operation, and, after retries, the attempts and the time they
//! took. Resource handles ([`Client::sessions`], [`Client::merchants`], [`Client::webhooks`])
//! own a clone of the client, so the futures of their calls compose with `tokio::join!` and
//! `tokio::spawn`.
//!
//! # Webhooks
//!
//! ```
//! use ante_client::webhook::{EventData, Key, Payload};
//! use ante_client::{SigningSecret, WebhookSecret, WebhookVerifier};
//!
//! fn handle(headers: &http::HeaderMap, raw_body: &[u8]) -> Result<u16, Box<dyn std::error::Error>> {
//!     // Built once at start-up in a real service; an empty secret is refused here.
//!     let verifier = WebhookVerifier::new([
//!         Key::from(WebhookSecret::parse("whsec_0123456789abcdef0123")?),
//!         Key::from(SigningSecret::parse("ante_sign_0123456789abcdef")?),
//!     ])?;
//!     let Ok(event) = verifier.verify(headers, raw_body) else {
//!         return Ok(401); // not from Ante, or too old: do nothing
//!     };
//!     // Record `event.id` (skip it if already handled) and `event.body`; then:
//!     if let Payload::Typed(body) = &event.payload {
//!         if let EventData::GroupFunded(funded) = &body.data {
//!             let _fulfil = (&funded.order_ref, funded.total);
//!         }
//!     }
//!     Ok(200)
//! }
//! # let _ = handle;
//! ```
//!
//! See [`webhook`] for the two delivery sources and their secrets, how to answer Ante, and the
//! signature scheme.
//!
//! # Testing your code
//!
//! With the `testing` feature, the module `testing` has Ante's answers as fixtures (sessions,
//! lists, the merchant, webhook endpoints, errors, event data), ready `wiremock` mocks of the
//! common calls, and `testing::sign_webhook` (an `Ante-Signature` header) to post a correctly
//! signed delivery to your own handler. For flows (a group paying share by share, a webhook
//! retried), use the emulator crate, `splitkit-emulator`.
//!
//! # Choices this crate makes
//!
//! Where Ante's sources disagree or are silent:
//!
//! 1. **Webhook signature grammar** (undocumented): default `Ante-Signature: t=<unix>,v1=<hex>`
//!    over `"<t>.<raw body>"`, key = the full secret string ([`TimestampedV1`]); replaceable
//!    through [`SignatureScheme`]. `Plurel-Signature` is accepted as an alias, and every value
//!    of either header is read. Timestamps are checked 5 minutes both ways. Ante's retry
//!    schedule is not documented: handled events are remembered for
//!    [`webhook::RETRY_WINDOW`] (3 days) unless configured otherwise.
//! 2. **Id sort order in signed carts** ("sorted by id", comparator undocumented): JavaScript
//!    `localeCompare` (ICU root collation, via `icu_collator`) by default, as in the canonicaliser
//!    Ante's server was said to match; [`IdOrdering::CodeUnits`] is the alternative, set with
//!    [`ClientBuilder::id_ordering`]. Metadata keys are sorted by UTF-16 code units (plain JS
//!    `sort()`), as documented.
//! 3. **Canonical cart details**: `fees` after `shipping` with keys `id, label, amount` (the
//!    docs' table order); `metadata` left out when the cart has none and written as `{}` when set
//!    but empty; the signing secret trimmed. The derived example of the research notes
//!    reproduces (`699bbcd9…`).
//! 4. **Cart total**: must equal items + tax + shipping + **fees** (the cart-signing page; Ante's
//!    OpenAPI description omits fees). Fee amounts must not be negative (undocumented; a
//!    discount is not a documented fee). Amounts above 2^53 − 1 are refused (JavaScript server).
//! 5. **Scopes**: the REST page lets publishable keys create sessions, Plurel's newer storefront
//!    says only secret keys can. Both are allowed; a signature is always sent when a signing
//!    secret is configured. `merchants/me` and webhook endpoints are secret-key only (both
//!    sources agree).
//! 6. **Headless create** needs an explicit [`ClientBuilder::headless`], so a forgotten signing
//!    secret fails locally instead of with Ante's 403.
//! 7. **Secrets in answers**: `group_access_token` and `session_url` (which embeds the same
//!    token) are [`SecretString`]s; the one-time webhook secret is a [`WebhookSecret`].
//! 8. **Retries**: `POST` calls (create, cancel, remind, webhook create) are never retried once
//!    they may have reached Ante, 429 included; `GET` and `DELETE` retry 429 (after
//!    `Retry-After`) and 503 with backoff.
//! 9. **Undocumented shapes**: `GET /merchants/me` field names (only `payout_currency` is
//!    spelled out), `GET /webhooks` (assumed `{data: [...]}`), the `group.cancelled` payload
//!    (assumed like `group.expired`), session statuses other than `pending` (kept as
//!    `Unknown`). Fields are optional where Ante does not promise them.
//! 10. **Base URL**: `https://splitante.com/api/v1` by default whatever the key's brand;
//!     [`PLUREL_BASE_URL`] or any other host through [`ClientBuilder::base_url`]. The cart
//!     signature header is `X-Ante-Signature` ([`ClientBuilder::cart_signature_header`]).
//! 11. **Credential checks**: surrounding whitespace is trimmed; an API key of 20 characters or
//!     fewer is taken for the dashboard's 16-character prefix display (the reference
//!     storefront's rule); a signing or webhook secret of 16 characters or fewer likewise (Ante's
//!     own signing example uses the 17-character `ante_sign_example`); characters after the
//!     prefix must be visible ASCII. The one-time secret `POST /webhooks` returns is kept even if
//!     its prefix is unexpected (it cannot be fetched again).
//! 12. **Rules beyond the docs**, kept to what cannot be wrong: group sizes and `expiry_hours` at
//!     least 1, `max_size` not below `min_size`, `default_mode` among `allowed_modes`;
//!     `webhook_url` and webhook endpoint URLs HTTPS (documented), `success_url`/`cancel_url`
//!     absolute http(s) URLs; empty or dot-only ids refused (they would change the path). Carts
//!     read from JSON ignore unknown fields (Ante does not sign them) and take only JSON
//!     integers for amounts and quantities, and strings for ids.
//! 13. **Tolerant reader, strict writer** (the policy of every splitkit crate): answers are read
//!     as Ante plausibly drifts: amounts and counts also from strings (`"12500"`), strings also
//!     from numbers, fee rates as exact decimals also from strings, booleans also from
//!     `"true"`/`"false"`, timestamps also with a space for the `T`, unknown fields ignored,
//!     `null` for every optional field, unknown statuses kept. Amounts with a fraction are
//!     refused, never rounded. A list keeps every item it can read: a session or webhook
//!     endpoint the SDK cannot decode is in [`Page::rejected`] ([`Sessions::list`],
//!     [`WebhookEndpoints::list`]) or comes as [`Error::Item`] in its place from
//!     [`Sessions::stream`], which goes on. An `Unknown` event type or group mode is never sent.
//! 14. Ignored: the `api.ante.dev` / `cs_` API described on Ante's docs landing page (it matches
//!     nothing else Ante publishes), and the `x-ante-key-mode` webhook header (never trusted for
//!     authentication; not documented as sent).

pub mod cart;
pub mod client;
pub mod credentials;
pub mod endpoints;
pub mod error;
pub mod generated;
pub mod merchants;
pub mod sessions;
pub mod signing;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhook;

/// The former name of [`webhook`] (every splitkit crate calls its webhook-intake module
/// `webhook`; `Client::webhooks` manages webhook endpoints).
#[deprecated(note = "use `ante_client::webhook`")]
pub mod webhooks {
    pub use crate::webhook::*;
}

pub use cart::{Cart, CartBuilder, CartFee, CartItem, MAX_SAFE_AMOUNT};
pub use client::{ANTE_BASE_URL, CART_SIGNATURE_HEADER, Client, ClientBuilder, PLUREL_BASE_URL};
pub use credentials::{
    ApiKey, Brand, KeyKind, MerchantId, Mode, PublishableKey, SecretKey, SigningSecret,
    WebhookSecret,
};
pub use endpoints::{CreatedWebhookEndpoint, WebhookEndpoint, WebhookEndpoints};
#[allow(deprecated)]
pub use error::AnteErrorExt;
pub use error::{AnteError, AnteErrorPolicy, ErrorExt, ErrorKind, PROVIDER};
pub use generated::models::{
    GroupCancelledData, GroupCreatedData, GroupExpiredData, GroupFundedData, GroupMember,
    GroupMode, MemberStatus, PayoutCurrency, PayoutCurrencyMode, SessionGroup, SessionStatus,
    WebhookEventType,
};
pub use merchants::{Merchant, Merchants};
pub use sessions::{
    CreateSession, CreatedSession, Customer, GroupConfig, ListSessions, Reminded, Session,
    SessionSummary, Sessions,
};
pub use signing::{CartSignature, IdOrdering};
pub use splitkit_common;
pub use splitkit_common::{
    ApiError, AuthFailure, AuthFailureKind, CallContext, Decimal, Error, MinorUnits, Page, Result,
    RetryPolicy, SecretString, Timestamp, Transport, WebhookError,
};
pub use webhook::{
    AnteScheme, EventBody, EventData, PLUREL_SIGNATURE_HEADER, SIGNATURE_HEADER, SignatureScheme,
    TimestampedV1, WebhookEvent, WebhookInbox, WebhookSource, WebhookVerifier,
};
