//! The control endpoints of Zepto, mounted at `/_emulator/zepto`: run the processing cycle,
//! manage webhook endpoints and token lifetimes, and play the Contacts' part: accepting
//! Agreements (directly, or through an Unassigned or Open Agreement's link) and connecting
//! their bank.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use super::agreements::{Agreement, Authoriser, Terms, parse_terms};
use super::*;
use crate::seed;
use crate::server::{Ctx, Shared, json as json_response};
use crate::util;

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
        .route(
            "/contacts/{id}/bank_connection",
            post(control_bank_connection),
        )
        .route("/contacts/{id}", get(control_contact))
        .route(
            "/unassigned_agreements/{ref}/accept",
            post(control_accept_unassigned),
        )
        .route(
            "/unassigned_agreements/{ref}/decline",
            post(control_decline_unassigned),
        )
        .route("/open_agreements/{ref}/accept", post(control_accept_open))
}

fn control_error(status: StatusCode, message: impl AsRef<str>) -> Response {
    crate::control_api::error(status, message.as_ref())
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
        let body = webhooks::webhook_json(&config);
        st.zepto.webhooks.push(config);
        json_response(StatusCode::CREATED, &body)
    })
}

async fn control_list_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    shared.run(|st, _| {
        let data: Vec<Value> = st
            .zepto
            .webhooks
            .iter()
            .map(webhooks::webhook_json)
            .collect();
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

/// `{"accepted": true, "terms"?}`: the Contact accepts an Agreement (the invitation Zepto's
/// dashboard sends; the API has no call for it), without limits unless `terms` says;
/// `{"accepted": false}`: its accepted Agreements are cancelled.
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
    let mut errors = Vec::new();
    let terms = match request.get("terms") {
        None | Some(Value::Null) => Some(Terms::default()),
        terms => parse_terms(terms, false, &mut errors),
    };
    let Some(terms) = terms.filter(|_| errors.is_empty()) else {
        return control_error(StatusCode::BAD_REQUEST, errors.join(", "));
    };
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        let Some(contact) = st.contact(&id).cloned() else {
            return control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}"));
        };
        let mut changed = Vec::new();
        if accepted {
            let reference = st.next_ref("A");
            st.agreements.push(Agreement::accepted(
                reference.clone(),
                &contact,
                terms,
                None,
                cx.now,
            ));
            st.emit_agreement(cx, &reference, "accepted");
            changed.push(reference);
        } else {
            for a in st
                .agreements
                .iter_mut()
                .filter(|a| a.status == "accepted" && a.contact_id.as_deref() == Some(id.as_str()))
            {
                a.status = "cancelled";
                a.responded_at = Some(cx.now);
                changed.push(a.reference.clone());
            }
            for reference in &changed {
                st.emit_agreement(cx, reference, "cancelled");
            }
        }
        json_response(
            StatusCode::OK,
            &json!({ "contact_id": id, "agreement_accepted": accepted, "agreement_refs": changed }),
        )
    })
}

/// What the person accepting an Agreement's link enters (every field has a default).
fn authoriser(request: &Map<String, Value>) -> Authoriser {
    let text = |name: &str, default: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    Authoriser {
        name: text("name", "Agreement Authoriser"),
        email: text("email", "authoriser@example.com"),
        branch_code: text("branch_code", "062000"),
        account_number: text("account_number", "12345678"),
    }
}

/// Answers a control action's result, or its error.
fn outcome(result: Result<Value, (StatusCode, String)>) -> Response {
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err((status, message)) => control_error(status, message),
    }
}

/// What accepting an Agreement's link does (see the two handlers below).
type Accept =
    fn(&mut ZeptoState, &mut Ctx<'_>, &str, Authoriser) -> Result<Value, (StatusCode, String)>;

/// `{"name"?, "email"?, "branch_code"?, "account_number"?}`: someone accepts the link of the
/// Agreement `reference` with `accept`.
fn accept_link(shared: &Shared, reference: &str, body: &[u8], accept: Accept) -> Response {
    let request = match control_body(body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    shared.run(|st, cx| outcome(accept(&mut st.zepto, cx, reference, authoriser(&request))))
}

/// Someone accepts the Unassigned Agreement through its link; they become a Contact and the
/// Agreement theirs.
async fn control_accept_unassigned(
    State(shared): State<Arc<Shared>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    accept_link(&shared, &reference, &body, agreements::accept_unassigned)
}

/// Someone declines the Unassigned Agreement through its link.
async fn control_decline_unassigned(
    State(shared): State<Arc<Shared>>,
    Path(reference): Path<String>,
) -> Response {
    shared.run(|st, cx| {
        outcome(agreements::decline_unassigned(
            &mut st.zepto,
            cx,
            &reference,
        ))
    })
}

/// Someone accepts the Open Agreement through its link; they become a Contact with a new
/// Agreement.
async fn control_accept_open(
    State(shared): State<Arc<Shared>>,
    Path(reference): Path<String>,
    body: Bytes,
) -> Response {
    accept_link(&shared, &reference, &body, open_agreements::accept)
}

/// `{"balance"?: cents, "state"?: "active" | "credentials_invalid"}`: the Contact connects
/// their bank (through `links.add_bank_connection`), or the connection's balance or state
/// changes. The balance defaults to the sandbox's $123.45.
async fn control_bank_connection(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let request = match control_body(&body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let balance = match request.get("balance") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(b) => Some(b),
            None => return control_error(StatusCode::BAD_REQUEST, "`balance` must be cents"),
        },
    };
    let state = match request.get("state").and_then(Value::as_str) {
        None => None,
        Some("active") => Some("active"),
        Some("credentials_invalid") => Some("credentials_invalid"),
        Some(_) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "`state` must be active or credentials_invalid",
            );
        }
    };
    shared.run(|st, cx| {
        let st = &mut st.zepto;
        if st.contact(&id).is_none() {
            return control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}"));
        }
        let existing = st
            .bank_connections
            .iter_mut()
            .rev()
            .find(|b| b.contact_id == id && b.state != "removed");
        let connection_id = match existing {
            Some(b) => {
                if let Some(balance) = balance {
                    b.balance = balance;
                }
                if let Some(state) = state {
                    b.state = state;
                }
                b.id.clone()
            }
            None => st.connect_bank(
                &id,
                balance.unwrap_or(bank_connections::SANDBOX_BALANCE),
                state.unwrap_or("active"),
                cx.now,
            ),
        };
        json_response(
            StatusCode::OK,
            &json!({ "contact_id": id, "bank_connection_id": connection_id }),
        )
    })
}

async fn control_contact(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    shared.run(|st, _| {
        let st = &st.zepto;
        match st.contact(&id) {
            Some(c) => {
                let mut body = st.contact_json(c, &shared.base_url);
                let agreements: Vec<Value> = st
                    .agreements
                    .iter()
                    .filter(|a| a.contact_id.as_deref() == Some(id.as_str()))
                    .map(|a| json!({ "ref": a.reference, "status": a.status }))
                    .collect();
                if let Some(obj) = body.as_object_mut() {
                    obj.insert(
                        "agreement_accepted".into(),
                        json!(agreements.iter().any(|a| a["status"] == "accepted")),
                    );
                    obj.insert("agreements".into(), json!(agreements));
                    obj.insert(
                        "bank_balance".into(),
                        json!(st.bank_connection(&id).map(|b| b.balance)),
                    );
                }
                json_response(StatusCode::OK, &body)
            }
            None => control_error(StatusCode::NOT_FOUND, format!("no Zepto contact {id}")),
        }
    })
}
