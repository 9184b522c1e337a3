//! The one error type of every SDK call.

use std::any::Any;
use std::borrow::Cow;
use std::fmt::{self, Debug};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;

use crate::decode::ItemError;
use crate::transport::{TransportError, TransportErrorKind};
use crate::webhook::WebhookError;

/// A boxed error kept as the `source` of another.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which call an error belongs to: the provider, the operation, and how many attempts it made
/// in how long. Every error the pipeline returns carries one (see [`Error::call`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallContext {
    /// The provider, as its crate names it (`zepto`, `fairshare`, `ante`, `splitable`); empty
    /// when the client was built without a name.
    pub provider: &'static str,
    /// The operation (`createPayment`).
    pub operation: &'static str,
    /// Attempts made, the first included.
    pub attempts: u32,
    /// From the start of the call to its end, retries and waits included.
    pub elapsed: Duration,
}

impl CallContext {
    /// One attempt of `operation` at `provider`, of no measured duration.
    pub fn new(provider: &'static str, operation: &'static str) -> Self {
        Self {
            provider,
            operation,
            attempts: 1,
            elapsed: Duration::ZERO,
        }
    }

    /// The same call after `attempts` attempts over `elapsed`.
    pub fn with_attempts(mut self, attempts: u32, elapsed: Duration) -> Self {
        self.attempts = attempts;
        self.elapsed = elapsed;
        self
    }

    /// ` (after 3 attempts in 91.2 s)` when the call was retried, else nothing.
    fn retries(&self) -> Retries<'_> {
        Retries(Some(self))
    }
}

impl fmt::Display for CallContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.provider.is_empty() {
            f.write_str(self.operation)
        } else {
            write!(f, "{} {}", self.provider, self.operation)
        }
    }
}

/// `"<provider> <operation>: "`, when known.
struct Prefix<'a>(Option<&'a CallContext>);

impl fmt::Display for Prefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(call) => write!(f, "{call}: "),
            None => Ok(()),
        }
    }
}

/// `" (after N attempts in T)"`, when there was more than one attempt.
struct Retries<'a>(Option<&'a CallContext>);

impl fmt::Display for Retries<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(call) if call.attempts > 1 => write!(
                f,
                " (after {} attempts in {})",
                call.attempts,
                Seconds(call.elapsed)
            ),
            _ => Ok(()),
        }
    }
}

/// A duration for people: `250 ms`, `30 s`, `91.2 s`.
pub(crate) struct Seconds(pub(crate) Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d < Duration::from_secs(1) {
            write!(f, "{} ms", d.as_millis())
        } else if d.subsec_millis() == 0 {
            write!(f, "{} s", d.as_secs())
        } else {
            write!(f, "{:.1} s", d.as_secs_f64())
        }
    }
}

/// Everything that can go wrong in a call, a webhook check or a local validation.
///
/// Match on the variants you handle and keep a `_` arm: new variants may be added. Variants
/// marked non-exhaustive are made with the constructors ([`Error::auth`], [`Error::timeout`],
/// `From<TransportError>`) and matched with `..`.
///
/// The `Display` text of an error of a call names the provider and the operation and, when the
/// call was retried, the attempts and the time they took:
///
/// ```text
/// zepto createPayment: could not connect to api.sandbox.zeptopayments.com: connection reset (after 3 attempts in 91.2 s)
/// zepto createPayment: 422 Unprocessable Entity: Invalid: Branch code is invalid
/// fairshare getSplitSession: 502 Bad Gateway: body "502 Bad Gateway nginx"
/// ```
///
/// No variant's `Display` or `Debug` shows a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with an error status that is not one of the more specific cases below.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The idempotency key was already used for another request; the earlier resource is named
    /// when the provider says which. Never retried.
    #[error(
        "{}: idempotency conflict{}: {}{}",
        error.call,
        existing_resource.as_deref().map(|r| format!(" (existing resource {r})")).unwrap_or_default(),
        error.summary(),
        error.call.retries()
    )]
    IdempotencyConflict {
        /// The key that was sent.
        key: Option<String>,
        /// The provider's reference of the resource created with this key, when it says.
        existing_resource: Option<String>,
        /// The provider's answer.
        error: Box<ApiError>,
    },

    /// The provider asked the SDK to slow down and the retries were used up, or the wait it
    /// asked for was longer than the policy allows.
    #[error(
        "{}: rate limited{}: {}{}",
        error.call,
        retry_after.map(|d| format!(" (retry after {})", Seconds(d))).unwrap_or_default(),
        error.summary(),
        error.call.retries()
    )]
    RateLimited {
        /// How long the provider asked to wait, when it said.
        retry_after: Option<Duration>,
        /// The provider's answer.
        error: Box<ApiError>,
    },

    /// Credentials were missing, rejected (a `401` answer: [`crate::AuthFailureKind::Rejected`]),
    /// or could not be obtained or refreshed. [`Error::auth_failure`] gives the typed cause.
    #[error(
        "{}authentication failed: {message}{}",
        Prefix(call.as_ref()),
        Retries(call.as_ref())
    )]
    #[non_exhaustive]
    Auth {
        /// What failed, without any credential.
        message: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<BoxError>,
        /// The call that needed the credentials, when there was one.
        call: Option<CallContext>,
    },

    /// The request could not be sent or its answer not received. The message states the cause
    /// found at the bottom of the error chain (connection refused or reset, end of file, a DNS
    /// failure, ...).
    #[error("{}{source}{}", Prefix(call.as_ref()), Retries(call.as_ref()))]
    #[non_exhaustive]
    Transport {
        /// What failed.
        #[source]
        source: TransportError,
        /// The call, when the error comes from one.
        call: Option<CallContext>,
    },

    /// An attempt or the whole call ran out of time.
    #[error(
        "{}{}{}",
        Prefix(call.as_ref()),
        match scope {
            TimeoutScope::Attempt => format!("no answer within the per-attempt timeout of {}", Seconds(*limit)),
            TimeoutScope::Deadline => format!("the call deadline of {} passed", Seconds(*limit)),
        },
        Retries(call.as_ref())
    )]
    #[non_exhaustive]
    Timeout {
        /// Which limit was reached.
        scope: TimeoutScope,
        /// The limit.
        limit: Duration,
        /// The call, when the error comes from one.
        call: Option<CallContext>,
    },

    /// A response body did not have the expected shape.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// A webhook failed verification.
    #[error("webhook rejected: {0}")]
    Webhook(#[from] WebhookError),

    /// A value broke a rule known locally; nothing was sent.
    #[error("invalid `{field}`: {rule}")]
    Validation {
        /// The field, in the provider's or the builder's naming.
        field: Cow<'static, str>,
        /// The rule it broke, with the offending value where that is not secret.
        rule: String,
    },

    /// One item of a list (in a stream of items) could not be decoded; the items before and
    /// after it were. Not the end of a stream: the next item follows. It holds the item's raw
    /// JSON, so nothing the provider sent is lost.
    #[error("{0}")]
    Item(Box<ItemError>),

    /// A list kept returning a page it had already returned.
    #[error("pagination stopped: the server repeated the page {repeated}")]
    PaginationLoop {
        /// The cursor, URL or page number that came back twice.
        repeated: String,
    },

    /// The client was configured in a way that cannot work (a bad base URL, a header value
    /// that is not valid HTTP, ...).
    #[error("configuration error: {0}")]
    Config(String),
}

/// Which time limit a [`Error::Timeout`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutScope {
    /// One attempt took longer than the per-attempt timeout (and no retry was allowed).
    Attempt,
    /// The whole call, retries and waits included, passed its deadline.
    Deadline,
}

impl fmt::Display for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Attempt => "per-attempt timeout",
            Self::Deadline => "call deadline",
        })
    }
}

impl From<TransportError> for Error {
    fn from(source: TransportError) -> Self {
        Self::Transport { source, call: None }
    }
}

impl Error {
    /// A validation error for `field`.
    pub fn validation(field: impl Into<Cow<'static, str>>, rule: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// An authentication error.
    pub fn auth(message: impl Into<String>, source: Option<BoxError>) -> Self {
        Self::Auth {
            message: message.into(),
            source,
            call: None,
        }
    }

    /// A timeout: `limit` of `scope` was reached.
    pub fn timeout(scope: TimeoutScope, limit: Duration) -> Self {
        Self::Timeout {
            scope,
            limit,
            call: None,
        }
    }

    /// Records which call this error belongs to, for the variants that say
    /// ([`Error::call`]); other errors are returned unchanged. The pipeline does this for every
    /// call; hand-written calls outside it may do the same.
    pub fn with_call(mut self, context: CallContext) -> Self {
        match &mut self {
            Self::Api(api)
            | Self::IdempotencyConflict { error: api, .. }
            | Self::RateLimited { error: api, .. } => api.call = context,
            Self::Auth { call, .. } | Self::Transport { call, .. } | Self::Timeout { call, .. } => {
                *call = Some(context);
            }
            Self::Decode(decode) => {
                if let Some(api) = &mut decode.api {
                    api.call = context.clone();
                }
                decode.call = context;
            }
            _ => {}
        }
        self
    }

    /// The call this error belongs to: provider, operation, attempts and time taken.
    pub fn call(&self) -> Option<&CallContext> {
        match self {
            Self::Api(api)
            | Self::IdempotencyConflict { error: api, .. }
            | Self::RateLimited { error: api, .. } => Some(&api.call),
            Self::Auth { call, .. } | Self::Transport { call, .. } | Self::Timeout { call, .. } => {
                call.as_ref()
            }
            Self::Decode(decode) => Some(&decode.call),
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed. The pipeline has already retried
    /// what its policy allows; this tells the caller whether a later, deliberate retry makes sense.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(e) => e
                .retryable
                .unwrap_or_else(|| crate::retry::is_retryable_status(e.status)),
            Self::RateLimited { .. } => true,
            Self::Transport { source, .. } => !matches!(source.kind(), TransportErrorKind::Body),
            Self::Timeout { .. } => true,
            Self::Auth { .. } => self
                .auth_failure()
                .is_some_and(crate::auth::AuthFailure::is_retryable),
            _ => false,
        }
    }

    /// The HTTP status of the provider's answer (its token endpoint's, for an auth failure),
    /// when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        self.api_error()
            .map(|e| e.status)
            .or_else(|| self.auth_failure().and_then(|f| f.status()))
    }

    /// The provider's request id, when it gave one.
    pub fn request_id(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.request_id.as_deref())
    }

    /// The provider's answer behind this error, when there is one: an error answer, the answer
    /// that rejected the credentials ([`Error::Auth`]), or the answer that did not decode.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            Self::IdempotencyConflict { error, .. } | Self::RateLimited { error, .. } => {
                Some(error)
            }
            Self::Auth { .. } => self.auth_failure()?.api_error(),
            Self::Decode(d) => d.api.as_ref(),
            _ => None,
        }
    }

    /// [`Error::api_error`], when `provider` gave the answer: the one way every provider crate
    /// reads its own error codes and bodies, so that none misreads another provider's answer.
    ///
    /// ```
    /// # use splitkit_common::{ApiError, CallContext, Error};
    /// # use http::StatusCode;
    /// let err = Error::from(ApiError::new(
    ///     CallContext::new("zepto", "createPayment"),
    ///     StatusCode::UNPROCESSABLE_ENTITY,
    ///     bytes::Bytes::new(),
    /// ));
    /// assert!(err.api_error_from("zepto").is_some());
    /// assert!(err.api_error_from("fairshare").is_none());
    /// ```
    pub fn api_error_from(&self, provider: &str) -> Option<&ApiError> {
        self.api_error().filter(|api| api.call.provider == provider)
    }
}

/// An answer from the provider: an error answer, or (inside a [`DecodeError`]) a successful
/// one that did not decode.
///
/// `Display` gives the call, the status, the provider's code and message (each once: a message
/// that starts with the code or the status text does not repeat it), the request id, and, when
/// the body had no message the SDK could read, a short masked excerpt of it.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The provider's machine-readable code, when it has one.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
    /// The provider's request id (from a header or the body).
    pub request_id: Option<String>,
    /// The call that got this answer: provider, operation, attempts.
    pub call: CallContext,
    /// The body as received.
    pub body: Bytes,
    /// The provider's verdict on retrying, when its [`crate::ErrorPolicy`] gave one
    /// (`None`: the status decides).
    pub retryable: Option<bool>,
    snippet: Option<String>,
    typed: Option<Arc<dyn Any + Send + Sync>>,
}

impl ApiError {
    /// An answer of `call` with no decoded details.
    pub fn new(call: CallContext, status: StatusCode, body: Bytes) -> Self {
        Self {
            status,
            code: None,
            message: None,
            request_id: None,
            call,
            body,
            retryable: None,
            snippet: None,
            typed: None,
        }
    }

    /// The provider that answered.
    pub fn provider(&self) -> &'static str {
        self.call.provider
    }

    /// The operation that was called.
    pub fn operation(&self) -> &'static str {
        self.call.operation
    }

    /// Attaches the provider's decoded error body, readable again with [`ApiError::typed`].
    pub fn with_typed<T: Any + Send + Sync>(mut self, body: T) -> Self {
        self.typed = Some(Arc::new(body));
        self
    }

    /// Attaches the provider's decoded error body in place (for [`crate::ErrorPolicy`], which
    /// holds a `&mut ApiError`).
    pub fn set_typed<T: Any + Send + Sync>(&mut self, body: T) {
        self.typed = Some(Arc::new(body));
    }

    /// The provider's decoded error body, when it is a `T`.
    pub fn typed<T: Any>(&self) -> Option<&T> {
        self.typed.as_deref().and_then(|b| b.downcast_ref::<T>())
    }

    /// The body as text (lossy), for logs and messages.
    pub fn body_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// The short, masked excerpt of a body without a readable message, as `Display` quotes it.
    pub fn body_snippet(&self) -> Option<&str> {
        self.snippet.as_deref()
    }

    /// Fills what the provider's [`crate::ErrorPolicy`] left empty from any JSON body that has
    /// the usual fields (`message`, `error_description`, `error`, `detail`, `title`, `errors`;
    /// `code`, `error_code`), and keeps an excerpt of a body with no message at all.
    pub(crate) fn fill_unread(&mut self, secret_fields: &[&str]) {
        if self.message.is_none() || self.code.is_none() {
            let (code, message) = common_fields(&self.body);
            if self.message.is_none() {
                self.message = message;
            }
            if self.code.is_none() {
                self.code = code;
            }
        }
        if self.message.is_none() {
            self.snippet = crate::redact::body_snippet(&self.body, secret_fields);
        }
    }

    /// The answer without the call: status, code, message or excerpt, request id.
    pub(crate) fn summary(&self) -> Summary<'_> {
        Summary(self)
    }
}

/// What an [`ApiError`] says, without naming the call.
pub(crate) struct Summary<'a>(&'a ApiError);

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let api = self.0;
        let reason = api.status.canonical_reason().unwrap_or("");
        write!(f, "{}", api.status.as_u16())?;
        if !reason.is_empty() {
            write!(f, " {reason}")?;
        }
        let mut message = api.message.as_deref().map(str::trim).unwrap_or("");
        // "401 Unauthorized: Unauthorized: ..." says the status twice.
        message = strip_title(message, reason);
        if let Some(code) = api.code.as_deref().map(str::trim).filter(|c| !c.is_empty())
            && !code.eq_ignore_ascii_case(reason)
            && !starts_with_ignore_case(message, code)
        {
            write!(f, " ({code})")?;
        }
        if !message.is_empty() {
            write!(f, ": {message}")?;
        } else if let Some(snippet) = &api.snippet {
            write!(f, ": body {snippet:?}")?;
        }
        if let Some(id) = &api.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// `text` without a leading `"<title>: "` (or `"<title> - "`); a text that is only the title is
/// left as it is.
pub(crate) fn strip_title<'a>(text: &'a str, title: &str) -> &'a str {
    if title.is_empty() || !starts_with_ignore_case(text, title) {
        return text;
    }
    let rest = &text[title.len()..];
    for separator in [":", " -", " —"] {
        if let Some(after) = rest.strip_prefix(separator) {
            let after = after.trim_start();
            if !after.is_empty() {
                return after;
            }
        }
    }
    text
}

/// The code and message of a JSON error body in one of the common shapes, read without knowing
/// the provider: `{"message"}`, `{"error_description", "error"}` (OAuth), `{"error": "..."}`,
/// `{"error": {"message", "code"}}`, `{"detail", "title"}` (RFC 9457), `{"errors": "..."}`,
/// `{"errors": [{"message" | "detail" | "title"}]}`.
fn common_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    const MAX_JSON: usize = 64 * 1024;
    let starts_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !starts_object || body.len() > MAX_JSON {
        return (None, None);
    }
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(body) else {
        return (None, None);
    };
    object_fields(&fields, 0)
}

fn object_fields(
    fields: &serde_json::Map<String, serde_json::Value>,
    depth: u8,
) -> (Option<String>, Option<String>) {
    use serde_json::Value;
    let text = |name: &str| match fields.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    };
    let code = text("code")
        .or_else(|| text("error_code"))
        .or_else(|| text("error_description").and(text("error")));
    let message = text("message")
        .or_else(|| text("error_description"))
        .or_else(|| text("error"))
        .or_else(|| text("detail"))
        .or_else(|| text("title"))
        .or_else(|| text("errors"));
    if message.is_some() || depth > 0 {
        return (code, message);
    }
    let nested = match fields.get("error") {
        Some(Value::Object(inner)) => Some(inner),
        _ => match fields.get("errors") {
            Some(Value::Array(list)) => list.first().and_then(Value::as_object),
            _ => None,
        },
    };
    match nested {
        Some(inner) => {
            let (inner_code, inner_message) = object_fields(inner, depth + 1);
            (code.or(inner_code), inner_message)
        }
        None => (code, None),
    }
}

impl Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("call", &self.call)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}{}",
            self.call,
            self.summary(),
            self.call.retries()
        )
    }
}

impl std::error::Error for ApiError {}

/// A body that did not decode into the expected type.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The call whose answer failed to decode.
    pub call: CallContext,
    /// Where in the JSON document decoding failed, e.g. `data[2].amount`.
    pub path: String,
    /// What serde said.
    pub message: String,
    /// A short excerpt of the body around the failure, with secret fields masked.
    pub snippet: String,
    /// The HTTP status and details, when the failing body was an answer.
    pub api: Option<ApiError>,
}

impl DecodeError {
    /// A failure to decode the answer of `operation` at `path`.
    pub fn new(
        operation: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
        snippet: impl Into<String>,
    ) -> Self {
        Self {
            call: CallContext::new("", operation),
            path: path.into(),
            message: message.into(),
            snippet: snippet.into(),
            api: None,
        }
    }

    /// The HTTP status of the answer that did not decode, when it was an answer.
    pub fn status(&self) -> Option<StatusCode> {
        self.api.as_ref().map(|api| api.status)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: could not decode the answer", self.call)?;
        if let Some(status) = self.status() {
            write!(f, " ({status})")?;
        }
        write!(
            f,
            " at `{}`: {} (near: {}){}",
            self.path,
            self.message,
            self.snippet,
            self.call.retries()
        )
    }
}

impl From<ApiError> for Error {
    fn from(value: ApiError) -> Self {
        Self::Api(Box::new(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportError;

    fn call(provider: &'static str, operation: &'static str) -> CallContext {
        CallContext::new(provider, operation)
    }

    fn answer(call: CallContext, status: u16, body: &'static str) -> ApiError {
        ApiError::new(
            call,
            StatusCode::from_u16(status).unwrap(),
            Bytes::from_static(body.as_bytes()),
        )
    }

    #[test]
    fn accessors_reach_the_api_error_in_every_variant() {
        let api = ApiError {
            request_id: Some("req_1".into()),
            code: Some("IDEMPOTENCY_KEY_REUSED".into()),
            ..answer(call("fairshare", "createThing"), 409, "")
        };
        let err = Error::IdempotencyConflict {
            key: Some("k".into()),
            existing_resource: Some("PB.1a4".into()),
            error: Box::new(api.clone()),
        };
        assert_eq!(err.status(), Some(StatusCode::CONFLICT));
        assert_eq!(err.request_id(), Some("req_1"));
        assert_eq!(err.call().map(|c| c.operation), Some("createThing"));
        assert!(!err.is_retryable());
        assert!(err.api_error_from("fairshare").is_some());
        assert!(err.api_error_from("zepto").is_none());

        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            error: Box::new(answer(call("x", "y"), 429, "")),
        };
        assert!(limited.is_retryable());
    }

    #[test]
    fn typed_body_is_kept() {
        #[derive(Debug, PartialEq)]
        struct Body(&'static str);
        let api = answer(call("p", "op"), 400, "{}").with_typed(Body("x"));
        assert_eq!(api.typed::<Body>(), Some(&Body("x")));
        assert_eq!(api.typed::<String>(), None);
    }

    // Display snapshots, one per kind of error.

    #[test]
    fn api_errors_name_the_call_and_say_each_thing_once() {
        let mut title_twice = answer(call("zepto", "addContact"), 422, "");
        title_twice.code = Some("Invalid".into());
        title_twice.message = Some("Invalid: Branch code is invalid".into());
        title_twice.request_id = Some("r-1".into());
        assert_eq!(
            Error::from(title_twice).to_string(),
            "zepto addContact: 422 Unprocessable Entity: Invalid: Branch code is invalid (request id r-1)"
        );

        let mut status_twice = answer(call("zepto", "getUser"), 403, "");
        status_twice.code = Some("Forbidden".into());
        status_twice.message = Some("Forbidden: Forbidden - missing scope".into());
        assert_eq!(
            status_twice.to_string(),
            "zepto getUser: 403 Forbidden: Forbidden - missing scope"
        );

        let mut coded = answer(call("fairshare", "createSplitSession"), 409, "");
        coded.code = Some("PSP_CONNECTION_MISSING".into());
        coded.message = Some("Connect a payment gateway first".into());
        assert_eq!(
            coded.to_string(),
            "fairshare createSplitSession: 409 Conflict (PSP_CONNECTION_MISSING): Connect a payment gateway first"
        );
    }

    #[test]
    fn a_body_without_a_readable_message_is_quoted_short_and_masked() {
        let page = "<html><head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
        let mut html = answer(call("fairshare", "getSplitSession"), 502, page)
            .call
            .clone()
            .with_attempts(3, Duration::from_millis(1_500));
        let mut api = answer(html.clone(), 502, page);
        api.fill_unread(&[]);
        assert_eq!(
            Error::from(api).to_string(),
            "fairshare getSplitSession: 502 Bad Gateway: body \"502 Bad Gateway 502 Bad Gateway nginx\" (after 3 attempts in 1.5 s)"
        );

        html = call("splitable", "createSplit");
        let mut text = answer(html, 500, "Internal error; api_key=k_live_123 rejected");
        text.fill_unread(&[]);
        assert_eq!(
            text.to_string(),
            "splitable createSplit: 500 Internal Server Error: body \"Internal error; api_key=*** rejected\""
        );
    }

    #[test]
    fn foreign_json_bodies_fill_code_and_message() {
        for (body, code, message) in [
            (r#"{"message":"boom"}"#, None, Some("boom")),
            (
                r#"{"error":"invalid_grant","error_description":"expired"}"#,
                Some("invalid_grant"),
                Some("expired"),
            ),
            (
                r#"{"error":{"code":"E1","message":"nested"}}"#,
                Some("E1"),
                Some("nested"),
            ),
            (
                r#"{"errors":[{"title":"Bad","detail":"worse"}]}"#,
                None,
                Some("worse"),
            ),
            (r#"{"errors":"a sentence"}"#, None, Some("a sentence")),
            (r#"{"unrelated":1}"#, None, None),
        ] {
            let mut api = answer(call("p", "op"), 400, body);
            api.fill_unread(&[]);
            assert_eq!(api.code.as_deref(), code, "{body}");
            assert_eq!(api.message.as_deref(), message, "{body}");
            assert_eq!(api.body_snippet().is_some(), message.is_none(), "{body}");
        }
        let mut unrelated = answer(call("p", "op"), 400, r#"{"unrelated":1,"token":"t0k"}"#);
        unrelated.fill_unread(&[]);
        assert_eq!(
            unrelated.to_string(),
            r#"p op: 400 Bad Request: body "{\"unrelated\":1,\"token\":\"***\"}""#
        );
    }

    #[test]
    fn conflicts_and_rate_limits() {
        let mut api = answer(call("zepto", "createPayment"), 409, "");
        api.code = Some("Duplicate idempotency key".into());
        api.message = Some("Duplicate idempotency key: already used".into());
        let conflict = Error::IdempotencyConflict {
            key: Some("k".into()),
            existing_resource: Some("PB.1a4".into()),
            error: Box::new(api),
        };
        assert_eq!(
            conflict.to_string(),
            "zepto createPayment: idempotency conflict (existing resource PB.1a4): 409 Conflict: Duplicate idempotency key: already used"
        );

        let mut api = answer(
            call("ante", "createSession").with_attempts(3, Duration::from_millis(4_250)),
            429,
            "",
        );
        api.message = Some("Too many requests".into());
        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(90)),
            error: Box::new(api),
        };
        assert_eq!(
            limited.to_string(),
            "ante createSession: rate limited (retry after 90 s): 429 Too Many Requests: Too many requests (after 3 attempts in 4.2 s)"
        );
    }

    #[test]
    fn transport_errors_state_host_and_cause() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        let err = Error::from(
            TransportError::new(TransportErrorKind::Connect, reset)
                .with_host("api.sandbox.zeptopayments.com"),
        )
        .with_call(call("zepto", "createPayment").with_attempts(3, Duration::from_millis(91_200)));
        assert_eq!(
            err.to_string(),
            "zepto createPayment: could not connect to api.sandbox.zeptopayments.com: connection reset (after 3 attempts in 91.2 s)"
        );
        assert!(err.is_retryable());

        // The cause is found at the bottom of the chain, under wrapping layers.
        #[derive(Debug, thiserror::Error)]
        #[error("error sending request")]
        struct Outer(#[source] std::io::Error);
        let eof = Outer(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "peer hung up",
        ));
        let err = Error::from(
            TransportError::new(TransportErrorKind::Request, eof).with_host("127.0.0.1:8080"),
        )
        .with_call(call("fairshare", "getSplitSession"));
        assert_eq!(
            err.to_string(),
            "fairshare getSplitSession: request to 127.0.0.1:8080 failed: connection closed before the answer was complete (EOF)"
        );
    }

    #[test]
    fn timeouts_say_which_limit_and_how_long_the_call_took() {
        let attempt = Error::timeout(TimeoutScope::Attempt, Duration::from_secs(30))
            .with_call(call("zepto", "getPayment").with_attempts(3, Duration::from_millis(91_230)));
        assert_eq!(
            attempt.to_string(),
            "zepto getPayment: no answer within the per-attempt timeout of 30 s (after 3 attempts in 91.2 s)"
        );
        let deadline = Error::timeout(TimeoutScope::Deadline, Duration::from_millis(500))
            .with_call(call("ante", "getSession"));
        assert_eq!(
            deadline.to_string(),
            "ante getSession: the call deadline of 500 ms passed"
        );
    }

    #[test]
    fn decode_errors_keep_the_status() {
        let err = crate::decode::with_api(
            Error::Decode(Box::new(DecodeError::new(
                "getPayment",
                "data.amount",
                "invalid type: string \"x\", expected i64",
                "{\"data\":{\"amount\":\"x\"}}",
            ))),
            answer(call("zepto", "getPayment"), 200, ""),
        );
        assert_eq!(err.status(), Some(StatusCode::OK));
        assert_eq!(
            err.to_string(),
            "zepto getPayment: could not decode the answer (200 OK) at `data.amount`: invalid type: string \"x\", expected i64 (near: {\"data\":{\"amount\":\"x\"}})"
        );
    }

    #[test]
    fn auth_validation_and_config() {
        let auth = crate::auth::AuthFailure::new(crate::auth::AuthFailureKind::Other)
            .into_error("the token refresh failed")
            .with_call(call("zepto", "listPayments"));
        assert_eq!(
            auth.to_string(),
            "zepto listPayments: authentication failed: the token refresh failed"
        );

        let mut rejected = answer(call("zepto", "getUser"), 401, "");
        rejected.code = Some("Unauthorized".into());
        rejected.message = Some("Unauthorized: The access token is invalid".into());
        let message = format!("the credentials were rejected: {}", rejected.summary());
        let err = crate::auth::AuthFailure::rejected(rejected)
            .into_error(message)
            .with_call(call("zepto", "getUser"));
        assert_eq!(
            err.to_string(),
            "zepto getUser: authentication failed: the credentials were rejected: 401 Unauthorized: The access token is invalid"
        );
        assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
        assert!(err.api_error_from("zepto").is_some());
        assert!(!err.is_retryable());

        let err = Error::validation("remitter", "must be 3 to 16 characters, got 2");
        assert_eq!(
            err.to_string(),
            "invalid `remitter`: must be 3 to 16 characters, got 2"
        );
        assert_eq!(
            Error::Config("no credentials".into()).to_string(),
            "configuration error: no credentials"
        );
    }
}
