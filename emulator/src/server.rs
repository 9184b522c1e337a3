//! The shared state, the router that mounts every provider, and the plumbing between them.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::{Notify, mpsc, watch};

use crate::clock::EmulatorClock;
use crate::config::EmulatorConfig;
use crate::retry::RetryQueue;
use crate::webhooks::{self, Job, Provider, WebhookDelivery};
use crate::{ante, control, fairshare, splitable, zepto};

/// Marks a response as already in its provider's error shape, so the reshaping layer leaves it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shaped;

/// A JSON response marked as shaped.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response.extensions_mut().insert(Shaped);
    response
}

/// Adds `Retry-After: <seconds>` to a response.
pub(crate) fn with_retry_after(mut response: Response, seconds: Option<u64>) -> Response {
    if let Some(s) = seconds
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    /// `http://127.0.0.1:PORT`, used to build links the emulator hands out.
    pub(crate) base_url: String,
    pub(crate) clock: Arc<EmulatorClock>,
    state: Mutex<State>,
    log: Mutex<VecDeque<WebhookDelivery>>,
    log_seq: AtomicU64,
    pub(crate) log_notify: Notify,
    outbox: mpsc::Sender<Job>,
    /// Failed deliveries waiting for their next attempt.
    pub(crate) retries: RetryQueue,
    /// The client that delivers webhooks.
    pub(crate) webhook_client: reqwest::Client,
    faults: Mutex<Vec<Fault>>,
    pub(crate) shutdown: watch::Sender<bool>,
}

/// The providers' in-memory state.
pub(crate) struct State {
    pub(crate) ante: ante::AnteState,
    pub(crate) fairshare: fairshare::FairShareState,
    pub(crate) splitable: splitable::SplitableState,
    pub(crate) zepto: zepto::ZeptoState,
}

impl State {
    fn new(config: &EmulatorConfig) -> Self {
        Self {
            ante: ante::AnteState::default(),
            fairshare: fairshare::FairShareState::new(config),
            splitable: splitable::SplitableState::default(),
            zepto: zepto::ZeptoState::new(config),
        }
    }
}

/// What a handler sees besides its provider's state: the time, the configuration, and the
/// webhooks it queues (sent once the state lock is released).
pub(crate) struct Ctx<'a> {
    pub(crate) now: OffsetDateTime,
    pub(crate) base_url: &'a str,
    pub(crate) jobs: Vec<Job>,
}

/// A fault injected through `POST /_emulator/faults`: the next `remaining` API requests to
/// `provider` answer `status` in the provider's error shape.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Fault {
    pub(crate) provider: Provider,
    pub(crate) status: u16,
    pub(crate) remaining: u32,
    pub(crate) retry_after: Option<u64>,
}

/// The capacity of the webhook queue; beyond it, webhooks are dropped and the drop is logged.
const OUTBOX_CAPACITY: usize = 4096;

impl Shared {
    pub(crate) fn new(
        config: EmulatorConfig,
        base_url: String,
    ) -> (Arc<Self>, mpsc::Receiver<Job>) {
        let (outbox, rx) = mpsc::channel(OUTBOX_CAPACITY);
        let (shutdown, _) = watch::channel(false);
        let state = State::new(&config);
        let webhook_client = webhooks::http_client(config.webhook_timeout);
        let shared = Arc::new(Self {
            config,
            base_url,
            clock: Arc::new(EmulatorClock::default()),
            state: Mutex::new(state),
            log: Mutex::new(VecDeque::new()),
            log_seq: AtomicU64::new(0),
            log_notify: Notify::new(),
            outbox,
            retries: RetryQueue::default(),
            webhook_client,
            faults: Mutex::new(Vec::new()),
            shutdown,
        });
        (shared, rx)
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the state under the lock, after applying every expiry that is due, then
    /// queues the webhooks it produced.
    pub(crate) fn run<R>(&self, f: impl FnOnce(&mut State, &mut Ctx<'_>) -> R) -> R {
        let mut cx = Ctx {
            now: self.clock.now(),
            base_url: &self.base_url,
            jobs: Vec::new(),
        };
        let result = {
            let mut state = self.lock_state();
            sweep(&mut state, &mut cx);
            f(&mut state, &mut cx)
        };
        let jobs = std::mem::take(&mut cx.jobs);
        self.enqueue(jobs);
        result
    }

    /// Applies due expiries (and Zepto's PayID activation) without doing anything else.
    pub(crate) fn tick(&self) {
        self.run(|_, _| ());
    }

    fn enqueue(&self, jobs: Vec<Job>) {
        for job in jobs {
            if let Err(e) = self.outbox.try_send(job) {
                let job = match e {
                    mpsc::error::TrySendError::Full(job)
                    | mpsc::error::TrySendError::Closed(job) => job,
                };
                self.log_delivery(WebhookDelivery {
                    seq: 0,
                    provider: job.provider,
                    event_type: job.event_type,
                    event_id: job.event_id,
                    url: job.url,
                    headers: Default::default(),
                    body: String::from_utf8_lossy(&job.body).into_owned(),
                    status: None,
                    error: Some("the emulator's webhook queue is full; webhook dropped".into()),
                    attempt: 0,
                    delivered: false,
                    sent_at: crate::util::iso_millis(self.clock.now()),
                    next_attempt_at: None,
                });
            }
        }
    }

    /// Appends to the delivery log (dropping the oldest entries beyond the configured bound)
    /// and wakes anyone waiting for a delivery.
    pub(crate) fn log_delivery(&self, mut delivery: WebhookDelivery) {
        delivery.seq = self.log_seq.fetch_add(1, Ordering::SeqCst) + 1;
        {
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            log.push_back(delivery);
            while log.len() > self.config.max_logged_deliveries.max(1) {
                log.pop_front();
            }
        }
        self.log_notify.notify_waiters();
    }

    /// A copy of the delivery log, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Empties the delivery log.
    pub(crate) fn clear_deliveries(&self) {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Forgets every resource, fault, waiting retry and logged delivery, and sets the clock back
    /// to real time.
    pub(crate) fn reset(&self) {
        {
            let mut state = self.lock_state();
            *state = State::new(&self.config);
        }
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.retries.clear();
        self.clear_deliveries();
        self.clock.reset();
    }

    /// Moves the emulator clock forward and applies what became due.
    pub(crate) fn advance_clock(&self, seconds: i64) {
        self.clock.advance(seconds);
        self.tick();
        self.retries.wake.notify_one();
    }

    pub(crate) fn add_fault(&self, fault: Fault) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(fault);
    }

    pub(crate) fn faults(&self) -> Vec<Fault> {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn clear_faults(&self) {
        self.faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Takes one injected fault for `provider`, if any is pending.
    fn take_fault(&self, provider: Provider) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(|e| e.into_inner());
        let i = faults.iter().position(|f| f.provider == provider)?;
        let fault = faults[i].clone();
        if faults[i].remaining <= 1 {
            faults.remove(i);
        } else {
            faults[i].remaining -= 1;
        }
        Some(fault)
    }
}

fn sweep(state: &mut State, cx: &mut Ctx<'_>) {
    ante::sweep(&mut state.ante, cx);
    fairshare::sweep(&mut state.fairshare, cx);
    splitable::sweep(&mut state.splitable, cx);
    zepto::sweep(&mut state.zepto, cx);
}

/// Answers an injected fault, in the provider's error shape, instead of running the handler.
async fn inject_faults(
    Extract((shared, provider)): Extract<(Arc<Shared>, Provider)>,
    request: Request,
    next: Next,
) -> Response {
    match shared.take_fault(provider) {
        Some(fault) => {
            let status =
                StatusCode::from_u16(fault.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let response = match provider {
                Provider::Ante => ante::error(status, "Injected fault (emulator)", None),
                Provider::FairShare => fairshare::error(
                    status,
                    fairshare::code_for(status),
                    "Injected fault (emulator)",
                ),
                Provider::Splitable => {
                    splitable::error_with_status(status, "Injected fault (emulator)")
                }
                Provider::Zepto => zepto::detailed_error(
                    status,
                    status.canonical_reason().unwrap_or("Error"),
                    "Injected fault (emulator)",
                    None,
                ),
            };
            with_retry_after(response, fault.retry_after)
        }
        None => next.run(request).await,
    }
}

/// Gives every error answer that a handler did not shape itself (unknown method, bad path
/// parameter, oversized body) the provider's error shape.
async fn reshape(Extract(provider): Extract<Provider>, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Shaped>().is_some()
    {
        return response;
    }
    let message = status.canonical_reason().unwrap_or("Error");
    let mut shaped = match provider {
        Provider::Ante => ante::error(status, message, None),
        Provider::FairShare => fairshare::error(status, fairshare::code_for(status), message),
        Provider::Splitable => splitable::error_with_status(status, message),
        Provider::Zepto => zepto::detailed_error(status, message, message, None),
    };
    if let Some(allow) = response.headers().get(header::ALLOW) {
        shaped.headers_mut().insert(header::ALLOW, allow.clone());
    }
    shaped
}

/// Gives unshaped error answers of Zepto's OAuth host the OAuth2 error shape.
async fn reshape_oauth(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Shaped>().is_some()
    {
        return response;
    }
    let error = match status.as_u16() {
        500..=599 => "server_error",
        _ => "invalid_request",
    };
    let mut shaped =
        zepto::oauth_error(status, error, status.canonical_reason().unwrap_or("Error"));
    if let Some(allow) = response.headers().get(header::ALLOW) {
        shaped.headers_mut().insert(header::ALLOW, allow.clone());
    }
    shaped
}

/// Wraps a provider's router with fault injection and error reshaping.
fn provider_layers(
    router: Router<Arc<Shared>>,
    shared: &Arc<Shared>,
    provider: Provider,
) -> Router<Arc<Shared>> {
    router
        .layer(middleware::from_fn_with_state(
            (shared.clone(), provider),
            inject_faults,
        ))
        .layer(middleware::map_response_with_state(provider, reshape))
}

/// The whole application.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let reshaped = |router: Router<Arc<Shared>>, provider| {
        router.layer(middleware::map_response_with_state(provider, reshape))
    };
    Router::new()
        .nest(
            "/ante/api/v1",
            provider_layers(ante::api_router(), &shared, Provider::Ante),
        )
        .nest("/ante", reshaped(ante::pages_router(), Provider::Ante))
        .nest(
            "/fairshare/api/v1",
            provider_layers(fairshare::api_router(), &shared, Provider::FairShare),
        )
        .nest(
            "/fairshare",
            reshaped(fairshare::pages_router(), Provider::FairShare),
        )
        .nest(
            "/splitable",
            provider_layers(splitable::router(), &shared, Provider::Splitable)
                .layer(middleware::map_response(splitable::with_request_id)),
        )
        .nest(
            "/zepto/api",
            provider_layers(zepto::api_router(), &shared, Provider::Zepto),
        )
        .nest(
            "/zepto/go",
            zepto::oauth_router().layer(middleware::map_response(reshape_oauth)),
        )
        .nest("/_emulator", control::router())
        .fallback(control::not_found)
        .with_state(shared)
}
