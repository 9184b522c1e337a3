//! Why an access token could not be obtained, in a form callers can match on.

use std::fmt;
use std::sync::Arc;

use http::StatusCode;

use crate::error::{ApiError, BoxError, Error};

/// What stopped the SDK from obtaining an access token. Read it with [`Error::auth_failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailureKind {
    /// The grant is gone (`invalid_grant`: the refresh token was revoked or already spent), or no
    /// tokens are stored: a person must authorise the account again. Not retryable.
    ReauthorizationRequired,
    /// The token endpoint refused the request for another reason (`invalid_client`,
    /// `unauthorized_client`, ...): the application's configuration needs fixing. Not retryable.
    Refused,
    /// The token endpoint failed or could not be reached (a 5xx, 408 or 429 answer, a transport
    /// error, a timeout). Retrying later may succeed.
    TokenEndpointUnavailable,
    /// The token endpoint answered with something that is not a token response.
    InvalidResponse,
    /// The token store or the refresh lock failed (for example, a shared store is unreachable).
    /// Retrying later may succeed.
    StoreUnavailable,
    /// The provider answered a call with `401 Unauthorized`: the key or token is wrong, revoked,
    /// expired, or for another environment (an OAuth token is renewed and the call retried once
    /// before this is reported). The answer is kept: [`AuthFailure::api_error`]. Not retryable.
    Rejected,
    /// Anything else.
    Other,
}

/// The typed cause of an [`Error::Auth`]: a token that could not be obtained or renewed (with
/// the token endpoint's HTTP status and OAuth `error` code when it answered), or credentials the
/// provider rejected (with its answer).
#[derive(Clone)]
pub struct AuthFailure {
    kind: AuthFailureKind,
    status: Option<StatusCode>,
    oauth_error: Option<String>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl AuthFailure {
    /// A failure of `kind`.
    pub fn new(kind: AuthFailureKind) -> Self {
        Self {
            kind,
            status: None,
            oauth_error: None,
            source: None,
        }
    }

    /// Classifies a token endpoint's error answer by its status and OAuth `error` code
    /// (RFC 6749 §5.2): `invalid_grant` needs a new authorisation; other codes are refusals;
    /// 5xx, 408 and 429 (and the `server_error` / `temporarily_unavailable` codes) are outages;
    /// any other answer without a code is not a token response.
    pub fn token_endpoint(status: StatusCode, oauth_error: Option<&str>) -> Self {
        let kind = match oauth_error {
            _ if status.is_server_error() || matches!(status.as_u16(), 408 | 429) => {
                AuthFailureKind::TokenEndpointUnavailable
            }
            Some("invalid_grant") => AuthFailureKind::ReauthorizationRequired,
            Some("server_error" | "temporarily_unavailable") => {
                AuthFailureKind::TokenEndpointUnavailable
            }
            Some(_) => AuthFailureKind::Refused,
            None => AuthFailureKind::InvalidResponse,
        };
        Self {
            status: Some(status),
            oauth_error: oauth_error.map(str::to_owned),
            ..Self::new(kind)
        }
    }

    /// Adds the HTTP status of the token endpoint's answer.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// Adds the underlying error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(Arc::from(source.into()));
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> AuthFailureKind {
        self.kind
    }

    /// The HTTP status the token endpoint answered, when it answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The OAuth `error` code of the answer (`invalid_grant`, ...), when it had one.
    pub fn oauth_error(&self) -> Option<&str> {
        self.oauth_error.as_deref()
    }

    /// The provider's answer that rejected the credentials ([`AuthFailureKind::Rejected`]).
    pub fn api_error(&self) -> Option<&ApiError> {
        self.source.as_deref()?.downcast_ref::<ApiError>()
    }

    /// Credentials the provider rejected with `answer` (a `401`).
    pub(crate) fn rejected(answer: ApiError) -> Self {
        Self {
            status: Some(answer.status),
            source: Some(Arc::new(answer)),
            ..Self::new(AuthFailureKind::Rejected)
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            AuthFailureKind::TokenEndpointUnavailable | AuthFailureKind::StoreUnavailable
        )
    }

    /// An [`Error::Auth`] with `message` (which must hold no credential) caused by this failure.
    pub fn into_error(self, message: impl Into<String>) -> Error {
        Error::auth(message, Some(Box::new(self)))
    }
}

impl fmt::Debug for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthFailure")
            .field("kind", &self.kind)
            .field("status", &self.status)
            .field("oauth_error", &self.oauth_error)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            AuthFailureKind::ReauthorizationRequired => "the account must be authorised again",
            AuthFailureKind::Refused => "the token endpoint refused the request",
            AuthFailureKind::TokenEndpointUnavailable => "the token endpoint is unavailable",
            AuthFailureKind::InvalidResponse => {
                "the token endpoint's answer is not a token response"
            }
            AuthFailureKind::StoreUnavailable => "the token store is unavailable",
            AuthFailureKind::Rejected => "the provider rejected the credentials",
            AuthFailureKind::Other => "the access token could not be obtained",
        })?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {})", status.as_u16())?;
        }
        if let Some(code) = &self.oauth_error {
            write!(f, " ({code})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Error {
    /// The typed cause of an [`Error::Auth`]: why a token could not be obtained, or the answer
    /// that rejected the credentials.
    pub fn auth_failure(&self) -> Option<&AuthFailure> {
        match self {
            Self::Auth {
                source: Some(source),
                ..
            } => source.downcast_ref::<AuthFailure>(),
            _ => None,
        }
    }

    /// Whether a person must authorise the account again (the provider answered
    /// `invalid_grant`, or no tokens are stored): retrying will not help.
    pub fn requires_reauthorization(&self) -> bool {
        self.auth_failure()
            .is_some_and(|f| f.kind() == AuthFailureKind::ReauthorizationRequired)
    }
}

/// A failed renewal, kept so that every call waiting for it gets the same error.
#[cfg(feature = "oauth")]
#[derive(Debug, Clone)]
pub(super) struct SharedFailure {
    message: String,
    failure: AuthFailure,
}

#[cfg(feature = "oauth")]
impl SharedFailure {
    pub(super) fn new(kind: AuthFailureKind, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            failure: AuthFailure::new(kind),
        }
    }

    /// A token source's error: transport errors and timeouts without a typed cause count as an
    /// unavailable token endpoint.
    pub(super) fn from_token_source(error: Error) -> Self {
        let kind = match error {
            Error::Transport { .. } | Error::Timeout { .. } => {
                AuthFailureKind::TokenEndpointUnavailable
            }
            _ => AuthFailureKind::Other,
        };
        Self::from_error(error, kind)
    }

    /// Keeps `error`'s message and typed cause; an error without one becomes a failure of `kind`.
    pub(super) fn from_error(error: Error, kind: AuthFailureKind) -> Self {
        match error {
            Error::Auth {
                message, source, ..
            } => {
                let failure = match source.map(|s| s.downcast::<AuthFailure>()) {
                    Some(Ok(failure)) => *failure,
                    Some(Err(other)) => AuthFailure {
                        source: Some(Arc::from(other)),
                        ..AuthFailure::new(kind)
                    },
                    None => AuthFailure::new(kind),
                };
                Self { message, failure }
            }
            other => Self {
                message: other.to_string(),
                failure: AuthFailure::new(kind).with_source(other),
            },
        }
    }

    pub(super) fn kind(&self) -> AuthFailureKind {
        self.failure.kind
    }

    pub(super) fn is_retryable(&self) -> bool {
        self.failure.is_retryable()
    }

    pub(super) fn to_error(&self) -> Error {
        self.failure.clone().into_error(self.message.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_endpoint_answers_are_classified_by_status_then_code() {
        let kind = |status: u16, code: Option<&str>| {
            AuthFailure::token_endpoint(StatusCode::from_u16(status).unwrap(), code).kind()
        };
        assert_eq!(
            kind(400, Some("invalid_grant")),
            AuthFailureKind::ReauthorizationRequired
        );
        assert_eq!(kind(401, Some("invalid_client")), AuthFailureKind::Refused);
        assert_eq!(kind(500, None), AuthFailureKind::TokenEndpointUnavailable);
        assert_eq!(
            kind(502, Some("invalid_grant")),
            AuthFailureKind::TokenEndpointUnavailable,
            "a gateway's 502 says nothing about the grant"
        );
        assert_eq!(kind(429, None), AuthFailureKind::TokenEndpointUnavailable);
        assert_eq!(
            kind(400, Some("temporarily_unavailable")),
            AuthFailureKind::TokenEndpointUnavailable
        );
        assert_eq!(kind(404, None), AuthFailureKind::InvalidResponse);
    }

    #[test]
    fn errors_expose_the_failure_status_and_retryability() {
        let err = AuthFailure::token_endpoint(StatusCode::BAD_GATEWAY, None)
            .into_error("the token refresh failed");
        assert_eq!(
            err.auth_failure().map(AuthFailure::kind),
            Some(AuthFailureKind::TokenEndpointUnavailable)
        );
        assert_eq!(err.status(), Some(StatusCode::BAD_GATEWAY));
        assert!(err.is_retryable());
        assert!(!err.requires_reauthorization());
        assert!(err.to_string().contains("token refresh failed"), "{err}");

        let err = AuthFailure::token_endpoint(StatusCode::BAD_REQUEST, Some("invalid_grant"))
            .into_error("re-authorise");
        assert!(err.requires_reauthorization());
        assert!(!err.is_retryable());
        assert!(!Error::auth("no failure attached", None).requires_reauthorization());
    }

    #[cfg(feature = "oauth")]
    #[test]
    fn shared_failures_keep_the_typed_cause_for_every_copy() {
        let original = AuthFailure::token_endpoint(StatusCode::BAD_REQUEST, Some("invalid_grant"))
            .into_error("must re-authorise");
        let shared = SharedFailure::from_error(original, AuthFailureKind::Other);
        for copy in [shared.to_error(), shared.to_error()] {
            assert!(copy.requires_reauthorization());
            assert_eq!(copy.status(), Some(StatusCode::BAD_REQUEST));
            assert_eq!(
                copy.auth_failure().and_then(AuthFailure::oauth_error),
                Some("invalid_grant")
            );
        }
        let io = Error::auth(
            "could not read",
            Some(Box::new(std::io::Error::other("disk"))),
        );
        let shared = SharedFailure::from_error(io, AuthFailureKind::StoreUnavailable);
        let copy = shared.to_error();
        assert_eq!(
            copy.auth_failure().map(AuthFailure::kind),
            Some(AuthFailureKind::StoreUnavailable)
        );
        let source = std::error::Error::source(copy.auth_failure().unwrap()).unwrap();
        assert_eq!(source.to_string(), "disk", "the cause is kept");
    }
}
