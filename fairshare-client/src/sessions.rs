//! Split sessions: the create builders, and the calls of [`Sessions`].
//!
//! A session is created from a [`NewSplitSession`], whose type parameter is the split type, so
//! that what a split type needs is asked for by its constructor and what it does not take
//! cannot be set:
//!
//! | Constructor | Split type | Dashboard label |
//! |---|---|---|
//! | [`NewSplitSession::pick_items`] | `ITEM_CLAIM` | Pick Items |
//! | [`NewSplitSession::flexible_amount`] | `PROPORTIONAL_POOL` | Flexible Amount |
//! | [`NewSplitSession::split_evenly`] | `EQUAL_COUNT` | Split Evenly |
//!
//! Every rule FairShare documents is checked before anything is sent, and a broken one is an
//! [`Error::Validation`] naming the field as the FairShare documentation spells it
//! (`expiryMinutes`, `items[1].quantity`, ...).

use std::fmt;

use rust_decimal::Decimal;
use splitkit_common::{Currency, Error, IdempotencyKey};

use crate::client::{Client, IDEMPOTENCY_KEY_MAX_LEN};
use crate::generated::models::{
    ConvenienceFeeType, CreateSplitSessionItem, CreateSplitSessionRequest,
    SetExpectedContributorsRequest, SplitSession, SplitSessionStatus, SplitType,
};
use crate::generated::operations;

/// The fewest contributors an equal split can have.
pub const MIN_EXPECTED_CONTRIBUTORS: u8 = 2;
/// The most contributors an equal split can have.
pub const MAX_EXPECTED_CONTRIBUTORS: u8 = 10;
/// The shortest session expiry, in minutes.
pub const MIN_EXPIRY_MINUTES: u32 = 1;
/// The longest session expiry, in minutes.
pub const MAX_EXPIRY_MINUTES: u32 = 60;
/// The longest `meta` string, in characters.
pub const MAX_META_CHARS: usize = 1024;

/// The split-session calls of a [`Client`]; see [`Client::sessions`]. It owns a clone of the
/// client: its futures borrow nothing and compose with `tokio::join!` and `tokio::spawn`.
#[derive(Debug, Clone)]
pub struct Sessions {
    client: Client,
}

impl Sessions {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Creates a split session (`POST /split-sessions`) and returns it, with the
    /// [`SplitSession::split_session_link`] to share with contributors.
    ///
    /// Checks every local rule first. The call carries an `Idempotency-Key`: the one set with
    /// [`NewSplitSession::idempotency_key`], or a new UUIDv4; either way the same key is sent on
    /// every retry, so a retried create never makes a second session. A key already used with
    /// a different payload fails with [`Error::IdempotencyConflict`], which is never retried.
    pub async fn create<K: SplitKind>(
        self,
        session: NewSplitSession<K>,
    ) -> Result<SplitSession, Error> {
        let body = session.to_request_body()?;
        let mut request = operations::create_split_session_request(&body)?;
        if let Some(key) = session.idempotency_key {
            request = request.idempotency_key(key);
        }
        self.client.api().execute(request).await
    }

    /// Reads a split session (`GET /split-sessions/{id}`), with its items, contributions and
    /// current [`SplitSession::status`].
    pub async fn get(self, id: &str) -> Result<SplitSession, Error> {
        check_id(id)?;
        operations::get_split_session(self.client.api(), id).await
    }

    /// Sets how many contributors an equal split (`EQUAL_COUNT`) is divided across
    /// (`POST /split-sessions/{id}/expected-contributors`), 2 to 10, before contributions
    /// begin; returns the updated session.
    ///
    /// FairShare documents neither the body nor the answer of this call. The SDK sends
    /// `{"expectedContributors": n}`; when the answer is a split session it is returned,
    /// otherwise (an empty or different body) the session is read again with [`Self::get`].
    /// The call sets a value, so it is retried like a read after a timeout or a 5xx.
    pub async fn set_expected_contributors(
        self,
        id: &str,
        expected_contributors: u8,
    ) -> Result<SplitSession, Error> {
        check_id(id)?;
        let body = SetExpectedContributorsRequest {
            expected_contributors: i32::from(check_expected_contributors(expected_contributors)?),
        };
        let request = operations::set_expected_contributors_request(id, &body)?;
        let response = self.client.api().execute_raw(request).await?;
        match serde_json::from_slice::<SplitSession>(&response.body) {
            Ok(session) => Ok(session),
            Err(_) => self.get(id).await,
        }
    }
}

fn check_id(id: &str) -> Result<(), Error> {
    if id.trim().is_empty() {
        return Err(Error::validation("id", "must not be empty"));
    }
    Ok(())
}

fn check_expected_contributors(count: u8) -> Result<u8, Error> {
    if !(MIN_EXPECTED_CONTRIBUTORS..=MAX_EXPECTED_CONTRIBUTORS).contains(&count) {
        return Err(Error::validation(
            "expectedContributors",
            format!(
                "must be between {MIN_EXPECTED_CONTRIBUTORS} and {MAX_EXPECTED_CONTRIBUTORS}, got {count}"
            ),
        ));
    }
    Ok(count)
}

impl SplitSessionStatus {
    /// Whether the session still takes contributions: `PENDING` or `PARTIAL`.
    ///
    /// Every other status, including one this SDK does not know (FairShare sends a
    /// `split_session.canceled` event but documents no `CANCELED` status), is treated as settled.
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Pending | Self::Partial)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::PickItems {}
    impl Sealed for super::FlexibleAmount {}
    impl Sealed for super::SplitEvenly {}
}

/// A split type of [`NewSplitSession`]: [`PickItems`], [`FlexibleAmount`] or [`SplitEvenly`].
///
/// Sealed: the three split types FairShare documents are the only implementations.
pub trait SplitKind: sealed::Sealed + fmt::Debug + Clone {
    /// The `splitType` sent.
    fn split_type(&self) -> SplitType;

    /// Sets the fields only this split type has on `body`, checking their rules.
    fn fill(&self, body: &mut CreateSplitSessionRequest) -> Result<(), Error>;
}

/// `ITEM_CLAIM` ("Pick Items"): contributors select items and pay for what they picked.
#[derive(Debug, Clone, PartialEq)]
pub struct PickItems {
    items: Vec<Item>,
}

/// `PROPORTIONAL_POOL` ("Flexible Amount"): contributors each pay any amount toward the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlexibleAmount;

/// `EQUAL_COUNT` ("Split Evenly"): the total is divided equally across a fixed number of
/// contributors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SplitEvenly {
    expected_contributors: Option<u8>,
}

impl SplitKind for PickItems {
    fn split_type(&self) -> SplitType {
        SplitType::ItemClaim
    }

    fn fill(&self, body: &mut CreateSplitSessionRequest) -> Result<(), Error> {
        if self.items.is_empty() {
            return Err(Error::validation(
                "items",
                "a Pick Items (ITEM_CLAIM) session needs at least one item",
            ));
        }
        let items = self
            .items
            .iter()
            .enumerate()
            .map(|(index, item)| item.to_request(index))
            .collect::<Result<Vec<_>, Error>>()?;
        body.items = Some(items);
        Ok(())
    }
}

impl SplitKind for FlexibleAmount {
    fn split_type(&self) -> SplitType {
        SplitType::ProportionalPool
    }

    fn fill(&self, _body: &mut CreateSplitSessionRequest) -> Result<(), Error> {
        Ok(())
    }
}

impl SplitKind for SplitEvenly {
    fn split_type(&self) -> SplitType {
        SplitType::EqualCount
    }

    fn fill(&self, body: &mut CreateSplitSessionRequest) -> Result<(), Error> {
        body.expected_contributors = self
            .expected_contributors
            .map(|count| check_expected_contributors(count).map(i32::from))
            .transpose()?;
        Ok(())
    }
}

/// An item of a Pick Items session: what contributors choose from.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    id: String,
    description: String,
    price: Decimal,
    quantity: u32,
    image_url: Option<String>,
}

impl Item {
    /// An item: your identifier, its name or description, the price per unit (major units,
    /// for example `40` or `12.50`) and the quantity available (at least 1).
    pub fn new(
        id: impl Into<String>,
        description: impl Into<String>,
        price: Decimal,
        quantity: u32,
    ) -> Self {
        Self {
            id: id.into(),
            description: description.into(),
            price,
            quantity,
            image_url: None,
        }
    }

    /// An image of the item, shown to contributors (an absolute URL).
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        self.image_url = Some(url.into());
        self
    }

    fn to_request(&self, index: usize) -> Result<CreateSplitSessionItem, Error> {
        let field = |name: &str| format!("items[{index}].{name}");
        if self.id.trim().is_empty() {
            return Err(Error::validation(field("id"), "must not be empty"));
        }
        if self.description.trim().is_empty() {
            return Err(Error::validation(field("description"), "must not be empty"));
        }
        if self.price < Decimal::ZERO {
            return Err(Error::validation(
                field("price"),
                format!("must not be negative, got {}", self.price),
            ));
        }
        let quantity = match i32::try_from(self.quantity) {
            Ok(quantity) if quantity >= 1 => quantity,
            _ => {
                return Err(Error::validation(
                    field("quantity"),
                    format!(
                        "must be at least 1 (and at most {}), got {}",
                        i32::MAX,
                        self.quantity
                    ),
                ));
            }
        };
        if let Some(url) = &self.image_url {
            check_url(field("imageUrl"), url)?;
        }
        Ok(CreateSplitSessionItem {
            id: self.id.clone(),
            description: self.description.clone(),
            price: self.price,
            quantity,
            image_url: self.image_url.clone(),
        })
    }
}

/// The convenience fee charged on top of each contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConvenienceFee {
    /// No fee: sent as `convenienceFeeType: NONE`, `convenienceFeeValue: 0`.
    None,
    /// A fixed fee per contribution, in major units (for example `2.5`), not negative: sent as
    /// `convenienceFeeType: FIXED_PER_CONTRIBUTION` with this `convenienceFeeValue`.
    FixedPerContribution(Decimal),
}

/// A split session to create; see the [module documentation](self) for the three split types.
///
/// ```
/// use fairshare_client::{ConvenienceFee, Decimal, Item, NewSplitSession};
///
/// let dinner = NewSplitSession::pick_items(
///     Decimal::from(120),
///     "QAR",
///     [
///         Item::new("pizza-1", "Pizza", Decimal::from(40), 2)
///             .image_url("https://example.com/pizza.png"),
///         Item::new("drink-1", "Soft Drink", Decimal::from(20), 2),
///     ],
/// )
/// .detail_title("Team dinner")
/// .expiry_minutes(15)
/// .convenience_fee(ConvenienceFee::None)
/// .redirect_urls(
///     "https://example.com/success",
///     "https://example.com/cancel",
///     "https://example.com/failed",
/// );
/// assert!(dinner.to_request_body().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewSplitSession<K> {
    total: Decimal,
    currency: String,
    kind: K,
    convenience_fee: Option<ConvenienceFee>,
    meta: Option<String>,
    success_redirect_url: Option<String>,
    cancel_redirect_url: Option<String>,
    failed_redirect_url: Option<String>,
    detail_title: Option<String>,
    expiry_minutes: Option<u32>,
    idempotency_key: Option<IdempotencyKey>,
}

impl<K> NewSplitSession<K> {
    fn with_kind(total: Decimal, currency: impl Into<String>, kind: K) -> Self {
        Self {
            total,
            currency: currency.into(),
            kind,
            convenience_fee: None,
            meta: None,
            success_redirect_url: None,
            cancel_redirect_url: None,
            failed_redirect_url: None,
            detail_title: None,
            expiry_minutes: None,
            idempotency_key: None,
        }
    }
}

impl NewSplitSession<PickItems> {
    /// A Pick Items (`ITEM_CLAIM`) session: `total` in major units of `currency` (an ISO code
    /// such as `"QAR"`), and the items contributors pick from (at least one).
    pub fn pick_items(
        total: Decimal,
        currency: impl Into<String>,
        items: impl IntoIterator<Item = Item>,
    ) -> Self {
        Self::with_kind(
            total,
            currency,
            PickItems {
                items: items.into_iter().collect(),
            },
        )
    }

    /// Adds one more item.
    pub fn item(mut self, item: Item) -> Self {
        self.kind.items.push(item);
        self
    }
}

impl NewSplitSession<FlexibleAmount> {
    /// A Flexible Amount (`PROPORTIONAL_POOL`) session: contributors pay any amount toward
    /// `total`, in major units of `currency` (an ISO code such as `"QAR"`).
    pub fn flexible_amount(total: Decimal, currency: impl Into<String>) -> Self {
        Self::with_kind(total, currency, FlexibleAmount)
    }
}

impl NewSplitSession<SplitEvenly> {
    /// A Split Evenly (`EQUAL_COUNT`) session: `total`, in major units of `currency` (an ISO
    /// code such as `"QAR"`), divided equally across `expected_contributors` (2 to 10).
    pub fn split_evenly(
        total: Decimal,
        currency: impl Into<String>,
        expected_contributors: u8,
    ) -> Self {
        Self::with_kind(
            total,
            currency,
            SplitEvenly {
                expected_contributors: Some(expected_contributors),
            },
        )
    }

    /// A Split Evenly session whose contributor count is set later, with
    /// [`Sessions::set_expected_contributors`]; FairShare needs it before contributions begin.
    pub fn split_evenly_count_later(total: Decimal, currency: impl Into<String>) -> Self {
        Self::with_kind(
            total,
            currency,
            SplitEvenly {
                expected_contributors: None,
            },
        )
    }
}

impl<K: SplitKind> NewSplitSession<K> {
    /// The convenience fee (FairShare's default when unset: none).
    pub fn convenience_fee(mut self, fee: ConvenienceFee) -> Self {
        self.convenience_fee = Some(fee);
        self
    }

    /// Your own data for the session, for example an order id; at most 1024 characters.
    pub fn meta(mut self, meta: impl Into<String>) -> Self {
        self.meta = Some(meta.into());
        self
    }

    /// The title or label shown for the session.
    pub fn detail_title(mut self, title: impl Into<String>) -> Self {
        self.detail_title = Some(title.into());
        self
    }

    /// How long the session stays open, 1 to 60 minutes (FairShare's default: 15).
    pub fn expiry_minutes(mut self, minutes: u32) -> Self {
        self.expiry_minutes = Some(minutes);
        self
    }

    /// Where the payer goes after a successful payment flow (recommended; an absolute URL).
    pub fn success_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.success_redirect_url = Some(url.into());
        self
    }

    /// Where the payer goes after cancelling (recommended; an absolute URL).
    pub fn cancel_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.cancel_redirect_url = Some(url.into());
        self
    }

    /// Where the payer goes when the payment fails (recommended; an absolute URL).
    pub fn failed_redirect_url(mut self, url: impl Into<String>) -> Self {
        self.failed_redirect_url = Some(url.into());
        self
    }

    /// The three redirect URLs at once: success, cancel, failed.
    pub fn redirect_urls(
        self,
        success: impl Into<String>,
        cancel: impl Into<String>,
        failed: impl Into<String>,
    ) -> Self {
        self.success_redirect_url(success)
            .cancel_redirect_url(cancel)
            .failed_redirect_url(failed)
    }

    /// Your own idempotency key (FairShare takes at most 120 characters), for example derived
    /// from your order id with [`IdempotencyKey::derive`], so that a create repeated after your
    /// process restarts returns the original session. Without one, each call gets a new UUIDv4
    /// key, reused on its retries.
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// The request body this session is sent as, after checking every local rule.
    pub fn to_request_body(&self) -> Result<CreateSplitSessionRequest, Error> {
        if self.total <= Decimal::ZERO {
            return Err(Error::validation(
                "totalAmountQar",
                format!("must be greater than 0, got {}", self.total),
            ));
        }
        let currency = Currency::parse(&self.currency)?;
        let (convenience_fee_type, convenience_fee_value) = match self.convenience_fee {
            None => (None, None),
            Some(ConvenienceFee::None) => (Some(ConvenienceFeeType::None), Some(Decimal::ZERO)),
            Some(ConvenienceFee::FixedPerContribution(value)) => {
                if value < Decimal::ZERO {
                    return Err(Error::validation(
                        "convenienceFeeValue",
                        format!("must not be negative, got {value}"),
                    ));
                }
                (Some(ConvenienceFeeType::FixedPerContribution), Some(value))
            }
        };
        if let Some(meta) = &self.meta {
            let chars = meta.chars().count();
            if chars > MAX_META_CHARS {
                return Err(Error::validation(
                    "meta",
                    format!("must be at most {MAX_META_CHARS} characters, got {chars}"),
                ));
            }
        }
        let expiry_minutes = match self.expiry_minutes {
            None => None,
            Some(minutes @ MIN_EXPIRY_MINUTES..=MAX_EXPIRY_MINUTES) => i32::try_from(minutes).ok(),
            Some(minutes) => {
                return Err(Error::validation(
                    "expiryMinutes",
                    format!(
                        "must be between {MIN_EXPIRY_MINUTES} and {MAX_EXPIRY_MINUTES}, got {minutes}"
                    ),
                ));
            }
        };
        for (field, url) in [
            ("successRedirectUrl", &self.success_redirect_url),
            ("cancelRedirectUrl", &self.cancel_redirect_url),
            ("failedRedirectUrl", &self.failed_redirect_url),
        ] {
            if let Some(url) = url {
                check_url(field.to_owned(), url)?;
            }
        }
        let mut body = CreateSplitSessionRequest {
            total_amount_qar: self.total,
            items: None,
            currency: currency.as_str().to_owned(),
            split_type: self.kind.split_type(),
            expected_contributors: None,
            convenience_fee_type,
            convenience_fee_value,
            meta: self.meta.clone(),
            success_redirect_url: self.success_redirect_url.clone(),
            cancel_redirect_url: self.cancel_redirect_url.clone(),
            failed_redirect_url: self.failed_redirect_url.clone(),
            detail_title: self.detail_title.clone(),
            expiry_minutes,
        };
        self.kind.fill(&mut body)?;
        if let Some(key) = &self.idempotency_key {
            key.check_max_len(IDEMPOTENCY_KEY_MAX_LEN)?;
        }
        Ok(body)
    }
}

fn check_url(field: String, url: &str) -> Result<(), Error> {
    match url::Url::parse(url) {
        Ok(_) => Ok(()),
        Err(e) => Err(Error::validation(
            field,
            format!("must be an absolute URL, got {url:?} ({e})"),
        )),
    }
}
