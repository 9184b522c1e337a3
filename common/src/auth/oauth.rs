//! [`OAuthAuthenticator`]: cached access tokens, renewed once for every waiting call, by one
//! process at a time among those sharing the account's store.

use std::fmt::{self, Debug};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};
use http::header::AUTHORIZATION;
use http::{HeaderValue, StatusCode};
use tokio::time::Instant;

use super::failure::{AuthFailure, AuthFailureKind, SharedFailure};
use super::lock::{LockLease, MemoryRefreshLock, RefreshLock};
use super::tokens::{SaveOutcome, StoredTokens, TokenPair, TokenSource, TokenStore, poisoned};
use super::{AuthStamp, Authenticator, bearer_value, invalid_value};
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::secret::SecretString;
use crate::transport::HttpRequest;

/// How an [`OAuthAuthenticator`] renews access tokens. Start from [`RefreshPolicy::default`]
/// and set the fields you need.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefreshPolicy {
    /// Renew this long before the access token expires (default 60 s), but never earlier than
    /// half of the token's lifetime, so a short-lived token is not renewed on every call.
    pub margin: Duration,
    /// Token requests that fail with a 5xx, 408 or 429 answer or a transport error are retried
    /// with this policy's backoff (default: 3 attempts, 500 ms doubling, with jitter).
    pub retry: RetryPolicy,
    /// A renewal gives up after this long (default 60 s): waiting for another holder of the
    /// refresh lock, token requests and their retries included. A token request that has an
    /// answer is always saved, even past this limit.
    pub timeout: Duration,
    /// After a failed renewal, calls that have no usable token get the same error, without a new
    /// token request, for this long (default 1 s); the wait doubles with each failure in a row.
    pub failure_backoff: Duration,
    /// The longest wait after failures in a row (default 30 s).
    pub max_failure_backoff: Duration,
    /// How often an instance waiting for another's refresh reads the store (default 25 ms).
    pub poll_interval: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            margin: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(60),
            failure_backoff: Duration::from_secs(1),
            max_failure_backoff: Duration::from_secs(30),
            poll_interval: Duration::from_millis(25),
        }
    }
}

#[derive(Debug, Clone)]
struct Cached {
    tokens: TokenPair,
    /// `Bearer <access token>`, built once per pair (`None`: not a valid header value).
    header: Option<HeaderValue>,
    /// Identifies this pair in [`AuthStamp`]s.
    generation: u64,
    /// When the pair was issued, as near as this process knows (it renewed the pair, or saw
    /// another instance store it while renewing); `None` for a pair found in the store at
    /// start, whose lifetime is unknown. The refresh margin is at most half the lifetime.
    received_at: Option<SystemTime>,
    /// The provider rejected this access token: renew before the next use.
    stale: bool,
}

/// A pair from the token endpoint that the store has not accepted yet: saved before anything
/// else, so a rotated refresh token is never lost.
#[derive(Debug, Clone)]
struct Unsaved {
    tokens: TokenPair,
    expected_version: u64,
}

type Flight = Shared<BoxFuture<'static, Result<Cached, SharedFailure>>>;

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    unsaved: Option<Unsaved>,
    /// The renewal under way; every call that needs a token waits for it.
    flight: Option<Flight>,
    /// The last renewal failed: until when calls get its error without a new attempt.
    failed: Option<(SharedFailure, Instant)>,
    failures_in_a_row: u32,
    /// A refresh token the provider refused (`invalid_grant`): never presented again.
    dead_refresh_token: Option<SecretString>,
    generation: u64,
}

struct Inner {
    source: Arc<dyn TokenSource>,
    store: Arc<dyn TokenStore>,
    lock: Arc<dyn RefreshLock>,
    clock: Arc<dyn Clock>,
    policy: RefreshPolicy,
    renew_on_forbidden: bool,
    state: Mutex<State>,
}

/// OAuth2 bearer authentication with a cached access token.
///
/// - The pair is read from the [`TokenStore`] on first use.
/// - The access token is renewed [`RefreshPolicy::margin`] before it expires (at most half its
///   lifetime early). A 401 (and, when enabled, a 403) marks the token that was rejected as
///   stale, and the call is retried once with a renewed token.
/// - Renewal is single-flight: one renewal at a time, and every call waiting for it gets its
///   result, success or failure. It runs as a task of its own, so a call that gives up (its
///   deadline passed) cannot abandon a rotated refresh token between the token answer and the
///   save. After a failure, calls get the same error without new token requests for a short
///   back-off; a token that has not expired yet keeps being used meanwhile.
/// - Token requests failing with an outage (5xx, 408, 429, transport) are retried with backoff
///   within [`RefreshPolicy::timeout`]; `invalid_grant` is final, and that refresh token is
///   never presented again: the error says the account must be authorised again
///   ([`Error::requires_reauthorization`]).
/// - Across processes sharing the store, the store's [`RefreshLock`] makes one of them refresh:
///   it takes the lock, re-reads the store and adopts a pair another process stored meanwhile,
///   otherwise presents the stored refresh token and saves the new pair with a versioned
///   compare-and-set, so a slow holder never overwrites a newer pair. The others wait for the
///   stored pair instead of presenting the same refresh token.
/// - Each new pair is saved before it is used; if the store fails, the pair is kept in memory
///   and saved again before its first use.
pub struct OAuthAuthenticator {
    inner: Arc<Inner>,
}

impl Debug for OAuthAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthAuthenticator")
            .field("source", &self.inner.source)
            .field("store", &self.inner.store)
            .field("lock", &self.inner.lock)
            .field("policy", &self.inner.policy)
            .field("renew_on_forbidden", &self.inner.renew_on_forbidden)
            .finish_non_exhaustive()
    }
}

impl OAuthAuthenticator {
    /// Tokens from `store`, renewed through `source`, under the store's refresh lock (or one of
    /// its own when the store has none).
    pub fn new(source: Arc<dyn TokenSource>, store: Arc<dyn TokenStore>) -> Self {
        let lock = store
            .refresh_lock()
            .unwrap_or_else(|| Arc::new(MemoryRefreshLock::default()));
        Self {
            inner: Arc::new(Inner {
                source,
                store,
                lock,
                clock: Arc::new(SystemClock),
                policy: RefreshPolicy::default(),
                renew_on_forbidden: false,
                state: Mutex::new(State::default()),
            }),
        }
    }

    fn update(mut self, change: impl FnOnce(&mut Inner)) -> Self {
        // Settings are applied while building, before any clone of the Arc exists.
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            change(inner);
        }
        self
    }

    /// Renews tokens this long before they expire (default 60 s; at most half their lifetime).
    pub fn refresh_margin(self, margin: Duration) -> Self {
        self.update(|i| i.policy.margin = margin)
    }

    /// Renews tokens per `policy`.
    pub fn refresh_policy(self, policy: RefreshPolicy) -> Self {
        self.update(|i| i.policy = policy)
    }

    /// Coordinates refreshes through `lock` instead of the store's.
    pub fn refresh_lock(self, lock: Arc<dyn RefreshLock>) -> Self {
        self.update(|i| i.lock = lock)
    }

    /// Also treats 403 as a rejected token (default: only 401).
    pub fn renew_on_forbidden(self, enabled: bool) -> Self {
        self.update(|i| i.renew_on_forbidden = enabled)
    }

    /// Uses `clock` to decide expiry (for tests).
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        self.update(|i| i.clock = clock)
    }

    /// The current pair, renewed first if needed.
    pub async fn tokens(&self) -> Result<TokenPair, Error> {
        self.current().await.map(|c| c.tokens)
    }

    async fn current(&self) -> Result<Cached, Error> {
        let inner = &self.inner;
        let flight = {
            let mut state = inner.state()?;
            if let Some(cached) = &state.cached
                && inner.usable(cached)
            {
                return Ok(cached.clone());
            }
            match &state.flight {
                Some(flight) => flight.clone(),
                None => {
                    if let Some((failure, until)) = &state.failed
                        && Instant::now() < *until
                    {
                        return inner.still_valid(&state).ok_or_else(|| failure.to_error());
                    }
                    let flight = Inner::start_flight(inner);
                    state.flight = Some(flight.clone());
                    flight
                }
            }
        };
        match flight.await {
            Ok(cached) => Ok(cached),
            Err(failure) => inner
                .still_valid(&*inner.state()?)
                .ok_or_else(|| failure.to_error()),
        }
    }
}

impl Inner {
    fn state(&self) -> Result<MutexGuard<'_, State>, Error> {
        self.state.lock().map_err(|_| poisoned())
    }

    fn locked(&self) -> Result<MutexGuard<'_, State>, SharedFailure> {
        self.state()
            .map_err(|e| SharedFailure::from_error(e, AuthFailureKind::Other))
    }

    /// The refresh margin for `cached`: the configured one, at most half the token's lifetime.
    fn margin(&self, cached: &Cached) -> Duration {
        match (cached.tokens.expires_at, cached.received_at) {
            (Some(expires), Some(received)) => {
                let lifetime = expires.duration_since(received).unwrap_or_default();
                self.policy.margin.min(lifetime / 2)
            }
            _ => self.policy.margin,
        }
    }

    fn usable(&self, cached: &Cached) -> bool {
        !cached.stale
            && cached
                .tokens
                .is_fresh(self.clock.now(), self.margin(cached))
    }

    /// The cached token when it has not expired and was not rejected: used while renewal fails.
    fn still_valid(&self, state: &State) -> Option<Cached> {
        state
            .cached
            .as_ref()
            .filter(|c| !c.stale && c.tokens.is_fresh(self.clock.now(), Duration::ZERO))
            .cloned()
    }

    fn start_flight(self: &Arc<Self>) -> Flight {
        let inner = self.clone();
        let renewal = async move { inner.renew_and_record().await };
        match tokio::runtime::Handle::try_current() {
            // A task of its own: it finishes (and saves what it got) even if every waiting call
            // gives up.
            Ok(runtime) => {
                let task = runtime.spawn(renewal);
                async move {
                    task.await.unwrap_or_else(|e| {
                        Err(SharedFailure::new(
                            AuthFailureKind::Other,
                            format!("the token renewal task stopped: {e}"),
                        ))
                    })
                }
                .boxed()
                .shared()
            }
            Err(_) => renewal.boxed().shared(),
        }
    }

    async fn renew_and_record(self: Arc<Self>) -> Result<Cached, SharedFailure> {
        let result = self.renew().await;
        let mut state = self.locked()?;
        state.flight = None;
        match result {
            Ok(cached) => {
                drop(state);
                let cached = self.remember(cached)?;
                let mut state = self.locked()?;
                state.failed = None;
                state.failures_in_a_row = 0;
                Ok(cached)
            }
            Err(failure) => {
                let backoff = self
                    .policy
                    .failure_backoff
                    .checked_mul(1 << state.failures_in_a_row.min(16))
                    .unwrap_or(self.policy.max_failure_backoff)
                    .min(self.policy.max_failure_backoff);
                state.failures_in_a_row += 1;
                tracing::warn!(error = %failure.to_error(), backoff_ms = backoff.as_millis() as u64, "OAuth token renewal failed");
                state.failed = Some((failure.clone(), Instant::now() + backoff));
                Err(failure)
            }
        }
    }

    /// A usable pair: the store's if another holder renewed it, else a new one from the token
    /// endpoint.
    async fn renew(&self) -> Result<Cached, SharedFailure> {
        let deadline = Instant::now() + self.policy.timeout;
        let (mut current, unsaved) = {
            let state = self.locked()?;
            (state.cached.clone(), state.unsaved.clone())
        };
        if let Some(unsaved) = unsaved {
            return self.persist(unsaved.tokens, unsaved.expected_version).await;
        }
        loop {
            let stored = self.load().await?;
            if let Some(adopted) = self.adoptable(stored.clone(), current.as_ref())? {
                return Ok(adopted);
            }
            if current.is_none()
                && let Some(stored) = stored
            {
                // First use: keep the stored pair, which serves while it has not expired even
                // if its renewal fails.
                current = Some(self.remember(self.cached(stored.tokens, false))?);
            }
            if let Some(lease) = self.lock.try_acquire().await.map_err(store_failure)? {
                let result = self
                    .refresh_holding(&lease, current.as_ref(), deadline)
                    .await;
                if let Err(e) = self.lock.release(&lease).await {
                    // The lease runs out by itself.
                    tracing::warn!(error = %e, "could not release the token refresh lock");
                }
                return result;
            }
            // Another holder is refreshing: wait for the pair it stores.
            if Instant::now() + self.policy.poll_interval >= deadline {
                return Err(SharedFailure::new(
                    AuthFailureKind::TokenEndpointUnavailable,
                    format!(
                        "timed out after {}ms waiting for another instance's token refresh",
                        self.policy.timeout.as_millis()
                    ),
                ));
            }
            tokio::time::sleep(self.policy.poll_interval).await;
        }
    }

    /// Holding the lock: re-reads the store, then refreshes with the stored refresh token.
    async fn refresh_holding(
        &self,
        lease: &LockLease,
        current: Option<&Cached>,
        deadline: Instant,
    ) -> Result<Cached, SharedFailure> {
        let stored = self.load().await?;
        let Some(stored) = stored else {
            return Err(no_tokens());
        };
        if let Some(adopted) = self.adoptable(Some(stored.clone()), current)? {
            return Ok(adopted);
        }
        let Some(refresh_token) = stored.tokens.refresh_token.clone() else {
            return Err(SharedFailure::new(
                AuthFailureKind::ReauthorizationRequired,
                "the access token expired or was rejected and there is no refresh token to renew it: authorise the account again",
            ));
        };
        if self.is_dead(&refresh_token)? {
            return Err(SharedFailure::new(
                AuthFailureKind::ReauthorizationRequired,
                "the stored refresh token was already refused by the provider (invalid_grant): authorise the account again",
            ));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            tracing::debug!(attempt, "refreshing the OAuth access token");
            // Only the renewal's own limit cuts a token request short: an answer that comes
            // after the lease ran out is still saved, fenced by the store's version check,
            // because the provider may have spent the refresh token presented.
            let limit = deadline.saturating_duration_since(Instant::now());
            let answer = tokio::time::timeout(limit, self.source.refresh(&refresh_token))
                .await
                .unwrap_or_else(|_| {
                    Err(
                        AuthFailure::new(AuthFailureKind::TokenEndpointUnavailable).into_error(
                            format!(
                                "the token endpoint did not answer within {}ms",
                                limit.as_millis()
                            ),
                        ),
                    )
                });
            let failure = match answer {
                Ok(mut renewed) => {
                    if renewed.refresh_token.is_none() {
                        // The provider did not rotate the refresh token: keep using the old one.
                        renewed.refresh_token = Some(refresh_token);
                    }
                    return self.persist(renewed, stored.version).await;
                }
                Err(error) => SharedFailure::from_token_source(error),
            };
            if failure.kind() == AuthFailureKind::ReauthorizationRequired {
                // Another instance may have renewed the pair while this one's lease had run out.
                if let Some(adopted) = self.adoptable(self.load().await?, current)? {
                    return Ok(adopted);
                }
                self.locked()?.dead_refresh_token = Some(refresh_token);
                return Err(failure);
            }
            if !failure.is_retryable() || attempt >= self.policy.retry.max_attempts {
                return Err(failure);
            }
            let wait = self.policy.retry.delay(attempt);
            if Instant::now() + wait >= deadline {
                return Err(failure);
            }
            tokio::time::sleep(wait).await;
            if !self.lock.extend(lease).await.map_err(store_failure)? {
                // Another instance may be refreshing now: do not present the token beside it.
                return Err(failure);
            }
        }
    }

    /// Saves `tokens` unless the store moved past `expected_version`; then adopts its pair.
    async fn persist(
        &self,
        tokens: TokenPair,
        expected_version: u64,
    ) -> Result<Cached, SharedFailure> {
        self.locked()?.unsaved = Some(Unsaved {
            tokens: tokens.clone(),
            expected_version,
        });
        let outcome = self
            .store
            .save_versioned(&tokens, expected_version)
            .await
            .map_err(store_failure)?;
        self.locked()?.unsaved = None;
        match outcome {
            SaveOutcome::Saved { .. } => Ok(self.cached(tokens, true)),
            SaveOutcome::Superseded => {
                tracing::warn!(
                    "another instance stored a newer token pair first; using it and dropping this one"
                );
                match self.load().await? {
                    Some(stored) => Ok(self.cached(stored.tokens, true)),
                    None => Err(no_tokens()),
                }
            }
        }
    }

    async fn load(&self) -> Result<Option<StoredTokens>, SharedFailure> {
        self.store.load_versioned().await.map_err(store_failure)
    }

    /// The stored pair, when it is usable and is not the one being renewed.
    fn adoptable(
        &self,
        stored: Option<StoredTokens>,
        current: Option<&Cached>,
    ) -> Result<Option<Cached>, SharedFailure> {
        let Some(stored) = stored else {
            return match current {
                Some(_) => Ok(None),
                None => Err(no_tokens()),
            };
        };
        if current.is_some_and(|c| c.tokens.access_token == stored.tokens.access_token) {
            return Ok(None);
        }
        // A pair that replaced the current one was stored just now; one found at start may be old.
        let cached = self.cached(stored.tokens, current.is_some());
        Ok(self.usable(&cached).then_some(cached))
    }

    fn cached(&self, tokens: TokenPair, just_issued: bool) -> Cached {
        Cached {
            header: bearer_value(&tokens.access_token, "access token").ok(),
            tokens,
            generation: 0,
            received_at: just_issued.then(|| self.clock.now()),
            stale: false,
        }
    }

    fn remember(&self, mut cached: Cached) -> Result<Cached, SharedFailure> {
        let mut state = self.locked()?;
        state.generation += 1;
        cached.generation = state.generation;
        state.cached = Some(cached.clone());
        Ok(cached)
    }

    fn is_dead(&self, refresh_token: &SecretString) -> Result<bool, SharedFailure> {
        Ok(self.locked()?.dead_refresh_token.as_ref() == Some(refresh_token))
    }
}

fn store_failure(error: Error) -> SharedFailure {
    SharedFailure::from_error(error, AuthFailureKind::StoreUnavailable)
}

fn no_tokens() -> SharedFailure {
    SharedFailure::new(
        AuthFailureKind::ReauthorizationRequired,
        "no OAuth tokens: connect an account (authorization code grant) first",
    )
}

/// Puts `cached`'s access token on `request`.
fn apply(request: &mut HttpRequest, cached: &Cached) -> Result<AuthStamp, Error> {
    let value = cached
        .header
        .clone()
        .ok_or_else(|| invalid_value("access token"))?;
    request.headers.insert(AUTHORIZATION, value);
    Ok(AuthStamp(cached.generation))
}

#[async_trait]
impl Authenticator for OAuthAuthenticator {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        apply(request, &self.current().await?)
    }

    /// The cached access token, when it is usable now (no renewal under way or needed).
    fn authenticate_ready(&self, request: &mut HttpRequest) -> Option<Result<AuthStamp, Error>> {
        let state = self.inner.state().ok()?;
        let cached = state.cached.as_ref().filter(|c| self.inner.usable(c))?;
        Some(apply(request, cached))
    }

    async fn rejected(&self, status: StatusCode, stamp: AuthStamp) -> bool {
        let renewable = status == StatusCode::UNAUTHORIZED
            || (status == StatusCode::FORBIDDEN && self.inner.renew_on_forbidden);
        if !renewable {
            return false;
        }
        let Ok(mut state) = self.inner.state() else {
            return false;
        };
        match state.cached.as_mut() {
            Some(cached) if cached.generation == stamp.0 => {
                cached.stale = true;
                cached.tokens.refresh_token.is_some()
            }
            // Already renewed since that attempt: retry with the new token.
            Some(_) => true,
            None => false,
        }
    }
}
