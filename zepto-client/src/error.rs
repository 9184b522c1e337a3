//! Zepto's error bodies, and how the pipeline treats them.
//!
//! Zepto answers errors in two shapes, both under `errors`:
//!
//! - detailed (authentication, request types, idempotency):
//!   `{"errors": [{"title": "...", "detail": "...", "links": {"about": "..."}, "meta": {...}}]}`;
//! - about a resource (e.g. a Contact that failed validation):
//!   `{"errors": "A sentence explaining error/s encounted"}`.
//!
//! [`ZeptoErrorPolicy`] decodes both into [`ApiError::message`] (and [`ApiError::code`], the first
//! error's `title`), keeps the decoded [`ErrorResponse`] on the error (read them back with
//! [`ErrorExt`]), and turns a `409 Conflict` for a reused `Idempotency-Key` into
//! [`Error::IdempotencyConflict`] carrying the reference of the resource created with that key
//! (`errors[].meta.resource_ref`), which is never retried.
//!
//! A `401` (a rejected personal access token, or an OAuth token still rejected after one renewal)
//! is an [`Error::Auth`]; Zepto's answer stays readable through [`ErrorExt`].
//!
//! ```
//! use zepto_client::{Error, ErrorExt};
//!
//! fn explain(error: &Error) -> String {
//!     match (error.error_code(), error.error_response()) {
//!         (Some(title), _) => format!("Zepto said {title}"),
//!         (None, Some(_)) => "Zepto answered in one sentence".into(),
//!         (None, None) => error.to_string(),
//!     }
//! }
//! ```

use http::{HeaderMap, StatusCode};
use splitkit_common::{ApiError, Error, ErrorClass, ErrorPolicy};

use crate::generated::models::{ErrorObject, ErrorResponse, ErrorResponseErrors};

/// The provider name in errors ([`CallContext::provider`](crate::CallContext::provider)).
pub const PROVIDER: &str = "zepto";

/// Reads Zepto's error bodies and classifies its answers for the shared pipeline.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeptoErrorPolicy;

impl ErrorPolicy for ZeptoErrorPolicy {
    fn classify(&self, api: &mut ApiError, _headers: &HeaderMap) -> ErrorClass {
        let Some(body) = decode(&api.body) else {
            return ErrorClass::Default;
        };
        match &body.errors {
            ErrorResponseErrors::List(errors) => {
                api.code = errors.first().map(|e| e.title.clone());
                api.message = Some(describe(errors));
            }
            ErrorResponseErrors::Message(sentence) => {
                api.message = Some(sentence.clone());
            }
        }
        let class = if api.status == StatusCode::CONFLICT && is_idempotency_conflict(&body) {
            ErrorClass::IdempotencyConflict {
                existing_resource: existing_resource(&body),
            }
        } else {
            ErrorClass::Default
        };
        api.set_typed(body);
        class
    }
}

/// Decodes an error body, whichever of the two shapes it has.
pub fn decode(body: &[u8]) -> Option<ErrorResponse> {
    serde_json::from_slice(body).ok()
}

/// Zepto's reading of an [`Error`]. Answers of other providers give `None`.
pub trait ErrorExt {
    /// The first error's `title` (Zepto's closest thing to a code), when Zepto answered with
    /// the detailed shape.
    fn error_code(&self) -> Option<&str>;

    /// Zepto's decoded error body, in either shape.
    fn error_response(&self) -> Option<&ErrorResponse>;
}

impl ErrorExt for Error {
    fn error_code(&self) -> Option<&str> {
        self.api_error_from(PROVIDER)?.code.as_deref()
    }

    fn error_response(&self) -> Option<&ErrorResponse> {
        self.api_error_from(PROVIDER)?.typed::<ErrorResponse>()
    }
}

/// The decoded Zepto error body behind `error`, when Zepto answered with one
/// (the same as [`ErrorExt::error_response`]).
pub fn error_body(error: &Error) -> Option<&ErrorResponse> {
    error.error_response()
}

/// The detailed errors of `error` (empty for the one-sentence shape or no body).
pub fn error_objects(error: &Error) -> &[ErrorObject] {
    match error_body(error).map(|b| &b.errors) {
        Some(ErrorResponseErrors::List(list)) => list,
        _ => &[],
    }
}

/// The reference of the resource an idempotency key already created (`PB.1a4`, ...), when
/// `error` is such a conflict.
pub fn existing_resource_ref(error: &Error) -> Option<&str> {
    match error {
        Error::IdempotencyConflict {
            existing_resource, ..
        } => existing_resource.as_deref(),
        _ => None,
    }
}

/// `title: detail` for each error, without saying the title twice when the detail already
/// starts with it.
fn describe(errors: &[ErrorObject]) -> String {
    errors
        .iter()
        .map(|e| {
            let detail = e.detail.trim();
            let repeats_title = detail
                .get(..e.title.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(&e.title));
            if detail.is_empty() {
                e.title.clone()
            } else if repeats_title {
                detail.to_owned()
            } else {
                format!("{}: {detail}", e.title)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn existing_resource(body: &ErrorResponse) -> Option<String> {
    match &body.errors {
        ErrorResponseErrors::List(errors) => errors
            .iter()
            .find_map(|e| e.meta.as_ref()?.resource_ref.clone()),
        ErrorResponseErrors::Message(_) => None,
    }
}

/// A 409 is an idempotency conflict when it names the earlier resource or says so in words.
fn is_idempotency_conflict(body: &ErrorResponse) -> bool {
    if existing_resource(body).is_some() {
        return true;
    }
    let mentions = |text: &str| text.to_ascii_lowercase().contains("idempotency");
    match &body.errors {
        ErrorResponseErrors::List(errors) => errors
            .iter()
            .any(|e| mentions(&e.title) || mentions(&e.detail)),
        ErrorResponseErrors::Message(sentence) => mentions(sentence),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn classify(status: u16, body: &str) -> (ApiError, ErrorClass) {
        let mut api = ApiError::new(
            splitkit_common::CallContext::new(PROVIDER, "createPayment"),
            StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
            Bytes::from(body.to_owned()),
        );
        let class = ZeptoErrorPolicy.classify(&mut api, &HeaderMap::new());
        (api, class)
    }

    #[test]
    fn list_shape_fills_code_message_and_typed_body() {
        let (api, class) = classify(
            422,
            r#"{"errors":[{"title":"A Specific Error","detail":"Details about the error","links":{"about":"https://docs.split.cash/..."}}]}"#,
        );
        assert_eq!(class, ErrorClass::Default);
        assert_eq!(api.code.as_deref(), Some("A Specific Error"));
        assert_eq!(
            api.message.as_deref(),
            Some("A Specific Error: Details about the error")
        );
        assert!(api.typed::<ErrorResponse>().is_some());
    }

    #[test]
    fn a_detail_that_starts_with_the_title_does_not_repeat_it() {
        let (api, _) = classify(
            422,
            r#"{"errors":[{"title":"Invalid","detail":"Invalid: Branch code is invalid"}]}"#,
        );
        assert_eq!(
            api.message.as_deref(),
            Some("Invalid: Branch code is invalid")
        );
        assert_eq!(
            Error::from(api).to_string(),
            "zepto createPayment: 422 Unprocessable Entity: Invalid: Branch code is invalid"
        );
    }

    #[test]
    fn sentence_shape_fills_message() {
        let (api, class) = classify(
            422,
            r#"{"errors":"A sentence explaining error/s encounted"}"#,
        );
        assert_eq!(class, ErrorClass::Default);
        assert_eq!(api.code, None);
        assert_eq!(
            api.message.as_deref(),
            Some("A sentence explaining error/s encounted")
        );
    }

    #[test]
    fn conflict_with_resource_ref_is_an_idempotency_conflict() {
        let (_, class) = classify(
            409,
            r#"{"errors":[{"title":"Duplicate idempotency key","detail":"A resource has already been created with this idempotency key","meta":{"resource_ref":"PB.1a4"}}]}"#,
        );
        assert_eq!(
            class,
            ErrorClass::IdempotencyConflict {
                existing_resource: Some("PB.1a4".into())
            }
        );
    }

    #[test]
    fn other_conflicts_and_unreadable_bodies_use_the_default_rules() {
        assert_eq!(
            classify(409, r#"{"errors":"Contact already exists"}"#).1,
            ErrorClass::Default
        );
        let (api, class) = classify(500, "<html>oops</html>");
        assert_eq!(class, ErrorClass::Default);
        assert_eq!(api.message, None);
    }
}
