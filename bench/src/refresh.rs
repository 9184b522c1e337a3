//! Single-flight token refresh: 1000 calls at once through a client whose stored access token
//! has expired. The token endpoint (the loopback server's, 50 ms per answer) must be asked once,
//! and every call must succeed with the renewed token.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use splitkit_common::{MemoryTokenStore, TokenPair};
use tokio::task::JoinSet;
use zepto_client::oauth::OAuthApp;
use zepto_client::{Client, Environment};

use crate::server::{Server, TOKEN_LATENCY};
use crate::{BoxError, Table};

const CALLS: usize = 1000;

/// The refresh benchmark, printed as a table.
pub fn run(server: &Server) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let environment = Environment::custom(server.url(), server.url());
    let app = OAuthApp::new(
        &environment,
        "bench-client-id",
        "bench-client-secret",
        "http://127.0.0.1/callback",
    )?;
    let expired = TokenPair {
        access_token: "expired-access".into(),
        refresh_token: Some("refresh-0".into()),
        expires_at: SystemTime::now().checked_sub(Duration::from_secs(60)),
        scope: None,
    };
    let client = Client::builder(environment)
        .oauth(app, Arc::new(MemoryTokenStore::with_tokens(expired)))
        .build()?;
    let before = server.stats()?;
    let started = Instant::now();
    runtime.block_on(async {
        let mut calls = JoinSet::new();
        for _ in 0..CALLS {
            let client = client.clone();
            calls.spawn(async move { client.payments().get("PB.1").await.map(drop) });
        }
        while let Some(done) = calls.join_next().await {
            done??;
        }
        Ok::<(), BoxError>(())
    })?;
    let wall = started.elapsed();
    let after = server.stats()?;
    println!(
        "\n## Single-flight token refresh (the token endpoint answers in {} ms)\n",
        TOKEN_LATENCY.as_millis()
    );
    let mut table = Table::new(&[
        "concurrent calls (expired token)",
        "token requests",
        "calls that succeeded",
        "wall",
    ]);
    table.row(&[
        CALLS.to_string(),
        (after.token_requests - before.token_requests).to_string(),
        CALLS.to_string(),
        format!("{:.0} ms", wall.as_secs_f64() * 1e3),
    ]);
    table.print();
    Ok(())
}
