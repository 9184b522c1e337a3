//! `GET /api/splits/{split_id}/paid_members`: both answer shapes, errors and retries.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use splitable_client::{Error, ErrorExt, PaidMember};
use support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SPLIT_ID: &str = "d8c1f41e9be8758dfa7099fc58e4798d7a3e7a123e8d6f116519";

/// Name and email of each member, to compare with what is expected.
fn names(members: &[PaidMember]) -> Vec<(&str, &str)> {
    members
        .iter()
        .map(|m| (m.name.as_str(), m.email.as_str()))
        .collect()
}

async fn mount(server: &MockServer, status: u16, body: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/api/splits/{SPLIT_ID}/paid_members")))
        .and(query_param("api_key", API_KEY))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn documented_single_object_becomes_a_list_of_one() {
    let server = MockServer::start().await;
    mount(
        &server,
        200,
        r#"{"name":"FirstName LastName","email":"email@example.com"}"#,
        1,
    )
    .await;
    let members = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap();
    assert!(members.is_complete() && !members.has_next());
    assert_eq!(
        names(&members.items),
        [("FirstName LastName", "email@example.com")]
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("api_key=92746e4d66cb8993"),
        "the key is the only query parameter"
    );
    assert!(requests[0].body.is_empty());
    assert!(requests[0].headers.get("content-type").is_none());
}

#[tokio::test]
async fn an_array_of_members_decodes_in_order() {
    let server = MockServer::start().await;
    mount(
        &server,
        200,
        r#"[{"name":"Ann Lee","email":"ann@example.com","paid_at":"ignored"},{"name":"Bo Kim","email":"bo@example.com"}]"#,
        1,
    )
    .await;
    let members = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap();
    assert_eq!(
        names(&members.items),
        [("Ann Lee", "ann@example.com"), ("Bo Kim", "bo@example.com")]
    );
}

#[tokio::test]
async fn an_empty_array_is_no_members() {
    let server = MockServer::start().await;
    mount(&server, 200, "[]", 1).await;
    let members = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap();
    assert!(members.items.is_empty() && members.is_complete());
}

#[tokio::test]
async fn a_member_without_email_is_isolated_and_the_others_are_returned() {
    let server = MockServer::start().await;
    mount(
        &server,
        200,
        r#"[{"name":"Ann Lee","email":"ann@example.com"},{"name":"Bo"},{"name":"Cy","email":"cy@example.com"}]"#,
        1,
    )
    .await;
    let members = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap();
    assert_eq!(
        names(&members.items),
        [("Ann Lee", "ann@example.com"), ("Cy", "cy@example.com")]
    );
    let [bad] = members.rejected() else {
        panic!("expected one rejected member: {:?}", members.rejected())
    };
    assert_eq!(bad.index(), 1);
    assert!(bad.message().contains("email"), "{}", bad.message());
    assert_eq!(bad.raw_json().get(), r#"{"name":"Bo"}"#);
}

#[tokio::test]
async fn a_single_member_object_that_does_not_decode_is_a_decode_error() {
    let server = MockServer::start().await;
    mount(&server, 200, r#"{"name":"Bo"}"#, 1).await;
    let err = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(
        (decode.call.provider, decode.call.operation),
        ("splitable", "listPaidMembers")
    );
    assert!(decode.message.contains("email"), "{}", decode.message);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
}

#[tokio::test]
async fn an_error_body_with_200_is_a_typed_error() {
    let server = MockServer::start().await;
    mount(&server, 200, r#"{"error":"Split not found"}"#, 1).await;
    let err = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(err.error_code(), Some("Split not found"));
}

#[tokio::test]
async fn a_500_with_an_error_body_is_typed_and_not_retried() {
    let server = MockServer::start().await;
    mount(&server, 500, r#"{"error":"api_key is missing"}"#, 1).await;
    let err = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.error_code(), Some("api_key is missing"));
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_bare_503_is_retried_for_the_get() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    mount(&server, 200, "[]", 1).await;
    let members = client(&server)
        .splits()
        .paid_members(SPLIT_ID)
        .await
        .unwrap();
    assert!(members.items.is_empty() && members.is_complete());
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_split_id_is_one_encoded_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/splits/a%2Fb%20c/paid_members"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(1)
        .mount(&server)
        .await;
    client(&server)
        .splits()
        .paid_members("a/b c")
        .await
        .unwrap();
}

#[tokio::test]
async fn an_empty_split_id_is_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .expect(0)
        .mount(&server)
        .await;
    let err = client(&server)
        .splits()
        .paid_members(" ")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "split_id"),
        "{err:?}"
    );
}
