//! Receives split(able) callbacks: verifies the `api_secret`, records each transaction once,
//! and answers exactly `200`.
//!
//! ```text
//! SPLITABLE_API_SECRET=82746e2d66cb8993 cargo run -p examples --bin splitable_callback_receiver
//!
//! # in another shell, the documentation's example callback:
//! curl http://127.0.0.1:8080/splitable/callback \
//!      -d invoice=3789273937239273 -d payment_status=paid \
//!      -d api_secret=82746e2d66cb8993 -d transaction_id=852973493383974
//! ```
//!
//! Environment:
//! - `SPLITABLE_API_SECRET` (required): the `api_secret` from the company settings page (or the
//!   per-split secret you send when creating splits).
//! - `SPLITABLE_LISTEN_ADDR` (optional): where to listen; default `127.0.0.1:8080`.
//!
//! split(able) retries every callback not answered with exactly `200` (25 attempts over about
//! five days), so the same callback can arrive several times: this receiver records each
//! `transaction_id` once and answers `200` to repeats. A real shop keeps that record in its
//! database, in the same transaction as the order update. The HTTP handling here is a minimal
//! HTTP/1.1 reader for the example only; use your web framework in production.
//!
//! Exits with 2 when a required variable is missing, 1 when it cannot listen.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use splitable_client::{ACKNOWLEDGE_STATUS, CallbackVerifier, PaymentStatus};

/// The largest callback body read; a real callback is about 120 bytes.
const MAX_BODY: usize = 16 * 1024;

fn main() -> ExitCode {
    let Ok(secret) = std::env::var("SPLITABLE_API_SECRET") else {
        eprintln!("missing required environment variable SPLITABLE_API_SECRET");
        return ExitCode::from(2);
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

    let verifier = CallbackVerifier::new(secret);
    let mut handled: HashSet<String> = HashSet::new();
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue };
        let status = match read_request(&mut stream) {
            Ok(Some((headers, body))) => handle(&verifier, &mut handled, &headers, &body),
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
    ExitCode::SUCCESS
}

/// Verifies one callback and decides the answer.
fn handle(
    verifier: &CallbackVerifier,
    handled: &mut HashSet<String>,
    headers: &HeaderMap,
    body: &[u8],
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
