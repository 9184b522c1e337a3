//! `Idempotency-Key` on the creates that take one: reusing a key within 24 hours answers 409
//! naming what the key created.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::ZeptoState;
use super::wire::detailed_error;
use crate::util;

/// How long an idempotency key is remembered.
pub(super) const IDEMPOTENCY_HOURS: i64 = 24;

#[derive(Debug, Clone)]
pub(crate) struct IdempotencyRecord {
    pub(crate) resource_ref: String,
    /// The request body the key came with, where a repeat of the same request answers the
    /// same resource (Transfers) instead of 409.
    pub(crate) request: Option<Value>,
    pub(crate) expires_at: OffsetDateTime,
}

/// 409 when the `Idempotency-Key` was used in the last 24 hours.
pub(super) fn check_idempotency(
    st: &ZeptoState,
    headers: &HeaderMap,
) -> Result<Option<String>, Response> {
    let Some(key) = util::header(headers, "idempotency-key")
        .map(str::trim)
        .filter(|k| !k.is_empty())
    else {
        return Ok(None);
    };
    if let Some(record) = st.idempotency.get(key) {
        return Err(detailed_error(
            StatusCode::CONFLICT,
            "Duplicate idempotency key",
            "A resource has already been created with this idempotency key",
            Some(json!({ "resource_ref": record.resource_ref })),
        ));
    }
    Ok(Some(key.to_string()))
}

pub(super) fn remember_key(
    st: &mut ZeptoState,
    key: Option<String>,
    resource_ref: &str,
    now: OffsetDateTime,
) {
    if let Some(key) = key {
        st.idempotency.insert(
            key,
            IdempotencyRecord {
                resource_ref: resource_ref.to_string(),
                request: None,
                expires_at: now + time::Duration::hours(IDEMPOTENCY_HOURS),
            },
        );
    }
}
