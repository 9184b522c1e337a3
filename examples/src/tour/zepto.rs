//! Zepto: an account is connected through OAuth, a contact is paid, the processing cycle runs,
//! and transaction events arrive signed; a payment made with a sandbox failure amount fails.

use std::sync::Arc;

use futures_util::TryStreamExt;
use splitkit_emulator::{RunningEmulator, seed};
use zepto_client::contacts::NewContact;
use zepto_client::models::{PaymentChannel, TransactionFailureReason};
use zepto_client::oauth::{OAuthApp, Scope};
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::sandbox::{self, Leg};
use zepto_client::webhook::{EventData, WebhookVerifier};
use zepto_client::{Client, Environment, MemoryTokenStore, Timestamp};

use crate::tour::receiver::Receiver;
use crate::tour::step::{Context, Outcome, check, done, heading};

/// Where the (emulated) user is sent back after approving; nothing needs to listen there, the
/// tour reads the redirect itself.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/zepto/callback";

/// Runs this provider's flow of the tour against `emulator`, with webhooks arriving at `receiver`.
pub async fn run(emulator: &RunningEmulator, receiver: &Receiver) -> Outcome {
    heading("Zepto: connect an account, pay a supplier, follow the money");
    let environment = Environment::custom(
        emulator.zepto_api_base_url(),
        emulator.zepto_oauth_base_url(),
    );
    let app = OAuthApp::new(
        &environment,
        seed::ZEPTO_CLIENT_ID,
        seed::ZEPTO_CLIENT_SECRET,
        REDIRECT_URI,
    )
    .doing("OAuth application")?;

    let authorization = app
        .authorization_url()
        .scopes([Scope::Contacts, Scope::Payments, Scope::Transactions])
        .build()
        .doing("authorization URL")?;
    let redirected = approve(authorization.url.as_str()).await?;
    let code = authorization
        .code_from_redirect(&redirected)
        .doing("reading the redirect")?;
    let tokens = app
        .exchange_code(&code)
        .await
        .doing("exchanging the code")?;
    done(format!(
        "connected the account: the user approved, the state matched, and the code became tokens (access token {})",
        tokens.access_token
    ));
    let client = Client::builder(environment)
        .oauth(app, Arc::new(MemoryTokenStore::with_tokens(tokens)))
        .build()
        .doing("building the client")?;

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
        .doing("adding a contact")?;
    done(format!("added contact {} ({})", contact.name, contact.id));

    let now = Timestamp::from_system_time(splitkit_common::Clock::now(&*emulator.clock()));
    let payment = client
        .payments()
        .create(
            NewPayment::new("Invoice 1042", now)
                .channels([PaymentChannel::DirectEntry])
                .payout(Payout::new(&contact.id, 125_000, "Inv 1042")),
        )
        .await
        .doing("paying the contact")?;
    done(format!(
        "made payment {} of 1,250.00 AUD (an idempotency key went with it)",
        payment.ref_
    ));

    let trigger =
        sandbox::direct_entry_trigger(TransactionFailureReason::InsufficientFunds, Leg::Debit)
            .ok_or("the sandbox table has an insufficient-funds trigger")?;
    let failing = client
        .payments()
        .create(
            NewPayment::new("Will bounce", now)
                .channels([PaymentChannel::DirectEntry])
                .payout(Payout::new(&contact.id, trigger.amount, "Bounce")),
        )
        .await
        .doing("making the failing payment")?;
    done(format!(
        "made payment {} of {} cents, the sandbox amount that fails the debit with insufficient_funds",
        failing.ref_, trigger.amount
    ));

    emulator
        .zepto()
        .run_processing()
        .await
        .doing("running the processing cycle")?;
    done("ran the sandbox processing cycle (emulator control client)");

    let verifier = WebhookVerifier::new([seed::ZEPTO_WEBHOOK_SECRET])
        .doing("webhook verifier")?
        .clock(emulator.clock());
    let (mut credited, mut bounced) = (false, false);
    while !(credited && bounced) {
        let delivery = receiver.next("zepto").await?;
        let verified = verifier
            .verify(&delivery.headers, &delivery.body)
            .doing("verifying a Zepto webhook")?;
        let event = verified
            .typed()
            .ok_or("a verified Zepto webhook the SDK cannot read")
            .doing("decoding a Zepto webhook")?;
        let EventData::Transactions(transactions) = &event.data else {
            done(format!("verified webhook {}", event.event_type));
            continue;
        };
        for t in transactions {
            let kind = event.event_type.as_str();
            if kind.ends_with("credit.cleared") && t.amount == 125_000 {
                credited = true;
                done(format!(
                    "verified {kind}: 1,250.00 AUD reached {}",
                    t.party_name
                ));
            } else if kind.starts_with("debit.")
                && t.amount == trigger.amount
                && t.failure_reason == Some(TransactionFailureReason::InsufficientFunds)
            {
                bounced = true;
                done(format!(
                    "verified {kind}: the 11-cent debit failed with insufficient_funds"
                ));
            }
        }
    }
    check(
        credited && bounced,
        "the payout cleared and the bounced debit failed with insufficient_funds",
    )?;

    let payments: Vec<_> = client
        .payments()
        .list()
        .per_page(1)
        .stream()
        .try_collect()
        .await
        .doing("listing payments")?;
    check(
        payments.len() == 2,
        "both payments come back through Link-header pages of one",
    )
}

/// Plays the user approving the app: follows the authorization URL and returns where the
/// emulator redirects to (with the one-time code).
pub async fn approve(authorization_url: &str) -> Outcome<url::Url> {
    let http = splitkit_common::tls::http_client_builder()
        .doing("HTTP client")?
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .doing("HTTP client")?;
    let response = http
        .get(authorization_url)
        .send()
        .await
        .doing("opening the authorization URL")?;
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            format!(
                "the authorization page answered {} without a redirect",
                response.status()
            )
        })?;
    url::Url::parse(location).doing("the redirect")
}
