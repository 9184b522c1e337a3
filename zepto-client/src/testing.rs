//! Test support (feature `testing`): Zepto's answers, ready `wiremock` mocks, and signed
//! webhook deliveries, for the unit tests of code that uses this crate.
//!
//! - [`fixtures`]: a builder per response type, starting from a realistic answer written as
//!   Zepto writes it (`{"data": ...}`, its field names, amounts in integer cents, UTC
//!   timestamps to the second), with typed setters for the fields tests care about and
//!   [`set`](fixtures::Payment::set) (a JSON pointer below `data`) for the rest. Lists come with
//!   Zepto's `Link`, `Per-Page` and `Total` headers; errors in Zepto's two error shapes.
//! - [`mocks`]: `wiremock` mocks of the common calls (method and path), answering a fixture.
//! - [`sign_webhook`]: the headers Zepto sends with a delivery (`Split-Signature`,
//!   `Split-Request-ID`), to post a correctly signed delivery to your own handler;
//!   [`webhook_body`] writes the body. [`mutants`] makes broken copies of a delivery.
//!
//! For flows (a payment that clears, a webhook retried after an outage), use the emulator
//! (`splitkit-emulator`) instead.
//!
//! ```
//! use wiremock::MockServer;
//! use zepto_client::testing::{fixtures, mocks};
//! use zepto_client::models::PaymentChannel;
//! use zepto_client::payments::{NewPayment, Payout};
//! use zepto_client::{Client, Environment, Timestamp};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let zepto = MockServer::start().await;
//! mocks::create_payment(fixtures::payment().reference("PB.42").amount(2_500))
//!     .expect(1)
//!     .mount(&zepto)
//!     .await;
//!
//! let client = Client::builder(Environment::custom(zepto.uri(), zepto.uri()))
//!     .personal_access_token("test-token")
//!     .build()?;
//! let payment = client
//!     .payments()
//!     .create(
//!         NewPayment::new("Invoice 42", Timestamp::parse("2030-01-01T00:00:00Z")?)
//!             .channels([PaymentChannel::DirectEntry])
//!             .payout(Payout::new("0d290763-bd5a-4b4d-a8ce-06c64c4a697b", 2_500, "Inv 42")),
//!     )
//!     .await?;
//! assert_eq!(payment.ref_, "PB.42");
//! # Ok(())
//! # }
//! ```

use http::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use splitkit_common::IdempotencyKey;
pub use splitkit_common::testing::ResponseFixture;
pub use splitkit_common::webhook::testing::{Mutant, mutants};

use crate::webhook::{REQUEST_ID_HEADER, SIGNATURE_HEADER};

/// The headers Zepto sends with a webhook delivery of `body` signed with `secret` now:
/// `Split-Signature: <unix seconds>.<hex HMAC-SHA256 of "<unix>.<body>">` and a new
/// `Split-Request-ID`, plus `Content-Type: application/json`. Post `body` with them to your
/// handler to test it as Zepto would call it.
///
/// ```
/// let body = zepto_client::testing::webhook_body("debit.cleared", [serde_json::json!({ "ref": "D.1" })]);
/// let headers = zepto_client::testing::sign_webhook("my-secret", &body);
/// let verifier = zepto_client::WebhookVerifier::new(["my-secret"])?;
/// assert!(verifier.verify(&headers, &body).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_webhook(secret: &str, body: &[u8]) -> HeaderMap {
    let now = splitkit_common::Clock::unix_seconds(&splitkit_common::SystemClock);
    sign_webhook_at(secret, now, body)
}

/// [`sign_webhook`] at `timestamp` (Unix seconds): a stale or future signature for tests of
/// the timestamp tolerance.
pub fn sign_webhook_at(secret: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&crate::webhook::sign(secret, timestamp, body)) {
        headers.insert(SIGNATURE_HEADER, v);
    }
    if let Ok(v) = HeaderValue::from_str(IdempotencyKey::generate().as_str()) {
        headers.insert(REQUEST_ID_HEADER, v);
    }
    headers
}

/// A webhook body as Zepto writes it: `{"event": {"type", "at", "who"}, "data": [...]}`
/// (`data` is always a list). Items are typically fixtures' [`item`](fixtures::Payment::item)s.
pub fn webhook_body(event_type: &str, data: impl IntoIterator<Item = Value>) -> Vec<u8> {
    let body = json!({
        "event": {
            "type": event_type,
            "at": "2030-01-01T00:00:00Z",
            "who": {
                "account_id": fixtures::ACCOUNT_ID,
                "bank_account_id": fixtures::BANK_ACCOUNT_ID,
            },
        },
        "data": data.into_iter().collect::<Vec<_>>(),
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

/// Zepto's answers, one builder per response type.
///
/// Each builder wraps a [`ResponseFixture`] holding `{"data": <item>}`; `set(pointer, value)`
/// changes any field below `data` (`"/payouts/0/status"`), `item()` is the object alone (for
/// [`list`](fixtures::list) and webhook bodies), and [`mocks`] take any of them.
pub mod fixtures {
    use super::*;

    /// The account id the fixtures use (`initiator_id`, `event.who.account_id`).
    pub const ACCOUNT_ID: &str = "4e2728cc-b4ba-42c2-a6c3-26a7758de58d";
    /// The merchant bank account the fixtures use (`your_bank_account_id`).
    pub const BANK_ACCOUNT_ID: &str = "9c70871d-8e36-4c3e-8a9c-c0ee20e7c679";
    /// The Contact the fixtures use.
    pub const CONTACT_ID: &str = "0d290763-bd5a-4b4d-a8ce-06c64c4a697b";

    use splitkit_common::{response_fixture as fixture, response_fixture_setters as setters};

    fixture!(
        /// A Contact (`POST /contacts/anyone` answers 201 with it, `GET /contacts/{id}` 200).
        ///
        /// ```json
        /// {"data": {"id": "0d29…", "ref": "CNT.1", "name": "Price and Sons", "email": "accounts@price.example",
        ///  "type": "anyone", "metadata": null,
        ///  "bank_account": {"id": "…", "account_number": "13048322", "branch_code": "123456",
        ///                   "bank_name": "National Australia Bank", "state": "active",
        ///                   "iav_provider": null, "iav_status": null,
        ///                   "blocks": {"debits_blocked": false, "credits_blocked": false}},
        ///  "anyone_account": {"id": "…"}, "bank_connection": {"id": null},
        ///  "links": {"add_bank_connection": "https://go.sandbox.zeptopayments.com/invite_contact/…"}}}
        /// ```
        Contact,
        contact,
        "/data",
        json!({ "data": {
            "id": CONTACT_ID,
            "ref": "CNT.1",
            "name": "Price and Sons",
            "email": "accounts@price.example",
            "type": "anyone",
            "metadata": null,
            "bank_account": {
                "id": "fb9381ec-22af-47fd-8998-804f947aaca3",
                "account_number": "13048322",
                "branch_code": "123456",
                "bank_name": "National Australia Bank",
                "state": "active",
                "iav_provider": null,
                "iav_status": null,
                "blocks": { "debits_blocked": false, "credits_blocked": false },
            },
            "anyone_account": { "id": "8df89c16-330f-462b-8891-808d7bdceb7f" },
            "bank_connection": { "id": null },
            "links": {
                "add_bank_connection": "https://go.sandbox.zeptopayments.com/invite_contact/price-and-sons/0d290763-bd5a-4b4d-a8ce-06c64c4a697b"
            },
        } })
    );
    setters!(Contact {
        /// `id`.
        id("/id"): &str;
        /// `name`.
        name("/name"): &str;
        /// `email`.
        email("/email"): &str;
    });

    impl Contact {
        /// A Receivable Contact with an `active` PayID `payid_email` (`POST /contacts/receivable`).
        pub fn receivable(self, payid_email: &str) -> Self {
            self.set("/bank_account/branch_code", "802919")
                .set("/bank_account/bank_name", "Zepto Float Account")
                .set("/bank_account/blocks/debits_blocked", true)
                .set(
                    "/payid_details",
                    json!({
                        "alias_value": payid_email,
                        "alias_type": "email",
                        "alias_name": "Price and Sons",
                        "state": "active",
                    }),
                )
        }
    }

    fixture!(
        /// A Payment with its one payout (`POST /payments` answers 201 with it; `GET` 200).
        ///
        /// ```json
        /// {"data": {"ref": "PB.1", "your_bank_account_id": "9c70…", "channels": ["direct_entry"],
        ///  "payouts": [{"ref": "D.1", "recipient_contact_id": "0d29…", "batch_description": "Invoice 42",
        ///               "matures_at": "2030-01-01T00:00:00Z", "created_at": "2030-01-01T00:00:00Z",
        ///               "status": "maturing", "amount": 2500, "description": "Inv 42",
        ///               "from_id": "9c70…", "to_id": "fb93…", "metadata": null}],
        ///  "metadata": null}}
        /// ```
        Payment,
        payment,
        "/data",
        json!({ "data": {
            "ref": "PB.1",
            "your_bank_account_id": BANK_ACCOUNT_ID,
            "channels": ["direct_entry"],
            "payouts": [{
                "ref": "D.1",
                "recipient_contact_id": CONTACT_ID,
                "batch_description": "Invoice 42",
                "matures_at": "2030-01-01T00:00:00Z",
                "created_at": "2030-01-01T00:00:00Z",
                "status": "maturing",
                "amount": 2_500,
                "description": "Inv 42",
                "from_id": BANK_ACCOUNT_ID,
                "to_id": "fb9381ec-22af-47fd-8998-804f947aaca3",
                "metadata": null,
            }],
            "metadata": null,
        } })
    );
    setters!(Payment {
        /// `ref` (`PB.…`).
        reference("/ref"): &str;
        /// The payout's `amount`, in cents.
        amount("/payouts/0/amount"): i64;
        /// The payout's `status` (`maturing`, `matured`, `cleared`, ...).
        status("/payouts/0/status"): &str;
        /// The payout's debit reference (`D.…`), for voiding it.
        payout_ref("/payouts/0/ref"): &str;
        /// The payout's `recipient_contact_id`.
        recipient("/payouts/0/recipient_contact_id"): &str;
    });

    fixture!(
        /// A Payment Request (`POST /payment_requests` answers 200 with it; `GET` 200).
        ///
        /// ```json
        /// {"data": {"ref": "PR.1", "initiator_id": "4e27…", "your_bank_account_id": "9c70…",
        ///  "authoriser_id": "8df8…", "authoriser_contact_id": "0d29…", "contact_initiated": false,
        ///  "schedule_ref": null, "status": "approved", "status_reason": null,
        ///  "matures_at": "2030-01-01T00:00:00Z", "responded_at": "2030-01-01T00:00:00Z",
        ///  "created_at": "2030-01-01T00:00:00Z", "credit_ref": "C.1",
        ///  "payout": {"amount": 4999, "description": "Membership", "matures_at": "2030-01-01T00:00:00Z"},
        ///  "metadata": null}}
        /// ```
        PaymentRequest,
        payment_request,
        "/data",
        json!({ "data": {
            "ref": "PR.1",
            "initiator_id": ACCOUNT_ID,
            "your_bank_account_id": BANK_ACCOUNT_ID,
            "authoriser_id": "8df89c16-330f-462b-8891-808d7bdceb7f",
            "authoriser_contact_id": CONTACT_ID,
            "contact_initiated": false,
            "schedule_ref": null,
            "status": "approved",
            "status_reason": null,
            "matures_at": "2030-01-01T00:00:00Z",
            "responded_at": "2030-01-01T00:00:00Z",
            "created_at": "2030-01-01T00:00:00Z",
            "credit_ref": "C.1",
            "payout": {
                "amount": 4_999,
                "description": "Membership",
                "matures_at": "2030-01-01T00:00:00Z",
            },
            "metadata": null,
        } })
    );
    setters!(PaymentRequest {
        /// `ref` (`PR.…`).
        reference("/ref"): &str;
        /// `payout.amount`, in cents.
        amount("/payout/amount"): i64;
        /// `status` (`approved`, `declined`, `cancelled`, ...).
        status("/status"): &str;
        /// `credit_ref` (`C.…`), the credit to refund.
        credit_ref("/credit_ref"): &str;
    });

    fixture!(
        /// A transaction (a debit or credit), as listed by `GET /transactions` and sent in
        /// `debit.*`/`credit.*` webhooks; `POST /payouts/{ref}/retry` answers one.
        ///
        /// ```json
        /// {"data": {"ref": "D.1", "parent_ref": "PB.1", "type": "debit", "category": "payout",
        ///  "created_at": "…", "matures_at": "…", "cleared_at": null, "bank_ref": null,
        ///  "status": "maturing", "status_changed_at": "…", "failure_reason": null,
        ///  "party_contact_id": "0d29…", "party_name": "Price and Sons", "party_nickname": null,
        ///  "party_bank_ref": null, "description": "Inv 42", "amount": 2500,
        ///  "bank_account_id": "9c70…", "channels": ["direct_entry"], "current_channel": "direct_entry"}}
        /// ```
        Transaction,
        transaction,
        "/data",
        json!({ "data": {
            "ref": "D.1",
            "parent_ref": "PB.1",
            "type": "debit",
            "category": "payout",
            "created_at": "2030-01-01T00:00:00Z",
            "matures_at": "2030-01-01T00:00:00Z",
            "cleared_at": null,
            "bank_ref": null,
            "status": "maturing",
            "status_changed_at": "2030-01-01T00:00:00Z",
            "failure_reason": null,
            "party_contact_id": CONTACT_ID,
            "party_name": "Price and Sons",
            "party_nickname": null,
            "party_bank_ref": null,
            "description": "Inv 42",
            "amount": 2_500,
            "bank_account_id": BANK_ACCOUNT_ID,
            "channels": ["direct_entry"],
            "current_channel": "direct_entry",
        } })
    );
    setters!(Transaction {
        /// `ref` (`D.…`, `C.…`).
        reference("/ref"): &str;
        /// `parent_ref` (the Payment, Payment Request or Refund).
        parent_ref("/parent_ref"): &str;
        /// `type`: `debit` or `credit`.
        kind("/type"): &str;
        /// `status` (`maturing`, `cleared`, `returned`, ...).
        status("/status"): &str;
        /// `amount`, in cents.
        amount("/amount"): i64;
        /// `failure_reason` (`insufficient_funds`, ...).
        failure_reason("/failure_reason"): &str;
    });

    impl Transaction {
        /// Cleared at `at` (RFC 3339).
        pub fn cleared(self, at: &str) -> Self {
            self.set("/status", "cleared")
                .set("/cleared_at", at)
                .set("/bank_ref", "DT.1")
        }
    }

    fixture!(
        /// A Refund (`POST /credits/{ref}/refunds` answers 200 with it; `GET /refunds/{ref}`).
        Refund,
        refund,
        "/data",
        json!({ "data": {
            "ref": "PRF.1",
            "for_ref": "C.1",
            "debit_ref": "D.2",
            "your_bank_account_id": BANK_ACCOUNT_ID,
            "created_at": "2030-01-01T00:00:00Z",
            "amount": 500,
            "channels": ["direct_entry"],
            "reason": "Overpaid",
            "contacts": {
                "source_contact_id": ACCOUNT_ID,
                "target_contact_id": CONTACT_ID,
            },
            "metadata": null,
        } })
    );
    setters!(Refund {
        /// `ref` (`PRF.…`).
        reference("/ref"): &str;
        /// `for_ref`: the credit refunded.
        for_ref("/for_ref"): &str;
        /// `amount`, in cents.
        amount("/amount"): i64;
    });

    fixture!(
        /// A Transfer between your accounts (`POST /transfers` answers 201 with it).
        Transfer,
        transfer,
        "/data",
        json!({ "data": {
            "ref": "T.1",
            "initiator_id": ACCOUNT_ID,
            "from_bank_account_id": BANK_ACCOUNT_ID,
            "to_bank_account_id": "83623359-e86e-440c-9780-432a3bc3626f",
            "amount": 10_000,
            "description": "Top up",
            "matures_at": "2030-01-01T00:00:00Z",
        } })
    );
    setters!(Transfer {
        /// `ref` (`T.…`).
        reference("/ref"): &str;
        /// `amount`, in cents.
        amount("/amount"): i64;
    });

    fixture!(
        /// One of your bank accounts (an item of `GET /bank_accounts`).
        BankAccount,
        bank_account,
        "/data",
        json!({ "data": {
            "id": BANK_ACCOUNT_ID,
            "branch_code": "493192",
            "bank_name": "National Australia Bank",
            "account_number": "3993013",
            "status": "active",
            "title": "AU.493192.3993013",
            "available_balance": null,
        } })
    );

    fixture!(
        /// The user behind the token (`GET /user`).
        User,
        user,
        "/data",
        json!({ "data": {
            "first_name": "Ann",
            "last_name": "Merchant",
            "mobile_phone": "0400000000",
            "email": "ann@merchant.example",
            "account": {
                "name": "Merchant Pty Ltd",
                "nickname": "merchant",
                "abn": "12345678901",
                "phone": "0298765432",
                "street_address": "1 Harbour Street",
                "suburb": "Sydney",
                "state": "NSW",
                "postcode": "2000",
            },
        } })
    );

    fixture!(
        /// An Agreement (`GET /agreements/{ref}`, items of `GET /agreements/outgoing`).
        Agreement,
        agreement,
        "/data",
        json!({ "data": {
            "ref": "A.2",
            "initiator_id": ACCOUNT_ID,
            "authoriser_id": "8df89c16-330f-462b-8891-808d7bdceb7f",
            "contact_id": CONTACT_ID,
            "bank_account_id": "fb9381ec-22af-47fd-8998-804f947aaca3",
            "status": "accepted",
            "status_reason": null,
            "responded_at": "2030-01-01T00:00:00Z",
            "created_at": "2030-01-01T00:00:00Z",
            "terms": {
                "per_payout": { "min_amount": null, "max_amount": 10_000 },
                "per_frequency": { "days": 7, "max_amount": 1_000_000 },
            },
            "metadata": null,
        } })
    );
    setters!(Agreement {
        /// `ref` (`A.…`).
        reference("/ref"): &str;
        /// `status` (`proposed`, `accepted`, `cancelled`, ...).
        status("/status"): &str;
    });

    fixture!(
        /// An Unassigned Agreement (`POST /unassigned_agreements` answers 200 with it).
        UnassignedAgreement,
        unassigned_agreement,
        "/data",
        json!({ "data": {
            "ref": "A.4k",
            "initiator_id": ACCOUNT_ID,
            "status": "proposed",
            "responded_at": null,
            "created_at": "2030-01-01T00:00:00Z",
            "terms": {
                "per_payout": { "min_amount": null, "max_amount": 10_000 },
                "per_frequency": { "days": 7, "max_amount": 1_000_000 },
            },
            "assignment_expires_at": "2030-01-01T01:00:00Z",
            "link": "https://go.sandbox.zeptopayments.com/unassigned_agreements/b61fc159-8779-4a17-a826-e398e3e7e211/invitation",
            "metadata": null,
        } })
    );

    fixture!(
        /// An Open Agreement (`POST /open_agreements` answers 200 with it).
        OpenAgreement,
        open_agreement,
        "/data",
        json!({ "data": {
            "ref": "OA.1",
            "title": "Subscription Plan A",
            "status": "active",
            "created_at": "2030-01-01T00:00:00Z",
            "terms": {
                "per_payout": { "min_amount": null, "max_amount": 10_000 },
                "per_frequency": { "days": 7, "max_amount": 1_000_000 },
            },
            "link": "https://go.sandbox.zeptopayments.com/open_agreements/aecff76d-13e0-4e17-b7c5-844ae07fa675/agreements/invitation",
        } })
    );

    fixture!(
        /// A bank connection (`GET /bank_connections/{id}`).
        BankConnection,
        bank_connection,
        "/data",
        json!({ "data": {
            "id": "fb497754-87e2-407d-871f-32aec39d09d4",
            "provider_name": "split",
            "state": "active",
            "refreshed_at": "2030-01-01T00:00:00Z",
            "removed_at": null,
            "failure_reason": null,
            "institution": { "short_name": "CBA", "full_name": "Commonwealth Bank of Australia" },
            "contact": { "id": CONTACT_ID, "name": "Price and Sons", "email": "accounts@price.example" },
            "links": {
                "update_bank_connection": "https://go.sandbox.zeptopayments.com/authorise_bank_connections/merchant/fb497754-87e2-407d-871f-32aec39d09d4"
            },
        } })
    );

    fixture!(
        /// A webhook endpoint (an item of `GET /webhooks`).
        Webhook,
        webhook,
        "/data",
        json!({ "data": {
            "id": "1dc3b1f4-0f8c-4b8a-9f4c-7d0b2f7d8e61",
            "url": "https://merchant.example/webhooks/zepto",
            "signature_secret": "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d",
            "events": ["debit.cleared", "debtor_credit.cleared"],
        } })
    );

    fixture!(
        /// A webhook delivery (an item of `GET /webhooks/{id}/deliveries`; `GET
        /// /webhook_deliveries/{id}` adds `webhook_id` and `payload`).
        WebhookDelivery,
        webhook_delivery,
        "/data",
        json!({ "data": {
            "id": "0f3c7a0e-5b1e-4f62-9a8a-2d3b2c1e0f9d",
            "webhook_id": "1dc3b1f4-0f8c-4b8a-9f4c-7d0b2f7d8e61",
            "event_type": "debit.cleared",
            "state": "completed",
            "payload_data_summary": [{ "ref": "D.1" }],
            "response_status_code": 200,
            "created_at": "2030-01-01T00:00:00Z",
        } })
    );
    setters!(WebhookDelivery {
        /// `id`.
        id("/id"): &str;
        /// `state` (`pending`, `completed`, `retrying`, `failed`).
        state("/state"): &str;
        /// `event_type`.
        event_type("/event_type"): &str;
    });

    fixture!(
        /// The answer to a redelivery (`POST /webhook_deliveries/{id}/redeliver`, status 202).
        WebhookRedelivery,
        webhook_redelivery,
        "/data",
        json!({ "data": {
            "id": "0f3c7a0e-5b1e-4f62-9a8a-2d3b2c1e0f9d",
            "webhook_id": "1dc3b1f4-0f8c-4b8a-9f4c-7d0b2f7d8e61",
            "state": "pending",
        } })
    );

    fixture!(
        /// The older PayID simulation's answer (`POST /simulate/incoming_payid_payment`, 201).
        SimulatedPayIdPayment,
        simulated_payid_payment,
        "/data",
        json!({ "data": {
            "id": "7c1d8e2f-4a3b-4c5d-8e9f-0a1b2c3d4e5f",
            "payid_email": "tenant@pay.merchant.example",
            "amount": 1_500,
        } })
    );

    /// A page of a list: `{"data": [items]}` with `Per-Page` (25 unless set), `Total` and a
    /// `Link` header (`rel="last"`, and `rel="next"` once [`List::next_page`] names it).
    ///
    /// ```
    /// use zepto_client::testing::fixtures;
    /// let page = fixtures::list([fixtures::payment().item(), fixtures::payment().reference("PB.2").item()]);
    /// # let _ = page;
    /// ```
    pub fn list(items: impl IntoIterator<Item = Value>) -> List {
        let items: Vec<Value> = items.into_iter().collect();
        List {
            total: items.len(),
            items,
            per_page: 25,
            next: None,
        }
    }

    /// A page of a list; see [`list`].
    #[derive(Debug, Clone, PartialEq)]
    pub struct List {
        items: Vec<Value>,
        per_page: usize,
        total: usize,
        next: Option<String>,
    }

    impl List {
        /// `Per-Page`.
        pub fn per_page(mut self, per_page: usize) -> Self {
            self.per_page = per_page;
            self
        }

        /// `Total` (the number of items over every page).
        pub fn total(mut self, total: usize) -> Self {
            self.total = total;
            self
        }

        /// The next page's full URL (`Link: <url>; rel="next"`).
        pub fn next_page(mut self, url: impl Into<String>) -> Self {
            self.next = Some(url.into());
            self
        }
    }

    impl From<List> for ResponseFixture {
        fn from(list: List) -> Self {
            let mut link = Vec::new();
            if let Some(next) = &list.next {
                link.push(format!("<{next}>; rel=\"next\""));
            }
            let fixture = ResponseFixture::json(json!({ "data": list.items }))
                .with_header("Per-Page", list.per_page.to_string())
                .with_header("Total", list.total.to_string());
            if link.is_empty() {
                fixture
            } else {
                fixture.with_header("Link", link.join(", "))
            }
        }
    }

    /// A detailed error (`{"errors": [{"title", "detail", "links": {"about"}}]}`), as Zepto
    /// answers authentication and request errors (401, 403, 400, 503 with `Retry-After`).
    pub fn error(status: u16, title: &str, detail: &str) -> ResponseFixture {
        ResponseFixture::json(json!({
            "errors": [{
                "title": title,
                "detail": detail,
                "links": { "about": "https://docs.zepto.money/" },
            }]
        }))
        .with_status(status)
    }

    /// A resource error (`{"errors": "A sentence"}`, 422), as Zepto answers validation errors.
    pub fn invalid(sentence: &str) -> ResponseFixture {
        ResponseFixture::json(json!({ "errors": sentence })).with_status(422)
    }

    /// The 409 of an idempotency key used in the last 24 hours, naming what it created
    /// (`errors[0].meta.resource_ref`).
    pub fn idempotency_conflict(resource_ref: &str) -> ResponseFixture {
        ResponseFixture::json(json!({
            "errors": [{
                "title": "Duplicate idempotency key",
                "detail": "A resource has already been created with this idempotency key",
                "links": { "about": "https://docs.zepto.money/" },
                "meta": { "resource_ref": resource_ref },
            }]
        }))
        .with_status(409)
    }
}

/// Ready `wiremock` mocks of the common calls: each matches the method and path and answers
/// the fixture given (or any [`ResponseFixture`]). Mount them on a `MockServer` and give the
/// client `Environment::custom(server.uri(), server.uri())`.
pub mod mocks {
    use wiremock::Mock;
    use wiremock::matchers::{method, path, path_regex};

    use super::ResponseFixture;

    fn on(verb: &str, exact: &str, answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method(verb))
            .and(path(exact))
            .respond_with(answer.into())
    }

    fn on_any(verb: &str, pattern: &str, answer: impl Into<ResponseFixture>) -> Mock {
        Mock::given(method(verb))
            .and(path_regex(pattern))
            .respond_with(answer.into())
    }

    /// `GET /user`.
    pub fn get_user(answer: impl Into<ResponseFixture>) -> Mock {
        on("GET", "/user", answer)
    }

    /// `POST /contacts/anyone` (answer a [`fixtures::contact`](super::fixtures::contact) with
    /// status 201).
    pub fn create_contact(answer: super::fixtures::Contact) -> Mock {
        on("POST", "/contacts/anyone", answer.with_status(201))
    }

    /// `GET /contacts/{id}`, any id.
    pub fn get_contact(answer: impl Into<ResponseFixture>) -> Mock {
        on_any("GET", r"^/contacts/[^/]+$", answer)
    }

    /// `GET /contacts`.
    pub fn list_contacts(answer: impl Into<ResponseFixture>) -> Mock {
        on("GET", "/contacts", answer)
    }

    /// `POST /payments` (answer a [`fixtures::payment`](super::fixtures::payment) with status
    /// 201).
    pub fn create_payment(answer: super::fixtures::Payment) -> Mock {
        on("POST", "/payments", answer.with_status(201))
    }

    /// `GET /payments/{ref}`, any ref.
    pub fn get_payment(answer: impl Into<ResponseFixture>) -> Mock {
        on_any("GET", r"^/payments/[^/]+$", answer)
    }

    /// `GET /payments`.
    pub fn list_payments(answer: impl Into<ResponseFixture>) -> Mock {
        on("GET", "/payments", answer)
    }

    /// `POST /payouts/{ref}/void`, any ref (answers 204 No Content).
    pub fn void_payout() -> Mock {
        on_any(
            "POST",
            r"^/payouts/[^/]+/void$",
            ResponseFixture::no_content(),
        )
    }

    /// `POST /payment_requests`.
    pub fn create_payment_request(answer: impl Into<ResponseFixture>) -> Mock {
        on("POST", "/payment_requests", answer)
    }

    /// `GET /payment_requests/{ref}`, any ref.
    pub fn get_payment_request(answer: impl Into<ResponseFixture>) -> Mock {
        on_any("GET", r"^/payment_requests/PR\.[^/]+$", answer)
    }

    /// `POST /credits/{ref}/refunds`, any credit.
    pub fn issue_refund(answer: impl Into<ResponseFixture>) -> Mock {
        on_any("POST", r"^/credits/[^/]+/refunds$", answer)
    }

    /// `GET /transactions` (any filters).
    pub fn list_transactions(answer: impl Into<ResponseFixture>) -> Mock {
        on("GET", "/transactions", answer)
    }

    /// `POST /transfers` (answer a [`fixtures::transfer`](super::fixtures::transfer) with
    /// status 201).
    pub fn create_transfer(answer: super::fixtures::Transfer) -> Mock {
        on("POST", "/transfers", answer.with_status(201))
    }

    /// `GET /webhooks/{id}/deliveries`, any webhook.
    pub fn list_webhook_deliveries(answer: impl Into<ResponseFixture>) -> Mock {
        on_any("GET", r"^/webhooks/[^/]+/deliveries$", answer)
    }

    /// `POST /webhook_deliveries/{id}/redeliver`, any delivery (answer a
    /// [`fixtures::webhook_redelivery`](super::fixtures::webhook_redelivery) with status 202).
    pub fn redeliver(answer: super::fixtures::WebhookRedelivery) -> Mock {
        on_any(
            "POST",
            r"^/webhook_deliveries/[^/]+/redeliver$",
            answer.with_status(202),
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

    use super::*;
    use crate::models;

    /// Every fixture reads as the model it stands for: a fixture that drifted from the crate's
    /// models would mislead the tests built on it.
    #[test]
    fn every_fixture_reads_as_its_model() {
        fn read<T: serde::de::DeserializeOwned>(fixture: impl Into<ResponseFixture>) {
            let bytes = fixture.into().to_bytes();
            let body: Value = serde_json::from_slice(&bytes).unwrap();
            serde_json::from_value::<T>(body["data"].clone()).unwrap();
        }
        read::<models::Contact>(fixtures::contact());
        read::<models::Contact>(fixtures::contact().receivable("a@pay.example"));
        read::<models::Payment>(fixtures::payment().amount(7).status("cleared"));
        read::<models::PaymentRequest>(fixtures::payment_request());
        read::<models::Transaction>(fixtures::transaction().cleared("2030-01-02T00:00:00Z"));
        read::<models::Refund>(fixtures::refund());
        read::<models::Transfer>(fixtures::transfer());
        read::<models::BankAccount>(fixtures::bank_account());
        read::<models::User>(fixtures::user());
        read::<models::Agreement>(fixtures::agreement());
        read::<models::UnassignedAgreement>(fixtures::unassigned_agreement());
        read::<models::OpenAgreement>(fixtures::open_agreement());
        read::<models::BankConnection>(fixtures::bank_connection());
        read::<models::Webhook>(fixtures::webhook());
        read::<models::WebhookDelivery>(fixtures::webhook_delivery());
        read::<models::WebhookRedelivery>(fixtures::webhook_redelivery());
        read::<models::SimulatedPayIdPayment>(fixtures::simulated_payid_payment());
    }

    #[test]
    fn signed_deliveries_verify_and_stale_ones_do_not() {
        let body = webhook_body("debit.cleared", [fixtures::transaction().item()]);
        let verifier = crate::WebhookVerifier::new(["secret"]).unwrap();
        let event = verifier
            .verify(&sign_webhook("secret", &body), &body)
            .unwrap();
        assert!(event.typed().is_some());
        assert!(
            verifier
                .verify(&sign_webhook("other", &body), &body)
                .is_err()
        );
        assert!(
            verifier
                .verify(&sign_webhook_at("secret", 1_000_000_000, &body), &body)
                .is_err()
        );
    }
}
