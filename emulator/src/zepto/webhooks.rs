//! Zepto's webhooks: the endpoints, the signed deliveries an event makes, and the webhook API
//! (list webhooks; a webhook's deliveries with their filters and `starting_after` cursor; one
//! delivery with its payload; redelivery, both paths).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::*;
use crate::seed;
use crate::server::{Ctx, Shared};
use crate::util;

/// How many webhook delivery records the deliveries API keeps.
pub(super) const MAX_DELIVERY_RECORDS: usize = 10_000;
/// How long delivery records are kept (Zepto: 7 days).
pub(super) const DELIVERY_RETENTION_DAYS: i64 = 7;

#[derive(Debug, Clone)]
pub(crate) struct WebhookConfig {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) events: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct DeliveryRecord {
    pub(crate) id: String,
    pub(crate) webhook_id: String,
    pub(crate) event_type: String,
    pub(crate) state: &'static str,
    pub(crate) refs: Vec<String>,
    pub(crate) response_status_code: Option<u16>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) attempts: u32,
    pub(crate) job: Job,
}

impl ZeptoState {
    /// Queues `event_type` with `data` to every endpoint subscribed to it, recording a delivery
    /// for the deliveries API.
    pub(crate) fn emit(
        &mut self,
        cx: &mut Ctx<'_>,
        event_type: &str,
        data: Vec<Value>,
        bank_account_id: &str,
    ) {
        let targets: Vec<WebhookConfig> = self
            .webhooks
            .iter()
            .filter(|w| {
                w.events
                    .as_ref()
                    .is_none_or(|events| events.iter().any(|e| e == event_type || e == "*"))
            })
            .cloned()
            .collect();
        if targets.is_empty() {
            return;
        }
        let refs: Vec<String> = data
            .iter()
            .filter_map(|d| d.get("ref").and_then(Value::as_str).map(str::to_string))
            .collect();
        let body = json!({
            "event": {
                "type": event_type,
                "at": util::iso_seconds(cx.now),
                "who": { "account_id": seed::ZEPTO_ACCOUNT_ID, "bank_account_id": bank_account_id },
            },
            "data": data,
        });
        let body = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        let request_id = util::uuid();
        for target in targets {
            let delivery_id = util::uuid();
            let job = Job {
                provider: Provider::Zepto,
                event_type: event_type.to_string(),
                event_id: Some(request_id.clone()),
                url: target.url.clone(),
                body: body.clone(),
                signing: Signing::Zepto {
                    secret: target.secret.clone(),
                    request_id: request_id.clone(),
                },
                zepto_delivery: Some(delivery_id.clone()),
                epoch: 0,
            };
            self.deliveries.push_back(DeliveryRecord {
                id: delivery_id,
                webhook_id: target.id.clone(),
                event_type: event_type.to_string(),
                state: "pending",
                refs: refs.clone(),
                response_status_code: None,
                created_at: cx.now,
                attempts: 0,
                job: job.clone(),
            });
            while self.deliveries.len() > MAX_DELIVERY_RECORDS {
                self.deliveries.pop_front();
            }
            cx.jobs.push(job);
        }
    }
}

/// Updates the deliveries API's record after an attempt.
pub(crate) fn record_delivery_result(
    shared: &Arc<Shared>,
    delivery_id: &str,
    status: Option<u16>,
    delivered: bool,
    retries_left: bool,
) {
    shared.run(|st, _| {
        if let Some(d) = st.zepto.deliveries.iter_mut().find(|d| d.id == delivery_id) {
            d.attempts += 1;
            d.response_status_code = status.or(d.response_status_code);
            d.state = if delivered {
                "completed"
            } else if retries_left {
                "retrying"
            } else {
                "failed"
            };
        }
    });
}

// ---- webhooks and deliveries -------------------------------------------------------------------

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/webhooks", get(list_webhooks))
        .route("/webhooks/{id}/deliveries", get(list_deliveries))
        .route(
            "/webhook_deliveries/{id}",
            get(get_delivery).post(redeliver),
        )
        .route("/webhook_deliveries/{id}/redeliver", post(redeliver))
}

/// The event types the emulator sends (what an endpoint without a filter receives).
fn emitted_events() -> Vec<String> {
    let mut events = vec![
        "payment.added".to_string(),
        "payment_request.added".to_string(),
        "payment_request.cancelled".to_string(),
    ];
    for prefix in ["debit", "credit", "debtor_credit", "creditor_debit"] {
        for action in [
            "scheduled",
            "maturing",
            "matured",
            "processing",
            "clearing",
            "cleared",
            "rejected",
            "returned",
            "voided",
            "channel_switched",
        ] {
            events.push(format!("{prefix}.{action}"));
        }
    }
    events
}

async fn list_webhooks(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, None, |st, cx| {
        let items = st
            .webhooks
            .iter()
            .map(|w| {
                json!({
                    "id": w.id,
                    "url": w.url,
                    "signature_secret": w.secret,
                    "events": w.events.clone().unwrap_or_else(emitted_events),
                })
            })
            .collect();
        paginate(items, &query, cx.base_url, "/webhooks")
    })
}

/// A delivery as the list shows it.
fn delivery_json(d: &DeliveryRecord) -> Value {
    json!({
        "id": d.id,
        "webhook_id": d.webhook_id,
        "event_type": d.event_type,
        "state": d.state,
        "payload_data_summary": d.refs.iter().map(|r| json!({ "ref": r })).collect::<Vec<_>>(),
        "response_status_code": d.response_status_code,
        "created_at": ts(d.created_at),
    })
}

/// Whether `status` is in the class `2xx`, `4xx` or `5xx`.
fn in_class(status: Option<u16>, class: &str) -> bool {
    let hundreds = match class {
        "2xx" => 2,
        "4xx" => 4,
        "5xx" => 5,
        _ => return false,
    };
    status.is_some_and(|s| s / 100 == hundreds)
}

/// `GET /webhooks/{id}/deliveries`: newest first; `state`, `event_type`, `since`,
/// `response_status_code` and `ref` filter (one exact value each), `starting_after` starts
/// after a delivery of the list, `page` and `per_page` page it (with `Link` headers).
pub(super) async fn list_deliveries(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, None, |st, cx| {
        if !st.webhooks.iter().any(|w| w.id == id) {
            return not_found("Webhook");
        }
        let since = match single(&query, "since") {
            None => None,
            Some(v) => match util::parse_datetime(v, time::UtcOffset::UTC) {
                Some(t) => Some(t),
                None => {
                    return resource_error(
                        StatusCode::BAD_REQUEST,
                        "since is not a valid ISO 8601 date-time",
                    );
                }
            },
        };
        let class = single(&query, "response_status_code");
        if class.is_some_and(|c| !matches!(c, "2xx" | "4xx" | "5xx")) {
            return resource_error(
                StatusCode::BAD_REQUEST,
                "response_status_code must be 2xx, 4xx or 5xx",
            );
        }
        let state = single(&query, "state");
        if state.is_some_and(|s| !matches!(s, "pending" | "completed" | "retrying" | "failed")) {
            return resource_error(
                StatusCode::BAD_REQUEST,
                "state must be pending, completed, retrying or failed",
            );
        }
        let mut newest_first: Vec<&DeliveryRecord> = st
            .deliveries
            .iter()
            .rev()
            .filter(|d| d.webhook_id == id)
            .collect();
        if let Some(cursor) = single(&query, "starting_after") {
            let Some(at) = newest_first.iter().position(|d| d.id == cursor) else {
                return resource_error(
                    StatusCode::BAD_REQUEST,
                    "starting_after is not a delivery of this webhook",
                );
            };
            newest_first.drain(..=at);
        }
        let items = newest_first
            .into_iter()
            .filter(|d| state.is_none_or(|s| d.state == s))
            .filter(|d| single(&query, "event_type").is_none_or(|e| d.event_type == e))
            .filter(|d| since.is_none_or(|t| d.created_at >= t))
            .filter(|d| class.is_none_or(|c| in_class(d.response_status_code, c)))
            .filter(|d| single(&query, "ref").is_none_or(|r| d.refs.iter().any(|x| x == r)))
            .map(delivery_json)
            .collect();
        paginate(
            items,
            &query,
            cx.base_url,
            &format!("/webhooks/{id}/deliveries"),
        )
    })
}

/// `GET /webhook_deliveries/{id}`: the delivery with the body that was sent (`payload`).
pub(super) async fn get_delivery(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    authed(&shared, &headers, None, |st, _| {
        match st.deliveries.iter().find(|d| d.id == id) {
            Some(d) => {
                let mut body = delivery_json(d);
                let payload: Value = serde_json::from_slice(&d.job.body).unwrap_or(Value::Null);
                if let Some(obj) = body.as_object_mut() {
                    obj.insert("payload".into(), payload);
                }
                ok(StatusCode::OK, body)
            }
            None => not_found("Webhook delivery"),
        }
    })
}

/// `POST /webhook_deliveries/{id}/redeliver` and the older `POST /webhook_deliveries/{id}`:
/// sends the delivery to its endpoint again, now, with the same body and `Split-Request-ID`
/// and a fresh signature, and answers 202 with the delivery `pending`. The attempt updates the
/// delivery's state and status code like any other.
pub(super) async fn redeliver(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let found = shared.run(|st, cx| {
        let st = &mut st.zepto;
        authenticate(st, &headers, cx.now, None)?;
        match st.deliveries.iter_mut().find(|d| d.id == id) {
            Some(d) => {
                d.state = "pending";
                let body = json!({ "id": d.id, "webhook_id": d.webhook_id, "state": d.state });
                Ok((d.job.clone(), d.attempts + 1, body))
            }
            None => Err(not_found("Webhook delivery")),
        }
    });
    match found {
        Ok((job, attempt, body)) => {
            crate::webhooks::resend(&shared, job, attempt);
            ok(StatusCode::ACCEPTED, body)
        }
        Err(r) => r,
    }
}

/// A webhook endpoint as the control endpoints show it.
pub(super) fn webhook_json(w: &WebhookConfig) -> Value {
    json!({
        "id": w.id,
        "url": w.url,
        "signature_secret": w.secret,
        "events": w.events.clone().unwrap_or_else(|| vec!["*".to_string()]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_classes() {
        assert!(in_class(Some(204), "2xx"));
        assert!(in_class(Some(404), "4xx"));
        assert!(!in_class(Some(404), "5xx"));
        assert!(!in_class(None, "2xx"));
        assert!(!in_class(Some(200), "3xx"));
    }
}
