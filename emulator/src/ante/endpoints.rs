//! Dashboard webhook endpoints: list, create (the `whsec_` secret shown once), delete.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get};
use serde_json::{Value, json};

use super::*;
use crate::server::Shared;
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/webhooks", get(list_endpoints).post(create_endpoint))
        .route("/webhooks/{id}", delete(delete_endpoint))
}

#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    pub(super) id: String,
    pub(super) mode: Mode,
    pub(super) url: String,
    pub(super) events: Vec<String>,
    pub(super) secret: String,
}

pub(super) fn endpoint_json(e: &Endpoint) -> Value {
    json!({ "id": e.id, "url": e.url, "events": e.events })
}

async fn list_endpoints(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "webhooks:write").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, _| {
        let data: Vec<Value> = st
            .ante
            .endpoints
            .iter()
            .filter(|e| e.mode == key.mode)
            .map(endpoint_json)
            .collect();
        ok(json!({ "data": data }))
    })
}

async fn create_endpoint(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "webhooks:write").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    let request = match request_object(&headers, &body, &["url", "events"], !shared.config.lenient)
    {
        Ok(r) => r,
        Err(r) => return r,
    };
    let url = match request.get("url") {
        Some(Value::String(u)) if util::is_webhook_url(u) => u.clone(),
        Some(Value::String(_)) => {
            return bad(
                "url must be an HTTPS URL (the emulator also accepts http:// on 127.0.0.1 or localhost)",
            );
        }
        _ => return bad("url is required"),
    };
    let events = match request.get("events") {
        Some(Value::Array(list)) if !list.is_empty() => {
            let mut events = Vec::new();
            for e in list {
                match e.as_str() {
                    Some(name) if EVENT_TYPES.contains(&name) => events.push(name.to_string()),
                    _ => {
                        return bad(format!(
                            "events may only hold {}; got {e}",
                            EVENT_TYPES.join(", ")
                        ));
                    }
                }
            }
            events
        }
        _ => return bad("events is required (a non-empty array of event types)"),
    };
    shared.run(|st, _| {
        let endpoint = Endpoint {
            id: format!("we_{}", util::random_hex(24)),
            mode: key.mode,
            url,
            events,
            secret: format!("whsec_{}", util::random_hex(48)),
        };
        let mut body = endpoint_json(&endpoint);
        if let Some(obj) = body.as_object_mut() {
            obj.insert("secret".into(), json!(endpoint.secret));
        }
        st.ante.endpoints.push(endpoint);
        ok(body)
    })
}

async fn delete_endpoint(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "webhooks:write").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    shared.run(|st, _| {
        let before = st.ante.endpoints.len();
        st.ante
            .endpoints
            .retain(|e| !(e.id == id && e.mode == key.mode));
        if st.ante.endpoints.len() == before {
            error(StatusCode::NOT_FOUND, "Webhook endpoint not found", None)
        } else {
            ok(json!({ "id": id, "deleted": true }))
        }
    })
}
