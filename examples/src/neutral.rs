//! One checkout flow, unchanged, against every provider (`cargo run -p examples --bin
//! neutral_checkout`): the merchant code in [`checkout`] sees only `splitkit`'s neutral API and
//! each provider's capability data. What differs per provider is outside it: building the
//! provider ([`providers`]) and, on the emulator, the shoppers paying ([`shoppers_pay`]).

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::sync::Arc;
use std::time::Duration;

use splitkit::capabilities::{Currencies, ExpiryRange};
use splitkit::{
    AnteProvider, Cart, EventKind, FairShareProvider, GroupPayment, LineItem, LinkAudience,
    NewGroupPayment, Organizer, Participant, ProviderKind, Split, SplitProvider, SplitableProvider,
    State, Support, ZeptoProvider,
};
use splitkit_common::{Currency, MinorUnits};
use splitkit_emulator::control::{AgreementTerms, Contribution, TeamPayment};
use splitkit_emulator::{RunningEmulator, seed};

use crate::tour::Stage;
use crate::tour::receiver::Receiver;
use crate::tour::step::{Context, Outcome, done, heading};

/// How many friends split the bill.
pub const FRIENDS: u32 = 3;

/// Where payers come back to.
const SHOP: &str = "https://shop.example";

/// The receiver's inbox name for `kind`'s webhooks.
fn inbox(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Ante => "ante",
        ProviderKind::FairShare => "fairshare",
        ProviderKind::Splitable => "splitable",
        _ => "zepto",
    }
}

/// The shop's cart: three concert tickets and the booking fee, in a currency the provider
/// collects.
pub fn cart(provider: &dyn SplitProvider) -> Cart {
    let currency = match provider.capabilities().currencies {
        Currencies::Only([first, ..]) => *first,
        _ => Currency::USD,
    };
    Cart::new(currency)
        .item(LineItem::new("Concert ticket", FRIENDS, 4_500).id("ticket-ga"))
        .shipping(300)
}

/// `138.00 USD`, or what is known of it.
fn money(amount: Option<MinorUnits>, currency: Option<Currency>) -> String {
    match (amount, currency) {
        (Some(a), Some(c)) => format!("{} {c}", splitkit::money::to_decimal(a, c)),
        (Some(a), None) => format!("{a} minor units"),
        _ => "an unknown amount".into(),
    }
}

/// The expiry to ask for: an hour, or the nearest the provider accepts.
fn expiry(range: ExpiryRange) -> Duration {
    Duration::from_secs(3600).clamp(range.min, range.max)
}

/// The merchant's checkout: create a group payment for `cart` under `order_id`, offering what
/// the provider can do, send the share links, then follow the webhooks until the order can be
/// fulfilled. `payers` are the provider's ids for the friends, for providers that need them.
pub async fn checkout(
    provider: &dyn SplitProvider,
    receiver: &Receiver,
    order_id: &str,
    cart: Cart,
    payers: &[Participant],
) -> Outcome<GroupPayment> {
    let caps = provider.capabilities();
    let split = match caps.equal_split {
        Some(range) if (range.min..=range.max).contains(&FRIENDS) => {
            Split::Equal { shares: FRIENDS }
        }
        _ if caps.per_item_split => Split::PerItem,
        _ => Split::Flexible,
    };
    let mut order = NewGroupPayment::new(cart, order_id, split).description("Concert night");
    if let Some(range) = caps.expiry {
        order = order.expires_in(expiry(range));
    }
    if caps.success_url {
        order = order.success_url(format!("{SHOP}/orders/{order_id}/thanks"));
    }
    if caps.cancel_url {
        order = order.cancel_url(format!("{SHOP}/cart"));
    }
    if caps.notify_url != Support::No {
        order = order.notify_url(receiver.url(inbox(provider.kind())));
    }
    if caps.organizer {
        order = order.organizer(Organizer::new().name("Alex").email("alex@example.com"));
    }
    if caps.participants != Support::No {
        order = order.participants(payers.iter().cloned());
    }
    let payment = provider
        .create(&order)
        .await
        .doing("creating the group payment")?;
    done(format!(
        "created {} ({split:?}): {} to collect, state {}",
        payment.id,
        money(payment.total, payment.currency),
        payment.state
    ));
    for link in &payment.share_links {
        match link.audience {
            LinkAudience::Everyone => {
                done(format!("share link for everyone: {}", link.url.expose()))
            }
            // It signs the organizer in: send it to their browser, never to a log.
            _ => done("the organizer's link is ready (a credential: not printed)"),
        }
    }
    if payment.share_links.is_empty() {
        done(format!(
            "{} collects from the payers' accounts directly",
            provider.kind()
        ));
    }
    Ok(payment)
}

/// The merchant's webhook handling: verify and read each delivery until the group payment is
/// funded. A provider whose events are per share (Zepto) is read back on each paid share.
pub async fn follow(
    provider: &dyn SplitProvider,
    receiver: &Receiver,
    payment: &GroupPayment,
) -> Outcome<State> {
    loop {
        let delivery = receiver.next(inbox(provider.kind())).await?;
        let event = provider
            .parse_webhook(&delivery.headers, &delivery.body)
            .doing("verifying a webhook")?;
        // Intermediate steps (`EventKind::Other`) need nothing from the merchant.
        if event.kind != EventKind::Other {
            done(format!(
                "webhook {}: {}{}",
                event.provider_type,
                event.kind,
                event
                    .state()
                    .map(|s| format!(", state {s}"))
                    .unwrap_or_default()
            ));
        }
        let ours = event.merchant_reference() == payment.merchant_reference.as_deref();
        let funded = match event.kind {
            EventKind::Funded => true,
            EventKind::SharePaid if provider.capabilities().lookup => {
                provider
                    .get(&payment.id)
                    .await
                    .doing("reading the payment")?
                    .state
                    == State::Funded
            }
            _ => false,
        };
        if ours && funded {
            return Ok(State::Funded);
        }
        if ours
            && matches!(
                event.kind,
                EventKind::Expired | EventKind::Cancelled | EventKind::Failed
            )
        {
            return Ok(event.state().unwrap_or(State::Failed));
        }
    }
}

/// Emulator only: the friends pay, as they would on the provider's pages or from their banks.
pub async fn shoppers_pay(
    emulator: &RunningEmulator,
    provider: ProviderKind,
    payment: &GroupPayment,
) -> Outcome {
    let id = &payment.id;
    match provider {
        ProviderKind::Ante => {
            emulator
                .ante()
                .pay_all(id)
                .await
                .doing("paying the Ante shares")?;
        }
        ProviderKind::FairShare => {
            for _ in 0..FRIENDS {
                emulator
                    .fairshare()
                    .contribute(id, Contribution::share())
                    .await
                    .doing("contributing to the FairShare session")?;
            }
        }
        ProviderKind::Splitable => {
            emulator
                .splitable()
                .pay(id, TeamPayment::rest())
                .await
                .doing("paying the Splitable split")?;
        }
        _ => {
            emulator
                .zepto()
                .run_processing()
                .await
                .doing("running Zepto's processing")?;
        }
    }
    done("the friends paid (the emulator's control client)");
    Ok(())
}

/// The four providers on the emulator, each with its webhook verifier, and the payers each
/// needs (Zepto collects from Contacts with accepted Agreements: they are added here).
pub async fn providers(
    emulator: &RunningEmulator,
) -> Outcome<Vec<(Arc<dyn SplitProvider>, Vec<Participant>)>> {
    let clock = emulator.clock();
    let signing = || ante_client::SigningSecret::parse(seed::ANTE_SIGNING_SECRET);
    let ante = ante_client::Client::builder(
        ante_client::SecretKey::parse(seed::ANTE_TEST_SECRET_KEY).doing("Ante key")?,
    )
    .signing_secret(signing().doing("Ante signing secret")?)
    .base_url(emulator.ante_base_url())
    .build()
    .doing("Ante client")?;
    let ante_hooks = ante_client::WebhookVerifier::new([ante_client::webhook::Key::from(
        signing().doing("Ante signing secret")?,
    )])
    .doing("Ante verifier")?
    .clock(clock.clone());

    let fairshare = fairshare_client::Client::builder(seed::FAIRSHARE_API_KEY)
        .base_url(emulator.fairshare_base_url())
        .build()
        .doing("FairShare client")?;
    let fairshare_hooks =
        fairshare_client::WebhookVerifier::new([seed::FAIRSHARE_WEBHOOK_SIGNING_KEY])
            .doing("FairShare verifier")?
            .clock(clock.clone());

    let splitable = splitable_client::Client::builder(seed::SPLITABLE_API_KEY)
        .base_url(emulator.splitable_base_url())
        .build()
        .doing("Splitable client")?;
    let splitable_hooks = splitable_client::WebhookVerifier::new([seed::SPLITABLE_API_SECRET])
        .doing("Splitable verifier")?;

    let zepto = zepto_client::Client::builder(zepto_client::Environment::custom(
        emulator.zepto_api_base_url(),
        emulator.zepto_oauth_base_url(),
    ))
    .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
    .build()
    .doing("Zepto client")?;
    let zepto_hooks = zepto_client::WebhookVerifier::new([seed::ZEPTO_WEBHOOK_SECRET])
        .doing("Zepto verifier")?
        .clock(clock);
    let mut contacts = Vec::new();
    for (i, name) in ["Ana", "Ben", "Cy"].into_iter().enumerate() {
        let contact = zepto
            .contacts()
            .create(
                zepto_client::contacts::NewContact::new()
                    .name(name)
                    .email(format!("{}@example.com", name.to_lowercase()))
                    .branch_code("062000")
                    .account_number(format!("1000000{i}")),
            )
            .await
            .doing("adding a Zepto contact")?;
        // The Contact accepts the Agreement Zepto's invitation offers (no API call does this).
        emulator
            .zepto()
            .accept_agreement(&contact.id, AgreementTerms::unlimited())
            .await
            .doing("the Zepto contact accepting an Agreement")?;
        contacts.push(Participant::new(contact.id).name(name));
    }

    Ok(vec![
        (
            Arc::new(AnteProvider::new(ante).webhooks(ante_hooks)),
            Vec::new(),
        ),
        (
            Arc::new(FairShareProvider::new(fairshare).webhooks(fairshare_hooks)),
            Vec::new(),
        ),
        (
            Arc::new(SplitableProvider::new(splitable).webhooks(splitable_hooks)),
            Vec::new(),
        ),
        (
            Arc::new(ZeptoProvider::new(zepto).webhooks(zepto_hooks)),
            contacts,
        ),
    ])
}

/// Runs the checkout against every provider on an in-process emulator; `true` when each was
/// funded and read back as such where the provider can be read.
pub async fn run() -> bool {
    let stage = match Stage::start().await {
        Ok(stage) => stage,
        Err(e) => {
            println!("{e}");
            return false;
        }
    };
    let providers = match providers(&stage.emulator).await {
        Ok(p) => p,
        Err(e) => {
            println!("{e}");
            return false;
        }
    };
    let mut all_ok = true;
    for (n, (provider, payers)) in providers.iter().enumerate() {
        let kind = provider.kind();
        heading(&format!("{kind}: three friends split a concert bill"));
        let order_id = format!("ORD-{}", 1000 + n);
        let result = async {
            let payment = checkout(
                provider.as_ref(),
                &stage.receiver,
                &order_id,
                cart(provider.as_ref()),
                payers,
            )
            .await?;
            shoppers_pay(&stage.emulator, kind, &payment).await?;
            let state = follow(provider.as_ref(), &stage.receiver, &payment).await?;
            if state != State::Funded {
                return Err(format!("the payment ended {state}"));
            }
            if provider.capabilities().lookup {
                let read = provider
                    .get(&payment.id)
                    .await
                    .doing("reading the payment")?;
                done(format!(
                    "read back: {} ({}), {} of {} collected",
                    read.state,
                    read.provider_state,
                    money(read.collected, read.currency.or(payment.currency)),
                    money(read.total, read.currency.or(payment.currency)),
                ));
                if read.state != State::Funded {
                    return Err(format!("read back as {}", read.state));
                }
            }
            done(format!("{order_id} is paid: fulfil it"));
            Ok(())
        }
        .await;
        if let Err(e) = result {
            all_ok = false;
            println!("{kind}: FAILED: {e}");
        }
    }
    stage.emulator.shutdown().await;
    all_ok
}
