//! Dashboard webhook endpoints: `GET /webhooks`, `POST /webhooks`, `DELETE /webhooks/{id}`.

use splitkit_common::{Error, Page};

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
#[non_exhaustive]
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
#[derive(Debug, Clone)]
pub struct WebhookEndpoints {
    pub(crate) client: Client,
}

impl WebhookEndpoints {
    /// The merchant's dashboard endpoints (per-session `webhook_url`s are not listed), in one
    /// [`Page`] without a next page: an endpoint the SDK cannot read is in [`Page::rejected`]
    /// and the others are in [`Page::items`], as for every list of the SDK.
    pub async fn list(self) -> Result<Page<WebhookEndpoint>, Error> {
        self.client.require_secret_key("GET /webhooks")?;
        let params = ops::ListWebhookEndpointsParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::list_webhook_endpoints(self.client.api(), &params).await
    }

    /// Registers `url` (HTTPS, valid public TLS; plain `http` only on a loopback host, for a
    /// local receiver in front of the emulator) for `events`. The answer holds the one-time
    /// `whsec_` secret. Not retried once it may have reached Ante: after a timeout, check
    /// [`WebhookEndpoints::list`] before registering again.
    pub async fn create(
        self,
        url: &str,
        events: impl IntoIterator<Item = WebhookEventType>,
    ) -> Result<CreatedWebhookEndpoint, Error> {
        self.client.require_secret_key("POST /webhooks")?;
        check_webhook_url("url", url)?;
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
    pub async fn delete(self, id: &str) -> Result<(), Error> {
        self.client.require_secret_key("DELETE /webhooks/{id}")?;
        let id = path_id("id", id)?;
        let params = ops::DeleteWebhookEndpointParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::delete_webhook_endpoint(self.client.api(), id, &params).await
    }
}

/// Checks a webhook destination: Ante delivers to `https://` URLs only. Plain `http://` is
/// accepted for loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`), where only a local test
/// receiver (in front of the emulator) can be listening.
pub(crate) fn check_webhook_url(field: &'static str, value: &str) -> Result<(), Error> {
    let ok = url::Url::parse(value).is_ok_and(|u| match u.scheme() {
        "https" => u.host().is_some(),
        "http" => match u.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    });
    if ok {
        Ok(())
    } else {
        Err(Error::validation(
            field,
            format!(
                "must be an absolute https:// URL (http:// only on a loopback host), got {value:?}"
            ),
        ))
    }
}
