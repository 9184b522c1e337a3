//! FairShare: split sessions of three types with decimal money (`/fairshare/api/v1`).
//!
//! `sessions` holds the API (create, get, expected contributors), `fields` the decimal-exact
//! request readers, `control` what contributors do (driven by the control endpoints).

mod control;
mod fields;
mod sessions;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::EmulatorConfig;
use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;
use crate::webhooks::{Job, Provider, Signing};
use serde_json::json;

use fields::*;
use sessions::*;

pub(crate) use control::control_router;

/// The event types FairShare documents.
pub(crate) const EVENT_TYPES: [&str; 9] = [
    "contribution.created",
    "split_session.created",
    "split_session.lead_authorized",
    "split_session.completed",
    "split_session.partial",
    "split_session.expired",
    "split_session.canceled",
    "split_session.refunded",
    "split_session.status_changed",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Env {
    Sandbox,
    Live,
}

#[derive(Debug, Clone)]
struct WebhookTarget {
    url: String,
    key: String,
    events: Option<Vec<String>>,
}

/// FairShare's state: sessions, idempotency keys and the webhook target.
#[derive(Debug)]
pub(crate) struct FairShareState {
    sessions: BTreeMap<String, Session>,
    idempotency: HashMap<(Env, String), IdempotencyRecord>,
    webhook: Option<WebhookTarget>,
}

impl FairShareState {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        Self {
            sessions: BTreeMap::new(),
            idempotency: HashMap::new(),
            webhook: config
                .fairshare_webhook_url
                .as_ref()
                .map(|url| WebhookTarget {
                    url: url.clone(),
                    key: config.fairshare_webhook_signing_key.clone(),
                    events: None,
                }),
        }
    }
}

/// The error code FairShare would send with `status` when nothing more specific applies.
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "BUSINESS_RULE_VIOLATION",
        429 => "RATE_LIMITED",
        500..=599 => "INTERNAL_ERROR",
        _ => "VALIDATION_ERROR",
    }
}

/// A FairShare error body: `{code, message}`.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({ "code": code, "message": message }))
}

fn validation(message: impl AsRef<str>) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
        message.as_ref(),
    )
}

/// The REST API, mounted at `/fairshare/api/v1`.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    sessions::routes()
        .fallback(|| async { error(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint") })
}

/// The contributor page `splitSessionLink` points at, mounted at `/fairshare`.
pub(crate) fn pages_router() -> Router<Arc<Shared>> {
    Router::new().route("/contributor/{id}", get(contributor_page))
}

fn authenticate(headers: &HeaderMap, config: &EmulatorConfig) -> Result<Env, Response> {
    let key = util::header(headers, "x-splitpay-api-key")
        .or_else(|| util::header(headers, "x-api-key"))
        .map(str::trim);
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Missing API key: send it in the X-SplitPay-API-Key header",
        ));
    };
    if util::secret_eq(key, seed::FAIRSHARE_API_KEY) {
        Ok(Env::Sandbox)
    } else if util::secret_eq(key, seed::FAIRSHARE_LIVE_API_KEY) {
        if config.fairshare_live_enabled {
            Ok(Env::Live)
        } else {
            Err(error(
                StatusCode::FORBIDDEN,
                "LIVE_ACCESS_DISABLED",
                "Live mode is blocked until a payment method is on file",
            ))
        }
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Invalid API key",
        ))
    }
}

impl FairShareState {
    fn emit<T: Serialize>(&self, cx: &mut Ctx<'_>, event_type: &str, object: &T) {
        let Some(target) = &self.webhook else {
            return;
        };
        if let Some(events) = &target.events
            && !events.iter().any(|e| e == event_type)
        {
            return;
        }
        #[derive(Serialize)]
        struct Data<'a, T> {
            object: &'a T,
        }
        #[derive(Serialize)]
        struct Envelope<'a, T> {
            id: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            created: String,
            data: Data<'a, T>,
        }
        let id = util::uuid();
        let envelope = Envelope {
            id: &id,
            kind: event_type,
            created: util::iso_seconds(cx.now),
            data: Data { object },
        };
        let body = serde_json::to_vec(&envelope).unwrap_or_default();
        cx.jobs.push(Job {
            provider: Provider::FairShare,
            event_type: event_type.to_string(),
            event_id: Some(id),
            url: target.url.clone(),
            body: Bytes::from(body),
            signing: Signing::FairShare {
                key: target.key.clone(),
            },
            zepto_delivery: None,
            epoch: 0,
        });
    }

    fn emit_session(&self, cx: &mut Ctx<'_>, event_type: &str, id: &str) {
        if let Some(s) = self.sessions.get(id) {
            let base = cx.base_url.to_string();
            self.emit(cx, event_type, &session_out(s, &base));
        }
    }

    /// Moves a session to `status`, emitting the status's event and `status_changed`.
    fn transition(&mut self, cx: &mut Ctx<'_>, id: &str, status: &'static str, event: &str) {
        let Some(s) = self.sessions.get_mut(id) else {
            return;
        };
        let changed = s.status != status;
        s.status = status;
        self.emit_session(cx, event, id);
        if changed {
            self.emit_session(cx, "split_session.status_changed", id);
        }
    }
}

/// Applies expiries: open sessions past `expiresAt` become `EXPIRED`.
pub(crate) fn sweep(st: &mut FairShareState, cx: &mut Ctx<'_>) {
    let due: Vec<String> = st
        .sessions
        .values()
        .filter(|s| matches!(s.status, "PENDING" | "PARTIAL") && s.expires_at <= cx.now)
        .map(|s| s.id.clone())
        .collect();
    for id in due {
        if let Some(s) = st.sessions.get_mut(&id) {
            s.authorized = Decimal::ZERO;
        }
        st.transition(cx, &id, "EXPIRED", "split_session.expired");
    }
}

async fn contributor_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let status = shared.run(|st, _| st.fairshare.sessions.get(&id).map(|s| s.status));
    match status {
        Some(status) => Html(format!(
            "<!doctype html><title>FairShare session (emulator)</title>\
             <h1>FairShare split session {id}</h1><p>Status: {status}.</p>\
             <p>This is the splitkit emulator. Contribute with \
             <code>POST /_emulator/fairshare/split-sessions/{id}/contributions</code>.</p>"
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "unknown split session").into_response(),
    }
}
