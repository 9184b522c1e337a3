//! How split(able)'s error answers become [`splitkit_common::Error`]s.
//!
//! split(able) reports a failure as a JSON body `{"error": "<message>"}`, and its HTTP status
//! says little: the same failure was recorded as `500` on the live host and as `200` on the
//! draft host. Either way this crate returns [`Error::Api`] whose [`ApiError::message`] is the
//! message and whose typed body is the generated [`ErrorResponse`]; read them with
//! [`SplitableErrorExt`].

use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use splitkit_common::{ApiError, Error, ErrorClass, ErrorPolicy, HttpResponse};

pub use crate::generated::models::ErrorResponse;

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

/// Reads split(able)'s error message out of a [`splitkit_common::Error`].
///
/// ```
/// use splitable_client::SplitableErrorExt;
///
/// fn explain(err: &splitable_client::Error) -> String {
///     match err.splitable_message() {
///         Some(message) => format!("split(able) said: {message}"),
///         None => err.to_string(),
///     }
/// }
/// # let _ = explain;
/// ```
pub trait SplitableErrorExt {
    /// The decoded `{"error": "..."}` body, when split(able) answered with one (whatever the
    /// HTTP status).
    fn splitable_error(&self) -> Option<&ErrorResponse>;

    /// The message of [`SplitableErrorExt::splitable_error`], e.g.
    /// `"Order must have atleast one line item"`.
    fn splitable_message(&self) -> Option<&str> {
        self.splitable_error().map(|body| body.error.as_str())
    }
}

impl SplitableErrorExt for Error {
    fn splitable_error(&self) -> Option<&ErrorResponse> {
        self.api_error()?.typed::<ErrorResponse>()
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
