//! Create an Ante group checkout session for a signed cart and print the link to share.
//!
//! ```sh
//! ANTE_API_KEY=ante_sk_test_… ANTE_SIGNING_SECRET=ante_sign_… \
//!     cargo run -p examples --bin ante_create_session
//! ```
//!
//! Environment:
//! - `ANTE_API_KEY` (required): a secret (`ante_sk_…`) or publishable (`ante_pk_…`) key;
//!   `plurel_…` keys work too. Test keys create sandbox sessions.
//! - `ANTE_SIGNING_SECRET` (required): the merchant signing secret (`ante_sign_…`); the cart is
//!   signed with it and sent as `X-Ante-Signature`.
//! - `ANTE_MERCHANT_ID` (optional): sent as `X-Merchant-ID`.
//! - `ANTE_API_BASE` (optional): the API base URL, default `https://splitante.com/api/v1`
//!   (`https://plurelpay.com/api/v1` after the rebrand, or a local emulator).
//! - `ANTE_ORDER_REF` (optional): your order id, default `ORD-1042`.
//!
//! Exits with 2 when a required variable is missing or malformed, 1 when Ante refuses.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;

use ante_client::{
    AnteErrorExt, ApiKey, Cart, CartFee, CartItem, Client, CreateSession, Customer, GroupConfig,
    GroupMode, MerchantId, SigningSecret,
};

fn required(name: &str) -> Result<String, ExitCode> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => {
            println!("missing environment variable {name} (see the top of this file)");
            Err(ExitCode::from(2))
        }
    }
}

fn config_error(err: ante_client::Error) -> ExitCode {
    println!("configuration error: {err}");
    ExitCode::from(2)
}

async fn run() -> Result<(), ExitCode> {
    let key = ApiKey::parse(&required("ANTE_API_KEY")?).map_err(config_error)?;
    let signing = SigningSecret::parse(&required("ANTE_SIGNING_SECRET")?).map_err(config_error)?;
    let mode = key.mode();
    let mut builder = Client::builder(key).signing_secret(signing.clone());
    if let Ok(merchant) = std::env::var("ANTE_MERCHANT_ID") {
        builder = builder.merchant_id(MerchantId::parse(&merchant).map_err(config_error)?);
    }
    if let Ok(base) = std::env::var("ANTE_API_BASE") {
        builder = builder.base_url(base);
    }
    let client = builder.build().map_err(config_error)?;
    let order_ref = std::env::var("ANTE_ORDER_REF").unwrap_or_else(|_| "ORD-1042".to_owned());

    // The cart from Ante's REST documentation. `build` checks it, the total included.
    let cart = Cart::builder("usd")
        .item(CartItem::new("Ticket", 2, 5000).id("sku_1"))
        .tax(1000)
        .shipping(1000)
        .fee(CartFee::new("cleaning", "Cleaning fee", 500))
        .order_ref(&order_ref)
        .total(12500)
        .build()
        .map_err(config_error)?;
    println!(
        "cart {} {} for order {order_ref}, signature {}",
        cart.total(),
        cart.currency_code(),
        cart.sign(&signing).map_err(config_error)?
    );

    let request = CreateSession::new(cart)
        .customer(Customer::new().name("Alex").email("organizer@example.com"))
        .group(
            GroupConfig::new()
                .sizes(2, 6)
                .default_mode(GroupMode::Equal)
                .allowed_modes([GroupMode::Equal, GroupMode::Itemized])
                .expiry_hours(48),
        )
        .success_url("https://your-store.com/success")
        .cancel_url("https://your-store.com/cancel");

    // Sent once: Ante takes no idempotency key. After a timeout, look for `order_ref` in
    // `client.sessions().list(..)` before trying again.
    match client.sessions().create(request).await {
        Ok(session) => {
            println!("{mode} session {} ({})", session.session_id, session.status);
            println!("expires at {}", session.expires_at);
            if let (Some(merchant), Some(consumer)) =
                (session.merchant_fee_rate, session.consumer_fee_rate)
            {
                println!("fee rates: merchant {merchant}, payers {consumer}");
            }
            // The organizer's link: it carries their access token, so hand it to them only.
            println!("share URL: {}", session.session_url.expose());
            Ok(())
        }
        Err(err) => {
            println!("Ante refused the session: {err}");
            if let Some(ante) = err.ante_error() {
                println!("kind: {:?}, request id: {}", ante.kind, ante.request_id);
                for detail in &ante.details {
                    println!("  - {detail}");
                }
            }
            Err(ExitCode::FAILURE)
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
