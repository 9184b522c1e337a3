//! Outgoing webhooks: signing, delivery with bounded retries, and the delivery log.
//!
//! Handlers never send anything themselves: they queue a [`Job`] and answer. One dispatcher
//! task makes every first attempt in the order the events happened; a failed delivery is then
//! retried by its own task on the configured schedule, so a slow or failing receiver delays
//! neither the API nor other deliveries for long.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::Serialize;
use tokio::sync::{mpsc, watch};

use crate::server::Shared;
use crate::util;

/// The provider whose API produced a webhook (or a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Provider {
    /// Ante (`/ante/...`).
    Ante,
    /// FairShare (`/fairshare/...`).
    #[serde(rename = "fairshare")]
    FairShare,
    /// Splitable (`/splitable/...`).
    Splitable,
    /// Zepto (`/zepto/...`).
    Zepto,
}

impl Provider {
    /// The lowercase name used in URLs and in the delivery log.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Ante => "ante",
            Provider::FairShare => "fairshare",
            Provider::Splitable => "splitable",
            Provider::Zepto => "zepto",
        }
    }

    /// Parses the lowercase name.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "ante" => Some(Provider::Ante),
            "fairshare" => Some(Provider::FairShare),
            "splitable" => Some(Provider::Splitable),
            "zepto" => Some(Provider::Zepto),
            _ => None,
        }
    }
}

/// One attempt to deliver a webhook, as recorded in the delivery log
/// ([`RunningEmulator::webhooks_sent`](crate::RunningEmulator::webhooks_sent),
/// `GET /_emulator/webhooks`).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Position in the log (increasing, starting at 1).
    pub seq: u64,
    /// The provider that sent it.
    pub provider: Provider,
    /// The event type (`group.funded`, `split_session.completed`, `paid`, `debit.cleared`, ...).
    /// For Splitable, the callback's `payment_status`.
    pub event_type: String,
    /// The event id when the provider has one (Ante and FairShare body `id`, Zepto
    /// `Split-Request-ID`, Splitable `transaction_id`). The same on every attempt.
    pub event_id: Option<String>,
    /// Where it was sent.
    pub url: String,
    /// The request headers, names in lower case.
    pub headers: BTreeMap<String, String>,
    /// The exact request body.
    pub body: String,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why no answer was received (connection refused, timeout, ...).
    pub error: Option<String>,
    /// 1 for the first attempt, 2 for the first retry, and so on.
    pub attempt: u32,
    /// Whether the provider counts this attempt as delivered (no retry follows).
    pub delivered: bool,
    /// Emulator time of the attempt (RFC 3339).
    pub sent_at: String,
}

impl WebhookDelivery {
    /// A request header by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The body parsed as JSON (`None` for Splitable's form callbacks).
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The body's form fields (Splitable callbacks).
    pub fn form(&self) -> BTreeMap<String, String> {
        util::form_map(self.body.as_bytes())
    }
}

/// How a job's headers are signed on each attempt.
#[derive(Debug, Clone)]
pub(crate) enum Signing {
    /// `Ante-Signature: t=<unix>,v1=<hex>` over `"<t>.<body>"`.
    Ante { secret: String },
    /// `X-SplitPay-Signature: v1=<hex>` over `"<X-SplitPay-Timestamp>.<body>"`, plus the event
    /// and per-attempt delivery headers.
    FairShare { key: String },
    /// No signature: the form carries the shared `api_secret`.
    Splitable,
    /// `Split-Signature: <unix>.<hex>` over `"<unix>.<body>"` and a stable `Split-Request-ID`.
    Zepto { secret: String, request_id: String },
}

/// A webhook to deliver.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) provider: Provider,
    pub(crate) event_type: String,
    pub(crate) event_id: Option<String>,
    pub(crate) url: String,
    pub(crate) body: Bytes,
    pub(crate) signing: Signing,
    /// The Zepto webhook delivery this job updates (for the deliveries API).
    pub(crate) zepto_delivery: Option<String>,
}

impl Job {
    fn content_type(&self) -> &'static str {
        match self.provider {
            Provider::Splitable => "application/x-www-form-urlencoded",
            _ => "application/json",
        }
    }

    /// Whether the provider stops retrying after an answer with `status`.
    fn delivered(&self, status: Option<u16>) -> bool {
        match (self.provider, status) {
            (_, None) => false,
            // Zepto: any HTTP answer counts as delivered; only no answer is retried.
            (Provider::Zepto, Some(_)) => true,
            // Splitable: exactly 200, nothing else.
            (Provider::Splitable, Some(s)) => s == 200,
            // FairShare: any 2xx, and 409 ("already processed").
            (Provider::FairShare, Some(s)) => (200..300).contains(&s) || s == 409,
            (Provider::Ante, Some(s)) => (200..300).contains(&s),
        }
    }

    fn headers(&self, unix: i64) -> Vec<(&'static str, String)> {
        let ts = unix.to_string();
        let mut headers = vec![
            ("content-type", self.content_type().to_string()),
            (
                "user-agent",
                format!("splitkit-emulator/{}", env!("CARGO_PKG_VERSION")),
            ),
        ];
        match &self.signing {
            Signing::Ante { secret } => {
                let sig =
                    splitkit_common::webhook::sign(secret, &[ts.as_bytes(), b".", &self.body]);
                headers.push(("ante-signature", format!("t={ts},v1={sig}")));
            }
            Signing::FairShare { key } => {
                let sig = splitkit_common::webhook::sign(key, &[ts.as_bytes(), b".", &self.body]);
                headers.push(("x-splitpay-event", self.event_type.clone()));
                headers.push(("x-splitpay-delivery", util::uuid()));
                headers.push(("x-splitpay-timestamp", ts));
                headers.push(("x-splitpay-signature", format!("v1={sig}")));
            }
            Signing::Splitable => {}
            Signing::Zepto { secret, request_id } => {
                let sig =
                    splitkit_common::webhook::sign(secret, &[ts.as_bytes(), b".", &self.body]);
                headers.push(("split-request-id", request_id.clone()));
                headers.push(("split-signature", format!("{ts}.{sig}")));
            }
        }
        headers
    }
}

/// The HTTP client the dispatcher uses: no proxies, no redirects.
pub(crate) fn http_client(timeout: Duration) -> reqwest::Client {
    let plain = || {
        reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
    };
    // Start from the runtime's builder, so the client has the TLS stack (and crypto provider)
    // that the program was built with, even though webhook URLs are usually plain HTTP.
    splitkit_common::tls::http_client_builder()
        .map(|b| {
            b.no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(timeout)
        })
        .unwrap_or_else(|_| plain())
        .build()
        .or_else(|_| plain().build())
        .unwrap_or_default()
}

/// Runs until shutdown: makes the first attempt of each queued job, in order, and hands failed
/// ones to a retry task.
pub(crate) async fn run_dispatcher(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<Job>,
    mut shutdown: watch::Receiver<bool>,
) {
    let client = http_client(shared.config.webhook_timeout);
    loop {
        let job = tokio::select! {
            _ = shutdown.changed() => return,
            job = rx.recv() => match job {
                Some(job) => job,
                None => return,
            },
        };
        if attempt(&shared, &client, &job, 1).await {
            continue;
        }
        let delays = shared.config.webhook_retry_delays.clone();
        if delays.is_empty() {
            continue;
        }
        let (shared, client, mut shutdown) = (shared.clone(), client.clone(), shutdown.clone());
        tokio::spawn(async move {
            let retries = async {
                for (i, delay) in delays.iter().enumerate() {
                    tokio::time::sleep(*delay).await;
                    let n = u32::try_from(i).unwrap_or(u32::MAX).saturating_add(2);
                    if attempt(&shared, &client, &job, n).await {
                        return;
                    }
                }
            };
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = retries => {}
            }
        });
    }
}

/// Re-sends one job once, outside the normal schedule (Zepto's "resend a delivery").
pub(crate) fn resend(shared: &Arc<Shared>, job: Job, attempt_no: u32) {
    let shared = shared.clone();
    let mut shutdown = shared.shutdown.subscribe();
    tokio::spawn(async move {
        let client = http_client(shared.config.webhook_timeout);
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = attempt(&shared, &client, &job, attempt_no) => {}
        }
    });
}

/// One delivery attempt; records it and says whether the provider would stop retrying.
async fn attempt(shared: &Arc<Shared>, client: &reqwest::Client, job: &Job, n: u32) -> bool {
    let now = shared.clock.now();
    let headers = job.headers(now.unix_timestamp());
    let mut request = client.post(&job.url).body(job.body.clone());
    for (name, value) in &headers {
        request = request.header(*name, value.as_str());
    }
    let (status, error) = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            // Read (and drop) the body so the connection can be reused.
            let _ = response.bytes().await;
            (Some(status), None)
        }
        Err(e) => (None, Some(describe(&e))),
    };
    let delivered = job.delivered(status);
    let retries_left =
        usize::try_from(n).unwrap_or(usize::MAX) <= shared.config.webhook_retry_delays.len();
    if let Some(delivery_id) = &job.zepto_delivery {
        crate::zepto::record_delivery_result(shared, delivery_id, status, delivered, retries_left);
    }
    shared.log_delivery(WebhookDelivery {
        seq: 0,
        provider: job.provider,
        event_type: job.event_type.clone(),
        event_id: job.event_id.clone(),
        url: job.url.clone(),
        headers: headers
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        body: String::from_utf8_lossy(&job.body).into_owned(),
        status,
        error,
        attempt: n,
        delivered,
        sent_at: util::iso_millis(now),
    });
    delivered
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out waiting for the receiver".into()
    } else if e.is_connect() {
        "could not connect to the receiver".into()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(provider: Provider, signing: Signing) -> Job {
        Job {
            provider,
            event_type: "x.y".into(),
            event_id: None,
            url: "http://127.0.0.1:1/".into(),
            body: Bytes::from_static(b"{\"a\":1}"),
            signing,
            zepto_delivery: None,
        }
    }

    #[test]
    fn success_rules_follow_each_provider() {
        let ante = job(Provider::Ante, Signing::Ante { secret: "s".into() });
        assert!(ante.delivered(Some(204)));
        assert!(!ante.delivered(Some(409)));
        let fs = job(Provider::FairShare, Signing::FairShare { key: "k".into() });
        assert!(fs.delivered(Some(409)));
        assert!(!fs.delivered(Some(500)));
        let sp = job(Provider::Splitable, Signing::Splitable);
        assert!(sp.delivered(Some(200)));
        assert!(!sp.delivered(Some(201)));
        let z = job(
            Provider::Zepto,
            Signing::Zepto {
                secret: "1234".into(),
                request_id: "r".into(),
            },
        );
        assert!(z.delivered(Some(500)));
        assert!(!z.delivered(None));
    }

    #[test]
    fn zepto_signature_matches_the_documented_vector() {
        let mut z = job(
            Provider::Zepto,
            Signing::Zepto {
                secret: "1234".into(),
                request_id: "r".into(),
            },
        );
        z.body = Bytes::from_static(b"full payload of the request");
        let headers = z.headers(1_514_772_000);
        let sig = headers
            .iter()
            .find(|(k, _)| *k == "split-signature")
            .map(|(_, v)| v.clone());
        assert_eq!(
            sig.as_deref(),
            Some("1514772000.f04cb05adb985b29d84616fbf3868e8e58403ff819cdc47ad8fc47e6acbce29f")
        );
    }

    #[test]
    fn fairshare_delivery_id_changes_per_attempt() {
        let fs = job(Provider::FairShare, Signing::FairShare { key: "k".into() });
        let id = |h: Vec<(&'static str, String)>| {
            h.into_iter()
                .find(|(k, _)| *k == "x-splitpay-delivery")
                .map(|(_, v)| v)
        };
        assert_ne!(id(fs.headers(1)), id(fs.headers(1)));
    }
}
