//! Webhook retries on each provider's schedule and the emulator clock, through the SDKs: moving
//! the clock makes what came due, so hours (or days) of retries take milliseconds.
#![allow(clippy::unwrap_used)]

mod support;

use support::zepto_client as zepto;

use std::net::SocketAddr;
use std::time::Duration;

use fairshare_client::{Decimal, NewSplitSession};
use splitable_client::{LineItem, NewSplit};
use splitkit_common::Clock;
use splitkit_emulator::control::{TeamPayment, WebhookFilter};
use splitkit_emulator::{
    EmulatorConfig, Provider, RetrySchedule, RunningEmulator, WebhookDelivery, seed,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use zepto_client::Timestamp;
use zepto_client::contacts::NewContact;
use zepto_client::models::{PaymentChannel, WebhookDeliveryState};
use zepto_client::payments::{NewPayment, Payout};

const MINUTE: Duration = Duration::from_secs(60);

/// An address on which nothing listens: a receiver that is down.
fn down() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

fn time(text: &str) -> OffsetDateTime {
    OffsetDateTime::parse(text, &Rfc3339).unwrap()
}

/// How many seconds after the attempt logged as `d` the next one is due, rounded (the schedule
/// counts from the moment the first attempt started, a few milliseconds before it was logged).
fn seconds_to_next(d: &WebhookDelivery) -> i64 {
    let gap = time(d.next_attempt_at.as_deref().unwrap()) - time(&d.sent_at);
    (gap.whole_milliseconds() as f64 / 1000.0).round() as i64
}

/// Pays a Contact: Zepto announces `payment.added` (and the two legs' `scheduled`).
async fn pay(emulator: &RunningEmulator) {
    let client = zepto(emulator);
    let contact = client
        .contacts()
        .create(
            NewContact::new()
                .name("Harbour Supplies")
                .email("ap@harbour.example")
                .branch_code("062000")
                .account_number("12345678"),
        )
        .await
        .unwrap();
    let now = Timestamp::from_unix_seconds(emulator.clock().unix_seconds()).unwrap();
    client
        .payments()
        .create(
            NewPayment::new("Invoice 1042", now)
                .channels([PaymentChannel::DirectEntry])
                .payout(Payout::new(&contact.id, 125_000, "Inv 1042")),
        )
        .await
        .unwrap();
}

async fn attempts(
    emulator: &RunningEmulator,
    provider: Provider,
    event: &str,
) -> Vec<WebhookDelivery> {
    emulator
        .webhooks()
        .list(&WebhookFilter::provider(provider).event_type(event))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_zepto_receiver_down_for_twenty_minutes_still_gets_the_event() {
    let address = down();
    let emulator = support::start(
        EmulatorConfig::default().zepto_webhook_url(format!("http://{address}/zepto")),
    )
    .await;
    pay(&emulator).await;
    let first = emulator
        .wait_for_webhook(|d| d.event_type == "payment.added", Duration::from_secs(5))
        .await
        .unwrap();
    assert!(first.status.is_none() && !first.delivered, "{first:?}");
    assert_eq!(
        seconds_to_next(&first),
        300,
        "Zepto retries every 5 minutes"
    );

    // Fifteen minutes of outage: the retries at 5, 10 and 15 minutes get no answer either.
    for attempt in 2..=4 {
        emulator.clock().advance(5 * MINUTE).await.unwrap();
        let made = attempts(&emulator, Provider::Zepto, "payment.added").await;
        assert_eq!(made.len(), attempt, "one more attempt per 5 minutes");
        assert!(made.iter().all(|d| !d.delivered));
    }

    // The receiver is back before the retry 20 minutes after the first attempt.
    let receiver = MockServer::builder()
        .listener(std::net::TcpListener::bind(address).unwrap())
        .start()
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    emulator.clock().advance(5 * MINUTE).await.unwrap();

    let made = attempts(&emulator, Provider::Zepto, "payment.added").await;
    let last = made.last().unwrap();
    assert_eq!(
        (last.attempt, last.status, last.delivered),
        (5, Some(200), true)
    );
    assert_eq!(
        last.event_id, first.event_id,
        "the same Split-Request-ID on every attempt"
    );
    assert_eq!(last.next_attempt_at, None);
    let verifier = zepto_client::webhook::WebhookVerifier::new([seed::ZEPTO_WEBHOOK_SECRET])
        .unwrap()
        .clock(emulator.clock());
    let received = receiver.received_requests().await.unwrap();
    let event = received
        .iter()
        .map(|r| verifier.verify(&r.headers, &r.body).unwrap())
        .find(|e| e.id == first.event_id.clone().unwrap())
        .unwrap();
    assert!(event.typed().is_some());

    // Delivered: no attempt after that.
    emulator.clock().advance(60 * MINUTE).await.unwrap();
    assert_eq!(
        attempts(&emulator, Provider::Zepto, "payment.added")
            .await
            .len(),
        5
    );
}

#[tokio::test]
async fn zepto_gives_up_after_an_hour_and_the_deliveries_api_says_so() {
    let emulator = support::start(
        EmulatorConfig::default().zepto_webhook_url(format!("http://{}/zepto", down())),
    )
    .await;
    pay(&emulator).await;
    emulator
        .wait_for_webhook(|d| d.event_type == "payment.added", Duration::from_secs(5))
        .await
        .unwrap();
    // Two hours at once: the twelve retries of the hour are made, in order.
    emulator.clock().advance(120 * MINUTE).await.unwrap();
    let made = attempts(&emulator, Provider::Zepto, "payment.added").await;
    assert_eq!(
        made.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        (1..=13).collect::<Vec<_>>()
    );
    assert_eq!(made.last().unwrap().next_attempt_at, None);

    let client = zepto(&emulator);
    let webhook = client
        .webhooks()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .remove(0);
    let failed = client
        .webhooks()
        .deliveries(&webhook.id)
        .state(WebhookDeliveryState::Failed)
        .send()
        .await
        .unwrap()
        .items;
    assert_eq!(failed.len(), 3, "payment.added and both legs' scheduled");
}

#[tokio::test]
async fn splitable_retries_any_answer_but_200_twenty_five_times() {
    let refusing = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .mount(&refusing)
        .await;
    let emulator = support::start(EmulatorConfig::default()).await;
    let splitable = splitable_client::Client::builder(seed::SPLITABLE_API_KEY)
        .base_url(emulator.splitable_base_url())
        .build()
        .unwrap();
    let split = NewSplit::builder("INV-1", format!("{}/callback", refusing.uri()))
        .item(LineItem::new("Book", 1, 1_000))
        .total_from_items()
        .build()
        .unwrap();
    let created = splitable.splits().create(split).await.unwrap();
    emulator
        .splitable()
        .pay(&created.split_id, TeamPayment::rest())
        .await
        .unwrap();
    let first = emulator
        .wait_for_webhook(|d| d.event_type == "paid", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(first.status, Some(500));
    assert_eq!(
        seconds_to_next(&first),
        6,
        "the first retry follows within a minute"
    );
    emulator
        .clock()
        .advance(Duration::from_secs(21 * 86_400))
        .await
        .unwrap();
    let made = attempts(&emulator, Provider::Splitable, "paid").await;
    assert_eq!(made.len(), 25);
    assert!(made.iter().all(|d| d.status == Some(500) && !d.delivered));
    assert_eq!(made.last().unwrap().next_attempt_at, None);
}

#[tokio::test]
async fn a_provider_schedule_can_be_configured_and_ante_stops_at_a_2xx() {
    let flaky = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&flaky)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(204))
        .mount(&flaky)
        .await;
    let emulator = support::start(
        EmulatorConfig::default()
            .webhook_retry_schedule(Provider::FairShare, RetrySchedule::every(MINUTE, 5)),
    )
    .await;
    emulator
        .fairshare()
        .set_webhook(&format!("{}/fairshare", flaky.uri()))
        .await
        .unwrap();
    fairshare_client::Client::builder(seed::FAIRSHARE_API_KEY)
        .base_url(emulator.fairshare_base_url())
        .build()
        .unwrap()
        .sessions()
        .create(NewSplitSession::flexible_amount(
            Decimal::new(100, 0),
            "QAR",
        ))
        .await
        .unwrap();
    emulator
        .wait_for_webhook(
            |d| d.event_type == "split_session.created",
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    emulator.clock().advance(10 * MINUTE).await.unwrap();
    let made = attempts(&emulator, Provider::FairShare, "split_session.created").await;
    assert_eq!(
        made.iter().map(|d| d.status).collect::<Vec<_>>(),
        vec![Some(503), Some(503), Some(204)]
    );
    assert!(made[2].delivered);
}
