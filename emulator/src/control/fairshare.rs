//! What FairShare's contributors do, and where its webhooks go.

use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ControlError, Http, encode};

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
    pub(super) http: &'a Http,
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
