//! How split(able)'s error answers become [`Error`]s.
//!
//! split(able) reports a failure as a JSON body `{"error": "<message>"}`, and its HTTP status
//! says little: the same failure was recorded as `500` on the live host and as `200` on the
//! draft host. Either way this crate returns [`Error::Api`] whose [`ApiError::message`] is the
//! message and whose typed body is the generated [`ErrorResponse`]; read them with [`ErrorExt`]
//! (`None` for another provider's error).

use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use splitkit_common::{ApiError, Error, ErrorClass, ErrorPolicy, HttpResponse};

pub use crate::generated::models::ErrorResponse;

/// The provider name in errors ([`CallContext::provider`](crate::CallContext::provider)).
pub const PROVIDER: &str = "splitable";

/// The [`ErrorPolicy`] of split(able), installed by [`crate::ClientBuilder::build`].
///
/// It decodes `{"error": "..."}` bodies into [`ErrorResponse`] and copies the message into
/// [`ApiError::message`]. A `500` that carries such a body is split(able) rejecting the request
/// (the live host reports business errors, such as an order without line items, with `500`), so
/// it is never retried, not even for the idempotent `GET`; a `500` without one, and `502`, `503`,
/// `504`, follow the runtime's default rules. A `2xx` answer with such a body (the draft host's
/// way) is an error too.
#[derive(Debug, Clone, Copy, Default)]
pub struct SplitableErrorPolicy;

impl ErrorPolicy for SplitableErrorPolicy {
    fn classify(&self, api: &mut ApiError, _headers: &HeaderMap) -> ErrorClass {
        let Some(body) = error_body(&api.body) else {
            return ErrorClass::Default;
        };
        api.message = Some(body.error.clone());
        api.set_typed(body);
        if api.status == StatusCode::INTERNAL_SERVER_ERROR {
            ErrorClass::Fatal
        } else {
            ErrorClass::Default
        }
    }

    fn success_is_error(&self, response: &HttpResponse) -> bool {
        error_body(&response.body).is_some()
    }
}

/// The `{"error": "..."}` body, when `body` is a JSON object with a string `error`.
pub(crate) fn error_body(body: &[u8]) -> Option<ErrorResponse> {
    #[derive(Deserialize)]
    struct Probe {
        #[serde(default)]
        error: Option<String>,
    }
    let probe: Probe = serde_json::from_slice(body).ok()?;
    probe.error.map(|error| ErrorResponse { error })
}

/// split(able)'s reading of an [`Error`] (the same trait, with the same methods, in every
/// splitkit crate). Answers of other providers give `None`.
///
/// ```
/// use splitable_client::ErrorExt;
///
/// fn explain(err: &splitable_client::Error) -> String {
///     match err.error_code() {
///         Some(message) => format!("split(able) said: {message}"),
///         None => err.to_string(),
///     }
/// }
/// # let _ = explain;
/// ```
pub trait ErrorExt {
    /// split(able)'s message, e.g. `"Order must have atleast one line item"` (it sends no codes:
    /// the message is the closest thing), when it answered with an `{"error": "..."}` body.
    fn error_code(&self) -> Option<&str> {
        self.error_response().map(|body| body.error.as_str())
    }

    /// The decoded `{"error": "..."}` body, when split(able) answered with one (whatever the
    /// HTTP status).
    fn error_response(&self) -> Option<&ErrorResponse>;
}

impl ErrorExt for Error {
    fn error_response(&self) -> Option<&ErrorResponse> {
        self.api_error_from(PROVIDER)?.typed::<ErrorResponse>()
    }
}

/// The former name of [`ErrorExt`].
#[deprecated(note = "use `ErrorExt`: `error_response()` and `error_code()`")]
pub trait SplitableErrorExt {
    /// [`ErrorExt::error_response`].
    fn splitable_error(&self) -> Option<&ErrorResponse>;

    /// [`ErrorExt::error_code`].
    fn splitable_message(&self) -> Option<&str> {
        self.splitable_error().map(|body| body.error.as_str())
    }
}

#[allow(deprecated)]
impl<T: ErrorExt> SplitableErrorExt for T {
    fn splitable_error(&self) -> Option<&ErrorResponse> {
        self.error_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_needs_an_object_with_a_string_error() {
        assert_eq!(
            error_body(br#"{"error":"api_key is missing"}"#).map(|b| b.error),
            Some("api_key is missing".to_owned())
        );
        assert!(error_body(br#"[{"name":"A","email":"a@example.com"}]"#).is_none());
        assert!(error_body(br#"{"split_url":"x","split_id":"y"}"#).is_none());
        assert!(error_body(br#"{"error":null}"#).is_none());
        assert!(error_body(b"<html>Bad Gateway</html>").is_none());
    }
}
