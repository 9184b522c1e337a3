//! Ante's error answers: `{request_id, error, details?}`, with a best-effort classification of
//! the human-readable `error` string.
//!
//! Every call returns [`Error`]. When Ante answered with an error, the [`ApiError`] inside it
//! has the status, `message` (Ante's `error`) and `request_id` (quote it in support mail), and
//! carries an [`AnteError`] with `details` and an [`ErrorKind`]; reach it with
//! [`ErrorExt::error_response`] (`None` for another provider's error). A `401` (an invalid or
//! revoked key) is an [`Error::Auth`] whose answer is read the same way.
//!
//! ```
//! use ante_client::{Error, ErrorExt, ErrorKind};
//!
//! fn explain(err: &Error) -> String {
//!     match err.error_response() {
//!         Some(e) if e.kind == ErrorKind::InvalidCartSignature => {
//!             format!("{} ({}): {}", e.message, e.request_id, e.details.join("; "))
//!         }
//!         Some(e) => format!("{} (request id {})", e.message, e.request_id),
//!         None => err.to_string(),
//!     }
//! }
//! ```
//!
//! Ante's `error` is a sentence, not a stable code: [`ErrorKind`] matches known phrases and
//! falls back to [`ErrorKind::Other`]; the raw message is always kept.

use http::HeaderMap;
use serde::Deserialize;
use splitkit_common::{ApiError, Error, ErrorClass, ErrorPolicy};

/// The provider name in errors ([`CallContext::provider`](crate::CallContext::provider)).
pub const PROVIDER: &str = "ante";

/// What kind of error Ante reported, recognised from its message (and status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `Invalid API key format`.
    InvalidKeyFormat,
    /// `Invalid or revoked API key`: rotated keys are revoked at once.
    InvalidOrRevokedKey,
    /// `Missing Authorization bearer…`.
    MissingAuthorization,
    /// `API key missing scope: …` (e.g. a publishable key creating a session where Ante wants a
    /// secret key); [`AnteError::missing_scope`] names the scope.
    ScopeMissing,
    /// `X-Merchant-ID does not match…` the key.
    MerchantMismatch,
    /// `…does not match merchant mode`: a test key on a live merchant or the reverse.
    ModeMismatch,
    /// `Secret API keys must not be used from browser clients` (an `Origin` header was sent).
    SecretKeyFromBrowser,
    /// `Invalid cart signature (X-Ante-Signature)`; `details` holds Ante's checklist.
    InvalidCartSignature,
    /// `Cart total does not match…` / `…does not match subtotal`.
    CartTotalMismatch,
    /// `cart.total, cart.currency required`.
    CartFieldsMissing,
    /// `Order total must be at least…` the merchant's minimum.
    OrderTotalTooLow,
    /// `Set up payouts…`: Stripe payouts are not set up yet.
    PayoutsNotSetUp,
    /// `Headless REST requires onboarding`: unsigned secret-key session create is not enabled.
    HeadlessNotEnabled,
    /// `Complete the sandbox checklist before switching to live mode`.
    SandboxChecklistIncomplete,
    /// 429 / `Too many requests`.
    RateLimited,
    /// 503 / `Service temporarily unavailable`.
    Unavailable,
    /// Anything else; read the message.
    Other,
}

/// Phrases of Ante's messages, most specific first.
const PHRASES: &[(&str, ErrorKind)] = &[
    ("invalid api key format", ErrorKind::InvalidKeyFormat),
    ("invalid or revoked api key", ErrorKind::InvalidOrRevokedKey),
    ("missing authorization", ErrorKind::MissingAuthorization),
    ("missing scope", ErrorKind::ScopeMissing),
    ("x-merchant-id does not match", ErrorKind::MerchantMismatch),
    ("does not match merchant mode", ErrorKind::ModeMismatch),
    (
        "must not be used from browser",
        ErrorKind::SecretKeyFromBrowser,
    ),
    ("invalid cart signature", ErrorKind::InvalidCartSignature),
    ("cart total does not match", ErrorKind::CartTotalMismatch),
    ("does not match subtotal", ErrorKind::CartTotalMismatch),
    (
        "cart.total, cart.currency required",
        ErrorKind::CartFieldsMissing,
    ),
    ("order total must be at least", ErrorKind::OrderTotalTooLow),
    ("set up payouts", ErrorKind::PayoutsNotSetUp),
    (
        "headless rest requires onboarding",
        ErrorKind::HeadlessNotEnabled,
    ),
    (
        "complete the sandbox checklist",
        ErrorKind::SandboxChecklistIncomplete,
    ),
    ("too many requests", ErrorKind::RateLimited),
    ("service temporarily unavailable", ErrorKind::Unavailable),
];

impl ErrorKind {
    /// Classifies an error answer by its message, then its status.
    pub fn classify(status: u16, message: &str) -> Self {
        let lower = message.to_lowercase();
        if let Some((_, kind)) = PHRASES.iter().find(|(p, _)| lower.contains(p)) {
            return *kind;
        }
        match status {
            429 => Self::RateLimited,
            503 => Self::Unavailable,
            _ => Self::Other,
        }
    }
}

/// Ante's error body, decoded, with its classification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnteError {
    /// The request id; quote it in support mail.
    pub request_id: String,
    /// Ante's `error` message, as sent.
    pub message: String,
    /// Ante's checklist for complex errors (e.g. an invalid cart signature); often empty.
    pub details: Vec<String>,
    /// What the message says, as far as it is recognised.
    pub kind: ErrorKind,
}

impl AnteError {
    /// For [`ErrorKind::ScopeMissing`]: the scope named after `missing scope:`.
    pub fn missing_scope(&self) -> Option<&str> {
        let lower = self.message.to_lowercase();
        let at = lower.find("missing scope:")? + "missing scope:".len();
        self.message
            .get(at..)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// Ante's reading of an [`Error`] (the same trait, with the same methods, in every splitkit
/// crate). Answers of other providers give `None`.
pub trait ErrorExt {
    /// The [`ErrorKind`] recognised in Ante's message (Ante sends sentences, not codes), when
    /// Ante answered.
    fn error_code(&self) -> Option<ErrorKind> {
        self.error_response().map(|e| e.kind)
    }

    /// Ante's decoded error body, when Ante answered.
    fn error_response(&self) -> Option<&AnteError>;
}

impl ErrorExt for Error {
    fn error_response(&self) -> Option<&AnteError> {
        self.api_error_from(PROVIDER)?.typed::<AnteError>()
    }
}

impl ErrorExt for ApiError {
    fn error_response(&self) -> Option<&AnteError> {
        (self.provider() == PROVIDER)
            .then(|| self.typed::<AnteError>())
            .flatten()
    }
}

/// The former name of [`ErrorExt`].
#[deprecated(note = "use `ErrorExt`: `error_response()` and `error_code()`")]
pub trait AnteErrorExt {
    /// Ante's decoded error body: [`ErrorExt::error_response`].
    fn ante_error(&self) -> Option<&AnteError>;

    /// The [`ErrorKind`]: [`ErrorExt::error_code`].
    fn ante_kind(&self) -> Option<ErrorKind> {
        self.ante_error().map(|e| e.kind)
    }
}

#[allow(deprecated)]
impl<T: ErrorExt> AnteErrorExt for T {
    fn ante_error(&self) -> Option<&AnteError> {
        self.error_response()
    }
}

/// The body as Ante sends it; lenient, so that a proxy's partial answer still decodes.
#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    details: Option<Vec<String>>,
}

/// Reads Ante's error bodies into [`ApiError`] (`message`, `request_id`) and attaches an
/// [`AnteError`]. Retries follow the runtime's rules: 429 (after `Retry-After`) and 503 only
/// for calls that are safe to repeat.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnteErrorPolicy;

impl ErrorPolicy for AnteErrorPolicy {
    fn classify(&self, api: &mut ApiError, _headers: &HeaderMap) -> ErrorClass {
        let body: Option<Body> = serde_json::from_slice(&api.body).ok();
        let (request_id, message, details) = match body {
            Some(b) => (b.request_id, b.error, b.details.unwrap_or_default()),
            None => (None, None, Vec::new()),
        };
        let message = message.unwrap_or_default();
        let kind = ErrorKind::classify(api.status.as_u16(), &message);
        if api.request_id.is_none() {
            api.request_id = request_id;
        }
        if !message.is_empty() {
            api.message = Some(message.clone());
        }
        let typed = AnteError {
            request_id: api.request_id.clone().unwrap_or_default(),
            message,
            details,
            kind,
        };
        api.set_typed(typed);
        ErrorClass::Default
    }
}
