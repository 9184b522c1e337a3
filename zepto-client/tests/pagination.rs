//! Link-header pagination across pages, the lazy stream, and the repeat guard.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use support::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};
use zepto_client::Error;
use zepto_client::models::TransactionStatus;

fn transaction(reference: &str) -> serde_json::Value {
    json!({
        "ref": reference, "parent_ref": null, "type": "debit", "category": "payout",
        "created_at": "2021-04-07T23:15:00Z", "matures_at": "2021-04-07T23:15:00Z",
        "cleared_at": null, "bank_ref": null, "status": "maturing",
        "status_changed_at": "2021-04-07T23:15:00Z",
        "party_contact_id": "26297f44-c5e1-40a1-9864-3e0b0754c32a", "party_name": "Sanford-Rees",
        "party_nickname": null, "description": null, "amount": 100
    })
}

/// Page `n` of a five-item list, two per page, linking to page `next` when given.
fn page(server: &MockServer, refs: &[&str], next: Option<&str>) -> ResponseTemplate {
    let mut template = ResponseTemplate::new(200)
        .set_body_json(json!({ "data": refs.iter().map(|r| transaction(r)).collect::<Vec<_>>() }))
        .insert_header("Per-Page", "2")
        .insert_header("Total", "5");
    let last = format!(
        "<{}/transactions?page=3&per_page=2&status=maturing>; rel=\"last\"",
        server.uri()
    );
    let link = match next {
        Some(query) => format!(
            "{last}, <{}/transactions?{query}>; rel=\"next\"",
            server.uri()
        ),
        None => last,
    };
    template = template.insert_header("Link", link.as_str());
    template
}

async fn three_pages(server: &MockServer, each_once: bool) {
    let times = if each_once { 1..=1 } else { 0..=1 };
    Mock::given(method("GET"))
        .and(path("/transactions"))
        .and(query_param("page", "1"))
        .respond_with(page(
            server,
            &["D.1", "D.2"],
            Some("page=2&per_page=2&status=maturing"),
        ))
        .expect(times.clone())
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/transactions"))
        .and(query_param("page", "2"))
        .respond_with(page(
            server,
            &["D.3", "D.4"],
            Some("page=3&per_page=2&status=maturing"),
        ))
        .expect(times.clone())
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/transactions"))
        .and(query_param("page", "3"))
        .respond_with(page(server, &["D.5"], None))
        .expect(times.clone())
        .mount(server)
        .await;
}

#[tokio::test]
async fn pages_follow_the_link_header_and_report_total_and_per_page() {
    let server = MockServer::start().await;
    three_pages(&server, true).await;
    let client = client(&server);
    let first = client
        .transactions()
        .list()
        .status([TransactionStatus::Maturing])
        .page(1)
        .per_page(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.total, Some(5));
    assert_eq!(first.per_page, Some(2));
    assert!(first.has_next());
    let refs = |p: &zepto_client::Page<zepto_client::models::Transaction>| {
        p.items.iter().map(|t| t.ref_.clone()).collect::<Vec<_>>()
    };
    assert_eq!(refs(&first), ["D.1", "D.2"]);
    let second = client.next_page(&first).await.unwrap().unwrap();
    assert_eq!(refs(&second), ["D.3", "D.4"]);
    let third = client.next_page(&second).await.unwrap().unwrap();
    assert_eq!(refs(&third), ["D.5"]);
    assert!(!third.has_next());
    assert!(client.next_page(&third).await.unwrap().is_none());

    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.query(),
        Some("page=1&per_page=2&status=maturing")
    );
    assert_eq!(
        requests[1].url.query(),
        Some("page=2&per_page=2&status=maturing")
    );
    for request in &requests {
        assert_eq!(
            request.headers.get("authorization").unwrap(),
            "Bearer test-token"
        );
    }
}

#[tokio::test]
async fn the_stream_reads_every_item_across_three_pages() {
    let server = MockServer::start().await;
    three_pages(&server, true).await;
    let refs: Vec<String> = client(&server)
        .transactions()
        .list()
        .status([TransactionStatus::Maturing])
        .page(1)
        .per_page(2)
        .stream()
        .map_ok(|t| t.ref_)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(refs, ["D.1", "D.2", "D.3", "D.4", "D.5"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_stream_fetches_a_page_only_when_its_items_are_needed() {
    let server = MockServer::start().await;
    three_pages(&server, false).await;
    let mut stream = Box::pin(
        client(&server)
            .transactions()
            .list()
            .page(1)
            .per_page(2)
            .stream(),
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
    stream.next().await.unwrap().unwrap();
    stream.next().await.unwrap().unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    stream.next().await.unwrap().unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    // Dropping the stream early fetches nothing more.
    drop(stream);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_repeat_guard_stops_a_server_that_links_back() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/transactions"))
        .and(query_param("page", "1"))
        .respond_with(page(&server, &["D.1"], Some("page=2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/transactions"))
        .and(query_param("page", "2"))
        .respond_with(page(&server, &["D.2"], Some("page=1")))
        .mount(&server)
        .await;
    let results: Vec<Result<String, Error>> = client(&server)
        .transactions()
        .list()
        .page(1)
        .stream()
        .map_ok(|t| t.ref_)
        .collect()
        .await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert_eq!(results[0].as_ref().unwrap(), "D.1");
    assert_eq!(results[1].as_ref().unwrap(), "D.2");
    assert!(
        matches!(&results[2], Err(Error::PaginationLoop { .. })),
        "expected a pagination loop, got {:?}",
        results[2]
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn per_page_above_100_is_refused_before_sending_and_ends_the_stream() {
    let server = MockServer::start().await;
    let client = client(&server);
    let err = client
        .payments()
        .list()
        .per_page(101)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "per_page"),
        "{err}"
    );
    let results: Vec<_> = client.contacts().list().page(0).stream().collect().await;
    assert_eq!(results.len(), 1);
    assert!(
        matches!(&results[0], Err(Error::Validation { field, .. }) if field == "page"),
        "{:?}",
        results[0]
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
