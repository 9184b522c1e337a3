//! Connect a Zepto account to your OAuth application: print the authorisation URL, wait for
//! Zepto to redirect the browser to a listener on 127.0.0.1, exchange the code, save the tokens
//! to a file, and call the API with them.
//!
//! ```sh
//! ZEPTO_CLIENT_ID=… ZEPTO_CLIENT_SECRET=… cargo run -p examples --bin zepto_connect_account
//! ```
//!
//! Register `http://127.0.0.1:8789/callback` (or your `ZEPTO_REDIRECT_PORT`) as a Redirect URI
//! of the application in Zepto's web app first (`/oauth/applications`).
//!
//! Environment:
//! - `ZEPTO_CLIENT_ID` (required): the application's Application ID.
//! - `ZEPTO_CLIENT_SECRET` (required): the application's Secret.
//! - `ZEPTO_ENVIRONMENT` (optional): `sandbox` (default), `production`, `split-sandbox`,
//!   `split-production`, `nz-sandbox` or `nz-production`.
//! - `ZEPTO_API_BASE_URL` and `ZEPTO_OAUTH_BASE_URL` (optional, together): other hosts (a
//!   proxy, a mock), instead of `ZEPTO_ENVIRONMENT`.
//! - `ZEPTO_REDIRECT_PORT` (optional): the port of the local listener, default `8789`.
//! - `ZEPTO_TOKEN_FILE` (optional): where the tokens go, default `zepto-tokens.json`. The file
//!   holds live credentials: keep it private. Later runs of `zepto_pay_contact` can use it.
//! - `ZEPTO_SCOPES` (optional): space-separated scopes, default
//!   `public contacts payments transactions`.

#![allow(clippy::print_stdout)] // printing is what an example is for

use std::process::ExitCode;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;
use zepto_client::oauth::{FileTokenStore, OAuthApp, Scope};
use zepto_client::{Client, Environment, TokenStore};

fn required(name: &str, what: &str) -> Result<String, ExitCode> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        _ => {
            println!("missing environment variable {name}: {what} (see the top of this file)");
            Err(ExitCode::from(2))
        }
    }
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

#[tokio::main]
async fn main() -> ExitCode {
    let (client_id, client_secret) = match (
        required("ZEPTO_CLIENT_ID", "your OAuth application's Application ID"),
        required("ZEPTO_CLIENT_SECRET", "your OAuth application's Secret"),
    ) {
        (Ok(id), Ok(secret)) => (id, secret),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let environment = match environment() {
        Ok(e) => e,
        Err(code) => return code,
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
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(err) => {
            println!("cannot listen on 127.0.0.1:{port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let authorization = match app.authorization_url().scopes(scopes).build() {
        Ok(a) => a,
        Err(err) => {
            println!("cannot build the authorisation URL: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "Open this URL in a browser and authorise the application:\n\n  {}\n",
        authorization.url
    );
    println!("Waiting for Zepto to redirect to {redirect} ...");

    let redirected = match wait_for_redirect(&listener, port).await {
        Ok(url) => url,
        Err(err) => {
            println!("the local listener failed: {err}");
            return ExitCode::FAILURE;
        }
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
    let store = Arc::new(FileTokenStore::new(&token_file));
    if let Err(err) = store.save(&tokens).await {
        println!("{err}");
        return ExitCode::FAILURE;
    }
    println!(
        "Tokens saved to {token_file} (scope: {}).",
        tokens.scope.as_deref().unwrap_or("?")
    );

    // From now on the client refreshes the access token itself, saving every rotated refresh
    // token to the file before using the new access token.
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
