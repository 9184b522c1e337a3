//! The loopback server every request benchmark talks to: canned Zepto answers on 127.0.0.1, in
//! a process of its own so that its CPU time, instructions and allocations are not counted
//! with the client's.
//!
//! - `GET /payments/{ref}`: the documented Payment.
//! - `GET /payments?page=&per_page=`: a page of distinct Payments with Zepto's `Link`,
//!   `Per-Page` and `Total` headers (10 million Payments in all).
//! - `GET /t/{total}/payments?...`: the same for a list of `total` Payments (streaming).
//! - `POST /oauth/token`: a new token pair after 50 ms, as a token endpoint would.
//! - `GET /__stats`: connections accepted and token requests answered so far.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;

use crate::fixtures;

/// How long the token endpoint takes to answer.
pub const TOKEN_LATENCY: Duration = Duration::from_millis(50);
/// The size of the list behind `GET /payments`.
const DEFAULT_TOTAL: u64 = 10_000_000;

/// What the server has counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// TCP connections accepted, the one that asked for these figures included.
    pub connections: u64,
    /// `POST /oauth/token` requests answered.
    pub token_requests: u64,
}

struct Shared {
    port: u16,
    payment: Bytes,
    page_100: Bytes,
    connections: AtomicU64,
    token_requests: AtomicU64,
}

/// The server, running in a child process until dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// Starts the server process (this program again, in its server role).
    pub fn start() -> Result<Self, crate::BoxError> {
        let mut child = Command::new(std::env::current_exe()?)
            .env(crate::CHILD_ROLE, "server")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout: ChildStdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .strip_prefix("listening ")
            .ok_or_else(|| format!("server said {line:?}"))?
            .parse()?;
        Ok(Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }

    /// The server's base URL, e.g. `http://127.0.0.1:40123` (no trailing `/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What the server has counted so far.
    pub fn stats(&self) -> Result<Stats, crate::BoxError> {
        // A plain HTTP/1.0 exchange on a connection of its own, counted by the server too.
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address)?;
        write!(
            stream,
            "GET /__stats HTTP/1.0\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        let body = answer.split("\r\n\r\n").nth(1).ok_or("no body")?;
        let mut numbers = body.split_whitespace().map(str::parse::<u64>);
        let mut next =
            || -> Result<u64, crate::BoxError> { Ok(numbers.next().ok_or("short stats")??) };
        Ok(Stats {
            connections: next()?,
            token_requests: next()?,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The server role: serves until the parent goes away (its stdin closes).
pub(crate) fn serve() -> Result<(), crate::BoxError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            port,
            payment: Bytes::from(fixtures::payment_response()),
            page_100: Bytes::from(fixtures::payment_page(1, 100)),
            connections: AtomicU64::new(0),
            token_requests: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/payments/{reference}", get(payment))
            .route("/payments", get(default_list))
            .route("/t/{total}/payments", get(sized_list))
            .route("/oauth/token", post(token))
            .route("/__stats", get(stats))
            .with_state(shared.clone());
        let counter = shared.clone();
        let listener = listener.tap_io(move |_| {
            counter.connections.fetch_add(1, Ordering::Relaxed);
        });
        // Stop when the parent closes our stdin (or dies).
        std::thread::spawn(|| {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
        println!("listening {port}");
        std::io::stdout().flush()?;
        axum::serve(listener, app).await?;
        Ok::<(), crate::BoxError>(())
    })
}

fn json(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn payment(State(shared): State<Arc<Shared>>, Path(_reference): Path<String>) -> Response {
    json(shared.payment.clone())
}

async fn default_list(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    list(&shared, "", DEFAULT_TOTAL, &uri)
}

async fn sized_list(
    State(shared): State<Arc<Shared>>,
    Path(total): Path<u64>,
    uri: Uri,
) -> Response {
    list(&shared, &format!("/t/{total}"), total, &uri)
}

fn query_u64(uri: &Uri, name: &str) -> Option<u64> {
    uri.query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.parse().ok())?
    })
}

/// One page of a list of `total` Payments, with Zepto's paging headers.
fn list(shared: &Shared, prefix: &str, total: u64, uri: &Uri) -> Response {
    let page = query_u64(uri, "page").unwrap_or(1).max(1);
    let per_page = query_u64(uri, "per_page").unwrap_or(25).clamp(1, 100);
    let first = (page - 1) * per_page + 1;
    let count = total.saturating_sub(first - 1).min(per_page);
    let body = if page == 1 && per_page == 100 && total >= 100 {
        shared.page_100.clone()
    } else {
        Bytes::from(fixtures::payment_page(first, count))
    };
    let last = total.div_ceil(per_page).max(1);
    let base = format!("http://127.0.0.1:{}{prefix}/payments", shared.port);
    let mut links = Vec::new();
    if page < last {
        links.push(format!(
            r#"<{base}?page={}&per_page={per_page}>; rel="next""#,
            page + 1
        ));
    }
    links.push(format!(
        r#"<{base}?page={last}&per_page={per_page}>; rel="last""#
    ));
    let mut headers = HeaderMap::new();
    if let Ok(link) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert(header::LINK, link);
    }
    headers.insert("per-page", HeaderValue::from(per_page));
    headers.insert("total", HeaderValue::from(total));
    (headers, json(body)).into_response()
}

async fn token(State(shared): State<Arc<Shared>>) -> Response {
    let n = shared.token_requests.fetch_add(1, Ordering::Relaxed) + 1;
    tokio::time::sleep(TOKEN_LATENCY).await;
    json(Bytes::from(format!(
        r#"{{"access_token":"access-{n}","refresh_token":"refresh-{n}","token_type":"bearer","expires_in":7200,"scope":"public"}}"#
    )))
}

async fn stats(State(shared): State<Arc<Shared>>) -> String {
    format!(
        "{} {}\n",
        shared.connections.load(Ordering::Relaxed),
        shared.token_requests.load(Ordering::Relaxed)
    )
}
