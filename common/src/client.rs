//! [`ApiClient`]: the one pipeline every call of every provider goes through.

use std::fmt::{self, Debug};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::Stream;
use http::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::{Instrument, field};
use url::{Position, Url};

use crate::auth::{AuthFailure, Authenticator, NoAuth};
use crate::decode;
use crate::error::{ApiError, CallContext, Error, TimeoutScope};
use crate::idempotency::{DEFAULT_MAX_KEY_LEN, IdempotencyKey};
use crate::pagination::{self, Page};
use crate::redact::mask_url;
use crate::request::Request;
use crate::retry::{self, ErrorClass, RetryPolicy};
use crate::transport::{
    HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError, TransportErrorKind,
};

/// A provider's reading of its error answers.
///
/// `common` knows no provider: each provider crate tells the pipeline what its error bodies look
/// like (code, message, request id, a typed body) and which answers need special treatment (an
/// idempotency conflict, a status that is never safe to retry).
pub trait ErrorPolicy: Send + Sync + Debug {
    /// Reads an error answer. `api` already holds the status, the raw body and the request id
    /// from the configured header; fill in what the body adds and say how to treat it.
    fn classify(&self, api: &mut ApiError, headers: &HeaderMap) -> ErrorClass;

    /// Whether a 2xx answer is in fact an error (some providers answer failures with `200` and
    /// an error body). Such an answer goes through [`ErrorPolicy::classify`] like any other
    /// error answer. Default: never.
    fn success_is_error(&self, _response: &HttpResponse) -> bool {
        false
    }
}

/// The [`ErrorPolicy`] that decodes nothing and applies the default rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultErrorPolicy;

impl ErrorPolicy for DefaultErrorPolicy {
    fn classify(&self, _api: &mut ApiError, _headers: &HeaderMap) -> ErrorClass {
        ErrorClass::Default
    }
}

struct Inner {
    provider: &'static str,
    base_url: Url,
    transport: Arc<dyn Transport>,
    auth: Arc<dyn Authenticator>,
    retry: RetryPolicy,
    errors: Arc<dyn ErrorPolicy>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    idempotency_header: HeaderName,
    idempotency_key_max_len: usize,
    request_id_header: Option<HeaderName>,
    default_headers: Vec<(HeaderName, HeaderValue)>,
    secret_fields: Vec<&'static str>,
}

/// Sends requests for one provider account: auth, idempotency keys, retries, timeouts,
/// decoding and tracing. Cheap to clone; clones share the connection pool and token cache.
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

impl Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("provider", &self.inner.provider)
            .field("base_url", &mask_url(self.inner.base_url.as_str()))
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .field("attempt_timeout", &self.inner.attempt_timeout)
            .field("deadline", &self.inner.deadline)
            .finish_non_exhaustive()
    }
}

/// Builds an [`ApiClient`].
pub struct ApiClientBuilder {
    provider: &'static str,
    base_url: String,
    transport: Option<Arc<dyn Transport>>,
    auth: Arc<dyn Authenticator>,
    retry: RetryPolicy,
    errors: Arc<dyn ErrorPolicy>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
    idempotency_header: String,
    idempotency_key_max_len: usize,
    request_id_header: Option<String>,
    user_agent: String,
    headers: Vec<(String, String)>,
    secret_fields: Vec<&'static str>,
}

impl Debug for ApiClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClientBuilder")
            .field("provider", &self.provider)
            .field("base_url", &mask_url(&self.base_url))
            .finish_non_exhaustive()
    }
}

impl ApiClientBuilder {
    /// Names the provider in every error and tracing span (`zepto`, `fairshare`, ...), and
    /// marks its answers as its own ([`Error::api_error_from`]).
    pub fn provider(mut self, name: &'static str) -> Self {
        self.provider = name;
        self
    }

    /// Sends requests with `transport` (default: a new [`ReqwestTransport`]).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sends requests with your own `reqwest` client (proxies, TLS settings, ...).
    pub fn reqwest_client(self, client: reqwest::Client) -> Self {
        self.transport(Arc::new(ReqwestTransport::with_client(client)))
    }

    /// Authenticates every attempt with `auth` (default: none).
    pub fn auth(mut self, auth: Arc<dyn Authenticator>) -> Self {
        self.auth = auth;
        self
    }

    /// Retries per `policy` (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Reads the provider's error answers with `policy`.
    pub fn error_policy(mut self, policy: Arc<dyn ErrorPolicy>) -> Self {
        self.errors = policy;
        self
    }

    /// Limits each attempt (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Limits each whole call, retries and waits included (default 120 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// The header that carries idempotency keys (default `Idempotency-Key`).
    pub fn idempotency_header(mut self, name: impl Into<String>) -> Self {
        self.idempotency_header = name.into();
        self
    }

    /// The provider's longest idempotency key (default 255).
    pub fn idempotency_key_max_len(mut self, max: usize) -> Self {
        self.idempotency_key_max_len = max;
        self
    }

    /// The answer header holding the provider's request id (for errors and tracing).
    pub fn request_id_header(mut self, name: impl Into<String>) -> Self {
        self.request_id_header = Some(name.into());
        self
    }

    /// The `User-Agent` (default `splitkit/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// JSON fields whose values are masked in decode-error excerpts (tokens, secrets).
    pub fn secret_fields(mut self, fields: &[&'static str]) -> Self {
        self.secret_fields.extend_from_slice(fields);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<ApiClient, Error> {
        let base_url = Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("base URL `{}`: {e}", mask_url(&self.base_url))))?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base URL `{}` must be an http or https URL",
                mask_url(&self.base_url)
            )));
        }
        let transport = match self.transport {
            Some(t) => t,
            None => Arc::new(ReqwestTransport::new()?),
        };
        let mut default_headers = vec![
            (ACCEPT, HeaderValue::from_static("application/json")),
            (USER_AGENT, header_value("User-Agent", &self.user_agent)?),
        ];
        for (name, value) in &self.headers {
            default_headers.push((header_name(name)?, header_value(name, value)?));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry.max_attempts must be at least 1".into(),
            ));
        }
        Ok(ApiClient {
            inner: Arc::new(Inner {
                provider: self.provider,
                base_url,
                transport,
                auth: self.auth,
                retry: self.retry,
                errors: self.errors,
                attempt_timeout: self.attempt_timeout,
                deadline: self.deadline,
                idempotency_header: header_name(&self.idempotency_header)?,
                idempotency_key_max_len: self.idempotency_key_max_len,
                request_id_header: self
                    .request_id_header
                    .as_deref()
                    .map(header_name)
                    .transpose()?,
                default_headers,
                secret_fields: self.secret_fields,
            }),
        })
    }
}

fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))
}

fn header_value(name: &str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value)
        .map_err(|_| Error::validation(name.to_owned(), "is not a valid HTTP header value"))
}

/// The outcome of one attempt that did not succeed.
enum Failure {
    Answer(HttpResponse),
    Transport(TransportError),
}

impl ApiClient {
    /// A builder for a client of the API at `base_url` (its path, if any, prefixes every
    /// operation path).
    pub fn builder(base_url: impl Into<String>) -> ApiClientBuilder {
        ApiClientBuilder {
            provider: "",
            base_url: base_url.into(),
            transport: None,
            auth: Arc::new(NoAuth),
            retry: RetryPolicy::default(),
            errors: Arc::new(DefaultErrorPolicy),
            attempt_timeout: Some(Duration::from_secs(30)),
            deadline: Some(Duration::from_secs(120)),
            idempotency_header: "Idempotency-Key".into(),
            idempotency_key_max_len: DEFAULT_MAX_KEY_LEN,
            request_id_header: None,
            user_agent: concat!("splitkit/", env!("CARGO_PKG_VERSION")).into(),
            headers: Vec::new(),
            secret_fields: Vec::new(),
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The provider's name, as errors show it (empty when none was set).
    pub fn provider(&self) -> &'static str {
        self.inner.provider
    }

    /// The transport, for hand-written calls outside the API's base URL (e.g. OAuth token
    /// endpoints).
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// Sends `request` and decodes a JSON answer into `T`.
    pub async fn execute<T: DeserializeOwned>(&self, request: Request) -> Result<T, Error> {
        let operation = request.operation.id;
        let (response, call) = self.send(&request, self.request_url(&request)?).await?;
        decode::json(operation, &response.body, &self.inner.secret_fields)
            .map_err(|e| decode::with_api(e, self.answer(call, &response)))
    }

    /// Sends `request` and ignores the answer's body.
    pub async fn execute_unit(&self, request: Request) -> Result<(), Error> {
        self.execute_raw(request).await.map(|_| ())
    }

    /// Sends `request` and returns the successful answer as it came (status, headers, bytes).
    pub async fn execute_raw(&self, request: Request) -> Result<HttpResponse, Error> {
        self.send(&request, self.request_url(&request)?)
            .await
            .map(|(response, _)| response)
    }

    /// Sends a list request and returns one page. An item that cannot be decoded is kept in
    /// [`Page::rejected`] and the others are returned (see [`Page`]); only an answer whose
    /// envelope cannot be read fails the call.
    pub async fn fetch_page<T: DeserializeOwned>(
        &self,
        request: Request,
    ) -> Result<Page<T>, Error> {
        let url = self.request_url(&request)?;
        self.fetch_page_at(request, url).await
    }

    /// [`Self::fetch_page`] with the request's URL already built.
    pub(crate) async fn fetch_page_at<T: DeserializeOwned>(
        &self,
        request: Request,
        url: Url,
    ) -> Result<Page<T>, Error> {
        let pagination = request.operation.pagination;
        let operation = request.operation.id;
        let (response, call) = self.send(&request, url.clone()).await?;
        let body = pagination::decode_list(
            operation,
            &response.body,
            &self.inner.secret_fields,
            pagination,
        )
        .map_err(|e| decode::with_api(e, self.answer(call, &response)))?;
        pagination::build_page(
            &request,
            &url,
            &self.inner.base_url,
            &response.headers,
            body,
        )
    }

    /// The next page after `page`, or `None` at the end.
    pub async fn next_page<T: DeserializeOwned>(
        &self,
        page: &Page<T>,
    ) -> Result<Option<Page<T>>, Error> {
        match page.next_request() {
            Some(request) => self.fetch_page(request.clone()).await.map(Some),
            None => Ok(None),
        }
    }

    /// Every item of a list, fetched page by page as the stream is read.
    ///
    /// An item that cannot be decoded arrives as `Err(`[`Error::Item`]`)` in its place and the
    /// stream goes on with the next one; any other error ends the stream.
    pub fn stream<T: DeserializeOwned + Send + 'static>(
        &self,
        request: Request,
    ) -> impl Stream<Item = Result<T, Error>> + Send + 'static + use<T> {
        pagination::stream(self.clone(), request)
    }

    /// The URL `request` goes to.
    pub fn request_url(&self, request: &Request) -> Result<Url, Error> {
        request.url(&self.inner.base_url)
    }

    /// The [`ApiError`] describing `response` to a call of `operation`: provider, status,
    /// body, and the request id from the configured header. For hand-written calls that decide
    /// success themselves.
    pub fn api_error(&self, operation: &'static str, response: &HttpResponse) -> ApiError {
        self.answer(CallContext::new(self.inner.provider, operation), response)
    }

    fn answer(&self, call: CallContext, response: &HttpResponse) -> ApiError {
        let mut api = ApiError::new(call, response.status, response.body.clone());
        api.request_id = self.header_request_id(&response.headers);
        api
    }

    fn header_request_id(&self, headers: &HeaderMap) -> Option<String> {
        let name = self.inner.request_id_header.as_ref()?;
        headers.get(name)?.to_str().ok().map(str::to_owned)
    }

    /// Runs the whole pipeline for one call to `url`: key, auth, send, classify, back off,
    /// within the deadline. Every error, and the successful answer, comes with the call's
    /// context.
    async fn send(
        &self,
        request: &Request,
        url: Url,
    ) -> Result<(HttpResponse, CallContext), Error> {
        let operation = request.operation;
        let span = tracing::info_span!(
            "splitkit.call",
            provider = self.inner.provider,
            operation = operation.id,
            method = ?operation.method,
            attempts = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
        );
        let started = Instant::now();
        let mut attempts = 0;
        let result = self
            .run(request, url, started, &mut attempts)
            .instrument(span)
            .await;
        let call = CallContext::new(self.inner.provider, operation.id)
            .with_attempts(attempts, started.elapsed());
        match result {
            Ok(response) => Ok((response, call)),
            Err(error) => Err(error.with_call(call)),
        }
    }

    /// The pipeline. One timer per attempt bounds both limits: each attempt's timeout is the
    /// attempt limit or, when it comes first, what is left of the call's deadline. Waiting for
    /// credentials is bounded by the deadline (a timer is started only when auth must wait), and
    /// a retry whose wait would pass the deadline is not made. `attempts` counts every request
    /// sent.
    async fn run(
        &self,
        request: &Request,
        url: Url,
        started: Instant,
        attempts: &mut u32,
    ) -> Result<HttpResponse, Error> {
        let inner = &*self.inner;
        let operation = request.operation;
        let deadline = request.deadline.or(inner.deadline);
        let deadline_passed =
            || Error::timeout(TimeoutScope::Deadline, deadline.unwrap_or_default());
        let key = self.idempotency_key(request)?;
        let attempt_timeout = request.attempt_timeout.or(inner.attempt_timeout);
        let may_repeat = operation.idempotent || key.is_some();
        let span = tracing::Span::current();

        let mut first_url = Some(url);
        let mut attempt: u32 = 0;
        let mut renewed_auth = false;
        loop {
            attempt += 1;
            *attempts += 1;
            span.record("attempts", attempt);
            let left = deadline.map(|limit| limit.saturating_sub(started.elapsed()));
            let (timeout, deadline_binds) = match (attempt_timeout, left) {
                (_, Some(left)) if left.is_zero() => return Err(deadline_passed()),
                (Some(limit), Some(left)) if left < limit => (Some(left), true),
                (None, Some(left)) => (Some(left), true),
                (limit, _) => (limit, false),
            };
            let url = match first_url.take() {
                Some(url) => url,
                None => self.request_url(request)?,
            };
            let mut http_request = HttpRequest {
                method: operation.method.to_http(),
                url,
                headers: self.headers(request, key.as_ref())?,
                body: request.body.bytes(),
                timeout,
            };
            let stamp = match inner.auth.authenticate_ready(&mut http_request) {
                Some(stamp) => stamp?,
                None => {
                    let waiting = inner.auth.authenticate(&mut http_request);
                    match left {
                        Some(left) => tokio::time::timeout(left, waiting)
                            .await
                            .unwrap_or_else(|_| Err(deadline_passed()))?,
                        None => waiting.await?,
                    }
                }
            };
            let attempt_span =
                tracing::debug_span!("splitkit.attempt", attempt, status = field::Empty);
            let result = match inner.transport.as_reqwest() {
                Some(reqwest) => {
                    reqwest
                        .execute(http_request)
                        .instrument(attempt_span.clone())
                        .await
                }
                None => {
                    inner
                        .transport
                        .send(http_request)
                        .instrument(attempt_span.clone())
                        .await
                }
            };
            let failure = match result {
                Ok(response) => {
                    attempt_span.record("status", response.status.as_u16());
                    span.record("status", response.status.as_u16());
                    if let Some(id) = self.header_request_id(&response.headers) {
                        span.record("request_id", id.as_str());
                    }
                    if response.status.is_success() && !inner.errors.success_is_error(&response) {
                        return Ok(response);
                    }
                    Failure::Answer(response)
                }
                Err(error) => Failure::Transport(error),
            };

            let (error, retryable, retry_after) = match failure {
                Failure::Answer(response) => {
                    let status = response.status;
                    if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
                        && !renewed_auth
                        && inner.auth.rejected(status, stamp).await
                    {
                        // The credential was renewed: one more attempt, not counted as a retry.
                        renewed_auth = true;
                        attempt -= 1;
                        tracing::debug!(%status, "credentials rejected; retrying once with renewed ones");
                        continue;
                    }
                    let call = CallContext::new(inner.provider, operation.id)
                        .with_attempts(*attempts, started.elapsed());
                    self.classify_answer(call, response, key.as_ref(), may_repeat)?
                }
                Failure::Transport(error) => {
                    let retryable = match error.kind() {
                        TransportErrorKind::Connect => true,
                        _ => may_repeat,
                    };
                    let error = match error.kind() {
                        TransportErrorKind::Timeout if deadline_binds => {
                            return Err(deadline_passed());
                        }
                        TransportErrorKind::Timeout => Error::timeout(
                            TimeoutScope::Attempt,
                            attempt_timeout.unwrap_or_default(),
                        ),
                        // The host is read again only on this rare path.
                        _ => match self.request_url(request) {
                            Ok(url) => Error::from(
                                error.with_host(&url[Position::BeforeHost..Position::AfterPort]),
                            ),
                            Err(_) => Error::from(error),
                        },
                    };
                    (error, retryable, None)
                }
            };

            if !retryable || attempt >= inner.retry.max_attempts {
                return Err(error);
            }
            let wait = match retry_after {
                Some(asked) if asked > inner.retry.max_retry_after => return Err(error),
                Some(asked) => asked,
                None => inner.retry.delay(attempt),
            };
            if let Some(limit) = deadline
                && started.elapsed() + wait >= limit
            {
                // Waiting would pass the deadline: report what went wrong instead of a timeout.
                return Err(error);
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, %error, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Turns an error answer into the error to report, whether it may be retried, and the wait
    /// the provider asked for. Fails fast for answers that are never retried: idempotency
    /// conflicts, and `401`, which is an [`Error::Auth`] with the answer kept in its
    /// [`AuthFailure`].
    fn classify_answer(
        &self,
        call: CallContext,
        response: HttpResponse,
        key: Option<&IdempotencyKey>,
        may_repeat: bool,
    ) -> Result<(Error, bool, Option<Duration>), Error> {
        let status = response.status;
        let mut api = self.answer(call, &response);
        let class = self.inner.errors.classify(&mut api, &response.headers);
        api.fill_unread(&self.inner.secret_fields);
        api.retryable = match class {
            ErrorClass::Fatal | ErrorClass::IdempotencyConflict { .. } => Some(false),
            ErrorClass::Retryable => Some(true),
            _ => None,
        };
        if status == StatusCode::UNAUTHORIZED {
            let message = format!("the credentials were rejected: {}", api.summary());
            return Err(AuthFailure::rejected(api).into_error(message));
        }
        let retry_after = retry::retry_after(&response.headers, SystemTime::now());
        let retryable = match &class {
            ErrorClass::IdempotencyConflict { existing_resource } => {
                return Err(Error::IdempotencyConflict {
                    key: key.map(|k| k.as_str().to_owned()),
                    existing_resource: existing_resource.clone(),
                    error: Box::new(api),
                });
            }
            ErrorClass::Fatal => false,
            ErrorClass::Retryable => true,
            _ => retry::is_retryable_status(status) && may_repeat,
        };
        let error = if status == StatusCode::TOO_MANY_REQUESTS {
            Error::RateLimited {
                retry_after,
                error: Box::new(api),
            }
        } else {
            Error::Api(Box::new(api))
        };
        Ok((error, retryable, retry_after))
    }

    fn idempotency_key(&self, request: &Request) -> Result<Option<IdempotencyKey>, Error> {
        let operation = request.operation;
        match (&request.idempotency_key, operation.idempotency_key) {
            (Some(key), true) => {
                key.check_max_len(self.inner.idempotency_key_max_len)?;
                Ok(Some(key.clone()))
            }
            (Some(_), false) => Err(Error::validation(
                "idempotency_key",
                format!("{} does not accept an idempotency key", operation.id),
            )),
            (None, true) => Ok(Some(IdempotencyKey::generate())),
            (None, false) => Ok(None),
        }
    }

    /// One attempt's headers, built in a map sized for them (the transport takes the map).
    fn headers(&self, request: &Request, key: Option<&IdempotencyKey>) -> Result<HeaderMap, Error> {
        let defaults = &self.inner.default_headers;
        // Room for the content type, the idempotency key and the credentials too.
        let mut headers = HeaderMap::with_capacity(defaults.len() + request.headers.len() + 3);
        for (name, value) in defaults {
            headers.append(name, value.clone());
        }
        if let Some(content_type) = request.body.content_type() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        for (name, value) in &request.headers {
            headers.append(header_name(name)?, header_value(name, value)?);
        }
        if let Some(key) = key {
            headers.insert(
                self.inner.idempotency_header.clone(),
                header_value("idempotency_key", key.as_str())?,
            );
        }
        Ok(headers)
    }
}
