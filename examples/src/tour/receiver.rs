//! A webhook receiver on 127.0.0.1: takes every `POST /<provider>/...`, answers 200, and hands
//! the raw headers and body to the flow that waits for it (which verifies them with the SDK).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use tokio::sync::{Mutex, mpsc};

use crate::tour::step::Outcome;

/// One delivery as it arrived.
pub struct Delivery {
    /// The request headers.
    pub headers: HeaderMap,
    /// The raw body, exactly as sent (signatures cover these bytes).
    pub body: Bytes,
}

const PROVIDERS: [&str; 4] = ["ante", "fairshare", "splitable", "zepto"];

type Senders = Arc<HashMap<&'static str, mpsc::UnboundedSender<Delivery>>>;

/// The running receiver.
pub struct Receiver {
    addr: SocketAddr,
    inboxes: HashMap<&'static str, Mutex<mpsc::UnboundedReceiver<Delivery>>>,
}

impl Receiver {
    /// Binds 127.0.0.1 on a free port and starts serving.
    pub async fn start() -> std::io::Result<Self> {
        let mut senders = HashMap::new();
        let mut inboxes = HashMap::new();
        for provider in PROVIDERS {
            let (tx, rx) = mpsc::unbounded_channel();
            senders.insert(provider, tx);
            inboxes.insert(provider, Mutex::new(rx));
        }
        let app = Router::new()
            .route("/{provider}/{*rest}", post(receive))
            .with_state(Arc::new(senders) as Senders);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { addr, inboxes })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Where `provider`'s webhooks should go.
    pub fn url(&self, provider: &str) -> String {
        format!("http://{}/{provider}/hooks", self.addr)
    }

    /// The next delivery for `provider`, waiting up to 10 s.
    pub async fn next(&self, provider: &str) -> Outcome<Delivery> {
        let inbox = self
            .inboxes
            .get(provider)
            .ok_or_else(|| format!("no inbox for {provider}"))?;
        let mut inbox = inbox.lock().await;
        match tokio::time::timeout(Duration::from_secs(10), inbox.recv()).await {
            Ok(Some(delivery)) => Ok(delivery),
            Ok(None) => Err(format!("the {provider} inbox closed")),
            Err(_) => Err(format!("no {provider} webhook arrived within 10 s")),
        }
    }
}

async fn receive(
    State(senders): State<Senders>,
    Path((provider, _rest)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match senders.get(provider.as_str()) {
        Some(tx) if tx.send(Delivery { headers, body }).is_ok() => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}
