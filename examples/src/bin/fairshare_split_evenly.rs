//! FairShare: create a Split Evenly session, print the contributor link, and poll its status.
//!
//! ```sh
//! # against FairShare:
//! FAIRSHARE_API_KEY=... cargo run -p examples --bin fairshare_split_evenly
//! # against the local emulator (no account, nothing leaves this machine):
//! cargo run -p examples --bin fairshare_split_evenly
//! ```
//!
//! Environment:
//!
//! - `FAIRSHARE_API_KEY`: your sandbox or live API key (Developers > API Keys).
//! - `FAIRSHARE_BASE_URL` (optional): the API base URL, default
//!   `https://api.fairsharepay.com/api/v1`.
//! - `FAIRSHARE_API_KEY_HEADER` (optional): the header the key goes in, default
//!   `X-SplitPay-API-Key` (set `x-api-key` if your account uses that name).
//! - `FAIRSHARE_POLL_SECONDS` (optional): seconds between status reads, default 10 (1 with the
//!   emulator).
//! - `FAIRSHARE_POLL_TIMES` (optional): how many times to read the status, default 30.
//!
//! With `FAIRSHARE_API_KEY` set, the example calls FairShare and polls while the contributors
//! pay through the link. Without it (and without `FAIRSHARE_BASE_URL` or
//! `FAIRSHARE_API_KEY_HEADER`), it starts the splitkit emulator in-process on 127.0.0.1, uses
//! its seed sandbox key, and has one contributor pay through the emulator's control client
//! before each poll, so the status goes `PENDING`, `PARTIAL`, ... `COMPLETED`.
//!
//! Exits 0 when the session settles or polling ends, 1 on an API error, 2 when a variable is
//! not valid or `FAIRSHARE_BASE_URL`/`FAIRSHARE_API_KEY_HEADER` is set without the key.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::time::Duration;

use fairshare_client::{
    Client, ConvenienceFee, DEFAULT_BASE_URL, Decimal, Error, ErrorExt, NewSplitSession,
};
use splitkit_emulator::control::Contribution;
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};

/// The four contributors, played through the emulator's control client.
const CONTRIBUTORS: [(&str, &str); 4] = [
    ("Ana", "ana@example.com"),
    ("Ben", "ben@example.com"),
    ("Cy", "cy@example.com"),
    ("Dee", "dee@example.com"),
];

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

/// `A`, `A and B`, `A, B and C`.
fn names(list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Emulator only: one contributor pays their share, as they would through the link.
async fn contribute(
    emulator: &RunningEmulator,
    session_id: &str,
    (name, email): (&str, &str),
) -> Result<(), String> {
    emulator
        .fairshare()
        .contribute(session_id, Contribution::share().name(name).email(email))
        .await
        .map(drop)
        .map_err(|e| e.to_string())
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
    let api_key = optional("FAIRSHARE_API_KEY");
    let real_only = ["FAIRSHARE_BASE_URL", "FAIRSHARE_API_KEY_HEADER"];
    let stray: Vec<&str> = real_only
        .into_iter()
        .filter(|name| optional(name).is_some())
        .collect();
    if api_key.is_none() && !stray.is_empty() {
        println!(
            "{} set without FAIRSHARE_API_KEY: set FAIRSHARE_API_KEY too to call FairShare, or \
             unset {} to run against the local emulator",
            names(&stray),
            names(&stray)
        );
        return ExitCode::from(2);
    }
    let default_poll_seconds = if api_key.is_some() { 10 } else { 1 };
    let (poll_seconds, poll_times) = match (
        number("FAIRSHARE_POLL_SECONDS", default_poll_seconds),
        number("FAIRSHARE_POLL_TIMES", 30),
    ) {
        (Ok(seconds), Ok(times)) => (seconds, times),
        (Err(e), _) | (_, Err(e)) => {
            println!("{e}");
            return ExitCode::from(2);
        }
    };
    // Without a key: the emulator, started here and kept running until the end of `main`.
    let (api_key, base_url, emulator) = match api_key {
        Some(key) => {
            let base =
                optional("FAIRSHARE_BASE_URL").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
            (key, base, None)
        }
        None => {
            println!("FAIRSHARE_API_KEY not set: running against the local emulator");
            let emulator = match Emulator::start(EmulatorConfig::default()).await {
                Ok(emulator) => emulator,
                Err(e) => {
                    println!("cannot start the emulator: {e}");
                    return ExitCode::FAILURE;
                }
            };
            println!(
                "emulator listening at {}, using its seed sandbox key",
                emulator.base_url()
            );
            let base = emulator.fairshare_base_url();
            (seed::FAIRSHARE_API_KEY.to_owned(), base, Some(emulator))
        }
    };
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
    let session = match client.sessions().create(order).await {
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

    let mut contributors = CONTRIBUTORS.into_iter();
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
        // With the emulator, someone pays between two reads (with FairShare, people do).
        if let Some(emulator) = &emulator
            && let Some(contributor) = contributors.next()
        {
            if let Err(e) = contribute(emulator, &session.id, contributor).await {
                println!("the contribution failed: {e}");
                return ExitCode::FAILURE;
            }
            println!(
                "  emulator: {} paid a share through the control client",
                contributor.0
            );
        }
        if poll < poll_times {
            tokio::time::sleep(Duration::from_secs(poll_seconds)).await;
        }
    }
    println!("stopped polling; the session is still open (webhooks tell you when it settles).");
    ExitCode::SUCCESS
}
