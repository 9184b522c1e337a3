//! [`Client`] and its builder.

use std::fmt;
use std::sync::Arc;

use splitkit_common::redact::mask_url;
use splitkit_common::{ApiClient, BearerToken, Error, HttpOptions};

use crate::credentials::{ApiKey, KeyKind, MerchantId, Mode, SigningSecret};
use crate::endpoints::WebhookEndpoints;
use crate::error::{AnteErrorPolicy, PROVIDER};
use crate::generated;
use crate::merchants::Merchants;
use crate::sessions::Sessions;
use crate::signing::IdOrdering;

/// Ante's documented base URL (sandbox and live: the mode follows the key).
pub const ANTE_BASE_URL: &str = generated::DEFAULT_BASE_URL;

/// The same API under the Plurel Pay rebrand (the default of Plurel's reference storefront).
pub const PLUREL_BASE_URL: &str = "https://plurelpay.com/api/v1";

/// The header that carries the cart signature on `POST /sessions` (Ante's credentials page).
pub const CART_SIGNATURE_HEADER: &str = "X-Ante-Signature";

/// JSON fields of Ante's answers that hold credentials; masked in decode-error excerpts.
const SECRET_FIELDS: &[&str] = &["group_access_token", "session_url", "secret"];

/// A client of the Ante REST API for one merchant and one API key. Cheap to clone (clones
/// share the connection pool); `Debug` shows no secret.
///
/// ```no_run
/// # async fn run() -> Result<(), ante_client::Error> {
/// use ante_client::{Client, SecretKey, SigningSecret};
///
/// let client = Client::builder(SecretKey::parse(&std::env::var("ANTE_SECRET_KEY").unwrap_or_default())?)
///     .signing_secret(SigningSecret::parse(&std::env::var("ANTE_SIGNING_SECRET").unwrap_or_default())?)
///     .build()?;
/// let merchant = client.merchants().me().await?;
/// println!("sandbox: {:?}", merchant.sandbox);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) api: ApiClient,
    pub(crate) key: ApiKey,
    pub(crate) signing_secret: Option<SigningSecret>,
    pub(crate) merchant_id: Option<MerchantId>,
    pub(crate) id_ordering: IdOrdering,
    pub(crate) headless: bool,
    pub(crate) signature_header: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Client")
            .field("base_url", &mask_url(inner.api.base_url().as_str()))
            .field("key", &inner.key)
            .field("signing_secret", &inner.signing_secret)
            .field("merchant_id", &inner.merchant_id)
            .field("id_ordering", &inner.id_ordering)
            .field("headless", &inner.headless)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a client authenticating with `key` (a [`SecretKey`](crate::SecretKey) or a
    /// [`PublishableKey`](crate::PublishableKey); parse an unknown one with [`ApiKey::parse`]).
    pub fn builder(key: impl Into<ApiKey>) -> ClientBuilder {
        ClientBuilder {
            key: key.into(),
            base_url: ANTE_BASE_URL.to_owned(),
            signing_secret: None,
            merchant_id: None,
            http: HttpOptions::default(),
            id_ordering: IdOrdering::default(),
            headless: false,
            signature_header: CART_SIGNATURE_HEADER.to_owned(),
            require_mode: None,
        }
    }

    /// Sessions: create, list, get, cancel, remind. Like every handle, it owns a clone of the
    /// client, so its calls' futures borrow nothing from it.
    pub fn sessions(&self) -> Sessions {
        Sessions {
            client: self.clone(),
        }
    }

    /// The authenticated merchant (secret key only).
    pub fn merchants(&self) -> Merchants {
        Merchants {
            client: self.clone(),
        }
    }

    /// Dashboard webhook endpoints: list, create, delete (secret key only).
    pub fn webhooks(&self) -> WebhookEndpoints {
        WebhookEndpoints {
            client: self.clone(),
        }
    }

    /// Test or live, from the API key.
    pub fn mode(&self) -> Mode {
        self.inner.key.mode()
    }

    /// Whether the client has a publishable or a secret key.
    pub fn key_kind(&self) -> KeyKind {
        self.inner.key.kind()
    }

    /// The ordering of ids in signed carts.
    pub fn id_ordering(&self) -> IdOrdering {
        self.inner.id_ordering
    }

    /// The runtime client, to call the generated operations in [`crate::generated::operations`]
    /// directly.
    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    /// Fails, before anything is sent, when the client's key is not a secret key.
    pub(crate) fn require_secret_key(&self, call: &str) -> Result<(), Error> {
        match self.inner.key.kind() {
            KeyKind::Secret => Ok(()),
            KeyKind::Publishable => Err(Error::validation(
                "api_key",
                format!(
                    "{call} needs a secret key (`ante_sk_…`); Ante rejects publishable keys there"
                ),
            )),
        }
    }

    /// The `X-Merchant-ID` value, when configured.
    pub(crate) fn merchant_header(&self) -> Option<String> {
        self.inner
            .merchant_id
            .as_ref()
            .map(|m| m.as_str().to_owned())
    }
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    key: ApiKey,
    base_url: String,
    signing_secret: Option<SigningSecret>,
    merchant_id: Option<MerchantId>,
    http: HttpOptions,
    id_ordering: IdOrdering,
    headless: bool,
    signature_header: String,
    require_mode: Option<Mode>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &self.key)
            .field("base_url", &mask_url(&self.base_url))
            .field("signing_secret", &self.signing_secret)
            .field("merchant_id", &self.merchant_id)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API's base URL (default [`ANTE_BASE_URL`]; [`PLUREL_BASE_URL`] after the rebrand, or a
    /// local emulator). Operation paths are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The merchant signing secret: carts are signed with it on every session create. Required
    /// with a publishable key.
    pub fn signing_secret(mut self, secret: SigningSecret) -> Self {
        self.signing_secret = Some(secret);
        self
    }

    /// Sends `X-Merchant-ID` on every request; Ante then checks that it matches the key.
    pub fn merchant_id(mut self, merchant_id: MerchantId) -> Self {
        self.merchant_id = Some(merchant_id);
        self
    }

    /// Declares that Ante enabled headless REST for this merchant (after its technical review),
    /// so a secret-key client without a signing secret may create sessions for unsigned carts.
    /// Without it, such a create fails locally instead of being refused by Ante with
    /// `Headless REST requires onboarding`.
    pub fn headless(mut self) -> Self {
        self.headless = true;
        self
    }

    /// How item and fee ids are sorted in signed carts (default
    /// [`IdOrdering::LocaleCompare`]; see [`IdOrdering`] for why).
    pub fn id_ordering(mut self, ordering: IdOrdering) -> Self {
        self.id_ordering = ordering;
        self
    }

    /// The header that carries the cart signature (default [`CART_SIGNATURE_HEADER`]). Plurel's
    /// storefront also sends `X-Plurel-Signature`; which names the server accepts is not
    /// documented.
    pub fn cart_signature_header(mut self, name: impl Into<String>) -> Self {
        self.signature_header = name.into();
        self
    }

    /// Refuses to build unless the key is for `mode`: a guard against a test key in production
    /// or a live key in a test environment.
    pub fn require_mode(mut self, mode: Mode) -> Self {
        self.require_mode = Some(mode);
        self
    }

    // `transport`, `reqwest_client`, `retry`, `attempt_timeout`, `deadline`, `user_agent`.
    // A custom transport or `reqwest` client must not add an `Origin` header: Ante rejects
    // secret keys sent with one. `POST /sessions` is never retried once it may have reached Ante.
    splitkit_common::http_options_setters!();

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        if let Some(mode) = self.require_mode
            && self.key.mode() != mode
        {
            return Err(Error::validation(
                "api_key",
                format!(
                    "is a {} key but this client requires a {mode} key",
                    self.key.mode()
                ),
            ));
        }
        if self.headless && self.key.kind() == KeyKind::Publishable {
            return Err(Error::Config(
                "headless session create needs a secret key (`ante_sk_…`), not a publishable key"
                    .into(),
            ));
        }
        http::HeaderName::from_bytes(self.signature_header.as_bytes()).map_err(|_| {
            Error::Config(format!(
                "`{}` is not a valid header name",
                self.signature_header
            ))
        })?;
        let api = ApiClient::builder(self.base_url)
            .provider(PROVIDER)
            .auth(Arc::new(BearerToken::new(self.key.expose())))
            .error_policy(Arc::new(AnteErrorPolicy))
            .secret_fields(SECRET_FIELDS)
            .user_agent(concat!(
                "ante-client/",
                env!("CARGO_PKG_VERSION"),
                " (splitkit; rust)"
            ));
        Ok(Client {
            inner: Arc::new(Inner {
                api: self.http.apply(api).build()?,
                key: self.key,
                signing_secret: self.signing_secret,
                merchant_id: self.merchant_id,
                id_ordering: self.id_ordering,
                headless: self.headless,
                signature_header: self.signature_header,
            }),
        })
    }
}
