//! FairShare: a webhook receiver that verifies each delivery and de-duplicates events.
//!
//! ```sh
//! # against FairShare (keeps listening):
//! FAIRSHARE_WEBHOOK_SIGNING_KEY=... cargo run -p examples --bin fairshare_webhook_receiver
//! # against the local emulator (no account; exits once the split completes):
//! cargo run -p examples --bin fairshare_webhook_receiver
//! ```
//!
//! Environment:
//!
//! - `FAIRSHARE_WEBHOOK_SIGNING_KEY`: the signing key of the webhook, shown in the FairShare
//!   dashboard when the webhook is created (sandbox and live webhooks have their own).
//! - `FAIRSHARE_WEBHOOK_ADDR` (optional): where to listen, default `127.0.0.1:8787`. FairShare
//!   needs a public HTTPS URL: put a TLS-terminating proxy or tunnel in front of this.
//!
//! Without `FAIRSHARE_WEBHOOK_SIGNING_KEY`, the example runs against the splitkit emulator,
//! started in-process on 127.0.0.1 with its FairShare webhooks pointed at this receiver (on a
//! free port of 127.0.0.1; `FAIRSHARE_WEBHOOK_ADDR` is not used) and signed with the
//! emulator's seed signing key. It creates a split of 80.00 QAR between two people and has both
//! pay through the emulator's control client, prints every signed delivery as it arrives, and
//! exits 0 once `split_session.completed` is handled (and the deliveries sent with it), or 1 if
//! it has not arrived within 15 seconds.
//!
//! It is the SDK's ready axum handler (`WebhookInbox::into_handler`, feature `axum`), which
//! reads at most 1 MiB of body, verifies, skips event ids already handled, calls the handler
//! below and answers FairShare:
//!
//! - `200` once an event is verified and handled (here printed; in production recorded or
//!   queued, with slow work done afterwards), and for an event id already handled;
//! - `401` when verification fails (bad signature, stale timestamp, malformed headers): not
//!   acted on;
//! - `500` when the handler fails, `503` while another instance handles the same event: both
//!   make FairShare retry;
//! - `413` for a body over the limit. A verified body the SDK cannot type is handled too.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::convert::Infallible;
use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

use examples::receiving::{observed, router, serve};
use fairshare_client::webhook::Payload;
use fairshare_client::{
    Client, Decimal, EventData, NewSplitSession, WebhookEvent, WebhookEventType, WebhookInbox,
    WebhookVerifier,
};
use splitkit_emulator::control::Contribution;
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// With the emulator: how long to wait for the split to complete.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);

fn describe(event: &WebhookEvent) -> String {
    let body = match &event.payload {
        Payload::Typed(body) => body,
        Payload::Unrecognised(raw) => {
            return format!("kept a body the SDK cannot read: {}", raw.error());
        }
    };
    let what = match &body.data {
        EventData::SplitSession(session) => format!(
            "session {} is {} ({} of {} {} collected)",
            session.id, session.status, session.collected, session.total, session.currency
        ),
        EventData::Contribution(contribution) => format!("contribution {}", contribution.json()),
        EventData::Raw(object) => format!("object {}", object.json()),
        _ => "an event this example does not describe".to_owned(),
    };
    format!("{} created {}: {what}", body.event_type, body.created)
}

/// The receiver: the SDK's handler around printing each event (record it in production).
/// The type of every handled event also goes to `recorded` (the emulator run waits on it).
fn app(
    verifier: WebhookVerifier,
    recorded: Option<mpsc::UnboundedSender<WebhookEventType>>,
) -> axum::Router {
    let handler = WebhookInbox::new(verifier).into_handler(move |event: WebhookEvent| {
        let recorded = recorded.clone();
        async move {
            println!("event {}: {}", event.id, describe(&event));
            if let (Some(recorded), Payload::Typed(body)) = (&recorded, &event.payload) {
                let _ = recorded.send(body.event_type.clone());
            }
            Ok::<_, Infallible>(())
        }
    });
    router(observed(handler, |_| {}))
}

fn failed(what: &str, err: impl Display) -> ExitCode {
    println!("{what}: {err}");
    ExitCode::FAILURE
}

/// Starts the emulator with its FairShare webhooks aimed at this receiver, has a split paid,
/// and waits for `split_session.completed`.
async fn against_emulator() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => return failed("cannot listen on 127.0.0.1", e),
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/fairshare/webhooks"),
        Err(e) => return failed("cannot read the listening address", e),
    };
    let config = EmulatorConfig::default().fairshare_webhook_url(&url);
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(e) => return failed("cannot start the emulator", e),
    };
    println!(
        "emulator listening at {}, sending FairShare webhooks to {url}",
        emulator.base_url()
    );
    match emulator_flow(&emulator, listener).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

async fn emulator_flow(emulator: &RunningEmulator, listener: TcpListener) -> Result<(), ExitCode> {
    // The emulator signs with its seed key, as FairShare signs with your webhook's key.
    let verifier = WebhookVerifier::new([seed::FAIRSHARE_WEBHOOK_SIGNING_KEY])
        .map_err(|e| failed("configuration error", e))?;
    let (recorded, mut recorded_rx) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, app(verifier, Some(recorded))));

    // Something to be notified about: a split of 80.00 QAR between two people ...
    let client = Client::builder(seed::FAIRSHARE_API_KEY)
        .base_url(emulator.fairshare_base_url())
        .build()
        .map_err(|e| failed("configuration error", e))?;
    let order = NewSplitSession::split_evenly(Decimal::new(8_000, 2), "QAR", 2).meta("order-77");
    let session = client
        .sessions()
        .create(order)
        .await
        .map_err(|e| failed("creating the split session", e))?;
    println!(
        "created split session {} (80.00 QAR, 2 contributors)",
        session.id
    );
    // ... who pay through the link: here, the emulator's control client.
    println!(
        "emulator: Ana and Ben each pay 40.00 QAR (emulator.fairshare().contribute); waiting for the webhooks ..."
    );
    for (name, email) in [("Ana", "ana@example.com"), ("Ben", "ben@example.com")] {
        emulator
            .fairshare()
            .contribute(&session.id, Contribution::share().name(name).email(email))
            .await
            .map_err(|e| failed("the contribution failed", e))?;
    }

    // Wait for the completion, then for the deliveries sent with it (they come in order).
    let deadline = Instant::now() + EMULATOR_WAIT;
    let mut completed = false;
    loop {
        let until = if completed {
            deadline.min(Instant::now() + Duration::from_millis(500))
        } else {
            deadline
        };
        match tokio::time::timeout_at(until, recorded_rx.recv()).await {
            Ok(Some(WebhookEventType::SplitSessionCompleted)) => completed = true,
            Ok(Some(_)) => {}
            Ok(None) | Err(_) if completed => break,
            Ok(None) | Err(_) => {
                println!(
                    "gave up: no verified split_session.completed within {} s",
                    EMULATOR_WAIT.as_secs()
                );
                return Err(ExitCode::FAILURE);
            }
        }
    }
    println!("the split completed and every delivery was verified and recorded: done");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(key) = std::env::var("FAIRSHARE_WEBHOOK_SIGNING_KEY") else {
        println!("FAIRSHARE_WEBHOOK_SIGNING_KEY not set: running against the local emulator");
        return against_emulator().await;
    };
    let verifier = match WebhookVerifier::new([key]) {
        Ok(verifier) => verifier,
        Err(e) => {
            println!("{e}");
            return ExitCode::from(2);
        }
    };
    let addr = std::env::var("FAIRSHARE_WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:8787".into());
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            println!("cannot listen on {addr}: {e}");
            return ExitCode::from(2);
        }
    };
    println!("listening for FairShare webhooks on http://{addr}/ (Ctrl-C to stop)");
    serve(listener, app(verifier, None)).await;
    ExitCode::SUCCESS
}
