//! Contacts: anyone Contacts (add, list with filters, get, update, remove) and Receivable
//! Contacts with their PayIDs (add, rename the PayID, disable, reactivate).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, patch, post};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::agreements::{Agreement, Authoriser, Terms};
use super::*;
use crate::server::Shared;
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
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
}

const DEFAULT_PAYID_NAME: &str = "Emulator Merchant";

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
    pub(crate) created_at: OffsetDateTime,
}

impl ZeptoState {
    /// The Contact as the API shows it, with its bank connection.
    pub(crate) fn contact_json(&self, c: &Contact, base_url: &str) -> Value {
        let connection = self.bank_connection(&c.id);
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
                "iav_provider": connection.map(|_| "split"),
                "iav_status": connection.map(|b| b.state),
                "blocks": { "debits_blocked": c.receivable, "credits_blocked": c.disabled },
            },
            "anyone_account": { "id": c.anyone_account_id },
            "bank_connection": { "id": connection.map(|b| b.id.as_str()) },
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

    /// Adds a Contact with a bank account of Zepto's sandbox bank.
    fn add_anyone(
        &mut self,
        name: String,
        email: String,
        branch_code: String,
        account_number: String,
        metadata: Option<Map<String, Value>>,
        now: OffsetDateTime,
    ) -> Contact {
        let contact = Contact {
            id: util::uuid(),
            reference: self.next_ref("CNT"),
            name,
            email,
            metadata,
            bank_account_id: util::uuid(),
            branch_code,
            account_number,
            bank_name: BANK_NAME,
            anyone_account_id: util::uuid(),
            payid: None,
            receivable: false,
            disabled: false,
            created_at: now,
        };
        self.contacts.push(contact.clone());
        contact
    }

    /// Adds who accepted an Agreement's link as a Contact (Zepto adds them itself).
    pub(crate) fn add_authoriser(
        &mut self,
        authoriser: Authoriser,
        now: OffsetDateTime,
    ) -> Contact {
        self.add_anyone(
            authoriser.name,
            authoriser.email,
            authoriser.branch_code,
            authoriser.account_number,
            None,
            now,
        )
    }
}

/// `POST /contacts/anyone`. A new Contact has no Agreement, so Payment Requests to it are
/// refused until it accepts one: through an Unassigned or Open Agreement's link, or the
/// invitation Zepto's dashboard sends (the control endpoint
/// `POST /_emulator/zepto/contacts/{id}/agreement`). Lenient, it comes with an accepted
/// Agreement without limits.
async fn add_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &["name", "email", "branch_code", "account_number", "metadata"];
    authed_json(
        &shared,
        &headers,
        Some("contacts"),
        &body,
        FIELDS,
        |st, cx, body| {
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
            let contact = st.add_anyone(
                name.unwrap_or_default(),
                email.unwrap_or_default(),
                bsb,
                account,
                metadata,
                cx.now,
            );
            if !cx.strict {
                let agreement = st.next_ref("A");
                st.agreements.push(Agreement::accepted(
                    agreement,
                    &contact,
                    Terms::default(),
                    None,
                    cx.now,
                ));
            }
            ok(StatusCode::CREATED, st.contact_json(&contact, cx.base_url))
        },
    )
}

async fn add_receivable_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "name",
        "email",
        "payid_email",
        "payid_email_domain",
        "metadata",
    ];
    authed_json(
        &shared,
        &headers,
        Some("contacts"),
        &body,
        FIELDS,
        |st, cx, body| {
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
                created_at: cx.now,
            };
            let body = st.contact_json(&contact, cx.base_url);
            st.contacts.push(contact);
            ok(StatusCode::CREATED, body)
        },
    )
}

async fn list_contacts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query_pairs(query);
    authed(&shared, &headers, Some("contacts"), |st, cx| {
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
            .map(|c| st.contact_json(c, cx.base_url))
            .collect();
        paginate(items, &query, cx.base_url, "/contacts")
    })
}

async fn get_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("contacts"), |st, cx| {
        match st.contact(&id) {
            Some(c) => ok(StatusCode::OK, st.contact_json(c, cx.base_url)),
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
    const FIELDS: &[&str] = &["name", "email", "branch_code", "account_number", "metadata"];
    authed_json(
        &shared,
        &headers,
        Some("contacts"),
        &body,
        FIELDS,
        |st, cx, body| {
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
            let bank_change = branch_code.is_some() || account_number.is_some();
            if bank_change && st.contacts[index].receivable {
                errors.push("The bank account of a Receivable Contact cannot be changed".into());
            }
            if !errors.is_empty() {
                return unprocessable(&errors);
            }
            let agreed = st
                .agreements
                .iter()
                .any(|a| a.status == "accepted" && a.contact_id.as_deref() == Some(id.as_str()));
            if bank_change && agreed && cx.strict {
                // "You cannot change a contact's bank details while it has an accepted agreement."
                return resource_error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "The bank account of a Contact with an accepted Agreement cannot be changed",
                );
            }
            let contact = &mut st.contacts[index];
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
            if bank_change {
                // Changing the bank account drops the Contact's bank connections.
                for b in st
                    .bank_connections
                    .iter_mut()
                    .filter(|b| b.contact_id == id)
                {
                    b.state = "removed";
                    b.removed_at.get_or_insert(cx.now);
                }
            }
            let contact = st.contacts[index].clone();
            ok(StatusCode::OK, st.contact_json(&contact, cx.base_url))
        },
    )
}

async fn remove_contact(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    authed(&shared, &headers, Some("contacts"), |st, _| {
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
    authed_json(
        &shared,
        &headers,
        Some("contacts"),
        &body,
        &["payid_name"],
        |st, _, body| {
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
        },
    )
}

fn set_receivable_disabled(
    shared: &Shared,
    headers: &HeaderMap,
    id: &str,
    disabled: bool,
) -> Response {
    authed(shared, headers, Some("contacts"), |st, _| {
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
