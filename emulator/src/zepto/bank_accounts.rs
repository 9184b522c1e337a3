//! The merchant's bank accounts: a primary account and an NPP-enabled Float Account.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::*;
use crate::seed;
use crate::server::Shared;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/bank_accounts", get(list_bank_accounts))
}

/// The bank name of Contacts' accounts and the merchant's primary account.
pub(super) const BANK_NAME: &str = "Zepto SANDBOX Bank";
/// The bank name of Float Accounts.
pub(super) const FLOAT_BANK_NAME: &str = "Zepto Float Account";
/// The BSB of Zepto's accounts (float accounts and Receivable Contacts' account numbers).
pub(super) const FLOAT_BRANCH_CODE: &str = "802919";
/// The account number of the merchant's float account.
pub(super) const FLOAT_ACCOUNT_NUMBER: &str = "1408281";

fn bank_accounts() -> Vec<Value> {
    vec![
        json!({
            "id": seed::ZEPTO_BANK_ACCOUNT_ID,
            "branch_code": "062000",
            "bank_name": BANK_NAME,
            "account_number": "12345678",
            "status": "active",
            "title": "Emulator primary account",
            "available_balance": null,
        }),
        json!({
            "id": seed::ZEPTO_FLOAT_ACCOUNT_ID,
            "branch_code": FLOAT_BRANCH_CODE,
            "bank_name": FLOAT_BANK_NAME,
            "account_number": FLOAT_ACCOUNT_NUMBER,
            "status": "active",
            "title": "Emulator float account",
            "available_balance": 100_000_000,
            "payid_configs": {
                "email_domain": "pay.emulator.test",
                "pooling_state": "disabled",
                "max_pool_size": 0,
                "current_pool_size": 0,
            },
        }),
    ]
}

pub(super) fn is_own_bank_account(id: &str) -> bool {
    id == seed::ZEPTO_BANK_ACCOUNT_ID || id == seed::ZEPTO_FLOAT_ACCOUNT_ID
}

async fn list_bank_accounts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("bank_accounts"), |_, cx| {
        paginate(bank_accounts(), &query, cx.base_url, "/bank_accounts")
    })
}
