//! Receive Ante webhooks: verify each delivery over its raw body, print the event, answer.
//!
//! ```sh
//! # against Ante (keeps listening):
//! ANTE_WEBHOOK_SECRET=whsec_… ANTE_SIGNING_SECRET=ante_sign_… \
//!     cargo run -p examples --bin ante_webhook_receiver
//! # against the local emulator (no account; exits once the group is funded):
//! cargo run -p examples --bin ante_webhook_receiver
//! ```
//!
//! Environment (with Ante, at least one of the two secrets):
//! - `ANTE_WEBHOOK_SECRET`: a dashboard endpoint's secret (`whsec_…`), for deliveries to
//!   endpoints registered in the dashboard or with `POST /webhooks`.
//! - `ANTE_SIGNING_SECRET`: the merchant signing secret (`ante_sign_…`), for deliveries to a
//!   per-session `webhook_url`.
//! - `ANTE_WEBHOOK_ADDR` (optional): where to listen, default `127.0.0.1:8787`. Put an HTTPS
//!   reverse proxy in front of it: Ante delivers only to HTTPS URLs with a valid public
//!   certificate.
//!
//! With neither secret set, the example runs against the splitkit emulator, started in-process
//! on 127.0.0.1: it listens on a free port of 127.0.0.1 (`ANTE_WEBHOOK_ADDR` is not used),
//! registers that URL with `POST /webhooks` through the SDK (the emulator, like the SDK, takes
//! plain `http` on a loopback host), keeps the endpoint's one-time `whsec_` secret for the
//! verifier, creates a signed session and has the group pay it through the emulator's control
//! endpoint. It prints the `group.created` and `group.funded` deliveries as they arrive and
//! exits 0 once both are handled, or 1 if they have not arrived within 15 seconds.
//!
//! It is the SDK's ready axum handler (`WebhookInbox::into_handler`, feature `axum`): at most
//! 1 MiB of body, verification, events already handled skipped, the handler below called, and
//! Ante answered: `200` for handled events and repeats (a dashboard endpoint and a per-session
//! URL can both receive one event), `401` for deliveries that fail verification, `500` when the
//! handler fails and `503` while another instance handles the same event (both make Ante
//! retry), `413` for oversized bodies. The handler prints; in production it records or queues
//! the event. A verified body the SDK cannot type is handled too.
//!
//! Exits with 2 when a secret is malformed, 1 when it cannot listen (or, with the emulator, when
//! a step fails or the events do not arrive).

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::convert::Infallible;
use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

use ante_client::webhook::{Key, Payload};
use ante_client::{
    Cart, CartItem, Client, CreateSession, Customer, EventData, GroupConfig, MerchantId, SecretKey,
    SigningSecret, WebhookEvent, WebhookEventType, WebhookInbox, WebhookSecret, WebhookSource,
    WebhookVerifier,
};
use examples::receiving::{observed, router, serve};
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// With the emulator: how long to wait for the expected events.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);

/// The verifier for the secrets in the environment; `None` when neither secret is set (the
/// example then runs against the emulator).
fn verifier_from_env() -> Result<Option<WebhookVerifier>, ExitCode> {
    let parse_error = |err: ante_client::Error| {
        println!("configuration error: {err}");
        ExitCode::from(2)
    };
    let endpoint = match std::env::var("ANTE_WEBHOOK_SECRET") {
        Ok(v) if !v.trim().is_empty() => Some(WebhookSecret::parse(&v).map_err(parse_error)?),
        _ => None,
    };
    let signing = match std::env::var("ANTE_SIGNING_SECRET") {
        Ok(v) if !v.trim().is_empty() => Some(SigningSecret::parse(&v).map_err(parse_error)?),
        _ => None,
    };
    let keys: Vec<Key> = endpoint
        .map(Key::from)
        .into_iter()
        .chain(signing.map(Key::from))
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    WebhookVerifier::new(keys).map(Some).map_err(|err| {
        println!("configuration error: {err}");
        ExitCode::from(2)
    })
}

/// Prints one verified event; in production, record or queue it here instead.
fn print_event(event: &WebhookEvent) {
    let source = WebhookSource::of(event);
    let body = match &event.payload {
        Payload::Typed(body) => body,
        Payload::Unrecognised(raw) => {
            println!(
                "{} kept a body the SDK cannot read: {}",
                event.id,
                raw.error()
            );
            return;
        }
    };
    let order = body.order_ref().unwrap_or("-");
    let session = body.session_id().unwrap_or("-");
    println!(
        "{} {} (session {session}, order {order}, via {source:?})",
        event.id, body.event_type
    );
    match &body.data {
        EventData::GroupFunded(funded) => {
            println!(
                "  funded: total {:?}, fee {:?}, transfer {:?}",
                funded.total, funded.merchant_fee, funded.transfer_id
            );
            if let Some(fx) = funded.fx_fee_cents {
                println!(
                    "  FX: {fx} withheld, {:?} transferred ({:?} -> {:?})",
                    funded.merchant_transfer_cents,
                    funded.checkout_currency,
                    funded.payout_currency_preference
                );
            }
            println!("  -> fulfil order {order}");
        }
        EventData::GroupCreated(_) => println!("  the organizer opened the group"),
        EventData::GroupExpired(_) => println!("  expired; paid shares refunded"),
        EventData::GroupCancelled(_) => println!("  cancelled; paid shares refunded"),
        EventData::Unknown(data) => println!("  (unknown type) {data}"),
        other => println!("  {other:?}"),
    }
}

/// The receiver: the SDK's handler around [`print_event`]. Each newly handled event type also
/// goes to `handled_events` (the emulator run waits on it; with Ante no one listens).
fn app(
    verifier: WebhookVerifier,
    handled_events: Option<mpsc::UnboundedSender<WebhookEventType>>,
) -> axum::Router {
    let handler = WebhookInbox::new(verifier).into_handler(move |event: WebhookEvent| {
        let handled_events = handled_events.clone();
        async move {
            print_event(&event);
            if let (Some(handled), Payload::Typed(body)) = (&handled_events, &event.payload) {
                let _ = handled.send(body.event_type.clone());
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

/// Registers this receiver with the emulator, has a group pay a session, and waits for the
/// `group.created` and `group.funded` deliveries.
async fn against_emulator() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(err) => return failed("cannot listen on 127.0.0.1", err),
    };
    let port = match listener.local_addr() {
        Ok(addr) => addr.port(),
        Err(err) => return failed("cannot read the listening port", err),
    };
    let url = format!("http://127.0.0.1:{port}/ante/webhooks");
    let emulator = match Emulator::start(EmulatorConfig::default()).await {
        Ok(e) => e,
        Err(err) => return failed("cannot start the emulator", err),
    };
    println!(
        "emulator listening at {}; this receiver at {url}",
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
    let config = |e: ante_client::Error| failed("configuration error", e);
    let signing = SigningSecret::parse(seed::ANTE_SIGNING_SECRET).map_err(config)?;
    let client = Client::builder(SecretKey::parse(seed::ANTE_TEST_SECRET_KEY).map_err(config)?)
        .signing_secret(signing.clone())
        .merchant_id(MerchantId::parse(seed::ANTE_MERCHANT_ID).map_err(config)?)
        .base_url(emulator.ante_base_url())
        .build()
        .map_err(config)?;

    // What you would do once in Ante's dashboard (or with this call): register the endpoint
    // and keep its secret, shown this once.
    let expected = [
        WebhookEventType::GroupCreated,
        WebhookEventType::GroupFunded,
    ];
    let endpoint = client
        .webhooks()
        .create(url, expected.clone())
        .await
        .map_err(|e| failed("registering the webhook endpoint", e))?;
    println!(
        "registered {url} for {} and {}; its secret {:?} goes to the verifier",
        expected[0], expected[1], endpoint.secret
    );
    let verifier = WebhookVerifier::new([Key::from(endpoint.secret), Key::from(signing)])
        .map_err(|e| failed("configuration error", e))?;
    let (handled_tx, mut handled_rx) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, app(verifier, Some(handled_tx))));

    // Something to be notified about: a signed session for order ORD-2077 ...
    let cart = Cart::builder("USD")
        .item(CartItem::new("Concert ticket", 3, 4_000).id("ticket-ga"))
        .tax(900)
        .order_ref("ORD-2077")
        .total(12_900)
        .build()
        .map_err(config)?;
    let session = client
        .sessions()
        .create(
            CreateSession::new(cart)
                .customer(Customer::new().name("Sam").email("sam@example.com"))
                .group(GroupConfig::new().sizes(3, 3)),
        )
        .await
        .map_err(|e| failed("creating the session", e))?;
    println!(
        "created session {} for order ORD-2077 (129.00 USD, 3 payers)",
        session.session_id
    );
    // ... that the group pays on Ante's page: here, the emulator's control client.
    println!(
        "emulator: the organizer opens the group and all 3 pay their shares \
         (emulator.ante().pay_all); waiting for the webhooks ..."
    );
    emulator
        .ante()
        .pay_all(&session.session_id)
        .await
        .map_err(|e| failed("paying the shares", e))?;

    let mut waiting = expected.to_vec();
    let deadline = tokio::time::Instant::now() + EMULATOR_WAIT;
    while !waiting.is_empty() {
        match tokio::time::timeout_at(deadline, handled_rx.recv()).await {
            Ok(Some(event_type)) => waiting.retain(|w| *w != event_type),
            Ok(None) | Err(_) => {
                let missing: Vec<&str> = waiting.iter().map(WebhookEventType::as_str).collect();
                println!(
                    "gave up: no verified {} within {} s",
                    missing.join(" or "),
                    EMULATOR_WAIT.as_secs()
                );
                return Err(ExitCode::FAILURE);
            }
        }
    }
    println!("both events arrived signed, were verified and handled: done");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let verifier = match verifier_from_env() {
        Ok(Some(v)) => v,
        Ok(None) => {
            println!(
                "ANTE_WEBHOOK_SECRET and ANTE_SIGNING_SECRET not set: running against the local emulator"
            );
            return against_emulator().await;
        }
        Err(code) => return code,
    };
    let addr = std::env::var("ANTE_WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:8787".to_owned());
    let listener = match TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(err) => {
            println!("cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{addr}/ for Ante webhooks");
    serve(listener, app(verifier, None)).await;
    ExitCode::SUCCESS
}
