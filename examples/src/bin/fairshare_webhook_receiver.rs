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
//! pay through the emulator's control endpoint, prints every signed delivery as it arrives, and
//! exits 0 once `split_session.completed` is handled (and the deliveries sent with it), or 1 if
//! it has not arrived within 15 seconds.
//!
//! How it answers FairShare:
//!
//! - `200` once an event is verified and recorded (real work would be queued, not done inline);
//! - `409` for an event id it has already recorded: FairShare counts 409 as delivered;
//! - `400` when verification fails (bad signature, stale timestamp, malformed body): not acted on;
//! - `405`, `413` for requests that are not deliveries.
//!
//! This is a minimal HTTP/1.1 reader for the example only (one request per connection, a
//! `Content-Length` body); a real service uses its web framework and passes the headers and the
//! raw body bytes to `WebhookVerifier::verify` the same way.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::HashSet;
use std::fmt::Display;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fairshare_client::{
    Client, Decimal, EventData, NewSplitSession, WebhookEvent, WebhookEventType, WebhookVerifier,
};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 1024 * 1024;
/// With the emulator: how long to wait for the split to complete.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);

/// What every connection shares.
struct Receiver {
    verifier: WebhookVerifier,
    /// What the receiver has already processed, by event id (a database table in real life).
    seen: Mutex<HashSet<String>>,
    /// Told the type of every newly recorded event (the emulator run waits on it).
    recorded: Option<mpsc::UnboundedSender<WebhookEventType>>,
}

struct Delivery {
    method: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// Reads one request: the head up to the blank line, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> Result<Delivery, StatusCode> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        if buffer.len() > MAX_HEAD {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|_| StatusCode::BAD_REQUEST)?;
        if read == 0 {
            return Err(StatusCode::BAD_REQUEST);
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = std::str::from_utf8(&buffer[..head_end]).map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut lines = head.split("\r\n");
    let method = lines
        .next()
        .and_then(|line| line.split(' ').next())
        .ok_or(StatusCode::BAD_REQUEST)?
        .to_owned();
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or(StatusCode::BAD_REQUEST)?;
        let name =
            HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| StatusCode::BAD_REQUEST)?;
        let value = HeaderValue::from_str(value.trim()).map_err(|_| StatusCode::BAD_REQUEST)?;
        headers.append(name, value);
    }
    let length = match headers.get(http::header::CONTENT_LENGTH) {
        None => 0,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .ok_or(StatusCode::BAD_REQUEST)?,
    };
    if length > MAX_BODY {
        return Err(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let mut body = buffer.split_off(head_end + 4);
    while body.len() < length {
        let read = stream
            .read(&mut chunk)
            .await
            .map_err(|_| StatusCode::BAD_REQUEST)?;
        if read == 0 {
            return Err(StatusCode::BAD_REQUEST);
        }
        body.extend_from_slice(&chunk[..read]);
    }
    body.truncate(length);
    Ok(Delivery {
        method,
        headers,
        body,
    })
}

fn describe(event: &WebhookEvent) -> String {
    match &event.data {
        EventData::SplitSession(session) => format!(
            "session {} is {} ({} of {} {} collected)",
            session.id, session.status, session.collected, session.total, session.currency
        ),
        EventData::Contribution(contribution) => format!("contribution {}", contribution.json()),
        EventData::Raw(object) => format!("object {}", object.json()),
        _ => "an event this example does not describe".to_owned(),
    }
}

/// Verifies, de-duplicates and records one delivery; returns the status to answer.
fn handle(receiver: &Receiver, delivery: &Delivery) -> StatusCode {
    if delivery.method != "POST" {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let event = match receiver.verifier.verify(&delivery.headers, &delivery.body) {
        Ok(event) => event,
        Err(e) => {
            println!("rejected a delivery: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    let Ok(mut seen) = receiver.seen.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR;
    };
    if !seen.insert(event.id.clone()) {
        println!(
            "event {} again (delivery {}): already processed",
            event.id,
            event.delivery_id.as_deref().unwrap_or("-")
        );
        return StatusCode::CONFLICT;
    }
    println!(
        "event {} {} created {} (delivery {}): {}",
        event.id,
        event.event_type,
        event.created,
        event.delivery_id.as_deref().unwrap_or("-"),
        describe(&event)
    );
    if let Some(recorded) = &receiver.recorded {
        let _ = recorded.send(event.event_type);
    }
    StatusCode::OK
}

async fn serve(mut stream: TcpStream, receiver: Arc<Receiver>) {
    let status = match read_request(&mut stream).await {
        Ok(delivery) => handle(&receiver, &delivery),
        Err(status) => status,
    };
    let reason = status.canonical_reason().unwrap_or("");
    let answer = format!(
        "HTTP/1.1 {} {reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        status.as_u16()
    );
    // The peer may be gone already; nothing more to do then.
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Accepts connections for ever, each handled on its own task.
async fn listen(listener: TcpListener, receiver: Arc<Receiver>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(stream, receiver.clone()));
            }
            Err(e) => println!("accept failed: {e}"),
        }
    }
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
    let verifier = WebhookVerifier::new(seed::FAIRSHARE_WEBHOOK_SIGNING_KEY)
        .map_err(|e| failed("configuration error", e))?;
    let (recorded, mut recorded_rx) = mpsc::unbounded_channel();
    let receiver = Arc::new(Receiver {
        verifier,
        seen: Mutex::default(),
        recorded: Some(recorded),
    });
    tokio::spawn(listen(listener, receiver));

    // Something to be notified about: a split of 80.00 QAR between two people ...
    let client = Client::builder(seed::FAIRSHARE_API_KEY)
        .base_url(emulator.fairshare_base_url())
        .build()
        .map_err(|e| failed("configuration error", e))?;
    let order = NewSplitSession::split_evenly(Decimal::new(8_000, 2), "QAR", 2).meta("order-77");
    let session = client
        .sessions()
        .create(&order)
        .await
        .map_err(|e| failed("creating the split session", e))?;
    println!(
        "created split session {} (80.00 QAR, 2 contributors)",
        session.id
    );
    // ... who pay through the link: here, the emulator's control endpoint.
    let contributions = format!(
        "{}/fairshare/split-sessions/{}/contributions",
        emulator.control_url(),
        session.id
    );
    println!(
        "emulator: Ana and Ben each pay 40.00 QAR (POST {contributions}); waiting for the webhooks ..."
    );
    for (name, email) in [("Ana", "ana@example.com"), ("Ben", "ben@example.com")] {
        let body = serde_json::json!({ "name": name, "email": email }).to_string();
        control(&contributions, body)
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

/// POSTs `body` to one of the emulator's control endpoints.
async fn control(url: &str, body: String) -> Result<(), String> {
    let response = examples::http_client()?
        .post(url)
        .header("content-type", "application/json")
        .body(body)
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

#[tokio::main]
async fn main() -> ExitCode {
    let Some(key) = std::env::var("FAIRSHARE_WEBHOOK_SIGNING_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
    else {
        println!("FAIRSHARE_WEBHOOK_SIGNING_KEY not set: running against the local emulator");
        return against_emulator().await;
    };
    let verifier = match WebhookVerifier::new(key) {
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
    let receiver = Receiver {
        verifier,
        seen: Mutex::default(),
        recorded: None,
    };
    listen(listener, Arc::new(receiver)).await;
    ExitCode::SUCCESS
}
