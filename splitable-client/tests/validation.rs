//! Every local rule: one test per rule, each checking the field it names.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use splitable_client::{
    Client, Error, LineItem, MinorUnits, NewSplit, NewSplitBuilder, compute_total,
};
use support::*;

/// The field a validation error names (panics on any other error).
fn field_of(result: Result<NewSplit, Error>) -> String {
    match result {
        Err(Error::Validation { field, rule }) => {
            assert!(!rule.is_empty());
            field.into_owned()
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn rule_of(result: Result<NewSplit, Error>) -> String {
    match result {
        Err(Error::Validation { rule, .. }) => rule,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn with_items(items: Vec<LineItem>) -> NewSplitBuilder {
    NewSplit::builder("inv-1", "https://shop.example.com/callback")
        .total_amount(1000)
        .items(items)
}

#[test]
fn the_documented_example_passes() {
    let split = documented_split().build().unwrap();
    assert_eq!(split.invoice(), "3789273937239273");
    assert_eq!(split.total_amount(), MinorUnits::new(35000));
    assert_eq!(split.expires_in(), Some(48));
    assert_eq!(split.line_items().len(), 2);
}

#[test]
fn invoice_must_not_be_empty() {
    let result = NewSplit::builder("  ", "https://shop.example.com/cb")
        .total_amount(1)
        .item(LineItem::new("Tea", 1, 1))
        .build();
    assert_eq!(field_of(result), "invoice");
}

#[test]
fn api_notify_url_must_be_absolute() {
    let result = NewSplit::builder("inv", "/payment_notifications/splitable")
        .total_amount(1)
        .item(LineItem::new("Tea", 1, 1))
        .build();
    assert_eq!(field_of(result), "api_notify_url");
}

#[test]
fn api_notify_url_must_be_http_or_https() {
    let result = NewSplit::builder("inv", "mailto:shop@example.com")
        .total_amount(1)
        .item(LineItem::new("Tea", 1, 1))
        .build();
    assert_eq!(field_of(result), "api_notify_url");
}

#[test]
fn at_least_one_line_item() {
    let result = with_items(vec![]).build();
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "line_items"),
        "{err:?}"
    );
    assert!(err.to_string().contains("at least one"), "{err}");
}

#[test]
fn at_most_twenty_line_items() {
    let items: Vec<_> = (1..=21)
        .map(|i| LineItem::new(format!("Item {i}"), 1, 100))
        .collect();
    let result = with_items(items).build();
    assert!(rule_of(result).contains("got 21"));
    let twenty: Vec<_> = (1..=20)
        .map(|i| LineItem::new(format!("Item {i}"), 1, 100))
        .collect();
    assert_eq!(with_items(twenty).build().unwrap().line_items().len(), 20);
}

#[test]
fn twenty_one_items_name_line_items() {
    let items: Vec<_> = (1..=21)
        .map(|i| LineItem::new(format!("Item {i}"), 1, 100))
        .collect();
    assert_eq!(field_of(with_items(items).build()), "line_items");
}

#[test]
fn item_name_must_not_be_empty_and_is_numbered() {
    let result = with_items(vec![
        LineItem::new("Tea", 1, 100),
        LineItem::new("", 1, 100),
    ])
    .build();
    assert_eq!(field_of(result), "item_name_2");
}

#[test]
fn quantity_must_be_at_least_one() {
    let result = with_items(vec![LineItem::new("Tea", 0, 100)]).build();
    assert_eq!(field_of(result), "quantity_1");
}

#[test]
fn unit_amount_must_not_be_negative() {
    let result = with_items(vec![
        LineItem::new("Tea", 1, 100),
        LineItem::new("Cake", 1, 10),
        LineItem::new("Refund", 1, -50),
    ])
    .build();
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, rule } if field == "amount_3" && rule.contains("-50")),
        "{err:?}"
    );
}

#[test]
fn item_url_must_be_an_absolute_http_url() {
    let result = with_items(vec![
        LineItem::new("Tea", 1, 100).with_url("httpslocalhost:3000/p"),
    ])
    .build();
    assert_eq!(field_of(result), "url_1");
}

#[test]
fn shipping_must_not_be_negative() {
    let result = small_split().shipping(-1).build();
    assert_eq!(field_of(result), "shipping");
}

#[test]
fn tax_must_not_be_negative() {
    let result = small_split().tax(-1).build();
    assert_eq!(field_of(result), "tax");
}

#[test]
fn expires_in_above_120_is_refused() {
    let result = small_split().expires_in(121).build();
    let err = result.unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, rule } if field == "expires_in" && rule.contains("121")),
        "{err:?}"
    );
}

#[test]
fn expires_in_zero_is_refused() {
    assert_eq!(field_of(small_split().expires_in(0).build()), "expires_in");
}

#[test]
fn expires_in_bounds_are_accepted() {
    assert_eq!(
        small_split().expires_in(1).build().unwrap().expires_in(),
        Some(1)
    );
    assert_eq!(
        small_split().expires_in(120).build().unwrap().expires_in(),
        Some(120)
    );
}

#[test]
fn api_secret_must_not_be_empty() {
    assert_eq!(field_of(small_split().api_secret("").build()), "api_secret");
}

#[test]
fn total_amount_is_required() {
    let result = NewSplit::builder("inv", "https://shop.example.com/cb")
        .item(LineItem::new("Tea", 1, 100))
        .build();
    assert_eq!(field_of(result), "total_amount");
}

#[test]
fn total_amount_must_be_above_zero() {
    assert_eq!(
        field_of(small_split().total_amount(0).build()),
        "total_amount"
    );
}

#[test]
fn total_amount_must_not_be_negative() {
    assert!(rule_of(small_split().total_amount(-5).build()).contains("-5"));
}

#[test]
fn computed_total_of_free_items_is_refused() {
    let result = with_items(vec![LineItem::new("Sample", 1, 0)])
        .total_from_items()
        .build();
    assert_eq!(field_of(result), "total_amount");
}

#[test]
fn computed_total_overflow_is_refused() {
    let result = with_items(vec![LineItem::new("Gold", 2, i64::MAX)])
        .total_from_items()
        .build();
    assert!(rule_of(result).contains("overflow"));
}

#[test]
fn a_total_that_differs_from_the_items_is_sent_as_given() {
    // The documentation states no rule tying the total to the items; none is invented.
    let split = with_items(vec![LineItem::new("Tea", 2, 450)])
        .total_amount(1311)
        .shipping(299)
        .tax(12)
        .build()
        .unwrap();
    assert_eq!(split.total_amount(), MinorUnits::new(1311));
}

#[test]
fn compute_total_adds_items_shipping_and_tax() {
    let items = [
        LineItem::new("Essential Calculus Book", 1, 20000),
        LineItem::new("Marine Biology Book", 2, 10000),
    ];
    assert_eq!(
        compute_total(
            &items,
            Some(MinorUnits::new(1000)),
            Some(MinorUnits::new(4000))
        )
        .unwrap(),
        MinorUnits::new(45000)
    );
    assert_eq!(
        compute_total(&items, None, None).unwrap(),
        MinorUnits::new(40000)
    );
    assert_eq!(items[1].subtotal(), Some(MinorUnits::new(20000)));
}

#[test]
fn api_key_must_not_be_empty() {
    let err = Client::builder("").build().unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "api_key"),
        "{err:?}"
    );
}

#[test]
fn company_must_be_a_subdomain_label() {
    for bad in ["", "-shop", "shop-", "my.shop", "shop/x", "shöp"] {
        let err = Client::builder(API_KEY).company(bad).build().unwrap_err();
        assert!(
            matches!(&err, Error::Validation { field, .. } if field == "company"),
            "{bad:?}: {err:?}"
        );
    }
}
