//! The webhook-management API: your webhook endpoints, their deliveries, and redelivery.
//!
//! Verifying the webhooks Zepto sends you is [`crate::webhook`]'s job.

use splitkit_common::{Error, Request};

use crate::client::Client;
use crate::generated::models::{Webhook, WebhookDelivery};
use crate::generated::operations::{self as ops, ListWebhookDeliveriesParams, ListWebhooksParams};
use crate::list::{List, Paging};

/// The filters of a webhook's delivery list: the webhook, and the page.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryListParams {
    /// The webhook (endpoint) whose deliveries are listed.
    pub webhook_id: String,
    /// Page and page size.
    pub params: ListWebhookDeliveriesParams,
}

impl Paging for DeliveryListParams {
    fn set_paging(&mut self, page: Option<i32>, per_page: Option<i32>) {
        if page.is_some() {
            self.params.page = page;
        }
        if per_page.is_some() {
            self.params.per_page = per_page;
        }
    }
}

fn deliveries_request(params: &DeliveryListParams) -> Result<Request, Error> {
    ops::list_webhook_deliveries_request(&params.webhook_id, &params.params)
}

/// Webhook configurations and deliveries (`client.webhooks()`).
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    client: &'a Client,
}

impl<'a> Webhooks<'a> {
    pub(crate) fn new(client: &'a Client) -> Self {
        Self { client }
    }

    /// Your webhook endpoints and their signing secrets (`GET /webhooks`).
    pub fn list(&self) -> List<ListWebhooksParams, Webhook> {
        List::new(
            self.client,
            ListWebhooksParams::default(),
            ops::list_webhooks_request,
        )
    }

    /// The deliveries of one webhook, kept for 7 days (`GET /webhooks/{webhook_id}/deliveries`).
    pub fn deliveries(
        &self,
        webhook_id: impl Into<String>,
    ) -> List<DeliveryListParams, WebhookDelivery> {
        List::new(
            self.client,
            DeliveryListParams {
                webhook_id: webhook_id.into(),
                params: ListWebhookDeliveriesParams::default(),
            },
            deliveries_request,
        )
    }

    /// One delivery (`GET /webhook_deliveries/{id}`).
    pub async fn get_delivery(&self, id: &str) -> Result<WebhookDelivery, Error> {
        Ok(ops::get_webhook_delivery(self.client.api(), id).await?.data)
    }

    /// Sends a delivery again (`POST /webhook_deliveries/{id}`).
    pub async fn resend_delivery(&self, id: &str) -> Result<(), Error> {
        ops::resend_webhook_delivery(self.client.api(), id).await
    }
}
