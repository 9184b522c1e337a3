//! Receives split(able) callbacks: verifies the `api_secret`, records each transaction once,
//! and answers exactly `200`.
//!
//! ```text
//! # against split(able) (keeps listening):
//! SPLITABLE_API_SECRET=82746e2d66cb8993 cargo run -p examples --bin splitable_callback_receiver
//!
//! # in another shell, the documentation's example callback:
//! curl http://127.0.0.1:8080/splitable/callback \
//!      -d invoice=3789273937239273 -d payment_status=paid \
//!      -d api_secret=82746e2d66cb8993 -d transaction_id=852973493383974
//!
//! # against the local emulator (no account; exits after two callbacks):
//! cargo run -p examples --bin splitable_callback_receiver
//! ```
//!
//! Environment:
//! - `SPLITABLE_API_SECRET`: the `api_secret` from the company settings page (or the per-split
//!   secret you send when creating splits).
//! - `SPLITABLE_LISTEN_ADDR` (optional): where to listen; default `127.0.0.1:8080`.
//!
//! Without `SPLITABLE_API_SECRET`, the example runs against the splitkit emulator, started
//! in-process on 127.0.0.1: it listens on a free port of 127.0.0.1 (`SPLITABLE_LISTEN_ADDR` is
//! not used), creates two splits whose `api_notify_url` is this receiver, has the team pay the
//! first and cancels the second through the emulator's control client, verifies both
//! callbacks with the emulator's seed company secret, and exits 0 once both are handled, or 1 if
//! they have not arrived within 15 seconds.
//!
//! split(able) retries every callback not answered with exactly `200` (25 attempts over about
//! three weeks), so the same callback can arrive several times. The receiver is the SDK's ready
//! axum handler (`WebhookInbox::into_handler`, feature `axum`): it reads at most 1 MiB of body,
//! verifies the secret, handles each `transaction_id` once and answers exactly `200` to it and
//! to repeats; `403` to a callback whose secret is wrong or missing, `500` when the handler
//! fails and `503` while another instance handles it (split(able) retries all three). A real
//! shop records the callback in its database, in the same transaction as the order update,
//! and shares the record of handled callbacks between instances (a `DeliveryStore`).
//!
//! Exits with 1 when it cannot listen (or, with the emulator, when a step fails or a callback
//! does not arrive).

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::convert::Infallible;
use std::process::ExitCode;
use std::time::Duration;

use examples::receiving::{observed, router, serve};
use splitable_client::webhook::Payload;
use splitable_client::{
    Client, LineItem, NewSplit, PaymentStatus, WebhookEvent, WebhookInbox, WebhookVerifier,
};
use splitkit_emulator::control::TeamPayment;
use splitkit_emulator::{Emulator, EmulatorConfig, seed};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// With the emulator: how long to wait for the callbacks.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);

#[tokio::main]
async fn main() -> ExitCode {
    let Ok(secret) = std::env::var("SPLITABLE_API_SECRET") else {
        println!("SPLITABLE_API_SECRET not set: running against the local emulator");
        return against_emulator().await;
    };
    // An empty secret is refused here: any callback without one would pass.
    let verifier = match WebhookVerifier::new([secret]) {
        Ok(verifier) => verifier,
        Err(e) => {
            println!("SPLITABLE_API_SECRET: {e}");
            return ExitCode::from(2);
        }
    };
    let addr =
        std::env::var("SPLITABLE_LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let listener = match TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            println!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("waiting for split(able) callbacks on http://{addr}/");
    serve(listener, app(verifier, None)).await;
    ExitCode::SUCCESS
}

/// Prints one verified callback; in production, record it with the order update instead.
fn print_callback(event: &WebhookEvent) {
    let callback = match &event.payload {
        Payload::Typed(callback) => callback,
        Payload::Unrecognised(raw) => {
            println!(
                "{}: kept a callback the SDK cannot read: {}",
                event.id,
                raw.error()
            );
            return;
        }
    };
    match &callback.payment_status {
        PaymentStatus::Paid => println!(
            "invoice {} is paid (transaction {}): ship the order",
            callback.invoice, callback.transaction_id
        ),
        PaymentStatus::Cancelled => println!(
            "invoice {} was cancelled (transaction {}): release the order",
            callback.invoice, callback.transaction_id
        ),
        other => println!(
            "invoice {} has an unknown status {other:?} (transaction {}): kept for review",
            callback.invoice, callback.transaction_id
        ),
    }
}

/// The receiver: the SDK's handler around [`print_callback`]. The invoice of every newly
/// handled callback also goes to `handled_invoices` (the emulator run waits on it; with
/// split(able) no one listens).
fn app(
    verifier: WebhookVerifier,
    handled_invoices: Option<mpsc::UnboundedSender<String>>,
) -> axum::Router {
    let handler = WebhookInbox::new(verifier).into_handler(move |event: WebhookEvent| {
        let handled_invoices = handled_invoices.clone();
        async move {
            print_callback(&event);
            if let (Some(handled), Payload::Typed(callback)) = (&handled_invoices, &event.payload) {
                let _ = handled.send(callback.invoice.clone());
            }
            Ok::<_, Infallible>(())
        }
    });
    router(observed(handler, |_| {}))
}

/// Listens on a free port, starts the emulator, has it send two callbacks here, and waits for
/// them.
async fn against_emulator() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(e) => {
            println!("cannot listen on 127.0.0.1: {e}");
            return ExitCode::FAILURE;
        }
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/splitable/callback"),
        Err(e) => {
            println!("cannot read the listening address: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (handled_tx, handled_rx) = mpsc::unbounded_channel();
    let verifier = match WebhookVerifier::new([seed::SPLITABLE_API_SECRET]) {
        Ok(verifier) => verifier,
        Err(e) => {
            println!("configuration error: {e}");
            return ExitCode::FAILURE;
        }
    };
    tokio::spawn(serve(listener, app(verifier, Some(handled_tx))));
    match emulator_flow(&url, handled_rx).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            println!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn emulator_flow(
    url: &str,
    mut handled_rx: mpsc::UnboundedReceiver<String>,
) -> Result<(), String> {
    let emulator = Emulator::start(EmulatorConfig::default())
        .await
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
    println!(
        "emulator listening at {}; this receiver at {url}",
        emulator.base_url()
    );
    let client = Client::builder(seed::SPLITABLE_API_KEY)
        .base_url(emulator.splitable_base_url())
        .build()
        .map_err(|e| format!("configuration error: {e}"))?;

    // Two orders: the team pays the first in full; the second is cancelled.
    let mut invoices = Vec::new();
    for (invoice, pays) in [("INV-5001", true), ("INV-5002", false)] {
        let split_id = create_split(&client, invoice, url).await?;
        let team = emulator.splitable();
        let played = if pays {
            println!(
                "split {split_id} for {invoice}: the team pays it in full (emulator.splitable().pay)"
            );
            team.pay(&split_id, TeamPayment::rest()).await
        } else {
            println!(
                "split {split_id} for {invoice}: it is cancelled (emulator.splitable().cancel)"
            );
            team.cancel(&split_id).await
        };
        played.map_err(|e| format!("emulator: {e}"))?;
        invoices.push(invoice.to_owned());
    }

    let deadline = tokio::time::Instant::now() + EMULATOR_WAIT;
    while !invoices.is_empty() {
        match tokio::time::timeout_at(deadline, handled_rx.recv()).await {
            Ok(Some(invoice)) => invoices.retain(|i| *i != invoice),
            Ok(None) | Err(_) => {
                return Err(format!(
                    "gave up: no verified callback for {} within {} s",
                    invoices.join(" or "),
                    EMULATOR_WAIT.as_secs()
                ));
            }
        }
    }
    println!("both callbacks arrived, were verified and handled: done");
    Ok(())
}

/// Creates a split for `invoice` whose callback goes to `notify_url`.
async fn create_split(client: &Client, invoice: &str, notify_url: &str) -> Result<String, String> {
    let split = NewSplit::builder(invoice, notify_url)
        .item(LineItem::new("Team lunch", 4, 1_500))
        .total_from_items()
        .build()
        .map_err(|e| format!("the split is not valid: {e}"))?;
    let created = client
        .splits()
        .create(split)
        .await
        .map_err(|e| format!("could not create the split: {e}"))?;
    Ok(created.split_id)
}
