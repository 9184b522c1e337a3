//! Outgoing webhooks: signing, delivery with bounded retries, and the delivery log.
//!
//! Handlers never send anything themselves: they queue a [`Job`] and answer. One dispatcher
//! task makes every first attempt in the order the events happened; a failed delivery goes to
//! the retry queue ([`crate::retry`]), whose task makes each retry when the emulator clock
//! reaches it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};

use crate::server::Shared;
use crate::util;

/// The provider whose API produced a webhook (or a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The four providers.
    pub const ALL: [Provider; 4] = [
        Provider::Ante,
        Provider::FairShare,
        Provider::Splitable,
        Provider::Zepto,
    ];

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
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// When the provider tries again (emulator time, RFC 3339), if this attempt failed and its
    /// schedule has another ([`RetrySchedule`](crate::RetrySchedule)).
    pub next_attempt_at: Option<String>,
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
    /// The emulator's reset count when the job was queued: a job from before a reset is
    /// dropped, not sent.
    pub(crate) epoch: u64,
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

/// The HTTP client that delivers webhooks: no proxies, no redirects.
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

/// Runs until shutdown: makes the first attempt of each queued job, in the order the events
/// happened. A failed attempt queues the job's retry for its provider's schedule.
pub(crate) async fn run_dispatcher(
    shared: Arc<Shared>,
    mut rx: mpsc::Receiver<Job>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let job = tokio::select! {
            _ = shutdown.changed() => return,
            job = rx.recv() => match job {
                Some(job) => job,
                None => return,
            },
        };
        let first_at = shared.clock.now();
        deliver(&shared, job, 1, first_at).await;
    }
}

/// Runs until shutdown: makes the retries that come due, at their emulator time. It sleeps
/// until the earliest is due, and wakes early when a retry is queued or the clock moves.
pub(crate) async fn run_retries(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let woken = shared.retries.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        deliver_due(&shared).await;
        let wait = shared.retries.next_due().map_or(MAX_RETRY_SLEEP, |due| {
            Duration::try_from(due - shared.clock.now())
                .unwrap_or(Duration::ZERO)
                .min(MAX_RETRY_SLEEP)
        });
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = &mut woken => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// The longest the retry task sleeps without looking at the queue again.
const MAX_RETRY_SLEEP: Duration = Duration::from_secs(60);

/// Makes every retry due now, together, and then those their failures made due (a clock moved
/// an hour ahead catches up on an hour of retries), until none is due.
pub(crate) async fn deliver_due(shared: &Arc<Shared>) {
    loop {
        let due = shared.retries.take_due(shared.clock.now());
        if due.is_empty() {
            return;
        }
        let mut attempts = tokio::task::JoinSet::new();
        for retry in due {
            let shared = shared.clone();
            attempts.spawn(async move {
                deliver(&shared, retry.job, retry.attempt, retry.first_at).await;
                shared.retries.finished();
            });
        }
        while attempts.join_next().await.is_some() {}
    }
}

/// Waits until no retry is due and none is being made (after the clock moved).
pub(crate) async fn settle(shared: &Arc<Shared>) {
    loop {
        let settled = shared.retries.settled.notified();
        tokio::pin!(settled);
        settled.as_mut().enable();
        deliver_due(shared).await;
        if shared.retries.is_settled(shared.clock.now()) {
            return;
        }
        // An attempt taken by the retry task is still running: wait for it.
        let _ = tokio::time::timeout(shared.config.webhook_timeout, settled).await;
    }
}

/// Attempt number `attempt` of `job`; when it fails and the provider's schedule has another,
/// queues it.
async fn deliver(shared: &Arc<Shared>, job: Job, attempt: u32, first_at: OffsetDateTime) {
    let next_due = shared
        .config
        .retry_schedule(job.provider)
        .next_due(first_at, attempt);
    send(shared, &job, attempt, next_due.map(|due| (due, first_at))).await;
}

/// Re-sends one job once, now, outside its schedule (Zepto's "redeliver a delivery").
pub(crate) fn resend(shared: &Arc<Shared>, job: Job, attempt_no: u32) {
    let shared = shared.clone();
    let mut shutdown = shared.shutdown.subscribe();
    tokio::spawn(async move {
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = send(&shared, &job, attempt_no, None) => {}
        }
    });
}

/// One delivery attempt, recorded. `retry` is when the next attempt is due (and when the first
/// was made) if this one fails: it is queued before the attempt is logged, so whoever sees the
/// failed attempt in the log can count on the retry.
async fn send(
    shared: &Arc<Shared>,
    job: &Job,
    n: u32,
    retry: Option<(OffsetDateTime, OffsetDateTime)>,
) {
    if job.epoch != shared.epoch() {
        return;
    }
    let now = shared.clock.now();
    let headers = job.headers(now.unix_timestamp());
    let mut request = shared.webhook_client.post(&job.url).body(job.body.clone());
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
    if job.epoch != shared.epoch() {
        return;
    }
    let delivered = job.delivered(status);
    let next_due = match retry.filter(|_| !delivered) {
        Some((due, first_at)) if shared.retries.push(job.clone(), n + 1, due, first_at) => {
            Some(due)
        }
        Some(_) => {
            tracing::warn!(
                event_type = %job.event_type,
                "splitkit emulator: too many webhook retries waiting; this delivery is not retried"
            );
            None
        }
        None => None,
    };
    if let Some(delivery_id) = &job.zepto_delivery {
        crate::zepto::record_delivery_result(
            shared,
            delivery_id,
            status,
            delivered,
            next_due.is_some(),
        );
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
        next_attempt_at: next_due.map(util::iso_millis),
    });
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
pub(crate) mod tests {
    use super::*;

    /// A job of `provider`, for tests of the queue.
    pub(crate) fn job(provider: Provider) -> Job {
        let signing = match provider {
            Provider::Ante => Signing::Ante { secret: "s".into() },
            Provider::FairShare => Signing::FairShare { key: "k".into() },
            Provider::Splitable => Signing::Splitable,
            Provider::Zepto => Signing::Zepto {
                secret: "1234".into(),
                request_id: "r".into(),
            },
        };
        signed(provider, signing)
    }

    fn signed(provider: Provider, signing: Signing) -> Job {
        Job {
            provider,
            event_type: "x.y".into(),
            event_id: None,
            url: "http://127.0.0.1:1/".into(),
            body: Bytes::from_static(b"{\"a\":1}"),
            signing,
            zepto_delivery: None,
            epoch: 0,
        }
    }

    #[test]
    fn success_rules_follow_each_provider() {
        let ante = job(Provider::Ante);
        assert!(ante.delivered(Some(204)));
        assert!(!ante.delivered(Some(409)));
        let fs = job(Provider::FairShare);
        assert!(fs.delivered(Some(409)));
        assert!(!fs.delivered(Some(500)));
        let sp = job(Provider::Splitable);
        assert!(sp.delivered(Some(200)));
        assert!(!sp.delivered(Some(201)));
        let z = job(Provider::Zepto);
        assert!(z.delivered(Some(500)));
        assert!(!z.delivered(None));
    }

    #[test]
    fn zepto_signature_matches_the_documented_vector() {
        let mut z = job(Provider::Zepto);
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
        let fs = job(Provider::FairShare);
        let id = |h: Vec<(&'static str, String)>| {
            h.into_iter()
                .find(|(k, _)| *k == "x-splitpay-delivery")
                .map(|(_, v)| v)
        };
        assert_ne!(id(fs.headers(1)), id(fs.headers(1)));
    }
}
