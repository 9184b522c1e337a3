//! Pay a Contact: add the Contact (or use an existing one), make a Payment with one Payout
//! over NPP falling back to Direct Entry, and follow its transactions.
//!
//! ```sh
//! # against Zepto:
//! ZEPTO_ACCESS_TOKEN=… ZEPTO_CONTACT_ID=… ZEPTO_AMOUNT_CENTS=1500 \
//!     cargo run -p examples --bin zepto_pay_contact
//! # against the local emulator (no account, nothing leaves this machine):
//! cargo run -p examples --bin zepto_pay_contact
//! ```
//!
//! Environment:
//! - Credentials, one of:
//!   - `ZEPTO_ACCESS_TOKEN`: a personal access token (Zepto web app, your OAuth application,
//!     "+ Personal Access Token"); or
//!   - `ZEPTO_TOKEN_FILE` with `ZEPTO_CLIENT_ID` and `ZEPTO_CLIENT_SECRET`: the token file
//!     written by `zepto_connect_account` and the application that connected the account.
//! - The payee, one of:
//!   - `ZEPTO_CONTACT_ID`: an existing Contact's ID; or
//!   - `ZEPTO_CONTACT_NAME`, `ZEPTO_CONTACT_EMAIL`, `ZEPTO_CONTACT_BSB`,
//!     `ZEPTO_CONTACT_ACCOUNT`: a new Contact to add.
//! - `ZEPTO_AMOUNT_CENTS` (required with Zepto; 1500 with the emulator): the amount in cents.
//!   In the sandbox (and the emulator), amounts such as `54` (incorrect account number) or `11`
//!   (insufficient funds) simulate failures.
//! - `ZEPTO_ENVIRONMENT` (optional): `sandbox` (default), `production`, `split-sandbox`,
//!   `split-production`, `nz-sandbox` or `nz-production`.
//! - `ZEPTO_API_BASE_URL` and `ZEPTO_OAUTH_BASE_URL` (optional, together): other hosts (a
//!   proxy, a mock), instead of `ZEPTO_ENVIRONMENT`.
//! - `ZEPTO_IDEMPOTENCY_KEY` (optional): your key for this payment (e.g. your order id). Run
//!   the example twice with the same key: the second run finds the Payment the first made.
//!
//! With none of the credential variables set (and none of `ZEPTO_ENVIRONMENT`,
//! `ZEPTO_API_BASE_URL`, `ZEPTO_OAUTH_BASE_URL`, `ZEPTO_CONTACT_ID`), the example starts the
//! splitkit emulator in-process on 127.0.0.1 and uses its seed personal access token. It adds
//! the Contact from the `ZEPTO_CONTACT_*` variables (or an example supplier), pays it, lists
//! the transactions, then runs Zepto's processing cycle through the emulator's control client
//! (what the banks do over the following days) and lists them again, cleared or failed.
//!
//! Exits with 2 when a variable is missing or not valid, 1 when Zepto (or the emulator) refuses.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::sync::Arc;

use futures_util::TryStreamExt;
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use zepto_client::contacts::NewContact;
use zepto_client::models::PaymentChannel;
use zepto_client::oauth::{FileTokenStore, OAuthApp};
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::sandbox::trigger_for_amount;
use zepto_client::{Client, Environment, Error, IdempotencyKey, Timestamp};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn missing(what: &str) -> ExitCode {
    println!("missing environment variable {what} (see the top of this file)");
    ExitCode::from(2)
}

/// `A`, `A and B`, `A, B and C`.
fn names(list: &[&str]) -> String {
    match list {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// `true` when no credential variable is set: run against the emulator. A setting that only
/// makes sense with Zepto, set without credentials, is a mistake: exit 2. (With some
/// credential set, `client` checks that the rest of it is there.)
fn on_emulator() -> Result<bool, ExitCode> {
    let credentials = [
        "ZEPTO_ACCESS_TOKEN",
        "ZEPTO_TOKEN_FILE",
        "ZEPTO_CLIENT_ID",
        "ZEPTO_CLIENT_SECRET",
    ];
    let zepto_only = [
        "ZEPTO_ENVIRONMENT",
        "ZEPTO_API_BASE_URL",
        "ZEPTO_OAUTH_BASE_URL",
        "ZEPTO_CONTACT_ID",
    ];
    if credentials.iter().any(|name| var(name).is_some()) {
        return Ok(false);
    }
    let stray: Vec<&str> = zepto_only
        .into_iter()
        .filter(|name| var(name).is_some())
        .collect();
    if !stray.is_empty() {
        println!(
            "{} set without credentials: set ZEPTO_ACCESS_TOKEN (or ZEPTO_TOKEN_FILE, \
             ZEPTO_CLIENT_ID and ZEPTO_CLIENT_SECRET) too to call Zepto, or unset {} to run \
             against the local emulator",
            names(&stray),
            names(&stray)
        );
        return Err(ExitCode::from(2));
    }
    println!(
        "ZEPTO_ACCESS_TOKEN (or ZEPTO_TOKEN_FILE) not set: running against the local emulator"
    );
    Ok(true)
}

/// Prints the Payment's debit and credit as they are now (webhooks report every change). The
/// credit is the Contact's side, so it is listed only with `both_parties`.
async fn print_transactions(client: &Client, payment_ref: &str) -> Result<(), ExitCode> {
    let transactions: Result<Vec<_>, Error> = client
        .transactions()
        .list()
        .parent_ref(payment_ref)
        .both_parties()
        .stream()
        .try_collect()
        .await;
    match transactions {
        Ok(list) => {
            for t in list {
                let failure = t
                    .failure_reason
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default();
                println!(
                    "  {} {} {} cents: {}{failure}",
                    t.type_, t.ref_, t.amount, t.status
                );
            }
            Ok(())
        }
        Err(err) => {
            println!("could not list the payment's transactions: {err}");
            Err(ExitCode::FAILURE)
        }
    }
}

fn environment() -> Result<Environment, ExitCode> {
    match (var("ZEPTO_API_BASE_URL"), var("ZEPTO_OAUTH_BASE_URL")) {
        (Some(api), Some(oauth)) => return Ok(Environment::custom(api, oauth)),
        (None, None) => {}
        _ => {
            println!("set both ZEPTO_API_BASE_URL and ZEPTO_OAUTH_BASE_URL, or neither");
            return Err(ExitCode::from(2));
        }
    }
    let name = var("ZEPTO_ENVIRONMENT").unwrap_or_else(|| "sandbox".into());
    Ok(match name.as_str() {
        "sandbox" => Environment::Sandbox,
        "production" => Environment::Production,
        "split-sandbox" => Environment::SplitSandbox,
        "split-production" => Environment::SplitProduction,
        "nz-sandbox" => Environment::NzSandbox,
        "nz-production" => Environment::NzProduction,
        other => {
            println!(
                "ZEPTO_ENVIRONMENT={other} is not one of sandbox, production, split-sandbox, split-production, nz-sandbox, nz-production"
            );
            return Err(ExitCode::from(2));
        }
    })
}

fn client(environment: Environment) -> Result<Client, ExitCode> {
    let builder = Client::builder(environment.clone());
    let builder = if let Some(token) = var("ZEPTO_ACCESS_TOKEN") {
        builder.personal_access_token(token)
    } else if let Some(file) = var("ZEPTO_TOKEN_FILE") {
        let (Some(id), Some(secret)) = (var("ZEPTO_CLIENT_ID"), var("ZEPTO_CLIENT_SECRET")) else {
            return Err(missing(
                "ZEPTO_CLIENT_ID and ZEPTO_CLIENT_SECRET (needed with ZEPTO_TOKEN_FILE)",
            ));
        };
        // The redirect URI is not used for refreshing; any URL will do here.
        let app = OAuthApp::new(&environment, id, secret, "http://127.0.0.1/callback").map_err(
            |err| {
                println!("configuration error: {err}");
                ExitCode::from(2)
            },
        )?;
        builder.oauth(app, Arc::new(FileTokenStore::new(file)))
    } else {
        return Err(missing(
            "ZEPTO_ACCESS_TOKEN (or ZEPTO_TOKEN_FILE with ZEPTO_CLIENT_ID and ZEPTO_CLIENT_SECRET), \
             or unset ZEPTO_CLIENT_ID and ZEPTO_CLIENT_SECRET to run against the local emulator",
        ));
    };
    builder.build().map_err(|err| {
        println!("configuration error: {err}");
        ExitCode::from(2)
    })
}

async fn contact_id(client: &Client, on_emulator: bool) -> Result<String, ExitCode> {
    if let Some(id) = var("ZEPTO_CONTACT_ID") {
        return Ok(id);
    }
    let fields = [
        "ZEPTO_CONTACT_NAME",
        "ZEPTO_CONTACT_EMAIL",
        "ZEPTO_CONTACT_BSB",
        "ZEPTO_CONTACT_ACCOUNT",
    ];
    let contact = match fields.map(var) {
        [Some(name), Some(email), Some(bsb), Some(account)] => NewContact::new()
            .name(name)
            .email(email)
            .branch_code(bsb)
            .account_number(account),
        // The emulator accepts any well-formed bank account: an example supplier.
        [None, None, None, None] if on_emulator => NewContact::new()
            .name("Harbour Supplies")
            .email("accounts@harbour.example")
            .branch_code("062000")
            .account_number("12345678"),
        [None, None, None, None] => {
            return Err(missing(
                "ZEPTO_CONTACT_ID (or ZEPTO_CONTACT_NAME, ZEPTO_CONTACT_EMAIL, ZEPTO_CONTACT_BSB and ZEPTO_CONTACT_ACCOUNT)",
            ));
        }
        values => {
            let unset: Vec<&str> = fields
                .iter()
                .zip(&values)
                .filter(|(_, value)| value.is_none())
                .map(|(name, _)| *name)
                .collect();
            return Err(missing(&format!("{} (for the new Contact)", names(&unset))));
        }
    };
    match client.contacts().create(contact).await {
        Ok(contact) => {
            println!("Added Contact {} ({})", contact.name, contact.id);
            Ok(contact.id)
        }
        Err(err) => {
            println!("could not add the Contact: {err}");
            Err(ExitCode::FAILURE)
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let on_emulator = match on_emulator() {
        Ok(on_emulator) => on_emulator,
        Err(code) => return code,
    };
    // Without credentials: the emulator, started here and kept running until the end of `main`.
    let emulator = if on_emulator {
        match Emulator::start(EmulatorConfig::default()).await {
            Ok(emulator) => {
                println!(
                    "emulator listening at {}, using its seed personal access token",
                    emulator.base_url()
                );
                Some(emulator)
            }
            Err(err) => {
                println!("cannot start the emulator: {err}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let environment = match &emulator {
        Some(emulator) => Environment::custom(
            emulator.zepto_api_base_url(),
            emulator.zepto_oauth_base_url(),
        ),
        None => match environment() {
            Ok(e) => e,
            Err(code) => return code,
        },
    };
    // The emulator fails the sandbox's failure amounts too.
    let sandbox = match (on_emulator, environment.is_sandbox()) {
        (true, _) => Some("the emulator, as in the sandbox"),
        (false, true) => Some("the sandbox"),
        (false, false) => None,
    };
    let client = if on_emulator {
        let built = Client::builder(environment)
            .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
            .build();
        match built {
            Ok(c) => c,
            Err(err) => {
                println!("configuration error: {err}");
                return ExitCode::from(2);
            }
        }
    } else {
        match client(environment) {
            Ok(c) => c,
            Err(code) => return code,
        }
    };
    let amount = match var("ZEPTO_AMOUNT_CENTS") {
        Some(amount) => amount,
        None if on_emulator => "1500".to_owned(),
        None => return missing("ZEPTO_AMOUNT_CENTS"),
    };
    let Ok(amount) = amount.trim().parse::<i64>() else {
        println!("ZEPTO_AMOUNT_CENTS={amount} is not a whole number of cents");
        return ExitCode::from(2);
    };
    if let Some(place) = sandbox
        && let Some(trigger) = trigger_for_amount(amount)
    {
        println!(
            "Note: in {place}, {amount} cents makes the {:?} fail with {}.",
            trigger.leg, trigger.reason
        );
    }
    let contact = match contact_id(&client, on_emulator).await {
        Ok(id) => id,
        Err(code) => return code,
    };
    let mut payment = NewPayment::new("Example payment", Timestamp::now())
        .channels([
            PaymentChannel::NewPaymentsPlatform,
            PaymentChannel::DirectEntry,
        ])
        .payout(Payout::new(&contact, amount, "Example payout"));
    if let Some(key) = var("ZEPTO_IDEMPOTENCY_KEY") {
        match IdempotencyKey::new(key) {
            Ok(key) => payment = payment.idempotency_key(key),
            Err(err) => {
                println!("{err}");
                return ExitCode::from(2);
            }
        }
    }

    let payment_ref = match client.payments().create(payment).await {
        Ok(created) => {
            let payout = &created.payouts[0];
            println!(
                "Payment {} created: payout {} of {} cents, {}",
                created.ref_, payout.ref_, payout.amount, payout.status
            );
            created.ref_
        }
        // The key was used before: that earlier request already created the payment.
        Err(Error::IdempotencyConflict {
            existing_resource: Some(existing),
            ..
        }) => {
            println!("This idempotency key already created Payment {existing}; not paying twice.");
            existing
        }
        Err(Error::Validation { field, rule }) => {
            println!("not sent: `{field}` {rule}");
            return ExitCode::from(2);
        }
        Err(err) => {
            println!("the payment failed: {err}");
            return ExitCode::FAILURE;
        }
    };

    // Its debit and credit, as they move through the lifecycle (webhooks report the same).
    if let Err(code) = print_transactions(&client, &payment_ref).await {
        return code;
    }
    if let Some(emulator) = &emulator
        && let Err(code) = process(&client, emulator, &payment_ref).await
    {
        return code;
    }
    ExitCode::SUCCESS
}

/// Emulator only: runs Zepto's processing cycle (what the banks do over the next days) and
/// shows where the transactions ended.
async fn process(
    client: &Client,
    emulator: &RunningEmulator,
    payment_ref: &str,
) -> Result<(), ExitCode> {
    println!(
        "Emulator: running Zepto's processing cycle until nothing moves (emulator.zepto().run_processing()):"
    );
    if let Err(err) = emulator.zepto().run_processing().await {
        println!("the processing cycle failed: {err}");
        return Err(ExitCode::FAILURE);
    }
    print_transactions(client, payment_ref).await
}
