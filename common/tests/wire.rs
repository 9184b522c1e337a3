//! The pipeline over real HTTP against wiremock on 127.0.0.1.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use http::HeaderMap;
use serde::Deserialize;
use splitkit_common::{
    ApiClient, ApiError, BearerToken, Error, ErrorClass, ErrorPolicy, MemoryTokenStore,
    OAuthAuthenticator, ParamKey, Request, SecretString, TokenPair, TokenSource, TokenStore,
    TransportErrorKind,
};
use support::*;
use wiremock::matchers::{body_string, header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

#[derive(Debug, Deserialize, PartialEq)]
struct Payment {
    r#ref: String,
    amount: i64,
}

fn client(server: &MockServer) -> splitkit_common::ApiClientBuilder {
    ApiClient::builder(format!("{}/api/v1", server.uri())).retry(fast_retry())
}

#[tokio::test]
async fn sends_method_path_headers_and_body_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/payments"))
        .and(header("authorization", "Bearer key_123"))
        .and(header("accept", "application/json"))
        .and(header("content-type", "application/json"))
        .and(header_exists("idempotency-key"))
        .and(body_string(r#"{"amount":1500}"#))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_string(r#"{"ref":"PB.1","amount":1500,"extra":true}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server)
        .auth(Arc::new(BearerToken::new("key_123")))
        .build()
        .unwrap();
    let p: Payment = c
        .execute(
            Request::new(&CREATE_PAYMENT)
                .json_body(&serde_json::json!({"amount": 1500}))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        p,
        Payment {
            r#ref: "PB.1".into(),
            amount: 1500
        }
    );
}

#[tokio::test]
async fn idempotency_key_identical_across_real_retries() {
    let server = MockServer::start().await;
    let keys = Arc::new(std::sync::Mutex::new(Vec::new()));
    struct Flaky(Arc<std::sync::Mutex<Vec<String>>>);
    impl Respond for Flaky {
        fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
            let mut keys = self.0.lock().unwrap();
            keys.push(
                req.headers
                    .get("idempotency-key")
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_owned(),
            );
            if keys.len() < 3 {
                ResponseTemplate::new(503)
            } else {
                ResponseTemplate::new(201).set_body_string(r#"{"ref":"PB.2","amount":1}"#)
            }
        }
    }
    Mock::given(method("POST"))
        .respond_with(Flaky(keys.clone()))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    c.execute::<Payment>(Request::new(&CREATE_PAYMENT))
        .await
        .unwrap();
    let keys = keys.lock().unwrap();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| k == &keys[0]));
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error_and_shows_no_key() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = ApiClient::builder(format!("http://{addr}"))
        .retry(fast_retry())
        .auth(Arc::new(ParamKey::new("api_key", "very-secret-key")))
        .build()
        .unwrap();
    let err = c
        .execute_unit(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err();
    match &err {
        Error::Transport { source, .. } => assert_eq!(source.kind(), TransportErrorKind::Connect),
        other => panic!("expected a transport error, got {other:?}"),
    }
    let shown = format!("{err} {err:?} {c:?}");
    assert!(!shown.contains("very-secret-key"), "{shown}");
}

#[tokio::test]
async fn decode_failure_names_the_path_and_keeps_the_status() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-request-id", "req_9")
                .set_body_string(r#"{"ref":"PB.1","amount":"15.00","token":"tok_secret"}"#),
        )
        .mount(&server)
        .await;
    let c = client(&server)
        .request_id_header("x-request-id")
        .secret_fields(&["token"])
        .build()
        .unwrap();
    let err = c
        .execute::<Payment>(Request::new(&GET_PAYMENT).path_param("payment_ref", "PB.1"))
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "amount");
    assert_eq!(err.request_id(), Some("req_9"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));
    assert!(!format!("{err} {err:?}").contains("tok_secret"));
}

/// A provider policy: 409 means the idempotency key was reused.
#[derive(Debug)]
struct ConflictPolicy;

impl ErrorPolicy for ConflictPolicy {
    fn classify(&self, api: &mut ApiError, _headers: &HeaderMap) -> ErrorClass {
        let body: serde_json::Value = serde_json::from_slice(&api.body).unwrap_or_default();
        api.message = body["message"].as_str().map(str::to_owned);
        if api.status.as_u16() == 409 {
            ErrorClass::IdempotencyConflict {
                existing_resource: body["resource_ref"].as_str().map(str::to_owned),
            }
        } else {
            ErrorClass::Default
        }
    }
}

#[tokio::test]
async fn provider_policy_turns_409_into_a_conflict_that_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(409)
                .set_body_string(r#"{"message":"key reused","resource_ref":"PB.1a4"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server)
        .error_policy(Arc::new(ConflictPolicy))
        .build()
        .unwrap();
    let err = c
        .execute::<Payment>(Request::new(&CREATE_PAYMENT))
        .await
        .unwrap_err();
    match err {
        Error::IdempotencyConflict {
            existing_resource,
            key,
            error,
        } => {
            assert_eq!(existing_resource.as_deref(), Some("PB.1a4"));
            assert!(key.is_some());
            assert_eq!(error.message.as_deref(), Some("key reused"));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
}

// ---- OAuth ------------------------------------------------------------------------------

/// A token source that calls a token endpoint over HTTP, as a provider crate's would.
#[derive(Debug)]
struct HttpTokenSource {
    url: String,
    http: reqwest::Client,
}

#[async_trait]
impl TokenSource for HttpTokenSource {
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair, Error> {
        let response = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                serde_urlencoded::to_string([
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh_token.expose()),
                ])
                .unwrap(),
            )
            .send()
            .await
            .map_err(|e| {
                Error::auth(
                    "token endpoint unreachable",
                    Some(Box::new(e.without_url())),
                )
            })?;
        if !response.status().is_success() {
            return Err(Error::auth(
                format!("token endpoint answered {}", response.status()),
                None,
            ));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Error::auth("bad token answer", Some(Box::new(e))))?;
        let body: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::auth("bad token answer", Some(Box::new(e))))?;
        Ok(TokenPair {
            access_token: body["access_token"].as_str().unwrap_or_default().into(),
            refresh_token: body["refresh_token"].as_str().map(Into::into),
            expires_at: Some(
                SystemTime::now() + Duration::from_secs(body["expires_in"].as_u64().unwrap_or(0)),
            ),
            scope: None,
        })
    }
}

/// A store that counts saves and remembers the order of events.
#[derive(Debug, Default)]
struct RecordingStore {
    inner: MemoryTokenStore,
    saves: AtomicUsize,
}

#[async_trait]
impl TokenStore for RecordingStore {
    async fn load(&self) -> Result<Option<TokenPair>, Error> {
        self.inner.load().await
    }
    async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.inner.save(tokens).await
    }
}

fn expired_pair() -> TokenPair {
    TokenPair {
        access_token: "old-access".into(),
        refresh_token: Some("refresh-1".into()),
        expires_at: Some(SystemTime::now() - Duration::from_secs(10)),
        scope: None,
    }
}

async fn oauth_client(server: &MockServer, store: Arc<RecordingStore>, on_403: bool) -> ApiClient {
    let source = Arc::new(HttpTokenSource {
        url: format!("{}/oauth/token", server.uri()),
        http: splitkit_common::tls::http_client_builder()
            .unwrap()
            .build()
            .unwrap(),
    });
    let auth = OAuthAuthenticator::new(source, store).renew_on_forbidden(on_403);
    client(server).auth(Arc::new(auth)).build().unwrap()
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .set_body_json(serde_json::json!({"access_token": access, "refresh_token": refresh, "expires_in": 7200, "token_type": "bearer"}))
        // Long enough that the 50 callers pile up behind the one refresh.
        .set_delay(Duration::from_millis(100))
}

#[tokio::test]
async fn fifty_concurrent_calls_with_an_expired_token_refresh_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string(
            "grant_type=refresh_token&refresh_token=refresh-1",
        ))
        .respond_with(token_answer("new-access", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer new-access"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"ref":"PB.1","amount":1}"#))
        .expect(50)
        .mount(&server)
        .await;
    let store = Arc::new(RecordingStore::default());
    store.inner.save(&expired_pair()).await.unwrap();
    let c = oauth_client(&server, store.clone(), false).await;
    let calls = (0..50).map(|i| {
        let c = c.clone();
        async move {
            c.execute::<Payment>(Request::new(&GET_PAYMENT).path_param("payment_ref", i))
                .await
        }
    });
    let results = futures_util::future::join_all(calls).await;
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(store.saves.load(Ordering::SeqCst), 1);
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(
        saved.refresh_token.unwrap().expose(),
        "refresh-2",
        "the rotated refresh token is persisted"
    );
    server.verify().await;
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("fresh", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer revoked"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer fresh"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"ref":"PB.1","amount":1}"#))
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(RecordingStore::default());
    store
        .inner
        .save(&TokenPair {
            access_token: "revoked".into(),
            expires_at: None,
            ..expired_pair()
        })
        .await
        .unwrap();
    let c = oauth_client(&server, store, false).await;
    c.execute::<Payment>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_403_renews_only_when_enabled_and_a_second_rejection_is_final() {
    for on_403 in [false, true] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(token_answer("fresh", "refresh-2"))
            .expect(u64::from(on_403))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(403))
            .expect(if on_403 { 2 } else { 1 })
            .mount(&server)
            .await;
        let store = Arc::new(RecordingStore::default());
        store
            .inner
            .save(&TokenPair {
                expires_at: None,
                ..expired_pair()
            })
            .await
            .unwrap();
        let c = oauth_client(&server, store, on_403).await;
        let err = c
            .execute::<Payment>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
        server.verify().await;
    }
}

#[tokio::test]
async fn a_failed_refresh_is_an_auth_error_without_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_string(r#"{"error":"invalid_grant"}"#))
        .mount(&server)
        .await;
    let store = Arc::new(RecordingStore::default());
    store.inner.save(&expired_pair()).await.unwrap();
    let c = oauth_client(&server, store.clone(), false).await;
    let err = c
        .execute::<Payment>(Request::new(&GET_PAYMENT).path_param("payment_ref", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("refresh-1"));
    assert_eq!(store.saves.load(Ordering::SeqCst), 0);
}

// ---- Pagination -------------------------------------------------------------------------

fn payments_page(server: &MockServer, page: u32, link: Option<String>) -> ResponseTemplate {
    let _ = server;
    let body = serde_json::json!({"data": [
        {"ref": format!("PB.{page}a"), "amount": page},
        {"ref": format!("PB.{page}b"), "amount": page},
    ]});
    let mut t = ResponseTemplate::new(200)
        .insert_header("per-page", "2")
        .insert_header("total", "6")
        .set_body_json(body);
    if let Some(link) = link {
        t = t.insert_header("link", link.as_str());
    }
    t
}

#[tokio::test]
async fn link_pagination_follows_next_and_stops() {
    let server = MockServer::start().await;
    let base = format!("{}/api/v1/payments", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v1/payments"))
        .and(query_param("page", "2"))
        .respond_with(payments_page(
            &server,
            2,
            Some(format!(
                r#"<{base}?page=3&per_page=2>; rel="next", <{base}?page=1>; rel="prev""#
            )),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/payments"))
        .and(query_param("page", "3"))
        .respond_with(payments_page(
            &server,
            3,
            Some(format!(r#"<{base}?page=1>; rel="first""#)),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/payments"))
        .and(query_param("per_page", "2"))
        .respond_with(payments_page(
            &server,
            1,
            Some(r#"</api/v1/payments?page=2&per_page=2>; rel="next""#.to_owned()),
        ))
        // Once for `fetch_page`, once for the stream.
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let first: splitkit_common::Page<Payment> = c
        .fetch_page(Request::new(&LIST_PAYMENTS).query("per_page", 2))
        .await
        .unwrap();
    assert_eq!(first.total, Some(6));
    assert_eq!(first.per_page, Some(2));
    assert!(first.has_next());

    let all: Vec<Payment> = c
        .stream(Request::new(&LIST_PAYMENTS).query("per_page", 2))
        .try_collect()
        .await
        .unwrap();
    let refs: Vec<_> = all.iter().map(|p| p.r#ref.as_str()).collect();
    assert_eq!(refs, ["PB.1a", "PB.1b", "PB.2a", "PB.2b", "PB.3a", "PB.3b"]);
}

#[tokio::test]
async fn the_stream_is_lazy() {
    let server = MockServer::start().await;
    let hits = Arc::new(AtomicUsize::new(0));
    struct Counting(Arc<AtomicUsize>, String);
    impl Respond for Counting {
        fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
            let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
            let _ = req;
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(r#"<{}?page={}>; rel="next""#, self.1, n + 1).as_str(),
                )
                .set_body_json(
                    serde_json::json!({"data": [{"ref": format!("PB.{n}"), "amount": n}]}),
                )
        }
    }
    let base = format!("{}/api/v1/payments", server.uri());
    Mock::given(method("GET"))
        .respond_with(Counting(hits.clone(), base))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let first_two: Vec<Payment> = c
        .stream(Request::new(&LIST_PAYMENTS))
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first_two.len(), 2);
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "only the pages read were fetched"
    );
}

#[tokio::test]
async fn the_repeat_guard_stops_a_server_that_loops() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("page", "2"))
        .respond_with(payments_page(
            &server,
            2,
            Some(r#"</api/v1/payments?page=1>; rel="next""#.to_owned()),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("page", "1"))
        .respond_with(payments_page(
            &server,
            1,
            Some(r#"</api/v1/payments?page=2>; rel="next""#.to_owned()),
        ))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let results: Vec<Result<Payment, Error>> = c
        .stream(Request::new(&LIST_PAYMENTS).query("page", 1))
        .collect()
        .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
    let last = results.last().unwrap();
    match last {
        Err(Error::PaginationLoop { repeated }) => {
            assert!(repeated.ends_with("/api/v1/payments?page=1"), "{repeated}");
        }
        other => panic!("expected a pagination loop, got {other:?}"),
    }
    assert_eq!(results.len(), 5, "the stream ends after the error");
}

#[tokio::test]
async fn links_to_another_origin_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(payments_page(
            &server,
            1,
            Some(r#"<https://elsewhere.example/steal?page=2>; rel="next""#.to_owned()),
        ))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let err = c
        .fetch_page::<Payment>(Request::new(&LIST_PAYMENTS))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another origin"), "{err}");
}

#[tokio::test]
async fn cursor_pagination_sends_the_cursor_back_and_stops_on_has_more_false() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param("cursor", "1719234567890"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"ref": "s3", "amount": 3}], "has_more": false, "next_cursor": 1719234567000u64
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("limit", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": [{"ref": "s1", "amount": 1}, {"ref": "s2", "amount": 2}], "has_more": true, "next_cursor": 1719234567890u64
        })))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let all: Vec<Payment> = c
        .stream(Request::new(&LIST_SESSIONS).query("limit", 2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn page_number_pagination_stops_on_an_empty_page() {
    let server = MockServer::start().await;
    for page in 1..=3u32 {
        let items: Vec<_> = if page < 3 {
            vec![serde_json::json!({"ref": format!("n{page}"), "amount": page})]
        } else {
            vec![]
        };
        Mock::given(method("GET"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(items))
            .expect(1)
            .mount(&server)
            .await;
    }
    let c = client(&server).build().unwrap();
    let all: Vec<Payment> = c
        .stream(Request::new(&LIST_NUMBERED).query("page", 1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
}

#[tokio::test]
async fn a_page_with_a_bad_item_returns_the_others_and_reports_it() {
    let server = MockServer::start().await;
    // The next page's request carries `limit` too: its mock goes first.
    Mock::given(method("GET"))
        .and(query_param("cursor", "c2"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"has_more": false, "data": [{"amount": 4}, {"ref": "s5", "amount": 5}]}"#,
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("limit", "3"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"has_more": true, "next_cursor": "c2", "data": [
                {"ref": "s1", "amount": 1},
                {"ref": "s2", "amount": "2.5", "card": {"token": "tok_secret"}},
                {"ref": "s3", "amount": "3"}]}"#,
        ))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();

    // `amount: "3"` is a plain i64 here, so it fails too: lenient reading is the generated
    // models' business, isolation is the runtime's.
    let page: splitkit_common::Page<Payment> = c
        .fetch_page(Request::new(&LIST_SESSIONS).query("limit", 3))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.is_complete());
    assert!(page.has_next(), "the cursor survives the fallback");
    assert_eq!(page.next_token(), Some("c2"));
    let bad = &page.rejected()[0];
    assert_eq!((bad.index(), bad.path()), (1, "amount"));
    assert!(bad.raw_json().get().contains("tok_secret"), "raw JSON kept");
    assert!(!format!("{bad:?}").contains("tok_secret"));
    let order: Vec<_> = page
        .into_results()
        .into_iter()
        .map(|r| r.map(|p| p.r#ref).map_err(|e| e.index()))
        .collect();
    assert_eq!(order, [Ok("s1".to_owned()), Err(1), Err(2)]);

    // The stream yields every item in its place and goes on after a bad one.
    let all: Vec<Result<Payment, Error>> = c
        .stream(Request::new(&LIST_SESSIONS).query("limit", 3))
        .collect()
        .await;
    let shape: Vec<String> = all
        .iter()
        .map(|r| match r {
            Ok(p) => p.r#ref.clone(),
            Err(Error::Item(bad)) => format!("bad@{}:{}", bad.index(), bad.path()),
            Err(other) => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        shape,
        ["s1", "bad@1:amount", "bad@2:amount", "bad@0:.", "s5"]
    );
}

#[tokio::test]
async fn a_broken_envelope_still_fails_the_call_with_its_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(
                r#"{"has_more": "perhaps", "data": [{"ref": "s1", "amount": 1}]}"#,
            ),
        )
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let err = c
        .fetch_page::<Payment>(Request::new(&LIST_SESSIONS))
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "has_more");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(200));

    // A missing items field is an error too (it must not look like the end of the list), but
    // `null` is an empty list.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"has_more": false}"#))
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let err = c
        .fetch_page::<Payment>(Request::new(&LIST_SESSIONS))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("missing field `data`"), "{err}");

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"data": null, "has_more": false}"#),
        )
        .mount(&server)
        .await;
    let c = client(&server).build().unwrap();
    let page = c
        .fetch_page::<Payment>(Request::new(&LIST_SESSIONS))
        .await
        .unwrap();
    assert!(page.items.is_empty() && page.is_complete() && !page.has_next());
}

#[test]
fn whole_lists_decode_item_by_item() {
    let body = br#"[{"ref": "a", "amount": 1}, {"ref": "b"}, 7]"#;
    let page: splitkit_common::Page<Payment> =
        splitkit_common::decode::list("listThings", body, &[], "").unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.has_next());
    let found: Vec<_> = page.rejected().iter().map(|e| e.index()).collect();
    assert_eq!(found, [1, 2]);
    assert!(splitkit_common::decode::list::<Payment>("listThings", b"{}", &[], "").is_err());
}
