//! Rust SDK for [Zepto](https://www.zepto.com.au) (formerly Split Payments / split.cash):
//! Australian account-to-account payments over NPP and Direct Entry.
//!
//! You never write HTTP, HMAC, retry or OAuth code: build a [`Client`], call resource methods,
//! verify webhooks with [`webhook::WebhookVerifier`] (or receive them with
//! [`webhook::WebhookInbox`]).
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
//!     .create(
//!         NewContact::new()
//!             .name("Hunter Thompson")
//!             .email("hunter@batcountry.com")
//!             .branch_code("123456")
//!             .account_number("13048322"),
//!     )
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
//! - **Connect other accounts** (feature `oauth`, on by default; without it, neither the
//!   `oauth2` crate nor the token renewal is compiled, for personal access tokens only):
//!   [`oauth::OAuthApp`] builds the authorisation URL (scopes as [`oauth::Scope`], a CSRF
//!   state, optional sign-up pre-fill), exchanges the code, and is the token source of
//!   [`ClientBuilder::oauth`]: access tokens are cached and refreshed early, one refresh at a
//!   time, the rotated refresh token is saved to your [`TokenStore`] (e.g.
//!   [`oauth::FileTokenStore`]) before the new access token is used, and a 401 or 403
//!   refreshes once and retries once.
//! - **Test**: [`sandbox`] simulates incoming payments (NPP to a PayID or to an account
//!   number, Direct Entry) and lists the amounts that make sandbox transactions fail, e.g.
//!   [`sandbox::direct_entry_trigger`]`(InsufficientFunds, Leg::Debit)` is 11 cents.
//! - **Recover missed webhooks**: [`webhooks::Webhooks::recover`] lists a webhook's
//!   deliveries that failed since a time and sends each again; [`webhooks::DeliveryList`]
//!   filters deliveries (state, event type, time, status class, ref) and streams them with
//!   Zepto's `starting_after` cursor.
//!
//! Every request builder checks what the reference states before anything is sent (amounts in
//! whole cents from 1 to 99 999 999 999, one Payout per Payment, a remitter of 3 to 16
//! characters, Contact names of at most 140 and emails of at most 256 characters, `per_page` at
//! most 100, `matures_at` not before the start of today, `other_party` / `party_contact_id` not
//! with `both_parties`, ...) and fails with [`Error::Validation`] naming the field; see
//! [`rules`].
//!
//! Every error of a call names the provider and the operation, and, after retries, the attempts
//! and the time they took (`zepto createPayment: could not connect to
//! api.sandbox.zeptopayments.com: connection reset (after 3 attempts in 91.2 s)`). A rejected
//! personal access token (or an OAuth token still rejected after one renewal) is an
//! [`Error::Auth`]. Errors are [`Error`]s: Zepto's two error shapes (`errors` as a list of
//! objects or as a sentence) are decoded into the message and code of [`ApiError`], and the
//! body stays readable with [`ErrorExt::error_response`] (`None` for another provider's error).
//! A `503` with `Retry-After` (a concurrent request with the same idempotency key) is retried
//! after that delay.
//!
//! Resource handles (`client.payments()`, ...) own a clone of the client (one shared `Arc`):
//! the futures of their calls borrow nothing, so calls compose with `tokio::join!` and
//! `tokio::spawn`. A handle is used up by its call; take a new one for the next
//! (`client.payments().get(..)`), or clone it.
//!
//! # Webhooks
//!
//! ```no_run
//! use zepto_client::webhook::{EventData, Payload, WebhookVerifier};
//!
//! # fn handle(headers: &http::HeaderMap, raw_body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! // An unset or empty secret is refused here, not accepted as a key anyone can sign with.
//! let verifier = WebhookVerifier::new([std::env::var("ZEPTO_WEBHOOK_SECRET")?])?;
//! // Verify over the raw bytes; answer 401 on an error.
//! let event = verifier.verify(headers, raw_body)?;
//! // `event.id` is `Split-Request-ID`, the same on every retry: skip what you have handled.
//! // Zepto never resends an answered delivery: persist the event before answering 200.
//! if let Payload::Typed(body) = &event.payload {
//!     if let EventData::Transactions(transactions) = &body.data {
//!         for transaction in transactions {
//!             // `data` may hold several items: handle every one.
//!             println!("{} {} {}", body.event_type, transaction.ref_, transaction.status);
//!         }
//!     }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`webhook::WebhookInbox`] does the de-duplication and the answers too, and with the `axum`
//! feature is a ready axum handler (`Inbox::into_handler`).
//! [`webhook`] explains the `Split-Signature` format and how to answer Zepto.
//!
//! # Testing your code
//!
//! With the `testing` feature, the module `testing` has Zepto's answers as fixtures (one per
//! response type, written as Zepto writes them, with typed setters; lists with their
//! pagination headers; both error shapes), ready `wiremock` mocks of the common calls, and
//! `testing::sign_webhook` to post a correctly signed delivery to your own handler. For flows
//! (a payment that clears, a webhook retried after an outage, faults), use the emulator crate,
//! `splitkit-emulator`, which emulates every operation of this crate.
//!
//! # Choices this crate makes
//!
//! Where Zepto's sources disagree or say nothing:
//!
//! - **Hosts.** [`Environment::Sandbox`] and [`Environment::Production`] are the current Zepto
//!   AU hosts (`*.zeptopayments.com`); the Split-era hosts of the API reference
//!   (`*.split.cash`) and the NZ hosts have their own variants. A proxy, a test server or the
//!   emulator replaces either host with [`ClientBuilder::base_url`] and
//!   [`ClientBuilder::oauth_base_url`] (the setters every splitkit crate has), and any pair of
//!   API and OAuth URLs also fits [`Environment::Custom`] (e.g. the oldest sandbox UI host
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
//!   ("placeholders for future parameters"). Every `Split-Signature` header is read (they must
//!   agree on the timestamp). The timestamp is checked before any HMAC; the tolerance is 300 s
//!   either way by default. The header names default to `Split-Signature` /
//!   `Split-Request-ID` (no Zepto-branded names are documented) and can be changed with
//!   [`webhook::ZeptoScheme::header_names`].
//! - **A signed delivery without `Split-Request-ID`** is accepted; its event id is then the
//!   body's SHA-256 ([`Event::id`](splitkit_common::webhook::Event::id)). Zepto documents the header on
//!   every delivery.
//! - **Webhook `data`** is decoded item by item by the event type's prefix (the reference's
//!   table): an item that does not decode is kept raw in
//!   [`webhook::EventBody::unreadable`] and the others are typed; a single object is read as a
//!   list of one. Prefixes it does not list (e.g. `payout_batch.added`) keep the raw items.
//! - **Open enums**: statuses, channels, failure reasons, event types and scopes accept values
//!   this SDK does not know (`Unknown(String)`), as Zepto adds them without notice. The
//!   reference's examples show `approved` for an Agreement and `float account` for a channel;
//!   both decode as unknown values.
//! - **Tolerant reader, strict writer** (the policy of every splitkit crate): answers are read
//!   as Zepto plausibly drifts. Amounts and counts are also read from strings (the reference
//!   once prints an Agreement term `days` as `"1"`), strings also from numbers, booleans also
//!   from `"true"`/`"false"`, timestamps also with a space for the `T`
//!   (`2021-09-02 02:24:50+00:00`) or without a zone (taken as UTC, as one payout
//!   `created_at` is printed); unknown fields are ignored and `null` is accepted for every
//!   optional field. An amount in cents with a fraction is refused, never rounded. What is sent
//!   is checked: an `Unknown` enum value in a filter or a body is an [`Error::Validation`]
//!   naming it, before any request.
//! - **Lists keep every item they can read**: an item the SDK cannot decode is reported in
//!   [`Page::rejected`] by [`List::send`] (index, JSON path,
//!   message and raw JSON) and as [`Error::Item`] in its place by [`List::stream`], which goes
//!   on with the next item; the other items arrive as usual.
//! - **Sandbox failure amounts**: both tables are provided; the older `failure_reason` amounts
//!   ([`sandbox::failure_triggers`]) and the newer `failure_code` ones
//!   ([`sandbox::FAILURE_CODE_TRIGGERS`]); which an account gets depends on its platform.
//! - **Webhook-management paths** come from the September 2021 and January 2026 revisions of
//!   Zepto's OpenAPI document; the reference pages do not show them.
//! - **Metadata** is a JSON object whose values may be any JSON (`{"invoice_id": 123}`), sent
//!   and read as [`models::Metadata`]; only `metadata.remitter` has a rule (a text of 3 to 16
//!   characters), checked before sending.
//!
//! # API generations
//!
//! The crate follows the **January 2026 revision** of Zepto's published OpenAPI document
//! (37 operations), and keeps every operation of Zepto's older API reference (the rendered
//! "Zepto API v1.0" on `*.split.cash` hosts) and of the September 2021 revision, because
//! Zepto may still serve them. What changed, and how the crate treats it:
//!
//! | Change in the January 2026 revision | In this crate |
//! |---|---|
//! | `PATCH /contacts/{id}/receivable` changes a PayID name | [`contacts::Contacts::update_payid_name`] |
//! | `POST /simulate/incoming_npp_payid_payment`, `incoming_npp_bban_payment`, `incoming_de_payment` replace `POST /simulate/incoming_payid_payment` | [`sandbox::Sandbox::simulate_npp_payid_payment`], [`simulate_npp_payment`](sandbox::Sandbox::simulate_npp_payment), [`simulate_de_payment`](sandbox::Sandbox::simulate_de_payment); the older simulation is the deprecated [`simulate_incoming_payid_payment`](sandbox::Sandbox::simulate_incoming_payid_payment) |
//! | `POST /webhook_deliveries/{id}/redeliver` replaces `POST /webhook_deliveries/{id}` | [`webhooks::Webhooks::redeliver`] (also the default of [`webhooks::Webhooks::recover`]); the older path is the deprecated [`resend_delivery`](webhooks::Webhooks::resend_delivery) and [`webhooks::RedeliveryPath::Resend`] |
//! | Payouts take `category_purpose_code` (`PENS`, `SALA`, `TAXS`) and `end_to_end_id` | [`payments::Payout::category_purpose`], [`payments::Payout::end_to_end_id`]; a code without an ID, or an ID over 35 characters, is refused before sending |
//! | `POST /transfers` requires an `Idempotency-Key` | sent on every [`transfers::Transfers::create`], the same on every retry ([`transfers::NewTransfer::idempotency_key`] for your own) |
//! | Transactions carry `failure` and `reversal_details.source_credit_failure` | [`models::Transaction::failure`], [`models::TransactionReversalDetails::source_credit_failure`] |
//! | New values: categories `recovery`, `transfer`; bank account state `removed`; PayID state `deregistered`; IAV provider `credit_sense`; IAV status `removed` | known variants of the open enums (any other value still decodes as `Unknown`) |
//! | The delivery list filters by `ref` | [`webhooks::DeliveryList::reference`] |
//! | A Transfer has `initiator_id`, an Agreement `metadata`; Payment Request `status_reason` texts | read as fields; `status_reason` stays free text |
//!
//! Operations the January 2026 revision no longer lists stay available, each documented as
//! "not in Zepto's current API document; may be retired": bank connections
//! ([`bank_connections`]), [`contacts::Contacts::refresh_bank_connection`], Open Agreements
//! ([`open_agreements`]), Unassigned Agreements ([`unassigned_agreements`]),
//! [`payouts::Payouts::retry`], and the two older paths above.
//!
//! A payout is voided with `POST /payouts/{ref}/void` (the OpenAPI revisions, which accept the
//! optional `details`): [`payouts::Payouts::void`] and
//! [`payouts::Payouts::void_with_details`]. The older reference's `DELETE /payouts/{ref}` is
//! the deprecated [`payouts::Payouts::void_by_delete`].
//!
//! # Restarts and many instances
//!
//! - **Crash-safe creates.** A key made per call protects that call's retries only: a process
//!   killed after sending a Payment, and asked again after a restart, would send a new key and
//!   pay twice. Derive the key from your own reference instead, so every process sends the same
//!   one:
//!
//!   ```
//!   use zepto_client::IdempotencyKey;
//!   let key = IdempotencyKey::derive("zepto.payment", "order-42");
//!   // NewPayment::new(..).idempotency_key(key.clone()), PaymentRequest and Refund builders alike
//!   assert_eq!(key, IdempotencyKey::derive("zepto.payment", "order-42"));
//!   ```
//!
//!   Zepto answers a repeated key with [`Error::IdempotencyConflict`] naming what the first
//!   request created (`existing_resource`, e.g. `PB.1a4`): read that Payment instead of paying
//!   again. Use one namespace per kind of create (`zepto.payment`, `zepto.refund`, ...) and a new
//!   reference for a deliberate second attempt. Zepto forgets keys after 24 hours, after which
//!   the same key makes a new Payment.
//! - **Shared OAuth tokens.** Instances that share an account must share its [`TokenStore`]: a
//!   per-process store (memory, [`oauth::FileTokenStore`]) lets two instances present the same
//!   single-use refresh token, and the second gets `invalid_grant`. The `splitkit-redis` crate's
//!   store makes one instance refresh while the others adopt the stored pair; see its docs.
//!   An error for which [`Error::requires_reauthorization`] holds means the account must be
//!   connected again.
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
#[cfg(feature = "oauth")]
pub mod oauth;
pub mod open_agreements;
pub mod payment_requests;
pub mod payments;
pub mod payouts;
pub mod refunds;
pub mod rules;
pub mod sandbox;
#[cfg(feature = "testing")]
pub mod testing;
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
pub use error::{ErrorExt, PROVIDER};
pub use list::List;
pub use splitkit_common;
pub use splitkit_common::{
    ApiError, AuthFailure, AuthFailureKind, CallContext, Date, Error, IdempotencyKey, MinorUnits,
    Page, Result, RetryPolicy, SecretString, Timestamp, Transport,
};
#[cfg(feature = "oauth")]
pub use splitkit_common::{MemoryTokenStore, TokenPair, TokenStore};
pub use webhook::{WebhookEvent, WebhookInbox, WebhookVerifier};
