//! Connect a Zepto account to your OAuth application: print the authorisation URL, wait for
//! Zepto to redirect the browser to a listener on 127.0.0.1, exchange the code, save the tokens
//! to a file, and call the API with them.
//!
//! ```sh
//! # against Zepto (a browser is needed to approve):
//! ZEPTO_CLIENT_ID=… ZEPTO_CLIENT_SECRET=… cargo run -p examples --bin zepto_connect_account
//! # against the local emulator (no account, no browser, nothing leaves this machine):
//! cargo run -p examples --bin zepto_connect_account
//! ```
//!
//! With Zepto, register `http://127.0.0.1:8789/callback` (or your `ZEPTO_REDIRECT_PORT`) as a
//! Redirect URI of the application in Zepto's web app first (`/oauth/applications`).
//!
//! Environment:
//! - `ZEPTO_CLIENT_ID`: the application's Application ID.
//! - `ZEPTO_CLIENT_SECRET`: the application's Secret.
//! - `ZEPTO_ENVIRONMENT` (optional): `sandbox` (default), `production`, `split-sandbox`,
//!   `split-production`, `nz-sandbox` or `nz-production`.
//! - `ZEPTO_API_BASE_URL` and `ZEPTO_OAUTH_BASE_URL` (optional, together): other hosts (a
//!   proxy, a mock), instead of `ZEPTO_ENVIRONMENT`.
//! - `ZEPTO_REDIRECT_PORT` (optional): the port of the local listener, default `8789`.
//! - `ZEPTO_TOKEN_FILE` (optional): where the tokens go, default `zepto-tokens.json`. The file
//!   holds live credentials: keep it private. Later runs of `zepto_pay_contact` can use it.
//! - `ZEPTO_SCOPES` (optional): space-separated scopes, default
//!   `public contacts payments transactions`.
//!
//! With neither `ZEPTO_CLIENT_ID` nor `ZEPTO_CLIENT_SECRET` set (and none of
//! `ZEPTO_ENVIRONMENT`, `ZEPTO_API_BASE_URL`, `ZEPTO_OAUTH_BASE_URL`), the example starts the
//! splitkit emulator in-process on 127.0.0.1 and uses its seed OAuth application. It opens the
//! authorisation URL itself: the emulator approves at once and redirects to the redirect URI
//! with `code` and `state`, which the example reads from the answer, so no browser and no
//! listener are needed. The tokens stay in memory (`ZEPTO_TOKEN_FILE` is not used).
//!
//! Exits with 2 when only some of the variables are set or one is not valid, 1 when a step of
//! the flow fails.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::sync::Arc;

use splitkit_emulator::{Emulator, EmulatorConfig, seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use zepto_client::oauth::{AuthorizationUrl, FileTokenStore, OAuthApp, Scope};
use zepto_client::{Client, Environment, MemoryTokenStore, TokenStore};

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

/// `Some(values)` when every `required` variable is set (call Zepto), `None` when none of them
/// nor any of `real_only` is (run against the emulator). Anything in between mixes a real
/// account with the emulator: say what is missing and exit 2.
fn credentials<const N: usize>(
    required: [&str; N],
    real_only: &[&str],
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
        "{} set without {}: set {} too to call Zepto, or unset {} to run against the local \
         emulator (see the top of this file)",
        names(&set),
        names(&missing),
        names(&missing),
        names(&set)
    );
    Err(ExitCode::from(2))
}

fn environment() -> Result<Environment, ExitCode> {
    let custom = (
        std::env::var("ZEPTO_API_BASE_URL"),
        std::env::var("ZEPTO_OAUTH_BASE_URL"),
    );
    match custom {
        (Ok(api), Ok(oauth)) => return Ok(Environment::custom(api, oauth)),
        (Ok(_), Err(_)) | (Err(_), Ok(_)) => {
            println!("set both ZEPTO_API_BASE_URL and ZEPTO_OAUTH_BASE_URL, or neither");
            return Err(ExitCode::from(2));
        }
        _ => {}
    }
    let name = std::env::var("ZEPTO_ENVIRONMENT").unwrap_or_else(|_| "sandbox".into());
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

/// Waits for one browser request on `listener` and returns its URL.
async fn wait_for_redirect(listener: &TcpListener, port: u16) -> std::io::Result<Url> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let mut buffer = vec![0u8; 16 * 1024];
        let n = stream.read(&mut buffer).await?;
        let head = String::from_utf8_lossy(&buffer[..n]);
        let target = head
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_owned();
        let (status, page) = if target.starts_with("/callback") {
            ("200 OK", "Zepto account connected. You can close this tab.")
        } else {
            ("404 Not Found", "Not the OAuth callback.")
        };
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{page}",
            page.len()
        );
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        if target.starts_with("/callback")
            && let Ok(url) = Url::parse(&format!("http://127.0.0.1:{port}{target}"))
        {
            return Ok(url);
        }
    }
}

/// The real flow: the user approves in a browser, Zepto redirects it to the local listener.
async fn approve_in_browser(
    authorization: &AuthorizationUrl,
    redirect: &str,
    port: u16,
) -> Result<Url, ExitCode> {
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(err) => {
            println!("cannot listen on 127.0.0.1:{port}: {err}");
            return Err(ExitCode::FAILURE);
        }
    };
    println!(
        "Open this URL in a browser and authorise the application:\n\n  {}\n",
        authorization.url
    );
    println!("Waiting for Zepto to redirect to {redirect} ...");
    wait_for_redirect(&listener, port).await.map_err(|err| {
        println!("the local listener failed: {err}");
        ExitCode::FAILURE
    })
}

/// Emulator only: opens the authorisation URL as the user's browser would. The emulator
/// approves at once and answers with a redirect to the redirect URI, which is read here
/// instead of followed.
async fn approve_on_emulator(authorization: &AuthorizationUrl) -> Result<Url, ExitCode> {
    println!(
        "Opening the authorisation URL (the emulator approves it; no browser needed):\n\n  {}\n",
        authorization.url
    );
    let fail = |what: &str, err: &dyn std::fmt::Display| {
        println!("{what}: {err}");
        ExitCode::FAILURE
    };
    let http = splitkit_common::tls::http_client_builder()
        .map_err(|e| fail("HTTP client", &e))?
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| fail("HTTP client", &e))?;
    let response = http
        .get(authorization.url.as_str())
        .send()
        .await
        .map_err(|e| fail("opening the authorisation URL", &e))?;
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            println!(
                "the authorisation page answered {} without a redirect",
                response.status()
            );
            ExitCode::FAILURE
        })?;
    let redirected = Url::parse(location).map_err(|e| fail("the redirect", &e))?;
    let mut shown = redirected.clone();
    shown.set_query(None); // the code is a credential, if a short-lived one
    println!("The emulator approved and redirected to {shown} with `code` and `state`.");
    Ok(redirected)
}

#[tokio::main]
async fn main() -> ExitCode {
    let real_only = [
        "ZEPTO_ENVIRONMENT",
        "ZEPTO_API_BASE_URL",
        "ZEPTO_OAUTH_BASE_URL",
    ];
    let credentials = match credentials(["ZEPTO_CLIENT_ID", "ZEPTO_CLIENT_SECRET"], &real_only) {
        Ok(c) => c,
        Err(code) => return code,
    };
    // Without credentials: the emulator, started here and kept running until the end of `main`.
    let (client_id, client_secret, environment, emulator) = match credentials {
        Some([id, secret]) => match environment() {
            Ok(environment) => (id, secret, environment, None),
            Err(code) => return code,
        },
        None => {
            let emulator = match Emulator::start(EmulatorConfig::default()).await {
                Ok(e) => e,
                Err(err) => {
                    println!("cannot start the emulator: {err}");
                    return ExitCode::FAILURE;
                }
            };
            println!(
                "emulator listening at {}, using its seed OAuth application",
                emulator.base_url()
            );
            let environment = Environment::custom(
                emulator.zepto_api_base_url(),
                emulator.zepto_oauth_base_url(),
            );
            (
                seed::ZEPTO_CLIENT_ID.to_owned(),
                seed::ZEPTO_CLIENT_SECRET.to_owned(),
                environment,
                Some(emulator),
            )
        }
    };
    let port: u16 = match std::env::var("ZEPTO_REDIRECT_PORT") {
        Ok(p) => match p.parse() {
            Ok(p) => p,
            Err(_) => {
                println!("ZEPTO_REDIRECT_PORT={p} is not a port number");
                return ExitCode::from(2);
            }
        },
        Err(_) => 8789,
    };
    let token_file =
        std::env::var("ZEPTO_TOKEN_FILE").unwrap_or_else(|_| "zepto-tokens.json".to_owned());
    let scopes: Vec<Scope> = std::env::var("ZEPTO_SCOPES")
        .unwrap_or_else(|_| "public contacts payments transactions".to_owned())
        .split_whitespace()
        .filter_map(|s| s.parse::<Scope>().ok())
        .collect();

    let redirect = format!("http://127.0.0.1:{port}/callback");
    let app = match OAuthApp::new(&environment, client_id, client_secret, &redirect) {
        Ok(app) => app,
        Err(err) => {
            println!("configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    let authorization = match app.authorization_url().scopes(scopes).build() {
        Ok(a) => a,
        Err(err) => {
            println!("cannot build the authorisation URL: {err}");
            return ExitCode::FAILURE;
        }
    };
    let redirected = if emulator.is_some() {
        approve_on_emulator(&authorization).await
    } else {
        approve_in_browser(&authorization, &redirect, port).await
    };
    let redirected = match redirected {
        Ok(url) => url,
        Err(code) => return code,
    };
    // Checks the CSRF state and reports a denied authorisation.
    let code = match authorization.code_from_redirect(&redirected) {
        Ok(code) => code,
        Err(err) => {
            println!("{err}");
            return ExitCode::FAILURE;
        }
    };
    let tokens = match app.exchange_code(&code).await {
        Ok(tokens) => tokens,
        Err(err) => {
            println!("{err}");
            return ExitCode::FAILURE;
        }
    };
    // With the emulator the tokens are worthless outside this run: keep them in memory.
    let store: Arc<dyn TokenStore> = if emulator.is_some() {
        Arc::new(MemoryTokenStore::default())
    } else {
        Arc::new(FileTokenStore::new(&token_file))
    };
    if let Err(err) = store.save(&tokens).await {
        println!("{err}");
        return ExitCode::FAILURE;
    }
    let saved_where = if emulator.is_some() {
        "kept in memory".to_owned()
    } else {
        format!("saved to {token_file}")
    };
    println!(
        "Tokens {saved_where} (scope: {}).",
        tokens.scope.as_deref().unwrap_or("?")
    );

    // From now on the client refreshes the access token itself, saving every rotated refresh
    // token to the store before using the new access token.
    let client = match Client::builder(environment).oauth(app, store).build() {
        Ok(c) => c,
        Err(err) => {
            println!("{err}");
            return ExitCode::FAILURE;
        }
    };
    match client.user().get().await {
        Ok(user) => {
            println!(
                "Connected as {} {} <{}>.",
                user.first_name.as_deref().unwrap_or(""),
                user.last_name.as_deref().unwrap_or(""),
                user.email.as_deref().unwrap_or("?")
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            println!("calling the API with the new tokens failed: {err}");
            ExitCode::FAILURE
        }
    }
}
