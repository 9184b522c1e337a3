//! Resource handles own a clone of the client: the futures of their calls borrow nothing, so two
//! calls of two handles run together with `tokio::join!`, and a call can be spawned.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SESSION: &str = include_str!("fixtures/seed/get_sessions_session_id.200.json");

#[tokio::test]
async fn calls_of_two_handles_run_together_and_can_be_spawned() {
    let server = MockServer::start().await;
    let mut session: serde_json::Value = serde_json::from_str(SESSION).unwrap();
    let id = "j57session".to_owned();
    session["session_id"] = id.clone().into();
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/sessions/{id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(&session))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/merchants/me"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"request_id":"req_m","sandbox":true}"#),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = secret_client(&server);

    let (read, merchant) = tokio::join!(client.sessions().get(&id), client.merchants().me());
    assert_eq!(read.unwrap().session_id, id);
    assert_eq!(merchant.unwrap().sandbox, Some(true));

    let spawned = tokio::spawn(client.merchants().me());
    assert_eq!(spawned.await.unwrap().unwrap().sandbox, Some(true));
    server.verify().await;
}
