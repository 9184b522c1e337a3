//! FairShare: a group payment is a split session.
//!
//! - **Create**: [`Split::Equal`] is `EQUAL_COUNT` (2 to 10 contributors), [`Split::PerItem`]
//!   `ITEM_CLAIM` (the cart's lines become items, `item-<n>` where a line has no id),
//!   [`Split::Flexible`] `PROPORTIONAL_POOL`. Amounts go out as exact decimals in the currency's
//!   major unit (12050 QAR minor units are `120.50`). The merchant reference is `meta`, the
//!   description the session title, the expiry whole minutes (1 to 60). The create carries an
//!   `Idempotency-Key` derived from the merchant reference
//!   (`IdempotencyKey::derive("splitkit.fairshare", reference)`), so a repeated create returns
//!   the first session; a different cart under the same reference is FairShare's 409
//!   `IDEMPOTENCY_KEY_REUSED`.
//! - **Share link**: the contributor link, one for everyone.
//! - **Read**: total and collected converted back to minor units exactly (an amount finer than
//!   the currency's minor unit is refused, not rounded), the contributions as shares.
//! - **States**: `PENDING` → [`State::Open`], `PARTIAL` → [`State::PartiallyPaid`],
//!   `SUCCEEDED` and `COMPLETED` → [`State::Funded`], `EXPIRED` → [`State::Expired`],
//!   `REFUNDED` → [`State::Refunded`], and the undocumented `CANCELED` (FairShare has the
//!   event) → [`State::Cancelled`]. FairShare offers no cancel or refund call (dashboard only).
//! - **Events**: `split_session.created` → [`EventKind::Created`], `contribution.created` →
//!   [`EventKind::SharePaid`] (its amount is not converted: a contribution does not name its
//!   currency), `split_session.partial` → [`EventKind::PartiallyPaid`], `.completed` →
//!   [`EventKind::Funded`], `.expired`, `.canceled`, `.refunded` → their namesakes;
//!   `.lead_authorized` and `.status_changed` → [`EventKind::Other`] (with the session's
//!   state). Every session event carries the state and the amount collected.

use std::fmt;

use async_trait::async_trait;
use fairshare_client::webhook::{EventBody, EventData};
use fairshare_client::{
    Item, NewSplitSession, SplitKind, SplitSession, SplitSessionStatus, WebhookEventType,
    WebhookVerifier,
};
use http::HeaderMap;
use rust_decimal::Decimal;
use splitkit_common::{Currency, IdempotencyKey};

use crate::error::{Error, provider};
use crate::event::{Event, EventKind, PaymentUpdate, ProviderEvent};
use crate::money::{from_decimal, to_decimal};
use crate::payment::{
    GroupPayment, LinkAudience, NewGroupPayment, ProviderPayment, Share, ShareLink, ShareStatus,
    Split, State,
};
use crate::provider::{ProviderKind, SplitProvider};
use crate::providers::Reading;

const KIND: ProviderKind = ProviderKind::FairShare;

/// The idempotency-key namespace of FairShare creates.
pub const IDEMPOTENCY_NAMESPACE: &str = "splitkit.fairshare";

/// The neutral API over a [`fairshare_client::Client`].
#[derive(Clone)]
pub struct FairShareProvider {
    client: fairshare_client::Client,
    verifier: Option<WebhookVerifier>,
}

impl fmt::Debug for FairShareProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FairShareProvider")
            .field("client", &self.client)
            .field("webhooks", &self.verifier.is_some())
            .finish()
    }
}

impl FairShareProvider {
    /// Over `client`.
    pub fn new(client: fairshare_client::Client) -> Self {
        Self {
            client,
            verifier: None,
        }
    }

    /// Verifies webhooks with `verifier` (the webhook's signing key).
    pub fn webhooks(mut self, verifier: WebhookVerifier) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The FairShare client, for what the neutral API does not cover.
    pub fn client(&self) -> &fairshare_client::Client {
        &self.client
    }

    async fn send<K: SplitKind>(
        &self,
        session: NewSplitSession<K>,
        request: &NewGroupPayment,
    ) -> Result<SplitSession, Error> {
        let mut session = session
            .meta(&request.merchant_reference)
            .detail_title(request.title())
            .idempotency_key(IdempotencyKey::derive(
                IDEMPOTENCY_NAMESPACE,
                &request.merchant_reference,
            ));
        if let Some(expires_in) = request.expires_in {
            session = session.expiry_minutes(u32::try_from(expires_in.as_secs() / 60).unwrap_or(0));
        }
        if let Some(url) = &request.success_url {
            session = session.success_redirect_url(url);
        }
        if let Some(url) = &request.cancel_url {
            session = session.cancel_redirect_url(url);
        }
        if let Some(url) = &request.failure_url {
            session = session.failed_redirect_url(url);
        }
        self.client
            .sessions()
            .create(session)
            .await
            .map_err(provider(KIND))
    }
}

/// The neutral state of a FairShare status.
pub fn state(status: &SplitSessionStatus) -> State {
    match status {
        SplitSessionStatus::Pending => State::Open,
        SplitSessionStatus::Partial => State::PartiallyPaid,
        SplitSessionStatus::Succeeded | SplitSessionStatus::Completed => State::Funded,
        SplitSessionStatus::Expired => State::Expired,
        SplitSessionStatus::Refunded => State::Refunded,
        other => match other.as_str() {
            "CANCELED" | "CANCELLED" => State::Cancelled,
            "FAILED" => State::Failed,
            _ => State::Unknown,
        },
    }
}

/// A contribution's amount, exact: from the number's text, never through a float.
fn contribution_amount(value: &serde_json::Value) -> Option<Decimal> {
    match value.get("amount")? {
        serde_json::Value::Number(n) => n.to_string().parse().ok(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn text(value: &serde_json::Value, key: &str) -> Option<String> {
    value.get(key).and_then(|v| v.as_str()).map(str::to_owned)
}

fn from_session(session: SplitSession) -> Result<GroupPayment, Error> {
    let currency = Currency::parse(&session.currency).ok();
    let minor = |field: &str, value: Decimal| -> Result<_, Error> {
        currency.map(|c| from_decimal(field, value, c)).transpose()
    };
    let total = minor("total", session.total)?;
    let collected = minor("collected", session.collected)?;
    let mut shares = Vec::new();
    for (i, c) in session.contributions.iter().flatten().enumerate() {
        let amount = contribution_amount(c)
            .map(|a| minor(&format!("contributions[{i}].amount"), a))
            .transpose()?
            .flatten();
        let provider_status = text(c, "status").unwrap_or_default();
        shares.push(Share {
            id: text(c, "id"),
            name: text(c, "name"),
            amount,
            status: match provider_status.as_str() {
                "SUCCEEDED" | "COMPLETED" | "PAID" => ShareStatus::Paid,
                "PENDING" | "AUTHORIZED" => ShareStatus::Pending,
                "FAILED" => ShareStatus::Failed,
                "REFUNDED" => ShareStatus::Refunded,
                "CANCELED" | "CANCELLED" => ShareStatus::Cancelled,
                _ => ShareStatus::Unknown,
            },
            provider_status,
        });
    }
    Ok(GroupPayment {
        provider: KIND,
        id: session.id.clone(),
        merchant_reference: session.meta.clone(),
        state: state(&session.status),
        provider_state: session.status.to_string(),
        currency,
        total,
        collected,
        expires_at: Some(session.expires_at),
        share_links: vec![ShareLink::new(
            LinkAudience::Everyone,
            session.split_session_link.clone(),
        )],
        shares,
        raw: ProviderPayment::FairShare(Box::new(session)),
    })
}

fn event_kind(event_type: &WebhookEventType) -> EventKind {
    match event_type {
        WebhookEventType::SplitSessionCreated => EventKind::Created,
        WebhookEventType::ContributionCreated => EventKind::SharePaid,
        WebhookEventType::SplitSessionPartial => EventKind::PartiallyPaid,
        WebhookEventType::SplitSessionCompleted => EventKind::Funded,
        WebhookEventType::SplitSessionExpired => EventKind::Expired,
        WebhookEventType::SplitSessionCanceled => EventKind::Cancelled,
        WebhookEventType::SplitSessionRefunded => EventKind::Refunded,
        _ => EventKind::Other,
    }
}

/// What a FairShare event says: a session event carries the session after it.
fn read(body: &EventBody) -> Reading {
    let update = match &body.data {
        EventData::SplitSession(session) => {
            let currency = Currency::parse(&session.currency).ok();
            Some(PaymentUpdate {
                payment_id: Some(session.id.clone()),
                merchant_reference: session.meta.clone(),
                state: Some(state(&session.status)),
                provider_state: Some(session.status.to_string()),
                // An amount finer than the minor unit is left out rather than rounded.
                amount: currency.and_then(|c| from_decimal("collected", session.collected, c).ok()),
                currency,
                ..PaymentUpdate::default()
            })
        }
        EventData::Contribution(object) => {
            let value = object.to_value().unwrap_or_default();
            Some(PaymentUpdate {
                payment_id: text(&value, "splitSessionId"),
                share_id: text(&value, "id"),
                ..PaymentUpdate::default()
            })
        }
        _ => None,
    };
    Reading {
        provider_type: body.event_type.to_string(),
        kind: event_kind(&body.event_type),
        updates: update.into_iter().collect(),
    }
}

#[async_trait]
impl SplitProvider for FairShareProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, request: &NewGroupPayment) -> Result<GroupPayment, Error> {
        let total = request.check(self.capabilities())?;
        let currency = request.cart.currency;
        let amount = to_decimal(total, currency);
        let code = currency.as_str();
        let session = match request.split {
            Split::Equal { shares } => {
                // `check` held the count to FairShare's 2 to 10.
                let shares = u8::try_from(shares).unwrap_or(u8::MAX);
                self.send(NewSplitSession::split_evenly(amount, code, shares), request)
                    .await?
            }
            Split::PerItem => {
                let items = request.cart.items.iter().enumerate().map(|(i, item)| {
                    let id = item.id.clone().unwrap_or_else(|| format!("item-{}", i + 1));
                    Item::new(
                        id,
                        &item.name,
                        to_decimal(item.unit_amount, currency),
                        item.quantity,
                    )
                });
                self.send(NewSplitSession::pick_items(amount, code, items), request)
                    .await?
            }
            Split::Flexible => {
                self.send(NewSplitSession::flexible_amount(amount, code), request)
                    .await?
            }
            other => {
                return Err(Error::unsupported(
                    KIND,
                    other.capability(),
                    "FairShare splits equally, by item or freely",
                ));
            }
        };
        from_session(session)
    }

    async fn get(&self, id: &str) -> Result<GroupPayment, Error> {
        let session = self
            .client
            .sessions()
            .get(id)
            .await
            .map_err(provider(KIND))?;
        from_session(session)
    }

    async fn cancel(&self, _id: &str) -> Result<(), Error> {
        Err(Error::unsupported(
            KIND,
            crate::Capability::Cancel,
            "FairShare cancels from its dashboard only",
        ))
    }

    fn parse_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, Error> {
        let verifier = self.verifier.as_ref();
        super::parse(
            KIND,
            verifier,
            (headers, body),
            ProviderEvent::FairShare,
            read,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_statuses() {
        let read = |s: &str| state(&s.parse::<SplitSessionStatus>().unwrap());
        assert_eq!(read("PENDING"), State::Open);
        assert_eq!(read("PARTIAL"), State::PartiallyPaid);
        assert_eq!(read("SUCCEEDED"), State::Funded);
        assert_eq!(read("COMPLETED"), State::Funded);
        assert_eq!(read("EXPIRED"), State::Expired);
        assert_eq!(read("REFUNDED"), State::Refunded);
        assert_eq!(read("CANCELED"), State::Cancelled);
        assert_eq!(read("ON_HOLD"), State::Unknown);
    }

    #[test]
    fn contribution_amounts_are_read_from_their_text() {
        let value: serde_json::Value = serde_json::from_str(r#"{"amount": 40.10}"#).unwrap();
        assert_eq!(contribution_amount(&value), Some(Decimal::new(4010, 2)));
        let value: serde_json::Value = serde_json::from_str(r#"{"amount": "40.10"}"#).unwrap();
        assert_eq!(contribution_amount(&value), Some(Decimal::new(4010, 2)));
    }
}
