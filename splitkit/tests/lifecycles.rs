//! The neutral states and events against the emulator's real lifecycles, provider by provider:
//! every transition the provider can make is driven through the emulator's control endpoints,
//! its real signed webhooks are received over HTTP, verified and mapped, and the group payment is
//! read back where the provider allows.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::time::Duration;

use splitkit::{
    Capability, Cart, Error, EventKind, LineItem, NewGroupPayment, Organizer, Participant,
    ShareStatus, Split, State,
};
use splitkit_common::{Currency, MinorUnits};
use support::{Harness, kinds};

fn usd_cart() -> Cart {
    Cart::new(Currency::USD)
        .item(LineItem::new("Concert ticket", 2, 5_000).id("ticket-ga"))
        .tax(1_000)
}

fn pair(provider_type: &str, kind: EventKind) -> (String, EventKind) {
    (provider_type.to_string(), kind)
}

// ---------------------------------------------------------------------------------------------
// Ante: pending -> (partially paid) -> funded | expired | cancelled

#[tokio::test]
async fn ante_open_partially_paid_then_funded() {
    let h = Harness::start().await;
    let ante = h.ante.as_ref();
    let order = NewGroupPayment::new(usd_cart(), "ORD-ANTE-1", Split::Equal { shares: 2 })
        .organizer(Organizer::new().name("Alex").email("alex@example.com"))
        .expires_in(Duration::from_secs(48 * 3600))
        .success_url("https://shop.example/thanks")
        .cancel_url("https://shop.example/cart")
        .notify_url(h.receiver.url(ante.kind()));
    let payment = ante.create(&order).await.unwrap();
    assert_eq!(payment.state, State::Open);
    assert_eq!(payment.provider_state, "pending");
    assert_eq!(payment.total, Some(MinorUnits::new(11_000)));
    assert_eq!(payment.currency, Some(Currency::USD));
    assert_eq!(payment.share_links.len(), 1);
    assert!(
        payment.share_links[0].url.expose().contains(&payment.id),
        "the organizer's link leads to the session"
    );
    assert!(
        !format!("{payment:?}").contains("access="),
        "the organizer's link is a credential and never shows in Debug"
    );

    h.control.ante_open(&payment.id).await;
    let created = h.next_event(ante).await;
    assert_eq!(
        kinds(std::slice::from_ref(&created)),
        [pair("group.created", EventKind::Created)]
    );
    assert_eq!(created.payment_id(), Some(payment.id.as_str()));
    assert_eq!(created.merchant_reference(), Some("ORD-ANTE-1"));
    assert_eq!(created.state(), Some(State::Open));
    assert!(created.raw.ante().is_some(), "Ante's typed event is kept");

    h.control.ante_pay(&payment.id, 1).await;
    let half = ante.get(&payment.id).await.unwrap();
    assert_eq!(half.state, State::PartiallyPaid);
    assert_eq!(half.provider_state, "pending");
    assert_eq!(half.collected, Some(MinorUnits::new(5_500)));
    assert_eq!(half.total, Some(MinorUnits::new(11_000)));
    assert_eq!(half.merchant_reference.as_deref(), Some("ORD-ANTE-1"));
    let statuses: Vec<_> = half.shares.iter().map(|s| s.status).collect();
    assert_eq!(statuses.len(), 2);
    assert!(statuses.contains(&ShareStatus::Paid) && statuses.contains(&ShareStatus::Pending));
    assert!(h.quiet(ante).await, "Ante sends no event per share");

    h.control.ante_pay_all(&payment.id).await;
    let funded = h.next_event(ante).await;
    assert_eq!(
        kinds(std::slice::from_ref(&funded)),
        [pair("group.funded", EventKind::Funded)]
    );
    assert_eq!(funded.state(), Some(State::Funded));
    assert_eq!(funded.updates[0].amount, Some(MinorUnits::new(11_000)));
    assert_eq!(funded.merchant_reference(), Some("ORD-ANTE-1"));

    let read = ante.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Funded);
    assert_eq!(read.collected, Some(MinorUnits::new(11_000)));
}

#[tokio::test]
async fn ante_expired_after_a_share_was_paid() {
    let h = Harness::start().await;
    let ante = h.ante.as_ref();
    let order = NewGroupPayment::new(usd_cart(), "ORD-ANTE-2", Split::PerItem)
        .notify_url(h.receiver.url(ante.kind()));
    let payment = ante.create(&order).await.unwrap();
    h.control.ante_pay(&payment.id, 1).await;
    let events = h.events_until(ante, EventKind::Created).await;
    assert_eq!(kinds(&events), [pair("group.created", EventKind::Created)]);

    h.control.ante_expire(&payment.id).await;
    let expired = h.next_event(ante).await;
    assert_eq!(
        kinds(std::slice::from_ref(&expired)),
        [pair("group.expired", EventKind::Expired)]
    );
    assert_eq!(expired.state(), Some(State::Expired));

    let read = ante.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Expired);
    assert!(
        read.shares
            .iter()
            .any(|s| s.status == ShareStatus::Refunded),
        "the paid share was refunded: {:?}",
        read.shares
    );
}

#[tokio::test]
async fn ante_cancelled_through_the_neutral_api() {
    let h = Harness::start().await;
    let ante = h.ante.as_ref();
    let order = NewGroupPayment::new(usd_cart(), "ORD-ANTE-3", Split::Equal { shares: 3 })
        .notify_url(h.receiver.url(ante.kind()));
    let payment = ante.create(&order).await.unwrap();
    ante.cancel(&payment.id).await.unwrap();
    let cancelled = h.next_event(ante).await;
    assert_eq!(
        kinds(std::slice::from_ref(&cancelled)),
        [pair("group.cancelled", EventKind::Cancelled)]
    );
    assert_eq!(cancelled.merchant_reference(), Some("ORD-ANTE-3"));
    let read = ante.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Cancelled);
    assert_eq!(
        read.shares.len(),
        3,
        "a group of exactly three equal shares"
    );
}

// ---------------------------------------------------------------------------------------------
// FairShare: PENDING -> PARTIAL -> COMPLETED -> REFUNDED | EXPIRED | CANCELED

fn qar_cart() -> Cart {
    Cart::new(Currency::parse("QAR").unwrap())
        .item(LineItem::new("Pizza", 2, 4_000).id("pizza"))
        .item(LineItem::new("Soft drink", 2, 2_025).id("drink"))
}

#[tokio::test]
async fn fairshare_partially_paid_funded_then_refunded() {
    let h = Harness::start().await;
    let fairshare = h.fairshare.as_ref();
    let order = NewGroupPayment::new(qar_cart(), "ORD-FS-1", Split::Equal { shares: 3 })
        .description("Team dinner")
        .expires_in(Duration::from_secs(30 * 60))
        .success_url("https://shop.example/thanks")
        .cancel_url("https://shop.example/cart")
        .failure_url("https://shop.example/failed");
    let payment = fairshare.create(&order).await.unwrap();
    assert_eq!(payment.state, State::Open);
    assert_eq!(payment.provider_state, "PENDING");
    assert_eq!(
        payment.total,
        Some(MinorUnits::new(12_050)),
        "120.50 QAR, exactly"
    );
    assert_eq!(payment.collected, Some(MinorUnits::ZERO));
    assert_eq!(payment.merchant_reference.as_deref(), Some("ORD-FS-1"));
    assert!(payment.share_links[0].url.expose().contains(&payment.id));
    let created = h.next_event(fairshare).await;
    assert_eq!(
        kinds(std::slice::from_ref(&created)),
        [pair("split_session.created", EventKind::Created)]
    );
    assert_eq!(created.state(), Some(State::Open));

    let again = fairshare.create(&order).await.unwrap();
    assert_eq!(
        again.id, payment.id,
        "the create is idempotent on the merchant reference"
    );

    h.control
        .fairshare_contribute(&payment.id, "ana", None)
        .await;
    let events = h.events_until(fairshare, EventKind::PartiallyPaid).await;
    assert_eq!(
        kinds(&events),
        [
            pair("contribution.created", EventKind::SharePaid),
            pair("split_session.lead_authorized", EventKind::Other),
            pair("split_session.partial", EventKind::PartiallyPaid),
        ]
    );
    assert_eq!(events[0].payment_id(), Some(payment.id.as_str()));
    assert!(
        events[0].updates[0].share_id.is_some(),
        "the contribution is named"
    );
    let partial = &events[2];
    assert_eq!(partial.state(), Some(State::PartiallyPaid));
    assert_eq!(partial.merchant_reference(), Some("ORD-FS-1"));
    // 120.50 / 3: the emulator gives each of the first two 40.16 and the last the rest.
    assert_eq!(partial.updates[0].amount, Some(MinorUnits::new(4_016)));
    let status_changed = h.next_event(fairshare).await;
    assert_eq!(
        kinds(std::slice::from_ref(&status_changed)),
        [pair("split_session.status_changed", EventKind::Other)]
    );
    assert_eq!(status_changed.state(), Some(State::PartiallyPaid));

    let read = fairshare.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::PartiallyPaid);
    assert_eq!(read.collected, Some(MinorUnits::new(4_016)));
    assert_eq!(read.shares.len(), 1);
    assert_eq!(read.shares[0].amount, Some(MinorUnits::new(4_016)));
    assert_eq!(read.shares[0].status, ShareStatus::Paid);

    h.control
        .fairshare_contribute(&payment.id, "ben", None)
        .await;
    h.control
        .fairshare_contribute(&payment.id, "cy", None)
        .await;
    let events = h.events_until(fairshare, EventKind::Funded).await;
    let funded = events.last().unwrap();
    assert_eq!(funded.provider_type, "split_session.completed");
    assert_eq!(funded.state(), Some(State::Funded));
    assert_eq!(funded.updates[0].amount, Some(MinorUnits::new(12_050)));
    let read = fairshare.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Funded);
    assert_eq!(read.collected, read.total);
    assert_eq!(read.shares.len(), 3);

    h.control.fairshare_end(&payment.id, "refund").await;
    let events = h.events_until(fairshare, EventKind::Refunded).await;
    assert_eq!(events.last().unwrap().state(), Some(State::Refunded));
    assert_eq!(
        fairshare.get(&payment.id).await.unwrap().state,
        State::Refunded
    );
}

#[tokio::test]
async fn fairshare_expired_and_cancelled() {
    let h = Harness::start().await;
    let fairshare = h.fairshare.as_ref();
    let flexible = NewGroupPayment::new(qar_cart(), "ORD-FS-2", Split::Flexible);
    let first = fairshare.create(&flexible).await.unwrap();
    h.control
        .fairshare_contribute(&first.id, "ana", Some("10.25"))
        .await;
    h.control.fairshare_end(&first.id, "expire").await;
    let events = h.events_until(fairshare, EventKind::Expired).await;
    assert_eq!(events.last().unwrap().state(), Some(State::Expired));
    let read = fairshare.get(&first.id).await.unwrap();
    assert_eq!(read.state, State::Expired);
    assert_eq!(read.collected, Some(MinorUnits::new(1_025)));

    let per_item = NewGroupPayment::new(qar_cart(), "ORD-FS-3", Split::PerItem);
    let second = fairshare.create(&per_item).await.unwrap();
    let err = fairshare.cancel(&second.id).await.unwrap_err();
    assert_eq!(err.unsupported_capability(), Some(Capability::Cancel));
    // FairShare's dashboard can cancel; its event and status come through all the same.
    h.control.fairshare_end(&second.id, "cancel").await;
    let events = h.events_until(fairshare, EventKind::Cancelled).await;
    assert_eq!(
        events.last().unwrap().provider_type,
        "split_session.canceled"
    );
    let read = fairshare.get(&second.id).await.unwrap();
    assert_eq!(
        (read.state, read.provider_state.as_str()),
        (State::Cancelled, "CANCELED")
    );
}

// ---------------------------------------------------------------------------------------------
// split(able): open -> paid | cancelled (expired)

#[tokio::test]
async fn splitable_funded_by_the_team() {
    let h = Harness::start().await;
    let splitable = h.splitable.as_ref();
    let order = NewGroupPayment::new(usd_cart(), "INV-SP-1", Split::Flexible)
        .description("Concert night")
        .expires_in(Duration::from_secs(24 * 3600))
        .notify_url(h.receiver.url(splitable.kind()));
    let payment = splitable.create(&order).await.unwrap();
    assert_eq!(payment.state, State::Open);
    assert_eq!(payment.total, Some(MinorUnits::new(11_000)));
    assert!(payment.share_links[0].url.expose().contains(&payment.id));

    h.control.splitable_pay(&payment.id, Some(4_000)).await;
    assert!(
        h.quiet(splitable).await,
        "no callback before the total is paid"
    );
    let err = splitable.get(&payment.id).await.unwrap_err();
    assert_eq!(err.unsupported_capability(), Some(Capability::Lookup));

    h.control.splitable_pay(&payment.id, None).await;
    let paid = h.next_event(splitable).await;
    assert_eq!(
        kinds(std::slice::from_ref(&paid)),
        [pair("paid", EventKind::Funded)]
    );
    assert_eq!(paid.merchant_reference(), Some("INV-SP-1"));
    assert_eq!(paid.state(), Some(State::Funded));
    assert_eq!(paid.payment_id(), None, "callbacks name the invoice only");
    assert!(!paid.id.is_empty(), "the transaction id de-duplicates");
}

#[tokio::test]
async fn splitable_cancelled_and_expired() {
    let h = Harness::start().await;
    let splitable = h.splitable.as_ref();
    let order = |reference: &str| {
        NewGroupPayment::new(usd_cart(), reference, Split::Flexible)
            .expires_in(Duration::from_secs(3600))
            .notify_url(h.receiver.url(splitable.kind()))
    };
    let cancelled = splitable.create(&order("INV-SP-2")).await.unwrap();
    let err = splitable.cancel(&cancelled.id).await.unwrap_err();
    assert_eq!(err.unsupported_capability(), Some(Capability::Cancel));
    h.control.splitable_cancel(&cancelled.id).await;
    let event = h.next_event(splitable).await;
    assert_eq!(
        kinds(std::slice::from_ref(&event)),
        [pair("cancelled", EventKind::Expired)]
    );
    assert_eq!(event.merchant_reference(), Some("INV-SP-2"));

    let expiring = splitable.create(&order("INV-SP-3")).await.unwrap();
    h.control.splitable_pay(&expiring.id, Some(1_000)).await;
    h.control.advance_clock(2 * 3600).await;
    let event = h.next_event(splitable).await;
    assert_eq!(
        kinds(std::slice::from_ref(&event)),
        [pair("cancelled", EventKind::Expired)]
    );
    assert_eq!(event.merchant_reference(), Some("INV-SP-3"));
    assert_eq!(event.state(), Some(State::Expired));
}

// ---------------------------------------------------------------------------------------------
// Zepto: one Payment Request per participant: open -> funded | failed | cancelled

fn aud_cart() -> Cart {
    Cart::new(Currency::AUD).item(LineItem::new("Holiday house", 1, 90_001))
}

#[tokio::test]
async fn zepto_shares_paid_until_funded() {
    let h = Harness::start().await;
    let zepto = h.zepto.as_ref();
    let ana = h.zepto_contact("Ana", "11111111").await;
    let ben = h.zepto_contact("Ben", "22222222").await;
    let order = NewGroupPayment::new(aud_cart(), "ORD-Z-1", Split::Equal { shares: 2 })
        .description("Holiday")
        .participants([
            Participant::new(&ana).name("Ana"),
            Participant::new(&ben).name("Ben"),
        ]);
    let payment = zepto.create(&order).await.unwrap();
    assert_eq!(payment.state, State::Open);
    assert_eq!(payment.shares.len(), 2);
    let amounts: Vec<_> = payment.shares.iter().map(|s| s.amount).collect();
    assert_eq!(
        amounts,
        [Some(MinorUnits::new(45_001)), Some(MinorUnits::new(45_000))],
        "equal shares, the remainder on the first"
    );
    assert_eq!(payment.total, Some(MinorUnits::new(90_001)));
    assert!(payment.share_links.is_empty());

    let again = zepto.create(&order).await.unwrap();
    assert_eq!(
        again.id, payment.id,
        "a repeated create finds the same requests"
    );

    let added = h.events_until(zepto, EventKind::Created).await;
    let added = added.last().unwrap();
    assert_eq!(added.provider_type, "payment_request.added");
    assert_eq!(added.merchant_reference(), Some("ORD-Z-1"));
    let first_share = payment.shares[0].id.clone();
    assert_eq!(added.updates[0].share_id, first_share);
    let read = zepto.get(&payment.id).await.unwrap();
    assert_eq!(
        (read.state, read.collected),
        (State::Open, Some(MinorUnits::ZERO))
    );

    h.control.zepto_process().await;
    let mut paid = Vec::new();
    while paid.len() < 2 {
        let event = h.next_event(zepto).await;
        if event.kind == EventKind::SharePaid {
            assert_eq!(event.provider_type, "credit.cleared");
            assert_eq!(event.merchant_reference(), Some("ORD-Z-1"));
            paid.push(event.updates[0].share_id.clone().unwrap());
        }
    }
    paid.sort();
    let mut shares: Vec<_> = payment.shares.iter().filter_map(|s| s.id.clone()).collect();
    shares.sort();
    assert_eq!(paid, shares, "one share_paid per participant");

    let read = zepto.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Funded);
    assert_eq!(read.collected, Some(MinorUnits::new(90_001)));
    assert_eq!(read.merchant_reference.as_deref(), Some("ORD-Z-1"));
    assert!(read.shares.iter().all(|s| s.status == ShareStatus::Paid));
}

#[tokio::test]
async fn zepto_a_failed_debit_fails_the_group() {
    let h = Harness::start().await;
    let zepto = h.zepto.as_ref();
    let ana = h.zepto_contact("Ana", "11111111").await;
    let ben = h.zepto_contact("Ben", "22222222").await;
    // 11 cents is the sandbox amount whose debit fails with insufficient_funds.
    let cart = Cart::new(Currency::AUD).item(LineItem::new("Deposit", 1, 5_011));
    let order = NewGroupPayment::new(cart, "ORD-Z-2", Split::Assigned).participants([
        Participant::new(&ana).amount(5_000),
        Participant::new(&ben).amount(11),
    ]);
    let payment = zepto.create(&order).await.unwrap();
    h.control.zepto_process().await;
    let events = h.events_until(zepto, EventKind::Failed).await;
    let failed = events.last().unwrap();
    assert_eq!(failed.provider_type, "creditor_debit.returned");
    assert_eq!(failed.updates[0].share_id, payment.shares[1].id);
    assert_eq!(failed.updates[0].amount, Some(MinorUnits::new(11)));

    let read = zepto.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Failed);
    let statuses: Vec<_> = read.shares.iter().map(|s| s.status).collect();
    assert_eq!(statuses, [ShareStatus::Paid, ShareStatus::Failed]);
    assert_eq!(read.collected, Some(MinorUnits::new(5_000)));
}

#[tokio::test]
async fn zepto_cancelled_through_the_neutral_api() {
    let h = Harness::start().await;
    let zepto = h.zepto.as_ref();
    let ana = h.zepto_contact("Ana", "11111111").await;
    let ben = h.zepto_contact("Ben", "22222222").await;
    let order = NewGroupPayment::new(aud_cart(), "ORD-Z-3", Split::Equal { shares: 2 })
        .participants([Participant::new(&ana), Participant::new(&ben)]);
    let payment = zepto.create(&order).await.unwrap();
    zepto.cancel(&payment.id).await.unwrap();
    let events = h.events_until(zepto, EventKind::Cancelled).await;
    let cancelled = events.last().unwrap();
    assert_eq!(cancelled.provider_type, "payment_request.cancelled");
    assert_eq!(cancelled.merchant_reference(), Some("ORD-Z-3"));
    let read = zepto.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Cancelled);
    assert!(
        read.shares
            .iter()
            .all(|s| s.status == ShareStatus::Cancelled)
    );

    h.control.zepto_process().await;
    let err = zepto.cancel(&payment.id).await.unwrap_err();
    assert!(
        matches!(err, Error::Provider { .. }),
        "Zepto refuses to cancel twice: {err}"
    );
}
