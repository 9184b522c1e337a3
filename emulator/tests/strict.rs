//! Strict by default: what each provider documents (and the SDKs send) is accepted, the rest
//! answered with the provider's error as it would be; lenient accepts the variants.
#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{Value, json};
use splitkit_common::webhook::sign;
use splitkit_emulator::{EmulatorConfig, RunningEmulator, seed};

use common::{http, start};

async fn both() -> (RunningEmulator, RunningEmulator) {
    (
        start(EmulatorConfig::default()).await,
        start(EmulatorConfig::default().lenient(true)).await,
    )
}

/// Item ids whose order differs between `localeCompare` (`a` < `B`) and code units (`B` < `a`).
const CART: &str = r#"{"total":2000,"currency":"usd","items":[{"id":"B","name":"Bat","quantity":1,"unit_price":1000},{"id":"a","name":"Ace","quantity":1,"unit_price":1000}]}"#;
const LOCALE_ORDER: &str = r#"{"total":2000,"currency":"usd","items":[{"id":"a","name":"Ace","quantity":1,"unit_price":1000},{"id":"B","name":"Bat","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[]}"#;
const CODE_UNIT_ORDER: &str = r#"{"total":2000,"currency":"usd","items":[{"id":"B","name":"Bat","quantity":1,"unit_price":1000},{"id":"a","name":"Ace","quantity":1,"unit_price":1000}],"tax":0,"shipping":0,"fees":[]}"#;

async fn ante_create(
    emulator: &RunningEmulator,
    header: &str,
    canonical: &str,
    body: Value,
) -> (u16, Value) {
    let response = http()
        .post(format!("{}/sessions", emulator.ante_base_url()))
        .bearer_auth(seed::ANTE_TEST_PUBLISHABLE_KEY)
        .header(
            header,
            sign(seed::ANTE_SIGNING_SECRET, &[canonical.as_bytes()]),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn ante_takes_cart_signatures_in_the_documented_order_and_header_only() {
    let (strict, lenient) = both().await;
    let cart: Value = serde_json::from_str(CART).unwrap();
    let body = json!({ "cart": cart });
    for emulator in [&strict, &lenient] {
        let (status, _) =
            ante_create(emulator, "X-Ante-Signature", LOCALE_ORDER, body.clone()).await;
        assert_eq!(status, 200, "the order ante-client signs in");
    }

    let (status, error) =
        ante_create(&strict, "X-Ante-Signature", CODE_UNIT_ORDER, body.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"], "Invalid cart signature (X-Ante-Signature)");
    assert!(error["request_id"].is_string() && error["details"].is_array());
    let (status, _) =
        ante_create(&lenient, "X-Ante-Signature", CODE_UNIT_ORDER, body.clone()).await;
    assert_eq!(status, 200);

    // An alias header is no signature at all for a strict Ante.
    let (status, error) =
        ante_create(&strict, "X-Plurel-Signature", LOCALE_ORDER, body.clone()).await;
    assert_eq!(status, 400);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("publishable keys need a signed cart")
    );
    let (status, _) = ante_create(&lenient, "X-Plurel-Signature", LOCALE_ORDER, body.clone()).await;
    assert_eq!(status, 200);

    // A misspelt field (Ante would ignore it, and the merchant's intent with it).
    let mut typo = body.clone();
    typo["cart"]["items"][0]["sku"] = json!("B-1");
    typo["webhok_url"] = json!("https://shop.example/hooks");
    let (status, error) =
        ante_create(&strict, "X-Ante-Signature", LOCALE_ORDER, typo.clone()).await;
    assert_eq!(status, 400);
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .starts_with("Unknown field webhok_url"),
        "{error}"
    );
    let (status, _) = ante_create(&lenient, "X-Ante-Signature", LOCALE_ORDER, typo).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn zepto_names_unknown_fields_and_wants_json_and_an_agreement() {
    let (strict, lenient) = both().await;
    for emulator in [&strict, &lenient] {
        let post = |path: &str, body: Value| {
            http()
                .post(format!("{}{path}", emulator.zepto_api_base_url()))
                .bearer_auth(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
                .json(&body)
                .send()
        };
        let contact: Value = post(
            "/contacts/anyone",
            json!({ "name": "Price", "email": "p@example.com", "branch_code": "062000", "account_number": "12345678" }),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let id = contact["data"]["id"].as_str().unwrap();
        let matures_at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let request = json!({ "description": "Rent", "matures_at": matures_at, "amount": 100, "authoriser_contact_id": id });
        let mut typo = request.clone();
        typo["metdata"] = json!({ "invoice": "7" });

        let misspelt = post("/payment_requests", typo).await.unwrap();
        let no_agreement = post("/payment_requests", request).await.unwrap();
        let undeclared = http()
            .post(format!("{}/contacts/anyone", emulator.zepto_api_base_url()))
            .bearer_auth(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
            .body("{}")
            .send()
            .await
            .unwrap();
        if emulator.base_url() == strict.base_url() {
            assert_eq!(misspelt.status(), 422);
            assert!(
                misspelt.json::<Value>().await.unwrap()["errors"]
                    .as_str()
                    .unwrap()
                    .starts_with("Unknown field metdata")
            );
            assert_eq!(no_agreement.status(), 422, "a new Contact has no Agreement");
            assert_eq!(undeclared.status(), 415);
        } else {
            // Lenient: the unknown field is ignored, the Contact came with an Agreement.
            assert_eq!(misspelt.status(), 200);
            assert_eq!(no_agreement.status(), 200);
            assert_eq!(undeclared.status(), 422, "read as JSON, then validated");
        }
    }
}

#[tokio::test]
async fn fairshare_names_unknown_fields() {
    let (strict, lenient) = both().await;
    let body = json!({ "totalAmountQar": 300, "currency": "QAR", "splitType": "PROPORTIONAL_POOL", "expiryMinute": 30 });
    for (emulator, expected) in [(&strict, 400), (&lenient, 201)] {
        let response = http()
            .post(format!("{}/split-sessions", emulator.fairshare_base_url()))
            .header("X-SplitPay-API-Key", seed::FAIRSHARE_API_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expected);
        let answer: Value = response.json().await.unwrap();
        if expected == 400 {
            assert_eq!(answer["code"], "VALIDATION_ERROR");
            assert!(answer["message"].as_str().unwrap().contains("expiryMinute"));
        }
    }
}

#[tokio::test]
async fn splitable_wants_the_documented_form() {
    let (strict, lenient) = both().await;
    let form = |extra: (&'static str, &'static str)| {
        vec![
            ("invoice", "INV-1"),
            ("api_notify_url", "http://127.0.0.1:9/callback"),
            ("total_amount", "1000"),
            ("item_name_1", "Book"),
            ("quantity_1", "1"),
            ("amount_1", "1000"),
            extra,
        ]
    };
    for (emulator, strict_mode) in [(&strict, true), (&lenient, false)] {
        let in_query = http()
            .post(format!(
                "{}/api/splits?api_key={}",
                emulator.splitable_base_url(),
                seed::SPLITABLE_API_KEY
            ))
            .form(&form(("description", "Team order")))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        let misspelt = http()
            .post(format!("{}/api/splits", emulator.splitable_base_url()))
            .form(
                &form(("api_key", seed::SPLITABLE_API_KEY))
                    .into_iter()
                    .chain([("expires", "48")])
                    .collect::<Vec<_>>(),
            )
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        if strict_mode {
            assert_eq!(
                in_query["error"], "api_key is missing",
                "the key is a form field"
            );
            assert!(
                misspelt["error"]
                    .as_str()
                    .unwrap()
                    .starts_with("unknown parameter expires")
            );
        } else {
            assert!(in_query["split_id"].is_string());
            assert!(misspelt["split_id"].is_string());
        }
    }
}
