//! OAuth2 with Zepto: connecting other accounts (authorisation code grant), refreshing their
//! tokens (refresh token grant), and keeping tokens in a file.
//!
//! Zepto serves OAuth on its web-app host (`go.`), not the API host: `/oauth/authorize` and
//! `/oauth/token`. Only the authorisation code and refresh token grants exist. Access tokens
//! last 2 hours (unless the `offline_access` scope made them non-expiring); refresh tokens do
//! not expire but are **single-use**: every refresh returns a new one, which must be stored
//! before the new access token is used, or the account has to be connected again.
//!
//! The token calls are made with the [`oauth2`] crate over this SDK's
//! [`Transport`], so proxies, custom TLS and test doubles apply to
//! them too. A failed token call is an [`Error::Auth`] whose [`AuthFailure`]
//! keeps Zepto's HTTP status and OAuth error code: `invalid_grant` (the refresh token was spent
//! or revoked) says the account must be authorised again ([`Error::requires_reauthorization`]);
//! a 5xx answer or a transport failure is an outage ([`Error::is_retryable`]), which the client's
//! authenticator retries with backoff.
//!
//! Several instances of a server can share one account's tokens: give each the same shared
//! [`TokenStore`] (for example `splitkit-redis`'s Redis store), and they refresh one at a time
//! under its lock, the others adopting the stored pair, so a single-use refresh token is never
//! presented twice.
//!
//! For your own account only, a personal access token (created in the web app) is simpler: it
//! never expires and needs none of this (see
//! [`ClientBuilder::personal_access_token`](crate::ClientBuilder::personal_access_token)).

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use http::StatusCode;
use oauth2::basic::{BasicClient, BasicErrorResponse, BasicTokenResponse};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, RedirectUrl, RefreshToken, RequestTokenError, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use splitkit_common::redact::mask_url;
use splitkit_common::{
    AuthFailure, AuthFailureKind, Clock, Error, HttpRequest, SecretString, SystemClock, TokenPair,
    TokenSource, TokenStore, Transport, TransportError, TransportErrorKind,
};
use url::Url;

use crate::client::{Environment, parse_base_url};

pub use crate::generated::models::OAuthScope as Scope;

type ZeptoOAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

#[derive(Clone)]
struct AppConfig {
    client_id: String,
    client_secret: SecretString,
    redirect_url: Url,
    authorize_url: Url,
    token_url: Url,
    transport: Option<Arc<dyn Transport>>,
    clock: Arc<dyn Clock>,
    timeout: Duration,
}

fn oauth_endpoint(base: &Url, path: &str) -> Result<Url, Error> {
    base.join(path)
        .map_err(|e| Error::Config(format!("could not build the OAuth URL {path}: {e}")))
}

/// Your OAuth2 application as registered with Zepto (its Application ID, Secret and Redirect
/// URI), on one environment.
///
/// It builds authorisation URLs, exchanges codes and refresh tokens, and is the token source of
/// a client built with [`ClientBuilder::oauth`](crate::ClientBuilder::oauth).
#[derive(Clone)]
pub struct OAuthApp {
    config: Arc<AppConfig>,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.config.client_id)
            .field("client_secret", &self.config.client_secret)
            .field(
                "authorize_url",
                &mask_url(self.config.authorize_url.as_str()),
            )
            .field("token_url", &mask_url(self.config.token_url.as_str()))
            .field("redirect_url", &self.config.redirect_url.as_str())
            .finish_non_exhaustive()
    }
}

impl OAuthApp {
    /// The application `client_id` / `client_secret` of `environment`, whose users come back
    /// to `redirect_url` (as registered with Zepto).
    pub fn new(
        environment: &Environment,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
        redirect_url: &str,
    ) -> Result<Self, Error> {
        let base = parse_base_url("OAuth base URL", environment.oauth_base_url())?;
        let redirect_url = Url::parse(redirect_url)
            .map_err(|e| Error::validation("redirect_uri", format!("is not a URL: {e}")))?;
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(Error::validation("client_id", "must not be empty or blank"));
        }
        let client_secret = client_secret.into();
        if client_secret.expose().trim().is_empty() {
            return Err(Error::validation(
                "client_secret",
                "must not be empty or blank",
            ));
        }
        Ok(Self {
            config: Arc::new(AppConfig {
                client_id,
                client_secret,
                redirect_url,
                authorize_url: oauth_endpoint(&base, "oauth/authorize")?,
                token_url: oauth_endpoint(&base, "oauth/token")?,
                transport: None,
                clock: Arc::new(SystemClock),
                timeout: Duration::from_secs(30),
            }),
        })
    }

    /// The same application with its endpoints on the OAuth host `base` (already parsed by
    /// [`parse_base_url`]).
    pub(crate) fn on_oauth_host(self, base: &Url) -> Result<Self, Error> {
        let authorize_url = oauth_endpoint(base, "oauth/authorize")?;
        let token_url = oauth_endpoint(base, "oauth/token")?;
        Ok(self.update(|c| {
            c.authorize_url = authorize_url;
            c.token_url = token_url;
        }))
    }

    fn update(mut self, change: impl FnOnce(&mut AppConfig)) -> Self {
        change(Arc::make_mut(&mut self.config));
        self
    }

    /// Sends token requests through `transport` (default: the client's transport when used
    /// with [`ClientBuilder::oauth`](crate::ClientBuilder::oauth), else a new `reqwest` one).
    pub fn transport(self, transport: Arc<dyn Transport>) -> Self {
        self.update(|c| c.transport = Some(transport))
    }

    /// Reads the time from `clock` to turn `expires_in` into an expiry instant (for tests).
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        self.update(|c| c.clock = clock)
    }

    /// Limits each token request (default 30 s).
    pub fn timeout(self, timeout: Duration) -> Self {
        self.update(|c| c.timeout = timeout)
    }

    pub(crate) fn with_default_transport(self, transport: Arc<dyn Transport>) -> Self {
        if self.config.transport.is_some() {
            self
        } else {
            self.transport(transport)
        }
    }

    /// The Application ID.
    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }

    /// `…/oauth/authorize` on the OAuth host.
    pub fn authorize_endpoint(&self) -> &Url {
        &self.config.authorize_url
    }

    /// `…/oauth/token` on the OAuth host.
    pub fn token_endpoint(&self) -> &Url {
        &self.config.token_url
    }

    /// The redirect URI.
    pub fn redirect_url(&self) -> &Url {
        &self.config.redirect_url
    }

    /// Starts an authorisation URL: add scopes, optionally sign-up details, then
    /// [`AuthorizationUrlBuilder::build`].
    pub fn authorization_url(&self) -> AuthorizationUrlBuilder<'_> {
        AuthorizationUrlBuilder {
            app: self,
            scopes: Vec::new(),
            state: None,
            sign_up: None,
        }
    }

    fn oauth_client(&self) -> ZeptoOAuthClient {
        let c = &self.config;
        BasicClient::new(ClientId::new(c.client_id.clone()))
            .set_client_secret(ClientSecret::new(c.client_secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::from_url(c.authorize_url.clone()))
            .set_token_uri(TokenUrl::from_url(c.token_url.clone()))
            .set_redirect_uri(RedirectUrl::from_url(c.redirect_url.clone()))
            // Zepto's documentation sends client_id and client_secret as form fields.
            .set_auth_type(AuthType::RequestBody)
    }

    fn http(&self) -> Result<OAuthHttp, Error> {
        let transport = match &self.config.transport {
            Some(t) => t.clone(),
            None => Arc::new(splitkit_common::ReqwestTransport::new()?),
        };
        Ok(OAuthHttp {
            transport,
            timeout: self.config.timeout,
            status: AtomicU16::new(0),
        })
    }

    /// Exchanges the one-time authorisation `code` from the redirect for a token pair
    /// (`grant_type=authorization_code`). Save the pair in your [`TokenStore`].
    pub async fn exchange_code(&self, code: &str) -> Result<TokenPair, Error> {
        if code.trim().is_empty() {
            return Err(Error::validation("code", "must not be empty"));
        }
        let http = self.http()?;
        let client = self.oauth_client();
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .request_async(&http)
            .await
            .map_err(|e| token_error(Grant::AuthorizationCode, e, http.status()))?;
        Ok(self.pair(&response))
    }

    /// Exchanges `refresh_token` for a new pair (`grant_type=refresh_token`). The old refresh
    /// token stops working: store the new pair before using it. One call is one token request.
    pub async fn refresh_tokens(&self, refresh_token: &SecretString) -> Result<TokenPair, Error> {
        let http = self.http()?;
        let client = self.oauth_client();
        let token = RefreshToken::new(refresh_token.expose().to_owned());
        let response = client
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await
            .map_err(|e| token_error(Grant::RefreshToken, e, http.status()))?;
        Ok(self.pair(&response))
    }

    fn pair(&self, response: &BasicTokenResponse) -> TokenPair {
        let now = self.config.clock.now();
        TokenPair {
            access_token: SecretString::new(response.access_token().secret().clone()),
            refresh_token: response
                .refresh_token()
                .map(|t| SecretString::new(t.secret().clone())),
            expires_at: response.expires_in().and_then(|d| now.checked_add(d)),
            scope: response.scopes().map(|scopes| {
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
        }
    }
}

#[async_trait]
impl TokenSource for OAuthApp {
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair, Error> {
        self.refresh_tokens(refresh_token).await
    }
}

#[derive(Debug, Clone, Copy)]
enum Grant {
    AuthorizationCode,
    RefreshToken,
}

impl Grant {
    fn what(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "the authorisation code exchange",
            Self::RefreshToken => "the token refresh",
        }
    }
}

/// Describes a failed token request without any token, secret or body, keeping the status
/// Zepto answered (`status`) and its OAuth error code in an [`AuthFailure`].
fn token_error(
    grant: Grant,
    error: RequestTokenError<TransportError, BasicErrorResponse>,
    status: Option<StatusCode>,
) -> Error {
    let what = grant.what();
    match error {
        RequestTokenError::ServerResponse(answer) => {
            let code = answer.error().as_ref();
            let description = answer
                .error_description()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            let failure =
                AuthFailure::token_endpoint(status.unwrap_or(StatusCode::BAD_REQUEST), Some(code));
            let message = match (failure.kind(), grant) {
                (AuthFailureKind::ReauthorizationRequired, Grant::RefreshToken) => format!(
                    "{what} was refused: {code}{description}; the refresh token is spent or revoked, so the account must be re-authorised (connect it again with an authorisation URL)"
                ),
                (AuthFailureKind::ReauthorizationRequired, Grant::AuthorizationCode) => format!(
                    "{what} was refused: {code}{description}; the code is invalid, expired or already used, so the user must authorise again"
                ),
                _ => format!("{what} was refused: {code}{description}"),
            };
            failure.into_error(message)
        }
        RequestTokenError::Request(transport) => {
            AuthFailure::new(AuthFailureKind::TokenEndpointUnavailable)
                .with_source(transport)
                .into_error(format!("{what} could not reach the token endpoint"))
        }
        RequestTokenError::Parse(parse, _body) => match status.filter(|s| !s.is_success()) {
            Some(status) => answered(what, status),
            None => AuthFailure::new(AuthFailureKind::InvalidResponse).into_error(format!(
                "{what} got an answer that is not a token response (at `{}`)",
                parse.path()
            )),
        },
        RequestTokenError::Other(message) => match status.filter(|s| !s.is_success()) {
            Some(status) => answered(what, status),
            None => AuthFailure::new(AuthFailureKind::Other)
                .into_error(format!("{what} failed: {message}")),
        },
    }
}

/// An error status without an OAuth error body (a gateway's 502, an empty 500, ...).
fn answered(what: &str, status: StatusCode) -> Error {
    AuthFailure::token_endpoint(status, None).into_error(format!(
        "{what} failed: the token endpoint answered HTTP {}",
        status.as_u16()
    ))
}

/// [`oauth2::AsyncHttpClient`] over a splitkit [`Transport`].
struct OAuthHttp {
    transport: Arc<dyn Transport>,
    timeout: Duration,
    /// The status of the last answer (`0`: none yet): the oauth2 crate drops it from errors.
    status: AtomicU16,
}

impl OAuthHttp {
    fn status(&self) -> Option<StatusCode> {
        StatusCode::from_u16(self.status.load(Ordering::Relaxed)).ok()
    }
}

type HttpFuture<'c> =
    Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send + 'c>>;

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = TransportError;
    type Future = HttpFuture<'c>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = Url::parse(&parts.uri.to_string())
                .map_err(|e| TransportError::new(TransportErrorKind::Request, e))?;
            let response = self
                .transport
                .send(HttpRequest {
                    method: parts.method,
                    url,
                    headers: parts.headers,
                    body: Bytes::from(body),
                    timeout: Some(self.timeout),
                })
                .await?;
            self.status
                .store(response.status.as_u16(), Ordering::Relaxed);
            let mut answer = http::Response::new(response.body.to_vec());
            *answer.status_mut() = response.status;
            *answer.headers_mut() = response.headers;
            Ok(answer)
        })
    }
}

/// Details that pre-fill Zepto's sign-up form for a user who has no Zepto account yet
/// ("Speeding up onboarding"). Every field is optional: start from `SignUpPrefill::default()`
/// and set the fields you have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignUpPrefill {
    /// Show the sign-up page first (`landing=sign_up`) instead of the sign-in page.
    pub landing_sign_up: bool,
    /// Account nickname: letters, numbers, dashes and underscores only.
    pub nickname: Option<String>,
    /// Business name (business accounts).
    pub name: Option<String>,
    /// Business ABN (business accounts).
    pub abn: Option<String>,
    /// Business phone number (business accounts).
    pub phone: Option<String>,
    /// Street address.
    pub street_address: Option<String>,
    /// Suburb.
    pub suburb: Option<String>,
    /// State, as the sign-up page accepts it (e.g. `NSW`).
    pub state: Option<String>,
    /// Postcode.
    pub postcode: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// Mobile phone number.
    pub mobile_phone: Option<String>,
    /// Email.
    pub email: Option<String>,
}

impl SignUpPrefill {
    fn params(&self) -> Result<Vec<(&'static str, &str)>, Error> {
        if let Some(nickname) = &self.nickname
            && !nickname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::validation(
                "nickname",
                format!(
                    "only letters, numbers, dashes and underscores are permitted, got {nickname:?}"
                ),
            ));
        }
        let mut params = Vec::new();
        if self.landing_sign_up {
            params.push(("landing", "sign_up"));
        }
        let fields = [
            ("nickname", &self.nickname),
            ("name", &self.name),
            ("abn", &self.abn),
            ("phone", &self.phone),
            ("street_address", &self.street_address),
            ("suburb", &self.suburb),
            ("state", &self.state),
            ("postcode", &self.postcode),
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
            ("mobile_phone", &self.mobile_phone),
            ("email", &self.email),
        ];
        params.extend(
            fields
                .into_iter()
                .filter_map(|(name, value)| value.as_deref().map(|v| (name, v))),
        );
        Ok(params)
    }
}

/// Builds the URL that sends a user to Zepto to authorise your application.
#[derive(Debug)]
#[must_use]
pub struct AuthorizationUrlBuilder<'a> {
    app: &'a OAuthApp,
    scopes: Vec<Scope>,
    state: Option<String>,
    sign_up: Option<SignUpPrefill>,
}

impl AuthorizationUrlBuilder<'_> {
    /// Asks for `scope`.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scopes.push(scope);
        self
    }

    /// Asks for each of `scopes` (sent space separated).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = Scope>) -> Self {
        self.scopes.extend(scopes);
        self
    }

    /// Uses your own CSRF `state` (default: a new random one).
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Pre-fills the sign-up form for users without a Zepto account.
    pub fn sign_up(mut self, prefill: SignUpPrefill) -> Self {
        self.sign_up = Some(prefill);
        self
    }

    /// The URL, and the state to check when the user comes back.
    pub fn build(self) -> Result<AuthorizationUrl, Error> {
        if let Some(state) = &self.state
            && state.is_empty()
        {
            return Err(Error::validation("state", "must not be empty"));
        }
        let extra = match &self.sign_up {
            Some(prefill) => prefill.params()?,
            None => Vec::new(),
        };
        let client = self.app.oauth_client();
        let state = self.state.clone();
        let mut request = client.authorize_url(move || match state {
            Some(s) => CsrfToken::new(s),
            None => CsrfToken::new_random(),
        });
        for scope in &self.scopes {
            request = request.add_scope(oauth2::Scope::new(scope.as_str().to_owned()));
        }
        for (name, value) in extra {
            request = request.add_extra_param(name, value);
        }
        let (url, state) = request.url();
        Ok(AuthorizationUrl {
            url,
            state: CsrfState(state.secret().clone()),
        })
    }
}

/// The CSRF `state` of an authorisation request: keep it (e.g. in the user's session) and
/// compare it with the `state` Zepto sends back.
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfState(String);

impl fmt::Debug for CsrfState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfState(***)")
    }
}

impl CsrfState {
    /// A state you stored earlier.
    pub fn new(state: impl Into<String>) -> Self {
        Self(state.into())
    }

    /// The state.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `returned` is this state (compared in constant time).
    pub fn matches(&self, returned: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.0.as_bytes().ct_eq(returned.as_bytes()))
    }
}

/// An authorisation URL and its CSRF state.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthorizationUrl {
    /// Send the user here.
    pub url: Url,
    /// Compare with the `state` of the redirect.
    pub state: CsrfState,
}

impl AuthorizationUrl {
    /// Reads the redirect Zepto sent the user back with: checks `state`, reports an `error`
    /// (e.g. the user denied access), and returns the one-time authorisation code.
    pub fn code_from_redirect(&self, redirect: &Url) -> Result<String, Error> {
        code_from_redirect(&self.state, redirect)
    }
}

/// [`AuthorizationUrl::code_from_redirect`] with a state you kept yourself.
pub fn code_from_redirect(state: &CsrfState, redirect: &Url) -> Result<String, Error> {
    let mut code = None;
    let mut returned_state = None;
    let mut error = None;
    let mut description = None;
    for (name, value) in redirect.query_pairs() {
        match name.as_ref() {
            "code" => code = Some(value.into_owned()),
            "state" => returned_state = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {}
        }
    }
    if !returned_state.as_deref().is_some_and(|s| state.matches(s)) {
        return Err(Error::auth(
            "the redirect's `state` does not match the authorisation request (possible CSRF)",
            None,
        ));
    }
    if let Some(error) = error {
        let description = description.map(|d| format!(" ({d})")).unwrap_or_default();
        return Err(Error::auth(
            format!("the authorisation was not granted: {error}{description}"),
            None,
        ));
    }
    code.filter(|c| !c.is_empty())
        .ok_or_else(|| Error::auth("the redirect carries no authorisation `code`", None))
}

/// A [`TokenStore`] that keeps the token pair in a JSON file, replaced atomically (written to a
/// temporary file in the same directory, flushed to disk, then renamed over the old one), so a
/// crash never leaves a half-written file or loses a rotated refresh token. On Unix the file is
/// readable by its owner only.
///
/// It serves one process: several instances of a server sharing an account need a store that
/// versions its pairs and carries a refresh lock, such as `splitkit-redis`'s Redis store.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct StoredTokens {
    access_token: String,
    refresh_token: Option<String>,
    /// Unix seconds.
    expires_at: Option<u64>,
    scope: Option<String>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl FileTokenStore {
    /// Tokens kept in the file `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, what: &str, error: std::io::Error) -> Error {
        Error::auth(
            format!("could not {what} the token file {}", self.path.display()),
            Some(Box::new(error)),
        )
    }
}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn load(&self) -> Result<Option<TokenPair>, Error> {
        let text = match tokio::fs::read(&self.path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error("read", e)),
        };
        let stored: StoredTokens = serde_json::from_slice(&text).map_err(|_| {
            Error::auth(
                format!(
                    "the token file {} is not a token pair written by FileTokenStore",
                    self.path.display()
                ),
                None,
            )
        })?;
        Ok(Some(TokenPair {
            access_token: SecretString::new(stored.access_token),
            refresh_token: stored.refresh_token.map(SecretString::new),
            expires_at: stored
                .expires_at
                .and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s))),
            scope: stored.scope,
        }))
    }

    async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
        let stored = StoredTokens {
            access_token: tokens.access_token.expose().to_owned(),
            refresh_token: tokens.refresh_token.as_ref().map(|t| t.expose().to_owned()),
            expires_at: tokens
                .expires_at
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            scope: tokens.scope.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&stored)
            .map_err(|e| Error::auth("could not encode the token pair", Some(Box::new(e))))?;
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "tokens".into());
        let temp = self.path.with_file_name(format!(
            ".{file_name}.{}.{}.tmp",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let written = write_synced(&temp, &bytes).await;
        if let Err(e) = written {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(self.io_error("write", e));
        }
        if let Err(e) = tokio::fs::rename(&temp, &self.path).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(self.io_error("replace", e));
        }
        Ok(())
    }
}

async fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options.open(path).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    Ok(())
}
