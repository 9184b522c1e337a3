//! FairShare: create a Split Evenly session, print the contributor link, and poll its status.
//!
//! ```sh
//! FAIRSHARE_API_KEY=... cargo run -p examples --bin fairshare_split_evenly
//! ```
//!
//! Environment:
//!
//! - `FAIRSHARE_API_KEY` (required): your sandbox or live API key (Developers > API Keys).
//! - `FAIRSHARE_BASE_URL` (optional): the API base URL, default
//!   `https://api.fairsharepay.com/api/v1`.
//! - `FAIRSHARE_API_KEY_HEADER` (optional): the header the key goes in, default
//!   `X-SplitPay-API-Key` (set `x-api-key` if your account uses that name).
//! - `FAIRSHARE_POLL_SECONDS` (optional): seconds between status reads, default 10.
//! - `FAIRSHARE_POLL_TIMES` (optional): how many times to read the status, default 30.
//!
//! Exits 0 when the session settles or polling ends, 1 on an API error, 2 when a required
//! variable is missing or a variable is not valid.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::time::Duration;

use fairshare_client::{
    Client, ConvenienceFee, DEFAULT_BASE_URL, Decimal, Error, ErrorExt, NewSplitSession,
};

fn optional(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn number(name: &str, default: u64) -> Result<u64, String> {
    match optional(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| format!("{name} must be a whole number, got {text:?}")),
    }
}

fn explain(error: &Error) -> String {
    match error.error_code() {
        Some(code) => format!(
            "{error}\n  FairShare code {code}: {}",
            error
                .error_response()
                .map(|body| body.message.as_str())
                .unwrap_or("(no message)")
        ),
        None => error.to_string(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(api_key) = optional("FAIRSHARE_API_KEY") else {
        println!("FAIRSHARE_API_KEY is not set: export your FairShare sandbox API key first.");
        return ExitCode::from(2);
    };
    let (poll_seconds, poll_times) = match (
        number("FAIRSHARE_POLL_SECONDS", 10),
        number("FAIRSHARE_POLL_TIMES", 30),
    ) {
        (Ok(seconds), Ok(times)) => (seconds, times),
        (Err(e), _) | (_, Err(e)) => {
            println!("{e}");
            return ExitCode::from(2);
        }
    };
    let base_url = optional("FAIRSHARE_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let mut builder = Client::builder(api_key).base_url(base_url);
    if let Some(header) = optional("FAIRSHARE_API_KEY_HEADER") {
        builder = builder.api_key_header(header);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            println!("cannot build the client: {e}");
            return ExitCode::from(2);
        }
    };
    println!("client: {client:?}");

    // QAR 200.00 split evenly across 4 people, open for 20 minutes.
    let order = NewSplitSession::split_evenly(Decimal::new(20000, 2), "QAR", 4)
        .detail_title("Group order")
        .meta("example-order-1")
        .expiry_minutes(20)
        .convenience_fee(ConvenienceFee::None)
        .redirect_urls(
            "https://example.com/success",
            "https://example.com/cancel",
            "https://example.com/failed",
        );
    let session = match client.sessions().create(&order).await {
        Ok(session) => session,
        Err(e) => {
            println!("create failed: {}", explain(&e));
            return ExitCode::FAILURE;
        }
    };
    println!("created split session {}", session.id);
    println!(
        "share this link with the 4 contributors:\n  {}",
        session.split_session_link
    );
    println!("expires at {}", session.expires_at);

    for poll in 1..=poll_times {
        let current = match client.sessions().get(&session.id).await {
            Ok(current) => current,
            Err(e) => {
                println!("reading the session failed: {}", explain(&e));
                return ExitCode::FAILURE;
            }
        };
        println!(
            "[{poll}/{poll_times}] status {}: collected {} of {} {}",
            current.status, current.collected, current.total, current.currency
        );
        if !current.status.is_open() {
            println!("the session is settled ({}).", current.status);
            return ExitCode::SUCCESS;
        }
        if poll < poll_times {
            tokio::time::sleep(Duration::from_secs(poll_seconds)).await;
        }
    }
    println!("stopped polling; the session is still open (webhooks tell you when it settles).");
    ExitCode::SUCCESS
}
