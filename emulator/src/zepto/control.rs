//! The control endpoints of Zepto, mounted at `/_emulator/zepto`: run the processing cycle,
//! manage webhook endpoints, token lifetimes and Contacts' Agreements.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use super::*;
use crate::seed;
use crate::server::{Shared, json as json_response};
use crate::util;

/// The control endpoints, mounted at `/_emulator/zepto`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/process", post(control_process))
        .route(
            "/webhooks",
            post(control_add_webhook).get(control_list_webhooks),
        )
        .route("/webhooks/{id}", delete(control_delete_webhook))
        .route("/token-lifetime", post(control_token_lifetime))
        .route("/contacts/{id}/agreement", post(control_agreement))
        .route("/contacts/{id}", get(control_contact))
}

fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control::error(status, message.as_ref())
}

fn control_body(body: &[u8]) -> Result<Map<String, Value>, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(control_error(
            StatusCode::BAD_REQUEST,
            "body must be a JSON object",
        )),
    }
}

/// `{"steps"?: n}`: runs the processing cycle `n` times (default: until nothing moves).
async fn control_process(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let steps = match request.get("steps") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=100).contains(&n) => Some(n),
            _ => {
                return control_error(StatusCode::BAD_REQUEST, "`steps` must be between 1 and 100");
            }
        },
    };
    shared.run(|st, cx| {
        let (ran, moved) = processing::run(&mut st.zepto, cx, steps);
        let pending = st
            .zepto
            .transactions
            .iter()
            .filter(|t| !processing::is_final(t.status))
            .count();
        json_response(
            StatusCode::OK,
            &json!({ "steps": ran, "transitions": moved, "unsettled_transactions": pending }),
        )
    })
}

/// `{"url": "...", "events"?: [...], "signature_secret"?: "..."}` adds a webhook endpoint.
async fn control_add_webhook(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(url) = request
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| util::is_http_url(u))
    else {
        return control_error(StatusCode::BAD_REQUEST, "`url` must be an http(s) URL");
    };
    let secret = match request.get("signature_secret") {
        None | Some(Value::Null) => seed::ZEPTO_WEBHOOK_SECRET.to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`signature_secret` must be a non-empty string",
            );
        }
    };
    let events = match request.get("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => {
            let names: Vec<String> = list
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect();
            if names.len() != list.len() || names.is_empty() {
                return control_error(
                    StatusCode::BAD_REQUEST,
                    "`events` must be a non-empty array of event types",
                );
            }
            Some(names)
        }
        Some(_) => return control_error(StatusCode::BAD_REQUEST, "`events` must be an array"),
    };
    let url = url.to_string();
    shared.run(|st, _| {
        let config = WebhookConfig {
            id: util::uuid(),
            url,
            secret,
            events,
        };
        let body = webhooks::webhook_json(&config);
        st.zepto.webhooks.push(config);
        json_response(StatusCode::CREATED, &body)
    })
}

async fn control_list_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    shared.run(|st, _| {
        let data: Vec<Value> = st
            .zepto
            .webhooks
            .iter()
            .map(webhooks::webhook_json)
            .collect();
        json_response(StatusCode::OK, &json!({ "data": data }))
    })
}

async fn control_delete_webhook(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    shared.run(|st, _| {
        let before = st.zepto.webhooks.len();
        st.zepto.webhooks.retain(|w| w.id != id);
        if st.zepto.webhooks.len() == before {
            control_error(StatusCode::NOT_FOUND, format!("no Zepto webhook {id}"))
        } else {
            json_response(StatusCode::OK, &json!({ "id": id, "deleted": true }))
        }
    })
}

/// `{"seconds": n}`: the lifetime of access tokens issued from now on.
async fn control_token_lifetime(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(seconds) = request
        .get("seconds")
        .and_then(Value::as_u64)
        .filter(|s| (1..=MAX_TOKEN_TTL_SECONDS).contains(s))
    else {
        return control_error(
            StatusCode::BAD_REQUEST,
            "`seconds` must be between 1 and 315360000 (ten years)",
        );
    };
    shared.run(|st, _| {
        st.zepto.token_ttl = std::time::Duration::from_secs(seconds);
        json_response(StatusCode::OK, &json!({ "seconds": seconds }))
    })
}

/// `{"accepted": bool}`: whether the Contact has an accepted Agreement (every Contact has one
/// until this says otherwise); without one, Payment Requests to it answer 422.
async fn control_agreement(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let accepted = request
        .get("accepted")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    shared.run(
        |st, _| match st.zepto.contacts.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.agreement = accepted;
                json_response(
                    StatusCode::OK,
                    &json!({ "contact_id": id, "agreement_accepted": accepted }),
                )
            }
            None => control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}")),
        },
    )
}

async fn control_contact(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, _| match st.zepto.contact(&id) {
        Some(c) => {
            let mut body = contact_json(c, &shared.base_url);
            if let Some(obj) = body.as_object_mut() {
                obj.insert("agreement_accepted".into(), json!(c.agreement));
            }
            json_response(StatusCode::OK, &body)
        }
        None => control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}")),
    })
}
