//! Splitable: a split is created from a cart, the team pays, and the callback is authenticated.

use splitable_client::{Client, LineItem, NewSplit, PaymentStatus, WebhookVerifier};
use splitkit_emulator::control::TeamPayment;
use splitkit_emulator::{RunningEmulator, seed};

use crate::tour::receiver::Receiver;
use crate::tour::step::{Context, Outcome, check, done, heading};

/// Runs this provider's flow of the tour against `emulator`, with webhooks arriving at `receiver`.
pub async fn run(emulator: &RunningEmulator, receiver: &Receiver) -> Outcome {
    heading("Splitable: a team splits a pizza order");
    let client = Client::builder(seed::SPLITABLE_API_KEY)
        .base_url(emulator.splitable_base_url())
        .build()
        .doing("building the client")?;

    let split = NewSplit::builder("INV-TOUR-7", receiver.url("splitable"))
        .item(LineItem::new("Large pizza", 2, 1_850))
        .item(LineItem::new("Lemonade", 4, 350))
        .total_from_items()
        .build()
        .doing("building the split")?;
    let created = client
        .splits()
        .create(split)
        .await
        .doing("creating the split")?;
    done(format!(
        "created split {}; the team pays at {}",
        created.split_id, created.split_url
    ));

    emulator
        .splitable()
        .pay(
            &created.split_id,
            TeamPayment::rest().name("Dana").email("dana@example.com"),
        )
        .await
        .doing("the team paying")?;
    done("the team paid 51.00 in full (emulator control client)");

    let delivery = receiver.next("splitable").await?;
    let verifier = WebhookVerifier::new([seed::SPLITABLE_API_SECRET]).doing("callback verifier")?;
    let verified = verifier
        .verify(&delivery.headers, &delivery.body)
        .doing("verifying the callback")?;
    let callback = verified
        .typed()
        .ok_or("a verified callback the SDK cannot read")
        .doing("decoding the callback")?;
    done(format!(
        "verified the callback for invoice {} (transaction {})",
        callback.invoice, callback.transaction_id
    ));
    check(
        callback.payment_status == PaymentStatus::Paid && callback.invoice == "INV-TOUR-7",
        "the callback says our invoice is paid",
    )?;
    let forged =
        String::from_utf8_lossy(&delivery.body).replace(seed::SPLITABLE_API_SECRET, "guessed");
    check(
        verifier
            .verify(&delivery.headers, forged.as_bytes())
            .is_err(),
        "a callback with a guessed api_secret is rejected",
    )?;

    let members = client
        .splits()
        .paid_members(&created.split_id)
        .await
        .doing("listing paid members")?;
    check(
        members.is_complete() && members.items.iter().any(|m| m.email == "dana@example.com"),
        format!(
            "paid members lists the payer ({} in all)",
            members.items.len()
        ),
    )
}
