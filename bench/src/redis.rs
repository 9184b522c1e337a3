//! What sharing tokens through Redis (`splitkit-redis`) costs: the per-call token lookup, the
//! Redis round trips of a renewal, and a refresh under contention from many instances.
//!
//! It starts its own `redis-server` (Debian package `redis-server`) on a free port of 127.0.0.1
//! and stops it at the end. The token endpoint is simulated in-process (50 ms per refresh,
//! refresh tokens single-use) so that the figures show the SDK and Redis, not a network.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use async_trait::async_trait;
use splitkit_common::{
    Error, MemoryTokenStore, OAuthAuthenticator, RefreshLock, SecretString, TokenPair, TokenSource,
    TokenStore,
};
use splitkit_redis::{Redis, RedisTokenStore};

use crate::{BoxError, Table};

type BoxResult<T> = Result<T, BoxError>;

const REFRESH_LATENCY: Duration = Duration::from_millis(50);

/// A token endpoint with single-use refresh tokens, answering after [`REFRESH_LATENCY`].
#[derive(Debug, Default)]
struct Endpoint {
    current: Mutex<u32>,
    requests: AtomicU32,
    refused: AtomicU32,
}

#[async_trait]
impl TokenSource for Endpoint {
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair, Error> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(REFRESH_LATENCY).await;
        let mut current = self
            .current
            .lock()
            .map_err(|_| Error::auth("poisoned", None))?;
        if refresh_token.expose() != format!("refresh-{current}") {
            self.refused.fetch_add(1, Ordering::SeqCst);
            return Err(splitkit_common::AuthFailure::token_endpoint(
                http::StatusCode::BAD_REQUEST,
                Some("invalid_grant"),
            )
            .into_error("spent refresh token"));
        }
        *current += 1;
        Ok(pair(*current, Duration::from_secs(7200)))
    }
}

fn pair(n: u32, valid_for: Duration) -> TokenPair {
    TokenPair {
        access_token: format!("access-{n}").into(),
        refresh_token: Some(format!("refresh-{n}").into()),
        expires_at: SystemTime::now().checked_add(valid_for),
        scope: None,
    }
}

fn expired(n: u32) -> TokenPair {
    TokenPair {
        expires_at: SystemTime::now().checked_sub(Duration::from_secs(10)),
        ..pair(n, Duration::ZERO)
    }
}

struct RedisServer(Child);

impl RedisServer {
    fn start() -> BoxResult<(Self, String)> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!("cannot start redis-server ({e}): apt-get install -y redis-server")
            })?;
        Ok((Self(child), format!("redis://127.0.0.1:{port}/0")))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn connect(url: &str) -> BoxResult<Redis> {
    let started = Instant::now();
    loop {
        match Redis::connect(url).await {
            Ok(redis) => return Ok(redis),
            Err(_) if started.elapsed() < Duration::from_secs(10) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// p50 and p99 of `samples`, in microseconds.
fn percentiles(samples: &mut [Duration]) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[index].as_secs_f64() * 1e6
    };
    (at(0.50), at(0.99))
}

async fn time_each<F, Fut>(n: usize, mut f: F) -> BoxResult<(f64, f64)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), Error>>,
{
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f().await?;
        samples.push(started.elapsed());
    }
    Ok(percentiles(&mut samples))
}

async fn lookups(url: &str) -> BoxResult<()> {
    println!("\n### Token lookup per call (one call after another)\n");
    let mut table = Table::new(&["what", "p50", "p99"]);
    let mut row = |what: &str, (p50, p99): (f64, f64)| {
        table.row(&[what.into(), format!("{p50:.2} µs"), format!("{p99:.2} µs")]);
    };
    let endpoint = Arc::new(Endpoint::default());
    let memory = OAuthAuthenticator::new(
        endpoint.clone(),
        Arc::new(MemoryTokenStore::with_tokens(pair(
            1,
            Duration::from_secs(7200),
        ))),
    );
    let redis = connect(url).await?;
    let store = redis.token_store("bench-lookup");
    store.save(&pair(1, Duration::from_secs(7200))).await?;
    let shared = OAuthAuthenticator::new(endpoint.clone(), Arc::new(store.clone()));
    for (name, auth) in [("memory store", &memory), ("Redis store", &shared)] {
        auth.tokens().await?; // the first use loads the pair
        let times = time_each(100_000, || async { auth.tokens().await.map(drop) }).await?;
        row(&format!("cached access token, {name}"), times);
    }
    let times = time_each(10_000, || async { store.load_versioned().await.map(drop) }).await?;
    row("Redis read of the pair (HMGET)", times);
    let times = time_each(10_000, || async {
        let lease = store.try_acquire().await?;
        if let Some(lease) = lease {
            store.release(&lease).await?;
        }
        Ok(())
    })
    .await?;
    row("lock SET NX PX + release script", times);
    let times = time_each(10_000, || async {
        let stored = store.load_versioned().await?.map_or(0, |s| s.version);
        store
            .save_versioned(&pair(1, Duration::from_secs(7200)), stored)
            .await
            .map(drop)
    })
    .await?;
    row("read + fenced save (Lua)", times);
    table.print();
    Ok(())
}

/// `instances` authenticators, each with its own Redis connection (as separate processes have),
/// `calls` concurrent calls each, all finding the access token expired.
async fn contention(
    url: &str,
    instances: usize,
    calls: usize,
    rounds: u32,
    table: &mut Table,
) -> BoxResult<()> {
    let endpoint = Arc::new(Endpoint::default());
    let mut stores: Vec<RedisTokenStore> = Vec::new();
    for _ in 0..instances {
        stores.push(connect(url).await?.token_store("bench-contention"));
    }
    let mut latencies = Vec::new();
    let mut walls = Vec::new();
    for round in 0..rounds {
        let n = round * 10 + 1;
        *endpoint.current.lock().map_err(|_| "poisoned")? = n;
        stores[0].save(&expired(n)).await?;
        let requests_before = endpoint.requests.load(Ordering::SeqCst);
        let auths: Vec<_> = stores
            .iter()
            .map(|store| {
                Arc::new(OAuthAuthenticator::new(
                    endpoint.clone(),
                    Arc::new(store.clone()),
                ))
            })
            .collect();
        let started = Instant::now();
        let tasks: Vec<_> = auths
            .iter()
            .flat_map(|auth| {
                (0..calls).map(move |_| {
                    let auth = auth.clone();
                    tokio::spawn(async move {
                        let called = Instant::now();
                        auth.tokens().await.map(|_| called.elapsed())
                    })
                })
            })
            .collect();
        for task in tasks {
            latencies.push(task.await??);
        }
        walls.push(started.elapsed());
        let requests = endpoint.requests.load(Ordering::SeqCst) - requests_before;
        if requests != 1 {
            return Err(format!("round {round}: {requests} token requests, expected 1").into());
        }
    }
    let (p50, p99) = percentiles(&mut latencies);
    let (wall50, _) = percentiles(&mut walls);
    table.row(&[
        format!("{instances} × {calls}"),
        "1".into(),
        format!("{:.1} ms", p50 / 1e3),
        format!("{:.1} ms", p99 / 1e3),
        format!("{:.1} ms", wall50 / 1e3),
        endpoint.refused.load(Ordering::SeqCst).to_string(),
    ]);
    Ok(())
}

/// The Redis benchmark, printed as tables. Without `redis-server` it says so and skips.
pub fn run() -> BoxResult<()> {
    println!("\n## Tokens shared through Redis (splitkit-redis)");
    let (_server, url) = match RedisServer::start() {
        Ok(started) => started,
        Err(e) => {
            println!("\nSkipped: {e}");
            return Ok(());
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        connect(&url).await?;
        lookups(&url).await?;
        println!(
            "\n### Refresh under contention (expired token, token endpoint {} ms, Redis on loopback, 10 rounds)\n",
            REFRESH_LATENCY.as_millis()
        );
        let mut table = Table::new(&[
            "instances × concurrent calls",
            "token requests per round",
            "call latency p50",
            "p99",
            "all calls served (median)",
            "refused refreshes",
        ]);
        contention(&url, 1, 1000, 10, &mut table).await?;
        contention(&url, 4, 250, 10, &mut table).await?;
        contention(&url, 10, 100, 10, &mut table).await?;
        table.print();
        Ok(())
    })
}
