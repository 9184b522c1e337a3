//! Rust SDK for [Zepto](https://www.zepto.com.au) (formerly Split Payments / split.cash):
//! Australian account-to-account payments over NPP and Direct Entry.
//!
//! You never write HTTP, HMAC, retry or OAuth code: build a [`Client`], call resource methods,
//! verify webhooks with [`webhook::WebhookVerifier`].
//!
//! # Quick start
//!
//! ```no_run
//! use zepto_client::{Client, Environment, Timestamp};
//! use zepto_client::contacts::NewContact;
//! use zepto_client::models::PaymentChannel;
//! use zepto_client::payments::{NewPayment, Payout};
//!
//! # async fn run() -> Result<(), zepto_client::Error> {
//! let client = Client::builder(Environment::Sandbox)
//!     .personal_access_token(std::env::var("ZEPTO_ACCESS_TOKEN").unwrap_or_default())
//!     .build()?;
//!
//! let contact = client
//!     .contacts()
//!     .create(NewContact::new("Hunter Thompson", "hunter@batcountry.com", "123456", "13048322"))
//!     .await?;
//!
//! let payment = client
//!     .payments()
//!     .create(
//!         NewPayment::new("The SuperPackage", Timestamp::parse("2030-06-13T00:00:00Z")?)
//!             .channels([PaymentChannel::NewPaymentsPlatform, PaymentChannel::DirectEntry])
//!             .payout(Payout::new(&contact.id, 30_000, "A tandem skydive jump")),
//!     )
//!     .await?;
//! println!("created {}", payment.ref_);
//! # Ok(())
//! # }
//! ```
//!
//! # The main flows
//!
//! - **Pay someone**: add them with [`contacts::Contacts::create`], then
//!   [`payments::Payments::create`] with one [`payments::Payout`]. Every create of a Payment,
//!   Payment Request or Refund carries an `Idempotency-Key` (yours, or a new UUIDv4 per call),
//!   the same on every automatic retry. A key reused within 24 hours answers
//!   [`Error::IdempotencyConflict`] whose `existing_resource` is the reference of what that key
//!   created (e.g. `PB.1a4`); see [`error::existing_resource_ref`].
//! - **Get paid**: [`payment_requests::PaymentRequests::create`] debits a Contact under an
//!   accepted Agreement ([`agreements`], [`open_agreements`], [`unassigned_agreements`]);
//!   Receivable Contacts ([`contacts::NewReceivableContact`]) pay you to a PayID, which shows
//!   up as receivables.
//! - **Follow the money**: [`transactions::Transactions::list`] with filters, page by page
//!   ([`List::send`], [`Client::next_page`]) or as one lazy stream ([`List::stream`]); or
//!   webhooks.
//! - **Connect other accounts**: [`oauth::OAuthApp`] builds the authorisation URL (scopes as
//!   [`oauth::Scope`], a CSRF state, optional sign-up pre-fill), exchanges the code, and is
//!   the token source of [`ClientBuilder::oauth`]: access tokens are cached and refreshed
//!   early, one refresh at a time, the rotated refresh token is saved to your
//!   [`TokenStore`] (e.g. [`oauth::FileTokenStore`]) before the new access token is used, and
//!   a 401 or 403 refreshes once and retries once.
//! - **Test**: [`sandbox`] simulates incoming PayID payments and lists the amounts that make
//!   sandbox transactions fail, e.g.
//!   [`sandbox::direct_entry_trigger`]`(InsufficientFunds, Leg::Debit)` is 11 cents.
//!
//! Every request builder checks what the reference states before anything is sent (amounts in
//! whole cents from 1 to 99 999 999 999, one Payout per Payment, a remitter of 3 to 16
//! characters, Contact names of at most 140 and emails of at most 256 characters, `per_page` at
//! most 100, `matures_at` not before the start of today, `other_party` / `party_contact_id` not
//! with `both_parties`, ...) and fails with [`Error::Validation`] naming the field; see
//! [`rules`].
//!
//! Errors are [`splitkit_common::Error`]: Zepto's two error shapes (`errors` as a list of
//! objects or as a sentence) are decoded into the message and code of [`ApiError`], and the
//! body stays readable with [`error::error_body`]. A `503` with `Retry-After` (a concurrent
//! request with the same idempotency key) is retried after that delay.
//!
//! # Webhooks
//!
//! ```no_run
//! use zepto_client::webhook::{EventData, WebhookVerifier};
//!
//! # fn handle(headers: &http::HeaderMap, raw_body: &[u8]) -> Result<(), zepto_client::Error> {
//! let verifier = WebhookVerifier::new(std::env::var("ZEPTO_WEBHOOK_SECRET").unwrap_or_default());
//! // Verify over the raw bytes, before parsing; answer 401 on an error.
//! let event = verifier.verify_event(headers, raw_body)?;
//! // `Split-Request-ID`: the same on every retry. Skip what you have processed already.
//! let _dedupe_key = event.request_id.as_deref();
//! if let EventData::Transactions(transactions) = &event.data {
//!     for transaction in transactions {
//!         // `data` may hold several items: handle every one.
//!         println!("{} {} {}", event.event_type, transaction.ref_, transaction.status);
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`webhook`] explains the `Split-Signature` format and how to answer Zepto.
//!
//! # Choices this crate makes
//!
//! Where Zepto's sources disagree or say nothing:
//!
//! - **Hosts.** [`Environment::Sandbox`] and [`Environment::Production`] are the current Zepto
//!   AU hosts (`*.zeptopayments.com`); the Split-era hosts of the API reference
//!   (`*.split.cash`) and the NZ hosts have their own variants, and any pair of API and OAuth
//!   URLs fits [`Environment::Custom`] (e.g. the oldest sandbox UI host
//!   `go-sandbox.split.cash`). The OAuth endpoints are taken to be `/oauth/authorize` and
//!   `/oauth/token` on the OAuth host in every environment (documented for the sandbox only).
//! - **`Accepts`**: the Conventions ask clients to send `Accepts: application/json` (sic); every
//!   request carries both `Accepts` and the standard `Accept`.
//! - **Token requests** send `client_id` and `client_secret` as form fields (the reference's
//!   curl uses multipart `-F`; Doorkeeper accepts URL-encoded forms). Scopes are space
//!   separated (undocumented; Zepto's Postman environment uses spaces).
//! - **Token refresh** starts 5 minutes before expiry ([`ClientBuilder::refresh_margin`]), and
//!   token requests are never retried: a refresh that reached Zepto has used up its single-use
//!   refresh token, so a blind retry could only fail.
//! - **403 renews the token** like 401: the reference lists an invalid or expired token as the
//!   first cause of 403. A 403 for a missing scope therefore costs one refresh before it
//!   surfaces.
//! - **`your_bank_account_id` of a Payment is optional**: the reference marks it required but
//!   says "If omitted, your primary bank account will be used".
//! - **Amount range** 1 to 99 999 999 999 cents is applied to Payouts too (the reference states
//!   it for Payment Requests, Refunds, Transfers and PayID simulations).
//! - **Channels** accepted in requests are the documented combinations only:
//!   `[new_payments_platform]`, `[direct_entry]`, `[new_payments_platform, direct_entry]`.
//!   Channels are sent as an array (the 2021 documentation sent a string).
//! - **"Start of the current day"** for `matures_at` is taken in the account's time zone
//!   ([`rules::AccountTimeZone`], default Sydney), at the earlier of its standard and daylight
//!   offsets, so that no time Zepto accepts is refused.
//! - **A Payment Request's `matures_at`** is not checked against today: the reference says a
//!   request approved after it is processed straight away.
//! - **`per_page` above 100** is refused rather than silently capped by Zepto.
//! - **`both_parties`** is a flag ([`List::both_parties`]); any use of it with
//!   `other_party` or `party_contact_id` is refused.
//! - **409** is an idempotency conflict when its body names the earlier resource
//!   (`meta.resource_ref`) or mentions idempotency; any other 409 is a plain API error.
//! - **Webhook signatures**: every dot-separated element after the timestamp that is a 64-digit
//!   hex string is a candidate signature and one match suffices; other elements are ignored
//!   ("placeholders for future parameters"). The signature is checked before the timestamp;
//!   the tolerance is 300 s either way by default. The header names default to
//!   `Split-Signature` / `Split-Request-ID` (no Zepto-branded names are documented) and can be
//!   changed with [`webhook::WebhookVerifier::header_names`].
//! - **A signed delivery without `Split-Request-ID`** is accepted, with
//!   [`webhook::WebhookEvent::request_id`] `None`; Zepto documents the header on every delivery.
//! - **Webhook `data`** is decoded by the event type's prefix (the reference's table);
//!   prefixes it does not list (e.g. `payout_batch.added`) keep the raw JSON array.
//! - **Open enums**: statuses, channels, failure reasons, event types and scopes accept values
//!   this SDK does not know (`Unknown(String)`), as Zepto adds them without notice. The
//!   reference's examples show `approved` for an Agreement and `float account` for a channel;
//!   both decode as unknown values.
//! - **Examples the SDK cannot read verbatim**: the reference once writes an Agreement term
//!   `days` as the string `"1"` and once a payout `created_at` without a time zone; the
//!   OpenAPI document of this crate uses `1` and `…Z` there.
//! - **Sandbox failure amounts**: both tables are provided; the older `failure_reason` amounts
//!   ([`sandbox::failure_triggers`]) and the newer `failure_code` ones
//!   ([`sandbox::FAILURE_CODE_TRIGGERS`]); which an account gets depends on its platform.
//! - **Webhook-management paths** `GET/POST /webhook_deliveries/{id}` come from the 2021-09
//!   revision of Zepto's OpenAPI document; the reference pages do not show them.
//!
//! # Generated code
//!
//! [`generated`] is produced from this crate's `openapi.yaml` and `codegen.toml` by
//! `splitkit-codegen`; [`models`] re-exports its types. Every operation also exists there as a
//! request builder (`generated::operations::*_request`) for calls this crate does not wrap.

pub mod agreements;
pub mod bank_accounts;
pub mod bank_connections;
pub mod client;
pub mod contacts;
pub mod error;
pub mod generated;
pub mod list;
pub mod oauth;
pub mod open_agreements;
pub mod payment_requests;
pub mod payments;
pub mod payouts;
pub mod refunds;
pub mod rules;
pub mod sandbox;
pub mod transactions;
pub mod transfers;
pub mod unassigned_agreements;
pub mod users;
pub mod webhook;
pub mod webhooks;

/// The API's data types (generated from `openapi.yaml`).
pub mod models {
    pub use crate::generated::models::*;
}

pub use client::{Client, ClientBuilder, Environment};
pub use list::List;
pub use splitkit_common;
pub use splitkit_common::{
    ApiError, Error, IdempotencyKey, MemoryTokenStore, Page, RetryPolicy, SecretString, Timestamp,
    TokenPair, TokenStore,
};
