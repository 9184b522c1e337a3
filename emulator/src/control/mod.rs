//! The typed control client: drives an emulator's control endpoints (`/_emulator/...`) from a
//! Rust test, the way a shopper, a bank or a clock would.
//!
//! A [`RunningEmulator`](crate::RunningEmulator) has one ([`RunningEmulator::control`](crate::RunningEmulator::control), and the
//! shortcuts `emulator.zepto()`, `emulator.clock()`, ...); [`Control::connect`] makes one for an
//! emulator running elsewhere (the `splitkit-emulator` binary in CI, say).
//!
//! ```
//! # use std::time::Duration;
//! # use splitkit_emulator::{Emulator, EmulatorConfig, Fault, Provider};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! // The next two `createPayment` calls answer 503 with `Retry-After: 1`.
//! emulator
//!     .faults()
//!     .next((Provider::Zepto, "createPayment"), 2, Fault::status_with_retry_after(503, Duration::from_secs(1)))
//!     .await?;
//! // Five minutes pass: expiries apply, and every webhook retry that came due is made.
//! emulator.clock().advance(Duration::from_secs(300)).await?;
//! // Zepto's processing cycle runs until nothing moves.
//! emulator.zepto().run_processing().await?;
//! assert!(emulator.webhooks().sent().await?.is_empty());
//! # Ok(())
//! # }
//! ```

mod ante;
mod clock;
mod fairshare;
mod faults;
mod logs;
mod splitable;
mod zepto;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::clock::EmulatorClock;

pub use ante::{Ante, AnteGroup, AnteMember, AnteSession};
pub use clock::{ClockControl, ClockReading};
pub use fairshare::{Contribution, FairShare, FairShareSession, FairShareWebhook};
pub use faults::{FaultTarget, Faults};
pub use logs::{Requests, WebhookFilter, Webhooks};
pub use splitable::{Splitable, SplitableSplit, TeamPayment};
pub use zepto::{
    AcceptedAgreement, AgreementState, AgreementTerms, Authoriser, Processing, Zepto, ZeptoContact,
    ZeptoWebhook,
};

/// Why a control call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// The emulator could not be reached (or its answer not read).
    #[error("could not reach the emulator's control endpoints: {0}")]
    Transport(#[source] reqwest::Error),
    /// The emulator refused the call (no such session, a session not in that state, a bad
    /// value...); `message` says why.
    #[error("the emulator answered {status}: {message}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The emulator's explanation.
        message: String,
    },
    /// The answer was not what this client expects (an emulator of another version?).
    #[error("unexpected answer from the emulator: {0}")]
    Decode(#[source] serde_json::Error),
    /// The base URL given to [`Control::connect`] is not an `http(s)` URL.
    #[error("not an emulator base URL: {0}")]
    InvalidUrl(String),
}

/// The HTTP side shared by every handle.
#[derive(Debug, Clone)]
struct Http {
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT/_emulator`.
    control_url: String,
}

impl Http {
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ControlError> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.control_url));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.map_err(ControlError::Transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(ControlError::Transport)?;
        if !status.is_success() {
            let message = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
            return Err(ControlError::Rejected {
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&bytes).map_err(ControlError::Decode)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ControlError> {
        self.call(Method::GET, path, None).await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: Value) -> Result<T, ControlError> {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Result<(), ControlError> {
        self.call::<Value>(Method::DELETE, path, None)
            .await
            .map(drop)
    }
}

/// `{"data": [...]}`.
#[derive(Deserialize)]
struct Data<T> {
    data: Vec<T>,
}

/// A client of one emulator's control endpoints. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Control {
    http: Http,
    clock: Arc<ClockControl>,
}

impl Control {
    /// A client of the emulator at `base_url` (`http://127.0.0.1:4010`, as the binary prints
    /// it). The local view of its clock ([`Control::clock`]) starts at real time: call
    /// `control.clock().current()` once to read the emulator's.
    pub fn connect(base_url: &str) -> Result<Self, ControlError> {
        let base = base_url.trim_end_matches('/');
        if !crate::util::is_http_url(base) {
            return Err(ControlError::InvalidUrl(base_url.to_string()));
        }
        Ok(Self::with_clock(base, Arc::new(EmulatorClock::default())))
    }

    /// A client of an emulator in this process, whose clock it reads directly.
    pub(crate) fn with_clock(base_url: &str, clock: Arc<EmulatorClock>) -> Self {
        let http = Http {
            client: crate::webhooks::http_client(Duration::from_secs(120)),
            control_url: format!("{base_url}/_emulator"),
        };
        Self {
            clock: Arc::new(ClockControl {
                http: http.clone(),
                mirror: clock,
            }),
            http,
        }
    }

    /// The control endpoints' URL (`http://127.0.0.1:PORT/_emulator`).
    pub fn url(&self) -> &str {
        &self.http.control_url
    }

    /// Forgets every resource, fault, waiting retry and logged delivery and request, and sets
    /// the clock back to real time; the configuration stays.
    pub async fn reset(&self) -> Result<(), ControlError> {
        self.http.post::<Value>("/reset", json!({})).await?;
        self.clock.mirror.reset();
        Ok(())
    }

    /// The emulator's clock: move it, read it, and verify webhooks with it (it implements
    /// [`splitkit_common::Clock`]).
    pub fn clock(&self) -> Arc<ClockControl> {
        self.clock.clone()
    }

    /// The webhooks the emulator sent.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { http: &self.http }
    }

    /// Faults for the next requests to an operation.
    pub fn faults(&self) -> Faults<'_> {
        Faults { http: &self.http }
    }

    /// The API requests the emulator received.
    pub fn requests(&self) -> Requests<'_> {
        Requests { http: &self.http }
    }

    /// What Ante's shoppers do.
    pub fn ante(&self) -> Ante<'_> {
        Ante { http: &self.http }
    }

    /// What FairShare's contributors do, and where its webhooks go.
    pub fn fairshare(&self) -> FairShare<'_> {
        FairShare { http: &self.http }
    }

    /// What Splitable's team members do.
    pub fn splitable(&self) -> Splitable<'_> {
        Splitable { http: &self.http }
    }

    /// Zepto's processing cycle, webhook endpoints, tokens, and what its Contacts do.
    pub fn zepto(&self) -> Zepto<'_> {
        Zepto { http: &self.http }
    }
}

fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
}
