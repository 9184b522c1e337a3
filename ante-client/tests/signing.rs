//! Cart signing fixtures.
//!
//! The expected canonical strings and signatures were computed independently, in Node.js 20
//! (ICU 78), by a JavaScript canonicaliser written from the rules of the research notes
//! (section 2.9): fixed key order, `id` missing -> `""`, `tax`/`shipping` missing -> 0, `fees`
//! always present, metadata keys with plain `sort()`, `JSON.stringify`, HMAC-SHA256 keyed with
//! `ante_sign_example`. Items and fees were sorted once with `a.localeCompare(b)` and once with
//! the default code-unit comparison.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use ante_client::{Cart, CartFee, CartItem, CartSignature, IdOrdering, SigningSecret};

/// The key of every fixture below, as Ante's research notes give it.
fn fixture_secret() -> SigningSecret {
    SigningSecret::parse("ante_sign_example").unwrap()
}

fn secret() -> SigningSecret {
    SigningSecret::parse("ante_sign_example_secret").unwrap()
}

/// Canonical JSON, and the signature under the fixture key through the public API.
fn check(cart: &Cart, ordering: IdOrdering, canonical: &str, signature: &str) {
    let got = cart.canonical_json_with(ordering).unwrap();
    assert_eq!(got, canonical, "{ordering:?}");
    let secret = fixture_secret();
    assert_eq!(
        cart.sign_with(&secret, ordering).unwrap().as_str(),
        signature,
        "{ordering:?}"
    );
    assert!(cart.verify_signature(&secret, ordering, signature).unwrap());
}

#[test]
fn derived_reference_fixture_reproduces() {
    let cart = Cart::builder("usd")
        .item(CartItem::new("Ticket", 2, 5000).id("sku_1"))
        .tax(1000)
        .shipping(1000)
        .fee(CartFee::new("cleaning", "Cleaning fee", 500))
        .order_ref("ORD-1042")
        .total(12500)
        .build()
        .unwrap();
    let canonical = r#"{"total":12500,"currency":"usd","items":[{"id":"sku_1","name":"Ticket","quantity":2,"unit_price":5000}],"tax":1000,"shipping":1000,"fees":[{"id":"cleaning","label":"Cleaning fee","amount":500}],"metadata":{"order_ref":"ORD-1042"}}"#;
    let signature = "699bbcd991ba7e38dbe77dab70ca3dd5a25fd8f45fc591d4ebad3516e26123a7";
    check(&cart, IdOrdering::LocaleCompare, canonical, signature);
    check(&cart, IdOrdering::CodeUnits, canonical, signature);
    assert_eq!(cart.canonical_json().unwrap(), canonical);
    assert_eq!(cart.sign(&fixture_secret()).unwrap().as_str(), signature);
}

#[test]
fn sign_uses_the_secret_and_verifies() {
    let cart = Cart::builder("usd")
        .item(CartItem::new("X", 1, 1000).id("x"))
        .build()
        .unwrap();
    let secret = secret();
    let sig = cart.sign(&secret).unwrap();
    let expected = splitkit_common::webhook::sign(
        "ante_sign_example_secret",
        &[cart.canonical_json().unwrap().as_bytes()],
    );
    assert_eq!(sig.as_str(), expected);
    assert_eq!(sig.as_str().len(), 64);
    assert!(
        sig.as_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    // Trimmed secret: same signature.
    let padded = SigningSecret::parse(" ante_sign_example_secret\n").unwrap();
    assert_eq!(cart.sign(&padded).unwrap(), sig);
    assert!(
        cart.verify_signature(&secret, IdOrdering::default(), sig.as_str())
            .unwrap()
    );
    assert!(
        cart.verify_signature(&secret, IdOrdering::default(), &sig.as_str().to_uppercase())
            .unwrap()
    );
    let other = SigningSecret::parse("ante_sign_another_secret").unwrap();
    assert!(
        !cart
            .verify_signature(&other, IdOrdering::default(), sig.as_str())
            .unwrap()
    );
    // Any change to the cart changes the signature.
    let changed = Cart::builder("usd")
        .item(CartItem::new("X", 1, 1001).id("x"))
        .build()
        .unwrap();
    assert_ne!(changed.sign(&secret).unwrap(), sig);
    // image_url is not signed.
    let with_image = Cart::builder("usd")
        .item(
            CartItem::new("X", 1, 1000)
                .id("x")
                .image_url("https://cdn.example.com/x.png"),
        )
        .build()
        .unwrap();
    assert_eq!(with_image.sign(&secret).unwrap(), sig);
}

#[test]
fn unsorted_items_sort_by_id_and_the_orderings_differ() {
    let cart = Cart::builder("EUR")
        .item(CartItem::new("B", 1, 1000).id("sku_b"))
        .item(CartItem::new("A", 1, 1100).id("SKU_A"))
        .item(CartItem::new("Ten", 1, 1200).id("sku_10"))
        .item(CartItem::new("Two", 1, 1300).id("sku_2"))
        .total(4600)
        .build()
        .unwrap();
    check(
        &cart,
        IdOrdering::LocaleCompare,
        r#"{"total":4600,"currency":"eur","items":[{"id":"sku_10","name":"Ten","quantity":1,"unit_price":1200},{"id":"sku_2","name":"Two","quantity":1,"unit_price":1300},{"id":"SKU_A","name":"A","quantity":1,"unit_price":1100},{"id":"sku_b","name":"B","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[]}"#,
        "7944185363fe4d5b87553a4890200ae4c365406d47d186967801e7a6e8d7cc52",
    );
    check(
        &cart,
        IdOrdering::CodeUnits,
        r#"{"total":4600,"currency":"eur","items":[{"id":"SKU_A","name":"A","quantity":1,"unit_price":1100},{"id":"sku_10","name":"Ten","quantity":1,"unit_price":1200},{"id":"sku_2","name":"Two","quantity":1,"unit_price":1300},{"id":"sku_b","name":"B","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[]}"#,
        "e25686a8b058a85e884b546fac3131c0c3e23b8b735c144978f831fabe0ecc1d",
    );
    // The default is LocaleCompare.
    assert_eq!(IdOrdering::default(), IdOrdering::LocaleCompare);
    assert_eq!(
        cart.canonical_json().unwrap(),
        cart.canonical_json_with(IdOrdering::LocaleCompare).unwrap()
    );
}

#[test]
fn missing_ids_sort_as_empty_strings() {
    let cart = Cart::builder("usd")
        .item(CartItem::new("With id", 1, 1000).id("b"))
        .item(CartItem::new("No id", 1, 2000))
        .item(CartItem::new("Upper", 1, 500).id("A"))
        .order_ref("ORD-7")
        .build()
        .unwrap();
    let canonical = r#"{"total":3500,"currency":"usd","items":[{"id":"","name":"No id","quantity":1,"unit_price":2000},{"id":"A","name":"Upper","quantity":1,"unit_price":500},{"id":"b","name":"With id","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[],"metadata":{"order_ref":"ORD-7"}}"#;
    let sig = "5e74878e229d420d64b66c4ae5584e7877f6e4b5578975660c4f1b8b7b60bfa8";
    check(&cart, IdOrdering::LocaleCompare, canonical, sig);
    check(&cart, IdOrdering::CodeUnits, canonical, sig);
}

#[test]
fn empty_fees_are_always_present_and_absent_metadata_is_left_out() {
    let cart = Cart::builder("GBP")
        .item(CartItem::new("X", 1, 1000).id("x"))
        .build()
        .unwrap();
    check(
        &cart,
        IdOrdering::LocaleCompare,
        r#"{"total":1000,"currency":"gbp","items":[{"id":"x","name":"X","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[]}"#,
        "f41340fc46c82f9bdd12cbd630d50a50f772d7190d86ba8d992b76fba3eb630f",
    );
    // The same cart read from JSON with `"fees": []` and no tax/shipping.
    let from_json = Cart::from_json(
        r#"{"total":1000,"currency":"gbp","items":[{"id":"x","name":"X","quantity":1,"unit_price":1000}],"fees":[]}"#,
    )
    .unwrap();
    assert_eq!(from_json, cart);
}

#[test]
fn non_ascii_names_and_escapes_match_json_stringify() {
    let cart = Cart::builder("jpy")
        .item(CartItem::new("Fondue", 1, 1000).id("f-1"))
        .item(CartItem::new("Café crème – «spécial» 🎟", 1, 1500).id("é-2"))
        .item(
            CartItem::new(
                "Line\nbreak \"quoted\" \\ slash/ \u{2028} tab\t ctrl\u{1}",
                1,
                0,
            )
            .id("e-3"),
        )
        .tax(150)
        .metadata("note", "über")
        .metadata("Zeta", "z")
        .metadata("alpha", "ä")
        .total(2650)
        .build()
        .unwrap();
    check(
        &cart,
        IdOrdering::LocaleCompare,
        "{\"total\":2650,\"currency\":\"jpy\",\"items\":[{\"id\":\"é-2\",\"name\":\"Café crème – «spécial» 🎟\",\"quantity\":1,\"unit_price\":1500},{\"id\":\"e-3\",\"name\":\"Line\\nbreak \\\"quoted\\\" \\\\ slash/ \u{2028} tab\\t ctrl\\u0001\",\"quantity\":1,\"unit_price\":0},{\"id\":\"f-1\",\"name\":\"Fondue\",\"quantity\":1,\"unit_price\":1000}],\"tax\":150,\"shipping\":0,\"fees\":[],\"metadata\":{\"Zeta\":\"z\",\"alpha\":\"ä\",\"note\":\"über\"}}",
        "94a29db44b797d9976153fe7506a500be802afed4628bcc67add43e1be60ce94",
    );
    check(
        &cart,
        IdOrdering::CodeUnits,
        "{\"total\":2650,\"currency\":\"jpy\",\"items\":[{\"id\":\"e-3\",\"name\":\"Line\\nbreak \\\"quoted\\\" \\\\ slash/ \u{2028} tab\\t ctrl\\u0001\",\"quantity\":1,\"unit_price\":0},{\"id\":\"f-1\",\"name\":\"Fondue\",\"quantity\":1,\"unit_price\":1000},{\"id\":\"é-2\",\"name\":\"Café crème – «spécial» 🎟\",\"quantity\":1,\"unit_price\":1500}],\"tax\":150,\"shipping\":0,\"fees\":[],\"metadata\":{\"Zeta\":\"z\",\"alpha\":\"ä\",\"note\":\"über\"}}",
        "19138d19ecf28977d063e6ef90234630b0b1210292169fe4c57455c96e00c719",
    );
}

#[test]
fn fees_sort_by_id_and_empty_metadata_is_kept() {
    let cart = Cart::from_json(
        r#"{"total":1600,"currency":"usd","items":[{"id":"i","name":"Item","quantity":1,"unit_price":1000}],
            "fees":[{"id":"service","label":"Service","amount":300},{"id":"Cleaning","label":"Cleaning","amount":200},{"id":"_booking","label":"Booking","amount":100}],
            "metadata":{}}"#,
    )
    .unwrap();
    check(
        &cart,
        IdOrdering::LocaleCompare,
        r#"{"total":1600,"currency":"usd","items":[{"id":"i","name":"Item","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[{"id":"_booking","label":"Booking","amount":100},{"id":"Cleaning","label":"Cleaning","amount":200},{"id":"service","label":"Service","amount":300}],"metadata":{}}"#,
        "191936dca3aa611ab9abe3fe703f0dfbac6b68211ff844a9568258811f8f8f4d",
    );
    check(
        &cart,
        IdOrdering::CodeUnits,
        r#"{"total":1600,"currency":"usd","items":[{"id":"i","name":"Item","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[{"id":"Cleaning","label":"Cleaning","amount":200},{"id":"_booking","label":"Booking","amount":100},{"id":"service","label":"Service","amount":300}],"metadata":{}}"#,
        "004aeea2f55648ad9116b521b2868bfcaeb7f15a2b0f6c12141c59047d48ca53",
    );
}

#[test]
fn metadata_keys_sort_by_utf16_code_units_not_code_points() {
    // U+1F600 is a surrogate pair in UTF-16 (0xD83D…), which sorts before U+FF21; by code point
    // (Rust's `str` order) it would sort after.
    let cart = Cart::builder("usd")
        .item(CartItem::new("Fullwidth", 1, 100).id("\u{FF21}"))
        .item(CartItem::new("Emoji", 1, 200).id("\u{1F600}"))
        .metadata("\u{FF21}", "fullwidth")
        .metadata("\u{1F600}", "emoji")
        .build()
        .unwrap();
    let canonical = "{\"total\":300,\"currency\":\"usd\",\"items\":[{\"id\":\"😀\",\"name\":\"Emoji\",\"quantity\":1,\"unit_price\":200},{\"id\":\"Ａ\",\"name\":\"Fullwidth\",\"quantity\":1,\"unit_price\":100}],\"tax\":0,\"shipping\":0,\"fees\":[],\"metadata\":{\"😀\":\"emoji\",\"Ａ\":\"fullwidth\"}}";
    let sig = "58b483759cb0a1976b08be0d0f1768005c5fa63f477ba0ddf938adae5a70dfeb";
    check(&cart, IdOrdering::LocaleCompare, canonical, sig);
    check(&cart, IdOrdering::CodeUnits, canonical, sig);
}

#[test]
fn equal_ids_keep_their_order() {
    let cart = Cart::builder("usd")
        .item(CartItem::new("second", 1, 2).id("same"))
        .item(CartItem::new("first", 1, 1).id("same"))
        .build()
        .unwrap();
    let json = cart.canonical_json().unwrap();
    assert!(
        json.find("second").unwrap() < json.find("first").unwrap(),
        "{json}"
    );
}

#[test]
fn cart_signatures_parse() {
    let sig = CartSignature::parse(&"AB".repeat(32)).unwrap();
    assert_eq!(sig.as_str(), "ab".repeat(32));
    assert!(CartSignature::parse("abc").is_err());
    assert!(CartSignature::parse(&"zz".repeat(32)).is_err());
}
