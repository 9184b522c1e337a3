//! Ante: a signed group session is paid share by share, and `group.funded` arrives signed.

use ante_client::webhook::Key;
use ante_client::{
    Cart, CartItem, Client, CreateSession, Customer, EventData, GroupConfig, GroupMode, MerchantId,
    SecretKey, SigningSecret, WebhookEventType, WebhookVerifier,
};
use splitkit_emulator::{RunningEmulator, seed};

use crate::tour::receiver::Receiver;
use crate::tour::step::{Context, Outcome, check, done, heading};

/// Runs this provider's flow of the tour against `emulator`, with webhooks arriving at `receiver`.
pub async fn run(emulator: &RunningEmulator, receiver: &Receiver) -> Outcome {
    heading("Ante: a group pays for a signed cart");
    let client = Client::builder(SecretKey::parse(seed::ANTE_TEST_SECRET_KEY).doing("secret key")?)
        .signing_secret(SigningSecret::parse(seed::ANTE_SIGNING_SECRET).doing("signing secret")?)
        .merchant_id(MerchantId::parse(seed::ANTE_MERCHANT_ID).doing("merchant id")?)
        .base_url(emulator.ante_base_url())
        .build()
        .doing("building the client")?;

    let endpoint = client
        .webhooks()
        .create(
            &receiver.url("ante"),
            [
                WebhookEventType::GroupCreated,
                WebhookEventType::GroupFunded,
            ],
        )
        .await
        .doing("registering a webhook endpoint")?;
    done(format!(
        "registered a webhook endpoint; its one-time secret is kept as {:?}",
        endpoint.secret
    ));

    let cart = Cart::builder("USD")
        .item(CartItem::new("Concert ticket", 4, 5_000).id("ticket-ga"))
        .tax(1_200)
        .order_ref("ORD-TOUR-1")
        .total(21_200)
        .build()
        .doing("building the cart")?;
    let session = client
        .sessions()
        .create(
            CreateSession::new(cart)
                .customer(Customer::new().name("Alex").email("alex@example.com"))
                .group(
                    GroupConfig::new()
                        .sizes(2, 4)
                        .default_mode(GroupMode::Equal),
                ),
        )
        .await
        .doing("creating the signed session")?;
    done(format!(
        "created session {} for a signed cart of 212.00 USD (status {}); the share URL is a credential: {}",
        session.session_id, session.status, session.session_url
    ));

    emulator
        .ante()
        .pay_all(&session.session_id)
        .await
        .doing("the group paying")?;
    done("every member paid their share (emulator control client)");

    let verifier = WebhookVerifier::new([
        Key::from(endpoint.secret),
        Key::from(SigningSecret::parse(seed::ANTE_SIGNING_SECRET).doing("signing secret")?),
    ])
    .doing("webhook verifier")?
    .clock(emulator.clock());
    loop {
        let delivery = receiver.next("ante").await?;
        let verified = verifier
            .verify(&delivery.headers, &delivery.body)
            .doing("verifying an Ante webhook")?;
        let event = verified
            .typed()
            .ok_or("a verified Ante webhook the SDK cannot read")
            .doing("decoding an Ante webhook")?;
        done(format!(
            "verified webhook {} ({})",
            verified.id, event.event_type
        ));
        if let EventData::GroupFunded(funded) = &event.data {
            check(
                funded.order_ref.as_deref() == Some("ORD-TOUR-1"),
                "group.funded names our order_ref, so the order can be fulfilled",
            )?;
            let mut forged = delivery.body.to_vec();
            forged.extend_from_slice(b" ");
            return check(
                verifier.verify(&delivery.headers, &forged).is_err(),
                "a copy with one byte added is rejected",
            );
        }
    }
}
