//! Credentials: static keys and refreshed OAuth2 tokens, applied to each attempt.

use std::fmt::Debug;

use async_trait::async_trait;
use bytes::{BufMut, BytesMut};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, StatusCode};

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

    /// Adds credentials to `request` when that needs no waiting (a static key, a cached token
    /// that is still fresh), returning what [`Self::authenticate`] would; `None` when only
    /// [`Self::authenticate`] can. The pipeline tries this first on every attempt, which spares
    /// the allocation of an `async` call. Default: `None`.
    fn authenticate_ready(&self, _request: &mut HttpRequest) -> Option<Result<AuthStamp, Error>> {
        None
    }

    /// The provider answered `status` (401 or 403) to an attempt authenticated with `stamp`.
    /// Returns `true` when fresh credentials will be used by the next [`Self::authenticate`],
    /// so one more attempt is worth making.
    async fn rejected(&self, _status: StatusCode, _stamp: AuthStamp) -> bool {
        false
    }
}

fn sensitive_value(text: &str, what: &str) -> Result<HeaderValue, Error> {
    let mut value = HeaderValue::from_str(text).map_err(|_| invalid_value(what))?;
    value.set_sensitive(true);
    Ok(value)
}

fn invalid_value(what: &str) -> Error {
    Error::Config(format!("the {what} is not a valid HTTP header value"))
}

/// No credentials.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

/// `Bearer <token>`, marked sensitive: built once per token, then cloned without copying.
pub(crate) fn bearer_value(token: &SecretString, what: &str) -> Result<HeaderValue, Error> {
    sensitive_value(&format!("Bearer {}", token.expose()), what)
}

#[async_trait]
impl Authenticator for NoAuth {
    async fn authenticate(&self, _request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        Ok(AuthStamp::default())
    }

    fn authenticate_ready(&self, _request: &mut HttpRequest) -> Option<Result<AuthStamp, Error>> {
        Some(Ok(AuthStamp::default()))
    }
}

/// `Authorization: Bearer <token>` with a token that never changes (an API key, a personal
/// access token).
#[derive(Clone)]
pub struct BearerToken {
    /// The header value, built once (`None`: the token cannot be a header value, reported on
    /// each attempt).
    value: Option<HeaderValue>,
}

impl Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerToken")
            .field("token", &"***")
            .finish()
    }
}

impl BearerToken {
    /// Sends `token` as a bearer token.
    pub fn new(token: impl Into<SecretString>) -> Self {
        Self {
            value: bearer_value(&token.into(), "bearer token").ok(),
        }
    }

    fn apply(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        let value = self
            .value
            .clone()
            .ok_or_else(|| invalid_value("bearer token"))?;
        request.headers.insert(AUTHORIZATION, value);
        Ok(AuthStamp::default())
    }
}

#[async_trait]
impl Authenticator for BearerToken {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        self.apply(request)
    }

    fn authenticate_ready(&self, request: &mut HttpRequest) -> Option<Result<AuthStamp, Error>> {
        Some(self.apply(request))
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

impl HeaderKey {
    fn apply(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        let value = sensitive_value(self.key.expose(), "API key")?;
        request.headers.insert(self.name.clone(), value);
        Ok(AuthStamp::default())
    }
}

#[async_trait]
impl Authenticator for HeaderKey {
    async fn authenticate(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
        self.apply(request)
    }

    fn authenticate_ready(&self, request: &mut HttpRequest) -> Option<Result<AuthStamp, Error>> {
        Some(self.apply(request))
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
        self.apply(request)
    }

    fn authenticate_ready(&self, request: &mut HttpRequest) -> Option<Result<AuthStamp, Error>> {
        Some(self.apply(request))
    }
}

impl ParamKey {
    fn apply(&self, request: &mut HttpRequest) -> Result<AuthStamp, Error> {
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

mod failure;
#[cfg(feature = "oauth")]
mod lock;
#[cfg(feature = "oauth")]
mod oauth;
#[cfg(feature = "oauth")]
mod tokens;

pub use failure::{AuthFailure, AuthFailureKind};
#[cfg(feature = "oauth")]
pub use lock::{DEFAULT_LOCK_TTL, LockLease, MemoryRefreshLock, RefreshLock};
#[cfg(feature = "oauth")]
pub use oauth::{OAuthAuthenticator, RefreshPolicy};
#[cfg(feature = "oauth")]
pub use tokens::{MemoryTokenStore, SaveOutcome, StoredTokens, TokenPair, TokenSource, TokenStore};

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
}
