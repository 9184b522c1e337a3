//! The examples tour: `cargo run -p examples --bin tour`.
//!
//! Starts the provider emulator and a webhook receiver on 127.0.0.1, then walks through each
//! provider's main flow with its SDK, verifying every webhook that arrives with the SDK's own
//! verifier. Prints a short account of each step and exits non-zero if any step fails. Nothing
//! leaves this machine: no account, credentials or network are needed. The flows live in
//! `examples::tour`, where the end-to-end tests run them too.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    if examples::tour::run().await {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
