//! FairShare: an even split is created idempotently, contributors pay, and the completion event
//! arrives signed.

use fairshare_client::{
    Client, Decimal, EventData, IdempotencyKey, NewSplitSession, SplitSessionStatus,
    WebhookEventType, WebhookVerifier,
};
use splitkit_emulator::control::Contribution;
use splitkit_emulator::{RunningEmulator, seed};

use crate::tour::receiver::Receiver;
use crate::tour::step::{Context, Outcome, check, done, heading};

/// Runs this provider's flow of the tour against `emulator`, with webhooks arriving at `receiver`.
pub async fn run(emulator: &RunningEmulator, receiver: &Receiver) -> Outcome {
    heading("FairShare: three friends split a 120.00 QAR bill evenly");
    let client = Client::builder(seed::FAIRSHARE_API_KEY)
        .base_url(emulator.fairshare_base_url())
        .build()
        .doing("building the client")?;

    let order = NewSplitSession::split_evenly(Decimal::new(12_000, 2), "QAR", 3)
        .idempotency_key(IdempotencyKey::derive("fairshare.session", "tour-order-42"));
    let session = client
        .sessions()
        .create(order.clone())
        .await
        .doing("creating the split")?;
    done(format!(
        "created split {} ({}); contributors pay at {}",
        session.id, session.status, session.split_session_link
    ));
    let replay = client
        .sessions()
        .create(order)
        .await
        .doing("replaying the create")?;
    check(
        replay.id == session.id,
        "the same create sent again with its idempotency key returns the same split, not a second one",
    )?;

    for (name, email) in [
        ("Ana", "ana@example.com"),
        ("Ben", "ben@example.com"),
        ("Cy", "cy@example.com"),
    ] {
        emulator
            .fairshare()
            .contribute(&session.id, Contribution::share().name(name).email(email))
            .await
            .doing("a contributor paying")?;
    }
    done("three contributors paid 40.00 QAR each (emulator control client)");

    let verifier = WebhookVerifier::new([seed::FAIRSHARE_WEBHOOK_SIGNING_KEY])
        .doing("webhook verifier")?
        .clock(emulator.clock());
    loop {
        let delivery = receiver.next("fairshare").await?;
        let verified = verifier
            .verify(&delivery.headers, &delivery.body)
            .doing("verifying a FairShare webhook")?;
        let event = verified
            .typed()
            .ok_or("a verified FairShare webhook the SDK cannot read")
            .doing("decoding a FairShare webhook")?;
        done(format!(
            "verified webhook {} ({})",
            verified.id, event.event_type
        ));
        if event.event_type == WebhookEventType::SplitSessionCompleted {
            let completed = matches!(&event.data, EventData::SplitSession(s) if s.id == session.id);
            check(completed, "split_session.completed carries our split")?;
            break;
        }
    }
    let now = client
        .sessions()
        .get(&session.id)
        .await
        .doing("reading the split")?;
    check(
        now.status == SplitSessionStatus::Completed && now.collected == now.total,
        format!(
            "the split is COMPLETED with {} of {} QAR collected, exactly",
            now.collected, now.total
        ),
    )
}
