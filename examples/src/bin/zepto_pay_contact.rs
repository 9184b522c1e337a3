//! Pay a Contact: add the Contact (or use an existing one), make a Payment with one Payout
//! over NPP falling back to Direct Entry, and follow its transactions.
//!
//! ```sh
//! ZEPTO_ACCESS_TOKEN=… ZEPTO_CONTACT_ID=… ZEPTO_AMOUNT_CENTS=1500 \
//!     cargo run -p examples --bin zepto_pay_contact
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
//! - `ZEPTO_AMOUNT_CENTS` (required): the amount in cents. In the sandbox, amounts such as
//!   `54` (incorrect account number) or `11` (insufficient funds) simulate failures.
//! - `ZEPTO_ENVIRONMENT` (optional): `sandbox` (default), `production`, `split-sandbox`,
//!   `split-production`, `nz-sandbox` or `nz-production`.
//! - `ZEPTO_API_BASE_URL` and `ZEPTO_OAUTH_BASE_URL` (optional, together): other hosts (a
//!   proxy, a mock), instead of `ZEPTO_ENVIRONMENT`.
//! - `ZEPTO_IDEMPOTENCY_KEY` (optional): your key for this payment (e.g. your order id). Run
//!   the example twice with the same key: the second run finds the Payment the first made.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
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
            "ZEPTO_ACCESS_TOKEN (or ZEPTO_TOKEN_FILE with ZEPTO_CLIENT_ID and ZEPTO_CLIENT_SECRET)",
        ));
    };
    builder.build().map_err(|err| {
        println!("configuration error: {err}");
        ExitCode::from(2)
    })
}

async fn contact_id(client: &Client) -> Result<String, ExitCode> {
    if let Some(id) = var("ZEPTO_CONTACT_ID") {
        return Ok(id);
    }
    let (Some(name), Some(email), Some(bsb), Some(account)) = (
        var("ZEPTO_CONTACT_NAME"),
        var("ZEPTO_CONTACT_EMAIL"),
        var("ZEPTO_CONTACT_BSB"),
        var("ZEPTO_CONTACT_ACCOUNT"),
    ) else {
        return Err(missing(
            "ZEPTO_CONTACT_ID (or ZEPTO_CONTACT_NAME, ZEPTO_CONTACT_EMAIL, ZEPTO_CONTACT_BSB and ZEPTO_CONTACT_ACCOUNT)",
        ));
    };
    match client
        .contacts()
        .create(NewContact::new(name, email, bsb, account))
        .await
    {
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
    let Some(amount) = var("ZEPTO_AMOUNT_CENTS") else {
        return missing("ZEPTO_AMOUNT_CENTS");
    };
    let Ok(amount) = amount.trim().parse::<i64>() else {
        println!("ZEPTO_AMOUNT_CENTS={amount} is not a whole number of cents");
        return ExitCode::from(2);
    };
    let environment = match environment() {
        Ok(e) => e,
        Err(code) => return code,
    };
    if environment.is_sandbox()
        && let Some(trigger) = trigger_for_amount(amount)
    {
        println!(
            "Note: in the sandbox, {amount} cents makes the {:?} fail with {}.",
            trigger.leg, trigger.reason
        );
    }
    let client = match client(environment) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let contact = match contact_id(&client).await {
        Ok(id) => id,
        Err(code) => return code,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let Ok(matures_at) = Timestamp::from_unix_seconds(now) else {
        println!("the system clock is not usable");
        return ExitCode::FAILURE;
    };
    let mut payment = NewPayment::new("Example payment", matures_at)
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
    let transactions: Result<Vec<_>, Error> = client
        .transactions()
        .list()
        .parent_ref(&payment_ref)
        .stream()
        .try_collect()
        .await;
    match transactions {
        Ok(list) => {
            for t in list {
                println!("  {} {} {} cents: {}", t.type_, t.ref_, t.amount, t.status);
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("could not list the payment's transactions: {err}");
            ExitCode::FAILURE
        }
    }
}
