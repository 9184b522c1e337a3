//! [`Client`] and its builder: which host to talk to, the `api_key`, and how calls are sent.

use std::fmt;
use std::sync::Arc;

use splitkit_common::redact::mask_url;
use splitkit_common::{ApiClient, Error, HttpOptions, ParamKey, SecretString};
use url::Url;

use crate::error::{PROVIDER, SplitableErrorPolicy};
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
/// Its `Debug` output shows the base URL but never the `api_key` (nor credentials in the URL).
#[derive(Clone)]
pub struct Client {
    api: ApiClient,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &mask_url(self.api.base_url().as_str()))
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
            http: HttpOptions::default(),
        }
    }

    /// Creating splits and reading who has paid. The handle owns a clone of the client, so its
    /// calls' futures borrow nothing from it.
    pub fn splits(&self) -> Splits {
        Splits::new(self.clone())
    }

    /// The base URL every request goes below.
    pub fn base_url(&self) -> &Url {
        self.api.base_url()
    }

    /// The shared-runtime client underneath, for calls this crate does not wrap (e.g. the
    /// generated functions in [`crate::generated::operations`]).
    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    /// The former name of [`Client::api`].
    #[deprecated(note = "use `Client::api`, the name every splitkit crate uses")]
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
    http: HttpOptions,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("environment", &self.environment)
            .field("company", &self.company)
            .field("base_url", &self.base_url.as_deref().map(mask_url))
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

    splitkit_common::http_options_setters!();

    /// Checks the settings and builds the client.
    ///
    /// Fails with a validation error on `api_key` when it is empty, on `company` when it is
    /// not a subdomain label, and with a configuration error when the base URL is not an
    /// `http` or `https` URL.
    pub fn build(self) -> Result<Client, Error> {
        if self.api_key.expose().trim().is_empty() {
            return Err(Error::validation(
                API_KEY_PARAM,
                "must not be empty or blank",
            ));
        }
        let base_url = match (self.base_url, &self.company) {
            (Some(url), _) => url,
            (None, Some(company)) => self.environment.company_base_url(company)?,
            (None, None) => self.environment.base_url().to_owned(),
        };
        let api = ApiClient::builder(base_url)
            .provider(PROVIDER)
            .auth(Arc::new(ParamKey::new(API_KEY_PARAM, self.api_key)))
            .error_policy(Arc::new(SplitableErrorPolicy))
            .request_id_header(REQUEST_ID_HEADER)
            .secret_fields(SECRET_FIELDS);
        Ok(Client {
            api: self.http.apply(api).build()?,
        })
    }
}
