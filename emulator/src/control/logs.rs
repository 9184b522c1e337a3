//! The logs: the webhooks the emulator sent and the API requests it received.

use std::time::Duration;

use super::{ControlError, Data, Http};
use crate::faults::ApiRequest;
use crate::webhooks::{Provider, WebhookDelivery};

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
    pub(super) http: &'a Http,
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

/// The request log.
#[derive(Debug, Clone, Copy)]
pub struct Requests<'a> {
    pub(super) http: &'a Http,
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
