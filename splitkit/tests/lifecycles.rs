//! The neutral states and events against the emulator's real lifecycles, provider by provider:
//! every transition the provider can make is driven through the emulator's control endpoints,
//! its real signed webhooks are received over HTTP, verified and mapped, and the group payment is
//! read back where the provider allows.

mod support;

use std::time::Duration;

use splitkit::{
    Cart, EventKind, LineItem, NewGroupPayment, Organizer, Participant, ShareStatus, Split,
    SplitProvider, State,
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
    assert_eq!(kinds(&[created.clone()]), [pair("group.created", EventKind::Created)]);
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
    assert_eq!(kinds(&[funded.clone()]), [pair("group.funded", EventKind::Funded)]);
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
    assert_eq!(kinds(&[expired.clone()]), [pair("group.expired", EventKind::Expired)]);
    assert_eq!(expired.state(), Some(State::Expired));

    let read = ante.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Expired);
    assert!(
        read.shares.iter().any(|s| s.status == ShareStatus::Refunded),
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
        kinds(&[cancelled.clone()]),
        [pair("group.cancelled", EventKind::Cancelled)]
    );
    assert_eq!(cancelled.merchant_reference(), Some("ORD-ANTE-3"));
    let read = ante.get(&payment.id).await.unwrap();
    assert_eq!(read.state, State::Cancelled);
    assert_eq!(read.shares.len(), 3, "a group of exactly three equal shares");
}
