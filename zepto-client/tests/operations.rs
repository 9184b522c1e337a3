//! One wiremock test per operation of `openapi.yaml` (53): each row sends the call through the
//! public API and checks the request Zepto would receive (method, path, query with arrays,
//! `Authorization`, `Accept`, `Idempotency-Key` only where Zepto honours it, and the exact JSON
//! body, which for every operation with a documented request example IS that example), then
//! answers with the documented response example and checks what the SDK decoded from it.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use serde_json::{Value, json};
use support::*;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};
use zepto_client::contacts::{ContactUpdate, NewContact, NewReceivableContact};
use zepto_client::models::{
    AgreementStatus, BankConnectionProvider, BankConnectionState, Metadata, PaymentChannel,
    PerFrequency, PerPayout, Terms, TransactionCategory, TransactionStatus, TransactionType,
    WebhookDeliveryState, WebhookEventType, WebhookResponseStatusClass,
};
use zepto_client::open_agreements::NewOpenAgreement;
use zepto_client::payment_requests::NewPaymentRequest;
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::refunds::NewRefund;
use zepto_client::sandbox::{IncomingDirectEntryPayment, IncomingNppPayment, IncomingPayIdPayment};
use zepto_client::transfers::NewTransfer;
use zepto_client::unassigned_agreements::NewUnassignedAgreement;
use zepto_client::{Client, Error, Timestamp};

type Outcome = Pin<Box<dyn Future<Output = Result<String, Error>> + Send>>;

/// What the request body must be.
enum Body {
    /// No body.
    None,
    /// The operation's documented request example.
    DocExample,
}

struct Case {
    op: &'static str,
    /// The concrete path sent.
    path: &'static str,
    /// The decoded query, in order.
    query: &'static [(&'static str, &'static str)],
    body: Body,
    /// What the SDK decoded from the documented answer, summarised.
    decoded: &'static str,
    call: fn(Client) -> Outcome,
}

/// The operations that honour an `Idempotency-Key` (codegen.toml).
const KEYED: [&str; 4] = [
    "createPayment",
    "createPaymentRequest",
    "issueRefund",
    "createTransfer",
];

fn metadata() -> Metadata {
    texts(&[
        ("custom_key", "Custom string"),
        ("another_custom_key", "Maybe a URL"),
    ])
}

/// Metadata whose values are all texts.
fn texts(pairs: &[(&str, &str)]) -> Metadata {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect()
}

fn terms(min: Option<i64>, max: Option<i64>, days: Option<i32>, total: Option<i64>) -> Terms {
    Terms {
        per_payout: PerPayout {
            min_amount: min,
            max_amount: max,
        },
        per_frequency: PerFrequency {
            days,
            max_amount: total,
        },
    }
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn join<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(",")
}

macro_rules! call {
    (|$c:ident| $body:expr) => {{
        fn run($c: Client) -> Outcome {
            Box::pin(async move { $body })
        }
        run
    }};
}

fn cases() -> Vec<Case> {
    vec![
        // Agreements
        Case {
            op: "listOutgoingAgreements",
            path: "/agreements/outgoing",
            query: &[
                ("page", "2"),
                ("per_page", "50"),
                ("authoriser_id", "8df89c16-330f-462b-8891-808d7bdceb7f"),
                ("contact_id", "a80ac411-c8fb-45c0-9557-607c54649907"),
                ("status", "proposed,accepted"),
            ],
            body: Body::None,
            decoded: "A.4:proposed:10000,A.3:proposed:5000",
            call: call!(|c| {
                let page = c
                    .agreements()
                    .list()
                    .page(2)
                    .per_page(50)
                    .authoriser_id("8df89c16-330f-462b-8891-808d7bdceb7f")
                    .contact_id("a80ac411-c8fb-45c0-9557-607c54649907")
                    .status([AgreementStatus::Proposed, AgreementStatus::Accepted])
                    .send()
                    .await?;
                Ok(join(&page.items, |a| {
                    format!(
                        "{}:{}:{}",
                        a.ref_,
                        a.status,
                        a.terms.per_payout.max_amount.unwrap()
                    )
                }))
            }),
        },
        Case {
            op: "getAgreement",
            path: "/agreements/A.2",
            query: &[],
            body: Body::None,
            decoded: "A.2:approved:unknown",
            call: call!(|c| {
                let a = c.agreements().get("A.2").await?;
                let known = !matches!(a.status, AgreementStatus::Unknown(_));
                Ok(format!(
                    "{}:{}:{}",
                    a.ref_,
                    a.status,
                    if known { "known" } else { "unknown" }
                ))
            }),
        },
        Case {
            op: "cancelAgreement",
            path: "/agreements/A.2",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c.agreements().cancel("A.2").await.map(|()| "()".into())),
        },
        // Bank accounts
        Case {
            op: "listBankAccounts",
            path: "/bank_accounts",
            query: &[("per_page", "100")],
            body: Body::None,
            decoded: "National Australia Bank:None,National Australia Bank:None,Zepto Float Account:Some(10000)",
            call: call!(|c| {
                let page = c.bank_accounts().list().per_page(100).send().await?;
                Ok(join(&page.items, |b| {
                    format!("{}:{:?}", b.bank_name, b.available_balance)
                }))
            }),
        },
        // Bank connections
        Case {
            op: "listBankConnections",
            path: "/bank_connections",
            query: &[("provider_name", "split"), ("state", "credentials_invalid")],
            body: Body::None,
            decoded: "fb497754-87e2-407d-871f-32aec39d09d4:active,ddbee875-7344-4d74-9503-6233149fe1a0:credentials_invalid",
            call: call!(|c| {
                let page = c
                    .bank_connections()
                    .list()
                    .provider_name(BankConnectionProvider::Split)
                    .state(BankConnectionState::CredentialsInvalid)
                    .send()
                    .await?;
                Ok(join(&page.items, |b| format!("{}:{}", b.id, b.state)))
            }),
        },
        Case {
            op: "getBankConnection",
            path: "/bank_connections/c397645b-bd4f-4fc6-b1fe-4993fef6c3c7",
            query: &[],
            body: Body::None,
            decoded: "CBA:Joel Boyle",
            call: call!(|c| {
                let b = c
                    .bank_connections()
                    .get("c397645b-bd4f-4fc6-b1fe-4993fef6c3c7")
                    .await?;
                Ok(format!("{}:{}", b.institution.short_name, b.contact.name))
            }),
        },
        Case {
            op: "removeBankConnection",
            path: "/bank_connections/c397645b-bd4f-4fc6-b1fe-4993fef6c3c7",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .bank_connections()
                .remove("c397645b-bd4f-4fc6-b1fe-4993fef6c3c7")
                .await
                .map(|()| "()".into())),
        },
        // Contacts
        Case {
            op: "addContact",
            path: "/contacts/anyone",
            query: &[],
            body: Body::DocExample,
            decoded: "Hunter Thompson:anyone:13048322",
            call: call!(|c| {
                let contact = c
                    .contacts()
                    .create(
                        NewContact::new()
                            .name("Hunter Thompson")
                            .email("hunter@batcountry.com")
                            .branch_code("123456")
                            .account_number("13048322")
                            .metadata(metadata()),
                    )
                    .await?;
                Ok(format!(
                    "{}:{}:{}",
                    contact.name,
                    contact.type_,
                    contact.bank_account.account_number.unwrap()
                ))
            }),
        },
        Case {
            op: "listContacts",
            path: "/contacts",
            query: &[
                ("name", "Tours"),
                ("nickname", "outstanding"),
                ("email", "accounts@"),
                ("bank_account_id", "095c5ab7-7fa8-40fd-b317-cddbbf4c8fbc"),
                ("bank_account_branch_code", "435434"),
                ("bank_account_account_number", "494307"),
            ],
            body: Body::None,
            decoded: "active,active,disabled,pending_verification",
            call: call!(|c| {
                let page = c
                    .contacts()
                    .list()
                    .name("Tours")
                    .nickname("outstanding")
                    .email("accounts@")
                    .bank_account_id("095c5ab7-7fa8-40fd-b317-cddbbf4c8fbc")
                    .bank_account_branch_code("435434")
                    .bank_account_account_number("494307")
                    .send()
                    .await?;
                Ok(join(&page.items, |c| c.bank_account.state.to_string()))
            }),
        },
        Case {
            op: "getContact",
            path: "/contacts/55afddde-4296-4daf-8e49-7ba481ef9608",
            query: &[],
            body: Body::None,
            decoded: "CNT.123:otp@pay.travel.com.au:active",
            call: call!(|c| {
                let contact = c
                    .contacts()
                    .get("55afddde-4296-4daf-8e49-7ba481ef9608")
                    .await?;
                let payid = contact.payid_details.unwrap();
                Ok(format!(
                    "{}:{}:{}",
                    contact.ref_.unwrap(),
                    payid.alias_value,
                    payid.state
                ))
            }),
        },
        Case {
            op: "removeContact",
            path: "/contacts/55afddde-4296-4daf-8e49-7ba481ef9608",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .contacts()
                .remove("55afddde-4296-4daf-8e49-7ba481ef9608")
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "updateContact",
            path: "/contacts/55afddde-4296-4daf-8e49-7ba481ef9608",
            query: &[],
            body: Body::DocExample,
            decoded: "My very own alias:updated@email.com",
            call: call!(|c| {
                let contact = c
                    .contacts()
                    .update(
                        "55afddde-4296-4daf-8e49-7ba481ef9608",
                        ContactUpdate::new()
                            .name("My very own alias")
                            .email("updated@email.com")
                            .bank_account("123456", "99887766")
                            .metadata(metadata()),
                    )
                    .await?;
                Ok(format!("{}:{}", contact.name, contact.email))
            }),
        },
        Case {
            op: "refreshContactBankConnection",
            path: "/contacts/55afddde-4296-4daf-8e49-7ba481ef9608/refresh_balance",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .contacts()
                .refresh_bank_connection("55afddde-4296-4daf-8e49-7ba481ef9608")
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "addReceivableContact",
            path: "/contacts/receivable",
            query: &[],
            body: Body::DocExample,
            decoded: "Delphine Jestin:delphine_123@merchant.com.au:pending",
            call: call!(|c| {
                let contact = c
                    .contacts()
                    .create_receivable(
                        NewReceivableContact::new("Delphine Jestin", "delphine@gmail.com")
                            .payid_email("delphine_123@merchant.com.au")
                            .metadata(metadata()),
                    )
                    .await?;
                let payid = contact.payid_details.unwrap();
                Ok(format!(
                    "{}:{}:{}",
                    contact.name, payid.alias_value, payid.state
                ))
            }),
        },
        Case {
            op: "updateReceivableContact",
            path: "/contacts/6a7ed958-f1e8-42dc-8c02-3901d7057357/receivable",
            query: &[],
            body: Body::DocExample,
            decoded: "()",
            call: call!(|c| c
                .contacts()
                .update_payid_name(
                    "6a7ed958-f1e8-42dc-8c02-3901d7057357",
                    "Hunter Thompson Tours"
                )
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "disableReceivableContact",
            path: "/contacts/6a7ed958-f1e8-42dc-8c02-3901d7057357/receivable/disable",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .contacts()
                .disable_receivable("6a7ed958-f1e8-42dc-8c02-3901d7057357")
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "reactivateReceivableContact",
            path: "/contacts/6a7ed958-f1e8-42dc-8c02-3901d7057357/receivable/activate",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .contacts()
                .reactivate_receivable("6a7ed958-f1e8-42dc-8c02-3901d7057357")
                .await
                .map(|()| "()".into())),
        },
        // Open Agreements
        Case {
            op: "createOpenAgreement",
            path: "/open_agreements",
            query: &[],
            body: Body::DocExample,
            decoded: "OA.1:active:Some(7)",
            call: call!(|c| {
                let oa = c
                    .open_agreements()
                    .create(
                        NewOpenAgreement::new(
                            "Subscription Plan A",
                            terms(None, Some(10_000), Some(7), Some(1_000_000)),
                        )
                        .metadata(metadata()),
                    )
                    .await?;
                Ok(format!(
                    "{}:{}:{:?}",
                    oa.ref_, oa.status, oa.terms.per_frequency.days
                ))
            }),
        },
        Case {
            op: "listOpenAgreements",
            path: "/open_agreements",
            query: &[("page", "1")],
            body: Body::None,
            decoded: "OA.1:active,OA.2:closed",
            call: call!(|c| {
                let page = c.open_agreements().list().page(1).send().await?;
                Ok(join(&page.items, |oa| format!("{}:{}", oa.ref_, oa.status)))
            }),
        },
        Case {
            op: "activateOpenAgreement",
            path: "/open_agreements/OA.1/activate",
            query: &[],
            body: Body::None,
            decoded: "OA.1:active",
            call: call!(|c| {
                let oa = c.open_agreements().activate("OA.1").await?;
                Ok(format!("{}:{}", oa.ref_, oa.status))
            }),
        },
        Case {
            op: "closeOpenAgreement",
            path: "/open_agreements/OA.1/close",
            query: &[],
            body: Body::None,
            decoded: "OA.1:closed",
            call: call!(|c| {
                let oa = c.open_agreements().close("OA.1").await?;
                Ok(format!("{}:{}", oa.ref_, oa.status))
            }),
        },
        // Payment Requests
        Case {
            op: "createPaymentRequest",
            path: "/payment_requests",
            query: &[],
            body: Body::DocExample,
            decoded: "PR.39p1:pending_approval:99000",
            call: call!(|c| {
                let pr = c
                    .payment_requests()
                    .create(
                        NewPaymentRequest::new(
                            "de86472c-c027-4735-a6a7-234366a27fc7",
                            99_000,
                            "Visible to both initiator and authoriser",
                            at("2016-12-19T02:10:56.000Z"),
                        )
                        .your_bank_account_id("9c70871d-8e36-4c3e-8a9c-c0ee20e7c679")
                        .metadata(metadata()),
                    )
                    .await?;
                Ok(format!("{}:{}:{}", pr.ref_, pr.status, pr.payout.amount))
            }),
        },
        Case {
            op: "getPaymentRequest",
            path: "/payment_requests/PR.88me",
            query: &[],
            body: Body::None,
            decoded: "PR.88me:approved",
            call: call!(|c| {
                let pr = c.payment_requests().get("PR.88me").await?;
                Ok(format!("{}:{}", pr.ref_, pr.status))
            }),
        },
        Case {
            op: "cancelPaymentRequest",
            path: "/payment_requests/PR.88me",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .payment_requests()
                .cancel("PR.88me")
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "listPaymentRequestCollections",
            path: "/payment_requests/collections",
            query: &[("page", "3"), ("per_page", "10")],
            body: Body::None,
            decoded: "PR.84t6,PR.45h7",
            call: call!(|c| {
                let page = c
                    .payment_requests()
                    .list_collections()
                    .page(3)
                    .per_page(10)
                    .send()
                    .await?;
                Ok(join(&page.items, |pr| pr.ref_.clone()))
            }),
        },
        Case {
            op: "listPaymentRequestReceivables",
            path: "/payment_requests/receivables",
            query: &[],
            body: Body::None,
            decoded: "PR.2t65:true,PR.1n644:true",
            call: call!(|c| {
                let page = c.payment_requests().list_receivables().send().await?;
                Ok(join(&page.items, |pr| {
                    format!("{}:{}", pr.ref_, pr.contact_initiated)
                }))
            }),
        },
        // Payments
        Case {
            op: "createPayment",
            path: "/payments",
            query: &[],
            body: Body::DocExample,
            decoded: "PB.1:D.1:maturing:30000",
            call: call!(|c| {
                let payment = c
                    .payments()
                    .create(
                        NewPayment::new("The SuperPackage", at("2021-06-13T00:00:00Z"))
                            .your_bank_account_id("83623359-e86e-440c-9780-432a3bc3626f")
                            .channels([PaymentChannel::NewPaymentsPlatform])
                            .payout(
                                Payout::new(
                                    "48b89364-1577-4c81-ba02-96705895d457",
                                    30_000,
                                    "A tandem skydive jump SB23094",
                                )
                                .metadata(texts(&[
                                    ("invoice_ref", "BILL-0001"),
                                    ("invoice_id", "c80a9958-e805-47c0-ac2a-c947d7fd778d"),
                                    ("custom_key", "Custom string"),
                                    ("another_custom_key", "Maybe a URL"),
                                ])),
                            )
                            .metadata(metadata()),
                    )
                    .await?;
                let payout = &payment.payouts[0];
                Ok(format!(
                    "{}:{}:{}:{}",
                    payment.ref_, payout.ref_, payout.status, payout.amount
                ))
            }),
        },
        Case {
            op: "listPayments",
            path: "/payments",
            query: &[("per_page", "25")],
            body: Body::None,
            decoded: "PB.1:2",
            call: call!(|c| {
                let page = c.payments().list().per_page(25).send().await?;
                Ok(join(&page.items, |p| {
                    format!("{}:{}", p.ref_, p.payouts.len())
                }))
            }),
        },
        Case {
            op: "getPayment",
            path: "/payments/PB.1",
            query: &[],
            body: Body::None,
            decoded: "PB.1:direct_entry:2016-09-10T23:50:44Z",
            call: call!(|c| {
                let p = c.payments().get("PB.1").await?;
                Ok(format!(
                    "{}:{}:{}",
                    p.ref_, p.channels[0], p.payouts[0].created_at
                ))
            }),
        },
        // Payouts
        Case {
            op: "retryPayout",
            path: "/payouts/C.2/retry",
            query: &[],
            body: Body::None,
            decoded: "C.2:PR.039a:maturing",
            call: call!(|c| {
                #[allow(deprecated)]
                let t = c.payouts().retry("C.2").await?;
                Ok(format!("{}:{}:{}", t.ref_, t.parent_ref.unwrap(), t.status))
            }),
        },
        Case {
            op: "voidPayout",
            path: "/payouts/D.48",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| {
                #[allow(deprecated)]
                let voided = c.payouts().void_by_delete("D.48").await;
                voided.map(|()| "()".into())
            }),
        },
        Case {
            op: "voidPayoutWithDetails",
            path: "/payouts/D.48/void",
            query: &[],
            body: Body::DocExample,
            decoded: "()",
            call: call!(|c| c
                .payouts()
                .void_with_details("D.48", "Paid twice by mistake")
                .await
                .map(|()| "()".into())),
        },
        // Refunds
        Case {
            op: "issueRefund",
            path: "/credits/C.1gf22/refunds",
            query: &[],
            body: Body::DocExample,
            decoded: "PRF.7f4:C.1gf22:500",
            call: call!(|c| {
                let refund = c
                    .refunds()
                    .create(
                        "C.1gf22",
                        NewRefund::new(500)
                            .channels([PaymentChannel::DirectEntry])
                            .reason("Because reason")
                            .your_bank_account_id("9c70871d-8e36-4c3e-8a9c-c0ee20e7c679")
                            .metadata(metadata()),
                    )
                    .await?;
                Ok(format!(
                    "{}:{}:{}",
                    refund.ref_, refund.for_ref, refund.amount
                ))
            }),
        },
        Case {
            op: "listOutgoingRefunds",
            path: "/refunds/outgoing",
            query: &[("page", "2")],
            body: Body::None,
            decoded: "PRF.2:5",
            call: call!(|c| {
                let page = c.refunds().list().page(2).send().await?;
                Ok(join(&page.items, |r| format!("{}:{}", r.ref_, r.amount)))
            }),
        },
        Case {
            op: "getRefund",
            path: "/refunds/PRF.1",
            query: &[],
            body: Body::None,
            decoded: "PRF.1:500",
            call: call!(|c| {
                let r = c.refunds().get("PRF.1").await?;
                Ok(format!("{}:{}", r.ref_, r.amount))
            }),
        },
        // Sandbox
        Case {
            op: "simulateIncomingPayIdPayment",
            path: "/simulate/incoming_payid_payment",
            query: &[],
            body: Body::DocExample,
            decoded: "92c75281-5b60-489a-bd8a-e513ba9277c5:10000",
            call: call!(|c| {
                #[allow(deprecated)]
                let p = c
                    .sandbox()
                    .simulate_incoming_payid_payment("incoming@split.cash", 10_000)
                    .await?;
                Ok(format!("{}:{}", p.id, p.amount))
            }),
        },
        Case {
            op: "simulateIncomingNppPayIdPayment",
            path: "/simulate/incoming_npp_payid_payment",
            query: &[],
            body: Body::DocExample,
            decoded: "()",
            call: call!(|c| c
                .sandbox()
                .simulate_npp_payid_payment(
                    IncomingPayIdPayment::new("incoming@split.cash", 10_000)
                        .payment_description("Invoice 1042")
                        .payment_reference("INV-1042")
                        .from_account("014209", "12345678")
                        .debtor_name("Hunter Thompson")
                        .debtor_legal_name("Hunter Thompson Pty Ltd"),
                )
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "simulateIncomingNppBbanPayment",
            path: "/simulate/incoming_npp_bban_payment",
            query: &[],
            body: Body::DocExample,
            decoded: "()",
            call: call!(|c| c
                .sandbox()
                .simulate_npp_payment(
                    IncomingNppPayment::new("802919", "1408281", 10_000)
                        .payment_description("Invoice 1042")
                        .payment_reference("INV-1042")
                        .from_account("014209", "12345678")
                        .debtor_name("Hunter Thompson")
                        .debtor_legal_name("Hunter Thompson Pty Ltd"),
                )
                .await
                .map(|()| "()".into())),
        },
        Case {
            op: "simulateIncomingDePayment",
            path: "/simulate/incoming_de_payment",
            query: &[],
            body: Body::DocExample,
            decoded: "()",
            call: call!(|c| c
                .sandbox()
                .simulate_de_payment(
                    IncomingDirectEntryPayment::new("802919", "1408281", 10_000)
                        .payment_reference("INV-1042")
                        .from_account("014209", "12345678")
                        .debtor_name("Hunter Thompson"),
                )
                .await
                .map(|()| "()".into())),
        },
        // Transactions
        Case {
            op: "listTransactions",
            path: "/transactions",
            query: &[
                ("page", "1"),
                ("per_page", "100"),
                ("ref", "D.1i"),
                ("parent_ref", "PB.2"),
                ("bank_ref", "DT.12"),
                ("status", "maturing,cleared,returned"),
                ("category", "payout,payout_refund"),
                ("type", "debit,credit"),
                ("other_party_bank_ref", "CT.3a"),
                ("description", "some description"),
                ("min_amount", "500"),
                ("max_amount", "1000"),
                ("min_created_date", "2017-05-10T00:00:00Z"),
                ("max_created_date", "2017-06-10T00:00:00Z"),
                ("min_matured_date", "2017-05-11T00:00:00Z"),
                ("max_matured_date", "2017-06-11T00:00:00Z"),
                ("min_cleared_date", "2017-05-12T00:00:00Z"),
                ("max_cleared_date", "2017-06-12T00:00:00Z"),
                ("min_status_changed_date", "2017-05-13T00:00:00Z"),
                ("max_status_changed_date", "2017-06-13T00:00:00Z"),
            ],
            body: Body::None,
            decoded: "D.3:cleared:float account,D.2:maturing:float_account,C.2:cleared:direct_entry",
            call: call!(|c| {
                let page = c
                    .transactions()
                    .list()
                    .page(1)
                    .per_page(100)
                    .transaction_ref("D.1i")
                    .parent_ref("PB.2")
                    .bank_ref("DT.12")
                    .status([
                        TransactionStatus::Maturing,
                        TransactionStatus::Cleared,
                        TransactionStatus::Returned,
                    ])
                    .category([
                        TransactionCategory::Payout,
                        TransactionCategory::PayoutRefund,
                    ])
                    .transaction_type([TransactionType::Debit, TransactionType::Credit])
                    .other_party_bank_ref("CT.3a")
                    .description("some description")
                    .min_amount(500)
                    .max_amount(1000)
                    .min_created_date(at("2017-05-10T00:00:00Z"))
                    .max_created_date(at("2017-06-10T00:00:00Z"))
                    .min_matured_date(at("2017-05-11T00:00:00Z"))
                    .max_matured_date(at("2017-06-11T00:00:00Z"))
                    .min_cleared_date(at("2017-05-12T00:00:00Z"))
                    .max_cleared_date(at("2017-06-12T00:00:00Z"))
                    .min_status_changed_date(at("2017-05-13T00:00:00Z"))
                    .max_status_changed_date(at("2017-06-13T00:00:00Z"))
                    .send()
                    .await?;
                Ok(join(&page.items, |t| {
                    format!(
                        "{}:{}:{}",
                        t.ref_,
                        t.status,
                        t.current_channel.as_ref().unwrap()
                    )
                }))
            }),
        },
        // Transfers
        Case {
            op: "createTransfer",
            path: "/transfers",
            query: &[],
            body: Body::DocExample,
            decoded: "T.11ub:100000:4e2728cc-b4ba-42c2-a6c3-26a7758de58d",
            call: call!(|c| {
                let t = c
                    .transfers()
                    .create(NewTransfer::new(
                        "a79423b2-3827-4cf5-9eda-dc02a298d005",
                        "0921a719-c79d-4ffb-91b6-1b30ab77d14d",
                        100_000,
                        "Float account balance adjustment",
                        at("2021-06-06T00:00:00Z"),
                    ))
                    .await?;
                Ok(format!(
                    "{}:{}:{}",
                    t.ref_,
                    t.amount,
                    t.initiator_id.unwrap()
                ))
            }),
        },
        Case {
            op: "listTransfers",
            path: "/transfers",
            query: &[
                (
                    "from_bank_account_id",
                    "a79423b2-3827-4cf5-9eda-dc02a298d005",
                ),
                ("to_bank_account_id", "0921a719-c79d-4ffb-91b6-1b30ab77d14d"),
            ],
            body: Body::None,
            decoded: "T.62xl,T.87xp,T.87s4",
            call: call!(|c| {
                let page = c
                    .transfers()
                    .list()
                    .from_bank_account_id("a79423b2-3827-4cf5-9eda-dc02a298d005")
                    .to_bank_account_id("0921a719-c79d-4ffb-91b6-1b30ab77d14d")
                    .send()
                    .await?;
                Ok(join(&page.items, |t| t.ref_.clone()))
            }),
        },
        Case {
            op: "getTransfer",
            path: "/transfers/T.87xp",
            query: &[],
            body: Body::None,
            decoded: "T.87xp:47000",
            call: call!(|c| {
                let t = c.transfers().get("T.87xp").await?;
                Ok(format!("{}:{}", t.ref_, t.amount))
            }),
        },
        // Unassigned Agreements
        Case {
            op: "proposeUnassignedAgreement",
            path: "/unassigned_agreements",
            query: &[],
            body: Body::DocExample,
            decoded: "A.4k:proposed",
            call: call!(|c| {
                let a = c
                    .unassigned_agreements()
                    .create(
                        NewUnassignedAgreement::new(
                            60,
                            terms(None, Some(10_000), Some(7), Some(1_000_000)),
                        )
                        .single_use(false)
                        .metadata(metadata()),
                    )
                    .await?;
                Ok(format!("{}:{}", a.ref_, a.status))
            }),
        },
        Case {
            op: "listUnassignedAgreements",
            path: "/unassigned_agreements",
            query: &[],
            body: Body::None,
            decoded: "A.4k,A.7ea",
            call: call!(|c| {
                let page = c.unassigned_agreements().list().send().await?;
                Ok(join(&page.items, |a| a.ref_.clone()))
            }),
        },
        Case {
            op: "getUnassignedAgreement",
            path: "/unassigned_agreements/A.4k",
            query: &[],
            body: Body::None,
            decoded: "A.4k:proposed",
            call: call!(|c| {
                let a = c.unassigned_agreements().get("A.4k").await?;
                Ok(format!("{}:{}", a.ref_, a.status))
            }),
        },
        Case {
            op: "deleteUnassignedAgreement",
            path: "/unassigned_agreements/A.4k",
            query: &[],
            body: Body::None,
            decoded: "()",
            call: call!(|c| c
                .unassigned_agreements()
                .delete("A.4k")
                .await
                .map(|()| "()".into())),
        },
        // Users
        Case {
            op: "getUser",
            path: "/user",
            query: &[],
            body: Body::None,
            decoded: "Bear:Dog:Bear Dog Pty Ltd:12345678901:NSW:2000",
            call: call!(|c| {
                let u = c.user().get().await?;
                let account = u.account.unwrap();
                Ok(format!(
                    "{}:{}:{}:{}:{}:{}",
                    u.first_name.unwrap(),
                    u.last_name.unwrap(),
                    account.name.unwrap(),
                    account.abn.unwrap(),
                    account.state.unwrap(),
                    account.postcode.unwrap()
                ))
            }),
        },
        // Webhook management
        Case {
            op: "listWebhooks",
            path: "/webhooks",
            query: &[("per_page", "10")],
            body: Body::None,
            decoded: "https://example.com/webhooks/zepto:3:***",
            call: call!(|c| {
                let page = c.webhooks().list().per_page(10).send().await?;
                Ok(join(&page.items, |w| {
                    format!("{}:{}:{:?}", w.url, w.events.len(), w.signature_secret)
                }))
            }),
        },
        Case {
            op: "listWebhookDeliveries",
            path: "/webhooks/0a5d9b0e-6a47-4f4e-9c43-7d1b0f0a8e21/deliveries",
            query: &[
                ("per_page", "50"),
                ("starting_after", "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"),
                ("event_type", "debit.cleared"),
                ("since", "2021-09-01T00:00:00Z"),
                ("response_status_code", "5xx"),
                ("state", "failed"),
                ("ref", "PB.8apq"),
            ],
            body: Body::None,
            decoded: "payout_batch.added:completed:PB.8apq:Some(200):2021-09-02T02:24:50Z,\
                      debit.cleared:failed:D.5m:None:2021-09-02T01:58:13Z",
            call: call!(|c| {
                let page = c
                    .webhooks()
                    .deliveries("0a5d9b0e-6a47-4f4e-9c43-7d1b0f0a8e21")
                    .per_page(50)
                    .starting_after("1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9")
                    .event_type(WebhookEventType::DebitCleared.as_str())
                    .since(at("2021-09-01T00:00:00Z"))
                    .response_status_code(WebhookResponseStatusClass::V5xx)
                    .state(WebhookDeliveryState::Failed)
                    .reference("PB.8apq")
                    .send()
                    .await?;
                Ok(join(&page.items, |d| {
                    let summary = d.payload_data_summary.as_ref().unwrap();
                    format!(
                        "{}:{}:{}:{:?}:{}",
                        d.event_type.as_ref().unwrap(),
                        d.state.as_ref().unwrap(),
                        summary[0].ref_.as_ref().unwrap(),
                        d.response_status_code,
                        d.created_at.unwrap()
                    )
                }))
            }),
        },
        Case {
            op: "getWebhookDelivery",
            path: "/webhook_deliveries/3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c",
            query: &[],
            body: Body::None,
            decoded: "0a5d9b0e-6a47-4f4e-9c43-7d1b0f0a8e21:completed:payout_batch.added:123",
            call: call!(|c| {
                let d = c
                    .webhooks()
                    .get_delivery("3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c")
                    .await?;
                let payload = d.payload.unwrap();
                Ok(format!(
                    "{}:{}:{}:{}",
                    d.webhook_id.unwrap(),
                    d.state.unwrap(),
                    payload["event"]["type"].as_str().unwrap(),
                    payload["data"][0]["metadata"]["invoice_id"]
                ))
            }),
        },
        Case {
            op: "resendWebhookDelivery",
            path: "/webhook_deliveries/3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c",
            query: &[],
            body: Body::None,
            decoded: "3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c:pending",
            call: call!(|c| {
                #[allow(deprecated)]
                let r = c
                    .webhooks()
                    .resend_delivery("3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c")
                    .await?;
                Ok(format!("{}:{}", r.id.unwrap(), r.state.unwrap()))
            }),
        },
        Case {
            op: "redeliverWebhookDelivery",
            path: "/webhook_deliveries/3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c/redeliver",
            query: &[],
            body: Body::None,
            decoded: "3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c:0a5d9b0e-6a47-4f4e-9c43-7d1b0f0a8e21:pending",
            call: call!(|c| {
                let r = c
                    .webhooks()
                    .redeliver("3c1f0a9e-2b4d-4e8f-a1c2-9d8e7f6a5b4c")
                    .await?;
                Ok(format!(
                    "{}:{}:{}",
                    r.id.unwrap(),
                    r.webhook_id.unwrap(),
                    r.state.unwrap()
                ))
            }),
        },
    ]
}

/// Whether `path` fills the document's template (`/contacts/{id}` ...).
fn fills_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<_>, Vec<_>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p)
}

async fn run_case(case: &Case) {
    let op = case.op;
    let (method, template, _) = operation(op);
    assert!(
        fills_template(&template, case.path),
        "{op}: {} does not fill {template}",
        case.path
    );
    let status = success_status(op);
    let server = MockServer::start().await;
    let answer = match response_example(op, status) {
        Some(example) => ResponseTemplate::new(status).set_body_json(example),
        None => ResponseTemplate::new(status),
    };
    Mock::given(any()).respond_with(answer).mount(&server).await;

    let decoded = (case.call)(client(&server))
        .await
        .unwrap_or_else(|e| panic!("{op}: {e}"));
    assert_eq!(decoded, case.decoded, "{op}: decoded answer");

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1, "{op}: one request");
    let request = &requests[0];
    assert_eq!(request.method.as_str(), method, "{op}: method");
    assert_eq!(request.url.path(), case.path, "{op}: path");
    let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
    let expected: Vec<(String, String)> = case
        .query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(query, expected, "{op}: query");

    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some("Bearer test-token"),
        "{op}: Authorization"
    );
    assert_eq!(
        header("accept").as_deref(),
        Some("application/json"),
        "{op}: Accept"
    );
    assert_eq!(
        header("accepts").as_deref(),
        Some("application/json"),
        "{op}: the documented `Accepts` spelling"
    );
    let key = header("idempotency-key");
    if KEYED.contains(&op) {
        let key = key.unwrap_or_else(|| panic!("{op}: Idempotency-Key missing"));
        assert_eq!(key.len(), 36, "{op}: a UUID key, got {key}");
        assert_eq!(
            key.as_bytes()[14],
            b'4',
            "{op}: a version-4 UUID, got {key}"
        );
    } else {
        assert_eq!(key, None, "{op}: no Idempotency-Key where Zepto ignores it");
    }

    match case.body {
        Body::None => {
            assert!(request.body.is_empty(), "{op}: no body");
            assert_eq!(header("content-type"), None, "{op}: no Content-Type");
        }
        Body::DocExample => {
            assert_eq!(
                header("content-type").as_deref(),
                Some("application/json"),
                "{op}: Content-Type"
            );
            let sent: Value = serde_json::from_slice(&request.body).unwrap();
            let mut documented = request_example(op).unwrap();
            normalise_times(&mut documented);
            assert_eq!(sent, documented, "{op}: body is the documented example");
        }
    }
}

fn case(op: &str) -> Case {
    cases().into_iter().find(|c| c.op == op).unwrap()
}

macro_rules! operation_tests {
    ($($name:ident => $op:literal,)*) => {$(
        #[tokio::test]
        async fn $name() {
            run_case(&case($op)).await;
        }
    )*};
}

operation_tests! {
    list_outgoing_agreements => "listOutgoingAgreements",
    get_agreement => "getAgreement",
    cancel_agreement => "cancelAgreement",
    list_bank_accounts => "listBankAccounts",
    list_bank_connections => "listBankConnections",
    get_bank_connection => "getBankConnection",
    remove_bank_connection => "removeBankConnection",
    add_contact => "addContact",
    list_contacts => "listContacts",
    get_contact => "getContact",
    remove_contact => "removeContact",
    update_contact => "updateContact",
    refresh_contact_bank_connection => "refreshContactBankConnection",
    add_receivable_contact => "addReceivableContact",
    update_receivable_contact => "updateReceivableContact",
    disable_receivable_contact => "disableReceivableContact",
    reactivate_receivable_contact => "reactivateReceivableContact",
    create_open_agreement => "createOpenAgreement",
    list_open_agreements => "listOpenAgreements",
    activate_open_agreement => "activateOpenAgreement",
    close_open_agreement => "closeOpenAgreement",
    create_payment_request => "createPaymentRequest",
    get_payment_request => "getPaymentRequest",
    cancel_payment_request => "cancelPaymentRequest",
    list_payment_request_collections => "listPaymentRequestCollections",
    list_payment_request_receivables => "listPaymentRequestReceivables",
    create_payment => "createPayment",
    list_payments => "listPayments",
    get_payment => "getPayment",
    retry_payout => "retryPayout",
    void_payout => "voidPayout",
    void_payout_with_details => "voidPayoutWithDetails",
    issue_refund => "issueRefund",
    list_outgoing_refunds => "listOutgoingRefunds",
    get_refund => "getRefund",
    simulate_incoming_pay_id_payment => "simulateIncomingPayIdPayment",
    simulate_incoming_npp_pay_id_payment => "simulateIncomingNppPayIdPayment",
    simulate_incoming_npp_bban_payment => "simulateIncomingNppBbanPayment",
    simulate_incoming_de_payment => "simulateIncomingDePayment",
    list_transactions => "listTransactions",
    create_transfer => "createTransfer",
    list_transfers => "listTransfers",
    get_transfer => "getTransfer",
    propose_unassigned_agreement => "proposeUnassignedAgreement",
    list_unassigned_agreements => "listUnassignedAgreements",
    get_unassigned_agreement => "getUnassignedAgreement",
    delete_unassigned_agreement => "deleteUnassignedAgreement",
    get_user => "getUser",
    list_webhooks => "listWebhooks",
    list_webhook_deliveries => "listWebhookDeliveries",
    get_webhook_delivery => "getWebhookDelivery",
    resend_webhook_delivery => "resendWebhookDelivery",
    redeliver_webhook_delivery => "redeliverWebhookDelivery",
}

#[test]
fn one_case_per_documented_operation() {
    let cases = cases();
    let tested: BTreeSet<String> = cases.iter().map(|c| c.op.to_owned()).collect();
    let documented: BTreeSet<String> = operation_ids().into_iter().collect();
    assert_eq!(documented.len(), 53, "the document has 53 operations");
    assert_eq!(tested, documented, "one case per operation");
    assert_eq!(cases.len(), 53, "no operation tested twice");
}

#[test]
fn every_documented_example_decodes_into_its_schema() {
    use zepto_client::models::*;
    fn decode<T: serde::de::DeserializeOwned>(op: &str, status: u16) {
        let example =
            response_example(op, status).unwrap_or_else(|| panic!("{op} {status}: no example"));
        if let Err(e) = serde_json::from_value::<T>(example) {
            panic!("{op} {status}: {e}");
        }
    }
    // The conflict answers of the keyed operations that document one.
    for op in ["createPayment", "createPaymentRequest", "issueRefund"] {
        decode::<ErrorResponse>(op, 409);
    }
    // The success answers, each into its declared type (also covered by the cases above).
    decode::<AgreementListResponse>("listOutgoingAgreements", 200);
    decode::<ContactListResponse>("listContacts", 200);
    decode::<TransactionListResponse>("listTransactions", 200);
    decode::<PaymentResponse>("createPayment", 201);
    decode::<TransactionResponse>("retryPayout", 200);
    decode::<WebhookDeliveryListResponse>("listWebhookDeliveries", 200);
    decode::<WebhookDeliveryResponse>("getWebhookDelivery", 200);
    decode::<WebhookRedeliveryResponse>("redeliverWebhookDelivery", 202);
    decode::<UserResponse>("getUser", 200);
    decode::<TransferResponse>("createTransfer", 201);
    let schema_example: ErrorResponse = serde_json::from_value(json!({
        "errors": "A sentence explaining error/s encounted"
    }))
    .unwrap();
    assert!(matches!(
        schema_example.errors,
        ErrorResponseErrors::Message(_)
    ));
}

#[test]
fn only_the_keyed_operations_declare_the_idempotency_header() {
    let mut declared = BTreeSet::new();
    for op in operation_ids() {
        let (_, _, object) = operation(&op);
        let has_header = object["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
        if has_header {
            declared.insert(op);
        }
    }
    let expected: BTreeSet<String> = KEYED.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(declared, expected);
}
