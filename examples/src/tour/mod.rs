//! The examples tour (`cargo run -p examples --bin tour`): the provider emulator and a webhook
//! receiver on 127.0.0.1, then each provider's main flow through its SDK, verifying every webhook
//! that arrives with the SDK's own verifier. Nothing leaves this machine.

#![allow(clippy::print_stdout)] // printing is what a tour is for

pub mod ante;
pub mod fairshare;
pub mod receiver;
pub mod splitable;
pub mod step;
pub mod zepto;

use std::time::Duration;

use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator};

use crate::tour::receiver::Receiver;
use crate::tour::step::{Context, Outcome};

/// A running emulator with its webhooks pointed at a running receiver.
pub struct Stage {
    /// The provider emulator.
    pub emulator: RunningEmulator,
    /// The webhook receiver.
    pub receiver: Receiver,
}

impl Stage {
    /// Starts the receiver, then the emulator with FairShare's and Zepto's webhooks aimed at it
    /// (Ante's endpoint and Splitable's callback URL are given through their APIs).
    pub async fn start() -> Outcome<Self> {
        let receiver = Receiver::start()
            .await
            .doing("starting the webhook receiver")?;
        let config = EmulatorConfig::default()
            .fairshare_webhook_url(receiver.url("fairshare"))
            .zepto_webhook_url(receiver.url("zepto"))
            .webhook_retry_delays(vec![Duration::from_millis(200); 3]);
        let emulator = Emulator::start(config)
            .await
            .doing("starting the emulator")?;
        Ok(Self { emulator, receiver })
    }
}

/// Runs the whole tour and prints it; `true` when every step behaved as promised.
pub async fn run() -> bool {
    println!(
        "splitkit tour: four providers, their SDKs, and real signed webhooks, all on 127.0.0.1"
    );
    let stage = match Stage::start().await {
        Ok(stage) => stage,
        Err(e) => {
            println!("{e}");
            return false;
        }
    };
    println!(
        "emulator at {}, webhook receiver at {}",
        stage.emulator.base_url(),
        stage.receiver.base_url()
    );
    let (emulator, receiver) = (&stage.emulator, &stage.receiver);
    let results = [
        ("Ante", ante::run(emulator, receiver).await),
        ("FairShare", fairshare::run(emulator, receiver).await),
        ("Splitable", splitable::run(emulator, receiver).await),
        ("Zepto", zepto::run(emulator, receiver).await),
    ];
    stage.emulator.shutdown().await;

    println!();
    let mut all_ok = true;
    for (provider, result) in &results {
        match result {
            Ok(()) => println!("{provider}: every step behaved as promised"),
            Err(e) => {
                all_ok = false;
                println!("{provider}: FAILED: {e}");
            }
        }
    }
    all_ok
}
