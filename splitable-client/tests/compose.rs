//! The splits handle owns a clone of the client: the futures of its calls borrow nothing, so two
//! calls run together with `tokio::join!`, and a call can be spawned.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn two_calls_run_together_and_one_can_be_spawned() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/splits"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_string(r#"{"split_url":"https://x.example/s/42","split_id":"42"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/splits/41/paid_members"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"[{"name":"Ana","email":"ana@example.com"}]"#),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server);
    let split = small_split().build().unwrap();

    let (created, paid) = tokio::join!(
        client.splits().create(split),
        client.splits().paid_members("41")
    );
    assert_eq!(created.unwrap().split_id, "42");
    assert_eq!(paid.unwrap().items[0].name, "Ana");

    let spawned = tokio::spawn(client.splits().paid_members("41"));
    assert_eq!(spawned.await.unwrap().unwrap().items.len(), 1);
    server.verify().await;
}
