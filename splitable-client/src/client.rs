//! [`Client`] and its builder: which host to talk to, the `api_key`, and how calls are sent.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use splitkit_common::{ApiClient, Error, ParamKey, RetryPolicy, SecretString, Transport};
use url::Url;

use crate::error::SplitableErrorPolicy;
use crate::generated;
use crate::splits::Splits;

/// The live host, `https://www.splitable.com` (the company is identified by the `api_key`).
pub const LIVE_BASE_URL: &str = generated::DEFAULT_BASE_URL;

/// The draft (test) host, `https://www.splitable-draft.com`.
pub const DRAFT_BASE_URL: &str = "https://www.splitable-draft.com";

/// The header in which split(able) answers carry a request id (Rails' `X-Request-Id`).
pub const REQUEST_ID_HEADER: &str = "X-Request-Id";

/// The form and query parameter that carries the company's API key.
pub const API_KEY_PARAM: &str = "api_key";

/// JSON fields masked in decode-error excerpts.
pub(crate) const SECRET_FIELDS: &[&str] = &["api_key", "api_secret"];

/// Which split(able) installation to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Environment {
    /// The live service, `splitable.com` (the default).
    #[default]
    Live,
    /// The draft (test) service, `splitable-draft.com`.
    Draft,
}

impl Environment {
    /// The `www` host of the environment: [`LIVE_BASE_URL`] or [`DRAFT_BASE_URL`].
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Live => LIVE_BASE_URL,
            Self::Draft => DRAFT_BASE_URL,
        }
    }

    /// The company's own subdomain in this environment, e.g.
    /// `https://nimbleshop.splitable.com` or `https://nimbleshop.splitable-draft.com`.
    ///
    /// Fails with a validation error on `company` unless it is a DNS label (letters, digits and
    /// inner hyphens, at most 63 characters).
    pub fn company_base_url(self, company: &str) -> Result<String, Error> {
        check_company(company)?;
        let domain = match self {
            Self::Live => "splitable.com",
            Self::Draft => "splitable-draft.com",
        };
        Ok(format!("https://{}.{domain}", company.to_ascii_lowercase()))
    }
}

fn check_company(company: &str) -> Result<(), Error> {
    let valid = !company.is_empty()
        && company.len() <= 63
        && company
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !company.starts_with('-')
        && !company.ends_with('-');
    if valid {
        Ok(())
    } else {
        Err(Error::validation(
            "company",
            format!(
                "must be a subdomain label (1 to 63 ASCII letters, digits or inner hyphens), got {company:?}"
            ),
        ))
    }
}

/// A split(able) client for one company. Cheap to clone; clones share connections.
///
/// Its `Debug` output shows the base URL but never the `api_key`.
#[derive(Clone)]
pub struct Client {
    api: ApiClient,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.api.base_url().as_str())
            .field("api_key", &splitkit_common::secret::MASK)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client that authenticates with the company's `api_key` (from the
    /// company settings page of split(able)).
    pub fn builder(api_key: impl Into<SecretString>) -> ClientBuilder {
        ClientBuilder {
            api_key: api_key.into(),
            environment: Environment::Live,
            company: None,
            base_url: None,
            transport: None,
            retry: None,
            attempt_timeout: None,
            deadline: None,
        }
    }

    /// Creating splits and reading who has paid.
    pub fn splits(&self) -> Splits<'_> {
        Splits::new(self)
    }

    /// The base URL every request goes below.
    pub fn base_url(&self) -> &Url {
        self.api.base_url()
    }

    /// The shared-runtime client underneath, for calls this crate does not wrap (e.g. the
    /// generated functions in [`crate::generated::operations`]).
    pub fn api_client(&self) -> &ApiClient {
        &self.api
    }
}

/// Builds a [`Client`]. Start with [`Client::builder`].
///
/// The host is, in order of precedence: [`ClientBuilder::base_url`]; else the company subdomain
/// of [`ClientBuilder::company`] in the [`ClientBuilder::environment`]; else the environment's
/// `www` host ([`LIVE_BASE_URL`] by default).
pub struct ClientBuilder {
    api_key: SecretString,
    environment: Environment,
    company: Option<String>,
    base_url: Option<String>,
    transport: Option<Arc<dyn Transport>>,
    retry: Option<RetryPolicy>,
    attempt_timeout: Option<Duration>,
    deadline: Option<Duration>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("environment", &self.environment)
            .field("company", &self.company)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Talks to the live (default) or the draft (test) service.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Shorthand for `.environment(Environment::Draft)`.
    pub fn draft(self) -> Self {
        self.environment(Environment::Draft)
    }

    /// Talks to the company's own subdomain, `https://<company>.splitable.com` (or
    /// `.splitable-draft.com` in [`Environment::Draft`]), as the documentation's examples do.
    pub fn company(mut self, company: impl Into<String>) -> Self {
        self.company = Some(company.into());
        self
    }

    /// Talks to `base_url` instead (a test server, a proxy); overrides the environment and
    /// the company.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sends requests with `transport` (default: a pooled `reqwest` client with rustls).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sends requests with your own `reqwest` client (proxies, TLS settings, ...).
    pub fn reqwest_client(self, client: reqwest::Client) -> Self {
        self.transport(Arc::new(splitkit_common::ReqwestTransport::with_client(
            client,
        )))
    }

    /// Retries per `policy` (default [`RetryPolicy::default`]). Whatever the policy, creating
    /// a split is never retried once the request may have reached split(able).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Limits each attempt (default 30 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Limits each whole call, retries and waits included (default 120 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// Fails with a validation error on `api_key` when it is empty, on `company` when it is
    /// not a subdomain label, and with a configuration error when the base URL is not an
    /// `http` or `https` URL.
    pub fn build(self) -> Result<Client, Error> {
        if self.api_key.expose().trim().is_empty() {
            return Err(Error::validation(API_KEY_PARAM, "must not be empty"));
        }
        let base_url = match (self.base_url, &self.company) {
            (Some(url), _) => url,
            (None, Some(company)) => self.environment.company_base_url(company)?,
            (None, None) => self.environment.base_url().to_owned(),
        };
        let mut api = ApiClient::builder(base_url)
            .auth(Arc::new(ParamKey::new(API_KEY_PARAM, self.api_key)))
            .error_policy(Arc::new(SplitableErrorPolicy))
            .request_id_header(REQUEST_ID_HEADER)
            .secret_fields(SECRET_FIELDS);
        if let Some(transport) = self.transport {
            api = api.transport(transport);
        }
        if let Some(retry) = self.retry {
            api = api.retry(retry);
        }
        if let Some(timeout) = self.attempt_timeout {
            api = api.attempt_timeout(timeout);
        }
        if let Some(deadline) = self.deadline {
            api = api.deadline(deadline);
        }
        Ok(Client { api: api.build()? })
    }
}
