//! What a provider cannot do, or an option it cannot honour, is refused before any request:
//! every provider points at a server that records what reaches it, and nothing does.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use splitkit::{
    AnteProvider, Capability, Cart, Error, FairShareProvider, LineItem, NewGroupPayment, Organizer,
    Participant, ProviderKind, Split, SplitProvider, SplitableProvider, ZeptoProvider,
};
use splitkit_common::Currency;
use wiremock::MockServer;

struct Providers {
    server: MockServer,
    all: Vec<Arc<dyn SplitProvider>>,
}

impl Providers {
    async fn start() -> Self {
        let server = MockServer::start().await;
        let base = server.uri();
        let ante = ante_client::Client::builder(
            ante_client::SecretKey::parse("ante_sk_test_0123456789abcdefghij").unwrap(),
        )
        .signing_secret(ante_client::SigningSecret::parse("ante_sign_0123456789abcdef").unwrap())
        .base_url(format!("{base}/ante"))
        .build()
        .unwrap();
        let fairshare = fairshare_client::Client::builder("fs_key")
            .base_url(format!("{base}/fairshare"))
            .build()
            .unwrap();
        let splitable = splitable_client::Client::builder("92746e4d66cb8993")
            .base_url(format!("{base}/splitable"))
            .build()
            .unwrap();
        let zepto = zepto_client::Client::builder(zepto_client::Environment::custom(
            format!("{base}/zepto"),
            format!("{base}/zepto-oauth"),
        ))
        .personal_access_token("token")
        .build()
        .unwrap();
        let all: Vec<Arc<dyn SplitProvider>> = vec![
            Arc::new(AnteProvider::new(ante)),
            Arc::new(FairShareProvider::new(fairshare)),
            Arc::new(SplitableProvider::new(splitable)),
            Arc::new(ZeptoProvider::new(zepto)),
        ];
        Self { server, all }
    }

    fn get(&self, kind: ProviderKind) -> &dyn SplitProvider {
        self.all
            .iter()
            .find(|p| p.kind() == kind)
            .map(AsRef::as_ref)
            .unwrap()
    }

    async fn assert_nothing_sent(&self) {
        let received = self.server.received_requests().await.unwrap_or_default();
        assert!(
            received.is_empty(),
            "requests were sent: {:?}",
            received
                .iter()
                .map(|r| r.url.to_string())
                .collect::<Vec<_>>()
        );
    }
}

fn cart(currency: Currency) -> Cart {
    Cart::new(currency).item(LineItem::new("Ticket", 2, 5_000))
}

fn usd(split: Split) -> NewGroupPayment {
    NewGroupPayment::new(cart(Currency::USD), "ORD-1", split)
}

/// The capability the refusal names, checking that its message names the provider too.
fn refused(result: Result<impl std::fmt::Debug, Error>, provider: ProviderKind) -> Capability {
    let err = result.expect_err("refused");
    match &err {
        Error::Unsupported {
            provider: named, ..
        } => {
            assert_eq!(*named, provider);
            let text = err.to_string();
            assert!(text.contains(provider.name()), "{text}");
            err.unsupported_capability().unwrap()
        }
        other => panic!("expected Unsupported from {provider}, got {other:?}"),
    }
}

fn invalid(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result.expect_err("refused") {
        Error::Invalid { field, .. } => field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn options_a_provider_cannot_honour_are_refused_before_sending() {
    let p = Providers::start().await;
    let ante = p.get(ProviderKind::Ante);
    let fairshare = p.get(ProviderKind::FairShare);
    let splitable = p.get(ProviderKind::Splitable);
    let zepto = p.get(ProviderKind::Zepto);
    let hook = "https://shop.example/hooks";

    let cases: Vec<(&dyn SplitProvider, NewGroupPayment, Capability)> = vec![
        (ante, usd(Split::Flexible), Capability::FlexibleSplit),
        (
            ante,
            usd(Split::PerItem).failure_url("https://x.example/f"),
            Capability::FailureUrl,
        ),
        (
            ante,
            usd(Split::PerItem).expires_in(Duration::from_secs(90 * 60)),
            Capability::Expiry,
        ),
        (
            ante,
            usd(Split::Equal { shares: 1 }).participant(Participant::new("someone")),
            Capability::Participants,
        ),
        (
            fairshare,
            usd(Split::Equal { shares: 11 }),
            Capability::EqualSplit,
        ),
        (
            fairshare,
            usd(Split::Equal { shares: 1 }),
            Capability::EqualSplit,
        ),
        (fairshare, usd(Split::Assigned), Capability::AssignedSplit),
        (
            fairshare,
            usd(Split::Flexible).organizer(Organizer::new().name("Alex")),
            Capability::Organizer,
        ),
        (
            fairshare,
            usd(Split::Flexible).notify_url(hook),
            Capability::NotifyUrl,
        ),
        (
            fairshare,
            usd(Split::Flexible).expires_in(Duration::from_secs(2 * 3600)),
            Capability::Expiry,
        ),
        (
            splitable,
            NewGroupPayment::new(cart(Currency::EUR), "ORD-1", Split::Flexible).notify_url(hook),
            Capability::Currency,
        ),
        (
            splitable,
            usd(Split::Equal { shares: 2 }).notify_url(hook),
            Capability::EqualSplit,
        ),
        (
            splitable,
            usd(Split::Flexible)
                .notify_url(hook)
                .success_url("https://x.example/s"),
            Capability::SuccessUrl,
        ),
        (
            splitable,
            usd(Split::Flexible)
                .notify_url(hook)
                .expires_in(Duration::from_secs(121 * 3600)),
            Capability::Expiry,
        ),
        (
            zepto,
            NewGroupPayment::new(cart(Currency::AUD), "ORD-1", Split::PerItem)
                .participant(Participant::new("c1")),
            Capability::PerItemSplit,
        ),
        (
            zepto,
            NewGroupPayment::new(cart(Currency::AUD), "ORD-1", Split::Equal { shares: 1 })
                .participant(Participant::new("c1"))
                .expires_in(Duration::from_secs(3600)),
            Capability::Expiry,
        ),
        (
            zepto,
            usd(Split::Equal { shares: 1 }).participant(Participant::new("c1")),
            Capability::Currency,
        ),
        (
            zepto,
            NewGroupPayment::new(cart(Currency::NZD), "ORD-1", Split::Equal { shares: 1 })
                .participant(Participant::new("c1")),
            Capability::Currency,
        ),
    ];
    for (provider, request, capability) in cases {
        let kind = provider.kind();
        assert_eq!(
            refused(provider.create(&request).await, kind),
            capability,
            "{kind}: {request:?}"
        );
    }
    p.assert_nothing_sent().await;
}

#[tokio::test]
async fn requests_that_break_a_shared_rule_are_invalid_before_sending() {
    let p = Providers::start().await;
    let zepto = p.get(ProviderKind::Zepto);
    let splitable = p.get(ProviderKind::Splitable);
    let fairshare = p.get(ProviderKind::FairShare);
    let aud = |split| NewGroupPayment::new(cart(Currency::AUD), "ORD-1", split);

    assert_eq!(
        invalid(zepto.create(&aud(Split::Assigned)).await),
        "participants"
    );
    assert_eq!(
        invalid(
            zepto
                .create(&aud(Split::Assigned).participants([
                    Participant::new("a").amount(5_000),
                    Participant::new("b").amount(4_000),
                ]))
                .await
        ),
        "participants",
        "assigned amounts must add up to the total"
    );
    assert_eq!(
        invalid(
            zepto
                .create(&aud(Split::Equal { shares: 3 }).participants([Participant::new("a")]))
                .await
        ),
        "participants"
    );
    assert_eq!(
        invalid(
            zepto
                .create(
                    &aud(Split::Equal { shares: 1 }).participant(Participant::new("a").amount(1))
                )
                .await
        ),
        "participants[0].amount"
    );
    assert_eq!(
        invalid(splitable.create(&usd(Split::Flexible)).await),
        "notify_url",
        "split(able) needs a callback URL"
    );
    let empty = NewGroupPayment::new(Cart::new(Currency::USD), "ORD-1", Split::Flexible);
    assert_eq!(invalid(fairshare.create(&empty).await), "cart.items");
    let zero = NewGroupPayment::new(
        Cart::new(Currency::USD).item(LineItem::new("Ticket", 0, 5_000)),
        "ORD-1",
        Split::Flexible,
    );
    assert_eq!(
        invalid(fairshare.create(&zero).await),
        "cart.items[0].quantity"
    );
    let overflow = NewGroupPayment::new(
        Cart::new(Currency::USD).item(LineItem::new("Ticket", 3, i64::MAX / 2)),
        "ORD-1",
        Split::Flexible,
    );
    assert_eq!(
        invalid(fairshare.create(&overflow).await),
        "cart.items[0].unit_amount"
    );
    assert_eq!(
        invalid(
            fairshare
                .create(&NewGroupPayment::new(
                    cart(Currency::USD),
                    " ",
                    Split::Flexible
                ))
                .await
        ),
        "merchant_reference"
    );
    p.assert_nothing_sent().await;
}

#[tokio::test]
async fn operations_follow_the_capability_data() {
    let p = Providers::start().await;
    for provider in &p.all {
        let kind = provider.kind();
        let caps = provider.capabilities();
        if !caps.cancel {
            assert_eq!(
                refused(provider.cancel("PR.1").await, kind),
                Capability::Cancel
            );
        }
        if !caps.lookup {
            assert_eq!(
                refused(provider.get("PR.1").await, kind),
                Capability::Lookup
            );
        }
        let err = provider
            .parse_webhook(&http::HeaderMap::new(), b"{}")
            .unwrap_err();
        assert!(
            matches!(err, Error::NotConfigured { provider, .. } if provider == kind),
            "{kind}: {err:?}"
        );
    }
    p.assert_nothing_sent().await;

    // What the data says a provider can do does reach it.
    for provider in &p.all {
        let caps = provider.capabilities();
        if caps.cancel {
            let err = provider.cancel("PR.1").await.unwrap_err();
            assert!(matches!(err, Error::Provider { .. }), "{err:?}");
        }
        if caps.lookup {
            let err = provider.get("PR.1").await.unwrap_err();
            assert!(matches!(err, Error::Provider { .. }), "{err:?}");
        }
    }
    let reached = p.server.received_requests().await.unwrap_or_default().len();
    let expected = p
        .all
        .iter()
        .map(|p| usize::from(p.capabilities().cancel) + usize::from(p.capabilities().lookup))
        .sum::<usize>();
    assert!(
        reached >= expected,
        "{reached} requests for {expected} calls"
    );
}
