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
//! first and cancels the second through the emulator's control endpoints, verifies both
//! callbacks with the emulator's seed company secret, and exits 0 once both are handled, or 1 if
//! they have not arrived within 15 seconds.
//!
//! split(able) retries every callback not answered with exactly `200` (25 attempts over about
//! five days), so the same callback can arrive several times: this receiver records each
//! `transaction_id` once and answers `200` to repeats. A real shop keeps that record in its
//! database, in the same transaction as the order update. The HTTP handling here is a minimal
//! HTTP/1.1 reader for the example only; use your web framework in production.
//!
//! Exits with 1 when it cannot listen (or, with the emulator, when a step fails or a callback
//! does not arrive).

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use splitable_client::{
    ACKNOWLEDGE_STATUS, CallbackVerifier, Client, LineItem, NewSplit, PaymentStatus,
};
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::sync::mpsc;

/// The largest callback body read; a real callback is about 120 bytes.
const MAX_BODY: usize = 16 * 1024;
/// With the emulator: how long to wait for the callbacks.
const EMULATOR_WAIT: Duration = Duration::from_secs(15);

fn main() -> ExitCode {
    let Ok(secret) = std::env::var("SPLITABLE_API_SECRET") else {
        println!("SPLITABLE_API_SECRET not set: running against the local emulator");
        return against_emulator();
    };
    let addr =
        std::env::var("SPLITABLE_LISTEN_ADDR").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    let listener = match TcpListener::bind(&addr) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("waiting for split(able) callbacks on http://{addr}/");
    serve(&listener, &CallbackVerifier::new(secret), None);
    ExitCode::SUCCESS
}

/// Answers callbacks, one connection at a time, for as long as the listener works. The invoice
/// of every newly handled callback also goes to `handled_invoices` (the emulator run waits on
/// it; with split(able) no one listens).
fn serve(
    listener: &TcpListener,
    verifier: &CallbackVerifier,
    handled_invoices: Option<&mpsc::UnboundedSender<String>>,
) {
    let mut handled: HashSet<String> = HashSet::new();
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let status = match read_request(&mut stream) {
            Ok(Some((headers, body))) => {
                handle(verifier, &mut handled, &headers, &body, handled_invoices)
            }
            Ok(None) => StatusCode::METHOD_NOT_ALLOWED,
            Err(reason) => {
                println!("unreadable request: {reason}");
                StatusCode::BAD_REQUEST
            }
        };
        let reason = status.canonical_reason().unwrap_or("");
        let answer = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            status.as_u16()
        );
        let _ = stream.write_all(answer.as_bytes());
    }
}

/// Listens on a free port, then (on a Tokio runtime, which the emulator needs) starts the
/// emulator, has it send two callbacks here, and waits for them.
fn against_emulator() -> ExitCode {
    let listener = match TcpListener::bind("127.0.0.1:0") {
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
    // The receiver runs on its own thread, as above; the process ends without waiting for it.
    let verifier = CallbackVerifier::new(seed::SPLITABLE_API_SECRET);
    std::thread::spawn(move || serve(&listener, &verifier, Some(&handled_tx)));
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            println!("cannot start a Tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(emulator_flow(&url, handled_rx)) {
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
    for (invoice, action, what) in [
        ("INV-5001", "pay", "the team pays it in full"),
        ("INV-5002", "cancel", "it is cancelled"),
    ] {
        let split_id = create_split(&client, invoice, url).await?;
        println!(
            "split {split_id} for {invoice}: {what} (emulator: POST /_emulator/splitable/splits/{split_id}/{action})"
        );
        control(&emulator, &format!("splits/{split_id}/{action}")).await?;
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
        .create(&split)
        .await
        .map_err(|e| format!("could not create the split: {e}"))?;
    Ok(created.split_id)
}

/// POSTs to one of the emulator's Splitable control endpoints (what the team does on the hub).
async fn control(emulator: &RunningEmulator, path: &str) -> Result<(), String> {
    let url = format!("{}/splitable/{path}", emulator.control_url());
    let response = examples::http_client()?
        .post(&url)
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

/// Verifies one callback and decides the answer.
fn handle(
    verifier: &CallbackVerifier,
    handled: &mut HashSet<String>,
    headers: &HeaderMap,
    body: &[u8],
    handled_invoices: Option<&mpsc::UnboundedSender<String>>,
) -> StatusCode {
    let callback = match verifier.verify(headers, body) {
        Ok(callback) => callback,
        Err(rejected) => {
            println!("rejected callback: {rejected}");
            return rejected.http_status();
        }
    };
    if !handled.insert(callback.transaction_id.clone()) {
        println!(
            "repeat of transaction {} (invoice {}): already handled",
            callback.transaction_id, callback.invoice
        );
        return ACKNOWLEDGE_STATUS;
    }
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
    if let Some(handled_invoices) = handled_invoices {
        let _ = handled_invoices.send(callback.invoice);
    }
    ACKNOWLEDGE_STATUS
}

/// Reads one HTTP/1.1 request: `Some((headers, body))` for a `POST`, `None` for other methods.
fn read_request(stream: &mut TcpStream) -> Result<Option<(HeaderMap, Vec<u8>)>, String> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader
        .read_line(&mut request_line)
        .map_err(|e| e.to_string())?;
    let is_post = request_line.starts_with("POST ");
    let mut headers = HeaderMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("connection closed inside the headers".into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line {line:?}"));
        };
        let name = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|e| e.to_string())?;
        let value = HeaderValue::from_str(value.trim()).map_err(|e| e.to_string())?;
        headers.append(name, value);
        if headers.len() > 100 {
            return Err("too many headers".into());
        }
    }
    if !is_post {
        return Ok(None);
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or("missing or invalid Content-Length")?;
    if length > MAX_BODY {
        return Err(format!("body of {length} bytes is too large"));
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| e.to_string())?;
    Ok(Some((headers, body)))
}
