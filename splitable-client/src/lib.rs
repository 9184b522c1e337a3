//! Rust SDK for split(able) (`splitable.com`): let a shop's customers split the cost of an
//! order with their friends.
//!
//! The flow: your server creates a split for an order and redirects the customer to the
//! split's payment hub; the customer invites friends, each pays a part; when the total is
//! reached in time (or not), split(able) calls your server back. This crate sends the
//! form-encoded requests, reads split(able)'s answers into types, and verifies its callbacks.
//! It runs on the shared runtime [`splitkit_common`] (transport, retries, timeouts, errors).
//!
//! # Quick start
//!
//! ```no_run
//! use splitable_client::{Client, LineItem, NewSplit, ErrorExt};
//!
//! # async fn run() -> Result<(), splitable_client::Error> {
//! let client = Client::builder("92746e4d66cb8993") // the company's api_key
//!     .draft() // the test service; leave out for live
//!     .build()?;
//!
//! let split = NewSplit::builder(
//!     "3789273937239273", // your order id: `invoice`
//!     "https://shop.example.com/payment_notifications/splitable", // `api_notify_url`
//! )
//! .item(
//!     LineItem::new("Essential Calculus Book", 1, 20000) // unit price in cents
//!         .with_url("https://shop.example.com/products/essential-calculus-book"),
//! )
//! .item(LineItem::new("Marine Biology Book", 1, 10000))
//! .shipping(1000)
//! .tax(4000)
//! .total_from_items() // 35000 cents; or .total_amount(35000)
//! .expires_in(48)
//! .build()?; // every local rule is checked here, before anything is sent
//!
//! match client.splits().create(split).await {
//!     Ok(created) => println!("redirect the customer to {}", created.split_url),
//!     Err(err) => match err.error_code() {
//!         Some(message) => println!("split(able) refused the split: {message}"),
//!         None => return Err(err),
//!     },
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Hosts
//!
//! [`Client::builder`] talks to the live `www` host, [`LIVE_BASE_URL`], by default.
//! [`ClientBuilder::draft`] (or [`ClientBuilder::environment`]) selects the draft (test)
//! service, [`DRAFT_BASE_URL`]; [`ClientBuilder::company`] selects the company's own subdomain
//! as the documentation's examples use it (`https://nimbleshop.splitable.com`,
//! `https://nimbleshop.splitable-draft.com`); [`ClientBuilder::base_url`] overrides both (a
//! test server, a proxy). The `api_key` goes into the form body of `POST` requests and the
//! query string of `GET` requests, as split(able) expects; it never appears in `Debug`
//! output, errors or logs.
//!
//! # Calls
//!
//! - [`Splits::create`] (`POST /api/splits`) takes a [`NewSplit`] and returns a
//!   [`CreatedSplit`]: the `split_url` to redirect the customer to and the `split_id`.
//! - [`Splits::paid_members`] (`GET /api/splits/{split_id}/paid_members`) returns the name and
//!   email of everyone who has paid ([`PaidMember`]), as a [`Page`]:
//!   the members in `items`, any member the SDK could not read in `rejected`.
//!
//! split(able) decides success by the body, not the status: a success is `201` with
//! `split_url` and `split_id`; the same failure was recorded as `500` on the live host and as
//! `200` on the draft host, both with `{"error": "..."}`. This crate returns every `error` body
//! as [`Error::Api`] with the message in [`ApiError::message`] and the typed body behind
//! [`ErrorExt::error_response`], whatever the status. Every error of a call names the
//! provider and the operation (`splitable createSplit: 500 Internal Server Error: Order must
//! have atleast one line item`); a rejected `api_key` (`401`) is an [`Error::Auth`].
//! [`Client::splits`] owns a clone of the client, so the futures of its calls borrow nothing
//! and compose with `tokio::join!` and `tokio::spawn`.
//!
//! Creating a split is never retried once the request may have reached split(able): it takes
//! no idempotency key, so a retry could create a second split. Reading paid members is
//! retried on transient failures (timeouts, `429`, `502`, `503`, `504`, and a `500` without an
//! `error` body).
//!
//! # Callbacks
//!
//! When a split is paid or cancelled, split(able) `POST`s a form with `invoice`,
//! `payment_status`, `api_secret` and `transaction_id` to your `api_notify_url`. There is no
//! signature: [`WebhookVerifier`] compares `api_secret` with the secrets you expect, in
//! constant time, and returns a [`WebhookEvent`] whose payload is the typed [`EventBody`].
//!
//! ```
//! use http::{HeaderMap, StatusCode};
//! use splitable_client::webhook::{Payload, WebhookVerifier};
//! use splitable_client::{ACKNOWLEDGE_STATUS, PaymentStatus};
//!
//! fn handle(verifier: &WebhookVerifier, headers: &HeaderMap, body: &[u8]) -> StatusCode {
//!     let Ok(event) = verifier.verify(headers, body) else {
//!         return StatusCode::FORBIDDEN; // not 200: split(able) will retry
//!     };
//!     // Record it once per `event.id` (the transaction_id); a repeat is answered 200 too.
//!     match &event.payload {
//!         Payload::Typed(callback) => match callback.payment_status {
//!             PaymentStatus::Paid => { /* fulfil callback.invoice */ }
//!             PaymentStatus::Cancelled => { /* release callback.invoice */ }
//!             _ => { /* unknown: keep it for a human, still acknowledge */ }
//!         },
//!         Payload::Unrecognised(raw) => { /* keep raw.body() for a human */ }
//!     }
//!     ACKNOWLEDGE_STATUS // exactly 200
//! }
//! # let _ = handle;
//! ```
//!
//! The handler must answer **exactly `200`**: any other status (`201` and `204` included)
//! makes split(able) send the callback again, 25 attempts over about three weeks. Deliveries can
//! repeat, so the handler must be idempotent on the `transaction_id`. [`WebhookInbox`] does
//! the de-duplication and the answers. When every split carries its own `api_secret`, look it
//! up by [`webhook::unverified_invoice`] and verify with it. See [`webhook`].
//!
//! # Testing your code
//!
//! With the `testing` feature, the module `testing` has split(able)'s answers as fixtures (a
//! created split, paid members, errors with the draft or live host's status), ready `wiremock`
//! mocks of both calls, and `testing::callback`, the form split(able) posts to your callback
//! URL. For flows (a team paying, a callback retried), use the emulator crate,
//! `splitkit-emulator`.
//!
//! # Choices this crate makes
//!
//! split(able)'s documentation (2012, the service is gone) is short and sometimes silent or
//! inconsistent. Where it is, this crate chooses as follows.
//!
//! - **Host.** The docs post to `https://<company>.splitable.com` and their own client to
//!   `https://www.splitable.com`; the default is the `www` host, and every form (live, draft,
//!   company subdomain, any URL) can be configured.
//! - **Success or failure.** Read from the body, never the status. A body with an `error` key
//!   is a failure even when it also has `split_url`; a successful status whose body has
//!   neither `error` nor a non-empty `split_url` and `split_id` is [`Error::Decode`].
//! - **`500` with an `error` body.** The live host reports rejections (such as an order
//!   without line items) with `500`, so such an answer is never retried, not even for the
//!   `GET`, and [`Error::is_retryable`] says `false` for it.
//! - **`total_amount`.** The docs state no rule tying it to the items, shipping and tax, so
//!   none is enforced. Their only example equals the sum of `quantity` x `amount` plus
//!   `shipping` plus `tax`; [`compute_total`] and [`NewSplitBuilder::total_from_items`] compute
//!   that sum. The total must be above zero.
//! - **Line items.** At least one (the docs: "An order with zero line items will be
//!   rejected") and at most 20 ([`MAX_LINE_ITEMS`], stated in early revisions of the docs and
//!   never revoked). Items are numbered from 1 without gaps, in the order added. The SDK also
//!   requires a non-empty name, a quantity of at least 1, a unit amount that is not negative,
//!   and an absolute `http`/`https` URL when `url_N` is given.
//! - **`expires_in`.** The service silently replaces a non-numeric value or one above 120 with
//!   its default (120 hours); the SDK takes a `u32` and refuses 0 and anything above 120. The
//!   docs' own curl example misspells the field `exires_in` (fixed in a later revision); the
//!   SDK sends `expires_in`.
//! - **Money.** Every amount is integer cents ([`MinorUnits`]); the implied currency is USD
//!   (there is no currency parameter). The service tolerated float-formatted cents from one
//!   client; this crate always sends integers. `shipping` and `tax` must not be negative.
//! - **Other local rules.** `invoice` must not be empty; `api_notify_url` must be an absolute
//!   `http`/`https` URL (a wrong one would lose every callback without an error); a per-split
//!   `api_secret` must not be empty; the `api_key` must not be empty.
//! - **Paid members.** The only published sample is one `{name, email}` object although the
//!   endpoint returns "the list"; both an array and a single object are accepted, and the
//!   result is always a [`Page`] without a next page: in an array, a
//!   member the SDK cannot read is in `Page::rejected` (with its raw JSON) and the others are
//!   in `Page::items`, as for every list of the splitkit crates. The path has no `.json` suffix (one revision had it). An
//!   `{"error": ...}` body is an error whatever the status.
//! - **Callbacks.** The docs call the callback's `api_secret` optional, but without it a
//!   callback cannot be told from a forgery, so a callback without one is rejected. The body
//!   is form-urlencoded as documented; a JSON object with the same fields is accepted too. A
//!   `Content-Type` other than those two, a body that is not UTF-8 and a repeated callback
//!   field are rejected; an unknown `payment_status` is returned as
//!   [`PaymentStatus::Unknown`], not an error; a verified callback missing another field is
//!   kept as [`webhook::Payload::Unrecognised`].
//!   Secrets are compared as SHA-256 digests with `subtle`, so neither content nor length
//!   leaks through timing.
//! - **Idempotency.** The docs say nothing of a repeated `invoice`; assume each create makes a
//!   new split.
//! - **Tolerant reader** (the policy of every splitkit crate): answers are read as a provider
//!   plausibly drifts: strings also from numbers (a numeric `split_id`), unknown fields
//!   ignored, `null` for every optional field; callbacks keep an unknown `payment_status`.
//! - **Request id.** split(able) answers carry Rails' `X-Request-Id`; it is kept in errors.
//! - **Not covered.** split(able) documented no refund, cancel or lookup endpoint; refunds
//!   needed its support and the callback's `transaction_id`.

mod client;
pub mod error;
pub mod generated;
mod splits;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhook;

pub use client::{
    API_KEY_PARAM, Client, ClientBuilder, DRAFT_BASE_URL, Environment, LIVE_BASE_URL,
    REQUEST_ID_HEADER,
};
#[allow(deprecated)]
pub use error::SplitableErrorExt;
pub use error::{ErrorExt, ErrorResponse, PROVIDER, SplitableErrorPolicy};
pub use generated::models::PaidMember;
pub use splitkit_common;
pub use splitkit_common::{
    ApiError, AuthFailure, AuthFailureKind, CallContext, Error, MinorUnits, Page, Result,
    RetryPolicy, SecretString, Transport,
};
pub use splits::{
    CreatedSplit, LineItem, MAX_EXPIRES_IN_HOURS, MAX_LINE_ITEMS, NewSplit, NewSplitBuilder,
    Splits, compute_total,
};
pub use webhook::{
    ACKNOWLEDGE_STATUS, EventBody, PaymentStatus, WebhookEvent, WebhookInbox, WebhookVerifier,
};
