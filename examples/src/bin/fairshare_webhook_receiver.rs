//! FairShare: a webhook receiver that verifies each delivery and de-duplicates events.
//!
//! ```sh
//! FAIRSHARE_WEBHOOK_SIGNING_KEY=... cargo run -p examples --bin fairshare_webhook_receiver
//! ```
//!
//! Environment:
//!
//! - `FAIRSHARE_WEBHOOK_SIGNING_KEY` (required): the signing key of the webhook, shown in the
//!   FairShare dashboard when the webhook is created (sandbox and live webhooks have their own).
//! - `FAIRSHARE_WEBHOOK_ADDR` (optional): where to listen, default `127.0.0.1:8787`. FairShare
//!   needs a public HTTPS URL: put a TLS-terminating proxy or tunnel in front of this.
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
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use fairshare_client::{EventData, WebhookEvent, WebhookVerifier};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_HEAD: usize = 16 * 1024;
const MAX_BODY: usize = 1024 * 1024;

/// What the receiver has already processed, by event id (a database table in real life).
type Seen = Arc<Mutex<HashSet<String>>>;

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
fn handle(verifier: &WebhookVerifier, seen: &Seen, delivery: &Delivery) -> StatusCode {
    if delivery.method != "POST" {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let event = match verifier.verify(&delivery.headers, &delivery.body) {
        Ok(event) => event,
        Err(e) => {
            println!("rejected a delivery: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    let Ok(mut seen) = seen.lock() else {
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
    StatusCode::OK
}

async fn serve(mut stream: TcpStream, verifier: Arc<WebhookVerifier>, seen: Seen) {
    let status = match read_request(&mut stream).await {
        Ok(delivery) => handle(&verifier, &seen, &delivery),
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

#[tokio::main]
async fn main() -> ExitCode {
    let Some(key) = std::env::var("FAIRSHARE_WEBHOOK_SIGNING_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
    else {
        println!(
            "FAIRSHARE_WEBHOOK_SIGNING_KEY is not set: export the signing key of your webhook first."
        );
        return ExitCode::from(2);
    };
    let verifier = match WebhookVerifier::new(key) {
        Ok(verifier) => Arc::new(verifier),
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
    let seen: Seen = Arc::default();
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(serve(stream, verifier.clone(), seen.clone()));
            }
            Err(e) => println!("accept failed: {e}"),
        }
    }
}
