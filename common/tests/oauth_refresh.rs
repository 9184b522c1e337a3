//! Token renewal on tokio's paused clock with a scripted token source: failures shared by every
//! waiting call, back-off, retries of outages, `invalid_grant`, deadlines, the refresh margin,
//! and several authenticators ("instances") sharing one store and its lock.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use splitkit_common::{
    ApiClient, AuthFailure, AuthFailureKind, Clock, Error, HttpRequest, HttpResponse, ManualClock,
    MemoryRefreshLock, MemoryTokenStore, OAuthAuthenticator, RefreshPolicy, Request, RetryPolicy,
    SecretString, TimeoutScope, TokenPair, TokenSource, TokenStore, Transport, TransportError,
};
use support::GET_PAYMENT;
use tokio::time::Instant;

const NOW: i64 = 1_700_000_000;

/// What the token endpoint does for one refresh.
#[derive(Debug, Clone)]
enum Answer {
    /// A new pair `access-N` / `refresh-N` living `lifetime` seconds, after `delay`.
    Pair { lifetime: u64, delay: Duration },
    /// An error answer.
    Status(u16, Option<&'static str>),
    /// Never answers.
    Hang,
}

fn pair_after(delay: Duration) -> Answer {
    Answer::Pair {
        lifetime: 7200,
        delay,
    }
}

fn pair() -> Answer {
    pair_after(Duration::ZERO)
}

/// A token endpoint that plays a script (the last answer repeats) and records every refresh
/// token presented to it.
#[derive(Debug)]
struct Endpoint {
    script: Mutex<VecDeque<Answer>>,
    presented: Mutex<Vec<String>>,
    issued: AtomicUsize,
    clock: Arc<ManualClock>,
}

impl Endpoint {
    fn new(clock: &Arc<ManualClock>, script: Vec<Answer>) -> Arc<Self> {
        Arc::new(Self {
            script: Mutex::new(script.into()),
            presented: Mutex::new(Vec::new()),
            issued: AtomicUsize::new(1),
            clock: clock.clone(),
        })
    }

    fn requests(&self) -> usize {
        self.presented.lock().unwrap().len()
    }

    fn presented(&self) -> Vec<String> {
        self.presented.lock().unwrap().clone()
    }
}

#[async_trait]
impl TokenSource for Endpoint {
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair, Error> {
        self.presented
            .lock()
            .unwrap()
            .push(refresh_token.expose().to_owned());
        let answer = {
            let mut script = self.script.lock().unwrap();
            if script.len() > 1 {
                script.pop_front().unwrap()
            } else {
                script.front().cloned().unwrap()
            }
        };
        match answer {
            Answer::Pair { lifetime, delay } => {
                tokio::time::sleep(delay).await;
                let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
                Ok(TokenPair {
                    access_token: format!("access-{n}").into(),
                    refresh_token: Some(format!("refresh-{n}").into()),
                    expires_at: Some(self.clock.now() + Duration::from_secs(lifetime)),
                    scope: None,
                })
            }
            Answer::Status(status, code) => Err(AuthFailure::token_endpoint(
                StatusCode::from_u16(status).unwrap(),
                code,
            )
            .into_error(format!("the token refresh failed with {status}"))),
            Answer::Hang => std::future::pending().await,
        }
    }
}

fn expires_in(clock: &ManualClock, seconds: i64) -> Option<SystemTime> {
    let at = clock.unix_seconds() + seconds;
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(at as u64))
}

fn store_with(
    clock: &ManualClock,
    access: &str,
    refresh: &str,
    seconds: i64,
) -> Arc<MemoryTokenStore> {
    Arc::new(MemoryTokenStore::with_tokens(TokenPair {
        access_token: access.into(),
        refresh_token: Some(refresh.into()),
        expires_at: expires_in(clock, seconds),
        scope: None,
    }))
}

fn expired_store(clock: &ManualClock) -> Arc<MemoryTokenStore> {
    store_with(clock, "access-1", "refresh-1", -10)
}

fn policy() -> RefreshPolicy {
    let mut policy = RefreshPolicy::default();
    policy.retry = RetryPolicy::default().jitter(false);
    policy
}

fn authenticator(
    endpoint: &Arc<Endpoint>,
    store: Arc<MemoryTokenStore>,
    clock: &Arc<ManualClock>,
) -> OAuthAuthenticator {
    OAuthAuthenticator::new(endpoint.clone(), store)
        .refresh_policy(policy())
        .clock(clock.clone())
}

/// 100 calls at once for the current access token.
async fn hundred_calls(auth: &Arc<OAuthAuthenticator>) -> Vec<Result<TokenPair, Error>> {
    let calls = (0..100).map(|_| {
        let auth = auth.clone();
        tokio::spawn(async move { auth.tokens().await })
    });
    futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn invalid_grant_is_one_request_for_a_hundred_waiters_and_says_reauthorise() {
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![Answer::Status(400, Some("invalid_grant"))]);
    let store = expired_store(&clock);
    let auth = Arc::new(authenticator(&endpoint, store.clone(), &clock));

    for result in hundred_calls(&auth).await {
        let err = result.unwrap_err();
        assert!(err.requires_reauthorization(), "{err}");
        assert!(matches!(err, Error::Auth { .. }));
        assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
        assert!(!err.is_retryable());
    }
    assert_eq!(endpoint.requests(), 1, "one token request for 100 waiters");

    // Within the back-off: the same error, no new request.
    assert!(auth.tokens().await.unwrap_err().requires_reauthorization());
    // After it: the refused refresh token is never presented again.
    tokio::time::advance(Duration::from_secs(5)).await;
    assert!(auth.tokens().await.unwrap_err().requires_reauthorization());
    assert_eq!(endpoint.presented(), ["refresh-1"]);

    // The account is authorised again and the new pair stored: the next renewal uses it.
    store
        .save(&TokenPair {
            access_token: "access-new".into(),
            refresh_token: Some("refresh-new".into()),
            expires_at: expires_in(&clock, 3600),
            scope: None,
        })
        .await
        .unwrap();
    tokio::time::advance(Duration::from_secs(5)).await;
    assert_eq!(
        auth.tokens().await.unwrap().access_token.expose(),
        "access-new"
    );
    assert_eq!(
        endpoint.requests(),
        1,
        "a stored usable pair needs no request"
    );
}

#[tokio::test(start_paused = true)]
async fn an_outage_is_retried_within_the_renewal_then_shared_and_backed_off() {
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![Answer::Status(502, None)]);
    let auth = Arc::new(authenticator(&endpoint, expired_store(&clock), &clock));

    let started = Instant::now();
    for result in hundred_calls(&auth).await {
        let err = result.unwrap_err();
        let failure = err.auth_failure().unwrap();
        assert_eq!(failure.kind(), AuthFailureKind::TokenEndpointUnavailable);
        assert_eq!(
            err.status(),
            Some(StatusCode::BAD_GATEWAY),
            "the status is kept"
        );
        assert!(err.is_retryable());
    }
    assert_eq!(
        endpoint.requests(),
        3,
        "the renewal's 3 attempts, shared by all 100 calls"
    );
    // 500 ms and 1 s between the attempts.
    assert_eq!(started.elapsed(), Duration::from_millis(1500));

    // Failures back off: 1 s after the first, then 2 s.
    tokio::time::advance(Duration::from_millis(900)).await;
    auth.tokens().await.unwrap_err();
    assert_eq!(endpoint.requests(), 3);
    tokio::time::advance(Duration::from_millis(100)).await;
    auth.tokens().await.unwrap_err();
    assert_eq!(endpoint.requests(), 6);
    tokio::time::advance(Duration::from_millis(1900)).await;
    auth.tokens().await.unwrap_err();
    assert_eq!(endpoint.requests(), 6, "the second back-off is 2 s");
}

#[tokio::test(start_paused = true)]
async fn a_500_then_an_answer_succeeds_in_one_renewal() {
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![Answer::Status(500, None), pair()]);
    let store = expired_store(&clock);
    let auth = Arc::new(authenticator(&endpoint, store.clone(), &clock));
    for result in hundred_calls(&auth).await {
        assert_eq!(result.unwrap().access_token.expose(), "access-2");
    }
    assert_eq!(endpoint.presented(), ["refresh-1", "refresh-1"]);
    let stored = store.load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token.unwrap().expose(), "refresh-2");
}

#[derive(Debug)]
struct Ok200;

#[async_trait]
impl Transport for Ok200 {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(HttpResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"ref":"PB.1"}"#),
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_hanging_token_endpoint_never_holds_a_call_past_its_deadline() {
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![Answer::Hang]);
    let auth = authenticator(&endpoint, expired_store(&clock), &clock);
    let client = ApiClient::builder("https://api.example.test")
        .transport(Arc::new(Ok200))
        .auth(Arc::new(auth))
        .deadline(Duration::from_secs(5))
        .build()
        .unwrap();

    let started = Instant::now();
    let calls = (0..100).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            let result = client
                .execute::<serde_json::Value>(
                    Request::new(&GET_PAYMENT).path_param("payment_ref", i),
                )
                .await;
            (result, started.elapsed())
        })
    });
    for call in futures_util::future::join_all(calls).await {
        let (result, elapsed) = call.unwrap();
        assert!(
            matches!(
                result,
                Err(Error::Timeout {
                    scope: TimeoutScope::Deadline,
                    ..
                })
            ),
            "{result:?}"
        );
        assert_eq!(elapsed, Duration::from_secs(5));
    }
    assert_eq!(
        endpoint.requests(),
        1,
        "the waiting calls started no request"
    );

    // The renewal itself gives up at its own timeout, and calls then get its error at once.
    // It failed at 60 s; 60.5 s is inside the 1 s back-off that follows.
    tokio::time::advance(Duration::from_millis(55_500)).await;
    let err = client
        .execute::<serde_json::Value>(Request::new(&GET_PAYMENT).path_param("payment_ref", 1))
        .await
        .unwrap_err();
    assert_eq!(
        err.auth_failure().map(AuthFailure::kind),
        Some(AuthFailureKind::TokenEndpointUnavailable),
        "{err}"
    );
    assert_eq!(endpoint.requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_margin_is_at_most_half_the_lifetime() {
    let clock = Arc::new(ManualClock::at(NOW));
    // Tokens living 60 s, with a 300 s margin asked for.
    let endpoint = Endpoint::new(
        &clock,
        vec![Answer::Pair {
            lifetime: 60,
            delay: Duration::ZERO,
        }],
    );
    let auth = authenticator(&endpoint, expired_store(&clock), &clock)
        .refresh_margin(Duration::from_secs(300));
    assert_eq!(
        auth.tokens().await.unwrap().access_token.expose(),
        "access-2"
    );
    for _ in 0..29 {
        clock.advance(1);
        assert_eq!(
            auth.tokens().await.unwrap().access_token.expose(),
            "access-2"
        );
    }
    assert_eq!(endpoint.requests(), 1, "not renewed on every call");
    clock.advance(1);
    assert_eq!(
        auth.tokens().await.unwrap().access_token.expose(),
        "access-3"
    );
    assert_eq!(endpoint.requests(), 2, "renewed half-way through its life");
}

#[tokio::test(start_paused = true)]
async fn a_token_that_has_not_expired_is_used_while_renewal_fails() {
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![Answer::Status(503, None)]);
    // Inside the 60 s margin, but valid for 20 s more.
    let store = store_with(&clock, "access-1", "refresh-1", 20);
    let auth = authenticator(&endpoint, store, &clock).refresh_margin(Duration::from_secs(60));
    assert_eq!(
        auth.tokens().await.unwrap().access_token.expose(),
        "access-1"
    );
    assert_eq!(endpoint.requests(), 3, "renewal was tried");
    // Past the expiry, and past the back-off: the renewal's error.
    clock.advance(21);
    tokio::time::advance(Duration::from_secs(2)).await;
    let err = auth.tokens().await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
}

/// Four authenticators sharing one store stand for four instances of a merchant server.
#[tokio::test(start_paused = true)]
async fn instances_sharing_a_store_refresh_once_and_adopt_the_stored_pair() {
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![pair_after(Duration::from_millis(200))]);
    let store = expired_store(&clock);
    let instances: Vec<_> = (0..4)
        .map(|_| Arc::new(authenticator(&endpoint, store.clone(), &clock)))
        .collect();
    let calls = instances.iter().flat_map(|auth| {
        (0..50).map(move |_| {
            let auth = auth.clone();
            tokio::spawn(async move { auth.tokens().await })
        })
    });
    for call in futures_util::future::join_all(calls).await {
        assert_eq!(call.unwrap().unwrap().access_token.expose(), "access-2");
    }
    assert_eq!(endpoint.presented(), ["refresh-1"]);
    let stored = store.load_versioned().await.unwrap().unwrap();
    assert_eq!(stored.tokens.refresh_token.unwrap().expose(), "refresh-2");
    assert_eq!(stored.version, 2);
}

#[tokio::test(start_paused = true)]
async fn a_slow_holder_never_overwrites_a_newer_pair() {
    let clock = Arc::new(ManualClock::at(NOW));
    // The first refresh takes 3 s, longer than the 1 s lease; the second answers at once.
    let endpoint = Endpoint::new(&clock, vec![pair_after(Duration::from_secs(3)), pair()]);
    let store = expired_store(&clock);
    let lock = Arc::new(MemoryRefreshLock::new(Duration::from_secs(1)));
    let slow = Arc::new(authenticator(&endpoint, store.clone(), &clock).refresh_lock(lock.clone()));
    let fast = Arc::new(authenticator(&endpoint, store.clone(), &clock).refresh_lock(lock));

    let started = Instant::now();
    let slow_call = tokio::spawn({
        let slow = slow.clone();
        async move { slow.tokens().await }
    });
    tokio::time::sleep(Duration::from_millis(10)).await;
    // The fast instance waits for the lease to run out, then refreshes itself.
    let fast_pair = fast.tokens().await.unwrap();
    assert_eq!(fast_pair.access_token.expose(), "access-2");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_millis(1100),
        "{waited:?}"
    );

    // The slow holder's later pair (access-3) is refused by the versioned save: it adopts
    // the stored one.
    let slow_pair = slow_call.await.unwrap().unwrap();
    assert_eq!(slow_pair.access_token.expose(), "access-2");
    let stored = store.load().await.unwrap().unwrap();
    assert_eq!(stored.access_token.expose(), "access-2");
}

#[tokio::test(start_paused = true)]
async fn a_pair_the_store_refused_is_saved_before_its_first_use() {
    #[derive(Debug, Default)]
    struct Flaky {
        inner: MemoryTokenStore,
        fail_next_save: AtomicUsize,
    }
    #[async_trait]
    impl TokenStore for Flaky {
        async fn load(&self) -> Result<Option<TokenPair>, Error> {
            self.inner.load().await
        }
        async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
            if self.fail_next_save.swap(0, Ordering::SeqCst) > 0 {
                return Err(Error::auth("disk full", None));
            }
            self.inner.save(tokens).await
        }
    }
    let clock = Arc::new(ManualClock::at(NOW));
    let endpoint = Endpoint::new(&clock, vec![pair()]);
    let store = Arc::new(Flaky::default());
    store
        .inner
        .save(&TokenPair {
            access_token: "access-1".into(),
            refresh_token: Some("refresh-1".into()),
            expires_at: expires_in(&clock, -10),
            scope: None,
        })
        .await
        .unwrap();
    store.fail_next_save.store(1, Ordering::SeqCst);
    let auth = OAuthAuthenticator::new(endpoint.clone(), store.clone())
        .refresh_policy(policy())
        .clock(clock.clone());
    let err = auth.tokens().await.unwrap_err();
    assert_eq!(
        err.auth_failure().map(AuthFailure::kind),
        Some(AuthFailureKind::StoreUnavailable),
        "{err}"
    );
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(
        auth.tokens().await.unwrap().access_token.expose(),
        "access-2"
    );
    assert_eq!(
        endpoint.requests(),
        1,
        "the kept pair was saved, not refreshed again"
    );
    let stored = store.load().await.unwrap().unwrap();
    assert_eq!(stored.refresh_token.unwrap().expose(), "refresh-2");
}
