//! OAuth2 against a wiremock token endpoint: authorisation URL, code exchange, refresh with
//! rotation persisted before use, single-flight refresh, 401/403 renewal, failures; and the
//! file token store.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use serde_json::json;
use splitkit_common::{
    AuthFailureKind, HttpRequest, HttpResponse, ReqwestTransport, TokenPair, TokenStore, Transport,
    TransportError,
};
use support::*;
use url::Url;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};
use zepto_client::oauth::{CsrfState, FileTokenStore, OAuthApp, Scope, SignUpPrefill};
use zepto_client::{Client, Environment, Error, SecretString};

const REDIRECT: &str = "https://merchant.example/zepto/callback";

fn app(server: &MockServer) -> OAuthApp {
    OAuthApp::new(
        &Environment::custom(server.uri(), server.uri()),
        "app-id",
        "app-secret",
        REDIRECT,
    )
    .unwrap()
    .clock(clock())
}

fn at(seconds_from_now: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs((NOW + seconds_from_now) as u64)
}

fn pair(access: &str, refresh: &str, expires_in: i64) -> TokenPair {
    TokenPair {
        access_token: SecretString::new(access),
        refresh_token: Some(SecretString::new(refresh)),
        expires_at: Some(at(expires_in)),
        scope: Some("public payments".into()),
    }
}

/// The documented token answer, with our tokens.
fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access,
        "token_type": "bearer",
        "expires_in": 7200,
        "refresh_token": refresh,
        "scope": "public"
    }))
}

fn form(request: &wiremock::Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    pairs.sort();
    pairs
}

/// A store that records every save in a shared event log.
#[derive(Debug)]
struct LoggingStore {
    tokens: Mutex<Option<TokenPair>>,
    log: Arc<Mutex<Vec<String>>>,
}

#[async_trait]
impl TokenStore for LoggingStore {
    async fn load(&self) -> Result<Option<TokenPair>, Error> {
        Ok(self.tokens.lock().unwrap().clone())
    }
    async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
        self.log.lock().unwrap().push(format!(
            "save {}",
            tokens.refresh_token.as_ref().unwrap().expose()
        ));
        *self.tokens.lock().unwrap() = Some(tokens.clone());
        Ok(())
    }
}

fn store(tokens: TokenPair) -> (Arc<LoggingStore>, Arc<Mutex<Vec<String>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let store = Arc::new(LoggingStore {
        tokens: Mutex::new(Some(tokens)),
        log: log.clone(),
    });
    (store, log)
}

fn oauth_client(server: &MockServer, store: Arc<LoggingStore>) -> Client {
    builder(server).oauth(app(server), store).build().unwrap()
}

fn user_answer() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"data": {"first_name": "Bear"}}))
}

#[test]
fn an_oauth_base_with_a_path_keeps_every_segment() {
    for base in [
        "http://127.0.0.1:9/zepto/go",
        "http://127.0.0.1:9/zepto/go/",
    ] {
        let app = OAuthApp::new(&Environment::custom(base, base), "app-id", "s", REDIRECT).unwrap();
        let auth = app.authorization_url().state("s1").build().unwrap();
        assert_eq!(auth.url.path(), "/zepto/go/oauth/authorize", "base {base}");
    }
}

#[test]
fn the_authorization_url_carries_scopes_state_and_sign_up_details() {
    let app = OAuthApp::new(&Environment::Sandbox, "app-id", "app-secret", REDIRECT).unwrap();
    let auth = app
        .authorization_url()
        .scopes([Scope::Payments, Scope::Contacts, Scope::OfflineAccess])
        .state("state-123")
        .sign_up({
            let mut prefill = SignUpPrefill::default();
            prefill.landing_sign_up = true;
            prefill.nickname = Some("george-co_1".into());
            prefill.first_name = Some("George".into());
            prefill.street_address = Some("1 Main St".into());
            prefill
        })
        .build()
        .unwrap();
    assert_eq!(
        auth.url.origin().ascii_serialization(),
        "https://go.sandbox.zeptopayments.com"
    );
    assert_eq!(auth.url.path(), "/oauth/authorize");
    let query: Vec<(String, String)> = auth.url.query_pairs().into_owned().collect();
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(get("client_id"), Some("app-id"));
    assert_eq!(get("redirect_uri"), Some(REDIRECT));
    assert_eq!(get("scope"), Some("payments contacts offline_access"));
    assert_eq!(get("state"), Some("state-123"));
    assert_eq!(get("landing"), Some("sign_up"));
    assert_eq!(get("nickname"), Some("george-co_1"));
    assert_eq!(get("first_name"), Some("George"));
    assert_eq!(get("street_address"), Some("1 Main St"));
    assert_eq!(
        get("client_secret"),
        None,
        "the secret never goes in the URL"
    );
    assert!(!auth.url.as_str().contains("app-secret"));
    assert_eq!(auth.state.as_str(), "state-123");
}

#[test]
fn the_state_is_random_unless_given_and_nicknames_are_checked() {
    let app = OAuthApp::new(&Environment::SplitSandbox, "app-id", "s", REDIRECT).unwrap();
    let a = app
        .authorization_url()
        .scope(Scope::Public)
        .build()
        .unwrap();
    let b = app
        .authorization_url()
        .scope(Scope::Public)
        .build()
        .unwrap();
    assert!(a.state.as_str().len() >= 16);
    assert_ne!(a.state, b.state);
    assert_eq!(a.url.host_str(), Some("go.sandbox.split.cash"));

    let err = app
        .authorization_url()
        .sign_up({
            let mut prefill = SignUpPrefill::default();
            prefill.nickname = Some("george co".into());
            prefill
        })
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Validation { field, .. } if field == "nickname"),
        "{err}"
    );
}

#[test]
fn the_redirect_gives_the_code_only_when_the_state_matches() {
    let state = CsrfState::new("abc");
    let ok = Url::parse("https://merchant.example/cb?code=C0DE&state=abc").unwrap();
    assert_eq!(
        zepto_client::oauth::code_from_redirect(&state, &ok).unwrap(),
        "C0DE"
    );
    for bad in [
        "https://merchant.example/cb?code=C0DE&state=abd",
        "https://merchant.example/cb?code=C0DE",
        "https://merchant.example/cb?error=access_denied&state=abc",
        "https://merchant.example/cb?state=abc",
    ] {
        let err =
            zepto_client::oauth::code_from_redirect(&state, &Url::parse(bad).unwrap()).unwrap_err();
        assert!(matches!(err, Error::Auth { .. }), "{bad}: {err}");
    }
}

/// Counts the requests that go through it.
#[derive(Debug)]
struct CountingTransport {
    inner: ReqwestTransport,
    count: AtomicUsize,
}

#[async_trait]
impl Transport for CountingTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.inner.send(request).await
    }
}

#[tokio::test]
async fn the_code_exchange_posts_the_documented_form_through_our_transport() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer(
            "ad0b5847cb7d254f1e2ff1910275fe9dcb95345c9d54502d156fe35a37b93e80",
            "cc38f78a5b8abe8ee81cdf25b1ca74c3fa10c3da2309de5ac37fde00cbcf2815",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let transport = Arc::new(CountingTransport {
        inner: ReqwestTransport::new().unwrap(),
        count: AtomicUsize::new(0),
    });
    let tokens = app(&server)
        .transport(transport.clone())
        .exchange_code("one-time-code")
        .await
        .unwrap();
    assert_eq!(transport.count.load(Ordering::SeqCst), 1);
    assert_eq!(
        tokens.access_token.expose(),
        "ad0b5847cb7d254f1e2ff1910275fe9dcb95345c9d54502d156fe35a37b93e80"
    );
    assert_eq!(
        tokens.refresh_token.unwrap().expose(),
        "cc38f78a5b8abe8ee81cdf25b1ca74c3fa10c3da2309de5ac37fde00cbcf2815"
    );
    assert_eq!(tokens.expires_at, Some(at(7200)));
    assert_eq!(tokens.scope.as_deref(), Some("public"));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].headers.get("content-type").unwrap(),
        "application/x-www-form-urlencoded"
    );
    assert_eq!(
        form(&requests[0]),
        [
            ("client_id".to_owned(), "app-id".to_owned()),
            ("client_secret".to_owned(), "app-secret".to_owned()),
            ("code".to_owned(), "one-time-code".to_owned()),
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("redirect_uri".to_owned(), REDIRECT.to_owned()),
        ]
    );
}

/// Answers 200 to `Bearer <good>` (logging it), 401 (or `status`) otherwise.
struct Api {
    good: &'static str,
    refused: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Respond for Api {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        self.log.lock().unwrap().push(format!("api {auth}"));
        if auth == format!("Bearer {}", self.good) {
            user_answer()
        } else {
            ResponseTemplate::new(self.refused).set_body_json(
                json!({"errors": [{"title": "Unauthorized", "detail": "Invalid token"}]}),
            )
        }
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_and_the_rotated_pair_saved_before_use() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    let (store, log) = store(pair("access-1", "refresh-1", -10));
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(Api {
            good: "access-2",
            refused: 401,
            log: log.clone(),
        })
        .mount(&server)
        .await;
    let client = oauth_client(&server, store.clone());
    let user = client.user().get().await.unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Bear"));
    assert_eq!(
        *log.lock().unwrap(),
        ["save refresh-2", "api Bearer access-2"],
        "the rotated refresh token is stored before the new access token is used"
    );
    let token_request = &server.received_requests().await.unwrap()[0];
    assert_eq!(token_request.url.path(), "/oauth/token");
    assert_eq!(
        form(token_request),
        [
            ("client_id".to_owned(), "app-id".to_owned()),
            ("client_secret".to_owned(), "app-secret".to_owned()),
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            ("refresh_token".to_owned(), "refresh-1".to_owned()),
        ]
    );
    let saved = store.load().await.unwrap().unwrap();
    assert_eq!(saved.refresh_token.unwrap().expose(), "refresh-2");
    assert_eq!(saved.expires_at, Some(at(7200)));
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_early() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    // Still valid for 60 s: inside the default 5-minute margin.
    let (store, log) = store(pair("access-1", "refresh-1", 60));
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(Api {
            good: "access-2",
            refused: 401,
            log: log.clone(),
        })
        .mount(&server)
        .await;
    oauth_client(&server, store).user().get().await.unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["save refresh-2", "api Bearer access-2"]
    );
}

#[tokio::test]
async fn a_hundred_concurrent_calls_with_an_expired_token_refresh_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2").set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .and(header("authorization", "Bearer access-2"))
        .respond_with(user_answer())
        .expect(100)
        .mount(&server)
        .await;
    let (store, log) = store(pair("access-1", "refresh-1", -10));
    let client = oauth_client(&server, store);
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.user().get().await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().first_name.as_deref(), Some("Bear"));
    }
    assert_eq!(*log.lock().unwrap(), ["save refresh-2"]);
}

#[tokio::test]
async fn the_client_sends_token_refreshes_through_its_own_transport() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(user_answer())
        .expect(1)
        .mount(&server)
        .await;
    let transport = Arc::new(CountingTransport {
        inner: ReqwestTransport::new().unwrap(),
        count: AtomicUsize::new(0),
    });
    let (store, _) = store(pair("access-1", "refresh-1", -10));
    let client = builder(&server)
        .transport(transport.clone())
        .oauth(app(&server), store)
        .build()
        .unwrap();
    client.user().get().await.unwrap();
    assert_eq!(
        transport.count.load(Ordering::SeqCst),
        2,
        "the refresh and the API call"
    );
}

async fn rejected_once_then_renewed(status: u16) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    // A token that is not expired, but that Zepto rejects (e.g. revoked).
    let (store, log) = store(pair("access-1", "refresh-1", 3600));
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(Api {
            good: "access-2",
            refused: status,
            log: log.clone(),
        })
        .mount(&server)
        .await;
    let user = oauth_client(&server, store).user().get().await.unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Bear"));
    assert_eq!(
        *log.lock().unwrap(),
        [
            "api Bearer access-1",
            "save refresh-2",
            "api Bearer access-2"
        ],
        "{status}: one refresh, one retry"
    );
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    rejected_once_then_renewed(401).await;
}

#[tokio::test]
async fn a_403_refreshes_once_and_retries_once() {
    rejected_once_then_renewed(403).await;
}

#[tokio::test]
async fn the_oauth_host_setter_sends_token_requests_there() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/proxy/go/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    let (store, log) = store(pair("access-1", "refresh-1", -10));
    Mock::given(method("GET"))
        .and(path("/proxy/api/user"))
        .respond_with(Api {
            good: "access-2",
            refused: 401,
            log: log.clone(),
        })
        .expect(1)
        .mount(&server)
        .await;
    // An app of the sandbox, a client whose hosts are replaced: the token request follows.
    let app = OAuthApp::new(&Environment::Sandbox, "app-id", "app-secret", REDIRECT)
        .unwrap()
        .clock(clock());
    let client = Client::builder(Environment::Sandbox)
        .base_url(format!("{}/proxy/api", server.uri()))
        .oauth_base_url(format!("{}/proxy/go", server.uri()))
        .retry(fast_retry())
        .clock(clock())
        .oauth(app, store)
        .build()
        .unwrap();
    assert_eq!(
        client.environment().oauth_base_url(),
        format!("{}/proxy/go", server.uri())
    );
    client.user().get().await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_401_after_renewal_is_an_auth_error_that_keeps_zeptos_answer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"errors": [{
            "title": "Unauthorized",
            "detail": "Unauthorized: The access token is invalid"
        }]})))
        .expect(2)
        .mount(&server)
        .await;
    let (store, _) = store(pair("access-1", "refresh-1", 3600));
    let err = oauth_client(&server, store).user().get().await.unwrap_err();
    // The attempt with the renewed token counts; the time taken varies from run to run.
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "zepto getUser: authentication failed: the credentials were rejected: \
             401 Unauthorized: The access token is invalid (after 2 attempts in "
        ),
        "{shown}"
    );
    assert_eq!(
        err.auth_failure().map(|f| f.kind()),
        Some(AuthFailureKind::Rejected)
    );
    assert_eq!(
        zepto_client::ErrorExt::error_code(&err),
        Some("Unauthorized")
    );
}

#[tokio::test]
async fn a_second_rejection_is_final() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    let (store, log) = store(pair("access-1", "refresh-1", 3600));
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(Api {
            good: "never",
            refused: 403,
            log: log.clone(),
        })
        .mount(&server)
        .await;
    let err = oauth_client(&server, store).user().get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403), "{err}");
    assert_eq!(log.lock().unwrap().len(), 3, "{:?}", log.lock().unwrap());
}

#[tokio::test]
async fn a_failed_refresh_is_a_typed_auth_error_without_secrets() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "error": "invalid_grant",
            "error_description": "The provided authorization grant is invalid, expired or revoked."
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(user_answer())
        .expect(0)
        .mount(&server)
        .await;
    let (store, log) = store(pair("access-1", "refresh-secret-1", -10));
    let err = oauth_client(&server, store).user().get().await.unwrap_err();
    match &err {
        Error::Auth { message, .. } => {
            assert!(message.contains("invalid_grant"), "{message}");
            assert!(message.contains("must be re-authorised"), "{message}");
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
    assert!(err.requires_reauthorization());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert!(!err.is_retryable());
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("refresh-secret-1"), "{shown}");
    assert!(!shown.contains("app-secret"), "{shown}");
    assert!(log.lock().unwrap().is_empty(), "nothing saved");
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_an_auth_error() {
    // A port nothing listens on.
    let app = OAuthApp::new(
        &Environment::custom("http://127.0.0.1:9", "http://127.0.0.1:9"),
        "app-id",
        "app-secret",
        REDIRECT,
    )
    .unwrap();
    let err = app
        .refresh_tokens(&SecretString::new("refresh-1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    assert_eq!(
        err.auth_failure().map(|f| f.kind()),
        Some(AuthFailureKind::TokenEndpointUnavailable)
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_5xx_from_the_token_endpoint_keeps_its_status_and_is_an_outage() {
    for (status, body) in [
        (500, ""),
        (502, "<html>Bad Gateway</html>"),
        (503, r#"{"error":"server_error"}"#),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        let err = app(&server)
            .refresh_tokens(&SecretString::new("refresh-1"))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err}");
        assert_eq!(
            err.auth_failure().map(|f| f.kind()),
            Some(AuthFailureKind::TokenEndpointUnavailable),
            "{status}: {err}"
        );
        assert!(err.is_retryable(), "{status}");
        assert!(!err.to_string().contains("not a token response"), "{err}");
    }
}

#[tokio::test]
async fn the_client_retries_a_token_endpoint_outage_within_the_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(token_answer("access-2", "refresh-2"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .and(header("authorization", "Bearer access-2"))
        .respond_with(user_answer())
        .expect(1)
        .mount(&server)
        .await;
    let (store, log) = store(pair("access-1", "refresh-1", -10));
    oauth_client(&server, store).user().get().await.unwrap();
    assert_eq!(*log.lock().unwrap(), ["save refresh-2"]);
}

#[tokio::test]
async fn a_hundred_calls_share_one_invalid_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant"}))
                .set_delay(Duration::from_millis(100)),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (store, _) = store(pair("access-1", "refresh-1", -10));
    let client = oauth_client(&server, store);
    let calls = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.user().get().await })
    });
    for call in futures_util::future::join_all(calls).await {
        assert!(call.unwrap().unwrap_err().requires_reauthorization());
    }
}

#[tokio::test]
async fn a_personal_access_token_is_never_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/user"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "errors": [{"title": "Unauthorized", "detail": "Invalid token"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).user().get().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(
        err.api_error().unwrap().message.as_deref(),
        Some("Unauthorized: Invalid token")
    );
    let requests = server.received_requests().await.unwrap();
    assert!(requests.iter().all(|r| r.url.path() != "/oauth/token"));
}

#[tokio::test]
async fn the_file_store_round_trips_atomically() {
    let dir = std::env::temp_dir().join(format!("zepto-tokens-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tokens.json");
    let store = FileTokenStore::new(&file);
    assert!(store.load().await.unwrap().is_none());

    store
        .save(&pair("access-1", "refresh-1", 100))
        .await
        .unwrap();
    store
        .save(&pair("access-2", "refresh-2", 200))
        .await
        .unwrap();
    let loaded = store.load().await.unwrap().unwrap();
    assert_eq!(loaded, pair("access-2", "refresh-2", 200));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, ["tokens.json"], "no temporary files left");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!format!("{store:?}").contains("access-2"));

    std::fs::write(&file, "not json").unwrap();
    let err = store.load().await.unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn debug_output_shows_no_secret() {
    let app = OAuthApp::new(&Environment::Production, "app-id", "app-secret", REDIRECT).unwrap();
    let shown = format!("{app:?}");
    assert!(!shown.contains("app-secret"), "{shown}");
    assert!(
        shown.contains("https://go.zeptopayments.com/oauth/token"),
        "{shown}"
    );
    let client = Client::builder(Environment::Production)
        .personal_access_token("pat-secret")
        .build()
        .unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("pat-secret"), "{shown}");
    assert!(shown.contains("https://api.zeptopayments.com"), "{shown}");
}
