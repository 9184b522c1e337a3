//! `POST /api/splits`: the exact form body, and every recorded answer.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use splitable_client::{Error, ErrorExt, LineItem, NewSplit};
use support::*;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const DOCUMENTED_BODY: &str = concat!(
    "invoice=3789273937239273",
    "&api_notify_url=http%3A%2F%2Fwww.acme.com%2Finstant_payment_notification%2Fsplitable",
    "&total_amount=35000",
    "&expires_in=48",
    "&shipping=1000",
    "&tax=4000",
    "&description=Campus+books+has+the+best+selection+of+educational+books+in+the+market",
    "&item_name_1=Essential+Calculus+Book",
    "&quantity_1=1",
    "&amount_1=20000",
    "&url_1=http%3A%2F%2Fwww.yourcompany.com%2Fproducts%2Fessential-calculus-book",
    "&item_name_2=Marine+Biology+Book",
    "&quantity_2=1",
    "&amount_2=10000",
    "&url_2=http%3A%2F%2Fwww.yourcompany.com%2Fproducts%2Fmarine-biology-book",
    "&api_key=92746e4d66cb8993",
);

async fn mount(server: &MockServer, status: u16, body: &str) {
    Mock::given(method("POST"))
        .and(path("/api/splits"))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("content-type", "application/json")
                .insert_header("x-request-id", "6658f59fa8f4c91929427eace17a226a")
                .set_body_string(body),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn documented_example_is_sent_exactly_and_the_recorded_201_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/splits"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(header("accept", "application/json"))
        .and(body_string(DOCUMENTED_BODY))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("content-type", "application/json")
                .set_body_string(RECORDED_SUCCESS),
        )
        .expect(1)
        .mount(&server)
        .await;

    let split = documented_split().build().unwrap();
    let created = client(&server).splits().create(split).await.unwrap();

    assert_eq!(
        created.split_url,
        "https://checkout.splitable.com/cws/d4439197c134c2a2c2c04ab02b8cf57bb93296d6bd6554127dd7"
    );
    assert_eq!(
        created.split_id,
        "d4439197c134c2a2c2c04ab02b8cf57bb93296d6bd6554127dd7"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].url.query(),
        None,
        "api_key belongs in the form body"
    );
    assert!(requests[0].headers.get("idempotency-key").is_none());
}

#[tokio::test]
async fn numbering_cents_optional_url_secret_and_escaping() {
    let server = MockServer::start().await;
    let expected = concat!(
        "invoice=A%26B+%231",
        "&api_notify_url=https%3A%2F%2Fshop.example.com%2Fcb%3Fsource%3Dsplitable",
        "&total_amount=1311",
        "&api_secret=per-split%2Bsecret",
        "&item_name_1=Tea+%26+cake",
        "&quantity_1=2",
        "&amount_1=450",
        "&item_name_2=Caf%C3%A9+au+lait",
        "&quantity_2=1",
        "&amount_2=0",
        "&url_2=https%3A%2F%2Fshop.example.com%2Fp%2Fcafe",
        "&item_name_3=Scone",
        "&quantity_3=3",
        "&amount_3=137",
        "&api_key=92746e4d66cb8993",
    );
    Mock::given(method("POST"))
        .and(path("/api/splits"))
        .and(body_string(expected))
        .respond_with(ResponseTemplate::new(201).set_body_string(RECORDED_SUCCESS))
        .expect(1)
        .mount(&server)
        .await;

    let split = NewSplit::builder("A&B #1", "https://shop.example.com/cb?source=splitable")
        .total_amount(1311)
        .api_secret("per-split+secret")
        .item(LineItem::new("Tea & cake", 2, 450))
        .item(LineItem::new("Café au lait", 1, 0).with_url("https://shop.example.com/p/cafe"))
        .item(LineItem::new("Scone", 3, 137))
        .build()
        .unwrap();
    client(&server).splits().create(split).await.unwrap();
}

#[tokio::test]
async fn total_from_items_sends_items_plus_shipping_plus_tax() {
    let server = MockServer::start().await;
    let expected = DOCUMENTED_BODY.to_owned();
    Mock::given(method("POST"))
        .and(body_string(expected))
        .respond_with(ResponseTemplate::new(201).set_body_string(RECORDED_SUCCESS))
        .expect(1)
        .mount(&server)
        .await;
    // Same as the documented example, but the total is computed: 20000 + 10000 + 1000 + 4000.
    let split = NewSplit::builder(
        "3789273937239273",
        "http://www.acme.com/instant_payment_notification/splitable",
    )
    .total_from_items()
    .expires_in(48)
    .shipping(1000)
    .tax(4000)
    .description("Campus books has the best selection of educational books in the market")
    .item(
        LineItem::new("Essential Calculus Book", 1, 20000)
            .with_url("http://www.yourcompany.com/products/essential-calculus-book"),
    )
    .item(
        LineItem::new("Marine Biology Book", 1, 10000)
            .with_url("http://www.yourcompany.com/products/marine-biology-book"),
    )
    .build()
    .unwrap();
    assert_eq!(split.total_amount().get(), 35000);
    client(&server).splits().create(split).await.unwrap();
}

#[tokio::test]
async fn recorded_live_500_is_a_typed_error_and_is_not_retried() {
    let server = MockServer::start().await;
    mount(&server, 500, RECORDED_NO_ITEMS).await;
    let split = small_split().build().unwrap();

    let err = client(&server).splits().create(split).await.unwrap_err();

    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status.as_u16(), 500);
    assert_eq!(
        api.message.as_deref(),
        Some("Order must have atleast one line item")
    );
    assert_eq!(
        (api.provider(), api.operation()),
        ("splitable", "createSplit")
    );
    assert_eq!(
        api.request_id.as_deref(),
        Some("6658f59fa8f4c91929427eace17a226a")
    );
    assert_eq!(
        err.error_response().map(|body| body.error.as_str()),
        Some("Order must have atleast one line item")
    );
    assert_eq!(
        err.error_code(),
        Some("Order must have atleast one line item")
    );
    // `.expect(1)` on the mock: verified when the server drops.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn recorded_draft_200_error_is_a_typed_error() {
    let server = MockServer::start().await;
    mount(&server, 200, RECORDED_NO_ITEMS).await;
    let split = small_split().build().unwrap();

    let err = client(&server).splits().create(split).await.unwrap_err();

    let Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status.as_u16(), 200);
    assert_eq!(
        api.message.as_deref(),
        Some("Order must have atleast one line item")
    );
    assert_eq!(
        api.request_id.as_deref(),
        Some("6658f59fa8f4c91929427eace17a226a")
    );
    assert_eq!(
        err.error_code(),
        Some("Order must have atleast one line item")
    );
    assert!(!err.is_retryable());
    assert!(
        err.to_string()
            .contains("Order must have atleast one line item"),
        "{err}"
    );
}

#[tokio::test]
async fn documented_error_sample_with_a_201_is_still_an_error() {
    let server = MockServer::start().await;
    mount(&server, 201, r#"{ "error": "api_key is missing" }"#).await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(201));
    assert_eq!(err.error_code(), Some("api_key is missing"));
}

#[tokio::test]
async fn error_key_wins_over_split_url() {
    let server = MockServer::start().await;
    mount(
        &server,
        201,
        r#"{"split_url":"https://checkout.splitable.com/cws/x","split_id":"x","error":"Invoice is taken"}"#,
    )
    .await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    assert_eq!(err.error_code(), Some("Invoice is taken"));
}

#[tokio::test]
async fn other_error_statuses_carry_the_message_and_are_not_retried() {
    let server = MockServer::start().await;
    mount(&server, 422, r#"{"error":"total_amount is invalid"}"#).await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(422));
    assert_eq!(err.error_code(), Some("total_amount is invalid"));
}

#[tokio::test]
async fn a_503_without_error_body_is_not_retried_for_the_post() {
    let server = MockServer::start().await;
    mount(&server, 503, "<html>Service Unavailable</html>").await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.error_code(), None);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn success_status_without_split_id_is_a_decode_error_naming_the_field() {
    let server = MockServer::start().await;
    mount(
        &server,
        201,
        r#"{"split_url":"https://checkout.splitable.com/cws/x"}"#,
    )
    .await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path, "split_id");
    assert_eq!(
        (decode.call.provider, decode.call.operation),
        ("splitable", "createSplit")
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(201));
}

#[tokio::test]
async fn old_success_shape_is_a_decode_error_naming_split_url() {
    // Before 2012-04-10 the success body was {"success": "<split url>"}.
    let server = MockServer::start().await;
    mount(
        &server,
        201,
        r#"{"success":"https://nimbleshop.splitable.com/splits/abc/team"}"#,
    )
    .await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(decode.path, "split_url");
}

#[tokio::test]
async fn non_json_success_is_a_decode_error_with_the_status() {
    let server = MockServer::start().await;
    mount(&server, 200, "<html>ok</html>").await;
    let split = small_split().build().unwrap();
    let err = client(&server).splits().create(split).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn no_secret_shows_in_errors_or_debug() {
    let server = MockServer::start().await;
    mount(
        &server,
        200,
        r#"{"split_url": 5, "api_key":"92746e4d66cb8993", "api_secret":"per-split-secret"}"#,
    )
    .await;
    let split = small_split()
        .api_secret("per-split-secret")
        .build()
        .unwrap();
    let client = client(&server);
    let err = client.splits().create(split.clone()).await.unwrap_err();
    let shown = format!("{err} {err:?} {split:?} {client:?}");
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(!shown.contains("per-split-secret"), "{shown}");
}

#[tokio::test]
async fn documented_success_sample_decodes() {
    // The README's sample, with its unquoted keys quoted.
    let server = MockServer::start().await;
    mount(
        &server,
        201,
        r#"{ "split_url": "https://yourcompanyname.splitable.com/splits/4e284f631c3b1633996fc1f8fb7f8278a80065ec4d53d5b3ed1c/team",
            "split_id":  "4e284f631c3b1633996fc1f8fb7f8278a80065ec4d53d5b3ed1c"  }"#,
    )
    .await;
    let split = small_split().build().unwrap();
    let created = client(&server).splits().create(split).await.unwrap();
    assert_eq!(
        created.split_url,
        "https://yourcompanyname.splitable.com/splits/4e284f631c3b1633996fc1f8fb7f8278a80065ec4d53d5b3ed1c/team"
    );
    assert_eq!(
        created.split_id,
        "4e284f631c3b1633996fc1f8fb7f8278a80065ec4d53d5b3ed1c"
    );
}

#[tokio::test]
async fn a_base_url_path_prefixes_the_operation_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/proxy/api/splits"))
        .respond_with(ResponseTemplate::new(201).set_body_string(RECORDED_SUCCESS))
        .expect(1)
        .mount(&server)
        .await;
    let client = splitable_client::Client::builder(API_KEY)
        .base_url(format!("{}/proxy", server.uri()))
        .build()
        .unwrap();
    let split = small_split().build().unwrap();
    client.splits().create(split).await.unwrap();
}
