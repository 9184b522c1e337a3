//! The callback split(able) sends to `api_notify_url` when a split is paid or cancelled.
//!
//! It is a form-encoded `POST` with four fields: `invoice`, `payment_status` (`paid` or
//! `cancelled`), `api_secret` and `transaction_id`. There is no signature: the callback is
//! authenticated by the `api_secret` it carries, which must equal the secret you expect (the
//! company's, from the settings page of split(able), or the one sent when creating the split
//! with [`crate::NewSplitBuilder::api_secret`]). This module compares them in constant time.
//!
//! # Answering split(able)
//!
//! Answer **exactly `200`** ([`ACKNOWLEDGE_STATUS`]) once the callback is safely recorded. Any
//! other status, `201` and `204` included, makes split(able) send it again: 25 attempts in all,
//! at growing intervals, for about five days. The same callback can therefore arrive more than
//! once, and nothing in it (no timestamp, no nonce) stops a replay: make the handler
//! idempotent on [`Callback::transaction_id`], and answer `200` to a repeat you have already
//! handled. Answer a rejected callback with [`CallbackError::http_status`] (`403` or `400`):
//! a genuine callback that fails because of a misconfigured secret is then retried until you
//! fix the configuration.

use std::fmt;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use splitkit_common::SecretString;

pub use crate::generated::models::PaymentStatus;

/// The status a callback handler must answer once it has recorded the callback: `200`.
pub const ACKNOWLEDGE_STATUS: StatusCode = StatusCode::OK;

/// The field names of the callback.
const INVOICE: &str = "invoice";
const PAYMENT_STATUS: &str = "payment_status";
const API_SECRET: &str = "api_secret";
const TRANSACTION_ID: &str = "transaction_id";

/// Why a callback was rejected. No message shows a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// The request says its body is something other than `application/x-www-form-urlencoded`.
    #[error(
        "unexpected Content-Type {0:?}: a split(able) callback is application/x-www-form-urlencoded"
    )]
    UnexpectedContentType(String),
    /// A callback field appears more than once, so which value counts would be ambiguous.
    #[error("field `{0}` appears more than once")]
    DuplicateField(&'static str),
    /// A field is absent or empty.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// `api_secret` does not equal any expected secret: the callback may be forged.
    #[error("`api_secret` does not match the expected secret")]
    SecretMismatch,
}

impl CallbackError {
    /// What to answer split(able) (or a forger): `403` for a secret mismatch or a missing
    /// `api_secret`, `400` for a malformed request. Neither is `200`, so split(able) will try
    /// again later.
    pub fn http_status(&self) -> StatusCode {
        match self {
            Self::SecretMismatch | Self::MissingField(API_SECRET) => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// A verified callback.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Callback {
    /// Your order id, as sent when creating the split.
    pub invoice: String,
    /// `Paid` (every team member's card was captured), `Cancelled` (the total was not reached
    /// in time), or `Unknown` with the value as received. Record an unknown value and still
    /// answer `200`, or split(able) keeps retrying.
    pub payment_status: PaymentStatus,
    /// split(able)'s id of this transaction (opaque: digits or hexadecimal in the samples).
    /// Use it to de-duplicate deliveries; split(able) asks for it when you contact them and for
    /// refunds.
    pub transaction_id: String,
}

impl Callback {
    /// Whether the split was paid in full.
    pub fn is_paid(&self) -> bool {
        self.payment_status == PaymentStatus::Paid
    }

    /// Whether the split was cancelled (the total was not reached in time).
    pub fn is_cancelled(&self) -> bool {
        self.payment_status == PaymentStatus::Cancelled
    }
}

/// Verifies callbacks against the secrets you expect.
///
/// ```
/// use http::HeaderMap;
/// use splitable_client::{CallbackVerifier, PaymentStatus};
///
/// let verifier = CallbackVerifier::new("82746e2d66cb8993");
/// let mut headers = HeaderMap::new();
/// headers.insert("content-type", "application/x-www-form-urlencoded".parse()?);
/// let body = b"invoice=3789273937239273&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=852973493383974";
///
/// let callback = verifier.verify(&headers, body)?;
/// assert_eq!(callback.payment_status, PaymentStatus::Paid);
/// assert_eq!(callback.transaction_id, "852973493383974");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct CallbackVerifier {
    secrets: Vec<SecretString>,
}

impl fmt::Debug for CallbackVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackVerifier")
            .field("secrets", &self.secrets)
            .finish()
    }
}

impl CallbackVerifier {
    /// Accepts callbacks carrying `secret` (usually the company's `api_secret`).
    pub fn new(secret: impl Into<SecretString>) -> Self {
        Self {
            secrets: vec![secret.into()],
        }
    }

    /// Also accepts `secret`: a previous company secret while rotating, or a per-split secret
    /// used for every split.
    pub fn also_accept(mut self, secret: impl Into<SecretString>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Parses the raw callback request and checks its `api_secret` in constant time.
    ///
    /// `headers` are the request's headers (only `Content-Type` is read: when present it must
    /// be `application/x-www-form-urlencoded`); `body` is the raw body.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Callback, CallbackError> {
        ReceivedCallback::parse(headers, body)?.verify_any(&self.secrets)
    }
}

/// A callback read from the wire but not yet verified: nothing in it is trusted.
///
/// Use it when the expected secret depends on the split (one `api_secret` per split): look the
/// secret up by [`ReceivedCallback::unverified_invoice`], then call
/// [`ReceivedCallback::verify`]. With a single company secret, [`CallbackVerifier`] does both
/// steps.
#[derive(Clone)]
pub struct ReceivedCallback {
    invoice: Option<String>,
    payment_status: Option<String>,
    api_secret: Option<SecretString>,
    transaction_id: Option<String>,
}

impl fmt::Debug for ReceivedCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedCallback")
            .field("invoice", &self.invoice)
            .field("payment_status", &self.payment_status)
            .field("api_secret", &self.api_secret)
            .field("transaction_id", &self.transaction_id)
            .finish()
    }
}

impl ReceivedCallback {
    /// Reads the form fields of a callback request. Fails when the `Content-Type` is present
    /// and not `application/x-www-form-urlencoded`, or when a callback field appears twice.
    /// Other fields are ignored; missing ones are reported by [`ReceivedCallback::verify`].
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, CallbackError> {
        if let Some(value) = headers.get(CONTENT_TYPE) {
            let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
            let essence = text.split(';').next().unwrap_or_default().trim();
            if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
                return Err(CallbackError::UnexpectedContentType(text));
            }
        }
        let mut received = Self {
            invoice: None,
            payment_status: None,
            api_secret: None,
            transaction_id: None,
        };
        for (name, value) in url::form_urlencoded::parse(body) {
            let (field, slot) = match name.as_ref() {
                INVOICE => (INVOICE, &mut received.invoice),
                PAYMENT_STATUS => (PAYMENT_STATUS, &mut received.payment_status),
                TRANSACTION_ID => (TRANSACTION_ID, &mut received.transaction_id),
                API_SECRET => {
                    if received.api_secret.is_some() {
                        return Err(CallbackError::DuplicateField(API_SECRET));
                    }
                    received.api_secret = Some(SecretString::new(value.into_owned()));
                    continue;
                }
                _ => continue,
            };
            if slot.is_some() {
                return Err(CallbackError::DuplicateField(field));
            }
            *slot = Some(value.into_owned());
        }
        Ok(received)
    }

    /// The `invoice` as received, before verification: use it only to look up which secret
    /// to verify with.
    pub fn unverified_invoice(&self) -> Option<&str> {
        self.invoice.as_deref()
    }

    /// Checks `api_secret` against `expected` in constant time, then the other fields.
    pub fn verify(&self, expected: &SecretString) -> Result<Callback, CallbackError> {
        self.verify_any(std::slice::from_ref(expected))
    }

    /// Checks `api_secret` against every secret of `expected` (all are compared, in constant
    /// time), then the other fields. An empty `expected` accepts nothing.
    pub fn verify_any(&self, expected: &[SecretString]) -> Result<Callback, CallbackError> {
        let received = self
            .api_secret
            .as_ref()
            .filter(|s| !s.is_empty())
            .ok_or(CallbackError::MissingField(API_SECRET))?;
        if !splitkit_common::webhook::secrets_match(received.expose(), expected) {
            return Err(CallbackError::SecretMismatch);
        }
        let invoice = required(&self.invoice, INVOICE)?;
        let status = required(&self.payment_status, PAYMENT_STATUS)?;
        let transaction_id = required(&self.transaction_id, TRANSACTION_ID)?;
        let Ok(payment_status) = status.parse::<PaymentStatus>();
        Ok(Callback {
            invoice: invoice.to_owned(),
            payment_status,
            transaction_id: transaction_id.to_owned(),
        })
    }
}

fn required<'a>(value: &'a Option<String>, field: &'static str) -> Result<&'a str, CallbackError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or(CallbackError::MissingField(field))
}
