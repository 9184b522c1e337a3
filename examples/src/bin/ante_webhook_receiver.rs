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
//! Answers `200` to verified events (duplicates included, so Ante stops retrying them), `400`
//! to deliveries that fail verification, `405`/`413` to other methods and oversized bodies.
//! This is a minimal HTTP/1.1 reader for the example; use your web framework in production and
//! hand it the raw body bytes and headers the same way.
//!
//! Exits with 2 when a secret is malformed, 1 when it cannot listen (or, with the emulator, when
//! a step fails or the events do not arrive).

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::HashSet;
use std::fmt::Display;
use std::process::ExitCode;
use std::time::Duration;

use ante_client::{
    Cart, CartItem, Client, CreateSession, Customer, EventData, GroupConfig, MerchantId, SecretKey,
    SigningSecret, WebhookEventType, WebhookSecret, WebhookVerifier,
};
use http::{HeaderMap, HeaderName, HeaderValue};
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

const MAX_BODY: usize = 1024 * 1024;
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
    match (endpoint, signing) {
        (Some(e), Some(s)) => Ok(Some(WebhookVerifier::new(e).with_secret(s))),
        (Some(e), None) => Ok(Some(WebhookVerifier::new(e))),
        (None, Some(s)) => Ok(Some(WebhookVerifier::new(s))),
        (None, None) => Ok(None),
    }
}

/// A request as far as a webhook needs it.
struct Delivery {
    method: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

enum ReadError {
    TooLarge,
    Malformed,
}

async fn read_request(stream: &mut TcpStream) -> Result<Delivery, ReadError> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let header_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > 64 * 1024 {
            return Err(ReadError::TooLarge);
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| ReadError::Malformed)?;
        if n == 0 {
            return Err(ReadError::Malformed);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = std::str::from_utf8(&buffer[..header_end]).map_err(|_| ReadError::Malformed)?;
    let mut lines = head.split("\r\n");
    let method = lines
        .next()
        .and_then(|l| l.split_whitespace().next())
        .ok_or(ReadError::Malformed)?
        .to_owned();
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(ReadError::Malformed)?;
        let name =
            HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| ReadError::Malformed)?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| ReadError::Malformed)?;
        headers.append(name, value);
    }
    let length: usize = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return Err(ReadError::TooLarge);
    }
    let mut body = buffer[header_end + 4..].to_vec();
    while body.len() < length {
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|_| ReadError::Malformed)?;
        if n == 0 {
            return Err(ReadError::Malformed);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Delivery {
        method,
        headers,
        body,
    })
}

async fn answer(stream: &mut TcpStream, status: u16, reason: &str) {
    let response =
        format!("HTTP/1.1 {status} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Accepts deliveries for ever: verifies each over its raw body, skips events already handled,
/// prints the new ones and answers. Each newly handled event type also goes to
/// `handled_events` (the emulator run waits on it; with Ante no one listens).
async fn serve(
    listener: TcpListener,
    verifier: WebhookVerifier,
    handled_events: Option<mpsc::UnboundedSender<WebhookEventType>>,
) {
    // In production, keep handled event ids in your database.
    let mut handled: HashSet<String> = HashSet::new();
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let delivery = match read_request(&mut stream).await {
            Ok(d) => d,
            Err(ReadError::TooLarge) => {
                answer(&mut stream, 413, "Payload Too Large").await;
                continue;
            }
            Err(ReadError::Malformed) => {
                answer(&mut stream, 400, "Bad Request").await;
                continue;
            }
        };
        if delivery.method != "POST" {
            answer(&mut stream, 405, "Method Not Allowed").await;
            continue;
        }
        // Verify over the raw bytes, before parsing anything.
        let event = match verifier.verify(&delivery.headers, &delivery.body) {
            Ok(event) => event,
            Err(err) => {
                println!("rejected a delivery: {err}");
                answer(&mut stream, 400, "Bad Request").await;
                continue;
            }
        };
        if !handled.insert(event.id.clone()) {
            println!("{} again: already handled", event.id);
            answer(&mut stream, 200, "OK").await;
            continue;
        }
        let order = event.order_ref().unwrap_or("-");
        let session = event.session_id().unwrap_or("-");
        println!(
            "{} {} (session {session}, order {order}, via {:?})",
            event.id, event.event_type, event.source
        );
        match &event.data {
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
            _ => println!("  {:?}", event.data),
        }
        answer(&mut stream, 200, "OK").await;
        if let Some(handled_events) = &handled_events {
            let _ = handled_events.send(event.event_type);
        }
    }
}

fn failed(what: &str, err: impl Display) -> ExitCode {
    println!("{what}: {err}");
    ExitCode::FAILURE
}

/// POSTs `body` to one of the emulator's control endpoints (what shoppers do on Ante's page).
async fn control(url: &str, body: &str) -> Result<(), String> {
    let response = examples::http_client()?
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        let text = response.text().await.unwrap_or_default();
        Err(format!("{url} answered {status}: {text}"))
    }
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
    let verifier = WebhookVerifier::new(endpoint.secret).with_secret(signing);
    let (handled_tx, mut handled_rx) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, verifier, Some(handled_tx)));

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
    // ... that the group pays on Ante's page: here, the emulator's control endpoint.
    println!(
        "emulator: the organizer opens the group and all 3 pay their shares \
         (POST /_emulator/ante/sessions/{}/pay); waiting for the webhooks ...",
        session.session_id
    );
    control(
        &format!(
            "{}/ante/sessions/{}/pay",
            emulator.control_url(),
            session.session_id
        ),
        "{}",
    )
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
    serve(listener, verifier, None).await;
    ExitCode::SUCCESS
}
