//! Sessions: create (for a signed cart), list, get, cancel, remind.

use futures_util::{Stream, StreamExt};
use splitkit_common::{Error, Page};

use crate::cart::Cart;
use crate::client::Client;
use crate::credentials::KeyKind;
use crate::generated::models::{self, GroupMode};
use crate::generated::operations as ops;
use crate::signing::CartSignature;

/// What `POST /sessions` answers: the session id, the organizer's URL, status, expiry, fee
/// rates and the organizer access token. `session_url` (which embeds the token as `?access=`)
/// and `group_access_token` are [`SecretString`](crate::SecretString)s: send the URL
/// to the organizer's browser with `.expose()`, never to logs.
pub type CreatedSession = models::CreateSessionResponse;

/// A session as `GET /sessions/{id}` returns it: group, members, amounts, Stripe ids.
pub type Session = models::Session;

/// A session as `GET /sessions` lists it.
pub type SessionSummary = models::SessionSummary;

/// What `POST /sessions/{id}/remind` answers: how many members were reminded and skipped.
pub type Reminded = models::RemindSessionResponse;

/// The organizer starting the group. Send only what you already collect at checkout, and say so
/// in your privacy policy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Customer {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl Customer {
    /// No details yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pre-fills the organizer in group setup (no blank "Person 1").
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// For support and correlation; needed for [`Sessions::remind`] to reach pending members.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Optional support contact; only if you use it elsewhere.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phone = Some(phone.into());
        self
    }
}

/// How the group may form and split the cart. Every field is optional; Ante applies the
/// merchant's defaults to what is left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupConfig {
    min_size: Option<u32>,
    max_size: Option<u32>,
    default_mode: Option<GroupMode>,
    allowed_modes: Option<Vec<GroupMode>>,
    expiry_hours: Option<u32>,
}

impl GroupConfig {
    /// Ante's defaults for everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// The smallest and largest group (people, organizer included).
    pub fn sizes(mut self, min: u32, max: u32) -> Self {
        self.min_size = Some(min);
        self.max_size = Some(max);
        self
    }

    /// The smallest group.
    pub fn min_size(mut self, min: u32) -> Self {
        self.min_size = Some(min);
        self
    }

    /// The largest group.
    pub fn max_size(mut self, max: u32) -> Self {
        self.max_size = Some(max);
        self
    }

    /// The split the group starts with.
    pub fn default_mode(mut self, mode: GroupMode) -> Self {
        self.default_mode = Some(mode);
        self
    }

    /// The splits the organizer may choose.
    pub fn allowed_modes(mut self, modes: impl IntoIterator<Item = GroupMode>) -> Self {
        self.allowed_modes = Some(modes.into_iter().collect());
        self
    }

    /// Hours until the session expires and paid shares are refunded.
    pub fn expiry_hours(mut self, hours: u32) -> Self {
        self.expiry_hours = Some(hours);
        self
    }

    fn to_wire(&self) -> Result<models::GroupConfig, Error> {
        let size = |field: &'static str, v: Option<u32>| -> Result<Option<i32>, Error> {
            v.map(|n| {
                i32::try_from(n)
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| Error::validation(field, format!("must be at least 1, got {n}")))
            })
            .transpose()
        };
        let min_size = size("group_config.min_size", self.min_size)?;
        let max_size = size("group_config.max_size", self.max_size)?;
        if let (Some(min), Some(max)) = (min_size, max_size)
            && max < min
        {
            return Err(Error::validation(
                "group_config.max_size",
                format!("must not be below min_size {min}, got {max}"),
            ));
        }
        let expiry_hours = size("group_config.expiry_hours", self.expiry_hours)?;
        let known = |field: &'static str, mode: &GroupMode| match mode {
            GroupMode::Unknown(value) => Err(Error::validation(
                field,
                format!("{value:?} is not a mode this SDK can send (equal, itemized)"),
            )),
            _ => Ok(()),
        };
        if let Some(mode) = &self.default_mode {
            known("group_config.default_mode", mode)?;
        }
        if let Some(modes) = &self.allowed_modes {
            for mode in modes {
                known("group_config.allowed_modes", mode)?;
            }
            if let Some(default) = &self.default_mode
                && !modes.contains(default)
            {
                return Err(Error::validation(
                    "group_config.default_mode",
                    format!("{default} is not one of allowed_modes"),
                ));
            }
        }
        Ok(models::GroupConfig {
            min_size,
            max_size,
            default_mode: self.default_mode.clone(),
            allowed_modes: self.allowed_modes.clone(),
            expiry_hours,
        })
    }
}

/// A `POST /sessions` request: the cart plus the recommended organizer context.
///
/// Ante takes no idempotency key, so the SDK never re-sends a create that may have reached
/// Ante. Put your order id in the cart's `order_ref`
/// ([`CartBuilder::order_ref`](crate::CartBuilder::order_ref)); if a create fails with a
/// timeout or a transport error, look for a session with that `order_ref` in
/// [`Sessions::list`] before creating another.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateSession {
    cart: Cart,
    group: Option<GroupConfig>,
    customer: Option<Customer>,
    success_url: Option<String>,
    cancel_url: Option<String>,
    webhook_url: Option<String>,
    signature: Option<CartSignature>,
}

impl CreateSession {
    /// A session for `cart`.
    pub fn new(cart: Cart) -> Self {
        Self {
            cart,
            group: None,
            customer: None,
            success_url: None,
            cancel_url: None,
            webhook_url: None,
            signature: None,
        }
    }

    /// Group sizes, split modes and expiry.
    pub fn group(mut self, group: GroupConfig) -> Self {
        self.group = Some(group);
        self
    }

    /// The organizer (name, email, phone).
    pub fn customer(mut self, customer: Customer) -> Self {
        self.customer = Some(customer);
        self
    }

    /// Where the organizer returns once the group is fully funded (absolute http(s) URL).
    pub fn success_url(mut self, url: impl Into<String>) -> Self {
        self.success_url = Some(url.into());
        self
    }

    /// Where the organizer goes after closing the modal or when the group is cancelled.
    pub fn cancel_url(mut self, url: impl Into<String>) -> Self {
        self.cancel_url = Some(url.into());
        self
    }

    /// A per-session webhook URL (HTTPS). Its deliveries are signed with the signing secret,
    /// not a `whsec_` secret: verify them with a [`WebhookVerifier`](crate::WebhookVerifier)
    /// that has the [`SigningSecret`](crate::SigningSecret).
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Sends this signature instead of signing the cart with the client's signing secret (for a
    /// cart signed elsewhere).
    pub fn signature(mut self, signature: CartSignature) -> Self {
        self.signature = Some(signature);
        self
    }

    fn to_wire(&self) -> Result<models::CreateSessionRequest, Error> {
        let url = |field: &'static str, value: &Option<String>| {
            if let Some(value) = value {
                let ok = url::Url::parse(value)
                    .is_ok_and(|u| u.host().is_some() && matches!(u.scheme(), "https" | "http"));
                if !ok {
                    return Err(Error::validation(
                        field,
                        format!("must be an absolute http(s):// URL, got {value:?}"),
                    ));
                }
            }
            Ok(())
        };
        url("success_url", &self.success_url)?;
        url("cancel_url", &self.cancel_url)?;
        if let Some(webhook_url) = &self.webhook_url {
            crate::endpoints::check_webhook_url("webhook_url", webhook_url)?;
        }
        Ok(models::CreateSessionRequest {
            cart: self.cart.to_wire(),
            group_config: self.group.as_ref().map(GroupConfig::to_wire).transpose()?,
            customer: self.customer.as_ref().map(|c| models::Customer {
                name: c.name.clone(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            }),
            success_url: self.success_url.clone(),
            cancel_url: self.cancel_url.clone(),
            webhook_url: self.webhook_url.clone(),
        })
    }
}

/// The query of `GET /sessions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListSessions {
    limit: Option<u32>,
    cursor: Option<i64>,
}

impl ListSessions {
    /// The first page, Ante's default size (25).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sessions per page, 1 to 100.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after this cursor (a `next_cursor` Ante returned, a milliseconds timestamp).
    pub fn cursor(mut self, cursor: i64) -> Self {
        self.cursor = Some(cursor);
        self
    }

    fn to_params(self, client: &Client) -> Result<ops::ListSessionsParams, Error> {
        let limit = match self.limit {
            Some(n @ 1..=100) => Some(i32::try_from(n).unwrap_or(100)),
            Some(n) => {
                return Err(Error::validation(
                    "limit",
                    format!("must be 1 to 100, got {n}"),
                ));
            }
            None => None,
        };
        Ok(ops::ListSessionsParams {
            limit,
            cursor: self.cursor,
            x_merchant_id: client.merchant_header(),
        })
    }
}

/// Session calls; from [`Client::sessions`].
#[derive(Debug, Clone)]
pub struct Sessions {
    pub(crate) client: Client,
}

impl Sessions {
    /// Creates a session: checks the request, signs the cart with the client's signing secret
    /// (or uses [`CreateSession::signature`]) and sends `POST /sessions` once.
    ///
    /// With a publishable key a signature is required; with a secret key and no signing secret
    /// the cart goes unsigned only if the client was built with
    /// [`ClientBuilder::headless`](crate::ClientBuilder::headless). Otherwise the call fails
    /// before sending anything.
    ///
    /// Never retried once it may have reached Ante (there is no idempotency key): see
    /// [`CreateSession`] for how to avoid duplicates with `order_ref`.
    pub async fn create(self, request: CreateSession) -> Result<CreatedSession, Error> {
        let inner = &self.client.inner;
        let body = request.to_wire()?;
        let signature = match (&request.signature, &inner.signing_secret) {
            (Some(signature), _) => Some(signature.clone()),
            (None, Some(secret)) => Some(request.cart.sign_with(secret, inner.id_ordering)?),
            (None, None) => match inner.key.kind() {
                KeyKind::Publishable => {
                    return Err(Error::validation(
                        "signing_secret",
                        "a publishable key creates sessions only for signed carts: configure the \
                         signing secret (`ante_sign_…`) with ClientBuilder::signing_secret",
                    ));
                }
                KeyKind::Secret if inner.headless => None,
                KeyKind::Secret => {
                    return Err(Error::validation(
                        "signing_secret",
                        "no signing secret configured: configure it (`ante_sign_…`) with \
                         ClientBuilder::signing_secret, or, if Ante enabled headless REST for \
                         this merchant, build the client with ClientBuilder::headless",
                    ));
                }
            },
        };
        let params = ops::CreateSessionParams {
            x_ante_signature: None,
            x_merchant_id: self.client.merchant_header(),
        };
        let mut req = ops::create_session_request(&params, &body)?;
        if let Some(signature) = signature {
            req = req.header(&inner.signature_header, signature.as_str());
        }
        inner.api.execute(req).await
    }

    /// One page of sessions, newest first. Follow with [`Sessions::next_page`], or use
    /// [`Sessions::stream`]. A session the SDK cannot read is in [`Page::rejected`] (with its
    /// raw JSON) and the others are in [`Page::items`].
    pub async fn list(self, query: ListSessions) -> Result<Page<SessionSummary>, Error> {
        let params = query.to_params(&self.client)?;
        ops::list_sessions(&self.client.inner.api, &params).await
    }

    /// The page after `page`, or `None` after the last.
    pub async fn next_page(
        self,
        page: &Page<SessionSummary>,
    ) -> Result<Option<Page<SessionSummary>>, Error> {
        self.client.inner.api.next_page(page).await
    }

    /// Every session from `query` on, fetched page by page as the stream is read. A session the
    /// SDK cannot read comes as `Err(`[`Error::Item`]`)` in its place and the stream goes on;
    /// any other error ends it.
    pub fn stream(
        self,
        query: ListSessions,
    ) -> impl Stream<Item = Result<SessionSummary, Error>> + Send + 'static {
        let request = query
            .to_params(&self.client)
            .and_then(|params| ops::list_sessions_request(&params));
        match request {
            Ok(request) => self.client.inner.api.stream(request).left_stream(),
            Err(e) => futures_util::stream::once(async move { Err(e) }).right_stream(),
        }
    }

    /// One session with its group members, amounts and Stripe ids.
    pub async fn get(self, session_id: &str) -> Result<Session, Error> {
        let id = path_id("session_id", session_id)?;
        let params = ops::GetSessionParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::get_session(&self.client.inner.api, id, &params).await
    }

    /// Cancels an open session. Ante refunds paid shares, then sends `group.cancelled`.
    /// Not retried once it may have reached Ante.
    pub async fn cancel(self, session_id: &str) -> Result<(), Error> {
        let id = path_id("session_id", session_id)?;
        let params = ops::CancelSessionParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::cancel_session(&self.client.inner.api, id, &params).await
    }

    /// Emails members with pending shares (the session needs `customer.email`). Not retried once
    /// it may have reached Ante, so nobody gets two reminders.
    pub async fn remind(self, session_id: &str) -> Result<Reminded, Error> {
        let id = path_id("session_id", session_id)?;
        let params = ops::RemindSessionParams {
            x_merchant_id: self.client.merchant_header(),
        };
        ops::remind_session(&self.client.inner.api, id, &params).await
    }
}

/// Checks an id that goes into a path: an empty or dot-only id would change which endpoint is
/// called.
pub(crate) fn path_id<'a>(field: &'static str, id: &'a str) -> Result<&'a str, Error> {
    if id.trim().is_empty() || id.chars().all(|c| c == '.') {
        return Err(Error::validation(
            field,
            format!("must be a non-empty id, got {id:?}"),
        ));
    }
    Ok(id)
}
