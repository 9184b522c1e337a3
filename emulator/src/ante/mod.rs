//! Ante: group checkout sessions for signed carts (`/ante/api/v1`).
//!
//! One module per resource, as `ante-client` has them: `credentials` (keys), `cart` (the cart
//! rules and its signature), `sessions`, `merchants`, `endpoints` (dashboard webhook
//! endpoints), and `control` (what shoppers do, driven by the control endpoints).

mod cart;
mod control;
mod credentials;
mod endpoints;
mod merchants;
mod sessions;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;
use crate::webhooks::{Job, Provider, Signing};

use cart::*;
use credentials::*;
use endpoints::Endpoint;
use sessions::*;

pub(crate) use control::control_router;

/// The event types Ante documents.
const EVENT_TYPES: [&str; 4] = [
    "group.created",
    "group.funded",
    "group.expired",
    "group.cancelled",
];

const MERCHANT_FEE_RATE: f64 = 0.0201;
const CONSUMER_FEE_RATE: f64 = 0.01;

/// Ante's state: sessions and dashboard webhook endpoints, test and live kept apart.
#[derive(Debug, Default)]
pub(crate) struct AnteState {
    sessions: BTreeMap<String, Session>,
    endpoints: Vec<Endpoint>,
    last_created_ms: i64,
    last_event_ms: i64,
}

/// An Ante error body: `{request_id, error, details?}`.
pub(crate) fn error(status: StatusCode, message: &str, details: Option<&[&str]>) -> Response {
    let mut body = json!({ "request_id": util::uuid(), "error": message });
    if let (Some(details), Some(obj)) = (details, body.as_object_mut()) {
        obj.insert("details".into(), json!(details));
    }
    json_response(status, &body)
}

fn ok(mut body: Value) -> Response {
    if let Some(obj) = body.as_object_mut() {
        obj.insert("request_id".into(), json!(util::uuid()));
    }
    json_response(StatusCode::OK, &body)
}

/// The REST API, mounted at `/ante/api/v1`.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    Router::new()
        .merge(sessions::routes())
        .merge(merchants::routes())
        .merge(endpoints::routes())
        .fallback(|| async { error(StatusCode::NOT_FOUND, "Not found", None) })
}

/// The hosted session page the `session_url` points at, mounted at `/ante`.
pub(crate) fn pages_router() -> Router<Arc<Shared>> {
    Router::new().route("/session/{id}", get(session_page))
}

/// The JSON object body of a request. Strict, it must come as `Content-Type:
/// application/json` and hold only the documented `fields`.
fn request_object(
    headers: &HeaderMap,
    body: &[u8],
    fields: &[&str],
    strict: bool,
) -> Result<Map<String, Value>, Response> {
    if strict && !util::has_content_type(headers, "application/json") {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
            None,
        ));
    }
    let object = parse_object(body)?;
    known_fields(&object, fields, "", strict)?;
    Ok(object)
}

/// Strict, a 400 naming the fields of `object` (at `path`, e.g. `cart.`) that Ante does not
/// document: Ante ignores what it does not know, so a misspelt field would pass unnoticed.
fn known_fields(
    object: &Map<String, Value>,
    fields: &[&str],
    path: &str,
    strict: bool,
) -> Result<(), Response> {
    match util::unknown_fields(object.keys(), fields, path) {
        Some(sentence) if strict => Err(bad(sentence)),
        _ => Ok(()),
    }
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(error(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
            None,
        )),
        Err(e) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("Invalid JSON body: {e}"),
            None,
        )),
    }
}

fn bad(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, message.as_ref(), None)
}

fn int_field(
    obj: &Map<String, Value>,
    name: &str,
    path: &str,
    min: Option<i64>,
) -> Result<Option<i64>, Response> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => {
            let n = v
                .as_i64()
                .ok_or_else(|| bad(format!("{path} must be an integer")))?;
            if let Some(min) = min
                && n < min
            {
                return Err(bad(format!("{path} must be at least {min}")));
            }
            Ok(Some(n))
        }
    }
}

fn str_field<'a>(
    obj: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'a str>, Response> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("{path} must be a string"))),
    }
}

impl AnteState {
    fn next_created_ms(&mut self, now: OffsetDateTime) -> i64 {
        let ms = util::unix_millis(now).max(self.last_created_ms + 1);
        self.last_created_ms = ms;
        ms
    }

    fn next_event_id(&mut self, now: OffsetDateTime) -> String {
        let ms = util::unix_millis(now).max(self.last_event_ms + 1);
        self.last_event_ms = ms;
        format!("evt_{ms}")
    }

    /// Queues `event` for the session's `webhook_url` (signed with the signing secret) and for
    /// every dashboard endpoint of the session's mode subscribed to it (signed with its secret).
    fn emit(&mut self, cx: &mut Ctx<'_>, session_id: &str, event_type: &str, data: Value) {
        let Some(session) = self.sessions.get(session_id).cloned() else {
            return;
        };
        let id = self.next_event_id(cx.now);
        let envelope = json!({
            "id": id,
            "type": event_type,
            "created_at": util::iso_millis(cx.now),
            "data": data,
        });
        let body = Bytes::from(serde_json::to_vec(&envelope).unwrap_or_default());
        let mut targets: Vec<(String, String)> = Vec::new();
        if let Some(url) = &session.webhook_url {
            targets.push((url.clone(), seed::ANTE_SIGNING_SECRET.to_string()));
        }
        for endpoint in &self.endpoints {
            if endpoint.mode == session.mode && endpoint.events.iter().any(|e| e == event_type) {
                targets.push((endpoint.url.clone(), endpoint.secret.clone()));
            }
        }
        for (url, secret) in targets {
            cx.jobs.push(Job {
                provider: Provider::Ante,
                event_type: event_type.to_string(),
                event_id: Some(id.clone()),
                url,
                body: body.clone(),
                signing: Signing::Ante { secret },
                zepto_delivery: None,
                epoch: 0,
            });
        }
    }
}

/// Applies expiries: pending sessions past `expires_at` become `expired`.
pub(crate) fn sweep(st: &mut AnteState, cx: &mut Ctx<'_>) {
    let due: Vec<String> = st
        .sessions
        .values()
        .filter(|s| s.status == Status::Pending && s.expires_at <= cx.now)
        .map(|s| s.id.clone())
        .collect();
    for id in due {
        close(st, cx, &id, Status::Expired);
    }
}

async fn session_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let status = shared.run(|st, _| st.ante.sessions.get(&id).map(|s| s.status.as_str()));
    match status {
        Some(status) => Html(format!(
            "<!doctype html><title>Ante session (emulator)</title><h1>Ante session {id}</h1>\
             <p>Status: {status}.</p><p>This is the splitkit emulator. Pay shares with \
             <code>POST /_emulator/ante/sessions/{id}/pay</code>.</p>"
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "unknown session").into_response(),
    }
}
