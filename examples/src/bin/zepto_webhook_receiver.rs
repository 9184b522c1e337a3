//! Receive Zepto webhooks: verify each delivery's `Split-Signature` over the raw body, skip
//! events already handled (by `Split-Request-ID`, and replays of a signed body under another
//! id), print the event, answer.
//!
//! ```sh
//! # against Zepto (keeps listening):
//! ZEPTO_WEBHOOK_SECRET=… cargo run -p examples --bin zepto_webhook_receiver
//! # against the local emulator (no account; exits once the payment has cleared):
//! cargo run -p examples --bin zepto_webhook_receiver
//! ```
//!
//! Environment:
//! - `ZEPTO_WEBHOOK_SECRET`: the endpoint's signing secret, shown in Zepto's webhook settings
//!   (or as `signature_secret` by `GET /webhooks`).
//! - `ZEPTO_WEBHOOK_ADDR` (optional): where to listen, default `127.0.0.1:8788`. The sandbox
//!   delivers to HTTP or HTTPS URLs; production only to HTTPS, so put a reverse proxy in front.
//!
//! Without `ZEPTO_WEBHOOK_SECRET`, the example runs against the splitkit emulator, started
//! in-process on 127.0.0.1 with a Zepto webhook endpoint pointing at this receiver (on a free
//! port of 127.0.0.1; `ZEPTO_WEBHOOK_ADDR` is not used), signed with the emulator's seed
//! secret. It pays a Contact 1,250.00 AUD with the SDK, runs Zepto's processing cycle through
//! the emulator's control client, and prints every signed delivery. Once the Contact's credit
//! has cleared it asks Zepto to resend that delivery (`client.webhooks().redeliver`), to
//! show the repeat being recognised, and exits 0; or 1 if the events have not arrived within
//! 15 seconds.
//!
//! It is the SDK's ready axum handler (`WebhookInbox::into_handler`, feature `axum`): it reads
//! at most 1 MiB of body, verifies, skips events already handled, calls the handler below
//! and answers as Zepto needs. Zepto counts any HTTP answer as delivered and retries only
//! deliveries that got no answer (every 5 minutes for an hour), so the handler must persist or
//! queue the event before it returns: here it prints it; in production, write
//! `(event.id, event.body)` to your database and return `Err` when that fails. Answers: `200`
//! for a handled event or a repeat, `401` for a delivery that fails verification, `413` for
//! a body over the limit, `500` when the handler failed (Zepto will not retry: resend from its
//! delivery log). A verified delivery the SDK cannot type is handled (and printed) too. The
//! in-memory de-duplication suits one instance; several need a shared `DeliveryStore`.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::convert::Infallible;
use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

use examples::receiving::{observed, router, serve};
use splitkit_common::webhook::Outcome;
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use zepto_client::contacts::NewContact;
use zepto_client::models::PaymentChannel;
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::webhook::{EventData, Payload, WebhookEvent, WebhookInbox, WebhookVerifier};
use zepto_client::{Client, Environment, Timestamp};

/// With the emulator: how long to wait for the events.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);
/// With the emulator: the event that ends the run (the Contact was paid).
const CONTACT_PAID: &str = "debtor_credit.cleared";

/// A verified delivery, as the emulator run hears of it: its event type (empty for a repeat),
/// and whether it was new (`false` for a repeat of a request id already handled).
type Handled = (String, bool);

fn describe(data: &EventData) -> Vec<String> {
    match data {
        EventData::Transactions(items) => items
            .iter()
            .map(|t| {
                let failure = t
                    .failure_reason
                    .as_ref()
                    .map(|r| format!(", failure {r}"))
                    .unwrap_or_default();
                format!(
                    "{} {} of {} cents, parent {}, {}{failure}",
                    t.type_,
                    t.ref_,
                    t.amount,
                    t.parent_ref.as_deref().unwrap_or("-"),
                    t.status
                )
            })
            .collect(),
        EventData::Payments(items) => items
            .iter()
            .map(|p| format!("payment {} with {} payout(s)", p.ref_, p.payouts.len()))
            .collect(),
        EventData::PaymentRequests(items) => items
            .iter()
            .map(|r| format!("payment request {} {}", r.ref_, r.status))
            .collect(),
        EventData::Agreements(items) => items
            .iter()
            .map(|a| format!("agreement {} {}", a.ref_, a.status))
            .collect(),
        EventData::Contacts(items) => items
            .iter()
            .map(|c| format!("contact {} ({})", c.id, c.type_))
            .collect(),
        EventData::OpenAgreements(items) => items
            .iter()
            .map(|a| format!("open agreement {} {}", a.ref_, a.status))
            .collect(),
        EventData::UnassignedAgreements(items) => items
            .iter()
            .map(|a| format!("unassigned agreement {} {}", a.ref_, a.status))
            .collect(),
        EventData::Unknown(raw) => raw
            .iter()
            .map(|item| format!("raw item: {}", item.get()))
            .collect(),
        _ => vec!["(a kind of data this example does not print)".to_owned()],
    }
}

/// Prints one verified event; in production, persist it here instead (and return `Err` when
/// that fails).
fn print_event(event: &WebhookEvent) {
    match &event.payload {
        Payload::Typed(body) => {
            println!(
                "{} {} at {} for account {} ({} item(s))",
                event.id,
                body.event_type,
                body.at,
                body.who.account_id,
                body.data.len()
            );
            // `data` may hold several items: handle every one.
            for line in describe(&body.data) {
                println!("  {line}");
            }
            for item in &body.unreadable {
                println!("  kept an item the SDK cannot read: {item}");
            }
        }
        Payload::Unrecognised(raw) => {
            println!(
                "{} kept a delivery the SDK cannot read: {}",
                event.id,
                raw.error()
            );
        }
    }
}

/// The receiver: the SDK's handler around [`print_event`]. Every handled delivery is also
/// reported to `handled` (the emulator run waits on it; with Zepto no one listens).
fn app(verifier: WebhookVerifier, handled: Option<mpsc::UnboundedSender<Handled>>) -> axum::Router {
    let report = handled.clone();
    let handler = WebhookInbox::new(verifier).into_handler(move |event: WebhookEvent| {
        let handled = handled.clone();
        async move {
            print_event(&event);
            if let (Some(handled), Payload::Typed(body)) = (&handled, &event.payload) {
                let _ = handled.send((body.event_type.as_str().to_owned(), true));
            }
            Ok::<_, Infallible>(())
        }
    });
    router(observed(handler, move |outcome: &Outcome| {
        if let (Some(report), Outcome::Duplicate { .. }) = (&report, outcome) {
            let _ = report.send((String::new(), false));
        }
    }))
}

fn failed(what: &str, err: impl Display) -> ExitCode {
    println!("{what}: {err}");
    ExitCode::FAILURE
}

/// Starts the emulator with a Zepto webhook endpoint aimed at this receiver, pays a Contact,
/// runs the processing cycle, and waits for the Contact's credit to clear.
async fn against_emulator() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(err) => return failed("cannot listen on 127.0.0.1", err),
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/zepto/webhooks"),
        Err(err) => return failed("cannot read the listening address", err),
    };
    let config = EmulatorConfig::default().zepto_webhook_url(&url);
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(err) => return failed("cannot start the emulator", err),
    };
    println!(
        "emulator listening at {}, sending Zepto webhooks to {url}",
        emulator.base_url()
    );
    match emulator_flow(&emulator, listener, &url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

async fn emulator_flow(
    emulator: &RunningEmulator,
    listener: TcpListener,
    url: &str,
) -> Result<(), ExitCode> {
    // The emulator signs with its seed secret, as Zepto signs with your endpoint's.
    let verifier = WebhookVerifier::new([seed::ZEPTO_WEBHOOK_SECRET])
        .map_err(|e| failed("configuration error", e))?;
    let (handled_tx, mut handled_rx) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, app(verifier, Some(handled_tx))));

    // Something to be notified about: a payment to a supplier ...
    let client = Client::builder(Environment::custom(
        emulator.zepto_api_base_url(),
        emulator.zepto_oauth_base_url(),
    ))
    .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
    .build()
    .map_err(|e| failed("configuration error", e))?;
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
        .map_err(|e| failed("adding the Contact", e))?;
    let payment = client
        .payments()
        .create(
            NewPayment::new("Invoice 1042", Timestamp::now())
                .channels([PaymentChannel::DirectEntry])
                .payout(Payout::new(&contact.id, 125_000, "Inv 1042")),
        )
        .await
        .map_err(|e| failed("making the payment", e))?;
    println!(
        "paid {} 1,250.00 AUD: payment {}",
        contact.name, payment.ref_
    );
    // ... whose debit and credit the banks move over the next days: here, at once.
    println!(
        "emulator: running Zepto's processing cycle (emulator.zepto().run_processing()); waiting for the webhooks ..."
    );
    emulator
        .zepto()
        .run_processing()
        .await
        .map_err(|e| failed("the processing cycle failed", e))?;
    let deadline = tokio::time::Instant::now() + EMULATOR_WAIT;
    wait_for(&mut handled_rx, deadline, |(t, new)| {
        *new && t == CONTACT_PAID
    })
    .await?;

    // Zepto's "resend" (web app or API) delivers the same request id again: it must be skipped.
    let endpoint = client
        .webhooks()
        .list()
        .send()
        .await
        .map_err(|e| failed("listing the webhook endpoints", e))?
        .items
        .into_iter()
        .find(|w| w.url == url)
        .ok_or_else(|| failed("listing the webhook endpoints", "ours is not there"))?;
    let deliveries = client
        .webhooks()
        .deliveries(&endpoint.id)
        .send()
        .await
        .map_err(|e| failed("listing the deliveries", e))?;
    let last = deliveries
        .items
        .into_iter()
        .find(|d| {
            d.event_type
                .as_ref()
                .is_some_and(|t| t.as_str() == CONTACT_PAID)
        })
        .ok_or_else(|| failed("listing the deliveries", "the credit's delivery is missing"))?;
    println!(
        "asking Zepto to resend delivery {} ({CONTACT_PAID})",
        last.id
    );
    client
        .webhooks()
        .redeliver(&last.id)
        .await
        .map_err(|e| failed("resending the delivery", e))?;
    wait_for(&mut handled_rx, deadline, |(_, new)| !*new).await?;
    println!("every delivery was verified, the repeat recognised: done");
    Ok(())
}

/// Waits until the receiver reports a delivery that `wanted` accepts, until `deadline`.
async fn wait_for(
    handled: &mut mpsc::UnboundedReceiver<Handled>,
    deadline: tokio::time::Instant,
    wanted: impl Fn(&Handled) -> bool,
) -> Result<(), ExitCode> {
    loop {
        match tokio::time::timeout_at(deadline, handled.recv()).await {
            Ok(Some(delivery)) if wanted(&delivery) => return Ok(()),
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                println!(
                    "gave up: the expected deliveries did not arrive within {} s",
                    EMULATOR_WAIT.as_secs()
                );
                return Err(ExitCode::FAILURE);
            }
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(secret) = std::env::var("ZEPTO_WEBHOOK_SECRET") else {
        println!("ZEPTO_WEBHOOK_SECRET not set: running against the local emulator");
        return against_emulator().await;
    };
    // An empty secret is refused here: it would accept deliveries anyone can sign.
    let verifier = match WebhookVerifier::new([secret]) {
        Ok(verifier) => verifier,
        Err(err) => {
            println!("ZEPTO_WEBHOOK_SECRET: {err}");
            return ExitCode::from(2);
        }
    };
    let addr = std::env::var("ZEPTO_WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:8788".to_owned());
    let listener = match TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(err) => {
            println!("cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{addr}/ for Zepto webhooks");
    serve(listener, app(verifier, None)).await;
    ExitCode::SUCCESS
}
