//! Cart validation: one assertion per documented rule, each checking the field named.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use ante_client::{Cart, CartFee, CartItem, MAX_SAFE_AMOUNT};
use splitkit_common::{Currency, Error};

fn rule(result: Result<Cart, Error>, field: &str) -> String {
    match result {
        Err(Error::Validation { field: f, rule }) => {
            assert_eq!(f, field, "rule was: {rule}");
            rule
        }
        other => panic!("expected a validation error on {field}, got {other:?}"),
    }
}

fn ticket() -> CartItem {
    CartItem::new("Ticket", 2, 5000).id("sku_1")
}

#[test]
fn the_documented_example_builds() {
    let cart = Cart::builder("USD")
        .item(ticket())
        .tax(1000)
        .shipping(1000)
        .fee(CartFee::new("cleaning", "Cleaning fee", 500))
        .order_ref("ORD-1042")
        .total(12500)
        .build()
        .unwrap();
    assert_eq!(cart.total(), 12500);
    assert_eq!(cart.currency(), Currency::USD);
    assert_eq!(cart.currency_code(), "usd");
    assert_eq!(cart.order_ref(), Some("ORD-1042"));
    assert_eq!(cart.items()[0].item_id(), Some("sku_1"));
    assert_eq!(cart.fees()[0].amount(), 500);
}

#[test]
fn total_is_computed_when_not_given() {
    let cart = Cart::builder("eur")
        .item(CartItem::new("A", 3, 250))
        .item(CartItem::new("B", 1, 0))
        .shipping(99)
        .build()
        .unwrap();
    assert_eq!(cart.total(), 849);
    assert_eq!((cart.tax(), cart.shipping()), (0, 99));
    assert!(cart.metadata().is_none());
}

#[test]
fn total_mismatch_shows_both_numbers() {
    let r = rule(
        Cart::builder("usd")
            .item(ticket())
            .tax(1000)
            .shipping(1000)
            .fee(CartFee::new("cleaning", "Cleaning fee", 500))
            .total(12000)
            .build(),
        "cart.total",
    );
    assert_eq!(
        r,
        "is 12000 but items 10000 + tax 1000 + shipping 1000 + fees 500 = 12500"
    );
}

#[test]
fn every_rule_names_its_field() {
    let r = rule(Cart::builder("usd").build(), "cart.items");
    assert_eq!(r, "must hold at least one item");

    let r = rule(
        Cart::builder("usd")
            .item(ticket())
            .item(CartItem::new("Free", 0, 0))
            .build(),
        "cart.items[1].quantity",
    );
    assert_eq!(r, "must be at least 1, got 0");

    let r = rule(
        Cart::builder("usd")
            .item(CartItem::new("Many", u32::MAX, 1))
            .build(),
        "cart.items[0].quantity",
    );
    assert!(r.starts_with("must be at most 2147483647"), "{r}");

    let r = rule(
        Cart::builder("usd")
            .item(CartItem::new("Refund", 1, -5))
            .build(),
        "cart.items[0].unit_price",
    );
    assert_eq!(r, "must not be negative, got -5");

    let r = rule(
        Cart::builder("usd").item(ticket()).tax(-1).build(),
        "cart.tax",
    );
    assert_eq!(r, "must not be negative, got -1");

    let r = rule(
        Cart::builder("usd").item(ticket()).shipping(-2).build(),
        "cart.shipping",
    );
    assert_eq!(r, "must not be negative, got -2");

    let r = rule(
        Cart::builder("usd")
            .item(ticket())
            .fee(CartFee::new("discount", "Discount", -100))
            .build(),
        "cart.fees[0].amount",
    );
    assert_eq!(r, "must not be negative, got -100");

    for bad in ["us", "dollars", "u5d", ""] {
        let r = rule(Cart::builder(bad).item(ticket()).build(), "cart.currency");
        assert!(r.starts_with("must be a three-letter ISO 4217 code"), "{r}");
    }

    let r = rule(
        Cart::builder("usd")
            .item(ticket().image_url("http://cdn.example.com/t.png"))
            .build(),
        "cart.items[0].image_url",
    );
    assert!(r.starts_with("must be an absolute https:// URL"), "{r}");

    let r = rule(
        Cart::builder("usd")
            .item(CartItem::new("Huge", 1, MAX_SAFE_AMOUNT + 1))
            .build(),
        "cart.items[0].unit_price",
    );
    assert!(r.contains("JavaScript's largest exact integer"), "{r}");

    let r = rule(
        Cart::builder("usd")
            .item(CartItem::new("Big", 2, MAX_SAFE_AMOUNT))
            .build(),
        "cart.total",
    );
    assert!(r.contains("add up to more than"), "{r}");

    let r = rule(
        Cart::builder("usd")
            .item(CartItem::new("Overflow", i32::MAX as u32, MAX_SAFE_AMOUNT))
            .build(),
        "cart.items[0]",
    );
    assert!(r.contains("add up to more than"), "{r}");
}

#[test]
fn json_carts_are_read_and_checked() {
    let cart = Cart::from_json(
        r#"{"total":12500,"currency":"usd","items":[{"id":"sku_1","name":"Ticket","quantity":2,"unit_price":5000,"image_url":"https://cdn.example.com/t.png"}],
            "tax":1000,"shipping":1000,"fees":[{"id":"cleaning","label":"Cleaning fee","amount":500}],"metadata":{"order_ref":"ORD-1042"},"extra":true}"#,
    )
    .unwrap();
    assert_eq!(cart.total(), 12500);
    assert_eq!(
        cart.items()[0].image(),
        Some("https://cdn.example.com/t.png")
    );
    assert_eq!(cart.order_ref(), Some("ORD-1042"));

    // Metadata values must be strings.
    let r = rule(
        Cart::from_json(
            r#"{"total":100,"currency":"usd","items":[{"name":"A","quantity":1,"unit_price":100}],"metadata":{"order_ref":1042}}"#,
        ),
        "cart.metadata.order_ref",
    );
    assert_eq!(r, "metadata values must be strings, got a number");

    let r = rule(
        Cart::from_json(
            r#"{"total":100,"currency":"usd","items":[{"name":"A","quantity":1.5,"unit_price":100}]}"#,
        ),
        "cart.items[0].quantity",
    );
    assert!(r.starts_with("must be an integer"), "{r}");

    let r = rule(
        Cart::from_json(
            r#"{"total":100,"currency":"usd","items":[{"name":"A","quantity":-1,"unit_price":100}]}"#,
        ),
        "cart.items[0].quantity",
    );
    assert_eq!(r, "must be at least 1, got -1");

    let r = rule(
        Cart::from_json(r#"{"currency":"usd","items":[{"name":"A","quantity":1,"unit_price":1}]}"#),
        "cart.total",
    );
    assert_eq!(r, "is required");

    let r = rule(
        Cart::from_json(r#"{"total":1,"currency":"usd","items":[]}"#),
        "cart.items",
    );
    assert_eq!(r, "must hold at least one item");

    let r = rule(
        Cart::from_json(r#"{"total":1,"currency":"usd","items":[{"quantity":1,"unit_price":1}]}"#),
        "cart.items[0].name",
    );
    assert_eq!(r, "is required");

    let r = rule(
        Cart::from_json(
            r#"{"total":1,"currency":"usd","items":[{"id":7,"name":"A","quantity":1,"unit_price":1}]}"#,
        ),
        "cart.items[0].id",
    );
    assert_eq!(r, "must be a string, got a number");

    let r = rule(
        Cart::from_json(
            r#"{"total":2,"currency":"usd","items":[{"name":"A","quantity":1,"unit_price":1}],"fees":[{"label":"F","amount":1}]}"#,
        ),
        "cart.fees[0].id",
    );
    assert_eq!(r, "is required");

    let r = rule(Cart::from_json("[1]"), "cart");
    assert_eq!(r, "must be a JSON object");
    let r = rule(Cart::from_json("{"), "cart");
    assert!(r.starts_with("is not valid JSON"), "{r}");

    // The total rule applies to JSON carts too.
    let r = rule(
        Cart::from_json(
            r#"{"total":100,"currency":"usd","items":[{"name":"A","quantity":2,"unit_price":100}]}"#,
        ),
        "cart.total",
    );
    assert_eq!(
        r,
        "is 100 but items 200 + tax 0 + shipping 0 + fees 0 = 200"
    );
}
