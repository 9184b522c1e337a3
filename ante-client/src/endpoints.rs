//! Dashboard webhook endpoints: `GET /webhooks`, `POST /webhooks`, `DELETE /webhooks/{id}`.

use splitkit_common::Error;

use crate::client::Client;
use crate::credentials::WebhookSecret;
use crate::generated::models::{self, WebhookEventType};
use crate::generated::operations as ops;
use crate::sessions::path_id;

/// A registered webhook endpoint.
pub type WebhookEndpoint = models::WebhookEndpoint;

/// An endpoint just created, with its signing secret: Ante shows the secret this once, so store
/// it (e.g. in your secret manager) before doing anything else.
#[derive(Debug, Clone)]
pub struct CreatedWebhookEndpoint {
    /// The endpoint id (for [`WebhookEndpoints::delete`]), when Ante returned it.
    pub id: Option<String>,
    /// The URL Ante delivers to, when Ante returned it.
    pub url: Option<String>,
    /// The event types delivered to it, when Ante returned them.
    pub events: Vec<WebhookEventType>,
    /// The endpoint's signing secret (`whsec_…`), for [`WebhookVerifier`](crate::WebhookVerifier).
    pub secret: WebhookSecret,
    /// Ante's request id.
    pub request_id: Option<String>,
}

/// Webhook endpoint calls; from [`Client::webhooks`]. Secret key only.
#[derive(Debug, Clone, Copy)]
pub struct WebhookEndpoints<'a> {
    pub(crate) client: &'a Client,
}

impl WebhookEndpoints<'_> {
    /// The merchant's dashboard endpoints (per-session `webhook_url`s are not listed).
    pub async fn list(&self) -> Result<Vec<WebhookEndpoint>, Error> {
        self.client.require_secret_key("GET /webhooks")?;
        let params = ops::ListWebhookEndpointsParams {
            x_merchant_id: self.client.merchant_header(),
        };
        let answer = ops::list_webhook_endpoints(self.client.api(), &params).await?;
        Ok(answer.data.unwrap_or_default())
    }

    /// Registers `url` (HTTPS, valid public TLS) for `events`. The answer holds the one-time
    /// `whsec_` secret. Not retried once it may have reached Ante: after a timeout, check
    /// [`WebhookEndpoints::list`] before registering again.
    pub async fn create(
        &self,
        url: &str,
        events: impl IntoIterator<Item = WebhookEventType>,
    ) -> Result<CreatedWebhookEndpoint, Error> {
        self.client.require_secret_key("POST /webhooks")?;
        let https = url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.host().is_some());
        if !https {
            return Err(Error::validation(
                "url",
                format!("must be an absolute https:// URL, got {url:?}"),
            ));
        }
        let events: Vec<WebhookEventType> = events.into_iter().collect();
        if let Some(WebhookEventType::Unknown(value)) = events
            .iter()
            .find(|e| matches!(e, WebhookEventType::Unknown(_)))
        {
            return Err(Error::validation(
                "events",
                format!("{value:?} is not an event type this SDK can send"),
            ));
        }
        let params = ops::CreateWebhookEndpointParams {
            x_merchant_id: self.client.merchant_header(),
        };
        let body = models::CreateWebhookEndpointRequest {
            url: url.to_owned(),
            events,
        };
        let answer = ops::create_webhook_endpoint(self.client.api(), &params, &body).await?;
        Ok(CreatedWebhookEndpoint {
            id: answer.id,
            url: answer.url,
            events: answer.events.unwrap_or_default(),
            secret: WebhookSecret::from_answer(answer.secret),
            request_id: answer.request_id,
        })
    }

    /// Deletes an endpoint. Retried on 503 like any `DELETE`, so a retry after a lost answer
    /// may report 404 for an endpoint that is in fact deleted.
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.client.require_secret_key("DELETE /webhooks/{id}")?;
        let id = path_id("id", id)?;
        let params = ops::DeleteWebhookEndpointParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::delete_webhook_endpoint(self.client.api(), id, &params).await
    }
}
