//! Open Agreements: Agreement templates anyone may accept through their link (create, list,
//! activate, close). Each acceptance (a control endpoint plays it) adds the authoriser to the
//! Contacts and makes a new Agreement on the template's terms.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::agreements::{Agreement, Authoriser, Terms, parse_terms};
use super::*;
use crate::server::{Ctx, Shared};
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/open_agreements", post(create).get(list))
        .route("/open_agreements/{ref}/activate", post(activate))
        .route("/open_agreements/{ref}/close", post(close))
}

#[derive(Debug, Clone)]
pub(crate) struct OpenAgreement {
    pub(crate) reference: String,
    pub(crate) title: String,
    pub(crate) status: &'static str,
    pub(crate) created_at: OffsetDateTime,
    pub(crate) terms: Terms,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) link_id: String,
}

impl OpenAgreement {
    fn json(&self, base_url: &str) -> Value {
        json!({
            "ref": self.reference,
            "title": self.title,
            "status": self.status,
            "created_at": ts(self.created_at),
            "terms": self.terms.json(),
            "link": format!(
                "{base_url}/zepto/go/open_agreements/{}/agreements/invitation",
                self.link_id
            ),
        })
    }
}

/// `POST /open_agreements` `{title, terms, metadata?}`; answers 200, as the reference shows.
async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    const FIELDS: &[&str] = &["title", "terms", "metadata"];
    authed_json(
        &shared,
        &headers,
        Some("open_agreements"),
        &body,
        FIELDS,
        |st, cx, body| {
            let mut errors = Vec::new();
            let title = text(&body, "title", "Title", true, &mut errors);
            length(&title, "Title", 1, 255, &mut errors);
            let terms = parse_terms(body.get("terms"), cx.strict, &mut errors);
            let metadata = parse_metadata(body.get("metadata"), &mut errors);
            let (Some(title), Some(terms), true) = (title, terms, errors.is_empty()) else {
                return unprocessable(&errors);
            };
            let open = OpenAgreement {
                reference: st.next_ref("OA"),
                title,
                status: "active",
                created_at: cx.now,
                terms,
                metadata,
                link_id: util::uuid(),
            };
            let body = open.json(cx.base_url);
            st.open_agreements.push(open);
            ok(StatusCode::OK, body)
        },
    )
}

async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("open_agreements"), |st, cx| {
        let items = st
            .open_agreements
            .iter()
            .rev()
            .map(|o| o.json(cx.base_url))
            .collect();
        paginate(items, &query, cx.base_url, "/open_agreements")
    })
}

/// Moves an Open Agreement from `from` to `to`; 422 when it is not in `from`.
fn set_status(
    shared: &Shared,
    headers: &HeaderMap,
    reference: &str,
    from: &str,
    to: &'static str,
) -> Response {
    authed(shared, headers, Some("open_agreements"), |st, cx| {
        let Some(open) = st
            .open_agreements
            .iter_mut()
            .find(|o| o.reference == reference)
        else {
            return not_found("Open Agreement");
        };
        if open.status != from {
            return resource_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("The Open Agreement is already {}", open.status),
            );
        }
        open.status = to;
        ok(StatusCode::OK, open.json(cx.base_url))
    })
}

async fn activate(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    set_status(&shared, &headers, &reference, "closed", "active")
}

async fn close(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(reference): Path<String>,
) -> Response {
    set_status(&shared, &headers, &reference, "active", "closed")
}

/// Someone accepts an active Open Agreement through its link (control endpoint): they become a
/// Contact with a new accepted Agreement on the template's terms.
pub(crate) fn accept(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    reference: &str,
    authoriser: Authoriser,
) -> Result<Value, (StatusCode, String)> {
    let open = st
        .open_agreements
        .iter()
        .find(|o| o.reference == reference)
        .cloned()
        .ok_or((
            StatusCode::NOT_FOUND,
            format!("no Open Agreement {reference}"),
        ))?;
    if open.status != "active" {
        return Err((
            StatusCode::CONFLICT,
            format!("Open Agreement {reference} is closed and cannot be accepted"),
        ));
    }
    let contact = st.add_authoriser(authoriser, cx.now);
    let agreement_ref = st.next_ref("A");
    st.agreements.push(Agreement::accepted(
        agreement_ref.clone(),
        &contact,
        open.terms,
        open.metadata,
        cx.now,
    ));
    st.emit_agreement(cx, &agreement_ref, "accepted");
    Ok(json!({ "agreement_ref": agreement_ref, "contact_id": contact.id }))
}
