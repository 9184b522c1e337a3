//! Every documented rule is checked before anything is sent, and the error names the field.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use support::*;
use wiremock::MockServer;
use zepto_client::contacts::{ContactUpdate, NewContact, NewReceivableContact};
use zepto_client::models::{
    CategoryPurposeCode, Metadata, PaymentChannel, PerFrequency, PerPayout, Terms,
    WebhookDeliveryState, WebhookResponseStatusClass,
};
use zepto_client::payment_requests::NewPaymentRequest;
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::refunds::NewRefund;
use zepto_client::rules::{AccountTimeZone, MAX_AMOUNT};
use zepto_client::sandbox::{IncomingDirectEntryPayment, IncomingNppPayment, IncomingPayIdPayment};
use zepto_client::transfers::NewTransfer;
use zepto_client::unassigned_agreements::NewUnassignedAgreement;
use zepto_client::{Client, Error, Timestamp};

const CONTACT: &str = "48b89364-1577-4c81-ba02-96705895d457";

fn at(seconds_from_now: i64) -> Timestamp {
    Timestamp::from_unix_seconds(NOW + seconds_from_now).unwrap()
}

/// The field a validation error names.
fn field<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::Validation { field, rule }) => {
            assert!(!rule.is_empty());
            field.into_owned()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn payment(amount: i64) -> NewPayment {
    NewPayment::new("Invoice 42", at(3600))
        .channels([PaymentChannel::DirectEntry])
        .payout(Payout::new(CONTACT, amount, "Invoice 42"))
}

struct Fixture {
    server: MockServer,
    client: Client,
}

impl Fixture {
    async fn new() -> Self {
        let server = MockServer::start().await;
        let client = client(&server);
        Self { server, client }
    }

    /// Nothing reached the server.
    async fn nothing_sent(&self) {
        assert!(self.server.received_requests().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn amounts_are_whole_cents_from_1_to_99_999_999_999() {
    let f = Fixture::new().await;
    let c = &f.client;
    assert_eq!(
        field(c.payments().create(payment(0)).await),
        "payouts[0].amount"
    );
    assert_eq!(
        field(c.payments().create(payment(MAX_AMOUNT + 1)).await),
        "payouts[0].amount"
    );
    assert_eq!(
        field(c.payments().create(payment(-5)).await),
        "payouts[0].amount"
    );
    let request = |amount| NewPaymentRequest::new(CONTACT, amount, "Rent", at(0));
    assert_eq!(
        field(c.payment_requests().create(request(0)).await),
        "amount"
    );
    assert_eq!(
        field(
            c.refunds()
                .create("C.1", NewRefund::new(MAX_AMOUNT + 1))
                .await
        ),
        "amount"
    );
    let transfer = NewTransfer::new("a", "b", 0, "Top-up", at(60));
    assert_eq!(field(c.transfers().create(transfer).await), "amount");
    let sandbox = || c.sandbox();
    let payid = IncomingPayIdPayment::new("payer@example.com", 0);
    assert_eq!(
        field(sandbox().simulate_npp_payid_payment(payid).await),
        "amount"
    );
    let npp = IncomingNppPayment::new("802919", "1408281", MAX_AMOUNT + 1);
    assert_eq!(field(sandbox().simulate_npp_payment(npp).await), "amount");
    let de = IncomingDirectEntryPayment::new("802919", "1408281", -1);
    assert_eq!(field(sandbox().simulate_de_payment(de).await), "amount");
    #[allow(deprecated)]
    let old = sandbox()
        .simulate_incoming_payid_payment("payer@example.com", 0)
        .await;
    assert_eq!(field(old), "amount");
    f.nothing_sent().await;
}

#[test]
fn the_amount_bounds_themselves_are_accepted() {
    let server_free = Client::builder(zepto_client::Environment::Sandbox)
        .personal_access_token("t")
        .clock(clock())
        .build()
        .unwrap();
    assert!(payment(1).validate(&server_free).is_ok());
    assert!(payment(MAX_AMOUNT).validate(&server_free).is_ok());
}

#[tokio::test]
async fn a_payment_takes_exactly_one_payout() {
    let f = Fixture::new().await;
    let two = payment(100).payout(Payout::new(CONTACT, 200, "Second"));
    assert_eq!(field(f.client.payments().create(two).await), "payouts");
    let none = NewPayment::new("Nothing", at(60)).channels([PaymentChannel::DirectEntry]);
    assert_eq!(field(f.client.payments().create(none).await), "payouts");
    f.nothing_sent().await;
}

#[tokio::test]
async fn the_remitter_is_3_to_16_characters() {
    let f = Fixture::new().await;
    let c = &f.client;
    assert_eq!(
        field(c.payments().create(payment(100).remitter("AB")).await),
        "metadata.remitter"
    );
    assert_eq!(
        field(
            c.payments()
                .create(payment(100).remitter("A".repeat(17)))
                .await
        ),
        "metadata.remitter"
    );
    let on_payout = NewPayment::new("Invoice", at(60))
        .channels([PaymentChannel::DirectEntry])
        .payout(
            Payout::new(CONTACT, 100, "Invoice")
                .metadata(Metadata::from([("remitter".to_owned(), json!("X"))])),
        );
    assert_eq!(
        field(c.payments().create(on_payout).await),
        "payouts[0].metadata.remitter"
    );
    // Metadata values may be any JSON, but the remitter is a text.
    let numeric = payment(100).metadata(Metadata::from([("remitter".to_owned(), json!(12345))]));
    assert_eq!(
        field(c.payments().create(numeric).await),
        "metadata.remitter"
    );
    let request =
        NewPaymentRequest::new(CONTACT, 100, "Rent", at(0)).remitter("Way too long a name");
    assert_eq!(
        field(c.payment_requests().create(request).await),
        "metadata.remitter"
    );
    f.nothing_sent().await;

    let client = &f.client;
    assert!(payment(100).remitter("ABC").validate(client).is_ok());
    let any_json = Metadata::from([
        ("invoice_id".to_owned(), json!(123)),
        ("lines".to_owned(), json!([{ "sku": "A1", "qty": 2 }])),
        ("remitter".to_owned(), json!("SkyDive Co")),
    ]);
    assert!(payment(100).metadata(any_json).validate(client).is_ok());
    assert!(
        payment(100)
            .remitter("A".repeat(16))
            .validate(client)
            .is_ok()
    );
}

#[tokio::test]
async fn contact_names_and_emails_have_documented_lengths() {
    let f = Fixture::new().await;
    let c = &f.client;
    let contact = |name: String, email: String| {
        NewContact::new()
            .name(name)
            .email(email)
            .branch_code("123456")
            .account_number("13048322")
    };
    assert_eq!(
        field(
            c.contacts()
                .create(contact("N".repeat(141), "a@b.co".into()))
                .await
        ),
        "name"
    );
    assert_eq!(
        field(
            c.contacts()
                .create(contact("Name".into(), format!("{}@b.co", "e".repeat(252))))
                .await
        ),
        "email"
    );
    assert!(
        contact("N".repeat(140), format!("{}@b.co", "e".repeat(251)))
            .validate()
            .is_ok()
    );
    assert_eq!(
        field(
            c.contacts()
                .create(contact(String::new(), "a@b.co".into()))
                .await
        ),
        "name"
    );
    assert_eq!(
        field(
            c.contacts()
                .update("id", ContactUpdate::new().name("N".repeat(141)))
                .await
        ),
        "name"
    );
    assert_eq!(
        field(
            c.contacts()
                .update("id", ContactUpdate::new().email("e".repeat(257)))
                .await
        ),
        "email"
    );
    assert_eq!(
        field(
            c.contacts()
                .create_receivable(NewReceivableContact::new("Al", "al@example.com"))
                .await
        ),
        "name"
    );
    assert_eq!(
        field(
            c.contacts()
                .create_receivable(
                    NewReceivableContact::new("Alice", "alice@example.com").payid_email("a@b")
                )
                .await
        ),
        "payid_email"
    );
    f.nothing_sent().await;
}

#[tokio::test]
async fn a_validation_message_shows_no_personal_data() {
    let f = Fixture::new().await;
    let email = format!("{}@secret-customer.example", "x".repeat(250));
    let err = f
        .client
        .contacts()
        .create(
            NewContact::new()
                .name("Name")
                .email(email)
                .branch_code("123456")
                .account_number("1"),
        )
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("secret-customer"), "{err}");
    f.nothing_sent().await;
}

#[tokio::test]
async fn per_page_is_at_most_100() {
    let f = Fixture::new().await;
    assert_eq!(
        field(f.client.transactions().list().per_page(101).send().await),
        "per_page"
    );
    assert_eq!(
        field(f.client.contacts().list().per_page(0).send().await),
        "per_page"
    );
    assert!(f.client.contacts().list().per_page(100).request().is_ok());
    f.nothing_sent().await;
}

#[tokio::test]
async fn matures_at_is_not_before_the_start_of_today() {
    let f = Fixture::new().await;
    // NOW is 2021-06-05T00:00Z = 10:00 in Sydney (+10); the day began at 2021-06-04T13:00Z
    // at the earliest (+11).
    let late = NewPayment::new("Late", at(-11 * 3600 - 1))
        .channels([PaymentChannel::DirectEntry])
        .payout(Payout::new(CONTACT, 100, "Late"));
    assert_eq!(field(f.client.payments().create(late).await), "matures_at");
    let transfer = NewTransfer::new("a", "b", 100, "Top-up", at(-86_400));
    assert_eq!(
        field(f.client.transfers().create(transfer).await),
        "matures_at"
    );
    f.nothing_sent().await;

    let earliest = NewPayment::new("Today", at(-11 * 3600))
        .channels([PaymentChannel::DirectEntry])
        .payout(Payout::new(CONTACT, 100, "Today"));
    assert!(earliest.validate(&f.client).is_ok());

    // With a UTC account, the day starts at midnight UTC.
    let utc = Client::builder(zepto_client::Environment::Sandbox)
        .personal_access_token("t")
        .clock(clock())
        .time_zone(AccountTimeZone::fixed(
            chrono::FixedOffset::east_opt(0).unwrap(),
        ))
        .build()
        .unwrap();
    assert_eq!(field(earliest.validate(&utc)), "matures_at");
}

#[tokio::test]
async fn other_party_and_party_contact_id_are_not_combined_with_both_parties() {
    let f = Fixture::new().await;
    let list = || f.client.transactions().list();
    assert_eq!(
        field(list().both_parties().other_party("Sanford").send().await),
        "other_party"
    );
    assert_eq!(
        field(list().party_contact_id(CONTACT).both_parties().send().await),
        "party_contact_id"
    );
    assert!(list().both_parties().request().is_ok());
    assert!(list().other_party("Sanford").request().is_ok());
    f.nothing_sent().await;
}

#[tokio::test]
async fn channels_are_one_of_the_documented_combinations() {
    let f = Fixture::new().await;
    let with = |channels: Vec<PaymentChannel>| {
        NewPayment::new("Pay", at(60))
            .channels(channels)
            .payout(Payout::new(CONTACT, 100, "Pay"))
    };
    use PaymentChannel::{DirectEntry, FloatAccount, NewPaymentsPlatform};
    for bad in [
        vec![],
        vec![DirectEntry, NewPaymentsPlatform],
        vec![FloatAccount],
        vec![DirectEntry, DirectEntry],
    ] {
        assert_eq!(
            field(f.client.payments().create(with(bad)).await),
            "channels"
        );
    }
    assert_eq!(
        field(
            f.client
                .refunds()
                .create("C.1", NewRefund::new(100).channels([FloatAccount]))
                .await
        ),
        "channels"
    );
    for good in [
        vec![NewPaymentsPlatform],
        vec![DirectEntry],
        vec![NewPaymentsPlatform, DirectEntry],
    ] {
        assert!(with(good).validate(&f.client).is_ok());
    }
    f.nothing_sent().await;
}

#[tokio::test]
async fn single_use_unassigned_agreements_have_fixed_terms() {
    let f = Fixture::new().await;
    let terms = |min, max, total| Terms {
        per_payout: PerPayout {
            min_amount: min,
            max_amount: max,
        },
        per_frequency: PerFrequency {
            days: None,
            max_amount: total,
        },
    };
    let c = || f.client.unassigned_agreements();
    let unequal = NewUnassignedAgreement::new(60, terms(Some(1), Some(500), None)).single_use(true);
    assert_eq!(field(c().create(unequal).await), "terms.per_payout");
    let capped =
        NewUnassignedAgreement::new(60, terms(Some(500), Some(500), Some(1000))).single_use(true);
    assert_eq!(
        field(c().create(capped).await),
        "terms.per_frequency.max_amount"
    );
    let expired = NewUnassignedAgreement::new(0, terms(None, None, None));
    assert_eq!(field(c().create(expired).await), "expiry_in_seconds");
    assert!(
        NewUnassignedAgreement::new(60, terms(Some(500), Some(500), None))
            .single_use(true)
            .validate()
            .is_ok()
    );
    f.nothing_sent().await;
}

#[tokio::test]
async fn sandbox_simulation_is_refused_in_production() {
    let client = Client::builder(zepto_client::Environment::Production)
        .personal_access_token("t")
        .deadline(Duration::from_secs(1))
        .build()
        .unwrap();
    let sandbox = || client.sandbox();
    let results = [
        sandbox()
            .simulate_npp_payid_payment(IncomingPayIdPayment::new("payer@example.com", 100))
            .await,
        sandbox()
            .simulate_npp_payment(IncomingNppPayment::new("802919", "1408281", 100))
            .await,
        sandbox()
            .simulate_de_payment(IncomingDirectEntryPayment::new("802919", "1408281", 100))
            .await,
    ];
    for result in results {
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err}");
    }
    #[allow(deprecated)]
    let err = sandbox()
        .simulate_incoming_payid_payment("payer@example.com", 100)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

#[tokio::test]
async fn a_category_purpose_needs_an_end_to_end_id_of_at_most_35_characters() {
    let f = Fixture::new().await;
    let c = &f.client;
    let with = |payout: Payout| {
        NewPayment::new("Payroll", at(60))
            .channels([PaymentChannel::NewPaymentsPlatform])
            .payout(payout)
    };
    let base = || Payout::new(CONTACT, 250_000, "Salary March");
    // A code with its ID, and an ID alone, are fine; the 35-character limit is inclusive.
    for ok in [
        base().category_purpose(CategoryPurposeCode::Sala, "EMP-0042"),
        base().category_purpose(CategoryPurposeCode::Taxs, "X".repeat(35)),
        base().end_to_end_id("E2E-1"),
        base(),
    ] {
        assert!(with(ok).validate(c).is_ok());
    }
    // A code needs an ID: the builder takes both, and an empty one is refused.
    let no_id = base().category_purpose(CategoryPurposeCode::Sala, " ");
    assert_eq!(
        field(c.payments().create(with(no_id)).await),
        "payouts[0].end_to_end_id"
    );
    let too_long = base().category_purpose(CategoryPurposeCode::Pens, "1".repeat(36));
    let err = c.payments().create(with(too_long)).await.unwrap_err();
    assert!(err.to_string().contains("1 to 35 characters"), "{err}");
    assert_eq!(field(Err::<(), _>(err)), "payouts[0].end_to_end_id");
    let unknown = base().category_purpose(CategoryPurposeCode::Unknown("GOVT".into()), "X1");
    assert_eq!(
        field(c.payments().create(with(unknown)).await),
        "payouts[0].category_purpose_code"
    );
    f.nothing_sent().await;
}

#[tokio::test]
async fn simulated_payments_check_bank_details_names_and_references() {
    let f = Fixture::new().await;
    let sandbox = || f.client.sandbox();
    let npp = |bsb: &str, account: &str| IncomingNppPayment::new(bsb, account, 100);
    assert_eq!(
        field(sandbox().simulate_npp_payment(npp("80291", "1")).await),
        "to_bsb"
    );
    assert_eq!(
        field(sandbox().simulate_npp_payment(npp("80291x", "1")).await),
        "to_bsb"
    );
    assert_eq!(
        field(
            sandbox()
                .simulate_npp_payment(npp("802919", "1234567890"))
                .await
        ),
        "to_account_number"
    );
    assert_eq!(
        field(sandbox().simulate_npp_payment(npp("802919", "")).await),
        "to_account_number"
    );
    let from = npp("802919", "1").from_account("01420", "12345678");
    assert_eq!(
        field(sandbox().simulate_npp_payment(from).await),
        "from_bsb"
    );
    let from = npp("802919", "1").from_account("014209", "12-345");
    assert_eq!(
        field(sandbox().simulate_npp_payment(from).await),
        "from_account_number"
    );
    let name = npp("802919", "1").debtor_name("Zoë Hunter");
    assert_eq!(
        field(sandbox().simulate_npp_payment(name).await),
        "debtor_name"
    );
    let payid = IncomingPayIdPayment::new("a@b.c", 100);
    assert_eq!(
        field(sandbox().simulate_npp_payid_payment(payid).await),
        "payid_email"
    );
    let payid = IncomingPayIdPayment::new("payer@example.com", 100).debtor_name("Tab\there");
    assert_eq!(
        field(sandbox().simulate_npp_payid_payment(payid).await),
        "debtor_name"
    );
    let de = |reference: &str, name: &str| {
        IncomingDirectEntryPayment::new("802919", "1408281", 100)
            .payment_reference(reference)
            .debtor_name(name)
    };
    assert!(de(&"R".repeat(18), &"N".repeat(16)).validate().is_ok());
    assert_eq!(
        field(
            sandbox()
                .simulate_de_payment(de(&"R".repeat(19), "Payer"))
                .await
        ),
        "payment_reference"
    );
    assert_eq!(
        field(
            sandbox()
                .simulate_de_payment(de("INV-1", &"N".repeat(17)))
                .await
        ),
        "debtor_name"
    );
    assert_eq!(
        field(sandbox().simulate_de_payment(de("INV-1", "")).await),
        "debtor_name"
    );
    assert_eq!(
        field(sandbox().simulate_de_payment(de("INV-1", "Zoë")).await),
        "debtor_name"
    );
    f.nothing_sent().await;
}

#[tokio::test]
async fn payid_names_and_void_details_are_checked() {
    let f = Fixture::new().await;
    let contacts = || f.client.contacts();
    assert_eq!(
        field(contacts().update_payid_name("6a7ed958", "Café Tours").await),
        "payid_name"
    );
    assert_eq!(
        field(contacts().update_payid_name("6a7ed958", " ").await),
        "payid_name"
    );
    assert_eq!(
        field(contacts().update_payid_name("", "Tours").await),
        "contact_id"
    );
    assert_eq!(
        field(f.client.payouts().void_with_details("D.48", "").await),
        "details"
    );
    f.nothing_sent().await;
}

#[tokio::test]
async fn delivery_filters_are_checked_before_sending() {
    let f = Fixture::new().await;
    let webhooks = || f.client.webhooks();
    let list = || webhooks().deliveries("0a5d9b0e-6a47-4f4e-9c43-7d1b0f0a8e21");
    assert_eq!(field(list().per_page(101).send().await), "per_page");
    assert_eq!(field(list().per_page(0).send().await), "per_page");
    let unknown = list().state(WebhookDeliveryState::Unknown("bogus".into()));
    assert_eq!(field(unknown.send().await), "state");
    let unknown = list().response_status_code(WebhookResponseStatusClass::Unknown("3xx".into()));
    assert_eq!(field(unknown.send().await), "response_status_code");
    assert_eq!(field(list().reference("").send().await), "ref");
    assert_eq!(field(webhooks().deliveries("").send().await), "webhook_id");
    // The stream ends with the same error, before anything is sent.
    let mut stream = Box::pin(list().per_page(500).stream());
    assert_eq!(field(stream.next().await.unwrap()), "per_page");
    assert!(stream.next().await.is_none());
    assert_eq!(field(webhooks().redeliver("").await), "id");
    f.nothing_sent().await;
}

#[test]
fn a_client_needs_credentials_and_usable_urls() {
    let err = Client::builder(zepto_client::Environment::Sandbox)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    let err = Client::builder(zepto_client::Environment::custom("ftp://x", "https://go.x"))
        .personal_access_token("t")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

#[test]
fn blank_credentials_are_refused_when_the_client_is_built() {
    for token in ["", "   ", "\n"] {
        let err = Client::builder(zepto_client::Environment::Sandbox)
            .personal_access_token(token)
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "personal_access_token"),
            "{token:?}: {err:?}"
        );
    }
    let app = |id: &str, secret: &str| {
        zepto_client::oauth::OAuthApp::new(
            &zepto_client::Environment::Sandbox,
            id,
            secret,
            "https://shop.example/callback",
        )
    };
    for (id, secret, field) in [("", "s", "client_id"), ("app", " ", "client_secret")] {
        let err = app(id, secret).unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field: f, .. } if f == field),
            "{err:?}"
        );
    }
}

#[test]
fn credentials_in_a_base_url_are_masked_everywhere() {
    let builder = Client::builder(zepto_client::Environment::Sandbox)
        .base_url("https://proxy-user:proxy-pass@proxy.example/zepto?api_key=k_secret")
        .oauth_base_url("https://u:oauth-pass@go.proxy.example")
        .personal_access_token("t");
    let shown = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown = format!("{shown} {client:?} {:?}", client.environment());
    for secret in ["proxy-pass", "proxy-user", "k_secret", "oauth-pass"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("proxy.example/zepto"), "{shown}");
    let err = Client::builder(zepto_client::Environment::Sandbox)
        .base_url("ftp://user:hunter2@proxy.example")
        .personal_access_token("t")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
