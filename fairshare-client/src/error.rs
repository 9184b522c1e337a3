//! FairShare's error answers: decoding the `{code, message}` body and classifying it.
//!
//! Every call returns [`Error`]. For an error answer from FairShare the [`ErrorExt`] methods
//! give the documented [`ErrorCode`] (an open enum: codes this SDK does not know are kept as
//! [`ErrorCode::Unknown`]) and the decoded [`ErrorResponse`] with its message; for an error of
//! another provider they give `None`. A `401` (a rejected API key) is an [`Error::Auth`] whose
//! answer stays readable the same way.
//!
//! ```
//! use fairshare_client::{Error, ErrorCode, ErrorExt};
//!
//! fn explain(error: &Error) -> String {
//!     match error.error_code() {
//!         Some(ErrorCode::LiveAccessDisabled) => "add a payment method before going live".into(),
//!         Some(ErrorCode::PspConnectionMissing) => "connect a payment gateway first".into(),
//!         Some(code) => format!("FairShare refused the call: {code}"),
//!         None => error.to_string(),
//!     }
//! }
//! ```

use http::HeaderMap;
use splitkit_common::{ApiError, Error, ErrorClass, ErrorPolicy};

use crate::generated::models::{ErrorCode, ErrorResponse};

/// The provider name in errors ([`CallContext::provider`](crate::CallContext::provider)).
pub const PROVIDER: &str = "fairshare";

/// Reads FairShare's structured `ApiError` bodies (`{"code": ..., "message": ...}`).
///
/// - `code` and `message` go into [`ApiError::code`] and [`ApiError::message`], and the whole body,
///   when it has both, is attached as an [`ErrorResponse`] (see [`ErrorExt::error_response`]).
/// - `409 IDEMPOTENCY_KEY_REUSED` becomes [`Error::IdempotencyConflict`] and is never retried.
/// - Everything else follows the runtime's rules: `500 INTERNAL_ERROR` (and 502, 503, 504, 429)
///   is retried only for calls that are safe to repeat (a create carries an idempotency key;
///   reading a session and setting its contributor count are idempotent); other 4xx never.
#[derive(Debug, Clone, Copy, Default)]
pub struct FairShareErrorPolicy;

impl ErrorPolicy for FairShareErrorPolicy {
    fn classify(&self, api: &mut ApiError, _headers: &HeaderMap) -> ErrorClass {
        // Read leniently: a proxy or framework error page may carry only one field, or none.
        if let Ok(serde_json::Value::Object(fields)) =
            serde_json::from_slice::<serde_json::Value>(&api.body)
        {
            let text = |name: &str| fields.get(name).and_then(|v| v.as_str()).map(str::to_owned);
            api.code = text("code");
            api.message = text("message");
        }
        if let Ok(body) = serde_json::from_slice::<ErrorResponse>(&api.body) {
            api.set_typed(body);
        }
        match api.code.as_deref() {
            Some("IDEMPOTENCY_KEY_REUSED") => ErrorClass::IdempotencyConflict {
                existing_resource: None,
            },
            _ => ErrorClass::Default,
        }
    }
}

/// FairShare's reading of an [`Error`]. Answers of other providers give `None`.
pub trait ErrorExt {
    /// FairShare's error code, when FairShare answered with one.
    fn error_code(&self) -> Option<ErrorCode>;

    /// FairShare's decoded error body (code and message), when the answer had one.
    fn error_response(&self) -> Option<&ErrorResponse>;
}

impl ErrorExt for Error {
    fn error_code(&self) -> Option<ErrorCode> {
        let code = self.api_error_from(PROVIDER)?.code.as_deref()?;
        let Ok(parsed) = code.parse::<ErrorCode>();
        Some(parsed)
    }

    fn error_response(&self) -> Option<&ErrorResponse> {
        self.api_error_from(PROVIDER)?.typed::<ErrorResponse>()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use http::StatusCode;

    fn classify(status: u16, body: &'static str) -> (ApiError, ErrorClass) {
        let mut api = ApiError::new(
            splitkit_common::CallContext::new(PROVIDER, "createSplitSession"),
            StatusCode::from_u16(status).unwrap(),
            body.as_bytes().to_vec().into(),
        );
        let class = FairShareErrorPolicy.classify(&mut api, &HeaderMap::new());
        (api, class)
    }

    #[test]
    fn reads_code_and_message_and_keeps_the_typed_body() {
        let (api, class) = classify(
            409,
            r#"{"code":"PSP_CONNECTION_MISSING","message":"no PSP"}"#,
        );
        assert_eq!(class, ErrorClass::Default);
        assert_eq!(api.code.as_deref(), Some("PSP_CONNECTION_MISSING"));
        assert_eq!(api.message.as_deref(), Some("no PSP"));
        let typed = api.typed::<ErrorResponse>().unwrap();
        assert_eq!(typed.code, ErrorCode::PspConnectionMissing);
        assert_eq!(typed.message, "no PSP");
    }

    #[test]
    fn codes_are_read_only_from_fairshare_answers() {
        let (api, _) = classify(
            409,
            r#"{"code":"PSP_CONNECTION_MISSING","message":"no PSP"}"#,
        );
        let ours = Error::from(api);
        assert_eq!(ours.error_code(), Some(ErrorCode::PspConnectionMissing));
        let mut theirs = ApiError::new(
            splitkit_common::CallContext::new("zepto", "createPayment"),
            StatusCode::UNPROCESSABLE_ENTITY,
            Default::default(),
        );
        theirs.code = Some("Invalid".into());
        let theirs = Error::from(theirs);
        assert_eq!(theirs.error_code(), None);
        assert!(theirs.error_response().is_none());
    }

    #[test]
    fn reused_key_is_a_conflict() {
        let (_, class) = classify(409, r#"{"code":"IDEMPOTENCY_KEY_REUSED","message":"m"}"#);
        assert_eq!(
            class,
            ErrorClass::IdempotencyConflict {
                existing_resource: None
            }
        );
    }

    #[test]
    fn partial_and_foreign_bodies_are_read_leniently() {
        let (api, class) = classify(502, "<html>Bad gateway</html>");
        assert_eq!(class, ErrorClass::Default);
        assert_eq!(api.code, None);
        assert!(api.typed::<ErrorResponse>().is_none());

        let (api, _) = classify(400, r#"{"message":"totalAmountQar is required"}"#);
        assert_eq!(api.code, None);
        assert_eq!(api.message.as_deref(), Some("totalAmountQar is required"));
        assert!(api.typed::<ErrorResponse>().is_none());

        let (api, _) = classify(
            400,
            r#"{"code":"SOMETHING_NEW","message":"m","details":[1]}"#,
        );
        let typed = api.typed::<ErrorResponse>().unwrap();
        assert_eq!(typed.code, ErrorCode::Unknown("SOMETHING_NEW".into()));
    }
}
