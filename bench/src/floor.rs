//! The floor: what a careful engineer writes by hand with `reqwest` and `serde_json`, with
//! none of the SDK's machinery (no retries, no timeouts, no tracing, no path-annotated errors).
//! Every benchmark of the SDK's calls runs it beside the SDK, in the same process and against
//! the same server, and reports the SDK's cost as a multiple of it.
//!
//! It sends the same request as the SDK, so that both are measured on the same work: the
//! headers Zepto's conventions ask for (`Accept`, and `Accepts` (sic)), a `User-Agent`, and
//! the bearer token.

use std::error::Error as StdError;

use http::header::{ACCEPT, AUTHORIZATION, USER_AGENT};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A failed floor call.
pub type FloorError = Box<dyn StdError + Send + Sync>;

/// `{"data": ...}`, Zepto's envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    /// The content.
    pub data: T,
}

/// A Payment, written by hand: strings for text and times, `i64` cents, maps for metadata.
#[derive(Debug, Deserialize)]
pub struct MinimalPayment {
    /// `ref`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `your_bank_account_id`.
    pub your_bank_account_id: String,
    /// `channels`.
    pub channels: Vec<String>,
    /// `payouts`.
    pub payouts: Vec<MinimalPayout>,
    /// `metadata`.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

/// A Payout of a [`MinimalPayment`].
#[derive(Debug, Deserialize)]
pub struct MinimalPayout {
    /// `ref`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `recipient_contact_id`.
    pub recipient_contact_id: String,
    /// `batch_description`.
    pub batch_description: String,
    /// `matures_at`.
    pub matures_at: String,
    /// `created_at`.
    pub created_at: String,
    /// `status`.
    pub status: String,
    /// `amount`, in cents.
    pub amount: i64,
    /// `description`.
    pub description: String,
    /// `from_id`.
    pub from_id: String,
    /// `to_id`.
    pub to_id: String,
    /// `category_purpose_code`.
    #[serde(default)]
    pub category_purpose_code: Option<String>,
    /// `end_to_end_id`.
    #[serde(default)]
    pub end_to_end_id: Option<String>,
    /// `metadata`.
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

/// The hand-written client: one `reqwest::Client`, a base URL and a bearer token; and, when
/// asked for, a timeout on each request.
#[derive(Debug, Clone)]
pub struct Floor {
    client: reqwest::Client,
    base: String,
    token: String,
    timeout: Option<std::time::Duration>,
}

impl Floor {
    /// A client of the API at `base` (no trailing `/`). Its `reqwest::Client` comes from the
    /// SDK's builder only so that it has the same TLS stack; the benchmarks speak plain HTTP.
    pub fn new(base: &str, token: &str) -> Result<Self, FloorError> {
        Ok(Self {
            client: splitkit_common::tls::http_client_builder()?.build()?,
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            timeout: None,
        })
    }

    /// The same client with `timeout` on each request (`RequestBuilder::timeout`), as a
    /// production client has: the SDK bounds each attempt the same way.
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, url: String) -> Result<T, FloorError> {
        let mut request = self
            .client
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
            .header(ACCEPT, "application/json")
            .header("Accepts", "application/json")
            .header(USER_AGENT, "floor/0.1.0 (hand-written)");
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await?.error_for_status()?;
        let body = response.bytes().await?;
        Ok(serde_json::from_slice(&body)?)
    }

    /// `GET /payments/{reference}`.
    pub async fn get_payment(&self, reference: &str) -> Result<MinimalPayment, FloorError> {
        let envelope: Envelope<MinimalPayment> = self
            .get(format!("{}/payments/{reference}", self.base))
            .await?;
        Ok(envelope.data)
    }

    /// `GET /payments?per_page={per_page}`: one page.
    pub async fn list_payments(&self, per_page: u32) -> Result<Vec<MinimalPayment>, FloorError> {
        let envelope: Envelope<Vec<MinimalPayment>> = self
            .get(format!("{}/payments?per_page={per_page}", self.base))
            .await?;
        Ok(envelope.data)
    }
}
