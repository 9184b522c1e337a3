//! `splitkit-emulator`: runs the Ante, FairShare, Splitable and Zepto emulator on its own, for a
//! merchant's test suite in any language.
//!
//! ```text
//! splitkit-emulator [--port 4010] [--bind 127.0.0.1:4010]
//!                   [--fairshare-webhook-url URL] [--zepto-webhook-url URL]
//!                   [--zepto-token-ttl SECONDS] [--splitable-error-status 200|500]
//!                   [--ante-headless] [--ante-min-order-total CENTS] [--lenient]
//!                   [--webhook-retry-schedule PROVIDER=SPEC]... [--webhook-retry-delays-ms 100,250,500]
//! ```
//!
//! The port can also come from `SPLITKIT_EMULATOR_PORT`. At start the binary prints the base URLs
//! and the seed credentials; `GET /_emulator` serves the same as JSON. It runs until Ctrl-C.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use splitkit_emulator::{Emulator, EmulatorConfig, Provider, RetrySchedule, seed};

const USAGE: &str = "usage: splitkit-emulator [--port N] [--bind ADDR:PORT] \
[--fairshare-webhook-url URL] [--zepto-webhook-url URL] [--zepto-token-ttl SECONDS] \
[--splitable-error-status STATUS] [--ante-headless] [--ante-min-order-total CENTS] [--lenient] \
[--webhook-retry-schedule PROVIDER=SPEC]... [--webhook-retry-delays-ms MS,MS,...]
  SPEC: none | zepto | splitable | fairshare | ante | DURATION*COUNT (5m*12) | DURATION,... (10s,1m)
environment: SPLITKIT_EMULATOR_PORT (default 4010)";

fn parse_args(args: impl Iterator<Item = String>) -> Result<EmulatorConfig, String> {
    let port = match std::env::var("SPLITKIT_EMULATOR_PORT") {
        Ok(p) => p
            .parse::<u16>()
            .map_err(|_| format!("SPLITKIT_EMULATOR_PORT is not a port: {p}"))?,
        Err(_) => 4010,
    };
    let mut config = EmulatorConfig::default().port(port);
    let mut args = args.peekable();
    while let Some(flag) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--help" | "-h" => return Err(USAGE.to_string()),
            "--port" => {
                let v = value("--port")?;
                config = config.port(v.parse().map_err(|_| format!("--port: not a port: {v}"))?);
            }
            "--bind" => {
                let v = value("--bind")?;
                let addr: SocketAddr = v
                    .parse()
                    .map_err(|_| format!("--bind: not an address: {v}"))?;
                config = config.bind(addr);
            }
            "--fairshare-webhook-url" => {
                config = config.fairshare_webhook_url(value("--fairshare-webhook-url")?)
            }
            "--zepto-webhook-url" => {
                config = config.zepto_webhook_url(value("--zepto-webhook-url")?)
            }
            "--zepto-token-ttl" => {
                let v = value("--zepto-token-ttl")?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("--zepto-token-ttl: not seconds: {v}"))?;
                config = config.zepto_access_token_ttl(Duration::from_secs(secs));
            }
            "--splitable-error-status" => {
                let v = value("--splitable-error-status")?;
                config = config.splitable_error_status(
                    v.parse()
                        .map_err(|_| format!("--splitable-error-status: not a status: {v}"))?,
                );
            }
            "--ante-headless" => config = config.ante_headless_enabled(true),
            "--lenient" => config = config.lenient(true),
            "--ante-min-order-total" => {
                let v = value("--ante-min-order-total")?;
                config = config.ante_min_order_total(
                    v.parse()
                        .map_err(|_| format!("--ante-min-order-total: not cents: {v}"))?,
                );
            }
            "--webhook-retry-schedule" => {
                let v = value("--webhook-retry-schedule")?;
                let (provider, spec) = v.split_once('=').ok_or_else(|| {
                    format!("--webhook-retry-schedule: expected PROVIDER=SPEC, got {v}")
                })?;
                let provider = Provider::parse(provider).ok_or_else(|| {
                    format!("--webhook-retry-schedule: unknown provider {provider}")
                })?;
                let schedule: RetrySchedule = spec
                    .parse()
                    .map_err(|e| format!("--webhook-retry-schedule {v}: {e}"))?;
                config = config.webhook_retry_schedule(provider, schedule);
            }
            "--webhook-retry-delays-ms" => {
                let v = value("--webhook-retry-delays-ms")?;
                let delays = v
                    .split(',')
                    .filter(|d| !d.trim().is_empty())
                    .map(|d| d.trim().parse::<u64>().map(Duration::from_millis))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| format!("--webhook-retry-delays-ms: not milliseconds: {v}"))?;
                config = config.webhook_retry_delays(delays);
            }
            other => return Err(format!("unknown argument: {other}\n{USAGE}")),
        }
    }
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            eprintln!("splitkit-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "splitkit-emulator {} listening on {}",
        env!("CARGO_PKG_VERSION"),
        emulator.base_url()
    );
    println!();
    println!("Base URLs");
    println!("  Ante API          {}", emulator.ante_base_url());
    println!("  FairShare API     {}", emulator.fairshare_base_url());
    println!("  Splitable         {}", emulator.splitable_base_url());
    println!("  Zepto API         {}", emulator.zepto_api_base_url());
    println!("  Zepto OAuth host  {}", emulator.zepto_oauth_base_url());
    println!(
        "  Control           {}  (GET it for everything below as JSON)",
        emulator.control_url()
    );
    println!();
    println!("Ante");
    println!("  merchant id              {}", seed::ANTE_MERCHANT_ID);
    println!(
        "  test publishable key     {}",
        seed::ANTE_TEST_PUBLISHABLE_KEY
    );
    println!("  test secret key          {}", seed::ANTE_TEST_SECRET_KEY);
    println!(
        "  live publishable key     {}",
        seed::ANTE_LIVE_PUBLISHABLE_KEY
    );
    println!("  live secret key          {}", seed::ANTE_LIVE_SECRET_KEY);
    println!("  signing secret           {}", seed::ANTE_SIGNING_SECRET);
    println!("FairShare");
    println!("  API key (sandbox)        {}", seed::FAIRSHARE_API_KEY);
    println!(
        "  API key (live)           {}",
        seed::FAIRSHARE_LIVE_API_KEY
    );
    println!(
        "  webhook signing key      {}",
        seed::FAIRSHARE_WEBHOOK_SIGNING_KEY
    );
    println!("Splitable");
    println!("  api_key                  {}", seed::SPLITABLE_API_KEY);
    println!("  api_secret               {}", seed::SPLITABLE_API_SECRET);
    println!("Zepto");
    println!("  client_id                {}", seed::ZEPTO_CLIENT_ID);
    println!("  client_secret            {}", seed::ZEPTO_CLIENT_SECRET);
    println!("  redirect URIs            any http(s) URI on 127.0.0.1, localhost or [::1]");
    println!(
        "  personal access token    {}",
        seed::ZEPTO_PERSONAL_ACCESS_TOKEN
    );
    println!("  webhook signature secret {}", seed::ZEPTO_WEBHOOK_SECRET);
    println!();
    println!("Press Ctrl-C to stop.");
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("splitkit-emulator: cannot wait for Ctrl-C ({e}); stopping");
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<EmulatorConfig, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn flags_set_the_config() {
        let config = args(&[
            "--port",
            "5001",
            "--zepto-token-ttl",
            "60",
            "--ante-headless",
            "--lenient",
            "--webhook-retry-delays-ms",
            "10,20",
            "--webhook-retry-schedule",
            "splitable=1m*3",
        ])
        .unwrap_or_default();
        assert_eq!(config.bind.port(), 5001);
        assert_eq!(config.zepto_access_token_ttl, Duration::from_secs(60));
        assert!(config.ante_headless_enabled);
        assert!(config.lenient);
        assert!(!args(&[]).unwrap_or_default().lenient);
        assert_eq!(config.retry_schedule(Provider::Zepto).attempts(), 3);
        assert_eq!(
            config.retry_schedule(Provider::Splitable),
            &RetrySchedule::every(Duration::from_secs(60), 3)
        );
    }

    #[test]
    fn bad_flags_are_reported() {
        assert!(args(&["--port"]).is_err());
        assert!(args(&["--port", "x"]).is_err());
        assert!(args(&["--frobnicate"]).is_err());
        assert!(args(&["--webhook-retry-schedule", "zepto"]).is_err());
        assert!(args(&["--webhook-retry-schedule", "paypal=none"]).is_err());
    }
}
