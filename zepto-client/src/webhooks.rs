//! The webhook-management API: your webhook endpoints, their deliveries, redelivery, and the
//! recovery of what a receiver missed.
//!
//! Verifying the webhooks Zepto sends you is [`crate::webhook`]'s job.
//!
//! Zepto counts a delivery as delivered when your endpoint answers at all, and retries one that
//! got no answer every 5 minutes for an hour; after that its state is `failed`. A receiver that
//! was down for longer gets its events back with [`Webhooks::recover`]:
//!
//! ```no_run
//! # async fn run(client: zepto_client::Client, webhook_id: &str) -> Result<(), zepto_client::Error> {
//! use zepto_client::Timestamp;
//!
//! let outage_began = Timestamp::parse("2026-01-20T02:00:00Z")?;
//! let report = client.webhooks().recover(webhook_id, outage_began).send().await?;
//! println!("{} deliveries sent again", report.resent.len());
//! for failure in &report.failures {
//!     eprintln!("could not redeliver {}: {}", failure.delivery.id, failure.error);
//! }
//! # Ok(())
//! # }
//! ```

use std::collections::{HashSet, VecDeque};

use futures_util::{Stream, TryStreamExt};
use splitkit_common::{Error, Page, Request, Timestamp};

use crate::client::Client;
use crate::generated::models::{
    Webhook, WebhookDelivery, WebhookDeliveryDetail, WebhookDeliveryState, WebhookRedelivery,
    WebhookResponseStatusClass,
};
use crate::generated::operations::{self as ops, ListWebhookDeliveriesParams, ListWebhooksParams};
use crate::list::List;
use crate::rules;

/// How many deliveries [`DeliveryList::stream`] asks for per page unless told otherwise (the
/// most Zepto serves).
const STREAM_PAGE_SIZE: u32 = rules::MAX_PER_PAGE;

/// Webhook configurations and deliveries (`client.webhooks()`).
#[derive(Debug, Clone)]
pub struct Webhooks {
    client: Client,
}

impl Webhooks {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Your webhook endpoints and their signing secrets (`GET /webhooks`).
    pub fn list(self) -> List<ListWebhooksParams, Webhook> {
        List::new(
            self.client,
            ListWebhooksParams::default(),
            ops::list_webhooks_request,
        )
    }

    /// The deliveries of one webhook, newest first, kept for 7 days
    /// (`GET /webhooks/{webhook_id}/deliveries`), filtered by the methods of the list.
    pub fn deliveries(self, webhook_id: impl Into<String>) -> DeliveryList {
        DeliveryList {
            client: self.client.clone(),
            webhook_id: webhook_id.into(),
            params: ListWebhookDeliveriesParams::default(),
        }
    }

    /// One delivery, with the body that was delivered (`GET /webhook_deliveries/{id}`).
    pub async fn get_delivery(self, id: &str) -> Result<WebhookDeliveryDetail, Error> {
        rules::not_empty("id", id)?;
        Ok(ops::get_webhook_delivery(self.client.api(), id).await?.data)
    }

    /// Queues a delivery to be sent to its endpoint again
    /// (`POST /webhook_deliveries/{id}/redeliver`, Zepto's current path). Zepto answers
    /// `202 Accepted` with the delivery, normally in state `pending`. The event keeps its
    /// `Split-Request-ID`, so a receiver that handled it already can tell.
    pub async fn redeliver(self, id: &str) -> Result<WebhookRedelivery, Error> {
        rules::not_empty("id", id)?;
        Ok(ops::redeliver_webhook_delivery(self.client.api(), id)
            .await?
            .data)
    }

    /// Queues a delivery to be sent again with the older path, `POST /webhook_deliveries/{id}`.
    ///
    /// Not in Zepto's current API document; may be retired: it was replaced by
    /// [`Webhooks::redeliver`].
    #[deprecated = "Zepto replaced POST /webhook_deliveries/{id}: use `redeliver`"]
    pub async fn resend_delivery(self, id: &str) -> Result<WebhookRedelivery, Error> {
        rules::not_empty("id", id)?;
        Ok(ops::resend_webhook_delivery(self.client.api(), id)
            .await?
            .data)
    }

    /// Finds the deliveries of `webhook_id` created since `since` that Zepto gave up on
    /// (state `failed`) and queues each to be sent again; see [`DeliveryRecovery`].
    pub fn recover(self, webhook_id: impl Into<String>, since: Timestamp) -> DeliveryRecovery {
        DeliveryRecovery {
            client: self.client.clone(),
            webhook_id: webhook_id.into(),
            since,
            event_type: None,
            path: RedeliveryPath::Redeliver,
        }
    }
}

/// A request for the deliveries of one webhook, with its filters (`client.webhooks()
/// .deliveries(id)`). Each filter takes one exact value.
///
/// Zepto pages this list with a cursor: `starting_after` names the delivery after which a page
/// starts. [`DeliveryList::send`] fetches one page; [`DeliveryList::stream`] follows the cursor
/// through every page.
#[derive(Debug, Clone)]
#[must_use = "a DeliveryList does nothing until it is sent or streamed"]
pub struct DeliveryList {
    client: Client,
    webhook_id: String,
    params: ListWebhookDeliveriesParams,
}

impl DeliveryList {
    /// Only deliveries in `state` (`pending`, `completed`, `retrying`, `failed`).
    pub fn state(mut self, state: WebhookDeliveryState) -> Self {
        self.params.state = Some(state);
        self
    }

    /// Only deliveries of this event type, e.g. `debit.cleared` (any event name, also one
    /// this SDK does not know; `WebhookEventType::DebitCleared.as_str()` gives a known one).
    pub fn event_type(mut self, event_type: impl Into<String>) -> Self {
        self.params.event_type = Some(event_type.into());
        self
    }

    /// Only deliveries created at or after `at`.
    pub fn since(mut self, at: Timestamp) -> Self {
        self.params.since = Some(at);
        self
    }

    /// Only deliveries whose endpoint answered with a status of this class (`2xx`, `4xx`,
    /// `5xx`).
    pub fn response_status_code(mut self, class: WebhookResponseStatusClass) -> Self {
        self.params.response_status_code = Some(class);
        self
    }

    /// Only the deliveries with this ref (the reference of a resource in the payload, e.g.
    /// `PB.8apq`; the `ref` filter).
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.params.ref_ = Some(reference.into());
        self
    }

    /// Only the deliveries after the delivery `id`, in list order (the cursor).
    pub fn starting_after(mut self, id: impl Into<String>) -> Self {
        self.params.starting_after = Some(id.into());
        self
    }

    /// Asks for `per_page` deliveries per page (1 to 100; Zepto's default is 25).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.params.per_page = Some(i32::try_from(per_page).unwrap_or(i32::MAX));
        self
    }

    /// The webhook whose deliveries are listed.
    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }

    /// The filters set so far.
    pub fn params(&self) -> &ListWebhookDeliveriesParams {
        &self.params
    }

    /// Checks the filters and builds the request of the first page, without sending it.
    pub fn request(&self) -> Result<Request, Error> {
        rules::not_empty("webhook_id", &self.webhook_id)?;
        if let Some(per_page) = self.params.per_page {
            rules::per_page(u32::try_from(per_page).unwrap_or(0))?;
        }
        if let Some(WebhookDeliveryState::Unknown(state)) = &self.params.state {
            return Err(rules::unknown_value("state", state));
        }
        if let Some(WebhookResponseStatusClass::Unknown(class)) = &self.params.response_status_code
        {
            return Err(rules::unknown_value("response_status_code", class));
        }
        for (field, value) in [
            ("event_type", &self.params.event_type),
            ("ref", &self.params.ref_),
            ("starting_after", &self.params.starting_after),
        ] {
            if let Some(value) = value {
                rules::not_empty(field, value)?;
            }
        }
        ops::list_webhook_deliveries_request(&self.webhook_id, &self.params)
    }

    /// Fetches one page.
    pub async fn send(self) -> Result<Page<WebhookDelivery>, Error> {
        let request = self.request()?;
        self.client.api().fetch_page(request).await
    }

    /// Every delivery that matches the filters, newest first, fetched page by page as the
    /// stream is read: each page after the first starts after the last delivery of the one
    /// before (`starting_after`).
    ///
    /// Pages hold 100 deliveries unless [`DeliveryList::per_page`] says otherwise. The list
    /// ends with an empty page, or with a page shorter than the page size (the `Per-Page`
    /// header Zepto answers with, else the size asked for). A page that repeats a delivery
    /// already yielded (a server that ignores the cursor) ends the stream with
    /// [`Error::PaginationLoop`] instead of yielding it twice; a filter that breaks a rule ends
    /// the stream before anything is sent.
    pub fn stream(mut self) -> impl Stream<Item = Result<WebhookDelivery, Error>> + Send + 'static {
        if self.params.per_page.is_none() {
            self = self.per_page(STREAM_PAGE_SIZE);
        }
        let state = CursorState {
            first: self.request().err(),
            list: self,
            buffered: VecDeque::new(),
            seen: HashSet::new(),
            done: false,
        };
        futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.buffered.pop_front() {
                    return Some((Ok(item), state));
                }
                if let Some(error) = state.first.take() {
                    state.done = true;
                    return Some((Err(error), state));
                }
                if state.done {
                    return None;
                }
                if let Err(error) = state.fetch().await {
                    state.done = true;
                    return Some((Err(error), state));
                }
            }
        })
    }
}

/// Where [`DeliveryList::stream`] is.
struct CursorState {
    list: DeliveryList,
    /// An error found before the first request.
    first: Option<Error>,
    buffered: VecDeque<WebhookDelivery>,
    /// The id of every delivery fetched so far.
    seen: HashSet<String>,
    done: bool,
}

impl CursorState {
    /// Fetches the next page into `buffered` and moves the cursor past it.
    async fn fetch(&mut self) -> Result<(), Error> {
        let request = self.list.request()?;
        let page: Page<WebhookDelivery> = self.list.client.api().fetch_page(request).await?;
        if page.items.iter().any(|d| self.seen.contains(&d.id)) {
            let cursor = self.list.params.starting_after.as_deref().unwrap_or("none");
            return Err(Error::PaginationLoop {
                repeated: format!("starting_after {cursor}"),
            });
        }
        self.seen.extend(page.items.iter().map(|d| d.id.clone()));
        let page_size = page.per_page.or_else(|| {
            self.list
                .params
                .per_page
                .and_then(|p| u64::try_from(p).ok())
        });
        let short = page_size.is_some_and(|size| (page.items.len() as u64) < size);
        match page.items.last() {
            Some(last) if !short => self.list.params.starting_after = Some(last.id.clone()),
            _ => self.done = true,
        }
        self.buffered.extend(page.items);
        Ok(())
    }
}

/// Which path a [`DeliveryRecovery`] sends deliveries again with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RedeliveryPath {
    /// `POST /webhook_deliveries/{id}/redeliver`: Zepto's current API document.
    #[default]
    Redeliver,
    /// `POST /webhook_deliveries/{id}`: the September 2021 revision (not in Zepto's current
    /// API document; may be retired).
    Resend,
}

/// Sends again the deliveries Zepto gave up on: lists a webhook's deliveries in state
/// `failed` created since a time, then redelivers each, one after the other
/// (`client.webhooks().recover(webhook_id, since)`).
///
/// The whole list is read before anything is sent, so a listing error means nothing was sent
/// yet. A redelivery that fails does not stop the others: [`RecoveryReport`] holds what was
/// queued and every failure. Deliveries still `retrying` are left to Zepto, which retries them
/// for an hour.
#[derive(Debug, Clone)]
#[must_use = "a DeliveryRecovery does nothing until it is sent"]
pub struct DeliveryRecovery {
    client: Client,
    webhook_id: String,
    since: Timestamp,
    event_type: Option<String>,
    path: RedeliveryPath,
}

impl DeliveryRecovery {
    /// Only deliveries of this event type.
    pub fn event_type(mut self, event_type: impl Into<String>) -> Self {
        self.event_type = Some(event_type.into());
        self
    }

    /// The path that sends a delivery again (default: Zepto's current
    /// `POST /webhook_deliveries/{id}/redeliver`).
    pub fn path(mut self, path: RedeliveryPath) -> Self {
        self.path = path;
        self
    }

    /// The failed deliveries this recovery would send again (the listing step alone).
    pub async fn failed_deliveries(&self) -> Result<Vec<WebhookDelivery>, Error> {
        let mut list = Webhooks::new(self.client.clone())
            .deliveries(self.webhook_id.clone())
            .state(WebhookDeliveryState::Failed)
            .since(self.since);
        if let Some(event_type) = &self.event_type {
            list = list.event_type(event_type.clone());
        }
        list.stream().try_collect().await
    }

    /// Lists the failed deliveries, then sends each again.
    pub async fn send(self) -> Result<RecoveryReport, Error> {
        let failed = self.failed_deliveries().await?;
        let webhooks = Webhooks::new(self.client.clone());
        let mut report = RecoveryReport::default();
        for delivery in failed {
            #[allow(deprecated)] // the older path, on request
            let result = match self.path {
                RedeliveryPath::Redeliver => webhooks.clone().redeliver(&delivery.id).await,
                RedeliveryPath::Resend => webhooks.clone().resend_delivery(&delivery.id).await,
            };
            match result {
                Ok(redelivery) => report.resent.push(Redelivered {
                    delivery,
                    redelivery,
                }),
                Err(error) => report.failures.push(RedeliveryFailure { delivery, error }),
            }
        }
        Ok(report)
    }
}

/// What a [`DeliveryRecovery`] did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct RecoveryReport {
    /// The deliveries queued again, in list order (newest first).
    pub resent: Vec<Redelivered>,
    /// The deliveries Zepto did not accept to send again, with why.
    pub failures: Vec<RedeliveryFailure>,
}

impl RecoveryReport {
    /// Whether every failed delivery was queued again.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A delivery queued to be sent again.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Redelivered {
    /// The failed delivery, as the list showed it.
    pub delivery: WebhookDelivery,
    /// Zepto's answer to the redelivery (normally state `pending`).
    pub redelivery: WebhookRedelivery,
}

/// A delivery that could not be queued again.
#[derive(Debug)]
#[non_exhaustive]
pub struct RedeliveryFailure {
    /// The failed delivery, as the list showed it.
    pub delivery: WebhookDelivery,
    /// Why the redelivery failed.
    pub error: Error,
}
