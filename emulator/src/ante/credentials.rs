//! Ante's keys: test and live, publishable and secret, and what each may call.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::*;
use crate::seed;
use crate::util;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Test,
    Live,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Key {
    pub(super) mode: Mode,
    pub(super) secret: bool,
}

pub(super) fn authenticate(headers: &HeaderMap) -> Result<Key, Response> {
    let unauthorized = |m: &str| error(StatusCode::UNAUTHORIZED, m, None);
    let forbidden = |m: &str| error(StatusCode::FORBIDDEN, m, None);
    let Some(auth) = util::header(headers, "authorization") else {
        return Err(unauthorized("Missing Authorization bearer token"));
    };
    let Some(token) = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(unauthorized("Missing Authorization bearer token"));
    };
    let format_ok = ["ante_", "plurel_"].iter().any(|family| {
        ["pk_test_", "pk_live_", "sk_test_", "sk_live_"]
            .iter()
            .any(|kind| token.starts_with(&format!("{family}{kind}")))
    });
    if !format_ok {
        return Err(unauthorized("Invalid API key format"));
    }
    let key = [
        (seed::ANTE_TEST_PUBLISHABLE_KEY, Mode::Test, false),
        (seed::ANTE_TEST_SECRET_KEY, Mode::Test, true),
        (seed::ANTE_LIVE_PUBLISHABLE_KEY, Mode::Live, false),
        (seed::ANTE_LIVE_SECRET_KEY, Mode::Live, true),
    ]
    .iter()
    .find(|(k, _, _)| util::secret_eq(k, token))
    .map(|(_, mode, secret)| Key {
        mode: *mode,
        secret: *secret,
    });
    let Some(key) = key else {
        return Err(unauthorized("Invalid or revoked API key"));
    };
    if let Some(merchant) = util::header(headers, "x-merchant-id")
        && merchant.trim() != seed::ANTE_MERCHANT_ID
    {
        return Err(forbidden(
            "X-Merchant-ID does not match the API key's merchant",
        ));
    }
    if key.secret && headers.contains_key("origin") {
        return Err(forbidden(
            "Secret API keys must not be used from browser clients",
        ));
    }
    Ok(key)
}

pub(super) fn require_secret(key: Key, scope: &str) -> Result<(), Response> {
    if key.secret {
        Ok(())
    } else {
        Err(error(
            StatusCode::FORBIDDEN,
            &format!("API key missing scope: {scope} (publishable keys cannot call this endpoint)"),
            None,
        ))
    }
}
