//! One checkout flow, unchanged, against Ante, FairShare, Splitable and Zepto:
//! `cargo run -p examples --bin neutral_checkout`.
//!
//! The merchant code (`examples::neutral::checkout` and `follow`) uses only `splitkit`'s
//! provider-neutral API: it asks each provider's capability data what to offer (an equal split
//! where there is one, an expiry in the provider's range, return and notify URLs where taken,
//! named payers where needed), creates the group payment, hands out the share links, verifies
//! and reads the webhooks as neutral events, and reads the payment back where the provider
//! allows. Only building the providers and playing the shoppers differ per provider.
//!
//! It starts the splitkit emulator and a webhook receiver in-process on 127.0.0.1, with the
//! emulator's seed credentials: no account is needed and nothing leaves this machine. Against
//! real providers, build the same `Arc<dyn SplitProvider>`s from clients with your credentials
//! (see each provider's example); the checkout code does not change.
//!
//! Exits 0 when every provider's payment was funded, 1 otherwise.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    if examples::neutral::run().await {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
