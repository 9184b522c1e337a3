//! Every operation `zepto-client` offers, called through the SDK against the emulator
//! (`splitkit-emulator`, strict as by default) and answered with a typed success. The list of operations comes from the
//! crate's own `openapi.yaml`: an operation added there without emulation fails this test.
#![allow(clippy::unwrap_used, deprecated)] // test code; the deprecated calls are operations too

mod support;

use support::zepto_client as client;

use std::collections::BTreeSet;
use std::time::Duration;

use splitkit_common::Clock;
use splitkit_emulator::control::{AgreementTerms, Authoriser};
use splitkit_emulator::{OPERATIONS, Provider, seed};
use zepto_client::Timestamp;
use zepto_client::contacts::{ContactUpdate, NewContact, NewReceivableContact};
use zepto_client::models::{PaymentChannel, PerFrequency, PerPayout, Terms};
use zepto_client::open_agreements::NewOpenAgreement;
use zepto_client::payment_requests::NewPaymentRequest;
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::refunds::NewRefund;
use zepto_client::sandbox::{IncomingDirectEntryPayment, IncomingNppPayment, IncomingPayIdPayment};
use zepto_client::transfers::NewTransfer;
use zepto_client::unassigned_agreements::NewUnassignedAgreement;

/// `(method, path, operation id)` of every operation in `zepto-client/openapi.yaml`.
fn documented_operations() -> BTreeSet<(String, String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../zepto-client/openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let document: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_mapping().unwrap() {
        for (method, operation) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "post", "put", "patch", "delete"].contains(&method) {
                operations.insert((
                    method.to_uppercase(),
                    path.as_str().unwrap().to_string(),
                    operation["operationId"].as_str().unwrap().to_string(),
                ));
            }
        }
    }
    operations
}

#[test]
fn the_emulator_names_every_documented_operation() {
    let emulated: BTreeSet<_> = OPERATIONS
        .iter()
        .filter(|o| o.provider == Provider::Zepto)
        .map(|o| (o.method.to_string(), o.path.to_string(), o.id.to_string()))
        .collect();
    assert_eq!(emulated, documented_operations());
}

fn terms(min: Option<i64>, max: Option<i64>) -> Terms {
    Terms {
        per_payout: PerPayout {
            min_amount: min,
            max_amount: max,
        },
        per_frequency: PerFrequency {
            days: None,
            max_amount: None,
        },
    }
}

#[tokio::test]
async fn every_operation_answers_a_typed_success_through_the_sdk() {
    let receiver = support::receiver().await;
    let emulator =
        support::start(support::config().zepto_webhook_url(format!("{}/zepto", receiver.uri())))
            .await;
    let zepto = client(&emulator);
    let now = || Timestamp::from_unix_seconds(emulator.clock().unix_seconds()).unwrap();

    // The account.
    zepto.user().get().await.unwrap();
    let accounts = zepto.bank_accounts().list().send().await.unwrap();
    assert_eq!(accounts.items.len(), 2);

    // Contacts.
    let contact = zepto
        .contacts()
        .create(
            NewContact::new()
                .name("Price and Sons")
                .email("price@example.com")
                .branch_code("062000")
                .account_number("12345678"),
        )
        .await
        .unwrap();
    let leaving = zepto
        .contacts()
        .create(
            NewContact::new()
                .name("Leaving Pty")
                .email("leaving@example.com")
                .branch_code("062000")
                .account_number("87654321"),
        )
        .await
        .unwrap();
    assert_eq!(zepto.contacts().list().send().await.unwrap().items.len(), 2);
    zepto.contacts().get(&contact.id).await.unwrap();
    let renamed = zepto
        .contacts()
        .update(&contact.id, ContactUpdate::new().name("Price & Sons"))
        .await
        .unwrap();
    assert_eq!(renamed.name, "Price & Sons");
    zepto.contacts().remove(&leaving.id).await.unwrap();

    // The Contact accepts an Agreement (Zepto's hosted invitation) and connects their bank.
    let agreement = emulator
        .zepto()
        .accept_agreement(&contact.id, AgreementTerms::unlimited())
        .await
        .unwrap();
    assert_eq!(
        zepto.agreements().list().send().await.unwrap().items.len(),
        1
    );
    assert_eq!(
        zepto.agreements().get(&agreement).await.unwrap().ref_,
        agreement
    );
    emulator
        .zepto()
        .connect_bank(&contact.id, 100)
        .await
        .unwrap();
    zepto
        .contacts()
        .refresh_bank_connection(&contact.id)
        .await
        .unwrap();
    let connections = zepto.bank_connections().list().send().await.unwrap().items;
    assert_eq!(connections.len(), 1);
    zepto
        .bank_connections()
        .get(&connections[0].id)
        .await
        .unwrap();

    // A Payment Request above the balance is prefailed; retried once the balance allows.
    let request = zepto
        .payment_requests()
        .create(NewPaymentRequest::new(
            &contact.id,
            5_000,
            "Membership",
            now(),
        ))
        .await
        .unwrap();
    assert!(request.status_reason.is_some(), "prefailed: {request:?}");
    emulator
        .zepto()
        .connect_bank(&contact.id, 1_000_000)
        .await
        .unwrap();
    let credit_ref = request.credit_ref.clone().unwrap();
    let retried = zepto.payouts().retry(&credit_ref).await.unwrap();
    assert_eq!(retried.ref_, credit_ref);
    assert_eq!(retried.status.as_str(), "maturing");
    zepto.payment_requests().get(&request.ref_).await.unwrap();
    let cancelled = zepto
        .payment_requests()
        .create(NewPaymentRequest::new(&contact.id, 700, "Cancelled", now()))
        .await
        .unwrap();
    zepto
        .payment_requests()
        .cancel(&cancelled.ref_)
        .await
        .unwrap();
    assert_eq!(
        zepto
            .payment_requests()
            .list_collections()
            .send()
            .await
            .unwrap()
            .items
            .len(),
        2
    );

    // Payments and payouts.
    let pay = |description: &'static str| {
        NewPayment::new(description, now())
            .channels([PaymentChannel::DirectEntry])
            .payout(Payout::new(&contact.id, 2_000, "Invoice"))
    };
    let payment = zepto.payments().create(pay("Invoice 1")).await.unwrap();
    zepto.payments().get(&payment.ref_).await.unwrap();
    let voided = zepto.payments().create(pay("Invoice 2")).await.unwrap();
    zepto
        .payouts()
        .void_with_details(&voided.payouts[0].ref_, "Sent twice")
        .await
        .unwrap();
    let deleted = zepto.payments().create(pay("Invoice 3")).await.unwrap();
    zepto
        .payouts()
        .void_by_delete(&deleted.payouts[0].ref_)
        .await
        .unwrap();
    assert_eq!(zepto.payments().list().send().await.unwrap().items.len(), 3);

    // A Receivable Contact with a PayID, renamed, disabled and reactivated.
    let receivable = zepto
        .contacts()
        .create_receivable(
            NewReceivableContact::new("Tenant One", "tenant@example.com")
                .payid_email("tenant.one@pay.emulator.test"),
        )
        .await
        .unwrap();
    emulator
        .clock()
        .advance(Duration::from_secs(2))
        .await
        .unwrap();
    zepto
        .contacts()
        .update_payid_name(&receivable.id, "Tenant One Rent")
        .await
        .unwrap();
    zepto
        .contacts()
        .disable_receivable(&receivable.id)
        .await
        .unwrap();
    zepto
        .contacts()
        .reactivate_receivable(&receivable.id)
        .await
        .unwrap();

    // Incoming payments, every simulation.
    zepto
        .sandbox()
        .simulate_npp_payid_payment(IncomingPayIdPayment::new(
            "tenant.one@pay.emulator.test",
            1_500,
        ))
        .await
        .unwrap();
    let account = receivable.bank_account.account_number.clone().unwrap();
    zepto
        .sandbox()
        .simulate_npp_payment(IncomingNppPayment::new("802919", account.clone(), 1_600))
        .await
        .unwrap();
    zepto
        .sandbox()
        .simulate_de_payment(IncomingDirectEntryPayment::new("802919", account, 1_700))
        .await
        .unwrap();
    zepto
        .sandbox()
        .simulate_incoming_payid_payment("tenant.one@pay.emulator.test", 1_800)
        .await
        .unwrap();
    assert_eq!(
        zepto
            .payment_requests()
            .list_receivables()
            .send()
            .await
            .unwrap()
            .items
            .len(),
        4
    );

    // Everything clears; a received payment is refunded.
    emulator.zepto().run_processing().await.unwrap();
    let receipt = zepto
        .transactions()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.amount == 1_500 && t.status.as_str() == "cleared")
        .unwrap();
    let refund = zepto
        .refunds()
        .create(&receipt.ref_, NewRefund::new(500).reason("Overpaid"))
        .await
        .unwrap();
    zepto.refunds().get(&refund.ref_).await.unwrap();
    assert_eq!(zepto.refunds().list().send().await.unwrap().items.len(), 1);

    // Transfers between the merchant's accounts.
    let transfer = zepto
        .transfers()
        .create(NewTransfer::new(
            seed::ZEPTO_BANK_ACCOUNT_ID,
            seed::ZEPTO_FLOAT_ACCOUNT_ID,
            10_000,
            "Top up",
            now(),
        ))
        .await
        .unwrap();
    zepto.transfers().get(&transfer.ref_).await.unwrap();
    assert_eq!(
        zepto.transfers().list().send().await.unwrap().items.len(),
        1
    );

    // Unassigned Agreements: one accepted through its link, one deleted.
    let offered = zepto
        .unassigned_agreements()
        .create(NewUnassignedAgreement::new(3600, terms(Some(2_500), Some(2_500))).single_use(true))
        .await
        .unwrap();
    let dropped = zepto
        .unassigned_agreements()
        .create(NewUnassignedAgreement::new(60, terms(None, Some(10_000))))
        .await
        .unwrap();
    assert_eq!(
        zepto
            .unassigned_agreements()
            .list()
            .send()
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    zepto
        .unassigned_agreements()
        .get(&dropped.ref_)
        .await
        .unwrap();
    zepto
        .unassigned_agreements()
        .delete(&dropped.ref_)
        .await
        .unwrap();
    let accepted = emulator
        .zepto()
        .accept_unassigned_agreement(
            &offered.ref_,
            Authoriser::new("Ann Tenant", "ann@example.com"),
        )
        .await
        .unwrap();
    assert_eq!(accepted.agreement_ref, offered.ref_);

    // Open Agreements: closed and opened again.
    let open = zepto
        .open_agreements()
        .create(NewOpenAgreement::new(
            "Subscription Plan A",
            terms(None, Some(10_000)),
        ))
        .await
        .unwrap();
    zepto.open_agreements().close(&open.ref_).await.unwrap();
    zepto.open_agreements().activate(&open.ref_).await.unwrap();
    assert_eq!(
        zepto
            .open_agreements()
            .list()
            .send()
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    // The ends of the Contact's Agreement and bank connection.
    zepto.agreements().cancel(&agreement).await.unwrap();
    zepto
        .bank_connections()
        .remove(&connections[0].id)
        .await
        .unwrap();

    // Webhooks: the endpoint, its deliveries, one delivery, and both ways of resending it.
    let webhook = zepto
        .webhooks()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .remove(0);
    let deliveries = zepto
        .webhooks()
        .deliveries(&webhook.id)
        .send()
        .await
        .unwrap()
        .items;
    assert!(!deliveries.is_empty());
    let delivery = &deliveries[0].id;
    zepto.webhooks().get_delivery(delivery).await.unwrap();
    zepto.webhooks().redeliver(delivery).await.unwrap();
    zepto.webhooks().resend_delivery(delivery).await.unwrap();

    // Each operation of the document answered at least once with a success.
    let answered: BTreeSet<String> = emulator
        .requests()
        .of(Provider::Zepto)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.status.is_some_and(|s| (200..300).contains(&s)))
        .filter_map(|r| r.operation)
        .collect();
    let missing: Vec<String> = documented_operations()
        .into_iter()
        .map(|(_, _, id)| id)
        .filter(|id| !answered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "never answered with a success: {missing:?}"
    );
}
