//! Receive Zepto webhooks: verify each delivery's `Split-Signature` over the raw body, skip
//! events already handled (by `Split-Request-ID`), print the event, answer.
//!
//! ```sh
//! ZEPTO_WEBHOOK_SECRET=… cargo run -p examples --bin zepto_webhook_receiver
//! ```
//!
//! Environment:
//! - `ZEPTO_WEBHOOK_SECRET` (required): the endpoint's signing secret, shown in Zepto's webhook
//!   settings (or as `signature_secret` by `GET /webhooks`).
//! - `ZEPTO_WEBHOOK_ADDR` (optional): where to listen, default `127.0.0.1:8788`. The sandbox
//!   delivers to HTTP or HTTPS URLs; production only to HTTPS, so put a reverse proxy in front.
//!
//! Zepto counts any HTTP answer as delivered and retries only deliveries that got no answer
//! (every 5 minutes for an hour). So this receiver answers `200` to every verified delivery,
//! duplicates included, and `401` to deliveries that fail verification. It is a minimal
//! HTTP/1.1 reader for the example; in production use your web framework and hand it the raw
//! body bytes and headers the same way, and keep handled request ids in your database.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::{HashSet, VecDeque};
use std::process::ExitCode;

use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zepto_client::webhook::{EventData, WebhookVerifier};

const MAX_BODY: usize = 1024 * 1024;
/// How many request ids to remember in this example (a database in production).
const REMEMBERED: usize = 10_000;

/// Request ids already handled, forgetting the oldest beyond [`REMEMBERED`].
#[derive(Default)]
struct Handled {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Handled {
    /// Records `id`; `false` when it was handled before.
    fn first_time(&mut self, id: &str) -> bool {
        if !self.ids.insert(id.to_owned()) {
            return false;
        }
        self.order.push_back(id.to_owned());
        if self.order.len() > REMEMBERED
            && let Some(oldest) = self.order.pop_front()
        {
            self.ids.remove(&oldest);
        }
        true
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
        EventData::Unknown(raw) => vec![format!("raw data: {}", raw.get())],
        _ => vec!["(a kind of data this example does not print)".to_owned()],
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let secret = match std::env::var("ZEPTO_WEBHOOK_SECRET") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => {
            println!(
                "missing environment variable ZEPTO_WEBHOOK_SECRET: the endpoint's signing \
                 secret from Zepto's webhook settings (see the top of this file)"
            );
            return ExitCode::from(2);
        }
    };
    let verifier = WebhookVerifier::new(secret);
    let addr = std::env::var("ZEPTO_WEBHOOK_ADDR").unwrap_or_else(|_| "127.0.0.1:8788".to_owned());
    let listener = match TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(err) => {
            println!("cannot listen on {addr}: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{addr}/ for Zepto webhooks");
    let mut handled = Handled::default();
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
        let event = match verifier.verify_event(&delivery.headers, &delivery.body) {
            Ok(event) => event,
            Err(err) => {
                println!("rejected a delivery: {err}");
                answer(&mut stream, 401, "Unauthorized").await;
                continue;
            }
        };
        let id = event.request_id.clone().unwrap_or_default();
        if !id.is_empty() && !handled.first_time(&id) {
            println!("{id} again: already handled");
            answer(&mut stream, 200, "OK").await;
            continue;
        }
        // Answer first, then work: Zepto only needs to know the delivery arrived.
        answer(&mut stream, 200, "OK").await;
        println!(
            "{} {} at {} for account {} ({} item(s))",
            if id.is_empty() {
                "(no request id)"
            } else {
                &id
            },
            event.event_type,
            event.at,
            event.who.account_id,
            event.data.len()
        );
        // `data` may hold several items: handle every one.
        for line in describe(&event.data) {
            println!("  {line}");
        }
    }
}
