//! Zepto (formerly Split Payments): OAuth2 on the UI host (`/zepto/go`) and the REST API
//! (`/zepto/api`), with a sandbox-like processing cycle and signed webhooks.

mod api;
mod deliveries;
mod oauth;
mod processing;
mod simulate;
mod transfers;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::config::EmulatorConfig;
use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;
use crate::webhooks::{Job, Provider, Signing};

pub(crate) use api::api_router;
pub(crate) use oauth::oauth_router;

/// Where Zepto's errors point for more information.
const DOCS_URL: &str = "https://docs.split.cash/";
/// How many webhook delivery records the deliveries API keeps.
const MAX_DELIVERY_RECORDS: usize = 10_000;
/// The longest access-token lifetime the emulator accepts: ten years.
pub(crate) const MAX_TOKEN_TTL_SECONDS: u64 = 10 * 365 * 86_400;
/// How long delivery records are kept (Zepto: 7 days).
const DELIVERY_RETENTION_DAYS: i64 = 7;

/// A detailed Zepto error: `{"errors": [{title, detail, links: {about}, meta?}]}`. Zepto uses
/// it for authentication, request-type and idempotency errors.
pub(crate) fn detailed_error(
    status: StatusCode,
    title: &str,
    detail: &str,
    meta: Option<Value>,
) -> Response {
    let mut error = json!({ "title": title, "detail": detail, "links": { "about": DOCS_URL } });
    if let (Some(meta), Some(obj)) = (meta, error.as_object_mut()) {
        obj.insert("meta".into(), meta);
    }
    json_response(status, &json!({ "errors": [error] }))
}

/// A resource error: `{"errors": "A sentence explaining the error(s)"}`.
pub(crate) fn resource_error(status: StatusCode, sentence: &str) -> Response {
    json_response(status, &json!({ "errors": sentence }))
}

/// An OAuth2 error body (RFC 6749 section 5.2), as the UI host answers.
pub(crate) fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        &json!({ "error": error, "error_description": description }),
    )
}

#[derive(Debug, Clone)]
pub(crate) struct PayId {
    pub(crate) alias_value: String,
    /// The PayID name payers see (`payid_details.alias_name`).
    pub(crate) name: String,
    pub(crate) state: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Contact {
    pub(crate) id: String,
    pub(crate) reference: String,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) bank_account_id: String,
    pub(crate) branch_code: String,
    pub(crate) account_number: String,
    pub(crate) bank_name: &'static str,
    pub(crate) anyone_account_id: String,
    pub(crate) payid: Option<PayId>,
    pub(crate) receivable: bool,
    pub(crate) disabled: bool,
    pub(crate) agreement: bool,
    pub(crate) created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) reference: String,
    pub(crate) your_bank_account_id: String,
    pub(crate) channels: Vec<String>,
    pub(crate) description: String,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) debit_ref: String,
    pub(crate) recipient_contact_id: String,
    pub(crate) to_id: String,
    pub(crate) amount: i64,
    pub(crate) payout_description: String,
    pub(crate) payout_metadata: Option<Map<String, Value>>,
    pub(crate) matures_at: OffsetDateTime,
    pub(crate) created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct PaymentRequest {
    pub(crate) reference: String,
    pub(crate) your_bank_account_id: String,
    pub(crate) authoriser_contact_id: String,
    pub(crate) authoriser_id: String,
    pub(crate) contact_initiated: bool,
    pub(crate) status: &'static str,
    pub(crate) matures_at: OffsetDateTime,
    pub(crate) responded_at: Option<OffsetDateTime>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) credit_ref: Option<String>,
    pub(crate) debit_ref: Option<String>,
    pub(crate) description: String,
    pub(crate) amount: i64,
    pub(crate) metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Refund {
    pub(crate) reference: String,
    pub(crate) for_ref: String,
    pub(crate) debit_ref: String,
    pub(crate) your_bank_account_id: String,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) amount: i64,
    pub(crate) channels: Vec<String>,
    pub(crate) reason: Option<String>,
    pub(crate) target_contact_id: String,
    pub(crate) metadata: Option<Map<String, Value>>,
}

/// What a transaction will do when processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    /// Clears.
    Succeed,
    /// Fails on the Direct Entry rails with this reason (and the newer code and title).
    Fail {
        reason: &'static str,
        code: Option<&'static str>,
        title: Option<&'static str>,
    },
    /// An NPP credit the recipient's bank refuses: switches to Direct Entry when the payment
    /// allows it, otherwise returns with `reason` and `details`.
    NppFail {
        reason: &'static str,
        details: &'static str,
    },
}

/// Which side of which resource a transaction is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxnKind {
    /// The merchant's debit paying a Payment's payout.
    PaymentDebit,
    /// The recipient Contact's credit of a Payment.
    PaymentCredit,
    /// The Contact's debit collected by a Payment Request.
    CollectionDebit,
    /// The merchant's credit of a Payment Request.
    CollectionCredit,
    /// The merchant's credit of a PayID payment received.
    Receipt,
    /// The merchant's debit paying a Refund.
    RefundDebit,
    /// The Contact's credit of a Refund.
    RefundCredit,
    /// The credit back to the merchant after a payout credit failed.
    Reversal,
    /// The debit of a Transfer from one of the merchant's accounts.
    TransferDebit,
    /// The credit of a Transfer to another of the merchant's accounts.
    TransferCredit,
}

#[derive(Debug, Clone)]
pub(crate) struct Txn {
    pub(crate) seq: u64,
    pub(crate) kind: TxnKind,
    pub(crate) reference: String,
    pub(crate) parent_ref: Option<String>,
    pub(crate) debit: bool,
    pub(crate) category: &'static str,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) matures_at: OffsetDateTime,
    pub(crate) cleared_at: Option<OffsetDateTime>,
    pub(crate) bank_ref: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_changed_at: OffsetDateTime,
    pub(crate) failure_reason: Option<&'static str>,
    pub(crate) failure_code: Option<&'static str>,
    pub(crate) failure_title: Option<&'static str>,
    pub(crate) failure_details: Option<String>,
    pub(crate) party_contact_id: String,
    pub(crate) party_name: String,
    pub(crate) description: Option<String>,
    pub(crate) amount: i64,
    pub(crate) bank_account_id: String,
    pub(crate) channels: Vec<String>,
    pub(crate) current_channel: String,
    pub(crate) reversal_details: Option<Value>,
    pub(crate) metadata: Option<Map<String, Value>>,
    /// The merchant's own transaction (listed by default), or the other party's (listed with
    /// `both_parties=true`).
    pub(crate) ours: bool,
    /// The webhook event prefix: `debit`, `credit`, `debtor_credit` or `creditor_debit`.
    pub(crate) event_prefix: &'static str,
    pub(crate) plan: Plan,
    /// Whether it waits for another transaction (the first leg) to clear.
    pub(crate) after: Option<String>,
    /// The next step to take; see `processing`.
    pub(crate) step: u8,
}

#[derive(Debug, Clone)]
pub(crate) struct WebhookConfig {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) events: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(crate) struct DeliveryRecord {
    pub(crate) id: String,
    pub(crate) webhook_id: String,
    pub(crate) event_type: String,
    pub(crate) state: &'static str,
    pub(crate) refs: Vec<String>,
    pub(crate) response_status_code: Option<u16>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) attempts: u32,
    pub(crate) job: Job,
}

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone)]
pub(crate) struct IdempotencyRecord {
    pub(crate) resource_ref: String,
    /// The request body the key came with, where a repeat of the same request answers the
    /// same resource (Transfers) instead of 409.
    pub(crate) request: Option<Value>,
    pub(crate) expires_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(crate) struct Transfer {
    pub(crate) reference: String,
    pub(crate) from_bank_account_id: String,
    pub(crate) to_bank_account_id: String,
    pub(crate) amount: i64,
    pub(crate) description: String,
    pub(crate) matures_at: OffsetDateTime,
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

    /// Queues `event_type` with `data` to every endpoint subscribed to it, recording a delivery
    /// for the deliveries API.
    pub(crate) fn emit(
        &mut self,
        cx: &mut Ctx<'_>,
        event_type: &str,
        data: Vec<Value>,
        bank_account_id: &str,
    ) {
        let targets: Vec<WebhookConfig> = self
            .webhooks
            .iter()
            .filter(|w| {
                w.events
                    .as_ref()
                    .is_none_or(|events| events.iter().any(|e| e == event_type || e == "*"))
            })
            .cloned()
            .collect();
        if targets.is_empty() {
            return;
        }
        let refs: Vec<String> = data
            .iter()
            .filter_map(|d| d.get("ref").and_then(Value::as_str).map(str::to_string))
            .collect();
        let body = json!({
            "event": {
                "type": event_type,
                "at": util::iso_seconds(cx.now),
                "who": { "account_id": seed::ZEPTO_ACCOUNT_ID, "bank_account_id": bank_account_id },
            },
            "data": data,
        });
        let body = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        let request_id = util::uuid();
        for target in targets {
            let delivery_id = util::uuid();
            let job = Job {
                provider: Provider::Zepto,
                event_type: event_type.to_string(),
                event_id: Some(request_id.clone()),
                url: target.url.clone(),
                body: body.clone(),
                signing: Signing::Zepto {
                    secret: target.secret.clone(),
                    request_id: request_id.clone(),
                },
                zepto_delivery: Some(delivery_id.clone()),
            };
            self.deliveries.push_back(DeliveryRecord {
                id: delivery_id,
                webhook_id: target.id.clone(),
                event_type: event_type.to_string(),
                state: "pending",
                refs: refs.clone(),
                response_status_code: None,
                created_at: cx.now,
                attempts: 0,
                job: job.clone(),
            });
            while self.deliveries.len() > MAX_DELIVERY_RECORDS {
                self.deliveries.pop_front();
            }
            cx.jobs.push(job);
        }
    }
}

/// Updates the deliveries API's record after an attempt.
pub(crate) fn record_delivery_result(
    shared: &Arc<Shared>,
    delivery_id: &str,
    status: Option<u16>,
    delivered: bool,
    retries_left: bool,
) {
    shared.run(|st, _| {
        if let Some(d) = st.zepto.deliveries.iter_mut().find(|d| d.id == delivery_id) {
            d.attempts += 1;
            d.response_status_code = status.or(d.response_status_code);
            d.state = if delivered {
                "completed"
            } else if retries_left {
                "retrying"
            } else {
                "failed"
            };
        }
    });
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

/// Checks the bearer token and its scope; personal access tokens carry every scope.
pub(crate) fn authenticate(
    st: &ZeptoState,
    headers: &HeaderMap,
    now: OffsetDateTime,
    scope: Option<&str>,
) -> Result<(), Response> {
    let token = util::header(headers, "authorization").and_then(|a| {
        a.strip_prefix("Bearer ")
            .or_else(|| a.strip_prefix("bearer "))
            .map(str::trim)
    });
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        let mut response = detailed_error(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Missing access token: send `Authorization: Bearer <access token>`",
            None,
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Zepto\""),
        );
        return Err(response);
    };
    if util::secret_eq(token, seed::ZEPTO_PERSONAL_ACCESS_TOKEN) {
        return Ok(());
    }
    let forbidden = |detail: &str| {
        let mut response = detailed_error(StatusCode::FORBIDDEN, "Forbidden", detail, None);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Zepto\", error=\"invalid_token\""),
        );
        response
    };
    let Some(access) = st.access_tokens.get(token) else {
        return Err(forbidden("The access token is invalid"));
    };
    if access.expires_at.is_some_and(|e| e <= now) {
        return Err(forbidden("The access token expired"));
    }
    if let Some(scope) = scope
        && !access.scopes.iter().any(|s| s == scope)
    {
        return Err(forbidden(&format!(
            "The access token lacks the `{scope}` scope (request it in the authorisation link)"
        )));
    }
    Ok(())
}

/// The control endpoints, mounted at `/_emulator/zepto`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/process", post(control_process))
        .route(
            "/webhooks",
            post(control_add_webhook).get(control_list_webhooks),
        )
        .route("/webhooks/{id}", delete(control_delete_webhook))
        .route("/token-lifetime", post(control_token_lifetime))
        .route("/contacts/{id}/agreement", post(control_agreement))
        .route("/contacts/{id}", get(control_contact))
}

fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control::error(status, message.as_ref())
}

fn control_body(body: &[u8]) -> Result<Map<String, Value>, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(control_error(
            StatusCode::BAD_REQUEST,
            "body must be a JSON object",
        )),
    }
}

/// `{"steps"?: n}`: runs the processing cycle `n` times (default: until nothing moves).
async fn control_process(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let steps = match request.get("steps") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=100).contains(&n) => Some(n),
            _ => {
                return control_error(StatusCode::BAD_REQUEST, "`steps` must be between 1 and 100");
            }
        },
    };
    shared.run(|st, cx| {
        let (ran, moved) = processing::run(&mut st.zepto, cx, steps);
        let pending = st
            .zepto
            .transactions
            .iter()
            .filter(|t| !processing::is_final(t.status))
            .count();
        json_response(
            StatusCode::OK,
            &json!({ "steps": ran, "transitions": moved, "unsettled_transactions": pending }),
        )
    })
}

fn webhook_json(w: &WebhookConfig) -> Value {
    json!({
        "id": w.id,
        "url": w.url,
        "signature_secret": w.secret,
        "events": w.events.clone().unwrap_or_else(|| vec!["*".to_string()]),
    })
}

/// `{"url": "...", "events"?: [...], "signature_secret"?: "..."}` adds a webhook endpoint.
async fn control_add_webhook(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(url) = request
        .get("url")
        .and_then(Value::as_str)
        .filter(|u| util::is_http_url(u))
    else {
        return control_error(StatusCode::BAD_REQUEST, "`url` must be an http(s) URL");
    };
    let secret = match request.get("signature_secret") {
        None | Some(Value::Null) => seed::ZEPTO_WEBHOOK_SECRET.to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`signature_secret` must be a non-empty string",
            );
        }
    };
    let events = match request.get("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => {
            let names: Vec<String> = list
                .iter()
                .filter_map(|e| e.as_str().map(str::to_string))
                .collect();
            if names.len() != list.len() || names.is_empty() {
                return control_error(
                    StatusCode::BAD_REQUEST,
                    "`events` must be a non-empty array of event types",
                );
            }
            Some(names)
        }
        Some(_) => return control_error(StatusCode::BAD_REQUEST, "`events` must be an array"),
    };
    let url = url.to_string();
    shared.run(|st, _| {
        let config = WebhookConfig {
            id: util::uuid(),
            url,
            secret,
            events,
        };
        let body = webhook_json(&config);
        st.zepto.webhooks.push(config);
        json_response(StatusCode::CREATED, &body)
    })
}

async fn control_list_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    shared.run(|st, _| {
        let data: Vec<Value> = st.zepto.webhooks.iter().map(webhook_json).collect();
        json_response(StatusCode::OK, &json!({ "data": data }))
    })
}

async fn control_delete_webhook(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    shared.run(|st, _| {
        let before = st.zepto.webhooks.len();
        st.zepto.webhooks.retain(|w| w.id != id);
        if st.zepto.webhooks.len() == before {
            control_error(StatusCode::NOT_FOUND, format!("no Zepto webhook {id}"))
        } else {
            json_response(StatusCode::OK, &json!({ "id": id, "deleted": true }))
        }
    })
}

/// `{"seconds": n}`: the lifetime of access tokens issued from now on.
async fn control_token_lifetime(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let Some(seconds) = request
        .get("seconds")
        .and_then(Value::as_u64)
        .filter(|s| (1..=MAX_TOKEN_TTL_SECONDS).contains(s))
    else {
        return control_error(
            StatusCode::BAD_REQUEST,
            "`seconds` must be between 1 and 315360000 (ten years)",
        );
    };
    shared.run(|st, _| {
        st.zepto.token_ttl = std::time::Duration::from_secs(seconds);
        json_response(StatusCode::OK, &json!({ "seconds": seconds }))
    })
}

/// `{"accepted": bool}`: whether the Contact has an accepted Agreement (every Contact has one
/// until this says otherwise); without one, Payment Requests to it answer 422.
async fn control_agreement(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let accepted = request
        .get("accepted")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    shared.run(
        |st, _| match st.zepto.contacts.iter_mut().find(|c| c.id == id) {
            Some(c) => {
                c.agreement = accepted;
                json_response(
                    StatusCode::OK,
                    &json!({ "contact_id": id, "agreement_accepted": accepted }),
                )
            }
            None => control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}")),
        },
    )
}

async fn control_contact(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, _| match st.zepto.contact(&id) {
        Some(c) => {
            let mut body = api::contact_json(c, &shared.base_url);
            if let Some(obj) = body.as_object_mut() {
                obj.insert("agreement_accepted".into(), json!(c.agreement));
            }
            json_response(StatusCode::OK, &body)
        }
        None => control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}")),
    })
}

/// The webhook endpoints and the failure amounts, for `GET /_emulator`.
pub(crate) fn describe(shared: &Shared) -> Value {
    shared.run(|st, _| {
        json!({
            "webhooks": st.zepto.webhooks.iter().map(webhook_json).collect::<Vec<_>>(),
            "access_token_ttl_seconds": st.zepto.token_ttl.as_secs(),
        })
    })
}

/// Metadata is an object whose values may be any JSON; `remitter` is a text of 3 to 16
/// characters.
pub(crate) fn parse_metadata(
    value: Option<&Value>,
    errors: &mut Vec<String>,
) -> Option<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => {
            let remitter_ok = match map.get("remitter") {
                None => true,
                Some(Value::String(r)) => (3..=16).contains(&r.chars().count()),
                Some(_) => false,
            };
            if !remitter_ok {
                errors.push("Metadata remitter must be between 3 and 16 characters".into());
            }
            Some(map.clone())
        }
        Some(_) => {
            errors.push("Metadata must be an object".into());
            None
        }
    }
}

/// Paginates `items` (already in list order) the way Zepto does: `page`, `per_page` (default 25,
/// at most 100), and `Link`, `Per-Page`, `Total` headers.
pub(crate) fn paginate(
    items: Vec<Value>,
    query: &[(String, String)],
    base_url: &str,
    path: &str,
) -> Response {
    let get = |name: &str| {
        query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let per_page = get("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .map_or(25, |p| p.min(100));
    let page = get("page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let data: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let kept: Vec<String> = query
        .iter()
        .filter(|(k, _)| k != "page" && k != "per_page")
        .map(|(k, v)| {
            format!(
                "{}={}",
                util::encode_component(k),
                util::encode_component(v)
            )
        })
        .collect();
    let link_to = |p: usize| {
        let mut params = kept.clone();
        params.push(format!("page={p}"));
        if get("per_page").is_some() {
            params.push(format!("per_page={per_page}"));
        }
        format!("<{base_url}/zepto/api{path}?{}>", params.join("&"))
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", link_to(1)));
        links.push(format!("{}; rel=\"prev\"", link_to((page - 1).min(last))));
    }
    links.push(format!("{}; rel=\"last\"", link_to(last)));
    if page < last {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
    }
    let mut response = json_response(StatusCode::OK, &json!({ "data": data }));
    let headers = response.headers_mut();
    for (name, value) in [
        ("link", links.join(", ")),
        ("per-page", per_page.to_string()),
        ("total", total.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    response
}

/// The query string's pairs (for filters and pagination).
pub(crate) fn query_pairs(query: Option<String>) -> Vec<(String, String)> {
    util::form_pairs(query.unwrap_or_default().as_bytes())
}

/// A field-name -> value map of a JSON object body, or a detailed 400.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(detailed_error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "The request body must be a JSON object",
            None,
        )),
        Err(e) => Err(detailed_error(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            &format!("The request body is not valid JSON: {e}"),
            None,
        )),
    }
}

/// Groups filters by name, splitting comma-separated multi-value filters.
pub(crate) fn multi(query: &[(String, String)], name: &str) -> Option<Vec<String>> {
    let values: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == name || k == &format!("{name}[]"))
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect();
    (!values.is_empty()).then_some(values)
}

/// The last value of a query parameter.
pub(crate) fn single<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Rows of filters keyed by name (for error messages).
pub(crate) type Errors = Vec<String>;

/// Joins validation messages into Zepto's single-sentence resource error (422).
pub(crate) fn unprocessable(errors: &Errors) -> Response {
    resource_error(StatusCode::UNPROCESSABLE_ENTITY, &errors.join(", "))
}

/// The operations of Zepto's API the emulator does not emulate, as `(method, path, operation)`.
pub(crate) const NOT_EMULATED: &[(&str, &str, &str)] = &[
    ("GET", "/agreements/outgoing", "listOutgoingAgreements"),
    ("GET", "/agreements/{agreement_ref}", "getAgreement"),
    ("DELETE", "/agreements/{agreement_ref}", "cancelAgreement"),
    ("GET", "/bank_connections", "listBankConnections"),
    ("GET", "/bank_connections/{id}", "getBankConnection"),
    ("DELETE", "/bank_connections/{id}", "removeBankConnection"),
    (
        "POST",
        "/contacts/{id}/refresh_balance",
        "refreshContactBankConnection",
    ),
    ("POST", "/open_agreements", "createOpenAgreement"),
    ("GET", "/open_agreements", "listOpenAgreements"),
    (
        "POST",
        "/open_agreements/{open_agreement_ref}/activate",
        "activateOpenAgreement",
    ),
    (
        "POST",
        "/open_agreements/{open_agreement_ref}/close",
        "closeOpenAgreement",
    ),
    ("POST", "/payouts/{ref}/retry", "retryPayout"),
    (
        "POST",
        "/unassigned_agreements",
        "proposeUnassignedAgreement",
    ),
    ("GET", "/unassigned_agreements", "listUnassignedAgreements"),
    (
        "GET",
        "/unassigned_agreements/{unassigned_agreement_ref}",
        "getUnassignedAgreement",
    ),
    (
        "DELETE",
        "/unassigned_agreements/{unassigned_agreement_ref}",
        "deleteUnassignedAgreement",
    ),
];

/// A 501 in Zepto's detailed error shape, naming the operation.
pub(crate) fn not_emulated(method: &str, path: &str, operation: &str) -> Response {
    detailed_error(
        StatusCode::NOT_IMPLEMENTED,
        "Not Implemented",
        &format!(
            "The splitkit emulator does not emulate {operation} ({method} {path}). Test it against Zepto's sandbox."
        ),
        None,
    )
}
