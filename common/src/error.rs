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

/// Everything that can go wrong in a call, a webhook check or a local validation.
///
/// Match on the variants you handle and keep a `_` arm: new variants may be added.
/// No variant's `Display` or `Debug` shows a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The provider answered with an error status that is not one of the more specific cases below.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The idempotency key was already used for another request; the earlier resource is named
    /// when the provider says which. Never retried.
    #[error("idempotency conflict{}: {error}", existing_resource.as_deref().map(|r| format!(" (existing resource {r})")).unwrap_or_default())]
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
    #[error("rate limited{}: {error}", retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        /// How long the provider asked to wait, when it said.
        retry_after: Option<Duration>,
        /// The provider's answer.
        error: Box<ApiError>,
    },

    /// Credentials were missing, rejected, or could not be obtained or refreshed.
    #[error("authentication failed: {message}")]
    Auth {
        /// What failed, without any credential.
        message: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<BoxError>,
    },

    /// The request could not be sent or its answer not received.
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// An attempt or the whole call ran out of time.
    #[error("timed out after {}ms ({scope})", elapsed.as_millis())]
    Timeout {
        /// Which limit was reached.
        scope: TimeoutScope,
        /// The limit.
        elapsed: Duration,
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
            Self::Transport(e) => !matches!(e.kind(), TransportErrorKind::Body),
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

    /// The provider's error answer behind this error, when there is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            Self::IdempotencyConflict { error, .. } | Self::RateLimited { error, .. } => {
                Some(error)
            }
            Self::Decode(d) => d.api.as_ref(),
            _ => None,
        }
    }
}

/// An error answer from the provider.
#[derive(Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The provider's machine-readable code, when it has one.
    pub code: Option<String>,
    /// The provider's message.
    pub message: Option<String>,
    /// The provider's request id (from a header or the body).
    pub request_id: Option<String>,
    /// The operation that failed.
    pub operation: &'static str,
    /// The body as received.
    pub body: Bytes,
    /// The provider's verdict on retrying, when its [`crate::ErrorPolicy`] gave one
    /// (`None`: the status decides).
    pub retryable: Option<bool>,
    typed: Option<Arc<dyn Any + Send + Sync>>,
}

impl ApiError {
    /// An error answer with no decoded details.
    pub fn new(operation: &'static str, status: StatusCode, body: Bytes) -> Self {
        Self {
            status,
            code: None,
            message: None,
            request_id: None,
            operation,
            body,
            retryable: None,
            typed: None,
        }
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
}

impl Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("operation", &self.operation)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered {}", self.operation, self.status)?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A body that did not decode into the expected type.
#[derive(Debug, Clone)]
pub struct DecodeError {
    /// The operation whose answer failed to decode.
    pub operation: &'static str,
    /// Where in the JSON document decoding failed, e.g. `data[2].amount`.
    pub path: String,
    /// What serde said.
    pub message: String,
    /// A short excerpt of the body around the failure, with secret fields masked.
    pub snippet: String,
    /// The HTTP status and details, when the failing body was an answer.
    pub api: Option<ApiError>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not decode the answer of {} at `{}`: {} (near: {})",
            self.operation, self.path, self.message, self.snippet
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

    #[test]
    fn accessors_reach_the_api_error_in_every_variant() {
        let api = ApiError {
            request_id: Some("req_1".into()),
            code: Some("IDEMPOTENCY_KEY_REUSED".into()),
            ..ApiError::new("createThing", StatusCode::CONFLICT, Bytes::new())
        };
        let err = Error::IdempotencyConflict {
            key: Some("k".into()),
            existing_resource: Some("PB.1a4".into()),
            error: Box::new(api.clone()),
        };
        assert_eq!(err.status(), Some(StatusCode::CONFLICT));
        assert_eq!(err.request_id(), Some("req_1"));
        assert!(!err.is_retryable());
        assert!(
            err.to_string().contains("existing resource PB.1a4"),
            "{err}"
        );

        let limited = Error::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            error: Box::new(ApiError::new(
                "x",
                StatusCode::TOO_MANY_REQUESTS,
                Bytes::new(),
            )),
        };
        assert!(limited.is_retryable());
        assert!(limited.to_string().contains("retry after 7s"));
    }

    #[test]
    fn typed_body_is_kept() {
        #[derive(Debug, PartialEq)]
        struct Body(&'static str);
        let api = ApiError::new("op", StatusCode::BAD_REQUEST, Bytes::from_static(b"{}"))
            .with_typed(Body("x"));
        assert_eq!(api.typed::<Body>(), Some(&Body("x")));
        assert_eq!(api.typed::<String>(), None);
    }

    #[test]
    fn validation_names_field_and_rule() {
        let err = Error::validation("remitter", "must be 3 to 16 characters, got 2");
        assert_eq!(
            err.to_string(),
            "invalid `remitter`: must be 3 to 16 characters, got 2"
        );
    }
}
