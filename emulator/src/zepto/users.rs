//! The user the token acts for, with its account.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::json;

use super::*;
use crate::server::Shared;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/user", get(get_user))
}

async fn get_user(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    authed(&shared, &headers, Some("public"), |_, _| {
        ok(
            StatusCode::OK,
            json!({
                "first_name": "Emulator",
                "last_name": "Merchant",
                "mobile_phone": "0400000000",
                "email": "merchant@emulator.test",
                "account": {
                    "name": "Emulator Merchant Pty Ltd",
                    "nickname": "emulator-merchant",
                    "abn": "12345678901",
                    "phone": "0298765432",
                    "street_address": "1 Harbour Street",
                    "suburb": "Sydney",
                    "state": "NSW",
                    "postcode": "2000",
                },
            }),
        )
    })
}
