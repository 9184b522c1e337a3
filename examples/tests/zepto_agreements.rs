//! Zepto's Agreements and bank connections through the SDK: Payment Requests within the terms
//! only, single-use and expiring Unassigned Agreements, Open Agreements accepted many times,
//! prechecked and retried Payment Requests.
#![allow(clippy::unwrap_used, deprecated)] // test code; retrying a payout is a deprecated operation

mod support;

use support::zepto_client as client;

use std::time::Duration;

use splitkit_common::Clock;
use splitkit_emulator::RunningEmulator;
use splitkit_emulator::control::{AgreementTerms, Authoriser, ControlError};
use zepto_client::contacts::NewContact;
use zepto_client::models::{PerFrequency, PerPayout, Terms};
use zepto_client::open_agreements::NewOpenAgreement;
use zepto_client::payment_requests::NewPaymentRequest;
use zepto_client::unassigned_agreements::NewUnassignedAgreement;
use zepto_client::{Error, Timestamp};

async fn request(
    emulator: &RunningEmulator,
    contact: &str,
    amount: i64,
) -> Result<zepto_client::models::PaymentRequest, Error> {
    let now = Timestamp::from_unix_seconds(emulator.clock().unix_seconds()).unwrap();
    client(emulator)
        .payment_requests()
        .create(NewPaymentRequest::new(contact, amount, "Rent", now))
        .await
}

fn refused(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::Api(e)) if e.status == 422 => e.message.unwrap_or_default(),
        other => panic!("expected a 422, got {other:?}"),
    }
}

#[tokio::test]
async fn payment_requests_stay_within_an_accepted_agreement() {
    let emulator = support::start(support::config()).await;
    let contact = client(&emulator)
        .contacts()
        .create(
            NewContact::new()
                .name("Tenant")
                .email("t@example.com")
                .branch_code("062000")
                .account_number("12345678"),
        )
        .await
        .unwrap();
    assert!(refused(request(&emulator, &contact.id, 100).await).contains("no accepted Agreement"));

    let agreement = emulator
        .zepto()
        .accept_agreement(
            &contact.id,
            AgreementTerms::unlimited()
                .per_payout(None, Some(1_000))
                .per_frequency(7, 1_500),
        )
        .await
        .unwrap();
    assert!(refused(request(&emulator, &contact.id, 1_001).await).contains("per-payout maximum"));
    request(&emulator, &contact.id, 1_000).await.unwrap();
    assert!(refused(request(&emulator, &contact.id, 600).await).contains("over 7 days"));
    // A week later the frequency allows it again.
    emulator
        .clock()
        .advance(Duration::from_secs(8 * 86_400))
        .await
        .unwrap();
    request(&emulator, &contact.id, 600).await.unwrap();

    client(&emulator)
        .agreements()
        .cancel(&agreement)
        .await
        .unwrap();
    assert!(refused(request(&emulator, &contact.id, 10).await).contains("no accepted Agreement"));
    assert!(
        !emulator
            .zepto()
            .contact(&contact.id)
            .await
            .unwrap()
            .agreement_accepted
    );
}

fn fixed(amount: i64) -> Terms {
    Terms {
        per_payout: PerPayout {
            min_amount: Some(amount),
            max_amount: Some(amount),
        },
        per_frequency: PerFrequency {
            days: None,
            max_amount: None,
        },
    }
}

#[tokio::test]
async fn unassigned_agreements_are_taken_once_in_time_and_single_use_ones_expend() {
    let emulator = support::start(support::config()).await;
    let zepto = client(&emulator);
    let once = zepto
        .unassigned_agreements()
        .create(NewUnassignedAgreement::new(600, fixed(2_500)).single_use(true))
        .await
        .unwrap();
    let accepted = emulator
        .zepto()
        .accept_unassigned_agreement(&once.ref_, Authoriser::new("Ann", "ann@example.com"))
        .await
        .unwrap();
    let again = emulator
        .zepto()
        .accept_unassigned_agreement(&once.ref_, Authoriser::new("Bob", "bob@example.com"))
        .await;
    assert!(matches!(
        again,
        Err(ControlError::Rejected { status: 409, .. })
    ));
    assert!(
        zepto
            .unassigned_agreements()
            .list()
            .send()
            .await
            .unwrap()
            .items
            .is_empty()
    );
    request(&emulator, &accepted.contact_id, 2_500)
        .await
        .unwrap();
    assert_eq!(
        zepto
            .agreements()
            .get(&once.ref_)
            .await
            .unwrap()
            .status
            .as_str(),
        "expended"
    );
    refused(request(&emulator, &accepted.contact_id, 2_500).await);

    let late = zepto
        .unassigned_agreements()
        .create(NewUnassignedAgreement::new(60, fixed(100)))
        .await
        .unwrap();
    emulator
        .clock()
        .advance(Duration::from_secs(61))
        .await
        .unwrap();
    let expired = emulator
        .zepto()
        .accept_unassigned_agreement(&late.ref_, Authoriser::default())
        .await;
    assert!(matches!(
        expired,
        Err(ControlError::Rejected { status: 409, .. })
    ));
}

#[tokio::test]
async fn open_agreements_make_an_agreement_per_acceptance_while_active() {
    let emulator = support::start(support::config()).await;
    let zepto = client(&emulator);
    let open = zepto
        .open_agreements()
        .create(NewOpenAgreement::new("Plan A", fixed(5_000)))
        .await
        .unwrap();
    for name in ["Ann", "Bob"] {
        emulator
            .zepto()
            .accept_open_agreement(&open.ref_, Authoriser::new(name, "x@example.com"))
            .await
            .unwrap();
    }
    assert_eq!(
        zepto.agreements().list().send().await.unwrap().items.len(),
        2
    );
    assert_eq!(zepto.contacts().list().send().await.unwrap().items.len(), 2);
    zepto.open_agreements().close(&open.ref_).await.unwrap();
    let closed = emulator
        .zepto()
        .accept_open_agreement(&open.ref_, Authoriser::default())
        .await;
    assert!(matches!(
        closed,
        Err(ControlError::Rejected { status: 409, .. })
    ));
    assert!(matches!(
        zepto.open_agreements().close(&open.ref_).await,
        Err(Error::Api(e)) if e.status == 422
    ));
}

#[tokio::test]
async fn a_prefailed_request_is_retried_only_once_the_balance_allows() {
    let emulator = support::start(support::config()).await;
    let zepto = client(&emulator);
    let contact = zepto
        .contacts()
        .create(
            NewContact::new()
                .name("Tenant")
                .email("t@example.com")
                .branch_code("062000")
                .account_number("12345678"),
        )
        .await
        .unwrap();
    emulator
        .zepto()
        .accept_agreement(&contact.id, AgreementTerms::unlimited())
        .await
        .unwrap();
    let connection = emulator
        .zepto()
        .connect_bank(&contact.id, 1_000)
        .await
        .unwrap();
    let prefailed = request(&emulator, &contact.id, 5_000).await.unwrap();
    let credit = prefailed.credit_ref.clone().unwrap();
    assert!(refused(zepto.payouts().retry(&credit).await).contains("insufficient funds"));
    emulator
        .zepto()
        .connect_bank(&contact.id, 5_000)
        .await
        .unwrap();
    zepto
        .contacts()
        .refresh_bank_connection(&contact.id)
        .await
        .unwrap();
    zepto.payouts().retry(&credit).await.unwrap();
    emulator.zepto().run_processing().await.unwrap();
    let cleared = zepto
        .transactions()
        .list()
        .send()
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|t| t.ref_ == credit)
        .unwrap();
    assert_eq!(cleared.status.as_str(), "cleared");

    zepto.bank_connections().remove(&connection).await.unwrap();
    refused(zepto.contacts().refresh_bank_connection(&contact.id).await);
}
