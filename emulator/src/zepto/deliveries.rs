//! Zepto's webhook-delivery API: a webhook's deliveries with their filters and
//! `starting_after` cursor, one delivery with its payload, and redelivery (both paths).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::api::{not_found, ok, ts};
use super::{DeliveryRecord, authenticate, paginate, query_pairs, resource_error, single};
use crate::server::Shared;
use crate::util;
use crate::webhooks;

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
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, None) {
            return r;
        }
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
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, None) {
            return r;
        }
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
            webhooks::resend(&shared, job, attempt);
            ok(StatusCode::ACCEPTED, body)
        }
        Err(r) => r,
    }
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
