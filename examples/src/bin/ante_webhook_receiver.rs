//! Receive Ante webhooks: verify each delivery over its raw body, print the event, answer.
//!
//! ```sh
//! ANTE_WEBHOOK_SECRET=whsec_… ANTE_SIGNING_SECRET=ante_sign_… \
//!     cargo run -p examples --bin ante_webhook_receiver
//! ```
//!
//! Environment (at least one of the two secrets is required):
//! - `ANTE_WEBHOOK_SECRET`: a dashboard endpoint's secret (`whsec_…`), for deliveries to
//!   endpoints registered in the dashboard or with `POST /webhooks`.
//! - `ANTE_SIGNING_SECRET`: the merchant signing secret (`ante_sign_…`), for deliveries to a
//!   per-session `webhook_url`.
//! - `ANTE_WEBHOOK_ADDR` (optional): where to listen, default `127.0.0.1:8787`. Put an HTTPS
//!   reverse proxy in front of it: Ante delivers only to HTTPS URLs with a valid public
//!   certificate.
//!
//! Answers `200` to verified events (duplicates included, so Ante stops retrying them), `400`
//! to deliveries that fail verification, `405`/`413` to other methods and oversized bodies.
//! This is a minimal HTTP/1.1 reader for the example; use your web framework in production and
//! hand it the raw body bytes and headers the same way.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::HashSet;
use std::process::ExitCode;

use ante_client::{EventData, SigningSecret, WebhookSecret, WebhookVerifier};
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_BODY: usize = 1024 * 1024;

fn verifier_from_env() -> Result<WebhookVerifier, ExitCode> {
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
        (Some(e), Some(s)) => Ok(WebhookVerifier::new(e).with_secret(s)),
        (Some(e), None) => Ok(WebhookVerifier::new(e)),
        (None, Some(s)) => Ok(WebhookVerifier::new(s)),
        (None, None) => {
            println!(
                "missing environment variable ANTE_WEBHOOK_SECRET or ANTE_SIGNING_SECRET \
                 (see the top of this file)"
            );
            Err(ExitCode::from(2))
        }
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

#[tokio::main]
async fn main() -> ExitCode {
    let verifier = match verifier_from_env() {
        Ok(v) => v,
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
    }
}
