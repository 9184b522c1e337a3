//! The shared state, the router that mounts every provider, and the plumbing between them:
//! the request log and fault injection in front of every provider, and error reshaping behind.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State as Extract};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use time::OffsetDateTime;
use tokio::sync::{Notify, mpsc, watch};

use crate::clock::EmulatorClock;
use crate::config::EmulatorConfig;
use crate::faults::{ApiRequest, Fault, InjectedFault, MAX_LOGGED_BODY};
use crate::operations::{self, Surface};
use crate::retry::RetryQueue;
use crate::serve::ResetConnection;
use crate::webhooks::{self, Job, Provider, WebhookDelivery};
use crate::{ante, control_api, fairshare, splitable, util, zepto};

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

/// A bounded log, oldest first, with increasing sequence numbers from 1.
#[derive(Debug)]
struct Log<T> {
    entries: Mutex<VecDeque<T>>,
    seq: AtomicU64,
    max: usize,
}

impl<T: Clone> Log<T> {
    fn new(max: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            seq: AtomicU64::new(0),
            max: max.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<T>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends the entry that `make` builds from its sequence number.
    fn push(&self, make: impl FnOnce(u64) -> T) {
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let mut entries = self.lock();
        entries.push_back(make(seq));
        while entries.len() > self.max {
            entries.pop_front();
        }
    }

    fn all(&self) -> Vec<T> {
        self.lock().iter().cloned().collect()
    }

    fn clear(&self) {
        self.lock().clear();
    }
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    /// `http://127.0.0.1:PORT`, used to build links the emulator hands out.
    pub(crate) base_url: String,
    pub(crate) clock: Arc<EmulatorClock>,
    state: Mutex<State>,
    deliveries: Log<WebhookDelivery>,
    pub(crate) log_notify: Notify,
    requests: Log<ApiRequest>,
    outbox: mpsc::Sender<Job>,
    /// Failed deliveries waiting for their next attempt.
    pub(crate) retries: RetryQueue,
    /// The client that delivers webhooks.
    pub(crate) webhook_client: reqwest::Client,
    faults: Mutex<Vec<InjectedFault>>,
    /// How many times the emulator was reset.
    epoch: AtomicU64,
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
    /// Whether requests are held to what the provider documents (see
    /// [`EmulatorConfig::lenient`]).
    pub(crate) strict: bool,
    pub(crate) jobs: Vec<Job>,
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
            deliveries: Log::new(config.max_logged_deliveries),
            requests: Log::new(config.max_logged_requests),
            config,
            base_url,
            clock: Arc::new(EmulatorClock::default()),
            state: Mutex::new(state),
            log_notify: Notify::new(),
            outbox,
            retries: RetryQueue::default(),
            webhook_client,
            faults: Mutex::new(Vec::new()),
            epoch: AtomicU64::new(0),
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
            strict: !self.config.lenient,
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

    /// How many times the emulator was reset.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    fn enqueue(&self, jobs: Vec<Job>) {
        for mut job in jobs {
            job.epoch = self.epoch();
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
                    sent_at: util::iso_millis(self.clock.now()),
                    next_attempt_at: None,
                });
            }
        }
    }

    /// Appends to the delivery log (dropping the oldest entries beyond the configured bound)
    /// and wakes anyone waiting for a delivery.
    pub(crate) fn log_delivery(&self, delivery: WebhookDelivery) {
        self.deliveries
            .push(|seq| WebhookDelivery { seq, ..delivery });
        self.log_notify.notify_waiters();
    }

    /// A copy of the delivery log, oldest first.
    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        self.deliveries.all()
    }

    /// Empties the delivery log.
    pub(crate) fn clear_deliveries(&self) {
        self.deliveries.clear();
    }

    /// A copy of the request log, oldest first.
    pub(crate) fn requests(&self) -> Vec<ApiRequest> {
        self.requests.all()
    }

    /// Empties the request log.
    pub(crate) fn clear_requests(&self) {
        self.requests.clear();
    }

    /// Forgets every resource, fault, waiting retry and logged delivery and request, and sets
    /// the clock back to real time.
    pub(crate) fn reset(&self) {
        {
            let mut state = self.lock_state();
            *state = State::new(&self.config);
            self.epoch.fetch_add(1, Ordering::SeqCst);
        }
        self.clear_faults();
        self.retries.clear();
        self.clear_deliveries();
        self.clear_requests();
        self.clock.reset();
    }

    /// Moves the emulator clock forward and applies what became due.
    pub(crate) fn advance_clock(&self, seconds: i64) {
        self.clock.advance(seconds);
        self.tick();
        self.retries.wake.notify_one();
    }

    fn lock_faults(&self) -> MutexGuard<'_, Vec<InjectedFault>> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn add_fault(&self, fault: InjectedFault) {
        self.lock_faults().push(fault);
    }

    pub(crate) fn faults(&self) -> Vec<InjectedFault> {
        self.lock_faults().clone()
    }

    pub(crate) fn clear_faults(&self) {
        self.lock_faults().clear();
    }

    /// Takes one use of the first injected fault for this request, if any is pending.
    fn take_fault(&self, provider: Provider, operation: Option<&str>) -> Option<Fault> {
        let mut faults = self.lock_faults();
        let i = faults
            .iter()
            .position(|f| f.applies_to(provider, operation))?;
        let fault = faults[i].fault.clone();
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

/// An error answer in the shape of the surface's provider.
fn provider_error(surface: Surface, status: StatusCode, message: &str) -> Response {
    match surface {
        Surface::Api(Provider::Ante) => ante::error(status, message, None),
        Surface::Api(Provider::FairShare) => {
            fairshare::error(status, fairshare::code_for(status), message)
        }
        Surface::Api(Provider::Splitable) => splitable::error_with_status(status, message),
        Surface::Api(Provider::Zepto) => zepto::detailed_error(
            status,
            status.canonical_reason().unwrap_or("Error"),
            message,
            None,
        ),
        Surface::ZeptoOAuth => {
            let error = match status.as_u16() {
                500..=599 => "server_error",
                429 => "temporarily_unavailable",
                _ => "invalid_request",
            };
            zepto::oauth_error(status, error, message)
        }
    }
}

/// A response that is never sent: the connection is reset instead.
fn reset_response() -> Response {
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(ResetConnection);
    response.extensions_mut().insert(Shaped);
    response
}

/// In front of every provider: names the operation, applies an injected fault, runs the
/// request, and logs it.
async fn intercept(
    Extract((shared, surface)): Extract<(Arc<Shared>, Surface)>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let operation = operations::find(surface, &method, &path).map(|o| o.id);
    let idempotency_key = util::header(request.headers(), "idempotency-key").map(str::to_string);
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return provider_error(
                surface,
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large",
            );
        }
    };
    let logged_body =
        String::from_utf8_lossy(&body[..body.len().min(MAX_LOGGED_BODY)]).into_owned();
    let request = Request::from_parts(parts, Body::from(body));
    let fault = shared.take_fault(surface.provider(), operation);
    let log = |status: Option<u16>| {
        shared.requests.push(|seq| ApiRequest {
            seq,
            provider: surface.provider(),
            operation: operation.map(str::to_string),
            method,
            path,
            query,
            idempotency_key,
            body: logged_body,
            status,
            fault: fault.as_ref().map(Fault::describe),
            at: util::iso_millis(shared.clock.now()),
        });
    };
    let response = match &fault {
        None | Some(Fault::Delay { .. }) => {
            if let Some(Fault::Delay { ms }) = &fault {
                pause(&shared, *ms).await;
            }
            next.run(request).await
        }
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let response = provider_error(surface, status, "Injected fault (emulator)");
            with_retry_after(response, *retry_after)
        }
        Some(Fault::Hang { ms }) => {
            // Logged first: the client may give up (and the connection go) before the end.
            log(None);
            pause(&shared, *ms).await;
            return reset_response();
        }
        Some(Fault::Reset) => {
            log(None);
            return reset_response();
        }
    };
    log(Some(response.status().as_u16()));
    response
}

/// The largest request body the emulator reads (as axum's default).
const MAX_REQUEST_BODY: usize = 2 * 1024 * 1024;

/// Waits `ms` milliseconds of real time, or until the emulator stops.
async fn pause(shared: &Shared, ms: u64) {
    let mut shutdown = shared.shutdown.subscribe();
    tokio::select! {
        _ = tokio::time::sleep(Duration::from_millis(ms)) => {}
        _ = shutdown.wait_for(|stop| *stop) => {}
    }
}

/// Gives every error answer that a handler did not shape itself (unknown method, bad path
/// parameter, oversized body) the provider's error shape.
async fn reshape(Extract(surface): Extract<Surface>, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Shaped>().is_some()
    {
        return response;
    }
    let mut shaped = provider_error(
        surface,
        status,
        status.canonical_reason().unwrap_or("Error"),
    );
    if let Some(allow) = response.headers().get(header::ALLOW) {
        shaped.headers_mut().insert(header::ALLOW, allow.clone());
    }
    shaped
}

/// Wraps a provider's router with the request log, fault injection and error reshaping.
fn provider_layers(
    router: Router<Arc<Shared>>,
    shared: &Arc<Shared>,
    surface: Surface,
) -> Router<Arc<Shared>> {
    router
        .layer(middleware::from_fn_with_state(
            (shared.clone(), surface),
            intercept,
        ))
        .layer(middleware::map_response_with_state(surface, reshape))
}

/// The whole application.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let reshaped = |router: Router<Arc<Shared>>, provider| {
        router.layer(middleware::map_response_with_state(
            Surface::Api(provider),
            reshape,
        ))
    };
    let api = |provider| Surface::Api(provider);
    Router::new()
        .nest(
            "/ante/api/v1",
            provider_layers(ante::api_router(), &shared, api(Provider::Ante)),
        )
        .nest("/ante", reshaped(ante::pages_router(), Provider::Ante))
        .nest(
            "/fairshare/api/v1",
            provider_layers(fairshare::api_router(), &shared, api(Provider::FairShare)),
        )
        .nest(
            "/fairshare",
            reshaped(fairshare::pages_router(), Provider::FairShare),
        )
        .nest(
            "/splitable",
            provider_layers(splitable::router(), &shared, api(Provider::Splitable))
                .layer(middleware::map_response(splitable::with_request_id)),
        )
        .nest(
            "/zepto/api",
            provider_layers(zepto::api_router(), &shared, api(Provider::Zepto)),
        )
        .nest(
            "/zepto/go",
            provider_layers(zepto::oauth_router(), &shared, Surface::ZeptoOAuth),
        )
        .nest("/_emulator", control_api::router())
        .fallback(control_api::not_found)
        .with_state(shared)
}
