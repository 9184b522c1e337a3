//! The SDK against the emulator's Zepto: a receiver that was down gets its failed deliveries
//! back through the recovery helper; today's simulations, PayID rename and transfers work end
//! to end.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::time::Duration;

use futures_util::TryStreamExt;
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use zepto_client::contacts::{NewContact, NewReceivableContact};
use zepto_client::models::{PaymentChannel, TransactionCategory, WebhookDeliveryState};
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::sandbox::{IncomingDirectEntryPayment, IncomingNppPayment, IncomingPayIdPayment};
use zepto_client::splitkit_common::Clock;
use zepto_client::transfers::NewTransfer;
use zepto_client::{Client, Environment, Timestamp};

async fn emulator(webhook_url: Option<String>) -> RunningEmulator {
    let mut config = EmulatorConfig::default()
        .webhook_retry_delays(vec![Duration::from_millis(20); 4])
        .webhook_timeout(Duration::from_secs(2));
    if let Some(url) = webhook_url {
        config = config.zepto_webhook_url(url);
    }
    Emulator::start(config).await.unwrap()
}

fn client(emulator: &RunningEmulator) -> Client {
    Client::builder(Environment::custom(
        emulator.zepto_api_base_url(),
        emulator.zepto_oauth_base_url(),
    ))
    .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
    .build()
    .unwrap()
}

fn now(emulator: &RunningEmulator) -> Timestamp {
    Timestamp::from_unix_seconds(emulator.clock().unix_seconds()).unwrap()
}

/// Runs the emulator's processing cycle (Zepto's sandbox runs one a minute).
async fn process(emulator: &RunningEmulator) {
    let response = splitkit_common::tls::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .post(format!("{}/zepto/process", emulator.control_url()))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
}

#[tokio::test]
async fn a_receiver_that_was_down_gets_its_failed_deliveries_back() {
    // Nothing listens on the webhook's address: every attempt gets no answer.
    let parked = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = parked.local_addr().unwrap();
    drop(parked);
    let url = format!("http://{address}/zepto");
    let emulator = emulator(Some(url.clone())).await;
    let client = client(&emulator);
    let webhook = client
        .webhooks()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|w| w.url == url)
        .unwrap();

    let before_outage = now(&emulator);
    let contact = client
        .contacts()
        .create(
            NewContact::new()
                .name("Harbour Supplies")
                .email("accounts@harbour.example")
                .branch_code("062000")
                .account_number("12345678"),
        )
        .await
        .unwrap();
    client
        .payments()
        .create(
            NewPayment::new("Invoice 1042", before_outage)
                .channels([PaymentChannel::DirectEntry])
                .payout(Payout::new(&contact.id, 125_000, "Inv 1042")),
        )
        .await
        .unwrap();
    // payment.added, debit.scheduled, debtor_credit.scheduled: each tried 5 times, then failed.
    let failed = || {
        client
            .webhooks()
            .deliveries(&webhook.id)
            .state(WebhookDeliveryState::Failed)
            .per_page(2)
            .stream()
            .try_collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while failed().await.unwrap().len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the retries did not run out"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let missed: Vec<_> = emulator
        .webhooks_sent()
        .into_iter()
        .filter(|d| d.attempt == 1)
        .collect();
    assert_eq!(missed.len(), 3);

    // The receiver is back on its address.
    let receiver = MockServer::builder()
        .listener(std::net::TcpListener::bind(address).unwrap())
        .start()
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let report = client
        .webhooks()
        .recover(&webhook.id, before_outage)
        .send()
        .await
        .unwrap();
    assert!(report.is_complete(), "{:?}", report.failures);
    assert_eq!(report.resent.len(), 3);
    assert!(report.resent.iter().all(|r| r.redelivery.state
        == Some(WebhookDeliveryState::Pending)
        && r.redelivery.id.as_deref() == Some(r.delivery.id.as_str())));

    // Every missed event arrives, with its body and Split-Request-ID unchanged.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let received = loop {
        let received = receiver.received_requests().await.unwrap();
        if received.len() >= 3 {
            break received;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the redeliveries did not arrive"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(received.len(), 3);
    let mut got: Vec<(String, String)> = received
        .iter()
        .map(|r| {
            (
                r.headers["split-request-id"].to_str().unwrap().to_owned(),
                String::from_utf8(r.body.clone()).unwrap(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String)> = missed
        .iter()
        .map(|d| (d.event_id.clone().unwrap(), d.body.clone()))
        .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);

    // The deliveries now show completed; a second recovery has nothing to do.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !failed().await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "states did not update"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let detail = client
        .webhooks()
        .get_delivery(&report.resent[0].delivery.id)
        .await
        .unwrap();
    assert_eq!(detail.state, Some(WebhookDeliveryState::Completed));
    assert_eq!(detail.webhook_id.as_deref(), Some(webhook.id.as_str()));
    assert!(detail.payload.unwrap()["event"]["type"].is_string());
    let again = client
        .webhooks()
        .recover(&webhook.id, before_outage)
        .send()
        .await
        .unwrap();
    assert!(again.resent.is_empty() && again.failures.is_empty());
}

#[tokio::test]
async fn todays_simulations_rename_and_transfers_through_the_sdk() {
    let emulator = emulator(None).await;
    let client = client(&emulator);
    let contact = client
        .contacts()
        .create_receivable(
            NewReceivableContact::new("Delphine Jestin", "delphine@gmail.com")
                .payid_email("delphine_123@merchant.com.au"),
        )
        .await
        .unwrap();
    process(&emulator).await; // the PayID becomes active
    client
        .contacts()
        .update_payid_name(&contact.id, "Delphine Tours")
        .await
        .unwrap();
    let renamed = client.contacts().get(&contact.id).await.unwrap();
    assert_eq!(renamed.payid_details.unwrap().alias_name, "Delphine Tours");

    client
        .sandbox()
        .simulate_npp_payid_payment(
            IncomingPayIdPayment::new("delphine_123@merchant.com.au", 10_000)
                .payment_description("Invoice 1042"),
        )
        .await
        .unwrap();
    let account = contact.bank_account.account_number.clone().unwrap();
    client
        .sandbox()
        .simulate_npp_payment(IncomingNppPayment::new("802919", &account, 2_500))
        .await
        .unwrap();
    client
        .sandbox()
        .simulate_de_payment(
            IncomingDirectEntryPayment::new("802919", "1408281", 300).debtor_name("Walk-in"),
        )
        .await
        .unwrap();
    let refused = client
        .sandbox()
        .simulate_de_payment(IncomingDirectEntryPayment::new("802919", "999", 300))
        .await
        .unwrap_err();
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(400));

    client
        .transfers()
        .create(NewTransfer::new(
            seed::ZEPTO_BANK_ACCOUNT_ID,
            seed::ZEPTO_FLOAT_ACCOUNT_ID,
            50_000,
            "Float top-up",
            now(&emulator),
        ))
        .await
        .unwrap();
    process(&emulator).await;
    let transactions: Vec<_> = client
        .transactions()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut amounts: Vec<(i64, String)> = transactions
        .iter()
        .filter(|t| t.status.as_str() == "cleared")
        .map(|t| (t.amount, t.category.to_string()))
        .collect();
    amounts.sort();
    assert_eq!(
        amounts,
        [
            (300, "payout".to_owned()),
            (2_500, "payout".to_owned()),
            (10_000, "payout".to_owned()),
            (50_000, TransactionCategory::Transfer.to_string()),
            (50_000, TransactionCategory::Transfer.to_string()),
        ]
    );
    let transfer = client.transfers().list().send().await.unwrap().items;
    assert_eq!(
        transfer[0].initiator_id.as_deref(),
        Some(seed::ZEPTO_ACCOUNT_ID)
    );
    let user = client.user().get().await.unwrap();
    assert!(user.account.unwrap().name.is_some());
}
