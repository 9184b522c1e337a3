//! FairShare: split sessions of three types with decimal money (`/fairshare/api/v1`).

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::config::EmulatorConfig;
use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;
use crate::webhooks::{Job, Provider, Signing};

/// The event types FairShare documents.
pub(crate) const EVENT_TYPES: [&str; 9] = [
    "contribution.created",
    "split_session.created",
    "split_session.lead_authorized",
    "split_session.completed",
    "split_session.partial",
    "split_session.expired",
    "split_session.canceled",
    "split_session.refunded",
    "split_session.status_changed",
];

/// How long an idempotency key is remembered (FairShare does not document it).
const IDEMPOTENCY_RETENTION_HOURS: i64 = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Env {
    Sandbox,
    Live,
}

/// A decimal amount written as a JSON number with at least two decimals (`200.00`, `2.50`,
/// `0.125`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Dec(Decimal);

impl Serialize for Dec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let text = if self.0.scale() < 2 {
            format!("{:.2}", self.0)
        } else {
            self.0.to_string()
        };
        match RawValue::from_string(text) {
            Ok(raw) => raw.serialize(serializer),
            Err(e) => Err(serde::ser::Error::custom(e)),
        }
    }
}

#[derive(Debug, Clone)]
struct Item {
    id: String,
    description: String,
    price: Decimal,
    quantity: i64,
    image_url: Option<String>,
    claimed: i64,
}

#[derive(Debug, Clone)]
struct Contribution {
    id: String,
    session_id: String,
    name: Option<String>,
    email: Option<String>,
    amount: Decimal,
    fee: Decimal,
    items: Vec<(String, i64)>,
    created: OffsetDateTime,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    env: Env,
    total: Decimal,
    collected: Decimal,
    authorized: Decimal,
    status: &'static str,
    created: OffsetDateTime,
    expires_at: OffsetDateTime,
    completed_at: Option<OffsetDateTime>,
    refunded_at: Option<OffsetDateTime>,
    currency: String,
    split_type: String,
    expected: Option<i64>,
    fee_type: String,
    fee_value: Decimal,
    detail_title: Option<String>,
    lead_name: Option<String>,
    lead_email: Option<String>,
    meta: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
    failed_url: Option<String>,
    items: Vec<Item>,
    contributions: Vec<Contribution>,
}

#[derive(Debug, Clone)]
struct WebhookTarget {
    url: String,
    key: String,
    events: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
struct IdempotencyRecord {
    request: Value,
    session_id: String,
    expires_at: OffsetDateTime,
}

/// FairShare's state: sessions, idempotency keys and the webhook target.
#[derive(Debug)]
pub(crate) struct FairShareState {
    sessions: BTreeMap<String, Session>,
    idempotency: HashMap<(Env, String), IdempotencyRecord>,
    webhook: Option<WebhookTarget>,
}

impl FairShareState {
    pub(crate) fn new(config: &EmulatorConfig) -> Self {
        Self {
            sessions: BTreeMap::new(),
            idempotency: HashMap::new(),
            webhook: config
                .fairshare_webhook_url
                .as_ref()
                .map(|url| WebhookTarget {
                    url: url.clone(),
                    key: config.fairshare_webhook_signing_key.clone(),
                    events: None,
                }),
        }
    }
}

/// The error code FairShare would send with `status` when nothing more specific applies.
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT_FOUND",
        405 => "METHOD_NOT_ALLOWED",
        409 => "BUSINESS_RULE_VIOLATION",
        429 => "RATE_LIMITED",
        500..=599 => "INTERNAL_ERROR",
        _ => "VALIDATION_ERROR",
    }
}

/// A FairShare error body: `{code, message}`.
pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Response {
    json_response(status, &json!({ "code": code, "message": message }))
}

fn validation(message: impl AsRef<str>) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
        message.as_ref(),
    )
}

/// The REST API, mounted at `/fairshare/api/v1`.
pub(crate) fn api_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/split-sessions", post(create_session))
        .route("/split-sessions/{id}", get(get_session))
        .route(
            "/split-sessions/{id}/expected-contributors",
            post(set_expected_contributors),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, "NOT_FOUND", "No such endpoint") })
}

/// The contributor page `splitSessionLink` points at, mounted at `/fairshare`.
pub(crate) fn pages_router() -> Router<Arc<Shared>> {
    Router::new().route("/contributor/{id}", get(contributor_page))
}

/// The control endpoints, mounted at `/_emulator/fairshare`.
pub(crate) fn control_router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/webhook-url", post(control_webhook_url))
        .route(
            "/split-sessions/{id}/contributions",
            post(control_contribute),
        )
        .route("/split-sessions/{id}/refund", post(control_refund))
        .route("/split-sessions/{id}/cancel", post(control_cancel))
        .route("/split-sessions/{id}/expire", post(control_expire))
}

fn authenticate(headers: &HeaderMap, config: &EmulatorConfig) -> Result<Env, Response> {
    let key = util::header(headers, "x-splitpay-api-key")
        .or_else(|| util::header(headers, "x-api-key"))
        .map(str::trim);
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Missing API key: send it in the X-SplitPay-API-Key header",
        ));
    };
    if util::secret_eq(key, seed::FAIRSHARE_API_KEY) {
        Ok(Env::Sandbox)
    } else if util::secret_eq(key, seed::FAIRSHARE_LIVE_API_KEY) {
        if config.fairshare_live_enabled {
            Ok(Env::Live)
        } else {
            Err(error(
                StatusCode::FORBIDDEN,
                "LIVE_ACCESS_DISABLED",
                "Live mode is blocked until a payment method is on file",
            ))
        }
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "Invalid API key",
        ))
    }
}

type Fields = BTreeMap<String, Box<RawValue>>;

fn parse_fields(body: &[u8]) -> Result<Fields, Response> {
    serde_json::from_slice::<Fields>(body)
        .map_err(|e| validation(format!("Request body must be a JSON object: {e}")))
}

fn raw_is_null(raw: &RawValue) -> bool {
    raw.get().trim() == "null"
}

fn field_str(fields: &Fields, name: &str) -> Result<Option<String>, Response> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) if raw_is_null(raw) => Ok(None),
        Some(raw) => serde_json::from_str::<String>(raw.get())
            .map(Some)
            .map_err(|_| validation(format!("{name} must be a string"))),
    }
}

fn parse_decimal(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        return None;
    }
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .ok()
}

fn field_decimal(fields: &Fields, name: &str) -> Result<Option<Decimal>, Response> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) if raw_is_null(raw) => Ok(None),
        Some(raw) => parse_decimal(raw)
            .map(Some)
            .ok_or_else(|| validation(format!("{name} must be a number"))),
    }
}

fn field_int(fields: &Fields, name: &str) -> Result<Option<i64>, Option<String>> {
    match fields.get(name) {
        None => Ok(None),
        Some(raw) if raw_is_null(raw) => Ok(None),
        Some(raw) => serde_json::from_str::<i64>(raw.get())
            .map(Some)
            .map_err(|_| Some(format!("{name} must be an integer"))),
    }
}

fn has_more_than_two_decimals(d: Decimal) -> bool {
    d.normalize().scale() > 2
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemOut<'a> {
    id: &'a str,
    description: &'a str,
    price: Dec,
    quantity: i64,
    image_url: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContributionOut<'a> {
    id: &'a str,
    split_session_id: &'a str,
    name: Option<&'a str>,
    email: Option<&'a str>,
    amount: Dec,
    convenience_fee: Dec,
    status: &'static str,
    items: Vec<Value>,
    created: String,
}

fn contribution_out(c: &Contribution) -> ContributionOut<'_> {
    ContributionOut {
        id: &c.id,
        split_session_id: &c.session_id,
        name: c.name.as_deref(),
        email: c.email.as_deref(),
        amount: Dec(c.amount),
        convenience_fee: Dec(c.fee),
        status: "SUCCEEDED",
        items: c
            .items
            .iter()
            .map(|(id, q)| json!({ "id": id, "quantity": q }))
            .collect(),
        created: util::iso_seconds(c.created),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionOut<'a> {
    id: &'a str,
    split_session_link: String,
    total: Dec,
    collected: Dec,
    authorized_amount: Dec,
    status: &'a str,
    created: String,
    expires_at: String,
    completed_at: Option<String>,
    refunded_at: Option<String>,
    currency: &'a str,
    gateway: &'static str,
    split_type: &'a str,
    expected_contributors: Option<i64>,
    min_contribution: Option<Dec>,
    convenience_fee_type: &'a str,
    convenience_fee_value: Dec,
    detail_title: Option<&'a str>,
    lead_contributor_name: Option<&'a str>,
    lead_contributor_email: Option<&'a str>,
    meta: Option<&'a str>,
    success_redirect_url: Option<&'a str>,
    cancel_redirect_url: Option<&'a str>,
    failed_redirect_url: Option<&'a str>,
    items: Vec<ItemOut<'a>>,
    contributions: Vec<ContributionOut<'a>>,
}

fn session_out<'a>(s: &'a Session, base_url: &str) -> SessionOut<'a> {
    SessionOut {
        id: &s.id,
        split_session_link: format!("{base_url}/fairshare/contributor/{}", s.id),
        total: Dec(s.total),
        collected: Dec(s.collected),
        authorized_amount: Dec(s.authorized),
        status: s.status,
        created: util::iso_seconds(s.created),
        expires_at: util::iso_seconds(s.expires_at),
        completed_at: s.completed_at.map(util::iso_seconds),
        refunded_at: s.refunded_at.map(util::iso_seconds),
        currency: &s.currency,
        gateway: "STRIPE",
        split_type: &s.split_type,
        expected_contributors: s.expected,
        min_contribution: None,
        convenience_fee_type: &s.fee_type,
        convenience_fee_value: Dec(s.fee_value),
        detail_title: s.detail_title.as_deref(),
        lead_contributor_name: s.lead_name.as_deref(),
        lead_contributor_email: s.lead_email.as_deref(),
        meta: s.meta.as_deref(),
        success_redirect_url: s.success_url.as_deref(),
        cancel_redirect_url: s.cancel_url.as_deref(),
        failed_redirect_url: s.failed_url.as_deref(),
        items: s
            .items
            .iter()
            .map(|i| ItemOut {
                id: &i.id,
                description: &i.description,
                price: Dec(i.price),
                quantity: i.quantity,
                image_url: i.image_url.as_deref(),
            })
            .collect(),
        contributions: s.contributions.iter().map(contribution_out).collect(),
    }
}

fn session_response(status: StatusCode, s: &Session, base_url: &str) -> Response {
    json_response(status, &session_out(s, base_url))
}

/// A validated create-session request.
struct NewSession {
    total: Decimal,
    currency: String,
    split_type: String,
    expected: Option<i64>,
    fee_type: String,
    fee_value: Decimal,
    meta: Option<String>,
    detail_title: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
    failed_url: Option<String>,
    expiry_minutes: i64,
    items: Vec<Item>,
}

fn validate(fields: &Fields) -> Result<NewSession, Response> {
    let total = field_decimal(fields, "totalAmountQar")?
        .ok_or_else(|| validation("totalAmountQar is required"))?;
    if total <= Decimal::ZERO {
        return Err(validation("totalAmountQar must be greater than 0"));
    }
    if has_more_than_two_decimals(total) {
        return Err(validation(
            "totalAmountQar may have at most 2 decimal places",
        ));
    }
    let currency =
        field_str(fields, "currency")?.ok_or_else(|| validation("currency is required"))?;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(validation(
            "currency must be a three-letter ISO currency code",
        ));
    }
    let split_type =
        field_str(fields, "splitType")?.ok_or_else(|| validation("splitType is required"))?;
    if !["ITEM_CLAIM", "PROPORTIONAL_POOL", "EQUAL_COUNT"].contains(&split_type.as_str()) {
        return Err(validation(
            "splitType must be one of ITEM_CLAIM, PROPORTIONAL_POOL, EQUAL_COUNT",
        ));
    }
    let expected_invalid =
        |m: &str| error(StatusCode::BAD_REQUEST, "EXPECTED_CONTRIBUTORS_INVALID", m);
    let expected = field_int(fields, "expectedContributors").map_err(|m| {
        expected_invalid(
            m.as_deref()
                .unwrap_or("expectedContributors must be an integer"),
        )
    })?;
    if let Some(n) = expected {
        if split_type != "EQUAL_COUNT" {
            return Err(expected_invalid(
                "expectedContributors applies only to EQUAL_COUNT sessions",
            ));
        }
        if !(2..=10).contains(&n) {
            return Err(expected_invalid(
                "expectedContributors must be between 2 and 10",
            ));
        }
    }
    let fee_invalid = |m: &str| error(StatusCode::BAD_REQUEST, "CONVENIENCE_FEE_INVALID", m);
    let fee_type = match field_str(fields, "convenienceFeeType") {
        Ok(t) => t.unwrap_or_else(|| "NONE".into()),
        Err(_) => return Err(fee_invalid("convenienceFeeType must be a string")),
    };
    if !["NONE", "FIXED_PER_CONTRIBUTION"].contains(&fee_type.as_str()) {
        return Err(fee_invalid(
            "convenienceFeeType must be NONE or FIXED_PER_CONTRIBUTION",
        ));
    }
    let fee_value = match field_decimal(fields, "convenienceFeeValue") {
        Ok(v) => v.unwrap_or(Decimal::ZERO),
        Err(_) => return Err(fee_invalid("convenienceFeeValue must be a number")),
    };
    if fee_value < Decimal::ZERO {
        return Err(fee_invalid("convenienceFeeValue must not be negative"));
    }
    if fee_type == "NONE" && fee_value != Decimal::ZERO {
        return Err(fee_invalid(
            "convenienceFeeValue must be 0 when convenienceFeeType is NONE",
        ));
    }
    if fee_type == "FIXED_PER_CONTRIBUTION" && fee_value == Decimal::ZERO {
        return Err(fee_invalid(
            "convenienceFeeValue must be greater than 0 for FIXED_PER_CONTRIBUTION",
        ));
    }
    let meta = field_str(fields, "meta")?;
    if meta.as_ref().is_some_and(|m| m.chars().count() > 1024) {
        return Err(validation("meta must be at most 1024 characters"));
    }
    let expiry_minutes = field_int(fields, "expiryMinutes")
        .map_err(|m| validation(m.unwrap_or_default()))?
        .unwrap_or(15);
    if !(1..=60).contains(&expiry_minutes) {
        return Err(validation("expiryMinutes must be between 1 and 60"));
    }
    let mut urls = Vec::new();
    for name in [
        "successRedirectUrl",
        "cancelRedirectUrl",
        "failedRedirectUrl",
    ] {
        let url = field_str(fields, name)?;
        if let Some(u) = &url
            && url::Url::parse(u).is_err()
        {
            return Err(validation(format!("{name} must be an absolute URL")));
        }
        urls.push(url);
    }
    let detail_title = field_str(fields, "detailTitle")?;
    let items = parse_items(fields)?;
    if split_type == "ITEM_CLAIM" && items.is_empty() {
        return Err(validation("items are required for ITEM_CLAIM sessions"));
    }
    let mut urls = urls.into_iter();
    Ok(NewSession {
        total,
        currency: currency.to_ascii_uppercase(),
        split_type,
        expected,
        fee_type,
        fee_value,
        meta,
        detail_title,
        success_url: urls.next().flatten(),
        cancel_url: urls.next().flatten(),
        failed_url: urls.next().flatten(),
        expiry_minutes,
        items,
    })
}

fn parse_items(fields: &Fields) -> Result<Vec<Item>, Response> {
    let Some(raw) = fields.get("items").filter(|r| !raw_is_null(r)) else {
        return Ok(Vec::new());
    };
    let list = serde_json::from_str::<Vec<Fields>>(raw.get())
        .map_err(|_| validation("items must be an array of objects"))?;
    let mut items = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let path = |f: &str| format!("items[{i}].{f}");
        let id = field_str(item, "id")
            .map_err(|_| validation(format!("{} must be a string", path("id"))))?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| validation(format!("{} is required", path("id"))))?;
        let description = field_str(item, "description")
            .map_err(|_| validation(format!("{} must be a string", path("description"))))?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| validation(format!("{} is required", path("description"))))?;
        let price = field_decimal(item, "price")
            .map_err(|_| validation(format!("{} must be a number", path("price"))))?
            .ok_or_else(|| validation(format!("{} is required", path("price"))))?;
        if price < Decimal::ZERO {
            return Err(validation(format!(
                "{} must not be negative",
                path("price")
            )));
        }
        let quantity = field_int(item, "quantity")
            .map_err(|_| validation(format!("{} must be an integer", path("quantity"))))?
            .ok_or_else(|| validation(format!("{} is required", path("quantity"))))?;
        if quantity < 1 {
            return Err(validation(format!(
                "{} must be at least 1",
                path("quantity")
            )));
        }
        let image_url = field_str(item, "imageUrl")
            .map_err(|_| validation(format!("{} must be a string", path("imageUrl"))))?;
        if items.iter().any(|it: &Item| it.id == id) {
            return Err(validation(format!("{} is not unique: {id}", path("id"))));
        }
        items.push(Item {
            id,
            description,
            price,
            quantity,
            image_url,
            claimed: 0,
        });
    }
    Ok(items)
}

impl FairShareState {
    fn emit<T: Serialize>(&self, cx: &mut Ctx<'_>, event_type: &str, object: &T) {
        let Some(target) = &self.webhook else {
            return;
        };
        if let Some(events) = &target.events
            && !events.iter().any(|e| e == event_type)
        {
            return;
        }
        #[derive(Serialize)]
        struct Data<'a, T> {
            object: &'a T,
        }
        #[derive(Serialize)]
        struct Envelope<'a, T> {
            id: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            created: String,
            data: Data<'a, T>,
        }
        let id = util::uuid();
        let envelope = Envelope {
            id: &id,
            kind: event_type,
            created: util::iso_seconds(cx.now),
            data: Data { object },
        };
        let body = serde_json::to_vec(&envelope).unwrap_or_default();
        cx.jobs.push(Job {
            provider: Provider::FairShare,
            event_type: event_type.to_string(),
            event_id: Some(id),
            url: target.url.clone(),
            body: Bytes::from(body),
            signing: Signing::FairShare {
                key: target.key.clone(),
            },
            zepto_delivery: None,
        });
    }

    fn emit_session(&self, cx: &mut Ctx<'_>, event_type: &str, id: &str) {
        if let Some(s) = self.sessions.get(id) {
            let base = cx.base_url.to_string();
            self.emit(cx, event_type, &session_out(s, &base));
        }
    }

    /// Moves a session to `status`, emitting the status's event and `status_changed`.
    fn transition(&mut self, cx: &mut Ctx<'_>, id: &str, status: &'static str, event: &str) {
        let Some(s) = self.sessions.get_mut(id) else {
            return;
        };
        let changed = s.status != status;
        s.status = status;
        self.emit_session(cx, event, id);
        if changed {
            self.emit_session(cx, "split_session.status_changed", id);
        }
    }
}

async fn create_session(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let env = match authenticate(&headers, &shared.config) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let key = util::header(&headers, "idempotency-key").map(str::to_string);
    if let Some(k) = &key
        && (k.is_empty() || k.chars().count() > 120)
    {
        return error(
            StatusCode::BAD_REQUEST,
            "IDEMPOTENCY_KEY_INVALID",
            "Idempotency-Key must be 1 to 120 characters",
        );
    }
    let fields = match parse_fields(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let request_value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Some(k) = &key {
        let replay = shared.run(|st, cx| {
            let st = &mut st.fairshare;
            st.idempotency.retain(|_, r| r.expires_at > cx.now);
            let record = st.idempotency.get(&(env, k.clone()))?;
            if record.request != request_value {
                return Some(error(
                    StatusCode::CONFLICT,
                    "IDEMPOTENCY_KEY_REUSED",
                    "The same idempotency key was already used with a different request payload",
                ));
            }
            let s = st.sessions.get(&record.session_id)?;
            Some(session_response(StatusCode::OK, s, cx.base_url))
        });
        if let Some(r) = replay {
            return r;
        }
    }
    let new = match validate(&fields) {
        Ok(n) => n,
        Err(r) => return r,
    };
    if !shared.config.fairshare_psp_connected {
        return error(
            StatusCode::CONFLICT,
            "PSP_CONNECTION_MISSING",
            "No active payment gateway connection exists for the merchant environment",
        );
    }
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        let id = util::uuid();
        let session = Session {
            id: id.clone(),
            env,
            total: new.total,
            collected: Decimal::ZERO,
            authorized: Decimal::ZERO,
            status: "PENDING",
            created: cx.now,
            expires_at: cx.now + time::Duration::minutes(new.expiry_minutes),
            completed_at: None,
            refunded_at: None,
            currency: new.currency,
            split_type: new.split_type,
            expected: new.expected,
            fee_type: new.fee_type,
            fee_value: new.fee_value,
            detail_title: new.detail_title,
            lead_name: None,
            lead_email: None,
            meta: new.meta,
            success_url: new.success_url,
            cancel_url: new.cancel_url,
            failed_url: new.failed_url,
            items: new.items,
            contributions: Vec::new(),
        };
        st.sessions.insert(id.clone(), session);
        if let Some(k) = key {
            st.idempotency.insert(
                (env, k),
                IdempotencyRecord {
                    request: request_value,
                    session_id: id.clone(),
                    expires_at: cx.now + time::Duration::hours(IDEMPOTENCY_RETENTION_HOURS),
                },
            );
        }
        st.emit_session(cx, "split_session.created", &id);
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::CREATED, s, cx.base_url),
            None => error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "session vanished",
            ),
        }
    })
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "Split session not found",
    )
}

async fn get_session(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let env = match authenticate(&headers, &shared.config) {
        Ok(e) => e,
        Err(r) => return r,
    };
    shared.run(|st, cx| match st.fairshare.sessions.get(&id) {
        Some(s) if s.env == env => session_response(StatusCode::OK, s, cx.base_url),
        _ => not_found(),
    })
}

async fn set_expected_contributors(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let env = match authenticate(&headers, &shared.config) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let fields = match parse_fields(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let invalid = |m: &str| error(StatusCode::BAD_REQUEST, "EXPECTED_CONTRIBUTORS_INVALID", m);
    let n = match field_int(&fields, "expectedContributors") {
        Ok(Some(n)) if (2..=10).contains(&n) => n,
        Ok(Some(_)) => return invalid("expectedContributors must be between 2 and 10"),
        Ok(None) => return invalid("expectedContributors is required"),
        Err(_) => return invalid("expectedContributors must be an integer"),
    };
    shared.run(|st, cx| {
        let Some(s) = st.fairshare.sessions.get_mut(&id).filter(|s| s.env == env) else {
            return not_found();
        };
        if s.split_type != "EQUAL_COUNT" {
            return error(
                StatusCode::CONFLICT,
                "BUSINESS_RULE_VIOLATION",
                "expectedContributors can only be set on EQUAL_COUNT sessions",
            );
        }
        if !s.contributions.is_empty() || s.status != "PENDING" {
            return error(
                StatusCode::CONFLICT,
                "BUSINESS_RULE_VIOLATION",
                "expectedContributors can only be set before contributions begin",
            );
        }
        s.expected = Some(n);
        session_response(StatusCode::OK, s, cx.base_url)
    })
}

/// Applies expiries: open sessions past `expiresAt` become `EXPIRED`.
pub(crate) fn sweep(st: &mut FairShareState, cx: &mut Ctx<'_>) {
    let due: Vec<String> = st
        .sessions
        .values()
        .filter(|s| matches!(s.status, "PENDING" | "PARTIAL") && s.expires_at <= cx.now)
        .map(|s| s.id.clone())
        .collect();
    for id in due {
        if let Some(s) = st.sessions.get_mut(&id) {
            s.authorized = Decimal::ZERO;
        }
        st.transition(cx, &id, "EXPIRED", "split_session.expired");
    }
}

async fn contributor_page(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let status = shared.run(|st, _| st.fairshare.sessions.get(&id).map(|s| s.status));
    match status {
        Some(status) => Html(format!(
            "<!doctype html><title>FairShare session (emulator)</title>\
             <h1>FairShare split session {id}</h1><p>Status: {status}.</p>\
             <p>This is the splitkit emulator. Contribute with \
             <code>POST /_emulator/fairshare/split-sessions/{id}/contributions</code>.</p>"
        ))
        .into_response(),
        None => (StatusCode::NOT_FOUND, "unknown split session").into_response(),
    }
}

fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control::error(status, message.as_ref())
}

fn control_object(body: &[u8]) -> Result<Fields, Response> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::new());
    }
    serde_json::from_slice::<Fields>(body)
        .map_err(|_| control_error(StatusCode::BAD_REQUEST, "body must be a JSON object"))
}

/// `{"url": "...", "signing_key"?: "...", "events"?: [...]}` sets the webhook target;
/// `{"url": null}` removes it.
async fn control_webhook_url(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "body must be a JSON object with `url`",
            );
        }
    };
    let url = match request.get("url") {
        Some(Value::String(u)) if util::is_http_url(u) => Some(u.clone()),
        Some(Value::Null) => None,
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`url` must be an http(s) URL or null",
            );
        }
    };
    let key = match request.get("signing_key") {
        None | Some(Value::Null) => shared.config.fairshare_webhook_signing_key.clone(),
        Some(Value::String(k)) if !k.is_empty() => k.clone(),
        _ => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`signing_key` must be a non-empty string",
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
            if names.len() != list.len() || names.iter().any(|n| !EVENT_TYPES.contains(&n.as_str()))
            {
                return control_error(
                    StatusCode::BAD_REQUEST,
                    format!("`events` may only hold {}", EVENT_TYPES.join(", ")),
                );
            }
            Some(names)
        }
        Some(_) => return control_error(StatusCode::BAD_REQUEST, "`events` must be an array"),
    };
    shared.run(|st, _| {
        st.fairshare.webhook = url.map(|url| WebhookTarget { url, key, events });
        let body = match &st.fairshare.webhook {
            Some(t) => json!({ "url": t.url, "signing_key": t.key, "events": t.events }),
            None => json!({ "url": null }),
        };
        json_response(StatusCode::OK, &body)
    })
}

fn open_session<'a>(st: &'a mut FairShareState, id: &str) -> Result<&'a mut Session, Response> {
    match st.sessions.get_mut(id) {
        None => Err(control_error(
            StatusCode::NOT_FOUND,
            format!("no FairShare split session {id}"),
        )),
        Some(s) if !matches!(s.status, "PENDING" | "PARTIAL") => Err(control_error(
            StatusCode::CONFLICT,
            format!(
                "split session {id} is {}, not open for contributions",
                s.status
            ),
        )),
        Some(s) => Ok(s),
    }
}

/// `{"amount"?, "name"?, "email"?, "items"?: [{"id", "quantity"}]}`: one contributor pays.
/// EQUAL_COUNT defaults `amount` to the next share; ITEM_CLAIM may claim items instead of an
/// amount; PROPORTIONAL_POOL needs `amount`.
async fn control_contribute(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = match control_object(&body) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let bad = |m: String| control_error(StatusCode::BAD_REQUEST, m);
    let amount = match field_decimal(&fields, "amount") {
        Ok(a) => a,
        Err(_) => return bad("`amount` must be a number".into()),
    };
    if amount.is_some_and(|a| a <= Decimal::ZERO || has_more_than_two_decimals(a)) {
        return bad("`amount` must be positive with at most 2 decimal places".into());
    }
    let name = field_str(&fields, "name").ok().flatten();
    let email = field_str(&fields, "email").ok().flatten();
    let claims: Vec<(String, i64)> = match fields.get("items").filter(|r| !raw_is_null(r)) {
        None => Vec::new(),
        Some(raw) => match serde_json::from_str::<Vec<Value>>(raw.get()) {
            Ok(list) => {
                let mut claims = Vec::new();
                for v in list {
                    let (Some(item_id), q) = (
                        v.get("id").and_then(Value::as_str),
                        v.get("quantity").and_then(Value::as_i64),
                    ) else {
                        return bad(
                            "`items` entries need an `id` (and optionally a `quantity`)".into()
                        );
                    };
                    claims.push((item_id.to_string(), q.unwrap_or(1)));
                }
                claims
            }
            Err(_) => return bad("`items` must be an array of {id, quantity}".into()),
        },
    };
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        let s = match open_session(st, &id) {
            Ok(s) => s,
            Err(r) => return r,
        };
        let remaining = s.total - s.collected;
        let amount = match s.split_type.as_str() {
            "EQUAL_COUNT" => {
                let Some(n) = s.expected else {
                    return control_error(
                        StatusCode::CONFLICT,
                        "EQUAL_COUNT sessions need expectedContributors before contributions (POST .../expected-contributors)",
                    );
                };
                let made = i64::try_from(s.contributions.len()).unwrap_or(i64::MAX);
                if made >= n {
                    return control_error(StatusCode::CONFLICT, "every expected contributor has paid");
                }
                let share = (s.total / Decimal::from(n)).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
                let due = if made + 1 == n { remaining } else { share };
                if amount.is_some_and(|a| a != due) {
                    return control_error(StatusCode::BAD_REQUEST, format!("this EQUAL_COUNT share is {due:.2}"));
                }
                due
            }
            "ITEM_CLAIM" if !claims.is_empty() => {
                let mut sum = Decimal::ZERO;
                for (item_id, q) in &claims {
                    let Some(item) = s.items.iter().find(|i| &i.id == item_id) else {
                        return control_error(StatusCode::NOT_FOUND, format!("no item {item_id} in session {id}"));
                    };
                    if *q < 1 || item.claimed + q > item.quantity {
                        return control_error(
                            StatusCode::CONFLICT,
                            format!("item {item_id} has {} of {} left", item.quantity - item.claimed, item.quantity),
                        );
                    }
                    let Some(next) = item
                        .price
                        .checked_mul(Decimal::from(*q))
                        .and_then(|line| sum.checked_add(line))
                    else {
                        return control_error(StatusCode::BAD_REQUEST, "the claimed amount is too large");
                    };
                    sum = next;
                }
                for (item_id, q) in &claims {
                    if let Some(item) = s.items.iter_mut().find(|i| &i.id == item_id) {
                        item.claimed += q;
                    }
                }
                sum
            }
            _ => match amount {
                Some(a) => a,
                None if s.split_type == "ITEM_CLAIM" => remaining,
                None => return bad("`amount` is required for PROPORTIONAL_POOL contributions".into()),
            },
        };
        if amount > remaining {
            return control_error(
                StatusCode::CONFLICT,
                format!("contribution {amount:.2} exceeds the {remaining:.2} still due"),
            );
        }
        let first = s.contributions.is_empty();
        let fee = if s.fee_type == "FIXED_PER_CONTRIBUTION" { s.fee_value } else { Decimal::ZERO };
        let contribution = Contribution {
            id: util::uuid(),
            session_id: id.clone(),
            name: name.clone(),
            email: email.clone(),
            amount,
            fee,
            items: claims.clone(),
            created: cx.now,
        };
        s.collected += amount;
        if first {
            s.lead_name = name;
            s.lead_email = email;
            s.authorized = amount;
        }
        let complete = s.collected >= s.total;
        if complete {
            s.completed_at = Some(cx.now);
            s.authorized = Decimal::ZERO;
        }
        s.contributions.push(contribution.clone());
        let previous = s.status;
        let (status, event) = if complete {
            ("COMPLETED", "split_session.completed")
        } else {
            ("PARTIAL", "split_session.partial")
        };
        // Every event of this contribution shows the session as it is after it.
        s.status = status;
        st.emit(cx, "contribution.created", &contribution_out(&contribution));
        if first {
            st.emit_session(cx, "split_session.lead_authorized", &id);
        }
        st.emit_session(cx, event, &id);
        if previous != status {
            st.emit_session(cx, "split_session.status_changed", &id);
        }
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

async fn control_refund(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        match st.sessions.get_mut(&id) {
            None => {
                return control_error(
                    StatusCode::NOT_FOUND,
                    format!("no FairShare split session {id}"),
                );
            }
            Some(s) if s.status != "COMPLETED" => {
                return control_error(
                    StatusCode::CONFLICT,
                    format!(
                        "only COMPLETED sessions can be refunded; {id} is {}",
                        s.status
                    ),
                );
            }
            Some(s) => s.refunded_at = Some(cx.now),
        }
        st.transition(cx, &id, "REFUNDED", "split_session.refunded");
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

async fn control_cancel(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        match open_session(st, &id) {
            Ok(s) => s.authorized = Decimal::ZERO,
            Err(r) => return r,
        }
        st.transition(cx, &id, "CANCELED", "split_session.canceled");
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

async fn control_expire(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, cx| {
        let st = &mut st.fairshare;
        match open_session(st, &id) {
            Ok(s) => s.expires_at = cx.now,
            Err(r) => return r,
        }
        sweep(st, cx);
        match st.sessions.get(&id) {
            Some(s) => session_response(StatusCode::OK, s, cx.base_url),
            None => control_error(StatusCode::NOT_FOUND, "session vanished"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: Value) -> Fields {
        serde_json::from_value::<Value>(v)
            .ok()
            .and_then(|v| serde_json::from_str(&v.to_string()).ok())
            .unwrap_or_default()
    }

    fn code(r: Response) -> String {
        format!("{}", r.status().as_u16())
    }

    #[test]
    fn decimals_keep_two_places() {
        let text = serde_json::to_string(&Dec(Decimal::new(25, 1))).unwrap_or_default();
        assert_eq!(text, "2.50");
        let raw =
            serde_json::from_str::<Box<RawValue>>("200.005").unwrap_or_else(|_| unreachable!());
        assert!(has_more_than_two_decimals(
            parse_decimal(&raw).unwrap_or_default()
        ));
    }

    #[test]
    fn documented_examples_validate() {
        let item_claim = json!({"totalAmountQar": 120, "currency": "QAR", "splitType": "ITEM_CLAIM",
            "convenienceFeeType": "NONE", "convenienceFeeValue": 0,
            "items": [{"id": "pizza-1", "description": "Pizza", "price": 40, "quantity": 2},
                      {"id": "drink-1", "description": "Soft Drink", "price": 20, "quantity": 2}]});
        assert!(validate(&fields(item_claim)).is_ok());
        let pool = json!({"totalAmountQar": 300, "currency": "QAR", "splitType": "PROPORTIONAL_POOL",
            "convenienceFeeType": "FIXED_PER_CONTRIBUTION", "convenienceFeeValue": 2.5, "expiryMinutes": 30});
        assert!(validate(&fields(pool)).is_ok());
        let equal = json!({"totalAmountQar": 200, "currency": "QAR", "splitType": "EQUAL_COUNT", "expectedContributors": 4});
        assert!(validate(&fields(equal)).is_ok());
    }

    #[test]
    fn rules_answer_their_codes() {
        let check = |v: Value| validate(&fields(v)).err().map(code);
        assert_eq!(
            check(json!({"currency": "QAR", "splitType": "EQUAL_COUNT"})),
            Some("400".into())
        );
        assert_eq!(
            check(
                json!({"totalAmountQar": 10, "currency": "QAR", "splitType": "EQUAL_COUNT", "expectedContributors": 11})
            ),
            Some("400".into())
        );
        assert!(check(json!({"totalAmountQar": 10, "currency": "QAR", "splitType": "EQUAL_COUNT", "expiryMinutes": 61})).is_some());
        assert!(
            check(json!({"totalAmountQar": 10, "currency": "QAR", "splitType": "ITEM_CLAIM"}))
                .is_some()
        );
        assert!(check(json!({"totalAmountQar": 10, "currency": "QAR", "splitType": "PROPORTIONAL_POOL", "convenienceFeeType": "NONE", "convenienceFeeValue": 1})).is_some());
    }
}
