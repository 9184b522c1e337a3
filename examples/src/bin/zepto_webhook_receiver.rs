//! Receive Zepto webhooks: verify each delivery's `Split-Signature` over the raw body, skip
//! events already handled (by `Split-Request-ID`), print the event, answer.
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
//! the emulator's control endpoint, and prints every signed delivery. Once the Contact's credit
//! has cleared it asks Zepto to resend that delivery (`client.webhooks().redeliver`), to
//! show the repeat being recognised, and exits 0; or 1 if the events have not arrived within
//! 15 seconds.
//!
//! Zepto counts any HTTP answer as delivered and retries only deliveries that got no answer
//! (every 5 minutes for an hour). So this receiver answers `200` to every verified delivery,
//! duplicates included, and `401` to deliveries that fail verification. It is a minimal
//! HTTP/1.1 reader for the example; in production use your web framework and hand it the raw
//! body bytes and headers the same way, and keep handled request ids in your database.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::{HashSet, VecDeque};
use std::fmt::Display;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use zepto_client::contacts::NewContact;
use zepto_client::models::PaymentChannel;
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::webhook::{EventData, WebhookVerifier};
use zepto_client::{Client, Environment, Timestamp};

const MAX_BODY: usize = 1024 * 1024;
/// How many request ids to remember in this example (a database in production).
const REMEMBERED: usize = 10_000;
/// With the emulator: how long to wait for the events.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);
/// With the emulator: the event that ends the run (the Contact was paid).
const CONTACT_PAID: &str = "debtor_credit.cleared";

/// A verified delivery, as the emulator run hears of it: its event type, and whether it was
/// new (`false` for a repeat of a request id already handled).
type Handled = (String, bool);

/// Request ids already handled, forgetting the oldest beyond [`REMEMBERED`].
#[derive(Default)]
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Seen {
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

/// Accepts deliveries for ever: verifies each over its raw body, skips request ids already
/// handled, prints the new events and answers. Every verified delivery is also reported to
/// `handled` (the emulator run waits on it; with Zepto no one listens).
async fn serve(
    listener: TcpListener,
    verifier: WebhookVerifier,
    handled: Option<mpsc::UnboundedSender<Handled>>,
) {
    let report = |event_type: &str, new: bool| {
        if let Some(handled) = &handled {
            let _ = handled.send((event_type.to_owned(), new));
        }
    };
    let mut seen = Seen::default();
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
        if !id.is_empty() && !seen.first_time(&id) {
            println!("{id} again: already handled");
            answer(&mut stream, 200, "OK").await;
            report(event.event_type.as_str(), false);
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
        report(event.event_type.as_str(), true);
    }
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
    let verifier = WebhookVerifier::new(seed::ZEPTO_WEBHOOK_SECRET);
    let (handled_tx, mut handled_rx) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, verifier, Some(handled_tx)));

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
        .create(NewContact::new(
            "Harbour Supplies",
            "accounts@harbour.example",
            "062000",
            "12345678",
        ))
        .await
        .map_err(|e| failed("adding the Contact", e))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let matures_at =
        Timestamp::from_unix_seconds(now).map_err(|e| failed("the system clock", e))?;
    let payment = client
        .payments()
        .create(
            NewPayment::new("Invoice 1042", matures_at)
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
    let process = format!("{}/zepto/process", emulator.control_url());
    println!(
        "emulator: running Zepto's processing cycle (POST {process}); waiting for the webhooks ..."
    );
    control(&process)
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

/// POSTs `{}` to one of the emulator's control endpoints.
async fn control(url: &str) -> Result<(), String> {
    let response = examples::http_client()?
        .post(url)
        .header("content-type", "application/json")
        .body("{}")
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
    let secret = match std::env::var("ZEPTO_WEBHOOK_SECRET") {
        Ok(v) if !v.trim().is_empty() => v,
        _ => {
            println!("ZEPTO_WEBHOOK_SECRET not set: running against the local emulator");
            return against_emulator().await;
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
    serve(listener, verifier, None).await;
    ExitCode::SUCCESS
}
