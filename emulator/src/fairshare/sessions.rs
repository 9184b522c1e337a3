//! Split sessions: create (with idempotency), get, and set the expected contributors.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::*;
use crate::server::{Shared, json as json_response};
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/split-sessions", post(create_session))
        .route("/split-sessions/{id}", get(get_session))
        .route(
            "/split-sessions/{id}/expected-contributors",
            post(set_expected_contributors),
        )
}

/// How long an idempotency key is remembered (FairShare does not document it).
pub(super) const IDEMPOTENCY_RETENTION_HOURS: i64 = 24;

#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) id: String,
    pub(super) description: String,
    pub(super) price: Decimal,
    pub(super) quantity: i64,
    pub(super) image_url: Option<String>,
    pub(super) claimed: i64,
}

#[derive(Debug, Clone)]
pub(super) struct Contribution {
    pub(super) id: String,
    pub(super) session_id: String,
    pub(super) name: Option<String>,
    pub(super) email: Option<String>,
    pub(super) amount: Decimal,
    pub(super) fee: Decimal,
    pub(super) items: Vec<(String, i64)>,
    pub(super) created: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub(super) struct Session {
    pub(super) id: String,
    pub(super) env: Env,
    pub(super) total: Decimal,
    pub(super) collected: Decimal,
    pub(super) authorized: Decimal,
    pub(super) status: &'static str,
    pub(super) created: OffsetDateTime,
    pub(super) expires_at: OffsetDateTime,
    pub(super) completed_at: Option<OffsetDateTime>,
    pub(super) refunded_at: Option<OffsetDateTime>,
    pub(super) currency: String,
    pub(super) split_type: String,
    pub(super) expected: Option<i64>,
    pub(super) fee_type: String,
    pub(super) fee_value: Decimal,
    pub(super) detail_title: Option<String>,
    pub(super) lead_name: Option<String>,
    pub(super) lead_email: Option<String>,
    pub(super) meta: Option<String>,
    pub(super) success_url: Option<String>,
    pub(super) cancel_url: Option<String>,
    pub(super) failed_url: Option<String>,
    pub(super) items: Vec<Item>,
    pub(super) contributions: Vec<Contribution>,
}

#[derive(Debug, Clone)]
pub(super) struct IdempotencyRecord {
    pub(super) request: Value,
    pub(super) session_id: String,
    pub(super) expires_at: OffsetDateTime,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ItemOut<'a> {
    pub(super) id: &'a str,
    pub(super) description: &'a str,
    pub(super) price: Dec,
    pub(super) quantity: i64,
    pub(super) image_url: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ContributionOut<'a> {
    pub(super) id: &'a str,
    pub(super) split_session_id: &'a str,
    pub(super) name: Option<&'a str>,
    pub(super) email: Option<&'a str>,
    pub(super) amount: Dec,
    pub(super) convenience_fee: Dec,
    pub(super) status: &'static str,
    pub(super) items: Vec<Value>,
    pub(super) created: String,
}

pub(super) fn contribution_out(c: &Contribution) -> ContributionOut<'_> {
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
pub(super) struct SessionOut<'a> {
    pub(super) id: &'a str,
    pub(super) split_session_link: String,
    pub(super) total: Dec,
    pub(super) collected: Dec,
    pub(super) authorized_amount: Dec,
    pub(super) status: &'a str,
    pub(super) created: String,
    pub(super) expires_at: String,
    pub(super) completed_at: Option<String>,
    pub(super) refunded_at: Option<String>,
    pub(super) currency: &'a str,
    pub(super) gateway: &'static str,
    pub(super) split_type: &'a str,
    pub(super) expected_contributors: Option<i64>,
    pub(super) min_contribution: Option<Dec>,
    pub(super) convenience_fee_type: &'a str,
    pub(super) convenience_fee_value: Dec,
    pub(super) detail_title: Option<&'a str>,
    pub(super) lead_contributor_name: Option<&'a str>,
    pub(super) lead_contributor_email: Option<&'a str>,
    pub(super) meta: Option<&'a str>,
    pub(super) success_redirect_url: Option<&'a str>,
    pub(super) cancel_redirect_url: Option<&'a str>,
    pub(super) failed_redirect_url: Option<&'a str>,
    pub(super) items: Vec<ItemOut<'a>>,
    pub(super) contributions: Vec<ContributionOut<'a>>,
}

pub(super) fn session_out<'a>(s: &'a Session, base_url: &str) -> SessionOut<'a> {
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

pub(super) fn session_response(status: StatusCode, s: &Session, base_url: &str) -> Response {
    json_response(status, &session_out(s, base_url))
}

/// A validated create-session request.
pub(super) struct NewSession {
    pub(super) total: Decimal,
    pub(super) currency: String,
    pub(super) split_type: String,
    pub(super) expected: Option<i64>,
    pub(super) fee_type: String,
    pub(super) fee_value: Decimal,
    pub(super) meta: Option<String>,
    pub(super) detail_title: Option<String>,
    pub(super) success_url: Option<String>,
    pub(super) cancel_url: Option<String>,
    pub(super) failed_url: Option<String>,
    pub(super) expiry_minutes: i64,
    pub(super) items: Vec<Item>,
}

/// The fields of `POST /split-sessions`.
const SESSION_FIELDS: &[&str] = &[
    "totalAmountQar",
    "items",
    "currency",
    "splitType",
    "expectedContributors",
    "convenienceFeeType",
    "convenienceFeeValue",
    "meta",
    "successRedirectUrl",
    "cancelRedirectUrl",
    "failedRedirectUrl",
    "detailTitle",
    "expiryMinutes",
];

pub(super) fn validate(fields: &Fields, strict: bool) -> Result<NewSession, Response> {
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
    let items = parse_items(fields, strict)?;
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

pub(super) fn parse_items(fields: &Fields, strict: bool) -> Result<Vec<Item>, Response> {
    let Some(raw) = fields.get("items").filter(|r| !raw_is_null(r)) else {
        return Ok(Vec::new());
    };
    let list = serde_json::from_str::<Vec<Fields>>(raw.get())
        .map_err(|_| validation("items must be an array of objects"))?;
    let mut items = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let path = |f: &str| format!("items[{i}].{f}");
        known_fields(
            item,
            &["id", "description", "price", "quantity", "imageUrl"],
            &path(""),
            strict,
        )?;
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
    let strict = !shared.config.lenient;
    let fields = match request_fields(&headers, &body, SESSION_FIELDS, strict) {
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
    let new = match validate(&fields, strict) {
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

pub(super) fn not_found() -> Response {
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
    let fields = match request_fields(
        &headers,
        &body,
        &["expectedContributors"],
        !shared.config.lenient,
    ) {
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
#[cfg(test)]
mod tests {
    use super::*;

    fn fields(v: Value) -> Fields {
        serde_json::from_value::<Value>(v)
            .ok()
            .and_then(|v| serde_json::from_str(&v.to_string()).ok())
            .unwrap_or_default()
    }

    fn validate_strict(fields: &Fields) -> Result<NewSession, Response> {
        validate(fields, true)
    }

    fn code(r: Response) -> String {
        format!("{}", r.status().as_u16())
    }

    #[test]
    fn documented_examples_validate() {
        let item_claim = json!({"totalAmountQar": 120, "currency": "QAR", "splitType": "ITEM_CLAIM",
            "convenienceFeeType": "NONE", "convenienceFeeValue": 0,
            "items": [{"id": "pizza-1", "description": "Pizza", "price": 40, "quantity": 2},
                      {"id": "drink-1", "description": "Soft Drink", "price": 20, "quantity": 2}]});
        assert!(validate_strict(&fields(item_claim)).is_ok());
        let pool = json!({"totalAmountQar": 300, "currency": "QAR", "splitType": "PROPORTIONAL_POOL",
            "convenienceFeeType": "FIXED_PER_CONTRIBUTION", "convenienceFeeValue": 2.5, "expiryMinutes": 30});
        assert!(validate_strict(&fields(pool)).is_ok());
        let equal = json!({"totalAmountQar": 200, "currency": "QAR", "splitType": "EQUAL_COUNT", "expectedContributors": 4});
        assert!(validate_strict(&fields(equal)).is_ok());
    }

    #[test]
    fn rules_answer_their_codes() {
        let check = |v: Value| validate_strict(&fields(v)).err().map(code);
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
