//! The control endpoints under `/_emulator`: drive lifecycles, move the clock, read the webhook
//! log, inject faults, reset. JSON in and out; errors are `{"error": "<message>"}`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::faults::{Fault, InjectedFault};
use crate::operations::{self, OPERATIONS};
use crate::server::{Shared, json as json_response};
use crate::webhooks::{self, Provider};
use crate::{ante, fairshare, seed, splitable, util, zepto};

/// A control-endpoint error: `{"error": "<message>"}`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

/// Answers paths that belong to no provider and no control endpoint.
pub(crate) async fn not_found(uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!(
            "no such path: {}. Provider APIs live under /ante/api/v1, /fairshare/api/v1, /splitable, /zepto/api and /zepto/go; GET /_emulator describes the emulator",
            uri.path()
        ),
    )
}

/// The control endpoints, mounted at `/_emulator`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/", get(describe))
        .route("/reset", post(reset))
        .route("/clock", get(clock))
        .route("/clock/advance", post(advance_clock))
        .route("/webhooks", get(webhooks).delete(clear_webhooks))
        .route(
            "/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/requests", get(requests).delete(clear_requests))
        .route("/operations", get(list_operations))
        .nest("/ante", ante::control_router())
        .nest("/fairshare", fairshare::control_router())
        .nest("/splitable", splitable::control_router())
        .nest("/zepto", zepto::control_router())
        .fallback(not_found)
}

fn object(body: &[u8]) -> Result<serde_json::Map<String, Value>, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(error(StatusCode::BAD_REQUEST, "body must be a JSON object")),
    }
}

/// Base URLs, seed credentials and the active settings.
async fn describe(State(shared): State<Arc<Shared>>) -> Response {
    let base = &shared.base_url;
    let config = &shared.config;
    let body = json!({
        "name": "splitkit-emulator",
        "version": env!("CARGO_PKG_VERSION"),
        "now": util::iso_millis(shared.clock.now()),
        "clock_offset_seconds": shared.clock.offset_ms() / 1000,
        "base_urls": {
            "ante": format!("{base}/ante/api/v1"),
            "fairshare": format!("{base}/fairshare/api/v1"),
            "splitable": format!("{base}/splitable"),
            "zepto_api": format!("{base}/zepto/api"),
            "zepto_oauth": format!("{base}/zepto/go"),
            "control": format!("{base}/_emulator"),
        },
        "seed": {
            "ante": {
                "merchant_id": seed::ANTE_MERCHANT_ID,
                "test_publishable_key": seed::ANTE_TEST_PUBLISHABLE_KEY,
                "test_secret_key": seed::ANTE_TEST_SECRET_KEY,
                "live_publishable_key": seed::ANTE_LIVE_PUBLISHABLE_KEY,
                "live_secret_key": seed::ANTE_LIVE_SECRET_KEY,
                "signing_secret": seed::ANTE_SIGNING_SECRET,
            },
            "fairshare": {
                "api_key": seed::FAIRSHARE_API_KEY,
                "live_api_key": seed::FAIRSHARE_LIVE_API_KEY,
                "webhook_signing_key": config.fairshare_webhook_signing_key,
            },
            "splitable": {
                "api_key": seed::SPLITABLE_API_KEY,
                "api_secret": seed::SPLITABLE_API_SECRET,
            },
            "zepto": {
                "client_id": seed::ZEPTO_CLIENT_ID,
                "client_secret": seed::ZEPTO_CLIENT_SECRET,
                "redirect_uris": "any http(s) URI on 127.0.0.1, localhost or [::1]",
                "personal_access_token": seed::ZEPTO_PERSONAL_ACCESS_TOKEN,
                "webhook_signature_secret": seed::ZEPTO_WEBHOOK_SECRET,
                "account_id": seed::ZEPTO_ACCOUNT_ID,
                "bank_account_id": seed::ZEPTO_BANK_ACCOUNT_ID,
                "float_account_id": seed::ZEPTO_FLOAT_ACCOUNT_ID,
            },
        },
        "settings": {
            "lenient": config.lenient,
            "webhook_retry_schedules_ms": Provider::ALL
                .iter()
                .map(|p| (p.as_str().to_string(), json!(config.retry_schedule(*p).delays().iter().map(|d| d.as_millis()).collect::<Vec<_>>())))
                .collect::<serde_json::Map<_, _>>(),
            "webhook_timeout_ms": config.webhook_timeout.as_millis(),
            "ante_headless_enabled": config.ante_headless_enabled,
            "ante_min_order_total": config.ante_min_order_total,
            "fairshare_live_enabled": config.fairshare_live_enabled,
            "fairshare_psp_connected": config.fairshare_psp_connected,
            "splitable_error_status": config.splitable_error_status,
            "zepto": zepto::describe(&shared),
        },
        "operations": OPERATIONS.len(),
    });
    json_response(StatusCode::OK, &body)
}

async fn reset(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset();
    json_response(StatusCode::OK, &json!({ "reset": true }))
}

fn clock_body(shared: &Shared) -> Value {
    json!({
        "now": util::iso_millis(shared.clock.now()),
        "unix": shared.clock.unix(),
        "offset_seconds": shared.clock.offset_ms() / 1000,
        "offset_ms": shared.clock.offset_ms(),
        "pending_webhook_retries": shared.retries.len(),
    })
}

async fn clock(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &clock_body(&shared))
}

/// `{"seconds": n}` (n >= 0): moves the emulator clock, applies every expiry now due, and
/// answers once every webhook retry that came due has been attempted.
async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match object(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(seconds) = request
        .get("seconds")
        .and_then(Value::as_i64)
        .filter(|s| (0..=10 * 365 * 86_400).contains(s))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "`seconds` must be an integer between 0 and ten years",
        );
    };
    shared.advance_clock(seconds);
    webhooks::settle(&shared).await;
    json_response(StatusCode::OK, &clock_body(&shared))
}

/// Every delivery attempt, oldest first; filter with `?provider=`, `?event_type=`, `?url=`.
async fn webhooks(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query = util::form_map(query.unwrap_or_default().as_bytes());
    let provider = match query.get("provider") {
        None => None,
        Some(p) => match Provider::parse(p) {
            Some(p) => Some(p),
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "`provider` must be ante, fairshare, splitable or zepto",
                );
            }
        },
    };
    let deliveries: Vec<_> = shared
        .deliveries()
        .into_iter()
        .filter(|d| provider.is_none_or(|p| d.provider == p))
        .filter(|d| query.get("event_type").is_none_or(|e| &d.event_type == e))
        .filter(|d| query.get("url").is_none_or(|u| &d.url == u))
        .collect();
    json_response(StatusCode::OK, &json!({ "data": deliveries }))
}

async fn clear_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_deliveries();
    json_response(StatusCode::OK, &json!({ "cleared": true }))
}

/// Adds a fault: `{"provider", "operation"?, "count"?: 1, "type": "status" | "hang" | "reset"
/// | "delay", ...}` with `status` and `retry_after` (seconds) for `status`, `ms` for `hang` and
/// `delay`. Without `type`, a body with `status` is a `status` fault. The next `count` API
/// requests to `operation` (any operation of `provider` without one) meet the fault.
async fn add_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let mut request = match object(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(provider) = request
        .get("provider")
        .and_then(Value::as_str)
        .and_then(Provider::parse)
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "`provider` must be ante, fairshare, splitable or zepto",
        );
    };
    let operation = match request.get("operation") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if operations::is_known(provider, id) => Some(id.clone()),
        Some(other) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "`operation` must be an operation id of {} (GET /_emulator/operations lists them), got {other}",
                    provider.as_str()
                ),
            );
        }
    };
    let count = match request.get("count") {
        None | Some(Value::Null) => 1,
        Some(v) => match v
            .as_u64()
            .and_then(|c| u32::try_from(c).ok())
            .filter(|c| (1..=1000).contains(c))
        {
            Some(c) => c,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "`count` must be between 1 and 1000",
                );
            }
        },
    };
    if !request.contains_key("type") && request.contains_key("status") {
        request.insert("type".into(), json!("status"));
    }
    let fault = match serde_json::from_value::<Fault>(Value::Object(request))
        .map_err(|e| e.to_string())
        .and_then(|f| f.validate().map(|()| f))
    {
        Ok(f) => f,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "a fault is {{\"type\": \"status\", \"status\", \"retry_after\"?}}, {{\"type\": \"hang\", \"ms\"}}, {{\"type\": \"reset\"}} or {{\"type\": \"delay\", \"ms\"}}: {e}"
                ),
            );
        }
    };
    let fault = InjectedFault {
        provider,
        operation,
        fault,
        remaining: count,
    };
    shared.add_fault(fault.clone());
    json_response(StatusCode::CREATED, &fault)
}

async fn list_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(StatusCode::OK, &json!({ "data": shared.faults() }))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_faults();
    json_response(StatusCode::OK, &json!({ "cleared": true }))
}

/// Every API request, oldest first; filter with `?provider=` and `?operation=`.
async fn requests(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let query = util::form_map(query.unwrap_or_default().as_bytes());
    let provider = match query.get("provider").map(|p| Provider::parse(p)) {
        None => None,
        Some(Some(p)) => Some(p),
        Some(None) => {
            return error(
                StatusCode::BAD_REQUEST,
                "`provider` must be ante, fairshare, splitable or zepto",
            );
        }
    };
    let data: Vec<_> = shared
        .requests()
        .into_iter()
        .filter(|r| provider.is_none_or(|p| r.provider == p))
        .filter(|r| {
            query
                .get("operation")
                .is_none_or(|o| r.operation.as_deref() == Some(o.as_str()))
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "data": data }))
}

async fn clear_requests(State(shared): State<Arc<Shared>>) -> Response {
    shared.clear_requests();
    json_response(StatusCode::OK, &json!({ "cleared": true }))
}

/// Every operation the emulator serves: `{provider, method, path, id}`.
async fn list_operations() -> Response {
    let data: Vec<Value> = OPERATIONS
        .iter()
        .map(|o| json!({ "provider": o.provider, "method": o.method, "path": o.path, "id": o.id }))
        .collect();
    json_response(StatusCode::OK, &json!({ "data": data }))
}
