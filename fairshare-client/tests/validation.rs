//! Every local rule: broken, it is a validation error naming the field and nothing is sent;
//! at its edges, it passes.

#![allow(clippy::unwrap_used)]

mod support;

use std::str::FromStr;

use fairshare_client::{
    ConvenienceFee, Decimal, Error, FlexibleAmount, IdempotencyKey, Item, NewSplitSession,
    SplitKind,
};
use support::*;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn flexible() -> NewSplitSession<FlexibleAmount> {
    NewSplitSession::flexible_amount(Decimal::from(300), "QAR")
}

fn item() -> Item {
    Item::new("pizza-1", "Pizza", Decimal::from(40), 2)
}

/// The field a validation error names, and its rule.
fn invalid<T: std::fmt::Debug>(result: Result<T, Error>) -> (String, String) {
    match result {
        Err(Error::Validation { field, rule }) => (field.into_owned(), rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Sends `session` to a server that must receive nothing; returns the field named.
async fn refused<K: SplitKind>(session: NewSplitSession<K>) -> (String, String) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    invalid(client(&server).sessions().create(session).await)
}

#[tokio::test]
async fn total_must_be_greater_than_zero() {
    let (field, rule) = refused(NewSplitSession::flexible_amount(Decimal::ZERO, "QAR")).await;
    assert_eq!(field, "totalAmountQar");
    assert!(rule.contains("greater than 0"), "{rule}");
    let (field, rule) = refused(NewSplitSession::flexible_amount(dec("-0.01"), "QAR")).await;
    assert_eq!(field, "totalAmountQar");
    assert!(rule.contains("-0.01"), "{rule}");
    assert!(
        NewSplitSession::flexible_amount(dec("0.01"), "QAR")
            .to_request_body()
            .is_ok()
    );
}

#[tokio::test]
async fn currency_must_be_a_three_letter_code() {
    for bad in ["", "QA", "QATR", "Q4R", "ر.ق"] {
        let (field, _) = refused(NewSplitSession::flexible_amount(Decimal::ONE, bad)).await;
        assert_eq!(field, "currency", "{bad:?}");
    }
    let body = NewSplitSession::flexible_amount(Decimal::ONE, "qar")
        .to_request_body()
        .unwrap();
    assert_eq!(body.currency, "QAR");
}

#[tokio::test]
async fn pick_items_needs_at_least_one_item() {
    let (field, rule) = refused(NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        Vec::new(),
    ))
    .await;
    assert_eq!(field, "items");
    assert!(rule.contains("at least one item"), "{rule}");
}

#[tokio::test]
async fn item_id_must_not_be_empty() {
    let session = NewSplitSession::pick_items(Decimal::from(120), "QAR", [item()]).item(Item::new(
        " ",
        "Soft Drink",
        Decimal::from(20),
        2,
    ));
    assert_eq!(refused(session).await.0, "items[1].id");
}

#[tokio::test]
async fn item_description_must_not_be_empty() {
    let session = NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        [Item::new("pizza-1", "", Decimal::from(40), 2)],
    );
    assert_eq!(refused(session).await.0, "items[0].description");
}

#[tokio::test]
async fn item_price_must_not_be_negative() {
    let session = NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        [Item::new("pizza-1", "Pizza", dec("-1"), 2)],
    );
    assert_eq!(refused(session).await.0, "items[0].price");
    let free = NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        [Item::new("napkin", "Napkin", Decimal::ZERO, 1)],
    );
    assert!(free.to_request_body().is_ok());
}

#[tokio::test]
async fn item_quantity_must_be_at_least_one() {
    let session = NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        [Item::new("pizza-1", "Pizza", Decimal::from(40), 0)],
    );
    let (field, rule) = refused(session).await;
    assert_eq!(field, "items[0].quantity");
    assert!(rule.contains("at least 1"), "{rule}");
    let too_many = NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        [Item::new("pizza-1", "Pizza", Decimal::from(40), u32::MAX)],
    );
    assert_eq!(invalid(too_many.to_request_body()).0, "items[0].quantity");
    let one = NewSplitSession::pick_items(
        Decimal::from(120),
        "QAR",
        [Item::new("pizza-1", "Pizza", Decimal::from(40), 1)],
    );
    assert_eq!(one.to_request_body().unwrap().items.unwrap()[0].quantity, 1);
}

#[tokio::test]
async fn item_image_url_must_parse() {
    let session =
        NewSplitSession::pick_items(Decimal::from(120), "QAR", [item().image_url("pizza.png")]);
    assert_eq!(refused(session).await.0, "items[0].imageUrl");
}

#[tokio::test]
async fn expected_contributors_must_be_between_2_and_10() {
    for bad in [0, 1, 11, 255] {
        let (field, rule) = refused(NewSplitSession::split_evenly(
            Decimal::from(200),
            "QAR",
            bad,
        ))
        .await;
        assert_eq!(field, "expectedContributors", "{bad}");
        assert!(rule.contains("between 2 and 10"), "{rule}");
    }
    for good in [2, 10] {
        let body = NewSplitSession::split_evenly(Decimal::from(200), "QAR", good)
            .to_request_body()
            .unwrap();
        assert_eq!(body.expected_contributors, Some(i32::from(good)));
    }
}

#[tokio::test]
async fn set_expected_contributors_checks_the_range_and_the_id() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let c = client(&server);
    for bad in [1, 11] {
        let (field, _) = invalid(
            c.sessions()
                .set_expected_contributors(SESSION_ID, bad)
                .await,
        );
        assert_eq!(field, "expectedContributors");
    }
    let (field, _) = invalid(c.sessions().set_expected_contributors("", 4).await);
    assert_eq!(field, "id");
    let (field, _) = invalid(c.sessions().get(" ").await);
    assert_eq!(field, "id");
}

#[tokio::test]
async fn convenience_fee_value_must_not_be_negative() {
    let session = flexible().convenience_fee(ConvenienceFee::FixedPerContribution(dec("-2.5")));
    let (field, rule) = refused(session).await;
    assert_eq!(field, "convenienceFeeValue");
    assert!(rule.contains("-2.5"), "{rule}");
    let zero = flexible()
        .convenience_fee(ConvenienceFee::FixedPerContribution(Decimal::ZERO))
        .to_request_body()
        .unwrap();
    assert_eq!(zero.convenience_fee_value, Some(Decimal::ZERO));
}

#[tokio::test]
async fn meta_must_be_at_most_1024_characters() {
    let (field, rule) = refused(flexible().meta("m".repeat(1025))).await;
    assert_eq!(field, "meta");
    assert!(rule.contains("1025"), "{rule}");
    // Characters, not bytes: 1024 two-byte characters are fine.
    let body = flexible().meta("é".repeat(1024)).to_request_body().unwrap();
    assert_eq!(body.meta.unwrap().chars().count(), 1024);
}

#[tokio::test]
async fn expiry_must_be_between_1_and_60_minutes() {
    for bad in [0, 61, u32::MAX] {
        let (field, rule) = refused(flexible().expiry_minutes(bad)).await;
        assert_eq!(field, "expiryMinutes", "{bad}");
        assert!(rule.contains("between 1 and 60"), "{rule}");
    }
    for good in [1, 60] {
        let body = flexible().expiry_minutes(good).to_request_body().unwrap();
        assert_eq!(body.expiry_minutes, Some(good as i32));
    }
}

#[tokio::test]
async fn success_redirect_url_must_parse() {
    let (field, _) = refused(flexible().success_redirect_url("/success")).await;
    assert_eq!(field, "successRedirectUrl");
}

#[tokio::test]
async fn cancel_redirect_url_must_parse() {
    let (field, _) = refused(flexible().cancel_redirect_url("example.com/cancel")).await;
    assert_eq!(field, "cancelRedirectUrl");
}

#[tokio::test]
async fn failed_redirect_url_must_parse() {
    let (field, _) = refused(flexible().failed_redirect_url("https://exa mple.com/")).await;
    assert_eq!(field, "failedRedirectUrl");
    let app_scheme = flexible()
        .failed_redirect_url("myapp://payment/failed")
        .to_request_body();
    assert!(app_scheme.is_ok());
}

#[tokio::test]
async fn idempotency_key_must_be_at_most_120_characters() {
    let key = |text: String| IdempotencyKey::new(text).unwrap();
    let (field, rule) = refused(flexible().idempotency_key(key("k".repeat(121)))).await;
    assert_eq!(field, "idempotency_key");
    assert!(rule.contains("at most 120"), "{rule}");
    // Empty keys, spaces and over-long keys are refused by the key type itself.
    for text in [String::new(), "order 1".into(), "k".repeat(300)] {
        let err = IdempotencyKey::new(text.clone()).unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "idempotency_key"),
            "{text:?}: {err:?}"
        );
    }
    assert!(
        flexible()
            .idempotency_key(key("k".repeat(120)))
            .to_request_body()
            .is_ok()
    );
}
