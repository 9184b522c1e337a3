//! The sessions handle owns a clone of the client: the futures of its calls borrow nothing, so
//! two calls run together with `tokio::join!`, and a call can be spawned.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use fairshare_client::{Decimal, NewSplitSession};
use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn two_calls_run_together_and_one_can_be_spawned() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/split-sessions/{SESSION_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_string(DOCUMENTED_SESSION))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/split-sessions"))
        .respond_with(ResponseTemplate::new(201).set_body_string(DOCUMENTED_SESSION))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let order = NewSplitSession::split_evenly(Decimal::from(200), "QAR", 4);

    let (read, created) = tokio::join!(
        client.sessions().get(SESSION_ID),
        client.sessions().create(order)
    );
    assert_eq!(read.unwrap().id, SESSION_ID);
    assert_eq!(created.unwrap().id, SESSION_ID);

    let spawned = tokio::spawn(client.sessions().get(SESSION_ID));
    assert_eq!(spawned.await.unwrap().unwrap().id, SESSION_ID);
    server.verify().await;
}
