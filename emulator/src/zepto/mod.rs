//! Zepto (formerly Split Payments): OAuth2 on the UI host (`/zepto/go`) and the REST API
//! (`/zepto/api`), with a sandbox-like processing cycle and signed webhooks.
//!
//! One module per resource, as `zepto-client` has them; `wire` holds Zepto's conventions
//! (error shapes, pagination), `fields` the request-field rules, `processing` the cycle that
//! moves transactions.

mod agreements;
mod bank_accounts;
mod bank_connections;
mod contacts;
mod control;
mod fields;
mod idempotency;
mod oauth;
mod open_agreements;
mod payment_requests;
mod payments;
mod payouts;
mod processing;
mod refunds;
mod sandbox;
mod transactions;
mod transfers;
mod users;
mod webhooks;
mod wire;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::config::EmulatorConfig;
use crate::seed;
use crate::server::{Ctx, Shared};
use crate::util;

use crate::server::Shaped;
use crate::webhooks::{Job, Provider, Signing};
use agreements::Agreement;
use axum::response::{IntoResponse, Response};
use bank_accounts::{
    BANK_NAME, FLOAT_ACCOUNT_NUMBER, FLOAT_BANK_NAME, FLOAT_BRANCH_CODE, is_own_bank_account,
};
use bank_connections::BankConnection;
use contacts::Contact;
use open_agreements::OpenAgreement;

use fields::*;
use idempotency::IdempotencyRecord;
use idempotency::{IDEMPOTENCY_HOURS, check_idempotency, remember_key};
use oauth::{AccessToken, AuthCode, authenticate};
use payment_requests::PaymentRequest;
use payment_requests::payment_request_json;
use payments::Payment;
use payouts::void_pair;
use processing::{first_leg_plan, second_leg_plan};
use refunds::Refund;
use transactions::{Plan, Txn, TxnKind};
use transactions::{emit_scheduled, next_txn_seq, txn_json};
use transfers::Transfer;
use webhooks::{DELIVERY_RETENTION_DAYS, DeliveryRecord, WebhookConfig};
use wire::*;

pub(crate) use control::control_router;
pub(crate) use oauth::oauth_router;
pub(crate) use webhooks::record_delivery_result;
pub(crate) use wire::{detailed_error, oauth_error};

/// The longest access-token lifetime the emulator accepts: ten years.
pub(crate) const MAX_TOKEN_TTL_SECONDS: u64 = 10 * 365 * 86_400;

/// The API, mounted at `/zepto/api`.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    Router::new()
        .merge(agreements::routes())
        .merge(bank_connections::routes())
        .merge(open_agreements::routes())
        .merge(contacts::routes())
        .merge(payments::routes())
        .merge(payouts::routes())
        .merge(payment_requests::routes())
        .merge(refunds::routes())
        .merge(sandbox::routes())
        .merge(transactions::routes())
        .merge(transfers::routes())
        .merge(bank_accounts::routes())
        .merge(users::routes())
        .merge(webhooks::routes())
        .fallback(|| async {
            detailed_error(
                StatusCode::NOT_FOUND,
                "Not Found",
                "No such endpoint in the Zepto API",
                None,
            )
        })
}

/// Zepto's state: resources, tokens, webhook endpoints and their deliveries.
#[derive(Debug)]
pub(crate) struct ZeptoState {
    counters: HashMap<&'static str, u64>,
    pub(crate) txn_seq: u64,
    pub(crate) contacts: Vec<Contact>,
    pub(crate) payments: Vec<Payment>,
    pub(crate) payment_requests: Vec<PaymentRequest>,
    pub(crate) refunds: Vec<Refund>,
    pub(crate) transfers: Vec<Transfer>,
    pub(crate) agreements: Vec<Agreement>,
    pub(crate) open_agreements: Vec<OpenAgreement>,
    pub(crate) bank_connections: Vec<BankConnection>,
    pub(crate) transactions: Vec<Txn>,
    pub(crate) idempotency: HashMap<String, IdempotencyRecord>,
    pub(crate) webhooks: Vec<WebhookConfig>,
    pub(crate) deliveries: VecDeque<DeliveryRecord>,
    pub(crate) codes: HashMap<String, AuthCode>,
    pub(crate) access_tokens: HashMap<String, AccessToken>,
    /// Refresh token -> the scopes it grants; used refresh tokens are removed.
    pub(crate) refresh_tokens: HashMap<String, Vec<String>>,
    pub(crate) token_ttl: std::time::Duration,
}

impl ZeptoState {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        let mut webhooks = Vec::new();
        if let Some(url) = &config.zepto_webhook_url {
            webhooks.push(WebhookConfig {
                id: util::uuid(),
                url: url.clone(),
                secret: seed::ZEPTO_WEBHOOK_SECRET.to_string(),
                events: None,
            });
        }
        Self {
            counters: HashMap::new(),
            txn_seq: 0,
            contacts: Vec::new(),
            payments: Vec::new(),
            payment_requests: Vec::new(),
            refunds: Vec::new(),
            transfers: Vec::new(),
            agreements: Vec::new(),
            open_agreements: Vec::new(),
            bank_connections: Vec::new(),
            transactions: Vec::new(),
            idempotency: HashMap::new(),
            webhooks,
            deliveries: VecDeque::new(),
            codes: HashMap::new(),
            access_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            token_ttl: config.zepto_access_token_ttl,
        }
    }

    /// The next reference with `prefix` (`PB`, `PR`, `D`, `C`, ...): `PB.1`, `PB.2`, ...
    pub(crate) fn next_ref(&mut self, prefix: &'static str) -> String {
        let n = self.counters.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}.{}", util::base36(*n))
    }

    pub(crate) fn contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }

    pub(crate) fn txn(&self, reference: &str) -> Option<&Txn> {
        self.transactions.iter().find(|t| t.reference == reference)
    }

    pub(crate) fn txn_mut(&mut self, reference: &str) -> Option<&mut Txn> {
        self.transactions
            .iter_mut()
            .find(|t| t.reference == reference)
    }
}

/// Applies what is due: expired codes and idempotency keys are forgotten, on-demand PayIDs
/// become active (or failed) after a second, old delivery records are dropped.
pub(crate) fn sweep(st: &mut ZeptoState, cx: &mut Ctx<'_>) {
    let now = cx.now;
    st.codes.retain(|_, c| c.expires_at > now);
    st.idempotency.retain(|_, r| r.expires_at > now);
    st.access_tokens.retain(|_, t| {
        t.expires_at
            .is_none_or(|e| e > now - time::Duration::days(1))
    });
    let cutoff = now - time::Duration::days(DELIVERY_RETENTION_DAYS);
    st.deliveries.retain(|d| d.created_at > cutoff);
    activate_payids(st, now - time::Duration::seconds(1));
}

/// Moves pending PayIDs created before `created_before` to `active` (`failed` for a
/// `+failure` address).
pub(crate) fn activate_payids(st: &mut ZeptoState, created_before: OffsetDateTime) {
    for contact in &mut st.contacts {
        if let Some(payid) = &mut contact.payid
            && payid.state == "pending"
            && contact.created_at <= created_before
        {
            payid.state = if payid.alias_value.contains("+failure") {
                "failed"
            } else {
                "active"
            };
        }
    }
}

/// Runs `handle` on Zepto's state for a request whose token has `scope`.
pub(super) fn authed(
    shared: &Shared,
    headers: &HeaderMap,
    scope: Option<&str>,
    handle: impl FnOnce(&mut ZeptoState, &mut Ctx<'_>) -> Response,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        match authenticate(st, headers, cx.now, scope) {
            Ok(()) => handle(st, cx),
            Err(r) => r,
        }
    })
}

/// [`authed`] for a request with a JSON object body of the documented `fields`
/// ([`wire::request_body`]).
pub(super) fn authed_json(
    shared: &Shared,
    headers: &HeaderMap,
    scope: Option<&str>,
    body: &[u8],
    fields: &[&str],
    handle: impl FnOnce(&mut ZeptoState, &mut Ctx<'_>, Map<String, Value>) -> Response,
) -> Response {
    authed(shared, headers, scope, |st, cx| {
        match request_body(headers, body, fields, cx.strict) {
            Ok(body) => handle(st, cx, body),
            Err(r) => r,
        }
    })
}

/// The webhook endpoints and the token lifetime, for `GET /_emulator`.
pub(crate) fn describe(shared: &Shared) -> Value {
    shared.run(|st, _| {
        json!({
            "webhooks": st.zepto.webhooks.iter().map(webhooks::webhook_json).collect::<Vec<_>>(),
            "access_token_ttl_seconds": st.zepto.token_ttl.as_secs(),
        })
    })
}
