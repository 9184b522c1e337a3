//! [`Client`], its builder, and the hosts it talks to.

use std::fmt;
use std::sync::Arc;
#[cfg(feature = "oauth")]
use std::time::Duration;

use serde::de::DeserializeOwned;
use splitkit_common::redact::mask_url;
use splitkit_common::{
    ApiClient, Authenticator, BearerToken, Clock, Error, HttpOptions, Page, SecretString,
    SystemClock, Transport,
};
#[cfg(feature = "oauth")]
use splitkit_common::{OAuthAuthenticator, TokenStore};
use url::Url;

use crate::error::ZeptoErrorPolicy;
#[cfg(feature = "oauth")]
use crate::oauth::OAuthApp;
use crate::rules::AccountTimeZone;

/// Where the API and the OAuth pages live. The API host (`api.`) and the OAuth host (`go.`,
/// Zepto's web app, which serves `/oauth/authorize` and `/oauth/token`) differ.
///
/// A proxy or a test server takes the place of either host through
/// [`ClientBuilder::base_url`] and [`ClientBuilder::oauth_base_url`] (or
/// [`Environment::custom`]). `Debug` masks credentials in custom URLs.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// Zepto AU sandbox: `https://api.sandbox.zeptopayments.com`,
    /// `https://go.sandbox.zeptopayments.com`.
    Sandbox,
    /// Zepto AU production: `https://api.zeptopayments.com`, `https://go.zeptopayments.com`.
    Production,
    /// The Split-era sandbox the API reference names: `https://api.sandbox.split.cash`,
    /// `https://go.sandbox.split.cash`.
    SplitSandbox,
    /// The Split-era production hosts: `https://api.split.cash`, `https://go.split.cash`.
    SplitProduction,
    /// Zepto NZ sandbox: `https://api.nz.sandbox.zepto.money`,
    /// `https://go.nz.sandbox.zepto.money`.
    NzSandbox,
    /// Zepto NZ production: `https://api.nz.zepto.money`, `https://go.nz.zepto.money`.
    NzProduction,
    /// Any other pair of hosts (a proxy, a mock server, the oldest sandbox UI host
    /// `https://go-sandbox.split.cash`, ...).
    Custom {
        /// The API base URL.
        api: String,
        /// The OAuth (web app) base URL.
        oauth: String,
    },
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Custom { api, oauth } => f
                .debug_struct("Custom")
                .field("api", &mask_url(api))
                .field("oauth", &mask_url(oauth))
                .finish(),
            Self::Sandbox => f.write_str("Sandbox"),
            Self::Production => f.write_str("Production"),
            Self::SplitSandbox => f.write_str("SplitSandbox"),
            Self::SplitProduction => f.write_str("SplitProduction"),
            Self::NzSandbox => f.write_str("NzSandbox"),
            Self::NzProduction => f.write_str("NzProduction"),
        }
    }
}

impl Environment {
    /// A custom pair of hosts.
    pub fn custom(api: impl Into<String>, oauth: impl Into<String>) -> Self {
        Self::Custom {
            api: api.into(),
            oauth: oauth.into(),
        }
    }

    /// The API base URL.
    pub fn api_base_url(&self) -> &str {
        match self {
            Self::Sandbox => "https://api.sandbox.zeptopayments.com",
            Self::Production => "https://api.zeptopayments.com",
            Self::SplitSandbox => "https://api.sandbox.split.cash",
            Self::SplitProduction => "https://api.split.cash",
            Self::NzSandbox => "https://api.nz.sandbox.zepto.money",
            Self::NzProduction => "https://api.nz.zepto.money",
            Self::Custom { api, .. } => api,
        }
    }

    /// The OAuth (web app) base URL: `/oauth/authorize` and `/oauth/token` live below it.
    pub fn oauth_base_url(&self) -> &str {
        match self {
            Self::Sandbox => "https://go.sandbox.zeptopayments.com",
            Self::Production => "https://go.zeptopayments.com",
            Self::SplitSandbox => "https://go.sandbox.split.cash",
            Self::SplitProduction => "https://go.split.cash",
            Self::NzSandbox => "https://go.nz.sandbox.zepto.money",
            Self::NzProduction => "https://go.nz.zepto.money",
            Self::Custom { oauth, .. } => oauth,
        }
    }

    /// Whether this is one of Zepto's sandboxes (custom hosts count as not).
    pub fn is_sandbox(&self) -> bool {
        matches!(self, Self::Sandbox | Self::SplitSandbox | Self::NzSandbox)
    }

    /// The time zone Zepto reads request times in by default for this environment.
    pub fn default_time_zone(&self) -> AccountTimeZone {
        match self {
            Self::NzSandbox | Self::NzProduction => AccountTimeZone::auckland(),
            _ => AccountTimeZone::sydney(),
        }
    }
}

/// Parses a base URL and makes its path end with `/`, so that joining `oauth/token` keeps
/// every segment of a base such as `https://proxy.example/zepto/go`.
pub(crate) fn parse_base_url(what: &str, text: &str) -> Result<Url, Error> {
    let mut url = Url::parse(text)
        .map_err(|e| Error::Config(format!("{what} `{}` is not a URL: {e}", mask_url(text))))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::Config(format!(
            "{what} `{}` must be an http or https URL",
            mask_url(text)
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

enum Credentials {
    Token(SecretString),
    #[cfg(feature = "oauth")]
    OAuth {
        app: OAuthApp,
        store: Arc<dyn TokenStore>,
    },
    Custom(Arc<dyn Authenticator>),
}

/// Builds a [`Client`]: `Client::builder(Environment::Sandbox).personal_access_token(..).build()?`.
pub struct ClientBuilder {
    environment: Environment,
    base_url: Option<String>,
    oauth_base_url: Option<String>,
    credentials: Option<Credentials>,
    http: HttpOptions,
    #[cfg(feature = "oauth")]
    refresh_margin: Duration,
    clock: Arc<dyn Clock>,
    time_zone: Option<AccountTimeZone>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("base_url", &self.base_url.as_deref().map(mask_url))
            .field(
                "oauth_base_url",
                &self.oauth_base_url.as_deref().map(mask_url),
            )
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Sends API calls to `base_url` instead of the environment's API host (a proxy, a test
    /// server, the emulator); its path, if any, prefixes every operation path.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Uses `oauth_base_url` instead of the environment's OAuth host: `/oauth/authorize` and
    /// `/oauth/token` live below it, and the token requests of an [`OAuthApp`] given to
    /// [`Self::oauth`] go there.
    pub fn oauth_base_url(mut self, oauth_base_url: impl Into<String>) -> Self {
        self.oauth_base_url = Some(oauth_base_url.into());
        self
    }

    /// Authenticates with a personal access token (created in Zepto's web app for your own
    /// account). These tokens never expire, so nothing is ever refreshed. An empty or blank
    /// token is refused by [`Self::build`].
    pub fn personal_access_token(mut self, token: impl Into<SecretString>) -> Self {
        self.credentials = Some(Credentials::Token(token.into()));
        self
    }

    /// Authenticates with OAuth2 tokens of an account that authorised `app` (authorisation code
    /// grant), kept in `store`.
    ///
    /// The access token is cached and refreshed [`Self::refresh_margin`] before it expires; one
    /// refresh runs at a time and every waiting call uses its result; Zepto rotates the refresh
    /// token on every refresh and the new pair is saved to `store` before it is used; a 401 or
    /// 403 answer refreshes once and retries the call once. (Feature `oauth`, on by default.)
    #[cfg(feature = "oauth")]
    pub fn oauth(mut self, app: OAuthApp, store: Arc<dyn TokenStore>) -> Self {
        self.credentials = Some(Credentials::OAuth { app, store });
        self
    }

    /// Authenticates with your own [`Authenticator`].
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.credentials = Some(Credentials::Custom(authenticator));
        self
    }

    // `transport`, `reqwest_client`, `retry`, `attempt_timeout`, `deadline`, `user_agent`.
    // The transport carries the OAuth token calls too.
    splitkit_common::http_options_setters!();

    /// Refreshes OAuth access tokens this long before they expire (default 5 minutes).
    #[cfg(feature = "oauth")]
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Reads the time from `clock` (token expiry, "start of today" checks); for tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The account's time zone, which decides where "today" starts for `matures_at` checks
    /// (default: Sydney, or Auckland for the NZ environments).
    pub fn time_zone(mut self, zone: AccountTimeZone) -> Self {
        self.time_zone = Some(zone);
        self
    }

    /// Builds the client. Fails when no credentials were given, when the personal access token
    /// is empty or blank, or when a URL is not usable.
    pub fn build(self) -> Result<Client, Error> {
        let environment = match (self.base_url, self.oauth_base_url) {
            (None, None) => self.environment,
            (api, oauth) => Environment::Custom {
                api: api.unwrap_or_else(|| self.environment.api_base_url().to_owned()),
                oauth: oauth.unwrap_or_else(|| self.environment.oauth_base_url().to_owned()),
            },
        };
        let api_url = parse_base_url("API base URL", environment.api_base_url())?;
        // Checked with or without the `oauth` feature: a bad OAuth URL is a mistake either way.
        let oauth_url = parse_base_url("OAuth base URL", environment.oauth_base_url())?;
        #[cfg(not(feature = "oauth"))]
        let _ = oauth_url;
        let mut http = self.http;
        let transport: Arc<dyn Transport> = match http.transport.take() {
            Some(t) => t,
            None => Arc::new(splitkit_common::ReqwestTransport::new()?),
        };
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config(
                "no credentials: call personal_access_token(..) or oauth(..) on the builder".into(),
            )
        })?;
        let (auth, kind): (Arc<dyn Authenticator>, AuthKind) = match credentials {
            Credentials::Token(token) => {
                if token.expose().trim().is_empty() {
                    return Err(Error::validation(
                        "personal_access_token",
                        "must not be empty or blank",
                    ));
                }
                (Arc::new(BearerToken::new(token)), AuthKind::Personal)
            }
            #[cfg(feature = "oauth")]
            Credentials::OAuth { app, store } => {
                let app = app
                    .on_oauth_host(&oauth_url)?
                    .with_default_transport(transport.clone());
                let authenticator = OAuthAuthenticator::new(Arc::new(app), store)
                    .renew_on_forbidden(true)
                    .refresh_margin(self.refresh_margin)
                    .clock(self.clock.clone());
                (Arc::new(authenticator), AuthKind::OAuth)
            }
            Credentials::Custom(auth) => (auth, AuthKind::Custom),
        };
        let api = ApiClient::builder(api_url.as_str())
            .provider(crate::error::PROVIDER)
            .transport(transport)
            .auth(auth)
            .error_policy(Arc::new(ZeptoErrorPolicy))
            .idempotency_header(crate::generated::IDEMPOTENCY_HEADER)
            .user_agent(concat!("zepto-client-rust/", env!("CARGO_PKG_VERSION")))
            // The Conventions ask for `Accepts: application/json` (sic); `Accept` is sent too.
            .default_header("Accepts", "application/json")
            .secret_fields(&["signature_secret"]);
        let time_zone = self
            .time_zone
            .unwrap_or_else(|| environment.default_time_zone());
        Ok(Client {
            inner: Arc::new(Inner {
                api: http.apply(api).build()?,
                environment,
                auth_kind: kind,
                clock: self.clock,
                time_zone,
            }),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthKind {
    Personal,
    #[cfg(feature = "oauth")]
    OAuth,
    Custom,
}

struct Inner {
    api: ApiClient,
    environment: Environment,
    auth_kind: AuthKind,
    clock: Arc<dyn Clock>,
    time_zone: AccountTimeZone,
}

/// A Zepto API client for one account. Cheap to clone: clones share the connection pool and
/// the OAuth token cache.
///
/// Calls are grouped by resource: [`Client::payments`], [`Client::contacts`],
/// [`Client::transactions`], ... Each returns a small handle whose methods send requests.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field(
                "api_base_url",
                &mask_url(self.inner.api.base_url().as_str()),
            )
            .field(
                "oauth_base_url",
                &mask_url(self.inner.environment.oauth_base_url()),
            )
            .field("auth", &self.inner.auth_kind)
            .field("time_zone", &self.inner.time_zone)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client of `environment`.
    pub fn builder(environment: Environment) -> ClientBuilder {
        ClientBuilder {
            environment,
            base_url: None,
            oauth_base_url: None,
            credentials: None,
            http: HttpOptions::default(),
            #[cfg(feature = "oauth")]
            refresh_margin: Duration::from_secs(300),
            clock: Arc::new(SystemClock),
            time_zone: None,
        }
    }

    /// The environment (hosts) this client talks to; [`Environment::Custom`] when
    /// [`ClientBuilder::base_url`] or [`ClientBuilder::oauth_base_url`] replaced a host.
    pub fn environment(&self) -> &Environment {
        &self.inner.environment
    }

    /// The shared pipeline underneath, for requests built by hand from
    /// [`crate::generated::operations`].
    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub(crate) fn time_zone(&self) -> &AccountTimeZone {
        &self.inner.time_zone
    }

    /// The page after `page`, or `None` after the last one.
    pub async fn next_page<T: DeserializeOwned>(
        &self,
        page: &Page<T>,
    ) -> Result<Option<Page<T>>, Error> {
        self.inner.api.next_page(page).await
    }

    /// Agreements with your Contacts (`/agreements`).
    pub fn agreements(&self) -> crate::agreements::Agreements {
        crate::agreements::Agreements::new(self.clone())
    }

    /// Your bank and Float accounts (`/bank_accounts`).
    pub fn bank_accounts(&self) -> crate::bank_accounts::BankAccounts {
        crate::bank_accounts::BankAccounts::new(self.clone())
    }

    /// Read-only connections to your Contacts' banking data (`/bank_connections`).
    /// Not in Zepto's current API document; may be retired.
    pub fn bank_connections(&self) -> crate::bank_connections::BankConnections {
        crate::bank_connections::BankConnections::new(self.clone())
    }

    /// Your Contacts, including Receivable Contacts with a PayID (`/contacts`).
    pub fn contacts(&self) -> crate::contacts::Contacts {
        crate::contacts::Contacts::new(self.clone())
    }

    /// Open Agreements anyone can accept (`/open_agreements`).
    /// Not in Zepto's current API document; may be retired.
    pub fn open_agreements(&self) -> crate::open_agreements::OpenAgreements {
        crate::open_agreements::OpenAgreements::new(self.clone())
    }

    /// Payment Requests: direct debits from your Contacts (`/payment_requests`).
    pub fn payment_requests(&self) -> crate::payment_requests::PaymentRequests {
        crate::payment_requests::PaymentRequests::new(self.clone())
    }

    /// Payments to your Contacts (`/payments`).
    pub fn payments(&self) -> crate::payments::Payments {
        crate::payments::Payments::new(self.clone())
    }

    /// Single payouts: void, and the deprecated retry (`/payouts`).
    pub fn payouts(&self) -> crate::payouts::Payouts {
        crate::payouts::Payouts::new(self.clone())
    }

    /// Refunds of received funds (`/credits/{ref}/refunds`, `/refunds`).
    pub fn refunds(&self) -> crate::refunds::Refunds {
        crate::refunds::Refunds::new(self.clone())
    }

    /// Sandbox-only helpers (`/simulate/...`: incoming NPP and Direct Entry payments) and the
    /// failure-trigger amounts.
    pub fn sandbox(&self) -> crate::sandbox::Sandbox {
        crate::sandbox::Sandbox::new(self.clone())
    }

    /// Every debit and credit of your account (`/transactions`).
    pub fn transactions(&self) -> crate::transactions::Transactions {
        crate::transactions::Transactions::new(self.clone())
    }

    /// Transfers between your bank and Float accounts (`/transfers`).
    pub fn transfers(&self) -> crate::transfers::Transfers {
        crate::transfers::Transfers::new(self.clone())
    }

    /// Unassigned Agreements shared by link (`/unassigned_agreements`).
    /// Not in Zepto's current API document; may be retired.
    pub fn unassigned_agreements(&self) -> crate::unassigned_agreements::UnassignedAgreements {
        crate::unassigned_agreements::UnassignedAgreements::new(self.clone())
    }

    /// The authenticated user (`/user`).
    pub fn user(&self) -> crate::users::Users {
        crate::users::Users::new(self.clone())
    }

    /// Webhook configurations and deliveries (`/webhooks`, `/webhook_deliveries`).
    pub fn webhooks(&self) -> crate::webhooks::Webhooks {
        crate::webhooks::Webhooks::new(self.clone())
    }
}
