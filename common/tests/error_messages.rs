//! What errors say, over real sockets: the call, the host, the cause at the bottom of the chain,
//! the attempts and time they took, a rejected key as an auth error, a quoted HTML body.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::Arc;
use std::time::Duration;

use splitkit_common::{
    ApiClient, AuthFailureKind, BearerToken, Error, Request, TimeoutScope, TransportErrorKind,
};
use support::*;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server on 127.0.0.1 that reads each request and then ends the connection: with a reset
/// (`SO_LINGER` 0) or by closing it (end of file).
async fn hanging_up(reset: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            if reset {
                stream.set_zero_linger().unwrap();
            }
            drop(stream);
        }
    });
    addr.to_string()
}

fn client(base_url: String) -> ApiClient {
    ApiClient::builder(base_url)
        .provider("acme")
        .retry(fast_retry())
        .build()
        .unwrap()
}

async fn get_payment(client: &ApiClient) -> Error {
    client
        .execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_refused_connection_names_the_host_and_the_attempts() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = get_payment(&client(format!("http://{addr}"))).await;
    let shown = err.to_string();
    let expected = format!(
        "acme getPayment: could not connect to {addr}: connection refused (after 3 attempts in "
    );
    assert!(shown.starts_with(&expected), "{shown}");
    assert!(
        matches!(&err, Error::Transport { source, .. } if source.kind() == TransportErrorKind::Connect)
    );
    let call = err.call().unwrap();
    assert_eq!(
        (call.provider, call.operation, call.attempts),
        ("acme", "getPayment", 3)
    );
}

#[tokio::test]
async fn a_reset_and_an_early_close_are_named() {
    for (reset, cause) in [
        (true, "connection reset"),
        (
            false,
            "connection closed before the answer was complete (EOF)",
        ),
    ] {
        let addr = hanging_up(reset).await;
        let err = get_payment(&client(format!("http://{addr}"))).await;
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!(
                "acme getPayment: request to {addr} failed: {cause} (after 3 attempts in "
            )),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn a_rejected_static_key_is_an_auth_error_that_keeps_the_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(r#"{"error":"Unauthorized: Invalid or revoked API key"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = ApiClient::builder(server.uri())
        .provider("acme")
        .auth(Arc::new(BearerToken::new("sk_revoked_key")))
        .build()
        .unwrap();
    let err = get_payment(&c).await;
    assert_eq!(
        err.to_string(),
        "acme getPayment: authentication failed: the credentials were rejected: 401 Unauthorized: Invalid or revoked API key"
    );
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    let failure = err.auth_failure().unwrap();
    assert_eq!(failure.kind(), AuthFailureKind::Rejected);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert!(
        err.api_error_from("acme")
            .unwrap()
            .body_text()
            .contains("revoked")
    );
    assert!(!err.is_retryable());
    assert!(!format!("{err:?}").contains("sk_revoked_key"));
    server.verify().await;
}

#[tokio::test]
async fn an_html_error_page_is_quoted_after_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_raw(
            "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>upstream token=abc123 failed</p></body></html>",
            "text/html",
        ))
        .expect(3)
        .mount(&server)
        .await;
    let err = get_payment(&client(server.uri())).await;
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "acme getPayment: 502 Bad Gateway: body \"502 Bad Gateway Bad Gateway upstream token=*** failed\" (after 3 attempts in "
        ),
        "{shown}"
    );
    assert_eq!(err.api_error().unwrap().message, None);
}

#[tokio::test(start_paused = true)]
async fn a_deadline_says_how_many_attempts_fitted() {
    let t = Arc::new(Scripted::new(vec![Step::Hang, Step::Hang, Step::Hang]));
    let c = ApiClient::builder("https://api.example.test")
        .provider("acme")
        .transport(t.clone())
        .retry(exact_retry())
        .attempt_timeout(Duration::from_secs(30))
        .deadline(Duration::from_secs(45))
        .build()
        .unwrap();
    let err = get_payment(&c).await;
    assert!(
        matches!(&err, Error::Timeout { scope: TimeoutScope::Deadline, limit, .. } if *limit == Duration::from_secs(45)),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "acme getPayment: the call deadline of 45 s passed (after 2 attempts in 45 s)"
    );
}

#[tokio::test]
async fn credentials_in_the_base_url_are_masked() {
    let c = ApiClient::builder("http://user:hunter2@127.0.0.1:9/api?api_key=k_live_1")
        .build()
        .unwrap();
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("k_live_1"),
        "{shown}"
    );
    let err = ApiClient::builder("ftp://user:hunter2@host/?token=t0k")
        .build()
        .unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("t0k"),
        "{shown}"
    );
}
