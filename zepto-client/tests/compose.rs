//! Resource handles own a clone of the client: the futures of their calls borrow nothing, so two
//! calls of two handles run together with `tokio::join!`, and a call can be spawned.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use support::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn calls_of_two_handles_run_together_and_can_be_spawned() {
    let server = MockServer::start().await;
    let payment = response_example("getPayment", 200).unwrap();
    let contact = response_example("getContact", 200).unwrap();
    Mock::given(method("GET"))
        .and(path("/payments/PB.1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&payment))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/contacts/c-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&contact))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);

    let (a, b) = tokio::join!(client.payments().get("PB.1"), client.contacts().get("c-1"));
    assert_eq!(a.unwrap().ref_, payment["data"]["ref"].as_str().unwrap());
    assert_eq!(b.unwrap().id, contact["data"]["id"].as_str().unwrap());

    let spawned = tokio::spawn(client.payments().get("PB.1"));
    assert_eq!(
        spawned.await.unwrap().unwrap().ref_,
        payment["data"]["ref"].as_str().unwrap()
    );
    server.verify().await;
}
