//! Creates a split(able) split from a shopping cart and prints the payment-hub URL to send the
//! customer to.
//!
//! ```text
//! # against split(able):
//! SPLITABLE_BASE_URL=https://www.splitable-draft.com \
//! SPLITABLE_API_KEY=92746e4d66cb8993 \
//! cargo run -p examples --bin splitable_create_split
//! # against the local emulator (no account, nothing leaves this machine):
//! cargo run -p examples --bin splitable_create_split
//! ```
//!
//! Environment:
//! - `SPLITABLE_BASE_URL`: `https://www.splitable-draft.com` (test),
//!   `https://www.splitable.com` (live), your company subdomain such as
//!   `https://nimbleshop.splitable-draft.com`, or a local stand-in.
//! - `SPLITABLE_API_KEY`: the `api_key` from the company settings page.
//! - `SPLITABLE_NOTIFY_URL` (optional): where split(able) sends the callback; default
//!   `http://127.0.0.1:8080/splitable/callback` (see `splitable_callback_receiver`).
//! - `SPLITABLE_API_SECRET` (optional): a secret for this split's callback instead of the
//!   company's.
//!
//! With `SPLITABLE_BASE_URL` and `SPLITABLE_API_KEY` set, the example calls split(able) and
//! stops once the URL is printed: the team pays on the payment hub. With neither set, it starts
//! the splitkit emulator in-process on 127.0.0.1, uses its seed `api_key`, has two team members
//! pay through the emulator's control client, lists the paid members, and reports what became
//! of the callback the emulator sent to `SPLITABLE_NOTIFY_URL`. To see that callback received
//! and verified, start `SPLITABLE_API_SECRET=82746e2d66cb8993 cargo run -p examples --bin
//! splitable_callback_receiver` first (that is the emulator's seed company secret).
//!
//! Exits with 2 when only one of the two variables is set, 1 when split(able) (or the emulator)
//! refuses the split or cannot be reached.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::time::Duration;

use splitable_client::{Client, ErrorExt, LineItem, NewSplit};
use splitkit_emulator::control::TeamPayment;
use splitkit_emulator::{Emulator, EmulatorConfig, Provider, RunningEmulator, seed};

/// One line of the shop's cart, as a shop would hold it.
struct CartLine {
    title: &'static str,
    quantity: u32,
    unit_price_cents: i64,
    product_url: Option<&'static str>,
}

/// The cart of the documentation's example.
fn cart() -> Vec<CartLine> {
    vec![
        CartLine {
            title: "Essential Calculus Book",
            quantity: 1,
            unit_price_cents: 20000,
            product_url: Some("http://www.yourcompany.com/products/essential-calculus-book"),
        },
        CartLine {
            title: "Marine Biology Book",
            quantity: 1,
            unit_price_cents: 10000,
            product_url: Some("http://www.yourcompany.com/products/marine-biology-book"),
        },
    ]
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where the example sends its requests: split(able) when both variables are set (their
/// values), the emulator when neither is (`None`). One without the other is a mistake: exit 2.
fn credentials() -> Result<Option<(String, String)>, ExitCode> {
    match (var("SPLITABLE_BASE_URL"), var("SPLITABLE_API_KEY")) {
        (Some(base_url), Some(api_key)) => Ok(Some((base_url, api_key))),
        (None, None) => {
            println!(
                "SPLITABLE_BASE_URL and SPLITABLE_API_KEY not set: running against the local emulator"
            );
            Ok(None)
        }
        (base_url, _) => {
            let (set, missing) = if base_url.is_some() {
                ("SPLITABLE_BASE_URL", "SPLITABLE_API_KEY")
            } else {
                ("SPLITABLE_API_KEY", "SPLITABLE_BASE_URL")
            };
            eprintln!(
                "{set} set without {missing}: set {missing} too to call split(able), or unset \
                 {set} to run against the local emulator"
            );
            Err(ExitCode::from(2))
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

async fn run() -> Result<(), ExitCode> {
    // Without credentials: the emulator, started here and kept running until the end of `run`.
    let (base_url, api_key, emulator) = match credentials()? {
        Some((base_url, api_key)) => (base_url, api_key, None),
        None => {
            let emulator = Emulator::start(EmulatorConfig::default())
                .await
                .map_err(|e| fail(&format!("cannot start the emulator: {e}")))?;
            println!(
                "emulator listening at {}, using its seed api_key",
                emulator.base_url()
            );
            let base_url = emulator.splitable_base_url();
            (base_url, seed::SPLITABLE_API_KEY.to_owned(), Some(emulator))
        }
    };
    let notify_url = std::env::var("SPLITABLE_NOTIFY_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8080/splitable/callback".to_owned());

    let client = Client::builder(api_key)
        .base_url(base_url)
        .build()
        .map_err(|e| fail(&format!("could not configure the client: {e}")))?;

    let items = cart().into_iter().map(|line| {
        let item = LineItem::new(line.title, line.quantity, line.unit_price_cents);
        match line.product_url {
            Some(url) => item.with_url(url),
            None => item,
        }
    });
    let order_id = "3789273937239273";
    let mut split = NewSplit::builder(order_id, notify_url)
        .items(items)
        .shipping(1000)
        .tax(4000)
        .total_from_items()
        .expires_in(48)
        .description("Campus books has the best selection of educational books in the market");
    if let Ok(secret) = std::env::var("SPLITABLE_API_SECRET") {
        split = split.api_secret(secret);
    }
    // Every local rule (1 to 20 items, cents, expires_in up to 120, ...) is checked here.
    let split = split
        .build()
        .map_err(|e| fail(&format!("the cart cannot be split: {e}")))?;
    println!(
        "creating a split of {} cents for order {order_id} ({} line items)",
        split.total_amount(),
        split.line_items().len()
    );

    let created = match client.splits().create(split.clone()).await {
        Ok(created) => created,
        Err(err) => {
            return Err(match err.error_code() {
                Some(message) => fail(&format!("split(able) refused the split: {message}")),
                None => fail(&format!("could not create the split: {err}")),
            });
        }
    };
    println!("split id: {}", created.split_id);
    println!("redirect the customer to: {}", created.split_url);
    if let Some(emulator) = &emulator {
        team_pays(&client, emulator, &created.split_id, split.api_notify_url()).await?;
    }
    Ok(())
}

/// Emulator only: the team pays on the emulator as it would on the payment hub; then the paid
/// members, and what became of the callback.
async fn team_pays(
    client: &Client,
    emulator: &RunningEmulator,
    split_id: &str,
    notify_url: &str,
) -> Result<(), ExitCode> {
    println!("\nPlaying the team through the emulator's control client (emulator.splitable()):");
    // Jo pays half; Kim pays what is left.
    for (payment, who) in [
        (
            TeamPayment::amount(17_500)
                .name("Jo")
                .email("jo@example.com"),
            "Jo paid 17500 cents",
        ),
        (
            TeamPayment::rest().name("Kim").email("kim@example.com"),
            "Kim paid the remaining 17500 cents",
        ),
    ] {
        emulator
            .splitable()
            .pay(split_id, payment)
            .await
            .map_err(|e| fail(&e.to_string()))?;
        println!("  {who}");
    }
    let members = client
        .splits()
        .paid_members(split_id)
        .await
        .map_err(|e| fail(&format!("could not list the paid members: {e}")))?;
    for member in &members.items {
        println!("paid member: {} <{}>", member.name, member.email);
    }
    for unread in members.rejected() {
        println!("a paid member the SDK could not read: {unread}");
    }
    // The split is paid: the emulator calls `notify_url` back, as split(able) would.
    let callback = emulator
        .wait_for_webhook(
            |d| d.provider == Provider::Splitable,
            Duration::from_secs(5),
        )
        .await;
    match callback {
        Some(c) if c.delivered => println!(
            "split(able) called back {notify_url} ({}): answered {}",
            c.event_type,
            c.status.unwrap_or_default()
        ),
        Some(c) => println!(
            "split(able) called back {notify_url} ({}), but {}; start splitable_callback_receiver \
             first to receive it (see the top of this file)",
            c.event_type,
            c.error
                .unwrap_or_else(|| format!("it answered {}", c.status.unwrap_or_default()))
        ),
        None => println!("no callback was sent within 5 s"),
    }
    Ok(())
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}
