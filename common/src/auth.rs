//! Credentials: static keys and refreshed OAuth2 tokens, applied to each attempt.

use std::fmt::{self, Debug};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use bytes::{BufMut, BytesMut};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::secret::SecretString;
use crate::transport::HttpRequest;

/// Which credential an attempt carried; handed back in [`Authenticator::rejected`] so that a
/// rejection renews only the credential that was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AuthStamp(pub u64);

/// Puts credentials on each attempt and reacts when the provider rejects them.
#[async_trait]
pub trait Authenticator: Send + Sync + Debug {
    /// Adds credentials to `request`.
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error>;

    /// The provider answered `status` (401 or 403) to an attempt authenticated with `stamp`.
    /// Returns `true` when fresh credentials will be used by the next [`Self::authenticate`],
    /// so one more attempt is worth making.
    async fn rejected(&self, _status: StatusCode, _stamp: AuthStamp) -> bool {
        false
    }
}

fn sensitive_value(text: &str, what: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(text)
        .map_err(|_| Error::Config(format!("the {what} is not a valid HTTP header value")))?;
    value.set_sensitive(true);
    Ok(value)
}

/// No credentials.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

#[async_trait]
impl Authenticator for NoAuth {
    async fn authenticate(&self, _request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        Ok(AuthStamp::default())
    }
}

/// `Authorization: Bearer <token>` with a token that never changes (an API key, a personal
/// access token).
#[derive(Debug, Clone)]
pub struct BearerToken {
    token: SecretString,
}

impl BearerToken {
    /// Sends `token` as a bearer token.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self {
            token: token.into(),
        }
    }
}

#[async_trait]
impl Authenticator for BearerToken {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        let value = sensitive_value(&format!("Bearer {}", self.token.expose()), "bearer token")?;
        request.headers.insert(AUTHORIZATION, value);
        Ok(AuthStamp::default())
    }
}

/// A key sent in a header of its own, e.g. `X-Api-Key: <key>`.
#[derive(Debug, Clone)]
pub struct HeaderKey {
    name: HeaderName,
    key: SecretString,
}

impl HeaderKey {
    /// Sends `key` in the header `name`.
    pub fn new(name: &str, key: impl Into<SecretString>) -> Result<Self, Error> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::Config(format!("`{name}` is not a valid header name")))?;
        Ok(Self {
            name,
            key: key.into(),
        })
    }

    /// The header name.
    pub fn header_name(&self) -> &HeaderName {
        &self.name
    }
}

#[async_trait]
impl Authenticator for HeaderKey {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        let value = sensitive_value(self.key.expose(), "API key")?;
        request.headers.insert(self.name.clone(), value);
        Ok(AuthStamp::default())
    }
}

/// A key sent as a parameter: appended to a form-urlencoded body when the request has one,
/// otherwise to the query string.
#[derive(Debug, Clone)]
pub struct ParamKey {
    name: String,
    key: SecretString,
}

impl ParamKey {
    /// Sends `key` as the parameter `name`.
    pub fn new(name: impl Into<String>, key: impl Into<SecretString>) -> Self {
        Self {
            name: name.into(),
            key: key.into(),
        }
    }
}

#[async_trait]
impl Authenticator for ParamKey {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        let is_form = request.headers.get(CONTENT_TYPE).is_some_and(|v| {
            v.as_bytes()
                .starts_with(b"application/x-www-form-urlencoded")
        });
        let pair = url::form_urlencoded::Serializer::new(String::new())
            .append_pair(&self.name, self.key.expose())
            .finish();
        if is_form {
            let mut body = BytesMut::with_capacity(request.body.len() + pair.len() + 1);
            body.put_slice(&request.body);
            if !request.body.is_empty() {
                body.put_u8(b'&');
            }
            body.put_slice(pair.as_bytes());
            request.body = body.freeze();
        } else {
            request
                .url
                .query_pairs_mut()
                .append_pair(&self.name, self.key.expose());
        }
        Ok(AuthStamp::default())
    }
}

/// An OAuth2 access token and what renews it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token sent as `Authorization: Bearer`.
    pub access_token: SecretString,
    /// The refresh token, when the grant gave one. Some providers rotate it on every refresh.
    pub refresh_token: Option<SecretString>,
    /// When the access token expires; `None` for tokens that do not expire.
    pub expires_at: Option<SystemTime>,
    /// The scopes granted, space separated, when the provider said.
    pub scope: Option<String>,
}

impl TokenPair {
    /// Whether the access token is still usable `margin` from now.
    pub fn is_fresh(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at
            .is_none_or(|expires| now.checked_add(margin).is_some_and(|t| t < expires))
    }
}

/// Obtains a new [`TokenPair`] from a refresh token (the OAuth2 refresh grant).
#[async_trait]
pub trait TokenSource: Send + Sync + Debug {
    /// Exchanges `refresh_token` for a new pair.
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair, Error>;
}

/// Keeps token pairs across restarts. Called with every new pair before the pair is used, so a
/// rotated refresh token is never lost.
#[async_trait]
pub trait TokenStore: Send + Sync + Debug {
    /// The pair saved last, if any.
    async fn load(&self) -> Result<Option<TokenPair>, Error>;
    /// Saves `tokens`, replacing the previous pair. Return an error if it was not stored durably.
    async fn save(&self, tokens: &TokenPair) -> Result<(), Error>;
}

/// A [`TokenStore`] that keeps the pair in memory only (lost on restart).
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<Option<TokenPair>>,
}

impl MemoryTokenStore {
    /// A store holding `tokens` to begin with.
    pub fn with_tokens(tokens: TokenPair) -> Self {
        Self {
            tokens: Mutex::new(Some(tokens)),
        }
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self) -> Result<Option<TokenPair>, Error> {
        Ok(self.tokens.lock().map_err(|_| poisoned())?.clone())
    }

    async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
        *self.tokens.lock().map_err(|_| poisoned())? = Some(tokens.clone());
        Ok(())
    }
}

fn poisoned() -> Error {
    Error::auth("the token cache lock was poisoned by a panic", None)
}

#[derive(Debug, Clone)]
struct Cached {
    tokens: TokenPair,
    generation: u64,
    /// The provider rejected this access token: renew before the next use.
    stale: bool,
    /// Not yet accepted by the store: save before the next use.
    unsaved: bool,
}

/// OAuth2 bearer authentication with a cached access token.
///
/// - The pair is read from the [`TokenStore`] on first use.
/// - The access token is renewed `refresh_margin` (default 60 s) before it expires.
/// - Renewal is single-flight: one refresh request at a time; calls waiting for it use its result.
/// - Each new pair is handed to the store before it is used; if the store fails, the pair is kept
///   in memory and saved again before its first use, so a rotated refresh token is never lost.
/// - A 401 (and, when enabled, a 403) marks the token that was rejected as stale, and the call is
///   retried once with a renewed token.
pub struct OAuthAuthenticator {
    source: Arc<dyn TokenSource>,
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    refresh_margin: Duration,
    renew_on_forbidden: bool,
    cache: RwLock<Option<Cached>>,
    refresh_lock: tokio::sync::Mutex<()>,
}

impl Debug for OAuthAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthAuthenticator")
            .field("source", &self.source)
            .field("store", &self.store)
            .field("refresh_margin", &self.refresh_margin)
            .field("renew_on_forbidden", &self.renew_on_forbidden)
            .finish_non_exhaustive()
    }
}

impl OAuthAuthenticator {
    /// Tokens from `store`, renewed through `source`.
    pub fn new(source: Arc<dyn TokenSource>, store: Arc<dyn TokenStore>) -> Self {
        Self {
            source,
            store,
            clock: Arc::new(SystemClock),
            refresh_margin: Duration::from_secs(60),
            renew_on_forbidden: false,
            cache: RwLock::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Renews tokens this long before they expire (default 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Also treats 403 as a rejected token (default: only 401).
    pub fn renew_on_forbidden(mut self, enabled: bool) -> Self {
        self.renew_on_forbidden = enabled;
        self
    }

    /// Uses `clock` to decide expiry (for tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The current pair, renewed first if needed.
    pub async fn tokens(&self) -> Result<TokenPair, Error> {
        self.current().await.map(|c| c.tokens)
    }

    fn usable(&self, cached: &Cached) -> bool {
        !cached.stale
            && !cached.unsaved
            && cached
                .tokens
                .is_fresh(self.clock.now(), self.refresh_margin)
    }

    fn read_cache(&self) -> Result<Option<Cached>, Error> {
        Ok(self.cache.read().map_err(|_| poisoned())?.clone())
    }

    fn write_cache(&self, cached: Cached) -> Result<(), Error> {
        *self.cache.write().map_err(|_| poisoned())? = Some(cached);
        Ok(())
    }

    async fn current(&self) -> Result<Cached, Error> {
        if let Some(cached) = self.read_cache()?
            && self.usable(&cached)
        {
            return Ok(cached);
        }
        let _single_flight = self.refresh_lock.lock().await;
        // Another call may have renewed the token while this one waited.
        let mut cached = match self.read_cache()? {
            Some(c) => c,
            None => {
                let tokens = self.store.load().await?.ok_or_else(|| {
                    Error::auth(
                        "no OAuth tokens: connect an account (authorization code grant) first",
                        None,
                    )
                })?;
                let loaded = Cached {
                    tokens,
                    generation: 1,
                    stale: false,
                    unsaved: false,
                };
                self.write_cache(loaded.clone())?;
                loaded
            }
        };
        if cached.unsaved {
            self.store.save(&cached.tokens).await?;
            cached.unsaved = false;
            self.write_cache(cached.clone())?;
        }
        if self.usable(&cached) {
            return Ok(cached);
        }
        let refresh_token = cached.tokens.refresh_token.clone().ok_or_else(|| {
            Error::auth(
                "the access token expired or was rejected and there is no refresh token to renew it",
                None,
            )
        })?;
        tracing::debug!("refreshing the OAuth access token");
        let mut renewed = self.source.refresh(&refresh_token).await?;
        if renewed.refresh_token.is_none() {
            // The provider did not rotate the refresh token: keep using the old one.
            renewed.refresh_token = Some(refresh_token);
        }
        let mut next = Cached {
            tokens: renewed,
            generation: cached.generation + 1,
            stale: false,
            unsaved: true,
        };
        // Keep the pair before saving, so a store failure cannot lose a rotated refresh token.
        self.write_cache(next.clone())?;
        self.store.save(&next.tokens).await?;
        next.unsaved = false;
        self.write_cache(next.clone())?;
        Ok(next)
    }
}

#[async_trait]
impl Authenticator for OAuthAuthenticator {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        let cached = self.current().await?;
        let value = sensitive_value(
            &format!("Bearer {}", cached.tokens.access_token.expose()),
            "access token",
        )?;
        request.headers.insert(AUTHORIZATION, value);
        Ok(AuthStamp(cached.generation))
    }

    async fn rejected(&self, status: StatusCode, stamp: AuthStamp) -> bool {
        let renewable = status == StatusCode::UNAUTHORIZED
            || (status == StatusCode::FORBIDDEN && self.renew_on_forbidden);
        if !renewable {
            return false;
        }
        let Ok(mut guard) = self.cache.write() else {
            return false;
        };
        match guard.as_mut() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use url::Url;

    fn request(content_type: Option<&str>, body: &'static str) -> HttpRequest {
        let mut headers = http::HeaderMap::new();
        if let Some(ct) = content_type {
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        }
        HttpRequest {
            method: http::Method::POST,
            url: Url::parse("https://example.test/api?x=1").unwrap(),
            headers,
            body: Bytes::from_static(body.as_bytes()),
            timeout: None,
        }
    }

    #[tokio::test]
    async fn param_key_goes_in_form_body_or_query() {
        let auth = ParamKey::new("api_key", "k&1");
        let mut form = request(Some("application/x-www-form-urlencoded"), "invoice=1");
        auth.authenticate(&mut form).await.unwrap();
        assert_eq!(form.body, Bytes::from_static(b"invoice=1&api_key=k%261"));
        assert_eq!(form.url.query(), Some("x=1"));

        let mut get = request(None, "");
        auth.authenticate(&mut get).await.unwrap();
        assert_eq!(get.url.query(), Some("x=1&api_key=k%261"));
    }

    #[tokio::test]
    async fn header_credentials_are_marked_sensitive() {
        let mut req = request(None, "");
        HeaderKey::new("X-Api-Key", "secret")
            .unwrap()
            .authenticate(&mut req)
            .await
            .unwrap();
        assert!(req.headers["x-api-key"].is_sensitive());
        BearerToken::new("tok")
            .authenticate(&mut req)
            .await
            .unwrap();
        assert!(req.headers[AUTHORIZATION].is_sensitive());
        assert_eq!(req.headers[AUTHORIZATION], "Bearer tok");
    }

    #[test]
    fn freshness_honours_margin_and_no_expiry() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut pair = TokenPair {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: Some(now + Duration::from_secs(30)),
            scope: None,
        };
        assert!(pair.is_fresh(now, Duration::from_secs(10)));
        assert!(!pair.is_fresh(now, Duration::from_secs(60)));
        pair.expires_at = None;
        assert!(pair.is_fresh(now, Duration::from_secs(60)));
    }
}
