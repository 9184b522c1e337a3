//! Bank connections: read-only connections to a Contact's bank data, made when the Contact
//! goes through `links.add_bank_connection` (a control endpoint plays that part). List, get,
//! remove, and refresh a Contact's balance. Payment Requests to a Contact with an active
//! connection are checked against its balance first ("prechecking"): too little, and their
//! transactions are `prefailed`, to be retried with `POST /payouts/{credit_ref}/retry`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::*;
use crate::server::Shared;
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/bank_connections", get(list))
        .route("/bank_connections/{id}", get(get_one).delete(remove))
        .route("/contacts/{id}/refresh_balance", post(refresh_balance))
}

/// The balance Zepto's sandbox shows for a connection made with its test credentials
/// ("IAV transactional balance always $123.45").
pub(crate) const SANDBOX_BALANCE: i64 = 12_345;

/// The `status_reason` of a Payment Request prefailed for want of funds.
pub(crate) const INSUFFICIENT_FUNDS: &str =
    "The nominated bank account for this Payment Request has insufficient funds.";

#[derive(Debug, Clone)]
pub(crate) struct BankConnection {
    pub(crate) id: String,
    pub(crate) contact_id: String,
    pub(crate) state: &'static str,
    pub(crate) refreshed_at: OffsetDateTime,
    pub(crate) removed_at: Option<OffsetDateTime>,
    /// The available balance in cents, as last read from the bank.
    pub(crate) balance: i64,
}

impl BankConnection {
    fn json(&self, contact: Option<&Contact>, base_url: &str) -> Value {
        json!({
            "id": self.id,
            "provider_name": "split",
            "state": self.state,
            "refreshed_at": ts(self.refreshed_at),
            "removed_at": self.removed_at.map(ts),
            "failure_reason": null,
            "institution": { "short_name": "CBA", "full_name": "Commonwealth Bank of Australia" },
            "contact": {
                "id": self.contact_id,
                "name": contact.map(|c| c.name.as_str()),
                "email": contact.map(|c| c.email.as_str()),
            },
            "links": {
                "update_bank_connection": format!(
                    "{base_url}/zepto/go/authorise_bank_connections/emulator/{}",
                    self.id
                ),
            },
        })
    }
}

impl ZeptoState {
    /// The Contact's bank connection, unless it was removed.
    pub(crate) fn bank_connection(&self, contact_id: &str) -> Option<&BankConnection> {
        self.bank_connections
            .iter()
            .rev()
            .find(|b| b.contact_id == contact_id && b.state != "removed")
    }

    /// The Contact connects their bank (control endpoint): any earlier connection is replaced.
    pub(crate) fn connect_bank(
        &mut self,
        contact_id: &str,
        balance: i64,
        state: &'static str,
        now: OffsetDateTime,
    ) -> String {
        for old in self
            .bank_connections
            .iter_mut()
            .filter(|b| b.contact_id == contact_id && b.state != "removed")
        {
            old.state = "removed";
            old.removed_at = Some(now);
        }
        let id = util::uuid();
        self.bank_connections.push(BankConnection {
            id: id.clone(),
            contact_id: contact_id.to_string(),
            state,
            refreshed_at: now,
            removed_at: None,
            balance,
        });
        id
    }

    /// Why a debit of `amount` from the Contact would be prefailed: its active bank
    /// connection shows less.
    pub(crate) fn precheck(&self, contact_id: &str, amount: i64) -> Option<&'static str> {
        self.bank_connection(contact_id)
            .filter(|b| b.state == "active" && b.balance < amount)
            .map(|_| INSUFFICIENT_FUNDS)
    }

    fn bank_connection_json(&self, b: &BankConnection, base_url: &str) -> Value {
        b.json(self.contact(&b.contact_id), base_url)
    }
}

/// `GET /bank_connections`, newest first; `provider_name` and `state` filter.
async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("bank_connections"), |st, cx| {
        let items = st
            .bank_connections
            .iter()
            .rev()
            .filter(|_| single(&query, "provider_name").is_none_or(|p| p == "split"))
            .filter(|b| single(&query, "state").is_none_or(|s| s == b.state))
            .map(|b| st.bank_connection_json(b, cx.base_url))
            .collect();
        paginate(items, &query, cx.base_url, "/bank_connections")
    })
}

async fn get_one(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    authed(
        &shared,
        &headers,
        Some("bank_connections"),
        |st, cx| match st.bank_connections.iter().find(|b| b.id == id) {
            Some(b) => ok(StatusCode::OK, st.bank_connection_json(b, cx.base_url)),
            None => not_found("Bank connection"),
        },
    )
}

/// `DELETE /bank_connections/{id}`: the connection is kept, `removed`.
async fn remove(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    authed(
        &shared,
        &headers,
        Some("bank_connections"),
        |st, cx| match st
            .bank_connections
            .iter_mut()
            .find(|b| b.id == id && b.state != "removed")
        {
            Some(b) => {
                b.state = "removed";
                b.removed_at = Some(cx.now);
                no_content()
            }
            None => not_found("Bank connection"),
        },
    )
}

/// `POST /contacts/{id}/refresh_balance`: reads the balance again (204); 422 without an
/// active connection.
async fn refresh_balance(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("contacts"), |st, cx| {
        if st.contact(&id).is_none() {
            return not_found("Contact");
        }
        match st
            .bank_connections
            .iter_mut()
            .rev()
            .find(|b| b.contact_id == id && b.state == "active")
        {
            Some(b) => {
                b.refreshed_at = cx.now;
                no_content()
            }
            None => resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The Contact has no active bank connection to refresh",
            ),
        }
    })
}
