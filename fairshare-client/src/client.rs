//! [`Client`] and its builder.

use std::fmt;
use std::sync::Arc;

use splitkit_common::redact::mask_url;
use splitkit_common::{ApiClient, Error, HeaderKey, HttpOptions, SecretString};

use crate::error::{FairShareErrorPolicy, PROVIDER};
use crate::generated::{DEFAULT_BASE_URL, IDEMPOTENCY_HEADER};
use crate::sessions::Sessions;

/// The header the API key goes in by default: the name used by the newest revision of
/// FairShare's create-session page (and the `X-SplitPay-*` family of its webhook headers).
pub const API_KEY_HEADER: &str = "X-SplitPay-API-Key";

/// The header name FairShare's API Keys page and the older create-session page give instead.
/// Pass it to [`ClientBuilder::api_key_header`] if your account needs it.
pub const LEGACY_API_KEY_HEADER: &str = "x-api-key";

/// FairShare's longest idempotency key, in characters.
pub const IDEMPOTENCY_KEY_MAX_LEN: usize = 120;

/// JSON fields whose values are masked in decode-error excerpts (personal data of contributors).
const MASKED_FIELDS: &[&str] = &["leadContributorName", "leadContributorEmail"];

/// A FairShare API client for one merchant environment (the API key picks sandbox or live).
///
/// Cheap to clone (one shared `Arc`): clones share the connection pool. Its `Debug` output
/// never shows the key, nor credentials in the base URL.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: ApiClient,
    api_key_header: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &mask_url(self.inner.api.base_url().as_str()))
            .field("api_key_header", &self.inner.api_key_header)
            .field("api_key", &splitkit_common::secret::MASK)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client that authenticates with `api_key` (the sandbox or live key from
    /// the dashboard, Developers > API Keys).
    pub fn builder(api_key: impl Into<SecretString>) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key_header: API_KEY_HEADER.to_owned(),
            http: HttpOptions::default(),
        }
    }

    /// Split sessions: create, read, set the contributor count of an equal split. The handle
    /// owns a clone of the client, so its calls' futures borrow nothing from it.
    pub fn sessions(&self) -> Sessions {
        Sessions::new(self.clone())
    }

    /// The runtime client, for calling the generated operations in
    /// [`crate::generated::operations`] directly.
    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    /// The header the API key is sent in.
    pub fn api_key_header(&self) -> &str {
        &self.inner.api_key_header
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
pub struct ClientBuilder {
    api_key: SecretString,
    base_url: String,
    api_key_header: String,
    http: HttpOptions,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &mask_url(&self.base_url))
            .field("api_key_header", &self.api_key_header)
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API's base URL, path included (default `https://api.fairsharepay.com/api/v1`, which
    /// serves sandbox and live alike). Operation paths such as `/split-sessions` go below it.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The header the API key is sent in (default [`API_KEY_HEADER`], `X-SplitPay-API-Key`;
    /// FairShare's API Keys page names [`LEGACY_API_KEY_HEADER`], `x-api-key`, instead).
    pub fn api_key_header(mut self, name: impl Into<String>) -> Self {
        self.api_key_header = name.into();
        self
    }

    splitkit_common::http_options_setters!();

    /// Checks the settings and builds the client.
    ///
    /// Fails with [`Error::Validation`] on `api_key` when the key is empty or blank, and with
    /// [`Error::Config`] when it is not a valid header value, the header name is not a valid
    /// header name, or the base URL is not an http(s) URL.
    pub fn build(self) -> Result<Client, Error> {
        if self.api_key.expose().trim().is_empty() {
            return Err(Error::validation("api_key", "must not be empty or blank"));
        }
        if http::HeaderValue::from_str(self.api_key.expose()).is_err() {
            return Err(Error::Config(
                "the FairShare API key is not a valid HTTP header value".into(),
            ));
        }
        let auth = HeaderKey::new(&self.api_key_header, self.api_key)?;
        let api = ApiClient::builder(self.base_url)
            .provider(PROVIDER)
            .auth(Arc::new(auth))
            .error_policy(Arc::new(FairShareErrorPolicy))
            .idempotency_header(IDEMPOTENCY_HEADER)
            .idempotency_key_max_len(IDEMPOTENCY_KEY_MAX_LEN)
            .secret_fields(MASKED_FIELDS);
        Ok(Client {
            inner: Arc::new(Inner {
                api: self.http.apply(api).build()?,
                api_key_header: self.api_key_header,
            }),
        })
    }
}
