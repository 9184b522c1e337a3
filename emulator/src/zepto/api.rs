//! Zepto's REST API (`/zepto/api`): the emulated operations, and 501 for the others.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, on, patch, post};
use serde_json::{Map, Value, json};
use time::{OffsetDateTime, Time, UtcOffset};

use super::processing::{first_leg_plan, second_leg_plan};
use super::{
    Contact, Errors, IdempotencyRecord, NOT_EMULATED, PayId, Payment, PaymentRequest, Refund, Txn,
    TxnKind, ZeptoState, authenticate, deliveries, detailed_error, json_object, multi,
    not_emulated, paginate, parse_metadata, query_pairs, resource_error, simulate, single,
    transfers, unprocessable,
};
use crate::seed;
use crate::server::{Ctx, Shaped, Shared, json as json_response};
use crate::util;

/// The largest amount Zepto accepts, in cents.
const MAX_AMOUNT: i64 = 99_999_999_999;
/// How long an idempotency key is remembered.
pub(super) const IDEMPOTENCY_HOURS: i64 = 24;
/// The Zepto UI host the emulator pretends to be, for links.
const BANK_NAME: &str = "Zepto SANDBOX Bank";
const FLOAT_BANK_NAME: &str = "Zepto Float Account";
/// The BSB of Zepto's accounts (float accounts and Receivable Contacts' account numbers).
pub(super) const FLOAT_BRANCH_CODE: &str = "802919";
/// The account number of the merchant's float account.
pub(super) const FLOAT_ACCOUNT_NUMBER: &str = "1408281";
/// The PayID name a new Receivable Contact's PayID shows.
const DEFAULT_PAYID_NAME: &str = "Emulator Merchant";

/// The API, mounted at `/zepto/api`.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    let mut router = Router::new()
        .route("/contacts/anyone", post(add_contact))
        .route("/contacts/receivable", post(add_receivable_contact))
        .route("/contacts", get(list_contacts))
        .route(
            "/contacts/{id}",
            get(get_contact)
                .patch(update_contact)
                .delete(remove_contact),
        )
        .route("/contacts/{id}/receivable", patch(update_payid_name))
        .route(
            "/contacts/{id}/receivable/disable",
            post(disable_receivable),
        )
        .route(
            "/contacts/{id}/receivable/activate",
            post(activate_receivable),
        )
        .route("/payments", post(create_payment).get(list_payments))
        .route("/payments/{ref}", get(get_payment))
        .route("/payouts/{ref}", delete(void_payout))
        .route("/payouts/{ref}/void", post(void_payout_with_details))
        .route("/payment_requests", post(create_payment_request))
        .route("/payment_requests/collections", get(list_collections))
        .route("/payment_requests/receivables", get(list_receivables))
        .route(
            "/payment_requests/{ref}",
            get(get_payment_request).delete(cancel_payment_request),
        )
        .route("/credits/{ref}/refunds", post(issue_refund))
        .route("/refunds/outgoing", get(list_refunds))
        .route("/refunds/{ref}", get(get_refund))
        .route(
            "/simulate/incoming_payid_payment",
            post(simulate::incoming_payid_payment),
        )
        .route(
            "/simulate/incoming_npp_payid_payment",
            post(simulate::incoming_npp_payid_payment),
        )
        .route(
            "/simulate/incoming_npp_bban_payment",
            post(simulate::incoming_npp_bban_payment),
        )
        .route(
            "/simulate/incoming_de_payment",
            post(simulate::incoming_de_payment),
        )
        .route("/transactions", get(list_transactions))
        .route(
            "/transfers",
            post(transfers::create_transfer).get(transfers::list_transfers),
        )
        .route("/transfers/{ref}", get(transfers::get_transfer))
        .route("/bank_accounts", get(list_bank_accounts))
        .route("/user", get(get_user))
        .route("/webhooks", get(list_webhooks))
        .route(
            "/webhooks/{id}/deliveries",
            get(deliveries::list_deliveries),
        )
        .route(
            "/webhook_deliveries/{id}",
            get(deliveries::get_delivery).post(deliveries::redeliver),
        )
        .route(
            "/webhook_deliveries/{id}/redeliver",
            post(deliveries::redeliver),
        );
    for (method, path, operation) in NOT_EMULATED {
        let handler = move || async move { not_emulated(method, path, operation) };
        let method_router: MethodRouter<Arc<Shared>> = match *method {
            "GET" => get(handler),
            "POST" => post(handler),
            "PATCH" => patch(handler),
            "DELETE" => delete(handler),
            _ => on(axum::routing::MethodFilter::PUT, handler),
        };
        router = router.route(path, method_router);
    }
    router.fallback(|| async {
        detailed_error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "No such endpoint in the Zepto API",
            None,
        )
    })
}

pub(super) fn ok(status: StatusCode, data: Value) -> Response {
    json_response(status, &json!({ "data": data }))
}

fn no_content() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(Shaped);
    response
}

pub(super) fn not_found(what: &str) -> Response {
    resource_error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

pub(super) fn ts(t: OffsetDateTime) -> String {
    util::iso_seconds(t)
}

/// The start of the current day in Australia/Sydney (the earlier of AEST and AEDT, so a
/// request is never refused for the daylight-saving hour).
fn start_of_day_sydney(now: OffsetDateTime) -> OffsetDateTime {
    [10, 11]
        .into_iter()
        .filter_map(|h| UtcOffset::from_hms(h, 0, 0).ok())
        .map(|offset| now.to_offset(offset).replace_time(Time::MIDNIGHT))
        .min()
        .unwrap_or(now)
}

fn sydney() -> UtcOffset {
    UtcOffset::from_hms(10, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// The Contact as the API shows it.
pub(crate) fn contact_json(c: &Contact, base_url: &str) -> Value {
    let mut body = json!({
        "id": c.id,
        "ref": c.reference,
        "name": c.name,
        "email": c.email,
        "type": "anyone",
        "metadata": c.metadata,
        "bank_account": {
            "id": c.bank_account_id,
            "account_number": c.account_number,
            "branch_code": c.branch_code,
            "bank_name": c.bank_name,
            "state": "active",
            "iav_provider": null,
            "iav_status": null,
            "blocks": { "debits_blocked": c.receivable, "credits_blocked": c.disabled },
        },
        "anyone_account": { "id": c.anyone_account_id },
        "bank_connection": { "id": null },
        "links": {
            "add_bank_connection": format!("{base_url}/zepto/go/invite_contact/emulator/{}", c.id),
        },
    });
    if let (Some(payid), Some(obj)) = (&c.payid, body.as_object_mut()) {
        obj.insert(
            "payid_details".into(),
            json!({
                "alias_value": payid.alias_value,
                "alias_type": "email",
                "alias_name": payid.name,
                "state": payid.state,
            }),
        );
    }
    body
}

fn payment_json(st: &ZeptoState, p: &Payment) -> Value {
    let status = st.txn(&p.debit_ref).map_or("maturing", |t| t.status);
    json!({
        "ref": p.reference,
        "your_bank_account_id": p.your_bank_account_id,
        "channels": p.channels,
        "payouts": [{
            "ref": p.debit_ref,
            "recipient_contact_id": p.recipient_contact_id,
            "batch_description": p.description,
            "matures_at": ts(p.matures_at),
            "created_at": ts(p.created_at),
            "status": status,
            "amount": p.amount,
            "description": p.payout_description,
            "from_id": p.your_bank_account_id,
            "to_id": p.to_id,
            "metadata": p.payout_metadata,
        }],
        "metadata": p.metadata,
    })
}

pub(super) fn payment_request_json(p: &PaymentRequest) -> Value {
    json!({
        "ref": p.reference,
        "initiator_id": seed::ZEPTO_ACCOUNT_ID,
        "your_bank_account_id": p.your_bank_account_id,
        "authoriser_id": p.authoriser_id,
        "authoriser_contact_id": p.authoriser_contact_id,
        "contact_initiated": p.contact_initiated,
        "schedule_ref": null,
        "status": p.status,
        "status_reason": null,
        "matures_at": ts(p.matures_at),
        "responded_at": p.responded_at.map(ts),
        "created_at": ts(p.created_at),
        "credit_ref": p.credit_ref,
        "payout": {
            "amount": p.amount,
            "description": p.description,
            "matures_at": ts(p.matures_at),
        },
        "metadata": p.metadata,
    })
}

fn refund_json(r: &Refund) -> Value {
    json!({
        "ref": r.reference,
        "for_ref": r.for_ref,
        "debit_ref": r.debit_ref,
        "your_bank_account_id": r.your_bank_account_id,
        "created_at": ts(r.created_at),
        "amount": r.amount,
        "channels": r.channels,
        "reason": r.reason,
        "contacts": {
            "source_contact_id": seed::ZEPTO_ACCOUNT_ID,
            "target_contact_id": r.target_contact_id,
        },
        "metadata": r.metadata,
    })
}

/// A transaction as the API (and the webhooks) show it.
pub(crate) fn txn_json(t: &Txn) -> Value {
    let failure = t.failure_reason.map(|_| failure_json(t));
    let mut body = json!({
        "ref": t.reference,
        "parent_ref": t.parent_ref,
        "type": if t.debit { "debit" } else { "credit" },
        "category": t.category,
        "created_at": ts(t.created_at),
        "matures_at": ts(t.matures_at),
        "cleared_at": t.cleared_at.map(ts),
        "bank_ref": t.bank_ref,
        "status": t.status,
        "status_changed_at": ts(t.status_changed_at),
        "failure_reason": t.failure_reason,
        "failure_code": t.failure_code,
        "failure_title": t.failure_title,
        "failure_details": t.failure_details,
        "failure": failure,
        "party_contact_id": t.party_contact_id,
        "party_name": t.party_name,
        "party_nickname": null,
        "party_bank_ref": null,
        "description": t.description,
        "amount": t.amount,
        "bank_account_id": t.bank_account_id,
        "channels": t.channels,
        "current_channel": t.current_channel,
    });
    if let Some(obj) = body.as_object_mut() {
        if let Some(r) = &t.reversal_details {
            obj.insert("reversal_details".into(), r.clone());
        }
        if let Some(m) = &t.metadata {
            obj.insert("metadata".into(), Value::Object(m.clone()));
        }
    }
    body
}

/// A failed transaction's `failure` (the January 2026 revision's code, title and detail).
pub(crate) fn failure_json(t: &Txn) -> Value {
    json!({
        "code": t.failure_code,
        "title": t.failure_title,
        "detail": t.failure_details,
    })
}

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

/// Space to `~`: the names NPP and Direct Entry carry.
pub(super) fn is_printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

pub(super) fn is_own_bank_account(id: &str) -> bool {
    id == seed::ZEPTO_BANK_ACCOUNT_ID || id == seed::ZEPTO_FLOAT_ACCOUNT_ID
}

// ---- field readers that collect Rails-style messages ------------------------------------------

pub(super) fn text(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    required: bool,
    errors: &mut Errors,
) -> Option<String> {
    match body.get(name) {
        None | Some(Value::Null) => {
            if required {
                errors.push(format!("{label} can't be blank"));
            }
            None
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            if required {
                errors.push(format!("{label} can't be blank"));
            }
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(format!("{label} must be a string"));
            None
        }
    }
}

pub(super) fn amount(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    errors: &mut Errors,
) -> Option<i64> {
    match body.get(name) {
        None | Some(Value::Null) => {
            errors.push(format!("{label} can't be blank"));
            None
        }
        Some(v) => match v.as_i64() {
            Some(a) if (1..=MAX_AMOUNT).contains(&a) => Some(a),
            Some(_) => {
                errors.push(format!("{label} must be between 1 and {MAX_AMOUNT}"));
                None
            }
            None => {
                errors.push(format!("{label} must be an integer number of cents"));
                None
            }
        },
    }
}

pub(super) fn datetime(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    now: OffsetDateTime,
    errors: &mut Errors,
) -> Option<OffsetDateTime> {
    let raw = text(body, name, label, true, errors)?;
    match util::parse_datetime(&raw, sydney()) {
        Some(t) if t < start_of_day_sydney(now) => {
            errors.push(format!(
                "{label} can not be earlier than the start of the current day"
            ));
            None
        }
        Some(t) => Some(t),
        None => {
            errors.push(format!("{label} is not a valid ISO 8601 date-time"));
            None
        }
    }
}

fn channels(body: &Map<String, Value>, required: bool, errors: &mut Errors) -> Option<Vec<String>> {
    let list = match body.get("channels") {
        None | Some(Value::Null) => {
            if required {
                errors.push("Channels can't be blank".into());
            }
            return None;
        }
        Some(Value::Array(list)) => list,
        Some(_) => {
            errors.push("Channels must be an array".into());
            return None;
        }
    };
    let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    let valid = names.len() == list.len()
        && matches!(
            names.as_slice(),
            ["new_payments_platform"]
                | ["direct_entry"]
                | ["new_payments_platform", "direct_entry"]
        );
    if !valid {
        errors.push(
            "Channels must be [\"new_payments_platform\"], [\"direct_entry\"] or [\"new_payments_platform\", \"direct_entry\"]"
                .into(),
        );
        return None;
    }
    Some(names.into_iter().map(str::to_string).collect())
}

fn bank_account(body: &Map<String, Value>, errors: &mut Errors) -> String {
    match text(
        body,
        "your_bank_account_id",
        "Your bank account",
        false,
        errors,
    ) {
        Some(id) if is_own_bank_account(&id) => id,
        Some(_) => {
            errors.push("Your bank account not found".into());
            String::new()
        }
        None => seed::ZEPTO_BANK_ACCOUNT_ID.to_string(),
    }
}

/// 409 when the `Idempotency-Key` was used in the last 24 hours.
fn check_idempotency(st: &ZeptoState, headers: &HeaderMap) -> Result<Option<String>, Response> {
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

fn remember_key(st: &mut ZeptoState, key: Option<String>, resource_ref: &str, now: OffsetDateTime) {
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

pub(super) fn next_txn_seq(st: &mut ZeptoState) -> u64 {
    st.txn_seq += 1;
    st.txn_seq
}

// ---- contacts ----------------------------------------------------------------------------------

fn check_bank_details(
    branch_code: Option<&str>,
    account_number: Option<&str>,
    errors: &mut Errors,
) -> (String, String) {
    let bsb = branch_code.map(|b| b.replace('-', "")).unwrap_or_default();
    if branch_code.is_some()
        && (bsb.len() != 6 || !bsb.bytes().all(|b| b.is_ascii_digit()) || bsb == "100000")
    {
        errors.push("Branch code is invalid".into());
    }
    let account = account_number
        .map(|a| a.replace([' ', '-'], ""))
        .unwrap_or_default();
    if account_number.is_some()
        && (!(5..=9).contains(&account.len()) || !account.bytes().all(|b| b.is_ascii_digit()))
    {
        errors.push("Account number is invalid".into());
    }
    (bsb, account)
}

pub(super) fn length(
    value: &Option<String>,
    label: &str,
    min: usize,
    max: usize,
    errors: &mut Errors,
) {
    if let Some(v) = value {
        let n = v.chars().count();
        if n < min || n > max {
            errors.push(format!(
                "{label} must be between {min} and {max} characters"
            ));
        }
    }
}

async fn add_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut errors = Vec::new();
        let name = text(&body, "name", "Name", true, &mut errors);
        let email = text(&body, "email", "Email", true, &mut errors);
        length(&name, "Name", 1, 140, &mut errors);
        length(&email, "Email", 1, 256, &mut errors);
        let branch_code = text(&body, "branch_code", "Branch code", true, &mut errors);
        let account_number = text(&body, "account_number", "Account number", true, &mut errors);
        let (bsb, account) = check_bank_details(
            branch_code.as_deref(),
            account_number.as_deref(),
            &mut errors,
        );
        let metadata = parse_metadata(body.get("metadata"), &mut errors);
        if !errors.is_empty() {
            return unprocessable(&errors);
        }
        let contact = Contact {
            id: util::uuid(),
            reference: st.next_ref("CNT"),
            name: name.unwrap_or_default(),
            email: email.unwrap_or_default(),
            metadata,
            bank_account_id: util::uuid(),
            branch_code: bsb,
            account_number: account,
            bank_name: BANK_NAME,
            anyone_account_id: util::uuid(),
            payid: None,
            receivable: false,
            disabled: false,
            agreement: true,
            created_at: cx.now,
        };
        let body = contact_json(&contact, cx.base_url);
        st.contacts.push(contact);
        ok(StatusCode::CREATED, body)
    })
}

async fn add_receivable_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut errors = Vec::new();
        let name = text(&body, "name", "Name", true, &mut errors);
        let email = text(&body, "email", "Email", true, &mut errors);
        let payid_email = text(&body, "payid_email", "Payid email", false, &mut errors);
        let domain = text(
            &body,
            "payid_email_domain",
            "Payid email domain",
            false,
            &mut errors,
        );
        length(&name, "Name", 3, 140, &mut errors);
        length(&email, "Email", 6, 256, &mut errors);
        length(&payid_email, "Payid email", 6, 256, &mut errors);
        length(&domain, "Payid email domain", 3, 254, &mut errors);
        if payid_email.is_none() && domain.is_none() {
            errors.push("Payid email or payid email domain must be given".into());
        }
        if payid_email.as_ref().is_some_and(|p| !p.contains('@')) {
            errors.push("Payid email is invalid".into());
        }
        let metadata = parse_metadata(body.get("metadata"), &mut errors);
        // A given on-demand PayID wins over the pool.
        let alias = payid_email.clone().or_else(|| {
            domain
                .as_ref()
                .map(|d| format!("{}@{d}", util::random_hex(10)))
        });
        if let Some(a) = &alias {
            let taken = st.contacts.iter().any(|c| {
                c.payid
                    .as_ref()
                    .is_some_and(|p| p.alias_value.eq_ignore_ascii_case(a))
            });
            if taken {
                errors.push("Payid email has already been taken".into());
            }
        }
        if !errors.is_empty() {
            return unprocessable(&errors);
        }
        let account_number = format!(
            "{:07}",
            1_000_000 + st.contacts.len() as u64 * 37 % 8_999_999
        );
        let contact = Contact {
            id: util::uuid(),
            reference: st.next_ref("CNT"),
            name: name.unwrap_or_default(),
            email: email.unwrap_or_default(),
            metadata,
            bank_account_id: util::uuid(),
            branch_code: FLOAT_BRANCH_CODE.to_string(),
            account_number,
            bank_name: FLOAT_BANK_NAME,
            anyone_account_id: util::uuid(),
            payid: alias.map(|alias_value| PayId {
                alias_value,
                name: DEFAULT_PAYID_NAME.to_string(),
                state: "pending",
            }),
            receivable: true,
            disabled: false,
            agreement: true,
            created_at: cx.now,
        };
        let body = contact_json(&contact, cx.base_url);
        st.contacts.push(contact);
        ok(StatusCode::CREATED, body)
    })
}

async fn list_contacts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        let contains = |field: &str, filter: Option<&str>| {
            filter.is_none_or(|f| field.to_lowercase().contains(&f.to_lowercase()))
        };
        let exact = |field: &str, filter: Option<&str>| filter.is_none_or(|f| field == f);
        let items: Vec<Value> = st
            .contacts
            .iter()
            .rev()
            .filter(|c| contains(&c.name, single(&query, "name")))
            .filter(|_| single(&query, "nickname").is_none())
            .filter(|c| contains(&c.email, single(&query, "email")))
            .filter(|c| exact(&c.bank_account_id, single(&query, "bank_account_id")))
            .filter(|c| exact(&c.branch_code, single(&query, "bank_account_branch_code")))
            .filter(|c| {
                exact(
                    &c.account_number,
                    single(&query, "bank_account_account_number"),
                )
            })
            .map(|c| contact_json(c, cx.base_url))
            .collect();
        paginate(items, &query, cx.base_url, "/contacts")
    })
}

async fn get_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        match st.contact(&id) {
            Some(c) => ok(StatusCode::OK, contact_json(c, cx.base_url)),
            None => not_found("Contact"),
        }
    })
}

async fn update_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(index) = st.contacts.iter().position(|c| c.id == id) else {
            return not_found("Contact");
        };
        let mut errors = Vec::new();
        let name = text(&body, "name", "Name", false, &mut errors);
        let email = text(&body, "email", "Email", false, &mut errors);
        length(&name, "Name", 1, 140, &mut errors);
        length(&email, "Email", 1, 256, &mut errors);
        let branch_code = text(&body, "branch_code", "Branch code", false, &mut errors);
        let account_number = text(
            &body,
            "account_number",
            "Account number",
            false,
            &mut errors,
        );
        let (bsb, account) = check_bank_details(
            branch_code.as_deref(),
            account_number.as_deref(),
            &mut errors,
        );
        let metadata = parse_metadata(body.get("metadata"), &mut errors);
        let contact = &mut st.contacts[index];
        let bank_change = branch_code.is_some() || account_number.is_some();
        if bank_change && contact.receivable {
            errors.push("The bank account of a Receivable Contact cannot be changed".into());
        }
        if !errors.is_empty() {
            return unprocessable(&errors);
        }
        if let Some(n) = name {
            contact.name = n;
        }
        if let Some(e) = email {
            contact.email = e;
        }
        if bank_change {
            if branch_code.is_some() {
                contact.branch_code = bsb;
            }
            if account_number.is_some() {
                contact.account_number = account;
            }
            contact.bank_account_id = util::uuid();
        }
        if metadata.is_some() {
            contact.metadata = metadata;
        }
        ok(StatusCode::OK, contact_json(contact, cx.base_url))
    })
}

async fn remove_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        let before = st.contacts.len();
        st.contacts.retain(|c| c.id != id);
        if st.contacts.len() == before {
            not_found("Contact")
        } else {
            no_content()
        }
    })
}

/// `PATCH /contacts/{id}/receivable` `{"payid_name": "..."}`: renames an active PayID.
async fn update_payid_name(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("contacts")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut errors = Vec::new();
        let name = text(&body, "payid_name", "Payid name", true, &mut errors);
        if name.as_deref().is_some_and(|n| !is_printable_ascii(n)) {
            errors.push("Payid name must be printable ASCII".into());
        }
        if !errors.is_empty() {
            return resource_error(StatusCode::BAD_REQUEST, &errors.join(", "));
        }
        let Some(contact) = st.contacts.iter_mut().find(|c| c.id == id) else {
            return not_found("Receivable Contact");
        };
        match &mut contact.payid {
            Some(payid) if payid.state == "active" && !contact.disabled => {
                payid.name = name.unwrap_or_default();
                let mut response = StatusCode::ACCEPTED.into_response();
                response.extensions_mut().insert(Shaped);
                response
            }
            Some(_) => resource_error(
                StatusCode::BAD_REQUEST,
                "Only an active Receivable Contact's PayID can be renamed",
            ),
            None => resource_error(
                StatusCode::BAD_REQUEST,
                "Contact is not a Receivable Contact with a PayID",
            ),
        }
    })
}

fn set_receivable_disabled(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    disabled: bool,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, headers, cx.now, Some("contacts")) {
            return r;
        }
        match st.contacts.iter_mut().find(|c| c.id == id) {
            None => not_found("Receivable Contact"),
            Some(c) if !c.receivable => resource_error(
                StatusCode::BAD_REQUEST,
                "Contact is not a Receivable Contact",
            ),
            Some(c) if c.disabled == disabled => resource_error(
                StatusCode::BAD_REQUEST,
                if disabled {
                    "Receivable Contact is already disabled"
                } else {
                    "Receivable Contact is already active"
                },
            ),
            Some(c) => {
                c.disabled = disabled;
                no_content()
            }
        }
    })
}

async fn disable_receivable(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    set_receivable_disabled(&shared, &headers, &id, true)
}

async fn activate_receivable(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    set_receivable_disabled(&shared, &headers, &id, false)
}

// ---- payments ----------------------------------------------------------------------------------

async fn create_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("payments")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let key = match check_idempotency(st, &headers) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let mut errors = Vec::new();
        let description = text(&body, "description", "Description", true, &mut errors);
        let matures_at = datetime(&body, "matures_at", "Matures at", cx.now, &mut errors);
        let channels = channels(&body, true, &mut errors);
        let your_bank_account_id = bank_account(&body, &mut errors);
        let metadata = parse_metadata(body.get("metadata"), &mut errors);
        let payout = match body.get("payouts") {
            Some(Value::Array(list)) if list.len() == 1 => match &list[0] {
                Value::Object(p) => Some(p.clone()),
                _ => {
                    errors.push("Payouts must hold payout objects".into());
                    None
                }
            },
            Some(Value::Array(list)) if list.len() > 1 => {
                errors
                    .push("Payouts must hold exactly one payout (a Payment has one Payout)".into());
                None
            }
            None | Some(Value::Null) => {
                errors.push("Payouts can't be blank".into());
                None
            }
            Some(_) => {
                errors.push("Payouts must hold exactly one payout".into());
                None
            }
        };
        let mut payout_fields = None;
        if let Some(p) = &payout {
            let amount = amount(p, "amount", "Payout amount", &mut errors);
            let payout_description =
                text(p, "description", "Payout description", true, &mut errors);
            let recipient = text(
                p,
                "recipient_contact_id",
                "Payout recipient contact",
                true,
                &mut errors,
            );
            let payout_metadata = parse_metadata(p.get("metadata"), &mut errors);
            let contact = recipient.as_deref().and_then(|r| st.contact(r)).cloned();
            if recipient.is_some() && contact.is_none() {
                errors.push("Payout recipient contact not found".into());
            }
            payout_fields = Some((amount, payout_description, contact, payout_metadata));
        }
        if !errors.is_empty() {
            return unprocessable(&errors);
        }
        let (
            Some(description),
            Some(matures_at),
            Some(channels),
            Some((Some(amount), Some(payout_description), Some(contact), payout_metadata)),
        ) = (description, matures_at, channels, payout_fields)
        else {
            return unprocessable(&vec!["The payment is invalid".to_string()]);
        };
        let reference = st.next_ref("PB");
        let debit_ref = st.next_ref("D");
        let credit_ref = st.next_ref("C");
        let from_float = your_bank_account_id == seed::ZEPTO_FLOAT_ACCOUNT_ID;
        let npp_from_float = from_float
            && channels
                .first()
                .is_some_and(|c| c == "new_payments_platform");
        let txn_metadata = payout_metadata.clone().or_else(|| metadata.clone());
        let debit = Txn {
            seq: next_txn_seq(st),
            kind: TxnKind::PaymentDebit,
            reference: debit_ref.clone(),
            parent_ref: Some(reference.clone()),
            debit: true,
            category: "payout",
            created_at: cx.now,
            matures_at,
            cleared_at: None,
            bank_ref: None,
            status: "maturing",
            status_changed_at: cx.now,
            failure_reason: None,
            failure_code: None,
            failure_title: None,
            failure_details: None,
            party_contact_id: contact.id.clone(),
            party_name: contact.name.clone(),
            description: Some(payout_description.clone()),
            amount,
            bank_account_id: your_bank_account_id.clone(),
            channels: if from_float {
                vec!["float_account".into()]
            } else {
                channels.clone()
            },
            current_channel: if from_float {
                "float_account".into()
            } else {
                channels[0].clone()
            },
            reversal_details: None,
            metadata: txn_metadata.clone(),
            ours: true,
            event_prefix: "debit",
            plan: first_leg_plan(amount),
            after: None,
            step: 0,
        };
        let credit = Txn {
            seq: next_txn_seq(st),
            kind: TxnKind::PaymentCredit,
            reference: credit_ref.clone(),
            debit: false,
            bank_account_id: contact.bank_account_id.clone(),
            channels: channels.clone(),
            current_channel: channels[0].clone(),
            ours: false,
            event_prefix: "debtor_credit",
            plan: second_leg_plan(amount, npp_from_float),
            after: Some(debit_ref.clone()),
            step: 1,
            ..debit.clone()
        };
        st.transactions.push(debit);
        st.transactions.push(credit);
        let payment = Payment {
            reference: reference.clone(),
            your_bank_account_id: your_bank_account_id.clone(),
            channels,
            description,
            metadata,
            debit_ref: debit_ref.clone(),
            recipient_contact_id: contact.id.clone(),
            to_id: contact.bank_account_id.clone(),
            amount,
            payout_description,
            payout_metadata,
            matures_at,
            created_at: cx.now,
        };
        let body = payment_json(st, &payment);
        st.payments.push(payment);
        remember_key(st, key, &reference, cx.now);
        st.emit(
            cx,
            "payment.added",
            vec![body.clone()],
            &your_bank_account_id,
        );
        emit_scheduled(
            st,
            cx,
            [(&debit_ref, "debit"), (&credit_ref, "debtor_credit")],
            &your_bank_account_id,
        );
        ok(StatusCode::CREATED, body)
    })
}

/// Announces each new transaction leg `(reference, event prefix)` as `<prefix>.scheduled` to
/// the webhooks of `account`.
pub(super) fn emit_scheduled(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    legs: [(&str, &str); 2],
    account: &str,
) {
    for (reference, prefix) in legs {
        if let Some(t) = st.txn(reference) {
            let data = vec![txn_json(t)];
            st.emit(cx, &format!("{prefix}.scheduled"), data, account);
        }
    }
}

async fn list_payments(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("payments")) {
            return r;
        }
        let items = st
            .payments
            .iter()
            .rev()
            .map(|p| payment_json(st, p))
            .collect();
        paginate(items, &query, cx.base_url, "/payments")
    })
}

async fn get_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("payments")) {
            return r;
        }
        match st.payments.iter().find(|p| p.reference == reference) {
            Some(p) => ok(StatusCode::OK, payment_json(st, p)),
            None => not_found("Payment"),
        }
    })
}

/// Voids the debit (and the credit waiting for it) with `user_voided`, and the voider's
/// `details` as `failure_details`.
fn void_pair(st: &mut ZeptoState, cx: &mut Ctx<'_>, first: &str, details: Option<&str>) {
    let mut refs = vec![first.to_string()];
    refs.extend(
        st.transactions
            .iter()
            .filter(|t| t.after.as_deref() == Some(first))
            .map(|t| t.reference.clone()),
    );
    for r in refs {
        let Some(t) = st.txn_mut(&r) else {
            continue;
        };
        if super::processing::is_final(t.status) {
            continue;
        }
        t.status = "voided";
        t.status_changed_at = cx.now;
        t.failure_reason = Some("user_voided");
        t.failure_details = details.map(str::to_string);
        t.step = 5;
        let (event, data, account) = (
            format!("{}.voided", t.event_prefix),
            vec![txn_json(t)],
            if t.ours {
                t.bank_account_id.clone()
            } else {
                seed::ZEPTO_BANK_ACCOUNT_ID.to_string()
            },
        );
        st.emit(cx, &event, data, &account);
    }
}

async fn void_payout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| void(&mut st.zepto, cx, &headers, &reference, None))
}

/// `POST /payouts/{ref}/void` with an optional `{"details": "..."}`.
async fn void_payout_with_details(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        }
    };
    let mut errors = Vec::new();
    let details = text(&body, "details", "Details", false, &mut errors);
    if !errors.is_empty() {
        return unprocessable(&errors);
    }
    shared.run(|st, cx| void(&mut st.zepto, cx, &headers, &reference, details.as_deref()))
}

fn void(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    headers: &HeaderMap,
    reference: &str,
    details: Option<&str>,
) -> Response {
    if let Err(r) = authenticate(st, headers, cx.now, Some("payments")) {
        return r;
    }
    match st.txn(reference) {
        Some(t) if t.kind == TxnKind::PaymentDebit => {
            if t.status != "maturing" {
                return resource_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!(
                        "Only payouts that have not matured can be voided; {reference} is {}",
                        t.status
                    ),
                );
            }
        }
        _ => return not_found("Payout"),
    }
    void_pair(st, cx, reference, details);
    no_content()
}

// ---- payment requests --------------------------------------------------------------------------

async fn create_payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("payment_requests")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let key = match check_idempotency(st, &headers) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let mut errors = Vec::new();
        let description = text(&body, "description", "Description", true, &mut errors);
        let matures_at = datetime(&body, "matures_at", "Matures at", cx.now, &mut errors);
        let amount = amount(&body, "amount", "Amount", &mut errors);
        let authoriser = text(
            &body,
            "authoriser_contact_id",
            "Authoriser contact",
            true,
            &mut errors,
        );
        let your_bank_account_id = bank_account(&body, &mut errors);
        let metadata = parse_metadata(body.get("metadata"), &mut errors);
        let contact = authoriser.as_deref().and_then(|a| st.contact(a)).cloned();
        if authoriser.is_some() && contact.is_none() {
            errors.push("Authoriser contact not found".into());
        }
        if !errors.is_empty() {
            return unprocessable(&errors);
        }
        let (Some(description), Some(matures_at), Some(amount), Some(contact)) =
            (description, matures_at, amount, contact)
        else {
            return unprocessable(&vec!["The payment request is invalid".to_string()]);
        };
        if !contact.agreement || contact.receivable {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The Contact has no accepted Agreement covering this Payment Request",
            );
        }
        let reference = st.next_ref("PR");
        let debit_ref = st.next_ref("D");
        let credit_ref = st.next_ref("C");
        let debit = Txn {
            seq: next_txn_seq(st),
            kind: TxnKind::CollectionDebit,
            reference: debit_ref.clone(),
            parent_ref: Some(reference.clone()),
            debit: true,
            category: "payout",
            created_at: cx.now,
            matures_at,
            cleared_at: None,
            bank_ref: None,
            status: "maturing",
            status_changed_at: cx.now,
            failure_reason: None,
            failure_code: None,
            failure_title: None,
            failure_details: None,
            party_contact_id: contact.id.clone(),
            party_name: contact.name.clone(),
            description: Some(description.clone()),
            amount,
            bank_account_id: contact.bank_account_id.clone(),
            channels: vec!["direct_entry".into()],
            current_channel: "direct_entry".into(),
            reversal_details: None,
            metadata: metadata.clone(),
            ours: false,
            event_prefix: "creditor_debit",
            plan: first_leg_plan(amount),
            after: None,
            step: 0,
        };
        let credit = Txn {
            seq: next_txn_seq(st),
            kind: TxnKind::CollectionCredit,
            reference: credit_ref.clone(),
            debit: false,
            bank_account_id: your_bank_account_id.clone(),
            ours: true,
            event_prefix: "credit",
            plan: second_leg_plan(amount, false),
            after: Some(debit_ref.clone()),
            step: 1,
            ..debit.clone()
        };
        st.transactions.push(debit);
        st.transactions.push(credit);
        let request = PaymentRequest {
            reference: reference.clone(),
            your_bank_account_id: your_bank_account_id.clone(),
            authoriser_contact_id: contact.id.clone(),
            authoriser_id: contact.anyone_account_id.clone(),
            contact_initiated: false,
            status: "approved",
            matures_at,
            responded_at: Some(cx.now),
            created_at: cx.now,
            credit_ref: Some(credit_ref.clone()),
            debit_ref: Some(debit_ref.clone()),
            description,
            amount,
            metadata,
        };
        let body = payment_request_json(&request);
        st.payment_requests.push(request);
        remember_key(st, key, &reference, cx.now);
        st.emit(
            cx,
            "payment_request.added",
            vec![body.clone()],
            &your_bank_account_id,
        );
        emit_scheduled(
            st,
            cx,
            [(&debit_ref, "creditor_debit"), (&credit_ref, "credit")],
            &your_bank_account_id,
        );
        ok(StatusCode::OK, body)
    })
}

async fn get_payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("payment_requests")) {
            return r;
        }
        match st
            .payment_requests
            .iter()
            .find(|p| p.reference == reference)
        {
            Some(p) => ok(StatusCode::OK, payment_request_json(p)),
            None => not_found("Payment Request"),
        }
    })
}

async fn cancel_payment_request(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("payment_requests")) {
            return r;
        }
        let Some(index) = st.payment_requests.iter().position(|p| p.reference == reference) else {
            return not_found("Payment Request");
        };
        let request = st.payment_requests[index].clone();
        let first = request.debit_ref.clone().or(request.credit_ref.clone()).unwrap_or_default();
        let status = st.txn(&first).map_or("maturing", |t| t.status);
        if request.status == "cancelled" || !matches!(status, "maturing" | "matured") {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("A Payment Request can only be cancelled while its transaction is maturing or matured; it is {status}"),
            );
        }
        st.payment_requests[index].status = "cancelled";
        void_pair(st, cx, &first, None);
        let body = payment_request_json(&st.payment_requests[index]);
        st.emit(cx, "payment_request.cancelled", vec![body], &request.your_bank_account_id);
        no_content()
    })
}

fn list_requests(
    shared: &Shared,
    headers: &HeaderMap,
    query: Option<String>,
    contact_initiated: bool,
    path: &str,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, headers, cx.now, Some("payment_requests")) {
            return r;
        }
        let items = st
            .payment_requests
            .iter()
            .rev()
            .filter(|p| p.contact_initiated == contact_initiated)
            .map(payment_request_json)
            .collect();
        paginate(items, &query, cx.base_url, path)
    })
}

async fn list_collections(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    list_requests(
        &shared,
        &headers,
        query,
        false,
        "/payment_requests/collections",
    )
}

async fn list_receivables(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    list_requests(
        &shared,
        &headers,
        query,
        true,
        "/payment_requests/receivables",
    )
}

// ---- refunds -----------------------------------------------------------------------------------

async fn issue_refund(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(credit_ref): Path<String>,
    body: Bytes,
) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("refunds")) {
            return r;
        }
        let body = match json_object(&body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let key = match check_idempotency(st, &headers) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let Some(credit) = st
            .txn(&credit_ref)
            .filter(|t| matches!(t.kind, TxnKind::CollectionCredit | TxnKind::Receipt))
            .cloned()
        else {
            return not_found("Credit");
        };
        let mut errors = Vec::new();
        let amount = amount(&body, "amount", "Amount", &mut errors);
        let channels =
            channels(&body, false, &mut errors).unwrap_or_else(|| vec!["direct_entry".into()]);
        let reason = text(&body, "reason", "Reason", false, &mut errors);
        let your_bank_account_id = bank_account(&body, &mut errors);
        let metadata = parse_metadata(body.get("metadata"), &mut errors);
        if credit.status != "cleared" {
            errors.push(format!(
                "Only cleared credits can be refunded; {credit_ref} is {}",
                credit.status
            ));
        }
        let refunded: i64 = st
            .refunds
            .iter()
            .filter(|r| r.for_ref == credit_ref)
            .map(|r| r.amount)
            .sum();
        let refundable = credit.amount - refunded;
        if amount.is_some_and(|a| a > refundable) {
            errors.push(format!(
                "Amount exceeds the {refundable} cents that can still be refunded"
            ));
        }
        if !errors.is_empty() {
            return unprocessable(&errors);
        }
        let Some(amount) = amount else {
            return unprocessable(&vec!["Amount can't be blank".to_string()]);
        };
        let reference = st.next_ref("PRF");
        let debit_ref = st.next_ref("D");
        let contact_credit_ref = st.next_ref("C");
        let contact_bank = st
            .contact(&credit.party_contact_id)
            .map_or_else(util::uuid, |c| c.bank_account_id.clone());
        let debit = Txn {
            seq: next_txn_seq(st),
            kind: TxnKind::RefundDebit,
            reference: debit_ref.clone(),
            parent_ref: Some(reference.clone()),
            debit: true,
            category: "payout_refund",
            created_at: cx.now,
            matures_at: cx.now,
            cleared_at: None,
            bank_ref: None,
            status: "maturing",
            status_changed_at: cx.now,
            failure_reason: None,
            failure_code: None,
            failure_title: None,
            failure_details: None,
            party_contact_id: credit.party_contact_id.clone(),
            party_name: credit.party_name.clone(),
            description: reason.clone(),
            amount,
            bank_account_id: your_bank_account_id.clone(),
            channels: channels.clone(),
            current_channel: channels[0].clone(),
            reversal_details: None,
            metadata: metadata.clone(),
            ours: true,
            event_prefix: "debit",
            plan: first_leg_plan(amount),
            after: None,
            step: 0,
        };
        let contact_credit = Txn {
            seq: next_txn_seq(st),
            kind: TxnKind::RefundCredit,
            reference: contact_credit_ref.clone(),
            debit: false,
            bank_account_id: contact_bank,
            ours: false,
            event_prefix: "debtor_credit",
            plan: second_leg_plan(amount, false),
            after: Some(debit_ref.clone()),
            step: 1,
            ..debit.clone()
        };
        st.transactions.push(debit);
        st.transactions.push(contact_credit);
        let refund = Refund {
            reference: reference.clone(),
            for_ref: credit_ref.clone(),
            debit_ref: debit_ref.clone(),
            your_bank_account_id: your_bank_account_id.clone(),
            created_at: cx.now,
            amount,
            channels,
            reason,
            target_contact_id: credit.party_contact_id.clone(),
            metadata,
        };
        let body = refund_json(&refund);
        st.refunds.push(refund);
        remember_key(st, key, &reference, cx.now);
        emit_scheduled(
            st,
            cx,
            [
                (&debit_ref, "debit"),
                (&contact_credit_ref, "debtor_credit"),
            ],
            &your_bank_account_id,
        );
        ok(StatusCode::OK, body)
    })
}

async fn list_refunds(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("refunds")) {
            return r;
        }
        let items = st.refunds.iter().rev().map(refund_json).collect();
        paginate(items, &query, cx.base_url, "/refunds/outgoing")
    })
}

async fn get_refund(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("refunds")) {
            return r;
        }
        match st.refunds.iter().find(|r| r.reference == reference) {
            Some(r) => ok(StatusCode::OK, refund_json(r)),
            None => not_found("Refund"),
        }
    })
}

// ---- transactions ------------------------------------------------------------------------------

async fn list_transactions(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, Some("transactions")) {
            return r;
        }
        let both = match single(&query, "both_parties") {
            None => false,
            Some("true") => true,
            Some("false") => false,
            Some(_) => {
                return resource_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Both parties must be true or false",
                );
            }
        };
        if both
            && (single(&query, "other_party").is_some()
                || single(&query, "party_contact_id").is_some())
        {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "other_party and party_contact_id cannot be combined with both_parties",
            );
        }
        let mut dates = Vec::new();
        for name in [
            "min_created_date",
            "max_created_date",
            "min_matured_date",
            "max_matured_date",
            "min_cleared_date",
            "max_cleared_date",
            "min_status_changed_date",
            "max_status_changed_date",
        ] {
            let value = match single(&query, name) {
                None => None,
                Some(v) => match util::parse_datetime(v, sydney()) {
                    Some(t) => Some(t),
                    None => {
                        return resource_error(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            &format!("{name} is not a valid ISO 8601 date-time"),
                        );
                    }
                },
            };
            dates.push(value);
        }
        let mut amounts = Vec::new();
        for name in ["min_amount", "max_amount"] {
            match single(&query, name).map(str::parse::<i64>) {
                None => amounts.push(None),
                Some(Ok(a)) => amounts.push(Some(a)),
                Some(Err(_)) => {
                    return resource_error(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &format!("{name} must be an integer (cents)"),
                    );
                }
            }
        }
        // Defaults to the last 30 days; at most one year back.
        let min_created = dates[0]
            .unwrap_or(cx.now - time::Duration::days(30))
            .max(cx.now - time::Duration::days(366));
        let statuses = multi(&query, "status");
        let categories = multi(&query, "category");
        let types = multi(&query, "type");
        let contains = |field: Option<&str>, filter: Option<&str>| {
            filter
                .is_none_or(|f| field.is_some_and(|v| v.to_lowercase().contains(&f.to_lowercase())))
        };
        let within = |t: Option<OffsetDateTime>,
                      min: Option<OffsetDateTime>,
                      max: Option<OffsetDateTime>| {
            (min.is_none() || t.zip(min).is_some_and(|(t, m)| t >= m))
                && (max.is_none() || t.zip(max).is_some_and(|(t, m)| t <= m))
        };
        let mut txns: Vec<&Txn> = st
            .transactions
            .iter()
            .filter(|t| both || t.ours)
            .filter(|t| t.created_at >= min_created)
            .filter(|t| single(&query, "ref").is_none_or(|r| t.reference == r))
            .filter(|t| {
                single(&query, "parent_ref").is_none_or(|r| t.parent_ref.as_deref() == Some(r))
            })
            .filter(|t| single(&query, "bank_ref").is_none_or(|r| t.bank_ref.as_deref() == Some(r)))
            .filter(|_| single(&query, "other_party_bank_ref").is_none())
            .filter(|t| single(&query, "party_contact_id").is_none_or(|c| t.party_contact_id == c))
            .filter(|t| contains(Some(&t.party_name), single(&query, "other_party")))
            .filter(|t| contains(t.description.as_deref(), single(&query, "description")))
            .filter(|t| {
                statuses
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s == t.status))
            })
            .filter(|t| {
                categories
                    .as_ref()
                    .is_none_or(|c| c.iter().any(|c| c == t.category))
            })
            .filter(|t| {
                types.as_ref().is_none_or(|k| {
                    k.iter()
                        .any(|k| k == if t.debit { "debit" } else { "credit" })
                })
            })
            .filter(|t| {
                amounts[0].is_none_or(|a| t.amount >= a) && amounts[1].is_none_or(|a| t.amount <= a)
            })
            .filter(|t| within(Some(t.created_at), None, dates[1]))
            .filter(|t| within(Some(t.matures_at), dates[2], dates[3]))
            .filter(|t| within(t.cleared_at, dates[4], dates[5]))
            .filter(|t| within(Some(t.status_changed_at), dates[6], dates[7]))
            .collect();
        txns.sort_by_key(|t| std::cmp::Reverse(t.seq));
        let items = txns.into_iter().map(txn_json).collect();
        paginate(items, &query, cx.base_url, "/transactions")
    })
}

// ---- bank accounts, user -----------------------------------------------------------------------

async fn list_bank_accounts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        if let Err(r) = authenticate(&st.zepto, &headers, cx.now, Some("bank_accounts")) {
            return r;
        }
        paginate(bank_accounts(), &query, cx.base_url, "/bank_accounts")
    })
}

async fn get_user(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    shared.run(|st, cx| {
        if let Err(r) = authenticate(&st.zepto, &headers, cx.now, Some("public")) {
            return r;
        }
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

// ---- webhooks and deliveries -------------------------------------------------------------------

/// The event types the emulator sends (what an endpoint without a filter receives).
fn emitted_events() -> Vec<String> {
    let mut events = vec![
        "payment.added".to_string(),
        "payment_request.added".to_string(),
        "payment_request.cancelled".to_string(),
    ];
    for prefix in ["debit", "credit", "debtor_credit", "creditor_debit"] {
        for action in [
            "scheduled",
            "maturing",
            "matured",
            "processing",
            "clearing",
            "cleared",
            "rejected",
            "returned",
            "voided",
            "channel_switched",
        ] {
            events.push(format!("{prefix}.{action}"));
        }
    }
    events
}

async fn list_webhooks(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    shared.run(|st, cx| {
        let st = &st.zepto;
        if let Err(r) = authenticate(st, &headers, cx.now, None) {
            return r;
        }
        let items = st
            .webhooks
            .iter()
            .map(|w| {
                json!({
                    "id": w.id,
                    "url": w.url,
                    "signature_secret": w.secret,
                    "events": w.events.clone().unwrap_or_else(emitted_events),
                })
            })
            .collect();
        paginate(items, &query, cx.base_url, "/webhooks")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_of_day_is_never_after_either_sydney_midnight() {
        let now = OffsetDateTime::from_unix_timestamp(1_750_939_200)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let start = start_of_day_sydney(now);
        assert!(start <= now);
        assert!(now - start < time::Duration::days(1) + time::Duration::hours(1));
    }

    #[test]
    fn channels_accept_the_documented_combinations() {
        let check = |v: Value| {
            let mut errors = Vec::new();
            let body = json!({ "channels": v });
            channels(body.as_object().unwrap_or(&Map::new()), true, &mut errors)
        };
        assert!(check(json!(["new_payments_platform"])).is_some());
        assert!(check(json!(["new_payments_platform", "direct_entry"])).is_some());
        assert!(check(json!(["direct_entry", "new_payments_platform"])).is_none());
        assert!(check(json!(["float_account"])).is_none());
        assert!(check(json!("direct_entry")).is_none());
    }
}
