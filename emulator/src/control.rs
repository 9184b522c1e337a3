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

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::Method;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::clock::EmulatorClock;
use crate::faults::{ApiRequest, Fault, InjectedFault};
use crate::webhooks::{Provider, WebhookDelivery};

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

/// The emulator's clock. It implements [`splitkit_common::Clock`], so a verifier or an SDK
/// client given it (`.clock(emulator.clock())`) agrees with the emulator after the clock moved.
#[derive(Debug)]
pub struct ClockControl {
    http: Http,
    /// The emulator's own clock (in process), or a local copy kept in step by every call.
    mirror: Arc<EmulatorClock>,
}

/// The emulator's clock, as [`ClockControl::advance`] and [`ClockControl::current`] read it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClockReading {
    /// The emulator's time.
    pub now: OffsetDateTime,
    /// How far ahead of real time it runs.
    pub offset: Duration,
    /// Webhook deliveries waiting for a retry.
    pub pending_webhook_retries: usize,
}

#[derive(Deserialize)]
struct ClockBody {
    unix: i64,
    offset_ms: i64,
    pending_webhook_retries: usize,
}

impl ClockControl {
    /// Moves the clock forward by `by` (whole seconds). Expiries that came due apply (sessions
    /// expire, tokens lapse), and every webhook retry that came due is attempted, in order,
    /// before this returns: a receiver that was down for an hour gets what the provider would
    /// have retried in that hour.
    pub async fn advance(&self, by: Duration) -> Result<ClockReading, ControlError> {
        let body: ClockBody = self
            .http
            .post("/clock/advance", json!({ "seconds": by.as_secs() }))
            .await?;
        Ok(self.read(body))
    }

    /// The emulator's time now.
    pub async fn current(&self) -> Result<ClockReading, ControlError> {
        let body: ClockBody = self.http.get("/clock").await?;
        Ok(self.read(body))
    }

    fn read(&self, body: ClockBody) -> ClockReading {
        self.mirror.set_offset_ms(body.offset_ms);
        ClockReading {
            now: OffsetDateTime::from_unix_timestamp(body.unix)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            offset: Duration::from_millis(u64::try_from(body.offset_ms).unwrap_or(0)),
            pending_webhook_retries: body.pending_webhook_retries,
        }
    }

    /// The emulator's time, without asking it (for an emulator in this process, exact; for
    /// one elsewhere, as of the last call).
    pub fn now_local(&self) -> OffsetDateTime {
        self.mirror.now()
    }
}

impl splitkit_common::Clock for ClockControl {
    fn now(&self) -> SystemTime {
        splitkit_common::Clock::now(&*self.mirror)
    }
}

/// Which deliveries [`Webhooks::list`] returns.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct WebhookFilter {
    /// Only this provider's.
    pub provider: Option<Provider>,
    /// Only this event type (`group.funded`, `debit.cleared`, `paid`, ...).
    pub event_type: Option<String>,
    /// Only those sent to this URL.
    pub url: Option<String>,
}

impl WebhookFilter {
    /// Only `provider`'s deliveries.
    pub fn provider(provider: Provider) -> Self {
        Self {
            provider: Some(provider),
            ..Self::default()
        }
    }

    /// Only deliveries of `event_type`.
    pub fn event_type(mut self, event_type: impl Into<String>) -> Self {
        self.event_type = Some(event_type.into());
        self
    }

    /// Only deliveries sent to `url`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    fn query(&self) -> String {
        let mut params = url::form_urlencoded::Serializer::new(String::new());
        if let Some(p) = self.provider {
            params.append_pair("provider", p.as_str());
        }
        if let Some(e) = &self.event_type {
            params.append_pair("event_type", e);
        }
        if let Some(u) = &self.url {
            params.append_pair("url", u);
        }
        params.finish()
    }
}

/// The webhook delivery log.
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    http: &'a Http,
}

impl Webhooks<'_> {
    /// Every delivery attempt, oldest first (a retried webhook appears once per attempt).
    pub async fn sent(&self) -> Result<Vec<WebhookDelivery>, ControlError> {
        self.list(&WebhookFilter::default()).await
    }

    /// The delivery attempts that pass `filter`, oldest first.
    pub async fn list(&self, filter: &WebhookFilter) -> Result<Vec<WebhookDelivery>, ControlError> {
        let data: Data<WebhookDelivery> = self
            .http
            .get(&format!("/webhooks?{}", filter.query()))
            .await?;
        Ok(data.data)
    }

    /// Empties the log.
    pub async fn clear(&self) -> Result<(), ControlError> {
        self.http.delete("/webhooks").await
    }

    /// Waits (up to `timeout`, asking every 20 ms) for a delivery attempt that `matches`.
    pub async fn wait_for(
        &self,
        matches: impl Fn(&WebhookDelivery) -> bool,
        timeout: Duration,
    ) -> Result<Option<WebhookDelivery>, ControlError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = self.sent().await?.into_iter().find(|d| matches(d)) {
                return Ok(Some(found));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// What a fault applies to: any operation of a provider, or one operation.
///
/// `Provider::Zepto`, `(Provider::Zepto, "createPayment")` and an
/// [`Operation`](crate::Operation) all convert into one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultTarget {
    provider: Provider,
    operation: Option<String>,
}

impl From<Provider> for FaultTarget {
    fn from(provider: Provider) -> Self {
        Self {
            provider,
            operation: None,
        }
    }
}

impl From<(Provider, &str)> for FaultTarget {
    fn from((provider, operation): (Provider, &str)) -> Self {
        Self {
            provider,
            operation: Some(operation.to_string()),
        }
    }
}

impl From<&crate::Operation> for FaultTarget {
    fn from(operation: &crate::Operation) -> Self {
        (operation.provider, operation.id).into()
    }
}

/// Faults for the next requests.
#[derive(Debug, Clone, Copy)]
pub struct Faults<'a> {
    http: &'a Http,
}

impl Faults<'_> {
    /// The next `count` requests to `target` meet `fault` (faults apply in the order they were
    /// added). An unknown operation id is refused.
    pub async fn next(
        &self,
        target: impl Into<FaultTarget>,
        count: u32,
        fault: Fault,
    ) -> Result<InjectedFault, ControlError> {
        let target = target.into();
        let mut body = serde_json::to_value(&fault).map_err(ControlError::Decode)?;
        if let Some(obj) = body.as_object_mut() {
            obj.insert("provider".into(), json!(target.provider));
            obj.insert("operation".into(), json!(target.operation));
            obj.insert("count".into(), json!(count));
        }
        self.http.post("/faults", body).await
    }

    /// The faults still waiting for requests.
    pub async fn list(&self) -> Result<Vec<InjectedFault>, ControlError> {
        Ok(self.http.get::<Data<InjectedFault>>("/faults").await?.data)
    }

    /// Forgets every waiting fault.
    pub async fn clear(&self) -> Result<(), ControlError> {
        self.http.delete("/faults").await
    }
}

/// The request log.
#[derive(Debug, Clone, Copy)]
pub struct Requests<'a> {
    http: &'a Http,
}

impl Requests<'_> {
    /// Every API request, oldest first.
    pub async fn list(&self) -> Result<Vec<ApiRequest>, ControlError> {
        Ok(self.http.get::<Data<ApiRequest>>("/requests").await?.data)
    }

    /// The requests to one provider's API, oldest first.
    pub async fn of(&self, provider: Provider) -> Result<Vec<ApiRequest>, ControlError> {
        Ok(self
            .http
            .get::<Data<ApiRequest>>(&format!("/requests?provider={}", provider.as_str()))
            .await?
            .data)
    }

    /// The requests to one operation (`createPayment`), oldest first.
    pub async fn to(
        &self,
        provider: Provider,
        operation: &str,
    ) -> Result<Vec<ApiRequest>, ControlError> {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("provider", provider.as_str())
            .append_pair("operation", operation)
            .finish();
        Ok(self
            .http
            .get::<Data<ApiRequest>>(&format!("/requests?{query}"))
            .await?
            .data)
    }

    /// Empties the log.
    pub async fn clear(&self) -> Result<(), ControlError> {
        self.http.delete("/requests").await
    }
}

/// An Ante session as the control endpoints show it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AnteSession {
    /// The session id.
    pub session_id: String,
    /// `pending`, `funded`, `expired` or `cancelled`.
    pub status: String,
    /// The group paying.
    pub group: AnteGroup,
    /// The Stripe transfer once funded (`none` in test mode).
    pub transfer: Option<String>,
}

/// The group of an [`AnteSession`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AnteGroup {
    /// The members, the organizer first.
    pub members: Vec<AnteMember>,
}

/// One member of an Ante group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AnteMember {
    /// The member id (for [`Ante::pay_share`]).
    pub id: String,
    /// The member's name.
    pub name: String,
    /// Their share, in minor units.
    pub amount_cents: i64,
    /// `pending`, `paid` or `refunded`.
    pub status: String,
}

/// What Ante's shoppers do.
#[derive(Debug, Clone, Copy)]
pub struct Ante<'a> {
    http: &'a Http,
}

impl Ante<'_> {
    fn path(session_id: &str, action: &str) -> String {
        format!("/ante/sessions/{}/{action}", encode(session_id))
    }

    /// The organizer opens the group (`group.created`).
    pub async fn open(&self, session_id: &str) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "open"), json!({}))
            .await
    }

    /// Every pending share is paid (`group.funded`).
    pub async fn pay_all(&self, session_id: &str) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "pay"), json!({}))
            .await
    }

    /// One member pays their share (`group.funded` when it was the last).
    pub async fn pay_share(
        &self,
        session_id: &str,
        member_id: &str,
    ) -> Result<AnteSession, ControlError> {
        self.http
            .post(
                &Self::path(session_id, "pay"),
                json!({ "member_id": member_id }),
            )
            .await
    }

    /// The next `count` pending shares are paid.
    pub async fn pay_shares(
        &self,
        session_id: &str,
        count: u32,
    ) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "pay"), json!({ "count": count }))
            .await
    }

    /// The session expires now (`group.expired`; paid shares are refunded).
    pub async fn expire(&self, session_id: &str) -> Result<AnteSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "expire"), json!({}))
            .await
    }
}

/// A FairShare split session as the control endpoints show it (FairShare's own shape).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FairShareSession {
    /// The session id.
    pub id: String,
    /// `PENDING`, `PARTIAL`, `COMPLETED`, `EXPIRED`, `CANCELED` or `REFUNDED`.
    pub status: String,
    /// The total to collect.
    pub total: Decimal,
    /// What was collected so far.
    pub collected: Decimal,
    /// How many contributions were made.
    pub contributions: usize,
}

impl<'de> Deserialize<'de> for FairShareSession {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            id: String,
            status: String,
            total: serde_json::Number,
            collected: serde_json::Number,
            #[serde(default)]
            contributions: Vec<serde::de::IgnoredAny>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let decimal = |n: &serde_json::Number| {
            n.to_string()
                .parse::<Decimal>()
                .map_err(serde::de::Error::custom)
        };
        Ok(Self {
            total: decimal(&raw.total)?,
            collected: decimal(&raw.collected)?,
            contributions: raw.contributions.len(),
            id: raw.id,
            status: raw.status,
        })
    }
}

/// One contribution to a FairShare split session ([`FairShare::contribute`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contribution {
    amount: Option<Decimal>,
    name: Option<String>,
    email: Option<String>,
    items: Vec<(String, u32)>,
}

impl Contribution {
    /// What the session's type says: the next equal share (EQUAL_COUNT), or everything still
    /// due (ITEM_CLAIM). A PROPORTIONAL_POOL session needs an amount.
    pub fn share() -> Self {
        Self::default()
    }

    /// This amount (major units, as FairShare counts).
    pub fn amount(amount: Decimal) -> Self {
        Self {
            amount: Some(amount),
            ..Self::default()
        }
    }

    /// Claims `quantity` of the item `id` (ITEM_CLAIM).
    pub fn item(mut self, id: impl Into<String>, quantity: u32) -> Self {
        self.items.push((id.into(), quantity));
        self
    }

    /// The contributor's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The contributor's email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    fn body(&self) -> Value {
        let mut body = json!({});
        if let Some(obj) = body.as_object_mut() {
            if let Some(amount) = self.amount {
                // A JSON number with the decimal's exact digits.
                obj.insert(
                    "amount".into(),
                    serde_json::from_str(&amount.to_string()).unwrap_or(Value::Null),
                );
            }
            if let Some(name) = &self.name {
                obj.insert("name".into(), json!(name));
            }
            if let Some(email) = &self.email {
                obj.insert("email".into(), json!(email));
            }
            if !self.items.is_empty() {
                obj.insert(
                    "items".into(),
                    self.items
                        .iter()
                        .map(|(id, q)| json!({ "id": id, "quantity": q }))
                        .collect(),
                );
            }
        }
        body
    }
}

/// Where FairShare's webhooks go, as [`FairShare::set_webhook`] set it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FairShareWebhook {
    /// The URL (`None`: webhooks are not sent).
    pub url: Option<String>,
    /// The signing key.
    pub signing_key: Option<String>,
    /// The event types sent (`None`: all).
    pub events: Option<Vec<String>>,
}

/// What FairShare's contributors do, and where its webhooks go.
#[derive(Debug, Clone, Copy)]
pub struct FairShare<'a> {
    http: &'a Http,
}

impl FairShare<'_> {
    fn path(session_id: &str, action: &str) -> String {
        format!("/fairshare/split-sessions/{}/{action}", encode(session_id))
    }

    /// Sends FairShare's webhooks to `url`, signed with the configured key, every event type.
    pub async fn set_webhook(&self, url: &str) -> Result<FairShareWebhook, ControlError> {
        self.http
            .post("/fairshare/webhook-url", json!({ "url": url }))
            .await
    }

    /// Sends FairShare's webhooks to `url`, signed with `signing_key`, only `events`.
    pub async fn set_webhook_with(
        &self,
        url: &str,
        signing_key: &str,
        events: &[&str],
    ) -> Result<FairShareWebhook, ControlError> {
        self.http
            .post(
                "/fairshare/webhook-url",
                json!({ "url": url, "signing_key": signing_key, "events": events }),
            )
            .await
    }

    /// Stops FairShare's webhooks.
    pub async fn remove_webhook(&self) -> Result<(), ControlError> {
        self.http
            .post::<Value>("/fairshare/webhook-url", json!({ "url": null }))
            .await
            .map(drop)
    }

    /// A contributor pays (`contribution.created`, `split_session.partial` or `.completed`,
    /// ...).
    pub async fn contribute(
        &self,
        session_id: &str,
        contribution: Contribution,
    ) -> Result<FairShareSession, ControlError> {
        self.http
            .post(
                &Self::path(session_id, "contributions"),
                contribution.body(),
            )
            .await
    }

    /// A completed session is refunded (`split_session.refunded`).
    pub async fn refund(&self, session_id: &str) -> Result<FairShareSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "refund"), json!({}))
            .await
    }

    /// An open session is cancelled (`split_session.canceled`).
    pub async fn cancel(&self, session_id: &str) -> Result<FairShareSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "cancel"), json!({}))
            .await
    }

    /// An open session expires now (`split_session.expired`).
    pub async fn expire(&self, session_id: &str) -> Result<FairShareSession, ControlError> {
        self.http
            .post(&Self::path(session_id, "expire"), json!({}))
            .await
    }
}

/// A Splitable split as the control endpoints show it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct SplitableSplit {
    /// The split id.
    pub split_id: String,
    /// Your invoice.
    pub invoice: String,
    /// `open`, `paid` or `cancelled`.
    pub status: String,
    /// The total, in cents.
    pub total_amount: i64,
    /// Paid so far, in cents.
    pub paid_amount: i64,
    /// The callback's `transaction_id`, once settled.
    pub transaction_id: Option<String>,
}

/// One team member's payment ([`Splitable::pay`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamPayment {
    amount: Option<i64>,
    name: Option<String>,
    email: Option<String>,
}

impl TeamPayment {
    /// Everything still due.
    pub fn rest() -> Self {
        Self::default()
    }

    /// `cents`.
    pub fn amount(cents: i64) -> Self {
        Self {
            amount: Some(cents),
            ..Self::default()
        }
    }

    /// The member's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The member's email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// What Splitable's team members do.
#[derive(Debug, Clone, Copy)]
pub struct Splitable<'a> {
    http: &'a Http,
}

impl Splitable<'_> {
    fn path(split_id: &str) -> String {
        format!("/splitable/splits/{}", encode(split_id))
    }

    /// The split, with what was paid.
    pub async fn split(&self, split_id: &str) -> Result<SplitableSplit, ControlError> {
        self.http.get(&Self::path(split_id)).await
    }

    /// A team member pays; the callback (`paid`) goes out when the total is reached.
    pub async fn pay(
        &self,
        split_id: &str,
        payment: TeamPayment,
    ) -> Result<SplitableSplit, ControlError> {
        let body =
            json!({ "amount": payment.amount, "name": payment.name, "email": payment.email });
        self.http
            .post(&format!("{}/pay", Self::path(split_id)), body)
            .await
    }

    /// The split is cancelled (callback `cancelled`).
    pub async fn cancel(&self, split_id: &str) -> Result<SplitableSplit, ControlError> {
        self.http
            .post(&format!("{}/cancel", Self::path(split_id)), json!({}))
            .await
    }
}

/// What one run of Zepto's processing cycle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Processing {
    /// How many cycles ran.
    pub steps: u64,
    /// How many transaction status changes they made.
    pub transitions: u64,
    /// Transactions not yet in a final status (waiting for `matures_at`, say).
    pub unsettled_transactions: u64,
}

/// A Zepto webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ZeptoWebhook {
    /// Its id (`GET /webhooks/{id}/deliveries`).
    pub id: String,
    /// Where it sends.
    pub url: String,
    /// Its `Split-Signature` secret.
    pub signature_secret: String,
    /// The event types it receives (`*`: all).
    pub events: Vec<String>,
}

/// Agreement terms for [`Zepto::accept_agreement`]: every limit optional (none: no limit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgreementTerms {
    per_payout: Limits,
    per_frequency: Frequency,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Limits {
    min_amount: Option<i64>,
    max_amount: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
struct Frequency {
    days: Option<i64>,
    max_amount: Option<i64>,
}

impl AgreementTerms {
    /// No limits.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// Each Payment Request between `min` and `max` cents.
    pub fn per_payout(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.per_payout = Limits {
            min_amount: min,
            max_amount: max,
        };
        self
    }

    /// At most `max` cents of Payment Requests within `days` days.
    pub fn per_frequency(mut self, days: i64, max: i64) -> Self {
        self.per_frequency = Frequency {
            days: Some(days),
            max_amount: Some(max),
        };
        self
    }
}

/// Who accepts an Agreement's link ([`Zepto::accept_unassigned_agreement`],
/// [`Zepto::accept_open_agreement`]); they become a Contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Authoriser {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_number: Option<String>,
}

impl Authoriser {
    /// Someone named `name` with `email` (and a sandbox bank account).
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            email: Some(email.into()),
            ..Self::default()
        }
    }

    /// Their bank account (BSB and account number).
    pub fn bank_account(
        mut self,
        branch_code: impl Into<String>,
        account_number: impl Into<String>,
    ) -> Self {
        self.branch_code = Some(branch_code.into());
        self.account_number = Some(account_number.into());
        self
    }
}

/// An Agreement someone accepted through its link.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AcceptedAgreement {
    /// The Agreement (`A.…`).
    pub agreement_ref: String,
    /// The Contact they became.
    pub contact_id: String,
}

/// A Zepto Contact as the control endpoints show it: the API's Contact, plus its Agreements
/// and the balance its bank connection shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct ZeptoContact {
    /// The Contact id.
    pub id: String,
    /// Whether it has an accepted Agreement.
    pub agreement_accepted: bool,
    /// Its Agreements (`ref`, `status`).
    pub agreements: Vec<AgreementState>,
    /// What its bank connection shows, in cents (`None` without one).
    pub bank_balance: Option<i64>,
}

/// One Agreement of a [`ZeptoContact`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct AgreementState {
    /// `A.…`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// `proposed`, `accepted`, `declined`, `cancelled` or `expended`.
    pub status: String,
}

/// Zepto's processing cycle, webhook endpoints and tokens, and what its Contacts do.
#[derive(Debug, Clone, Copy)]
pub struct Zepto<'a> {
    http: &'a Http,
}

impl Zepto<'_> {
    /// Runs the processing cycle until nothing moves (Zepto's sandbox runs one a minute):
    /// transactions whose `matures_at` has come go through to `cleared` or fail.
    pub async fn run_processing(&self) -> Result<Processing, ControlError> {
        self.http.post("/zepto/process", json!({})).await
    }

    /// Runs `steps` cycles (each moves every transaction one status on).
    pub async fn run_processing_steps(&self, steps: u32) -> Result<Processing, ControlError> {
        self.http
            .post("/zepto/process", json!({ "steps": steps }))
            .await
    }

    /// Adds a webhook endpoint for every event, signed with the seed secret.
    pub async fn add_webhook(&self, url: &str) -> Result<ZeptoWebhook, ControlError> {
        self.http
            .post("/zepto/webhooks", json!({ "url": url }))
            .await
    }

    /// Adds a webhook endpoint for `events` only, signed with `signature_secret`.
    pub async fn add_webhook_with(
        &self,
        url: &str,
        events: &[&str],
        signature_secret: &str,
    ) -> Result<ZeptoWebhook, ControlError> {
        self.http
            .post(
                "/zepto/webhooks",
                json!({ "url": url, "events": events, "signature_secret": signature_secret }),
            )
            .await
    }

    /// The webhook endpoints.
    pub async fn webhooks(&self) -> Result<Vec<ZeptoWebhook>, ControlError> {
        Ok(self
            .http
            .get::<Data<ZeptoWebhook>>("/zepto/webhooks")
            .await?
            .data)
    }

    /// Removes a webhook endpoint.
    pub async fn remove_webhook(&self, id: &str) -> Result<(), ControlError> {
        self.http
            .delete(&format!("/zepto/webhooks/{}", encode(id)))
            .await
    }

    /// The lifetime of access tokens issued from now on.
    pub async fn set_token_lifetime(&self, lifetime: Duration) -> Result<(), ControlError> {
        self.http
            .post::<Value>(
                "/zepto/token-lifetime",
                json!({ "seconds": lifetime.as_secs() }),
            )
            .await
            .map(drop)
    }

    /// The Contact accepts an Agreement on `terms` (the invitation Zepto's dashboard sends;
    /// the API has no call for it). Returns the Agreement's reference.
    pub async fn accept_agreement(
        &self,
        contact_id: &str,
        terms: AgreementTerms,
    ) -> Result<String, ControlError> {
        #[derive(Deserialize)]
        struct Changed {
            agreement_refs: Vec<String>,
        }
        let changed: Changed = self
            .http
            .post(
                &format!("/zepto/contacts/{}/agreement", encode(contact_id)),
                json!({ "accepted": true, "terms": terms }),
            )
            .await?;
        changed
            .agreement_refs
            .into_iter()
            .next()
            .ok_or_else(|| ControlError::Rejected {
                status: 200,
                message: "no Agreement was made".into(),
            })
    }

    /// Someone accepts an Unassigned Agreement through its link.
    pub async fn accept_unassigned_agreement(
        &self,
        reference: &str,
        authoriser: Authoriser,
    ) -> Result<AcceptedAgreement, ControlError> {
        self.http
            .post(
                &format!("/zepto/unassigned_agreements/{}/accept", encode(reference)),
                json!(authoriser),
            )
            .await
    }

    /// Someone declines an Unassigned Agreement through its link.
    pub async fn decline_unassigned_agreement(&self, reference: &str) -> Result<(), ControlError> {
        self.http
            .post::<Value>(
                &format!("/zepto/unassigned_agreements/{}/decline", encode(reference)),
                json!({}),
            )
            .await
            .map(drop)
    }

    /// Someone accepts an Open Agreement through its link: a new Contact and Agreement.
    pub async fn accept_open_agreement(
        &self,
        reference: &str,
        authoriser: Authoriser,
    ) -> Result<AcceptedAgreement, ControlError> {
        self.http
            .post(
                &format!("/zepto/open_agreements/{}/accept", encode(reference)),
                json!(authoriser),
            )
            .await
    }

    /// The Contact connects their bank (through `links.add_bank_connection`), showing
    /// `balance` cents; with a connection already, its balance changes. Payment Requests to
    /// the Contact are checked against it.
    pub async fn connect_bank(
        &self,
        contact_id: &str,
        balance: i64,
    ) -> Result<String, ControlError> {
        #[derive(Deserialize)]
        struct Connected {
            bank_connection_id: String,
        }
        let connected: Connected = self
            .http
            .post(
                &format!("/zepto/contacts/{}/bank_connection", encode(contact_id)),
                json!({ "balance": balance }),
            )
            .await?;
        Ok(connected.bank_connection_id)
    }

    /// The Contact, with its Agreements and bank balance.
    pub async fn contact(&self, contact_id: &str) -> Result<ZeptoContact, ControlError> {
        self.http
            .get(&format!("/zepto/contacts/{}", encode(contact_id)))
            .await
    }
}

fn encode(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, percent_encoding::NON_ALPHANUMERIC)
        .to_string()
        .replace("%2E", ".")
        .replace("%2D", "-")
        .replace("%5F", "_")
}
