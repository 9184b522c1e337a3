//! `GET /merchants/me`: the merchant behind a secret key.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::*;
use crate::seed;
use crate::server::Shared;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/merchants/me", get(merchant))
}

async fn merchant(headers: HeaderMap, State(shared): State<Arc<Shared>>) -> Response {
    let key = match authenticate(&headers)
        .and_then(|k| require_secret(k, "merchants:read").map(|()| k))
    {
        Ok(k) => k,
        Err(r) => return r,
    };
    ok(json!({
        "merchant_id": seed::ANTE_MERCHANT_ID,
        "merchant_fee_rate": MERCHANT_FEE_RATE,
        "consumer_fee_rate": CONSUMER_FEE_RATE,
        "sandbox": key.mode == Mode::Test,
        "stripe_connected": true,
        "headless_api_enabled": shared.config.ante_headless_enabled,
        "payout_currency": { "mode": "checkout", "preferred": null },
    }))
}
