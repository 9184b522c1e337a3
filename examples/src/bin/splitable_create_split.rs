//! Creates a split(able) split from a shopping cart and prints the payment-hub URL to send the
//! customer to.
//!
//! ```text
//! SPLITABLE_BASE_URL=https://www.splitable-draft.com \
//! SPLITABLE_API_KEY=92746e4d66cb8993 \
//! cargo run -p examples --bin splitable_create_split
//! ```
//!
//! Environment:
//! - `SPLITABLE_BASE_URL` (required): `https://www.splitable-draft.com` (test),
//!   `https://www.splitable.com` (live), your company subdomain such as
//!   `https://nimbleshop.splitable-draft.com`, or a local stand-in.
//! - `SPLITABLE_API_KEY` (required): the `api_key` from the company settings page.
//! - `SPLITABLE_NOTIFY_URL` (optional): where split(able) sends the callback; default
//!   `http://127.0.0.1:8080/splitable/callback` (see `splitable_callback_receiver`).
//! - `SPLITABLE_API_SECRET` (optional): a secret for this split's callback instead of the
//!   company's.
//!
//! Exits with 2 when a required variable is missing, 1 when split(able) refuses the split or
//! cannot be reached.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;

use splitable_client::{Client, LineItem, NewSplit, SplitableErrorExt};

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

fn required(name: &str) -> Result<String, ExitCode> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => {
            eprintln!("missing required environment variable {name}");
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
    let base_url = required("SPLITABLE_BASE_URL")?;
    let api_key = required("SPLITABLE_API_KEY")?;
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

    match client.splits().create(&split).await {
        Ok(created) => {
            println!("split id: {}", created.split_id);
            println!("redirect the customer to: {}", created.split_url);
            Ok(())
        }
        Err(err) => Err(match err.splitable_message() {
            Some(message) => fail(&format!("split(able) refused the split: {message}")),
            None => fail(&format!("could not create the split: {err}")),
        }),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::FAILURE
}
