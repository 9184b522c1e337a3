//! Create an Ante group checkout session for a signed cart and print the link to share.
//!
//! ```sh
//! # against Ante:
//! ANTE_API_KEY=ante_sk_test_… ANTE_SIGNING_SECRET=ante_sign_… \
//!     cargo run -p examples --bin ante_create_session
//! # against the local emulator (no account, nothing leaves this machine):
//! cargo run -p examples --bin ante_create_session
//! ```
//!
//! Environment:
//! - `ANTE_API_KEY`: a secret (`ante_sk_…`) or publishable (`ante_pk_…`) key; `plurel_…` keys
//!   work too. Test keys create sandbox sessions.
//! - `ANTE_SIGNING_SECRET`: the merchant signing secret (`ante_sign_…`); the cart is signed
//!   with it and sent as `X-Ante-Signature`.
//! - `ANTE_MERCHANT_ID` (optional): sent as `X-Merchant-ID`.
//! - `ANTE_API_BASE` (optional): the API base URL, default `https://splitante.com/api/v1`
//!   (`https://plurelpay.com/api/v1` after the rebrand, or an emulator you run yourself).
//! - `ANTE_ORDER_REF` (optional): your order id, default `ORD-1042`.
//!
//! With `ANTE_API_KEY` and `ANTE_SIGNING_SECRET` set, the example calls Ante and stops once the
//! link is printed: the group pays on Ante's page. With neither set (and no `ANTE_MERCHANT_ID`
//! or `ANTE_API_BASE`), it starts the splitkit emulator in-process on 127.0.0.1, uses its seed
//! test keys, and then plays the group through the emulator's control endpoints: the organizer
//! opens the group, each member pays their share, and the session reads back as funded.
//!
//! Exits with 2 when only some of the variables are set or one is malformed, 1 when Ante (or
//! the emulator) refuses.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::fmt::Display;
use std::process::ExitCode;

use ante_client::{
    ApiKey, Cart, CartFee, CartItem, Client, CreateSession, Customer, ErrorExt, GroupConfig,
    GroupMode, MerchantId, SigningSecret,
};
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `A`, `A and B`, `A, B and C`.
fn names(list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `Some(values)` when every `required` variable is set (call the real service), `None` when
/// none of them nor any of `real_only` is (run against the emulator). Anything in between
/// mixes a real account with the emulator: say what is missing and exit 2.
fn credentials<const N: usize>(
    required: [&str; N],
    real_only: &[&str],
    service: &str,
) -> Result<Option<[String; N]>, ExitCode> {
    let values = required.map(var);
    let missing: Vec<&str> = required
        .iter()
        .zip(&values)
        .filter(|(_, value)| value.is_none())
        .map(|(name, _)| *name)
        .collect();
    if missing.is_empty() {
        return Ok(Some(values.map(Option::unwrap_or_default)));
    }
    let set: Vec<&str> = required
        .iter()
        .chain(real_only)
        .filter(|name| var(name).is_some())
        .copied()
        .collect();
    if set.is_empty() {
        println!(
            "{} not set: running against the local emulator",
            names(&required)
        );
        return Ok(None);
    }
    println!(
        "{} set without {}: set {} too to call {service}, or unset {} to run against the local \
         emulator (see the top of this file)",
        names(&set),
        names(&missing),
        names(&missing),
        names(&set)
    );
    Err(ExitCode::from(2))
}

fn config_error(err: ante_client::Error) -> ExitCode {
    println!("configuration error: {err}");
    ExitCode::from(2)
}

fn failed(what: &str, err: impl Display) -> ExitCode {
    println!("{what}: {err}");
    ExitCode::FAILURE
}

/// Where the example sends its requests, and with which credentials.
struct Setup {
    key: String,
    signing_secret: String,
    merchant_id: Option<String>,
    base_url: Option<String>,
    /// Running (and kept alive) when no credentials were given.
    emulator: Option<RunningEmulator>,
}

async fn setup() -> Result<Setup, ExitCode> {
    let required = ["ANTE_API_KEY", "ANTE_SIGNING_SECRET"];
    match credentials(required, &["ANTE_MERCHANT_ID", "ANTE_API_BASE"], "Ante")? {
        Some([key, signing_secret]) => Ok(Setup {
            key,
            signing_secret,
            merchant_id: var("ANTE_MERCHANT_ID"),
            base_url: var("ANTE_API_BASE"),
            emulator: None,
        }),
        None => {
            let emulator = Emulator::start(EmulatorConfig::default())
                .await
                .map_err(|e| failed("cannot start the emulator", e))?;
            println!(
                "emulator listening at {}, using its seed test keys",
                emulator.base_url()
            );
            Ok(Setup {
                key: seed::ANTE_TEST_SECRET_KEY.to_owned(),
                signing_secret: seed::ANTE_SIGNING_SECRET.to_owned(),
                merchant_id: Some(seed::ANTE_MERCHANT_ID.to_owned()),
                base_url: Some(emulator.ante_base_url()),
                emulator: Some(emulator),
            })
        }
    }
}

/// Emulator only: the group does on the emulator what it would do on Ante's hosted page.
async fn group_pays(
    client: &Client,
    emulator: &RunningEmulator,
    session_id: &str,
) -> Result<(), ExitCode> {
    println!("\nPlaying the group through the emulator's control client (emulator.ante()):");
    emulator
        .ante()
        .open(session_id)
        .await
        .map_err(|e| failed("opening the group", e))?;
    println!("  the organizer opened the group");
    let session = client
        .sessions()
        .get(session_id)
        .await
        .map_err(|e| failed("reading the session", e))?;
    let members = session.group.and_then(|g| g.members).unwrap_or_default();
    for member in members {
        let Some(member_id) = member.id else { continue };
        emulator
            .ante()
            .pay_share(session_id, &member_id)
            .await
            .map_err(|e| failed("paying a share", e))?;
        println!(
            "  {} paid their share of {} cents",
            member.name.as_deref().unwrap_or(&member_id),
            member.amount_cents.unwrap_or_default()
        );
    }
    let session = client
        .sessions()
        .get(session_id)
        .await
        .map_err(|e| failed("reading the session", e))?;
    let (paid, pending) = session
        .group
        .map(|g| (g.paid_amount, g.pending_amount))
        .unwrap_or_default();
    println!(
        "session {} is now {}: {} cents paid, {} pending",
        session.session_id,
        session.status,
        paid.unwrap_or_default(),
        pending.unwrap_or_default()
    );
    println!(
        "(a group.funded webhook tells your server to fulfil the order; see ante_webhook_receiver)"
    );
    Ok(())
}

async fn run() -> Result<(), ExitCode> {
    let setup = setup().await?;
    let key = ApiKey::parse(&setup.key).map_err(config_error)?;
    let signing = SigningSecret::parse(&setup.signing_secret).map_err(config_error)?;
    let mode = key.mode();
    let mut builder = Client::builder(key).signing_secret(signing.clone());
    if let Some(merchant) = &setup.merchant_id {
        builder = builder.merchant_id(MerchantId::parse(merchant).map_err(config_error)?);
    }
    if let Some(base) = &setup.base_url {
        builder = builder.base_url(base);
    }
    let client = builder.build().map_err(config_error)?;
    let order_ref = var("ANTE_ORDER_REF").unwrap_or_else(|| "ORD-1042".to_owned());

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
    let session = match client.sessions().create(request).await {
        Ok(session) => session,
        Err(err) => {
            println!("Ante refused the session: {err}");
            if let Some(ante) = err.error_response() {
                println!("kind: {:?}, request id: {}", ante.kind, ante.request_id);
                for detail in &ante.details {
                    println!("  - {detail}");
                }
            }
            return Err(ExitCode::FAILURE);
        }
    };
    println!("{mode} session {} ({})", session.session_id, session.status);
    println!("expires at {}", session.expires_at);
    if let (Some(merchant), Some(consumer)) = (session.merchant_fee_rate, session.consumer_fee_rate)
    {
        println!("fee rates: merchant {merchant}, payers {consumer}");
    }
    // The organizer's link: it carries their access token, so hand it to them only.
    println!("share URL: {}", session.session_url.expose());

    if let Some(emulator) = &setup.emulator {
        group_pays(&client, emulator, &session.session_id).await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}
