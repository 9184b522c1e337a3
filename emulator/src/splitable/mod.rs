//! Splitable (split(able)): form-encoded splits and the `api_notify_url` callback
//! (`/splitable`).
//!
//! `splits` holds the API (create, paid members) and the callback; `control` what team
//! members do (driven by the control endpoints).

mod control;
mod splits;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::json;
use time::OffsetDateTime;

use crate::server::{Ctx, Shared, json as json_response};
use crate::util;

use splits::settle;

pub(crate) use control::control_router;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Status {
    Open,
    Paid,
    Cancelled,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Paid => "paid",
            Status::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct LineItem {
    pub(super) name: String,
    pub(super) quantity: i64,
    pub(super) amount: i64,
    pub(super) url: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Member {
    pub(super) name: String,
    pub(super) email: String,
    pub(super) amount: i64,
}

#[derive(Debug, Clone)]
pub(super) struct Split {
    pub(super) id: String,
    pub(super) invoice: String,
    pub(super) notify_url: String,
    pub(super) total: i64,
    pub(super) api_secret: String,
    pub(super) expires_at: OffsetDateTime,
    pub(super) description: Option<String>,
    pub(super) shipping: Option<i64>,
    pub(super) tax: Option<i64>,
    pub(super) items: Vec<LineItem>,
    pub(super) members: Vec<Member>,
    pub(super) status: Status,
    pub(super) transaction_id: Option<String>,
}

/// Splitable's state: the splits.
#[derive(Debug, Default)]
pub(crate) struct SplitableState {
    pub(super) splits: BTreeMap<String, Split>,
}

/// A Splitable error body, `{"error": "..."}`, with an explicit status.
pub(crate) fn error_with_status(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

/// A Splitable API error with the configured status (200 like the draft host, or 500 like live).
fn error(shared: &Shared, message: impl AsRef<str>) -> Response {
    let status =
        StatusCode::from_u16(shared.config.splitable_error_status).unwrap_or(StatusCode::OK);
    error_with_status(status, message.as_ref())
}

/// The API and the hosted split page, mounted at `/splitable`.
pub(crate) fn router() -> Router<Arc<Shared>> {
    splits::routes()
        .route("/cws/{id}", get(split_page))
        .fallback(|| async { error_with_status(StatusCode::NOT_FOUND, "Not found") })
}

/// split(able)'s answers carry an `X-Request-Id` header (Rails).
pub(crate) async fn with_request_id(mut response: Response) -> Response {
    if let Ok(id) = axum::http::HeaderValue::from_str(&util::random_hex(32)) {
        response.headers_mut().insert("x-request-id", id);
    }
    response
}

/// Applies expiries: open splits past their `expires_in` are cancelled (callback
/// `payment_status=cancelled`).
pub(crate) fn sweep(st: &mut SplitableState, cx: &mut Ctx<'_>) {
    let now = cx.now;
    for split in st.splits.values_mut() {
        if split.status == Status::Open && split.expires_at <= now {
            settle(split, cx, Status::Cancelled);
        }
    }
}

async fn split_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let status = shared.run(|st, _| st.splitable.splits.get(&id).map(|s| s.status.as_str()));
    match status {
        Some(status) => Html(format!(
            "<!doctype html><title>split(able) (emulator)</title><h1>Split {id}</h1>\
             <p>Status: {status}.</p><p>This is the splitkit emulator. Pay with \
             <code>POST /_emulator/splitable/splits/{id}/pay</code>.</p>"
        ))
        .into_response(),
        None => error_with_status(StatusCode::NOT_FOUND, "Split not found"),
    }
}
