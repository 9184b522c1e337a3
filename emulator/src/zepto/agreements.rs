//! Agreements: the terms under which a Contact's Payment Requests are approved. Outgoing
//! Agreements (list, get, cancel) and Unassigned Agreements (propose, list, get, delete), which
//! become Agreements when someone accepts their link (a control endpoint plays that part).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::*;
use crate::seed;
use crate::server::{Ctx, Shared};
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/agreements/outgoing", get(list_outgoing))
        .route("/agreements/{ref}", get(get_agreement).delete(cancel))
        .route(
            "/unassigned_agreements",
            axum::routing::post(propose_unassigned).get(list_unassigned),
        )
        .route(
            "/unassigned_agreements/{ref}",
            get(get_unassigned).delete(delete_unassigned),
        )
}

/// Agreement terms; every limit may be absent (`null`: no limit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Terms {
    pub(crate) min_amount: Option<i64>,
    pub(crate) max_amount: Option<i64>,
    pub(crate) days: Option<i64>,
    pub(crate) period_max_amount: Option<i64>,
}

impl Terms {
    pub(crate) fn json(&self) -> Value {
        json!({
            "per_payout": { "min_amount": self.min_amount, "max_amount": self.max_amount },
            "per_frequency": { "days": self.days, "max_amount": self.period_max_amount },
        })
    }

    /// Why a Payment Request of `amount` does not fit, given `recent` cents already requested
    /// within the frequency's days.
    pub(crate) fn refuses(&self, amount: i64, recent: i64) -> Option<String> {
        if self.min_amount.is_some_and(|min| amount < min) {
            return Some("The amount is below the Agreement's per-payout minimum".into());
        }
        if self.max_amount.is_some_and(|max| amount > max) {
            return Some("The amount exceeds the Agreement's per-payout maximum".into());
        }
        if self
            .period_max_amount
            .is_some_and(|max| recent.saturating_add(amount) > max)
        {
            return Some(format!(
                "The amount exceeds the Agreement's maximum over {} days",
                self.days.unwrap_or_default()
            ));
        }
        None
    }
}

/// Reads `terms` (`per_payout` and `per_frequency`, each limit an integer or `null`). Strict,
/// every limit must be present, as the reference requires ("specify null for no limit").
pub(crate) fn parse_terms(
    value: Option<&Value>,
    strict: bool,
    errors: &mut Errors,
) -> Option<Terms> {
    let Some(Value::Object(terms)) = value else {
        errors.push("Terms can't be blank".into());
        return None;
    };
    if strict
        && let Some(sentence) =
            util::unknown_fields(terms.keys(), &["per_payout", "per_frequency"], "terms.")
    {
        errors.push(sentence);
    }
    let mut part = |name: &str, limits: [&str; 2]| -> [Option<i64>; 2] {
        let mut out = [None, None];
        match terms.get(name) {
            Some(Value::Object(o)) => {
                if strict
                    && let Some(sentence) =
                        util::unknown_fields(o.keys(), &limits, &format!("terms.{name}."))
                {
                    errors.push(sentence);
                }
                for (slot, limit) in out.iter_mut().zip(limits) {
                    match o.get(limit) {
                        Some(Value::Null) => {}
                        None if !strict => {}
                        None => errors.push(format!(
                            "Terms {name} {limit} must be given (null for no limit)"
                        )),
                        Some(v) => match v.as_i64() {
                            Some(n) if n >= 0 => *slot = Some(n),
                            _ => errors.push(format!(
                                "Terms {name} {limit} must be a whole number of cents or null"
                            )),
                        },
                    }
                }
            }
            None if !strict => {}
            _ => errors.push(format!("Terms {name} must be an object")),
        }
        out
    };
    let [min_amount, max_amount] = part("per_payout", ["min_amount", "max_amount"]);
    let [days, period_max_amount] = part("per_frequency", ["days", "max_amount"]);
    if let (Some(min), Some(max)) = (min_amount, max_amount)
        && min > max
    {
        errors.push("Terms per_payout min_amount must not exceed max_amount".into());
    }
    if days.is_some() != period_max_amount.is_some() {
        errors.push("Terms per_frequency needs both days and max_amount, or neither".into());
    }
    if days.is_some_and(|d| d < 1) {
        errors.push("Terms per_frequency days must be at least 1".into());
    }
    Some(Terms {
        min_amount,
        max_amount,
        days,
        period_max_amount,
    })
}

/// An Unassigned Agreement's own part: until when its link may be accepted.
#[derive(Debug, Clone)]
pub(crate) struct Unassigned {
    pub(crate) expires_at: OffsetDateTime,
    pub(crate) link_id: String,
    pub(crate) single_use: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Agreement {
    pub(crate) reference: String,
    /// The authoriser's Contact; `None` while an Unassigned Agreement waits for acceptance.
    pub(crate) contact_id: Option<String>,
    pub(crate) authoriser_id: Option<String>,
    pub(crate) bank_account_id: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) status_reason: Option<String>,
    pub(crate) responded_at: Option<OffsetDateTime>,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) terms: Terms,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) unassigned: Option<Unassigned>,
}

impl Agreement {
    /// An Agreement `contact` accepted now.
    pub(crate) fn accepted(
        reference: String,
        contact: &Contact,
        terms: Terms,
        metadata: Option<Map<String, Value>>,
        now: OffsetDateTime,
    ) -> Self {
        Self {
            reference,
            contact_id: Some(contact.id.clone()),
            authoriser_id: Some(contact.anyone_account_id.clone()),
            bank_account_id: Some(contact.bank_account_id.clone()),
            status: "accepted",
            status_reason: None,
            responded_at: Some(now),
            created_at: now,
            terms,
            metadata,
            unassigned: None,
        }
    }

    pub(crate) fn json(&self) -> Value {
        json!({
            "ref": self.reference,
            "initiator_id": seed::ZEPTO_ACCOUNT_ID,
            "authoriser_id": self.authoriser_id,
            "contact_id": self.contact_id,
            "bank_account_id": self.bank_account_id,
            "status": self.status,
            "status_reason": self.status_reason,
            "responded_at": self.responded_at.map(ts),
            "created_at": ts(self.created_at),
            "terms": self.terms.json(),
            "metadata": self.metadata,
        })
    }

    fn unassigned_json(&self, base_url: &str) -> Value {
        let (expires_at, link) = match &self.unassigned {
            Some(u) => (
                Some(ts(u.expires_at)),
                Some(format!(
                    "{base_url}/zepto/go/unassigned_agreements/{}/invitation",
                    u.link_id
                )),
            ),
            None => (None, None),
        };
        json!({
            "ref": self.reference,
            "initiator_id": seed::ZEPTO_ACCOUNT_ID,
            "status": self.status,
            "responded_at": self.responded_at.map(ts),
            "created_at": ts(self.created_at),
            "terms": self.terms.json(),
            "assignment_expires_at": expires_at,
            "link": link,
            "metadata": self.metadata,
        })
    }
}

impl ZeptoState {
    pub(crate) fn agreement_mut(&mut self, reference: &str) -> Option<&mut Agreement> {
        self.agreements
            .iter_mut()
            .find(|a| a.reference == reference)
    }

    /// The accepted Agreement under which `contact_id` may be asked for `amount` now, or why
    /// there is none. The frequency limit counts the Contact's Payment Requests of the last
    /// `days` days that were not cancelled.
    pub(crate) fn covering_agreement(
        &self,
        contact_id: &str,
        amount: i64,
        now: OffsetDateTime,
    ) -> Result<String, String> {
        let mut reason = "The Contact has no accepted Agreement".to_string();
        for agreement in self
            .agreements
            .iter()
            .filter(|a| a.status == "accepted" && a.contact_id.as_deref() == Some(contact_id))
        {
            let since = agreement
                .terms
                .days
                .map_or(now, |d| now - time::Duration::days(d));
            let recent: i64 = self
                .payment_requests
                .iter()
                .filter(|p| p.authoriser_contact_id == contact_id && p.status == "approved")
                .filter(|p| p.created_at > since)
                .map(|p| p.amount)
                .sum();
            match agreement.terms.refuses(amount, recent) {
                None => return Ok(agreement.reference.clone()),
                Some(why) => reason = why,
            }
        }
        Err(reason)
    }

    /// Announces `agreement.<action>` with the Agreement.
    pub(crate) fn emit_agreement(&mut self, cx: &mut Ctx<'_>, reference: &str, action: &str) {
        if let Some(a) = self.agreements.iter().find(|a| a.reference == reference) {
            let data = vec![a.json()];
            self.emit(
                cx,
                &format!("agreement.{action}"),
                data,
                seed::ZEPTO_BANK_ACCOUNT_ID,
            );
        }
    }
}

/// `GET /agreements/outgoing`: the Agreements with an authoriser, newest first, filtered by
/// `authoriser_id`, `contact_id` and `status` (several, comma-separated).
async fn list_outgoing(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("agreements"), |st, cx| {
        let statuses = multi(&query, "status");
        let items = st
            .agreements
            .iter()
            .rev()
            .filter(|a| a.contact_id.is_some())
            .filter(|a| {
                single(&query, "authoriser_id")
                    .is_none_or(|id| a.authoriser_id.as_deref() == Some(id))
            })
            .filter(|a| {
                single(&query, "contact_id").is_none_or(|id| a.contact_id.as_deref() == Some(id))
            })
            .filter(|a| {
                statuses
                    .as_ref()
                    .is_none_or(|s| s.iter().any(|s| s == a.status))
            })
            .map(Agreement::json)
            .collect();
        paginate(items, &query, cx.base_url, "/agreements/outgoing")
    })
}

async fn get_agreement(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("agreements"), |st, _| {
        match st
            .agreements
            .iter()
            .find(|a| a.reference == reference && a.contact_id.is_some())
        {
            Some(a) => ok(StatusCode::OK, a.json()),
            None => not_found("Agreement"),
        }
    })
}

/// `DELETE /agreements/{ref}`: the initiator may cancel a proposed or accepted Agreement.
async fn cancel(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("agreements"), |st, cx| {
        let Some(agreement) = st
            .agreement_mut(&reference)
            .filter(|a| a.contact_id.is_some())
        else {
            return not_found("Agreement");
        };
        if !matches!(agreement.status, "proposed" | "accepted") {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!(
                    "The Agreement is {} and cannot be cancelled",
                    agreement.status
                ),
            );
        }
        agreement.status = "cancelled";
        agreement.responded_at = Some(cx.now);
        st.emit_agreement(cx, &reference, "cancelled");
        no_content()
    })
}

/// `POST /unassigned_agreements`: `expiry_in_seconds` (how long the link can be accepted),
/// `single_use` (equal per-payout limits, no frequency limit), `terms`, `metadata`.
async fn propose_unassigned(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &["expiry_in_seconds", "single_use", "terms", "metadata"];
    authed_json(
        &shared,
        &headers,
        Some("agreements"),
        &body,
        FIELDS,
        |st, cx, body| {
            let mut errors = Vec::new();
            let expiry = match body.get("expiry_in_seconds") {
                None | Some(Value::Null) => {
                    errors.push("Expiry in seconds can't be blank".into());
                    None
                }
                Some(v) => match v.as_i64() {
                    Some(s) if (1..=MAX_UNASSIGNED_EXPIRY_SECONDS).contains(&s) => Some(s),
                    _ => {
                        errors.push(format!(
                        "Expiry in seconds must be a whole number from 1 to {MAX_UNASSIGNED_EXPIRY_SECONDS}"
                    ));
                        None
                    }
                },
            };
            let single_use = match body.get("single_use") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    errors.push("Single use must be true or false".into());
                    false
                }
            };
            let terms = parse_terms(body.get("terms"), cx.strict, &mut errors);
            let metadata = parse_metadata(body.get("metadata"), &mut errors);
            if single_use
                && let Some(t) = &terms
                && (t.min_amount != t.max_amount
                    || t.min_amount.is_none()
                    || t.days.is_some()
                    || t.period_max_amount.is_some())
            {
                errors.push(
                "A single use Agreement must have equal per_payout min_amount and max_amount and no per_frequency limits"
                    .into(),
            );
            }
            let (Some(expiry), Some(terms), true) = (expiry, terms, errors.is_empty()) else {
                return unprocessable(&errors);
            };
            let agreement = Agreement {
                reference: st.next_ref("A"),
                contact_id: None,
                authoriser_id: None,
                bank_account_id: None,
                status: "proposed",
                status_reason: None,
                responded_at: None,
                created_at: cx.now,
                terms,
                metadata,
                unassigned: Some(Unassigned {
                    expires_at: cx.now + time::Duration::seconds(expiry),
                    link_id: util::uuid(),
                    single_use,
                }),
            };
            let body = agreement.unassigned_json(cx.base_url);
            st.agreements.push(agreement);
            ok(StatusCode::OK, body)
        },
    )
}

/// An Unassigned Agreement's link may be accepted for at most a year (the reference states no
/// limit).
const MAX_UNASSIGNED_EXPIRY_SECONDS: i64 = 366 * 86_400;

/// `GET /unassigned_agreements`: those not accepted yet, newest first.
async fn list_unassigned(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("agreements"), |st, cx| {
        let items = st
            .agreements
            .iter()
            .rev()
            .filter(|a| a.unassigned.is_some() && a.contact_id.is_none())
            .map(|a| a.unassigned_json(cx.base_url))
            .collect();
        paginate(items, &query, cx.base_url, "/unassigned_agreements")
    })
}

async fn get_unassigned(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("agreements"), |st, cx| {
        match st
            .agreements
            .iter()
            .find(|a| a.reference == reference && a.unassigned.is_some())
        {
            Some(a) => ok(StatusCode::OK, a.unassigned_json(cx.base_url)),
            None => not_found("Unassigned Agreement"),
        }
    })
}

/// `DELETE /unassigned_agreements/{ref}`: only while no one has accepted it.
async fn delete_unassigned(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("agreements"), |st, _| {
        let Some(index) = st
            .agreements
            .iter()
            .position(|a| a.reference == reference && a.unassigned.is_some())
        else {
            return not_found("Unassigned Agreement");
        };
        if st.agreements[index].contact_id.is_some() {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "The Unassigned Agreement has been assigned an authoriser and cannot be deleted",
            );
        }
        st.agreements.remove(index);
        no_content()
    })
}

/// What the person accepting an Agreement's link enters: added to the Contacts.
pub(crate) struct Authoriser {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) branch_code: String,
    pub(crate) account_number: String,
}

/// The person behind an Unassigned Agreement's link accepts it (control endpoint): they
/// become a Contact and the Agreement theirs, `accepted`.
pub(crate) fn accept_unassigned(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    reference: &str,
    authoriser: Authoriser,
) -> Result<Value, (StatusCode, String)> {
    let agreement = st
        .agreements
        .iter()
        .find(|a| a.reference == reference && a.unassigned.is_some())
        .ok_or((
            StatusCode::NOT_FOUND,
            format!("no Unassigned Agreement {reference}"),
        ))?;
    if agreement.contact_id.is_some() || agreement.status != "proposed" {
        return Err((
            StatusCode::CONFLICT,
            format!("Unassigned Agreement {reference} is {}", agreement.status),
        ));
    }
    if agreement
        .unassigned
        .as_ref()
        .is_some_and(|u| u.expires_at <= cx.now)
    {
        return Err((
            StatusCode::CONFLICT,
            format!(
                "Unassigned Agreement {reference} can no longer be accepted (its assignment expired)"
            ),
        ));
    }
    let contact = st.add_authoriser(authoriser, cx.now);
    if let Some(a) = st.agreement_mut(reference) {
        a.contact_id = Some(contact.id.clone());
        a.authoriser_id = Some(contact.anyone_account_id.clone());
        a.bank_account_id = Some(contact.bank_account_id.clone());
        a.status = "accepted";
        a.responded_at = Some(cx.now);
    }
    st.emit_agreement(cx, reference, "accepted");
    Ok(json!({ "agreement_ref": reference, "contact_id": contact.id }))
}

/// The person behind an Unassigned Agreement's link declines it (control endpoint).
pub(crate) fn decline_unassigned(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    reference: &str,
) -> Result<Value, (StatusCode, String)> {
    let agreement = st
        .agreement_mut(reference)
        .filter(|a| a.unassigned.is_some())
        .ok_or((
            StatusCode::NOT_FOUND,
            format!("no Unassigned Agreement {reference}"),
        ))?;
    if agreement.status != "proposed" {
        return Err((
            StatusCode::CONFLICT,
            format!("Unassigned Agreement {reference} is {}", agreement.status),
        ));
    }
    agreement.status = "declined";
    agreement.responded_at = Some(cx.now);
    st.emit_agreement(cx, reference, "declined");
    Ok(json!({ "agreement_ref": reference, "status": "declined" }))
}
