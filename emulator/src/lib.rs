//! A local, stateful emulator of the Ante, FairShare, Splitable and Zepto APIs that sends real,
//! signed webhooks, so a merchant can test a whole integration, webhook handler included, on a
//! laptop, in CI or on a plane: no account, no credentials, no network.
//!
//! One HTTP server on `127.0.0.1` serves the four providers under their own prefixes, keeps
//! every resource in memory, drives lifecycles (a group gets funded, a split session completes,
//! a bank transfer clears or fails) through control endpoints, and posts webhooks signed exactly
//! as the providers sign them to the URLs you configure. Errors come back in each provider's own
//! error shape, so a bug in your client shows up as an error, not as silence.
//!
//! # Quick start (Rust tests)
//!
//! ```
//! use std::time::Duration;
//! use splitkit_emulator::control::{Contribution, WebhookFilter};
//! use splitkit_emulator::{Emulator, EmulatorConfig, Provider, seed};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//!
//! // Point your SDK (or plain HTTP) at the emulator instead of the provider.
//! // Start from the runtime's builder: it carries the TLS stack the SDKs were built with.
//! let http = splitkit_common::tls::http_client_builder()?.build()?;
//! let session: serde_json::Value = http
//!     .post(format!("{}/split-sessions", emulator.fairshare_base_url()))
//!     .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
//!     .header("Content-Type", "application/json")
//!     .body(r#"{"totalAmountQar": 300, "currency": "QAR", "splitType": "PROPORTIONAL_POOL"}"#)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! let id = session["id"].as_str().unwrap_or_default();
//!
//! // Drive the lifecycle with the typed control client: a contributor pays ...
//! let paid = emulator
//!     .fairshare()
//!     .contribute(id, Contribution::amount(rust_decimal::Decimal::new(100, 0)).name("Ann"))
//!     .await?;
//! assert_eq!(paid.status, "PARTIAL");
//! // ... and an hour passes: the session (15 minutes by default) has expired.
//! emulator.clock().advance(Duration::from_secs(3600)).await?;
//!
//! // Read what was sent (nothing here: no FairShare webhook URL was configured).
//! let sent = emulator.webhooks().list(&WebhookFilter::provider(Provider::FairShare)).await?;
//! assert!(sent.is_empty());
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! [`Emulator::start`] binds `127.0.0.1:0` (an ephemeral port) unless
//! [`EmulatorConfig::bind`] says otherwise; every test can run its own emulator in parallel.
//! The emulator stops when the [`RunningEmulator`] is dropped.
//!
//! # Quick start (any language)
//!
//! ```text
//! cargo run -p splitkit-emulator -- --port 4010 \
//!     --fairshare-webhook-url http://127.0.0.1:3000/webhooks/fairshare \
//!     --zepto-webhook-url http://127.0.0.1:3000/webhooks/zepto
//! ```
//!
//! The binary prints the base URLs and the seed credentials, and serves them as JSON at
//! `GET /_emulator`. Other flags: `--bind`, `--lenient`, `--zepto-token-ttl`,
//! `--splitable-error-status`, `--ante-headless`, `--ante-min-order-total`,
//! `--webhook-retry-schedule PROVIDER=SPEC` (see [`RetrySchedule`]'s `FromStr`) and
//! `--webhook-retry-delays-ms`; the port can also come from `SPLITKIT_EMULATOR_PORT` (default
//! 4010). From Rust, [`control::Control::connect`] drives such an emulator with the same typed
//! client.
//!
//! # URL layout
//!
//! | what | base URL (append the provider's documented paths) |
//! |---|---|
//! | Ante API | `http://127.0.0.1:PORT/ante/api/v1` (`/sessions`, `/webhooks`, ...) |
//! | FairShare API | `http://127.0.0.1:PORT/fairshare/api/v1` (`/split-sessions`, ...) |
//! | Splitable | `http://127.0.0.1:PORT/splitable` (`/api/splits`, ...) |
//! | Zepto API | `http://127.0.0.1:PORT/zepto/api` (`/payments`, `/contacts`, ...) |
//! | Zepto OAuth (UI) host | `http://127.0.0.1:PORT/zepto/go` (`/oauth/authorize`, `/oauth/token`) |
//! | control | `http://127.0.0.1:PORT/_emulator` |
//!
//! The hosted pages the APIs link to (Ante's `session_url`, FairShare's `splitSessionLink`,
//! Splitable's `split_url`) point at small pages on the emulator that say how to pay through the
//! control endpoints. [`RunningEmulator`] has a method per base URL.
//!
//! # Seed credentials
//!
//! Fixed values, in [`seed`], printed by the binary and served by `GET /_emulator`:
//!
//! - **Ante**: [`seed::ANTE_TEST_PUBLISHABLE_KEY`], [`seed::ANTE_TEST_SECRET_KEY`], the live
//!   pair [`seed::ANTE_LIVE_PUBLISHABLE_KEY`] and [`seed::ANTE_LIVE_SECRET_KEY`] (live data is
//!   kept apart from sandbox data), the signing secret [`seed::ANTE_SIGNING_SECRET`] and the
//!   merchant id [`seed::ANTE_MERCHANT_ID`]. Dashboard webhook secrets (`whsec_…`) are created by
//!   `POST /webhooks`, as with Ante.
//! - **FairShare**: [`seed::FAIRSHARE_API_KEY`] (sandbox), [`seed::FAIRSHARE_LIVE_API_KEY`]
//!   (403 `LIVE_ACCESS_DISABLED` unless enabled) and the webhook signing key
//!   [`seed::FAIRSHARE_WEBHOOK_SIGNING_KEY`].
//! - **Splitable**: [`seed::SPLITABLE_API_KEY`] and [`seed::SPLITABLE_API_SECRET`].
//! - **Zepto**: the OAuth application [`seed::ZEPTO_CLIENT_ID`] / [`seed::ZEPTO_CLIENT_SECRET`]
//!   (any `http(s)` redirect URI on `127.0.0.1`, `localhost` or `[::1]` is accepted,
//!   [`seed::zepto_redirect_uri_allowed`]), a personal access token
//!   [`seed::ZEPTO_PERSONAL_ACCESS_TOKEN`] (never expires, every scope) and the webhook
//!   signature secret [`seed::ZEPTO_WEBHOOK_SECRET`].
//!
//! # Control endpoints
//!
//! The typed client [`control::Control`] (`emulator.control()`, and the shortcuts
//! `emulator.zepto()`, `.ante()`, `.fairshare()`, `.splitable()`, `.clock()`, `.webhooks()`,
//! `.faults()`, `.requests()`) calls these; any other language can too. JSON in and out; errors
//! are `{"error": "<message>"}` with a 4xx status.
//!
//! | endpoint | what it does | client |
//! |---|---|---|
//! | `GET /_emulator` | base URLs, seed credentials, settings (retry schedules included) | |
//! | `GET /_emulator/operations` | every operation served, `{provider, method, path, id}` ([`OPERATIONS`]) | |
//! | `POST /_emulator/reset` | forgets every resource, fault, waiting retry, logged delivery and request, and webhook target set through control endpoints (those of [`EmulatorConfig`] stay); clock back to real time | `reset()` |
//! | `GET /_emulator/clock`, `POST /_emulator/clock/advance` `{seconds}` | the emulator clock; advancing applies every expiry now due and answers once every webhook retry that came due has been attempted | `clock().current()`, `clock().advance(..)` |
//! | `GET /_emulator/webhooks` `?provider=&event_type=&url=` | every delivery attempt: provider, event type and id, url, headers, body, status, error, attempt, `next_attempt_at` | `webhooks().sent()`, `.list(..)` |
//! | `DELETE /_emulator/webhooks` | empties the delivery log | `webhooks().clear()` |
//! | `POST /_emulator/faults` `{provider, operation?, count?, type, ...}` | the next `count` requests to `operation` (any of `provider`'s without one) meet a [`Fault`]: `{"type": "status", "status", "retry_after"?}`, `{"type": "hang", "ms"}`, `{"type": "reset"}`, `{"type": "delay", "ms"}`; `GET`/`DELETE` list and clear | `faults().next(..)` |
//! | `GET /_emulator/requests` `?provider=&operation=` | every API request ([`ApiRequest`]): operation, method, path, query, idempotency key, body, status, fault; `DELETE` empties the log | `requests().list()`, `.of(..)`, `.to(..)` |
//! | `POST /_emulator/ante/sessions/{id}/open` | the organizer opens the group (`group.created`) | `ante().open(..)` |
//! | `POST /_emulator/ante/sessions/{id}/pay` `{}` / `{member_id}` / `{count}` | pays every pending share, one share, or the next `count` (`group.funded` when all are paid) | `ante().pay_all(..)`, `.pay_share(..)`, `.pay_shares(..)` |
//! | `POST /_emulator/ante/sessions/{id}/expire` | expires the session now (`group.expired`) | `ante().expire(..)` |
//! | `POST /_emulator/fairshare/webhook-url` `{url, signing_key?, events?}` | where FairShare webhooks go (`{"url": null}` stops them) | `fairshare().set_webhook(..)` |
//! | `POST /_emulator/fairshare/split-sessions/{id}/contributions` `{amount?, name?, email?, items?}` | one contributor pays (see FairShare below) | `fairshare().contribute(..)` |
//! | `POST /_emulator/fairshare/split-sessions/{id}/refund`, `/cancel`, `/expire` | the other lifecycle ends | `fairshare().refund(..)`, ... |
//! | `GET /_emulator/splitable/splits/{id}` | a split's state, members and callback transaction id | `splitable().split(..)` |
//! | `POST /_emulator/splitable/splits/{id}/pay` `{name?, email?, amount?}` | a team member pays (default: all that is due); the callback is sent when the total is reached | `splitable().pay(..)` |
//! | `POST /_emulator/splitable/splits/{id}/cancel` | cancels (callback `payment_status=cancelled`) | `splitable().cancel(..)` |
//! | `POST /_emulator/zepto/process` `{steps?}` | runs Zepto's processing cycle until nothing moves (or `steps` times) | `zepto().run_processing()` |
//! | `POST /_emulator/zepto/webhooks` `{url, events?, signature_secret?}`; `GET`; `DELETE …/{id}` | Zepto webhook endpoints | `zepto().add_webhook(..)`, ... |
//! | `POST /_emulator/zepto/token-lifetime` `{seconds}` | lifetime of access tokens issued from now on | `zepto().set_token_lifetime(..)` |
//! | `POST /_emulator/zepto/contacts/{id}/agreement` `{accepted, terms?}` | the Contact accepts an Agreement (Zepto's hosted invitation), or its accepted ones are cancelled | `zepto().accept_agreement(..)` |
//! | `POST /_emulator/zepto/contacts/{id}/bank_connection` `{balance?, state?}` | the Contact connects their bank (`links.add_bank_connection`), or its balance changes | `zepto().connect_bank(..)` |
//! | `GET /_emulator/zepto/contacts/{id}` | the Contact with its Agreements and bank balance | `zepto().contact(..)` |
//! | `POST /_emulator/zepto/unassigned_agreements/{ref}/accept` `{name?, email?, branch_code?, account_number?}`, `/decline` | someone accepts (becoming a Contact) or declines an Unassigned Agreement's link | `zepto().accept_unassigned_agreement(..)` |
//! | `POST /_emulator/zepto/open_agreements/{ref}/accept` `{name?, ...}` | someone accepts an Open Agreement's link: a new Contact and Agreement | `zepto().accept_open_agreement(..)` |
//!
//! # What each provider emulates
//!
//! ## Ante (`/ante/api/v1`)
//!
//! - **Keys**: `Authorization: Bearer` with a seed key. A key of the wrong shape answers 401
//!   `Invalid API key format`, an unknown one 401 `Invalid or revoked API key`; a secret key with
//!   an `Origin` header 403; a wrong `X-Merchant-ID` 403; publishable keys cannot call
//!   `/merchants/me` or `/webhooks` (403). Test and live keys see separate data.
//! - **Carts**: the documented rules (integers, `quantity ≥ 1`, three-letter currency, string
//!   metadata, total = items + tax + shipping + fees, the merchant's minimum order total) and the
//!   `X-Ante-Signature` HMAC over the canonical cart (`total, currency, items, tax, shipping,
//!   fees, [metadata]`; see "Choices"). A wrong signature answers 400 `Invalid cart signature
//!   (X-Ante-Signature)` with Ante's `details` checklist. Secret keys may sign; an unsigned
//!   (headless) create answers 403 `Headless REST requires onboarding` unless
//!   [`EmulatorConfig::ante_headless_enabled`].
//! - **Sessions**: `pending → funded | expired | cancelled`. The group has `group_config.min_size`
//!   members (default 2), the first named after `customer.name`; the total is split equally
//!   (the remainder on the organizer). Sessions expire after `expiry_hours` (default 48) on the
//!   emulator clock. Cancel refunds paid shares (members become `refunded`). Remind answers
//!   `reminded`/`skipped` counts (reminders need `customer.email`). Listing is newest first with
//!   the millisecond `cursor`.
//! - **Webhook endpoints**: `GET/POST/DELETE /webhooks`, the `whsec_` secret shown once.
//! - **Webhooks**: `{id: "evt_<ms>", type, created_at, data}` with the payloads of Ante's
//!   webhooks page (`group.funded` carries `transfer_id: "none"` and `sandbox_payout_skipped`
//!   in test mode, `merchant_fee` at 2.01 %), header `Ante-Signature: t=<unix>,v1=<hex>` over
//!   `"<t>.<raw body>"`: dashboard endpoints subscribed to the event are signed with their
//!   `whsec_` secret, the session's `webhook_url` with the signing secret. Success is any 2xx.
//!
//! ## FairShare (`/fairshare/api/v1`)
//!
//! - **Keys**: `X-SplitPay-API-Key` (or the older `x-api-key`): 401 `UNAUTHORIZED`, and 403
//!   `LIVE_ACCESS_DISABLED` for the live key unless [`EmulatorConfig::fairshare_live_enabled`].
//! - **Sessions** of the three split types with the documented validation and codes
//!   (`VALIDATION_ERROR`, `EXPECTED_CONTRIBUTORS_INVALID`, `CONVENIENCE_FEE_INVALID`,
//!   `PSP_CONNECTION_MISSING` when [`EmulatorConfig::fairshare_psp_connected`] is off), exact
//!   decimals (`200.00` on the wire), `GET /split-sessions/{id}` and
//!   `POST /split-sessions/{id}/expected-contributors` (`{expectedContributors}`; 409
//!   `BUSINESS_RULE_VIOLATION` once contributions began or for other split types).
//! - **Idempotency**: the same `Idempotency-Key` with the same body returns the original session
//!   (200; the first create answers 201); with another body 409 `IDEMPOTENCY_KEY_REUSED`; a key
//!   longer than 120 characters 400 `IDEMPOTENCY_KEY_INVALID`. Keys are kept 24 hours.
//! - **Contributions** (control endpoint): EQUAL_COUNT needs `expectedContributors` and pays
//!   equal shares (the last one gets the remainder); PROPORTIONAL_POOL needs an `amount`;
//!   ITEM_CLAIM claims `items: [{id, quantity}]` or pays an `amount`. A convenience fee is
//!   recorded per contribution. The first contributor is the lead (`leadContributor*`,
//!   `authorizedAmount` until completion). Statuses `PENDING → PARTIAL → COMPLETED`, then
//!   `REFUNDED`; `EXPIRED` after `expiryMinutes` on the emulator clock; `CANCELED` by control.
//! - **Webhooks**: `{id, type, created, data: {object}}` (the session, or the contribution for
//!   `contribution.created`) with `X-SplitPay-Event`, `X-SplitPay-Delivery` (new per attempt),
//!   `X-SplitPay-Timestamp` and `X-SplitPay-Signature: v1=<hex>` over `"<timestamp>.<raw body>"`.
//!   Every documented event type is emitted. Success is any 2xx or 409.
//!
//! ## Splitable (`/splitable`)
//!
//! - **Create** `POST /api/splits` (form-encoded, `api_key` in the form): the
//!   documented parameters, numbered line items `1..N` without gaps (at least 1, at most 20),
//!   `expires_in` silently defaulting to 120 hours, answers 201 `{split_url, split_id}`. Errors
//!   are `{"error": "..."}` (`api_key is missing`, `Order must have atleast one line item`, ...)
//!   with status 200 as the draft host answered, or 500 (live host) with
//!   [`EmulatorConfig::splitable_error_status`].
//! - **Paid members** `GET /api/splits/{id}/paid_members?api_key=` (also with `.json`): a JSON
//!   array of `{name, email}`.
//! - **Callback**: when the total is paid (control endpoint) or the split expires or is
//!   cancelled, a form `POST` to `api_notify_url` with `invoice`, `payment_status`
//!   (`paid`/`cancelled`), `api_secret` (the per-split one or the company's) and
//!   `transaction_id`, retried on any answer other than exactly 200.
//!
//! ## Zepto (`/zepto/api`, OAuth on `/zepto/go`)
//!
//! - **OAuth2**: `GET /oauth/authorize` approves at once and redirects to the `redirect_uri`
//!   with a one-time `code` (10 minutes) and the `state`; errors after a valid redirect URI come
//!   back as `?error=` on the redirect (`unsupported_response_type`, `invalid_scope`).
//!   `POST /oauth/token` (form, multipart as in Zepto's curl examples, or JSON; client
//!   credentials in the body or HTTP Basic) serves `authorization_code` and `refresh_token`:
//!   each refresh rotates the refresh token and the old one answers 400 `invalid_grant`. Access
//!   tokens last [`EmulatorConfig::zepto_access_token_ttl`] (2 hours by default; no expiry with
//!   `offline_access`) on the emulator clock. Scopes are enforced (403 names the missing one).
//! - **Tokens on the API**: no `Authorization` answers 401; an unknown, expired or under-scoped
//!   token answers 403, as Zepto documents, in Zepto's detailed error shape.
//! - **Every operation** of Zepto's API as `zepto-client` knows it ([`OPERATIONS`]; a test
//!   calls each through the SDK): contacts (add, list with filters, get, update, remove),
//!   receivable contacts with PayIDs (`pending` for a second, then `active`; `failed` for a
//!   `+failure` address), their disable/activate and PayID name, payments (one payout, with an
//!   optional `category_purpose_code` and `end_to_end_id`), void a payout (`DELETE
//!   /payouts/{ref}` or `POST /payouts/{ref}/void` with `details`), payment requests (create,
//!   get, cancel, collections, receivables), refunds of cleared payment-request credits (issue,
//!   list, get), transfers between the merchant's accounts (create, list, get), the
//!   incoming-payment simulations (each books the credit, a receivable payment request for a
//!   Receivable Contact, and their webhooks), transactions with their filters (`both_parties`
//!   adds the other party's side; 30 days by default; failed ones carry `failure`), bank
//!   accounts (a primary account and a Float Account), the user with its account, and webhook
//!   configurations and deliveries (list with the `state`, `event_type`, `since`,
//!   `response_status_code` and `ref` filters and the `starting_after` cursor, get with the
//!   delivered `payload`, and redeliver for real, with the same `Split-Request-ID`, through
//!   `POST /webhook_deliveries/{id}/redeliver` or the older `POST /webhook_deliveries/{id}`).
//! - **Agreements**: a Payment Request is created only within the terms of an accepted
//!   Agreement of its Contact (per payout minimum and maximum, the total over `days`), else
//!   422. Agreements come from a Contact accepting one (control endpoint: Zepto's hosted
//!   invitation), an Unassigned Agreement's link (propose, list, get, delete before it is
//!   taken; accepted once, before `assignment_expires_at`; a `single_use` one becomes
//!   `expended` after its Payment Request) or an Open Agreement's link (create, list, close,
//!   activate; each acceptance adds a Contact and a new Agreement). `GET
//!   /agreements/outgoing` and `/agreements/{ref}` read them, `DELETE` cancels one
//!   (`agreement.accepted` and `agreement.cancelled` webhooks).
//! - **Bank connections**: a Contact connects their bank (control endpoint; a balance of
//!   $123.45 as in Zepto's sandbox unless set); list, get, remove (`removed`), and `POST
//!   /contacts/{id}/refresh_balance` (204; 422 without an active connection). A Payment Request
//!   above the balance is prechecked: its transactions are `prefailed` (`insufficient_funds`,
//!   the request's `status_reason` says so) and `POST /payouts/{credit_ref}/retry` tries it
//!   again once the balance allows.
//! - **Pagination**: `page`/`per_page` (25 by default, at most 100) with `Link` (`first`,
//!   `prev`, `next`, `last`, filters kept), `Per-Page` and `Total` (items) headers.
//! - **Idempotency**: `Idempotency-Key` on `POST /payments`, `/payment_requests` and
//!   `/credits/{ref}/refunds`; reusing a key within 24 hours answers 409 with
//!   `errors[0].meta.resource_ref` naming what the key created, whatever the body.
//!   `POST /transfers` requires a key (400 without one); the same key with the same body
//!   answers the Transfer it created, with another body 409. (Zepto's
//!   503 for a concurrent duplicate cannot happen, requests being serialized; inject it with
//!   `POST /_emulator/faults`.)
//! - **Processing**: nothing moves until `POST /_emulator/zepto/process` (Zepto's sandbox runs
//!   a cycle every minute). A payment is the merchant's debit then the Contact's credit; a
//!   payment request the Contact's debit then the merchant's credit; a refund the merchant's
//!   debit then the Contact's credit. Each goes `maturing → matured → processing → clearing →
//!   cleared` once `matures_at` has come (emulator clock), with an event at each step
//!   (`payment.added`, `debit.scheduled`, `debtor_credit.scheduled`, `debit.maturing`, ...).
//! - **Sandbox failure amounts** (cents): debits 1–7 and 10–12 (`invalid_bsb_number`,
//!   `account_closed`, `customer_deceased`, `incorrect_account_number`, `refer_to_split`,
//!   `user_voided`, `admin_voided`, `refer_to_customer`, `insufficient_funds`,
//!   `payment_stopped`) and 201–209 (`failure_code` E201–E209 but E207); credits 51–57 (a
//!   failed payout credit is followed by a `payout_reversal` credit back to the merchant); from
//!   the Float Account over NPP 155, 160 and 165 (`channel_switched` to Direct Entry when the
//!   payment allows it, otherwise `returned`). Rejected, returned and voided transactions carry
//!   `failure_reason`; what waited for them is voided. A Contact with BSB `100000` is refused.
//! - **Webhooks** `{event: {type, at, who}, data: [...]}` with `Split-Signature:
//!   <unix>.<hex>` over `"<unix>.<raw body>"` and a `Split-Request-ID` that stays the same on
//!   retries and resends. Any HTTP answer counts as delivered; only deliveries that got no
//!   answer are retried.
//!
//! # Strict by default
//!
//! The emulator accepts what each provider documents, and what the splitkit crates send, and
//! answers anything else as the provider would, in its error shape: a test passes locally only
//! if the request would pass in production. Strict, it refuses:
//!
//! - **Ante**: a cart signature under any header but `X-Ante-Signature` (the storefront's
//!   aliases are ignored, so a publishable key's create has no signature); a signature over
//!   the cart with ids in any order but `ante-client`'s documented one (JavaScript
//!   `localeCompare`, ICU root collation); a numeric item id; fields Ante does not document, at
//!   any level of the body (`cart`, items, fees, `customer`, `group_config`, webhook endpoints);
//!   a JSON body without `Content-Type: application/json` (415).
//! - **FairShare**: undocumented fields (`VALIDATION_ERROR` naming them), including in items and
//!   in `expected-contributors`; a JSON body without `Content-Type: application/json`.
//! - **Splitable**: a create that is not a form (`application/x-www-form-urlencoded`), an
//!   `api_key` in the query instead of the form, a form field that is not documented (the
//!   numbered line-item fields are).
//! - **Zepto**: undocumented fields (a 422 sentence naming them), including in the payout and
//!   in Agreement `terms`, where every limit must be given (`null` for none); a JSON body
//!   without `Content-Type: application/json` (415); a Payment Request to a Contact without an
//!   accepted Agreement; a change of bank details while the Contact has one; a Transfer
//!   without an `Idempotency-Key`.
//!
//! Lenient ([`EmulatorConfig::lenient`], `--lenient`) is for exploring: the other signature
//! headers and id order, unknown fields (ignored), numeric ids, `api_key` in the query, bodies
//! read as JSON whatever their type, and new Zepto Contacts with an accepted Agreement without
//! limits.
//!
//! # Webhooks, the clock and the delivery log
//!
//! Webhooks are queued by the request that caused them and sent by a background task with
//! reqwest, first attempts in the order the events happened. A failed attempt is retried on
//! the provider's schedule ([`RetrySchedule`], per provider with
//! [`EmulatorConfig::webhook_retry_schedule`]), on the emulator clock: the retry is due at an
//! emulator time, made when the clock gets there, in real time or at once when a test advances
//! it. Advancing the clock an hour makes an hour's retries, in order, before the control call
//! answers.
//!
//! | provider | retried when | schedule |
//! |---|---|---|
//! | Zepto | no HTTP answer at all | every 5 minutes for an hour (13 attempts) |
//! | Splitable | any answer but exactly 200 | 25 attempts: the `n`th retry `n⁴ + 5` seconds after the `n`th failure (6 s, 21 s, 86 s, 4 min, ... 3.8 days; the last about 20 days after the first) |
//! | FairShare | any answer but a 2xx or 409 | undocumented; 8 retries 1, 2, 4, ... 128 minutes apart (about 4 hours) |
//! | Ante | any answer but a 2xx | undocumented; as FairShare |
//!
//! Every attempt lands in the delivery log ([`RunningEmulator::webhooks_sent`],
//! [`RunningEmulator::wait_for_webhook`], `emulator.webhooks()`, `GET /_emulator/webhooks`),
//! bounded by [`EmulatorConfig::max_logged_deliveries`]; a failed one says when the next is due
//! (`next_attempt_at`).
//!
//! Timestamps, expiries and signatures use the emulator clock: real time plus whatever
//! `POST /_emulator/clock/advance` added. After advancing it, verify webhook signatures with a
//! clock that reads the emulator's time (`emulator.clock()` implements
//! [`splitkit_common::Clock`]) or the timestamp check will call them stale.
//!
//! # Faults on request
//!
//! `emulator.faults().next(target, n, fault)` makes the next `n` requests to an operation
//! (`(Provider::Zepto, "createPayment")`, or every operation of a provider) meet a [`Fault`]:
//! a status in the provider's error shape (429 with `Retry-After`, 503, ...), a hang (no answer
//! until your client's timeout), a connection reset, or a late answer. The request log
//! (`emulator.requests()`) shows what your code sent, the fault it met, and what it was
//! answered: a retried create's idempotency key, for instance.
//!
//! Robustness: the emulator never panics on bad input. Every answer to a bad request (bad JSON,
//! unknown path, wrong method, a bad path parameter) is in the provider's error shape; state
//! locks are never held across an await; logs, retries, idempotency records and Zepto delivery
//! records are bounded.
//!
//! # Choices this emulator makes
//!
//! Where the providers' documents are silent or disagree:
//!
//! 1. **Ante cart signature order**: "sorted by id" without a comparison. Strict, only
//!    `ante-client`'s documented order is accepted (JavaScript `localeCompare`, ICU root
//!    collation); lenient, code-unit order too. Metadata keys are in code-unit order; `fees`
//!    always present (after `shipping`), `metadata` only when sent.
//! 2. **Ante webhook signature**: `t=<unix>,v1=<hex>` over `"<t>.<body>"`, keyed with the full
//!    secret string (the research notes' inference).
//! 3. **Ante scopes**: publishable keys may create, cancel and remind (the REST page), as may
//!    secret keys with a signature (the newer storefront).
//! 4. **Ante URLs**: Ante requires HTTPS webhook URLs; the emulator also accepts `http://` on
//!    loopback hosts so a local receiver can be used. Events: `group.created` when the group is
//!    opened (control `open`, or the first payment), `group.cancelled` shaped like
//!    `group.expired` with `reason: "cancelled"`. Statuses `funded`, `expired`, `cancelled` and
//!    the member status `refunded` are not documented. Cancelling a session that is not
//!    pending answers 400. The minimum order total is 1000 (the reference storefront's setting)
//!    for every currency, configurable.
//! 5. **FairShare**: create answers 201 (200 on an idempotent replay); unknown sessions answer
//!    404 `NOT_FOUND` and a wrong method 405 `METHOD_NOT_ALLOWED` (codes outside the documented
//!    list); items need not add up to the total (undocumented); `expectedContributors` is
//!    refused for split types other than EQUAL_COUNT. The contribution object and the
//!    `authorizedAmount` semantics are undocumented and invented here (see above). Webhooks go
//!    to one configured URL.
//! 6. **Splitable**: errors answer 200 by default (draft host); `paid_members` is an array;
//!    `total_amount` is not checked against the items; float-formatted integral cents
//!    (`1311.0`) are accepted as split(able) did; a cancelled callback also carries a
//!    `transaction_id`.
//! 7. **Zepto errors**: a missing token answers 401, an invalid or expired one 403 (the docs
//!    name 403); validation and not-found errors use the one-sentence resource shape (422 and
//!    404), authentication, bad JSON, idempotency and unsupported media types the detailed
//!    shape.
//! 8. **Zepto events** beyond the documented flows are inferred: payment requests emit
//!    `payment_request.added` then `creditor_debit.*` and `credit.*`; PayID receipts
//!    `payment_request.added` and `credit.*`; refunds `debit.*` and `debtor_credit.*`; failures
//!    `<prefix>.rejected`, `.returned` or `.voided`. `matures_at` earlier than the start of the
//!    day in Sydney (the earlier of AEST and AEDT) is refused; zone-less times are read at
//!    +10:00. `Total` counts items. Payment-request and payout-reversal transactions have
//!    category `payout`/`payout_reversal`; `party_*` always names the Contact. Agreement
//!    events are `agreement.accepted`, `.declined` and `.cancelled`; a prechecked Payment
//!    Request's transactions emit `<prefix>.prefailed`, a retried one `<prefix>.scheduled`
//!    again. Bank connections are all `split`'s, at the Commonwealth Bank. An Unassigned
//!    Agreement can be accepted for at most a year; a retried payout is checked against the
//!    balance its Contact's connection shows now.
//! 9. **Rate limits** are not emulated; inject 429s with `emulator.faults()`.
//! 10. **Retry schedules**: Splitable's documented intervals are delayed_job's `n⁴ + 5`
//!     seconds; the emulator makes 25 attempts in all (the documentation's count), so the last
//!     comes about 20 days after the first (its list ends with single intervals of 4 and 5
//!     days). Ante's and FairShare's are undocumented: a doubling schedule from a minute.
#![allow(clippy::result_large_err)] // handlers answer errors with ready-made `Response`s (128 bytes)

mod ante;
mod clock;
mod config;
pub mod control;
mod control_api;
mod fairshare;
mod faults;
mod operations;
mod retry;
mod running;
pub mod seed;
mod serve;
mod server;
mod splitable;
mod util;
mod webhooks;
mod zepto;

pub use clock::EmulatorClock;
pub use config::EmulatorConfig;
pub use faults::{ApiRequest, Fault, InjectedFault};
pub use operations::{OPERATIONS, Operation};
pub use retry::RetrySchedule;
pub use running::{Emulator, EmulatorError, RunningEmulator};
pub use webhooks::{Provider, WebhookDelivery};
