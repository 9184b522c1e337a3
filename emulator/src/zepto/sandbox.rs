//! The sandbox's simulated incoming payments: the older PayID simulation and the three of
//! Zepto's current API document (NPP to a PayID, NPP to a BSB and account number, Direct
//! Entry). Each creates the credit (and, for a Receivable Contact, the receivable Payment
//! Request) and announces them; the processing cycle then clears the credit.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Map, Value, json};

use super::*;
use crate::seed;
use crate::server::{Ctx, Shared};
use crate::util;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/simulate/incoming_payid_payment",
            post(incoming_payid_payment),
        )
        .route(
            "/simulate/incoming_npp_payid_payment",
            post(incoming_npp_payid_payment),
        )
        .route(
            "/simulate/incoming_npp_bban_payment",
            post(incoming_npp_bban_payment),
        )
        .route("/simulate/incoming_de_payment", post(incoming_de_payment))
}

/// The rail an incoming payment arrives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rail {
    Npp,
    DirectEntry,
}

impl Rail {
    fn channel(self) -> &'static str {
        match self {
            Rail::Npp => "new_payments_platform",
            Rail::DirectEntry => "direct_entry",
        }
    }
}

/// Who an incoming payment is for.
enum Payee {
    /// A Receivable Contact (by PayID or by its account number).
    Contact(Box<Contact>),
    /// The merchant's float account.
    Float,
}

/// An incoming payment, as the payer's bank sends it.
struct Incoming {
    amount: i64,
    rail: Rail,
    /// What the merchant's transaction shows: the payer's description (NPP) or reference (DE).
    description: String,
    /// The payer's name, shown as the party of a payment to the float account.
    debtor_name: String,
}

/// Books `incoming` for `payee`: a receivable Payment Request and its credit for a Receivable
/// Contact, a credit alone for the float account, announced by `payment_request.added` and
/// `credit.scheduled`. Returns the Payment Request's and the credit's references.
fn receive(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    payee: &Payee,
    incoming: Incoming,
) -> (Option<String>, String) {
    let account = seed::ZEPTO_FLOAT_ACCOUNT_ID;
    let request_ref = matches!(payee, Payee::Contact(_)).then(|| st.next_ref("PR"));
    let credit_ref = st.next_ref("C");
    let (party_contact_id, party_name) = match payee {
        Payee::Contact(c) => (c.id.clone(), c.name.clone()),
        Payee::Float => (String::new(), incoming.debtor_name.clone()),
    };
    let channel = incoming.rail.channel();
    let credit = Txn {
        party_contact_id,
        party_name,
        description: Some(incoming.description.clone()),
        amount: incoming.amount,
        bank_account_id: account.to_string(),
        channels: vec![channel.into()],
        current_channel: channel.into(),
        step: 1,
        ..Txn::new(
            next_txn_seq(st),
            TxnKind::Receipt,
            credit_ref.clone(),
            request_ref.clone(),
            cx.now,
        )
    };
    st.transactions.push(credit);
    if let (Payee::Contact(contact), Some(reference)) = (payee, &request_ref) {
        let request = PaymentRequest {
            reference: reference.clone(),
            your_bank_account_id: account.to_string(),
            authoriser_contact_id: contact.id.clone(),
            authoriser_id: contact.anyone_account_id.clone(),
            contact_initiated: true,
            status: "approved",
            status_reason: None,
            matures_at: cx.now,
            responded_at: Some(cx.now),
            created_at: cx.now,
            credit_ref: Some(credit_ref.clone()),
            debit_ref: None,
            description: incoming.description,
            amount: incoming.amount,
            metadata: None,
        };
        let body = payment_request_json(&request);
        st.payment_requests.push(request);
        st.emit(cx, "payment_request.added", vec![body], account);
    }
    if let Some(t) = st.txn(&credit_ref) {
        let data = vec![txn_json(t)];
        st.emit(cx, "credit.scheduled", data, account);
    }
    (request_ref, credit_ref)
}

/// The Receivable Contact whose PayID is `payid_email`, if it can receive a payment now.
fn payid_contact(st: &ZeptoState, payid_email: &str) -> Result<Contact, &'static str> {
    let contact = st
        .contacts
        .iter()
        .find(|c| {
            c.payid
                .as_ref()
                .is_some_and(|p| p.alias_value.eq_ignore_ascii_case(payid_email))
        })
        .ok_or("No Receivable Contact has this PayID")?;
    receivable(contact)
}

/// The Receivable Contact with this account, or the float account.
fn account_payee(st: &ZeptoState, bsb: &str, number: &str) -> Result<Payee, &'static str> {
    if bsb == FLOAT_BRANCH_CODE && number == FLOAT_ACCOUNT_NUMBER {
        return Ok(Payee::Float);
    }
    let contact = st
        .contacts
        .iter()
        .find(|c| c.receivable && c.branch_code == bsb && c.account_number == number)
        .ok_or("No Receivable Contact or float account has this BSB and account number")?;
    receivable(contact).map(|c| Payee::Contact(Box::new(c)))
}

fn receivable(contact: &Contact) -> Result<Contact, &'static str> {
    if contact.disabled {
        return Err("The Receivable Contact is disabled; the payment was rejected");
    }
    if contact.payid.as_ref().is_some_and(|p| p.state != "active") {
        return Err("The PayID is not active yet");
    }
    Ok(contact.clone())
}

/// An optional text field, or its default.
fn or_default(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    default: &str,
    errors: &mut Errors,
) -> String {
    text(body, name, label, false, errors).unwrap_or_else(|| default.to_string())
}

/// A field of `min` to `max` digits (a BSB, an account number).
fn digits(
    body: &Map<String, Value>,
    name: &str,
    label: &str,
    (min, max): (usize, usize),
    required: bool,
    errors: &mut Errors,
) -> Option<String> {
    let value = text(body, name, label, required, errors)?;
    if (min..=max).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
        Some(value)
    } else {
        errors.push(if min == max {
            format!("{label} must be {min} digits")
        } else {
            format!("{label} must be {min} to {max} digits")
        });
        None
    }
}

/// The payer's account (checked, defaults applied) and name (at most `max_name` characters
/// when the rail limits it).
fn payer(body: &Map<String, Value>, max_name: Option<usize>, errors: &mut Errors) -> String {
    digits(body, "from_bsb", "From bsb", (6, 6), false, errors);
    digits(
        body,
        "from_account_number",
        "From account number",
        (1, 9),
        false,
        errors,
    );
    let name = or_default(
        body,
        "debtor_name",
        "Debtor name",
        "Simulated Debtor",
        errors,
    );
    if let Some(max) = max_name {
        length(&Some(name.clone()), "Debtor name", 1, max, errors);
    }
    if !is_printable_ascii(&name) {
        errors.push("Debtor name must be printable ASCII".into());
    }
    name
}

/// Runs `handle` on the authenticated JSON body; 400 with Zepto's sentence for its errors.
fn simulation(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
    fields: &[&str],
    handle: impl FnOnce(&mut ZeptoState, &mut Ctx<'_>, &Map<String, Value>) -> Result<Value, String>,
) -> Response {
    authed_json(
        shared,
        headers,
        None,
        body,
        fields,
        |st, cx, body| match handle(st, cx, &body) {
            Ok(data) => ok(StatusCode::CREATED, data),
            Err(sentence) => resource_error(StatusCode::BAD_REQUEST, &sentence),
        },
    )
}

/// `POST /simulate/incoming_npp_payid_payment`.
pub(super) async fn incoming_npp_payid_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "payid_email",
        "amount",
        "payment_description",
        "payment_reference",
        "from_bsb",
        "from_account_number",
        "debtor_name",
        "debtor_legal_name",
    ];
    simulation(&shared, &headers, &body, FIELDS, |st, cx, body| {
        let mut errors = Vec::new();
        let payid_email = text(body, "payid_email", "Payid email", true, &mut errors);
        length(&payid_email, "Payid email", 6, 256, &mut errors);
        let amount = amount(body, "amount", "Amount", &mut errors);
        let description = or_default(
            body,
            "payment_description",
            "Payment description",
            "Simulated PayID payment",
            &mut errors,
        );
        or_default(
            body,
            "payment_reference",
            "Payment reference",
            "simulated-payid-payment",
            &mut errors,
        );
        let debtor_name = payer(body, None, &mut errors);
        let (Some(payid_email), Some(amount), true) = (payid_email, amount, errors.is_empty())
        else {
            return Err(errors.join(", "));
        };
        let contact = payid_contact(st, &payid_email)?;
        let incoming = Incoming {
            amount,
            rail: Rail::Npp,
            description,
            debtor_name,
        };
        let (request, credit) = receive(st, cx, &Payee::Contact(Box::new(contact)), incoming);
        Ok(json!({ "payment_request_ref": request, "credit_ref": credit, "amount": amount }))
    })
}

/// The body of the two simulations by BSB and account number.
fn account_payment(
    st: &mut ZeptoState,
    cx: &mut Ctx<'_>,
    body: &Map<String, Value>,
    rail: Rail,
) -> Result<Value, String> {
    let mut errors = Vec::new();
    let to_bsb = digits(body, "to_bsb", "To bsb", (6, 6), true, &mut errors);
    let to_account = digits(
        body,
        "to_account_number",
        "To account number",
        (1, 9),
        true,
        &mut errors,
    );
    let amount = amount(body, "amount", "Amount", &mut errors);
    let (description, debtor_name) = match rail {
        Rail::Npp => {
            let description = or_default(
                body,
                "payment_description",
                "Payment description",
                "Simulated NPP payment",
                &mut errors,
            );
            or_default(
                body,
                "payment_reference",
                "Payment reference",
                "simulated-npp-payment",
                &mut errors,
            );
            (description, payer(body, None, &mut errors))
        }
        Rail::DirectEntry => {
            let reference = or_default(
                body,
                "payment_reference",
                "Payment reference",
                "simulated-de-pymt",
                &mut errors,
            );
            length(
                &Some(reference.clone()),
                "Payment reference",
                1,
                18,
                &mut errors,
            );
            (reference, payer(body, Some(16), &mut errors))
        }
    };
    let (Some(to_bsb), Some(to_account), Some(amount), true) =
        (to_bsb, to_account, amount, errors.is_empty())
    else {
        return Err(errors.join(", "));
    };
    let payee = account_payee(st, &to_bsb, &to_account)?;
    let incoming = Incoming {
        amount,
        rail,
        description,
        debtor_name,
    };
    let (request, credit) = receive(st, cx, &payee, incoming);
    Ok(json!({ "payment_request_ref": request, "credit_ref": credit, "amount": amount }))
}

/// `POST /simulate/incoming_npp_bban_payment`.
pub(super) async fn incoming_npp_bban_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "to_bsb",
        "to_account_number",
        "amount",
        "payment_description",
        "payment_reference",
        "from_bsb",
        "from_account_number",
        "debtor_name",
        "debtor_legal_name",
    ];
    simulation(&shared, &headers, &body, FIELDS, |st, cx, body| {
        account_payment(st, cx, body, Rail::Npp)
    })
}

/// `POST /simulate/incoming_de_payment`.
pub(super) async fn incoming_de_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &[
        "to_bsb",
        "to_account_number",
        "amount",
        "payment_reference",
        "from_bsb",
        "from_account_number",
        "debtor_name",
    ];
    simulation(&shared, &headers, &body, FIELDS, |st, cx, body| {
        account_payment(st, cx, body, Rail::DirectEntry)
    })
}

/// `POST /simulate/incoming_payid_payment`, the older simulation: answers 201 with
/// `{id, payid_email, amount}`, and 422 for what it cannot book.
pub(super) async fn incoming_payid_payment(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    const FIELDS: &[&str] = &["payid_email", "amount"];
    authed_json(&shared, &headers, None, &body, FIELDS, |st, cx, body| {
        let mut errors = Vec::new();
        let payid_email = text(&body, "payid_email", "Payid email", true, &mut errors);
        length(&payid_email, "Payid email", 6, 256, &mut errors);
        let amount = amount(&body, "amount", "Amount", &mut errors);
        let (Some(payid_email), Some(amount), true) = (payid_email, amount, errors.is_empty())
        else {
            return unprocessable(&errors);
        };
        let contact = match payid_contact(st, &payid_email) {
            Ok(c) => c,
            Err(sentence) => return resource_error(StatusCode::UNPROCESSABLE_ENTITY, sentence),
        };
        let incoming = Incoming {
            amount,
            rail: Rail::Npp,
            description: format!("PayID payment from {}", contact.name),
            debtor_name: contact.name.clone(),
        };
        receive(st, cx, &Payee::Contact(Box::new(contact)), incoming);
        ok(
            StatusCode::CREATED,
            json!({ "id": util::uuid(), "payid_email": payid_email, "amount": amount }),
        )
    })
}
