//! Faults on request and the log of API requests: what the next requests to an operation do
//! instead of being answered ([`Fault`]), and every request the emulator saw
//! ([`ApiRequest`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::webhooks::Provider;

/// What an injected fault does to a request, instead of (or before) answering it.
///
/// ```
/// use std::time::Duration;
/// use splitkit_emulator::Fault;
///
/// let limited = Fault::rate_limited(Duration::from_secs(2)); // 429, Retry-After: 2
/// let outage = Fault::status(503);
/// let timeout = Fault::hang(Duration::from_secs(30)); // no answer; your client times out
/// let dropped = Fault::reset(); // the connection is reset, nothing is answered
/// let slow = Fault::delay(Duration::from_millis(800)); // answered, late
/// # let _ = (limited, outage, timeout, dropped, slow);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Answers `status` (400 to 599) in the provider's own error shape, with
    /// `Retry-After: <retry_after>` (seconds) when given. The request is not carried out.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, in seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Holds the request for `ms` milliseconds (at most ten minutes), then closes the
    /// connection without an answer; a client with a shorter timeout gives up first. The
    /// request is not carried out.
    Hang {
        /// How long, in milliseconds.
        ms: u64,
    },
    /// Resets the connection (TCP `RST`) without an answer. The request is not carried out.
    Reset,
    /// Carries the request out and answers it normally, `ms` milliseconds late (at most ten
    /// minutes).
    Delay {
        /// How late, in milliseconds.
        ms: u64,
    },
}

/// The longest hang or delay a fault may ask for.
pub(crate) const MAX_FAULT_MS: u64 = 10 * 60 * 1000;

impl Fault {
    /// Answers `status` in the provider's error shape.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// Answers `status` in the provider's error shape, with `Retry-After` (whole seconds).
    pub fn status_with_retry_after(status: u16, retry_after: Duration) -> Self {
        Fault::Status {
            status,
            retry_after: Some(retry_after.as_secs()),
        }
    }

    /// Answers 429 with `Retry-After` (whole seconds), in the provider's error shape.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::status_with_retry_after(429, retry_after)
    }

    /// Holds the request without answering for `duration`, then drops the connection.
    pub fn hang(duration: Duration) -> Self {
        Fault::Hang {
            ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Resets the connection without answering.
    pub fn reset() -> Self {
        Fault::Reset
    }

    /// Answers normally after `duration`.
    pub fn delay(duration: Duration) -> Self {
        Fault::Delay {
            ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Checks the values a control request may not exceed.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match self {
            Fault::Status { status, .. } if !(400..=599).contains(status) => {
                Err("`status` must be an HTTP error status (400-599)".into())
            }
            Fault::Hang { ms } | Fault::Delay { ms } if *ms > MAX_FAULT_MS => {
                Err(format!("`ms` must be at most {MAX_FAULT_MS} (ten minutes)"))
            }
            _ => Ok(()),
        }
    }

    /// A short description for the request log (`status 503`, `hang 30000 ms`, `reset`).
    pub(crate) fn describe(&self) -> String {
        match self {
            Fault::Status { status, .. } => format!("status {status}"),
            Fault::Hang { ms } => format!("hang {ms} ms"),
            Fault::Reset => "reset".into(),
            Fault::Delay { ms } => format!("delay {ms} ms"),
        }
    }
}

/// A fault waiting for the requests it applies to (`GET /_emulator/faults`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InjectedFault {
    /// The provider whose API it applies to.
    pub provider: Provider,
    /// The operation it applies to (`createPayment`); any operation of the provider when
    /// `None`.
    pub operation: Option<String>,
    /// What it does.
    pub fault: Fault,
    /// How many more requests it applies to.
    pub remaining: u32,
}

impl InjectedFault {
    pub(crate) fn applies_to(&self, provider: Provider, operation: Option<&str>) -> bool {
        self.provider == provider
            && self
                .operation
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == operation)
    }
}

/// One API request the emulator received, as the request log keeps it
/// (`GET /_emulator/requests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiRequest {
    /// Position in the log (increasing, starting at 1).
    pub seq: u64,
    /// The provider whose API was called.
    pub provider: Provider,
    /// The operation (`createPayment`, `oauthToken`, ...); `None` for a path or method the
    /// provider does not have.
    pub operation: Option<String>,
    /// The method.
    pub method: String,
    /// The path below the provider's base URL.
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The `Idempotency-Key` header, if sent.
    pub idempotency_key: Option<String>,
    /// The request body (as text; at most 64 KiB are kept).
    pub body: String,
    /// The status answered; `None` when no answer was sent (a `hang` or `reset` fault).
    pub status: Option<u16>,
    /// The injected fault that applied, described (`status 503`, `hang 30000 ms`, `reset`,
    /// `delay 800 ms`).
    pub fault: Option<String>,
    /// Emulator time of the request (RFC 3339).
    pub at: String,
}

/// How much of a request body the log keeps.
pub(crate) const MAX_LOGGED_BODY: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_read_their_json_shapes() {
        let parse = |s: &str| serde_json::from_str::<Fault>(s).ok();
        assert_eq!(
            parse(r#"{"type": "status", "status": 429, "retry_after": 3}"#),
            Some(Fault::rate_limited(Duration::from_secs(3)))
        );
        assert_eq!(parse(r#"{"type": "reset"}"#), Some(Fault::reset()));
        assert_eq!(
            parse(r#"{"type": "hang", "ms": 1500}"#),
            Some(Fault::hang(Duration::from_millis(1500)))
        );
        assert_eq!(parse(r#"{"type": "explode"}"#), None);
        assert!(Fault::status(200).validate().is_err());
        assert!(Fault::hang(Duration::from_secs(3600)).validate().is_err());
        assert!(Fault::delay(Duration::from_secs(1)).validate().is_ok());
    }

    #[test]
    fn a_fault_applies_to_its_operation_or_to_all() {
        let fault = |operation: Option<&str>| InjectedFault {
            provider: Provider::Zepto,
            operation: operation.map(str::to_string),
            fault: Fault::reset(),
            remaining: 1,
        };
        assert!(fault(None).applies_to(Provider::Zepto, Some("getUser")));
        assert!(fault(Some("getUser")).applies_to(Provider::Zepto, Some("getUser")));
        assert!(!fault(Some("getUser")).applies_to(Provider::Zepto, Some("listPayments")));
        assert!(!fault(None).applies_to(Provider::Ante, Some("getUser")));
    }
}
