//! Rust SDK for [FairShare](https://www.fairsharepay.com) split sessions.
//!
//! FairShare splits one payment across several contributors: your backend creates a *split
//! session*, shares its contributor link, contributors pay through your own connected payment
//! gateway, and you follow the session with webhooks or by reading it. This crate does the
//! HTTP, authentication, idempotency keys, retries, exact decimal money and webhook signatures;
//! you build values and call methods.
//!
//! # Quick start
//!
//! ```no_run
//! use fairshare_client::{Client, ConvenienceFee, Decimal, NewSplitSession};
//!
//! # async fn run() -> Result<(), fairshare_client::Error> {
//! let client = Client::builder(std::env::var("FAIRSHARE_API_KEY").unwrap_or_default()).build()?;
//!
//! // QAR 200.00 split evenly across 4 contributors.
//! let order = NewSplitSession::split_evenly(Decimal::new(20000, 2), "QAR", 4)
//!     .detail_title("Group order")
//!     .meta("order-123")
//!     .expiry_minutes(20)
//!     .convenience_fee(ConvenienceFee::None)
//!     .redirect_urls(
//!         "https://example.com/success",
//!         "https://example.com/cancel",
//!         "https://example.com/failed",
//!     );
//! let session = client.sessions().create(order).await?;
//! println!("share this link: {}", session.split_session_link);
//!
//! let now = client.sessions().get(&session.id).await?;
//! println!("{} collected of {} ({})", now.collected, now.total, now.status);
//! # Ok(()) }
//! ```
//!
//! # Flows
//!
//! - **Create** ([`Sessions::create`]) from a [`NewSplitSession`], one constructor per split
//!   type so that what a type needs is a constructor argument:
//!   [`NewSplitSession::pick_items`] (`ITEM_CLAIM`, with [`Item`]s),
//!   [`NewSplitSession::flexible_amount`] (`PROPORTIONAL_POOL`) and
//!   [`NewSplitSession::split_evenly`] (`EQUAL_COUNT`, 2 to 10 contributors). Every documented
//!   rule is checked before anything is sent (expiry 1 to 60 minutes, `meta` at most 1024
//!   characters, a non-negative convenience fee, a three-letter currency code, absolute redirect
//!   and image URLs, item quantities of at least 1, ...); a broken rule is
//!   [`Error::Validation`] naming the field as FairShare's documentation spells it.
//! - **Idempotency**: every create carries an `Idempotency-Key` header: a new UUIDv4 per call,
//!   or your own through [`NewSplitSession::idempotency_key`] (at most 120 characters). Retries
//!   of a call send the same key, so FairShare answers a repeat with the original session. A key
//!   reused with a different payload is [`Error::IdempotencyConflict`], never retried.
//! - **Read** a session ([`Sessions::get`]): amounts as [`Decimal`], timestamps as
//!   [`Timestamp`], the status as the open enum [`SplitSessionStatus`] (see
//!   [`SplitSessionStatus::is_open`]), items and contributions.
//! - **Set the contributor count** of an equal split before contributions begin
//!   ([`Sessions::set_expected_contributors`]), for sessions made with
//!   [`NewSplitSession::split_evenly_count_later`].
//! - **Errors**: every call returns [`Error`]. For FairShare's answers, [`ErrorExt::error_code`]
//!   gives the documented [`ErrorCode`] (`VALIDATION_ERROR`, `LIVE_ACCESS_DISABLED`,
//!   `PSP_CONNECTION_MISSING`, ...; unknown codes are kept) and [`ErrorExt::error_response`]
//!   the body with its message (both `None` for another provider's error). A rejected API key
//!   (`401`) is an [`Error::Auth`]. Every error of a call names the provider and the operation,
//!   and, after retries, the attempts and the time they took (`fairshare getSplitSession: 502
//!   Bad Gateway: body "..." (after 3 attempts in 1.6 s)`). Only calls that are safe to repeat
//!   are retried, on timeouts, 429 and 5xx: creates (they carry an idempotency key), reads, and
//!   setting the contributor count.
//! - **Handles**: [`Client::sessions`] owns a clone of the client (one shared `Arc`), so the
//!   futures of its calls borrow nothing and compose with `tokio::join!` and `tokio::spawn`.
//!
//! # Money
//!
//! FairShare sends and expects amounts as JSON numbers in major units (`200.00`, `2.5`).
//! They are [`Decimal`]s here, read from and written to the JSON text directly, never through
//! a float: `0.1 + 0.2` is sent as `0.3`, and `200.00` reads back as `200.00`.
//!
//! # Webhooks
//!
//! [`WebhookVerifier`] (built with `WebhookVerifier::new([signing_key])?`, which refuses an
//! empty key) takes the request headers and the raw body bytes, checks
//! `X-SplitPay-Signature: v1=<hex>` (HMAC-SHA256 under the webhook's signing key of
//! `X-SplitPay-Timestamp + "." + body`, compared in constant time) and the timestamp (5
//! minutes either way), and only then decodes the body into a [`WebhookEvent`]: its `id` for
//! de-duplication and its payload, a typed [`EventBody`] ([`WebhookEventType`], [`EventData`]:
//! the split session for `split_session.*` events, unknown types kept as raw JSON) or, when the
//! body does not decode, the raw body and the reason. [`WebhookInbox`] adds de-duplication and
//! the HTTP answers (feature `axum`: a ready handler). Answer `2xx` quickly; FairShare also
//! counts `409` as delivered. See [`webhook`].
//!
//! # Crash-safe creates
//!
//! A key made per call protects that call's retries only: a process killed after sending a
//! create, and asked again after a restart, would send a new key and open a second session.
//! Derive the key from your own reference instead, so every process sends the same one:
//!
//! ```
//! use fairshare_client::IdempotencyKey;
//! let key = IdempotencyKey::derive("fairshare.session", "order-42");
//! // NewSplitSession::..(..).idempotency_key(key.clone())
//! assert_eq!(key.as_str().len(), 36); // within FairShare's 120 characters
//! ```
//!
//! FairShare answers a repeat of the same request and key with the original session, and a key
//! reused with a different payload with [`Error::IdempotencyConflict`] (never retried). Use one
//! namespace per kind of create and a new reference for a deliberate second session.
//!
//! # Configuration
//!
//! [`Client::builder`] takes the API key (sandbox or live: the key picks the environment; the
//! host is the same) and offers [`ClientBuilder::base_url`],
//! [`ClientBuilder::api_key_header`], [`ClientBuilder::transport`],
//! [`ClientBuilder::reqwest_client`], [`ClientBuilder::retry`],
//! [`ClientBuilder::attempt_timeout`] and [`ClientBuilder::deadline`]. The key is kept in a
//! [`SecretString`] and never printed.
//!
//! # Testing your code
//!
//! With the `testing` feature, the module `testing` has FairShare's answers as fixtures (the
//! split session with its amounts written as FairShare writes them, `200.00`; errors), ready
//! `wiremock` mocks of the three calls, and `testing::sign_webhook` (the `X-SplitPay-*`
//! headers) to post a correctly signed delivery to your own handler. For flows (contributors
//! paying, a webhook retried), use the emulator crate, `splitkit-emulator`.
//!
//! # Choices this crate makes
//!
//! Where FairShare's documentation is silent or contradicts itself, this is what the crate does.
//!
//! - **API key header.** The newest create-session page says `X-SplitPay-API-Key`; the API Keys
//!   page and the older create-session page say `x-api-key`. The default is
//!   `X-SplitPay-API-Key` ([`API_KEY_HEADER`]): it is the most recent statement and matches the
//!   `X-SplitPay-*` webhook headers. [`ClientBuilder::api_key_header`] switches to
//!   [`LEGACY_API_KEY_HEADER`] or any name. The key is sent in one header only, not both.
//! - **`totalAmountQar` and `currency`.** The older page said the total is "in QAR", the newer
//!   one drops it. The total is sent as given, in the session's `currency`; any three-letter
//!   code is accepted (upper-cased), not only `QAR`.
//! - **Rules beyond the documented ones.** The total must be greater than 0, item prices and the
//!   convenience fee must not be negative, item ids and descriptions must not be empty, a Pick
//!   Items session needs at least one item. The SDK does not check that items add up to the
//!   total, nor the number of decimal places: FairShare documents neither.
//! - **Convenience fee.** Unset, both fee fields are left out (FairShare's defaults: `NONE`,
//!   `0.00`). [`ConvenienceFee::None`] sends `NONE` with `0`, as the documented examples do.
//! - **Split Evenly without a count.** `expectedContributors` is optional at creation but needed
//!   before contributions begin, so the count is an argument of
//!   [`NewSplitSession::split_evenly`] and leaving it out takes the explicitly named
//!   [`NewSplitSession::split_evenly_count_later`].
//! - **Redirect and image URLs** must be absolute URLs; any scheme is accepted (an app may
//!   redirect to its own scheme).
//! - **Setting expected contributors.** FairShare documents neither the body nor the answer.
//!   The SDK sends `{"expectedContributors": n}`; it returns the answer when it is a split
//!   session and otherwise reads the session again. The call sets a value, so it is treated
//!   as idempotent (retried after a timeout or 5xx) but carries no `Idempotency-Key`, which is
//!   documented for creates only.
//! - **Create answer.** 200 or 201 are both taken as success.
//! - **Error bodies** are read leniently: only `code` and `message` are documented, other
//!   fields are ignored, and a body without them still gives an [`Error::Api`] with the status.
//!   FairShare documents no request-id header and no rate limits; `Retry-After` is honoured if
//!   sent.
//! - **Statuses.** [`SplitSessionStatus`] is open: a value this SDK does not know (FairShare has
//!   a `split_session.canceled` event but no documented `CANCELED` status) is kept as
//!   [`SplitSessionStatus::Unknown`], and [`SplitSessionStatus::is_open`] treats it as settled.
//! - **Webhook signatures.** The key is used as the UTF-8 bytes of the string the dashboard
//!   shows; hex is accepted in either case; the header may hold several entries (separated by
//!   commas or spaces), and may be sent several times; one matching `v1=` entry is enough;
//!   entries of other schemes are ignored. The tolerance is 5 minutes both ways ("for example
//!   5 minutes" in the docs), configurable with
//!   [`Verifier::tolerance`](splitkit_common::webhook::Verifier::tolerance). The retry schedule
//!   is not documented: handled events are remembered for [`webhook::RETRY_WINDOW`] (3 days)
//!   unless configured otherwise.
//! - **Webhook objects.** FairShare shows no example object. For `split_session.*` events the
//!   object is read as a [`SplitSession`]; if it does not have that shape the event is still
//!   delivered, as [`webhook::Payload::Unrecognised`] with the raw body and the path that did
//!   not fit. `contribution.created` objects are kept
//!   as their exact JSON text ([`RawObject`]: their fields are not documented), so amounts in
//!   them can still be read without a float. The signed body's `type` is authoritative; the
//!   unsigned `X-SplitPay-Event` header is not used.
//! - **Contributions inside a session.** Their fields are not documented, so
//!   [`SplitSession::contributions`] holds `serde_json::Value`s (what the generator makes of a
//!   free-form object). Numbers in a `Value` are `f64`: an amount such as `40.10` reads back as
//!   `40.1`, exact in value for amounts of up to 15 significant digits. Read money from the
//!   session's own fields ([`SplitSession::collected`], ...), which are exact [`Decimal`]s.
//! - **Personal data.** `leadContributorName` and `leadContributorEmail` are masked in the
//!   excerpts of decode errors, so they do not end up in logs.
//! - **Tolerant reader, strict writer** (the policy of every splitkit crate): answers are read
//!   as FairShare plausibly drifts: amounts also from strings (`"200.00"`, exact: decimals
//!   never pass through a float), counts also from strings, strings also from numbers,
//!   timestamps also with a space for the `T`, unknown fields ignored, `null` for every
//!   optional field, unknown statuses and codes kept. FairShare has no list call; should one
//!   come, it returns a [`Page`] whose unreadable items are in
//!   `Page::rejected`, as in the other crates. An `Unknown` split type or fee type is never
//!   sent.

pub mod client;
pub mod error;
pub mod generated;
pub mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhook;

pub use client::{
    API_KEY_HEADER, Client, ClientBuilder, IDEMPOTENCY_KEY_MAX_LEN, LEGACY_API_KEY_HEADER,
};
pub use error::{ErrorExt, FairShareErrorPolicy, PROVIDER};
pub use generated::DEFAULT_BASE_URL;
pub use generated::models::{
    Contribution, ConvenienceFeeType, CreateSplitSessionItem, CreateSplitSessionRequest, ErrorCode,
    ErrorResponse, SplitSession, SplitSessionItem, SplitSessionStatus, SplitType, WebhookEventType,
};
pub use sessions::{
    ConvenienceFee, FlexibleAmount, Item, NewSplitSession, PickItems, Sessions, SplitEvenly,
    SplitKind,
};
pub use splitkit_common;
pub use splitkit_common::{
    ApiError, AuthFailure, AuthFailureKind, CallContext, Decimal, Error, IdempotencyKey, Page,
    Result, RetryPolicy, SecretString, Timestamp, Transport,
};
pub use webhook::{EventBody, EventData, RawObject, WebhookEvent, WebhookInbox, WebhookVerifier};
