//! The examples tour: `cargo run -p examples --bin tour`.
//!
//! Starts the provider emulator and a webhook receiver on 127.0.0.1, then walks through each
//! provider's main flow with its SDK, verifying every webhook that arrives with the SDK's own
//! verifier. Prints a short account of each step and exits non-zero if any step fails. Nothing
//! leaves this machine: no account, credentials or network are needed.

#![allow(clippy::print_stdout)] // printing is what a tour is for

mod ante;
mod fairshare;
mod receiver;
mod splitable;
mod step;
mod zepto;

use std::process::ExitCode;
use std::time::Duration;

use splitkit_emulator::{Emulator, EmulatorConfig};

use crate::receiver::Receiver;

#[tokio::main]
async fn main() -> ExitCode {
    println!(
        "splitkit tour: four providers, their SDKs, and real signed webhooks, all on 127.0.0.1"
    );
    let receiver = match Receiver::start().await {
        Ok(r) => r,
        Err(e) => {
            println!("could not start the webhook receiver: {e}");
            return ExitCode::FAILURE;
        }
    };
    let config = EmulatorConfig::default()
        .fairshare_webhook_url(receiver.url("fairshare"))
        .zepto_webhook_url(receiver.url("zepto"))
        .webhook_retry_delays(vec![Duration::from_millis(200); 3]);
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            println!("could not start the emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "emulator at {}, webhook receiver at {}",
        emulator.base_url(),
        receiver.base_url()
    );

    let results = [
        ("Ante", ante::run(&emulator, &receiver).await),
        ("FairShare", fairshare::run(&emulator, &receiver).await),
        ("Splitable", splitable::run(&emulator, &receiver).await),
        ("Zepto", zepto::run(&emulator, &receiver).await),
    ];
    emulator.shutdown().await;

    println!();
    let mut failed = false;
    for (provider, result) in &results {
        match result {
            Ok(()) => println!("{provider}: every step behaved as promised"),
            Err(e) => {
                failed = true;
                println!("{provider}: FAILED: {e}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
