//! Creating splits ([`NewSplit`], [`Splits::create`]) and reading who has paid
//! ([`Splits::paid_members`]).

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};
use splitkit_common::{Error, MinorUnits, Page, Request, SecretString, decode};
use url::Url;

use crate::client::{Client, SECRET_FIELDS};
use crate::generated::models::{CreateSplitRequest, PaidMember, SplitCreateResult};
use crate::generated::operations::{CREATE_SPLIT, LIST_PAID_MEMBERS};

/// The most line items split(able) takes in one order (stated in the early revisions of its
/// documentation).
pub const MAX_LINE_ITEMS: usize = 20;

/// The longest a split can stay open, in hours (5 days); also split(able)'s default.
pub const MAX_EXPIRES_IN_HOURS: u32 = 120;

/// Calls about splits. Get one with [`Client::splits`].
#[derive(Debug, Clone)]
pub struct Splits {
    client: Client,
}

impl Splits {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Creates a split (`POST /api/splits`) and returns where to send the customer.
    ///
    /// The outcome is read from the answer's body, not its status: `split_url` and
    /// `split_id` mean success; an `error` key means failure and becomes [`Error::Api`] carrying
    /// the message (see [`crate::ErrorExt`]), whether it came with `500` (live host),
    /// `200` (draft host) or anything else.
    ///
    /// Never retried once the request may have reached split(able): the service takes no
    /// idempotency key, so a second attempt could create a second split. Only a refused
    /// connection (nothing was sent) is tried again.
    pub async fn create(self, split: NewSplit) -> Result<CreatedSplit, Error> {
        let request = split.request()?;
        // An `{"error": ...}` body, whatever its status, is already an error here (see
        // `SplitableErrorPolicy`); what remains is a success that must name the split.
        let api = self.client.api();
        let response = api.execute_raw(request).await?;
        let answer = || api.api_error(CREATE_SPLIT.id, &response);
        let result: SplitCreateResult =
            decode::json(CREATE_SPLIT.id, &response.body, SECRET_FIELDS)
                .map_err(|e| decode::with_api(e, answer()))?;
        let missing = |field: &str| {
            decode::with_api(
                Error::Decode(Box::new(splitkit_common::DecodeError::new(
                    CREATE_SPLIT.id,
                    field,
                    format!("missing or empty field `{field}` and no `error`"),
                    decode::redact(&String::from_utf8_lossy(&response.body), SECRET_FIELDS)
                        .chars()
                        .take(120)
                        .collect::<String>(),
                ))),
                answer(),
            )
        };
        let split_url = result
            .split_url
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("split_url"))?;
        let split_id = result
            .split_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| missing("split_id"))?;
        Ok(CreatedSplit {
            split_url,
            split_id,
        })
    }

    /// The name and email of everyone who has paid towards the split
    /// (`GET /api/splits/{split_id}/paid_members`), as one [`Page`] without a next page.
    ///
    /// split(able) published a single `{"name", "email"}` object as the only sample of this
    /// answer; a JSON array of them is accepted too. Either way the result is a list. In an
    /// array, a member the SDK cannot read is in [`Page::rejected`] (with its raw JSON) and the
    /// others are in [`Page::items`], as for every list of the SDK. An `{"error": "..."}` body
    /// becomes [`Error::Api`], whatever the status.
    ///
    /// Fails with a validation error on `split_id` when it is empty (nothing is sent).
    pub async fn paid_members(self, split_id: &str) -> Result<Page<PaidMember>, Error> {
        if split_id.trim().is_empty() {
            return Err(Error::validation("split_id", "must not be empty"));
        }
        let request = Request::new(&LIST_PAID_MEMBERS).path_param("split_id", split_id);
        let api = self.client.api();
        let response = api.execute_raw(request).await?;
        let body = &response.body;
        let with_answer = |e| decode::with_api(e, api.api_error(LIST_PAID_MEMBERS.id, &response));
        let is_array = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
        if is_array {
            decode::list(LIST_PAID_MEMBERS.id, body, SECRET_FIELDS, "").map_err(with_answer)
        } else {
            let member: PaidMember =
                decode::json(LIST_PAID_MEMBERS.id, body, SECRET_FIELDS).map_err(with_answer)?;
            Ok(Page::new(vec![member]))
        }
    }
}

/// A split that split(able) created.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatedSplit {
    /// Where to redirect the customer: the split's payment hub. Treat it as opaque; its form
    /// varies (`https://checkout.splitable.com/cws/<split_id>`,
    /// `https://<company>.splitable.com/splits/<split_id>/team`, ...).
    pub split_url: String,
    /// The split's id, for [`Splits::paid_members`] (52 lowercase hexadecimal characters in
    /// every sample; treat it as opaque).
    pub split_id: String,
}

/// One line of the order shown on the payment hub, sent as the numbered form fields
/// `item_name_N`, `quantity_N`, `amount_N` and `url_N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    /// The title of the item (`item_name_N`); must not be empty.
    pub name: String,
    /// How many (`quantity_N`); at least 1.
    pub quantity: u32,
    /// The price of one item in cents (`amount_N`); not negative.
    pub unit_amount: MinorUnits,
    /// Where a user can read more about the item (`url_N`); an absolute `http` or `https` URL.
    pub url: Option<String>,
}

impl LineItem {
    /// `quantity` items called `name` at `unit_amount` cents each.
    pub fn new(name: impl Into<String>, quantity: u32, unit_amount: impl Into<MinorUnits>) -> Self {
        Self {
            name: name.into(),
            quantity,
            unit_amount: unit_amount.into(),
            url: None,
        }
    }

    /// Links the item to its product page (`url_N`).
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// `quantity` x `unit_amount`, or `None` on overflow.
    pub fn subtotal(&self) -> Option<MinorUnits> {
        self.unit_amount.checked_mul(i64::from(self.quantity))
    }
}

/// The sum of every line item's `quantity` x `unit_amount`, plus `shipping` and `tax`: what
/// [`NewSplitBuilder::total_from_items`] sends as `total_amount`.
///
/// split(able)'s documentation states no rule tying `total_amount` to the other amounts; its
/// only example follows this sum (2 books at 20000 and 10000, shipping 1000, tax 4000, total
/// 35000). Fails with a validation error on `total_amount` when the sum overflows.
pub fn compute_total(
    items: &[LineItem],
    shipping: Option<MinorUnits>,
    tax: Option<MinorUnits>,
) -> Result<MinorUnits, Error> {
    let overflow = || Error::validation("total_amount", "the sum of the amounts overflows");
    let mut total = MinorUnits::ZERO;
    for item in items {
        total = item
            .subtotal()
            .and_then(|subtotal| total.checked_add(subtotal))
            .ok_or_else(overflow)?;
    }
    for extra in [shipping, tax].into_iter().flatten() {
        total = total.checked_add(extra).ok_or_else(overflow)?;
    }
    Ok(total)
}

/// A checked create-split request. Build one with [`NewSplit::builder`]; a value of this type
/// has passed every local rule.
#[derive(Clone, PartialEq)]
pub struct NewSplit {
    body: CreateSplitRequest,
    items: Vec<LineItem>,
}

impl fmt::Debug for NewSplit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The generated body masks `api_secret` (a `SecretString`).
        f.debug_struct("NewSplit")
            .field("body", &self.body)
            .field("items", &self.items)
            .finish()
    }
}

impl NewSplit {
    /// Starts a request for the order `invoice` (your order id, sent back in the callback),
    /// whose callback goes to `api_notify_url`.
    pub fn builder(
        invoice: impl Into<String>,
        api_notify_url: impl Into<String>,
    ) -> NewSplitBuilder {
        NewSplitBuilder {
            invoice: invoice.into(),
            api_notify_url: api_notify_url.into(),
            total: Total::Unset,
            api_secret: None,
            expires_in: None,
            shipping: None,
            tax: None,
            description: None,
            items: Vec::new(),
        }
    }

    /// Your order id.
    pub fn invoice(&self) -> &str {
        &self.body.invoice
    }

    /// The callback URL.
    pub fn api_notify_url(&self) -> &str {
        &self.body.api_notify_url
    }

    /// The amount to be split, in cents.
    pub fn total_amount(&self) -> MinorUnits {
        MinorUnits::new(self.body.total_amount)
    }

    /// The line items, in the order they are numbered (`_1`, `_2`, ...).
    pub fn line_items(&self) -> &[LineItem] {
        &self.items
    }

    /// The hours the split stays open, when set.
    pub fn expires_in(&self) -> Option<u32> {
        self.body.expires_in.and_then(|h| u32::try_from(h).ok())
    }

    /// The generated form body (every field but the line items and `api_key`).
    pub fn body(&self) -> &CreateSplitRequest {
        &self.body
    }

    /// The request [`Splits::create`] sends, without the `api_key`, which the client adds.
    pub fn request(&self) -> Result<Request, Error> {
        Request::new(&CREATE_SPLIT).form_body(&WireForm {
            body: &self.body,
            items: ItemFields(&self.items),
        })
    }
}

/// The whole form: the generated fields, then the numbered line-item fields.
#[derive(serde::Serialize)]
struct WireForm<'a> {
    #[serde(flatten)]
    body: &'a CreateSplitRequest,
    #[serde(flatten)]
    items: ItemFields<'a>,
}

/// Line items as `item_name_N`, `quantity_N`, `amount_N` and (when set) `url_N`, N from 1.
struct ItemFields<'a>(&'a [LineItem]);

impl Serialize for ItemFields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (index, item) in self.0.iter().enumerate() {
            let n = index + 1;
            map.serialize_entry(&format!("item_name_{n}"), &item.name)?;
            map.serialize_entry(&format!("quantity_{n}"), &item.quantity)?;
            map.serialize_entry(&format!("amount_{n}"), &item.unit_amount.get())?;
            if let Some(url) = &item.url {
                map.serialize_entry(&format!("url_{n}"), url)?;
            }
        }
        map.end()
    }
}

/// How `total_amount` is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Total {
    Unset,
    Given(MinorUnits),
    FromItems,
}

/// Builds a [`NewSplit`], checking every rule before anything is sent.
///
/// Required: the invoice and callback URL (given to [`NewSplit::builder`]), at least one line
/// item, and the total ([`NewSplitBuilder::total_amount`] or
/// [`NewSplitBuilder::total_from_items`]).
#[derive(Clone)]
pub struct NewSplitBuilder {
    invoice: String,
    api_notify_url: String,
    total: Total,
    api_secret: Option<SecretString>,
    expires_in: Option<u32>,
    shipping: Option<MinorUnits>,
    tax: Option<MinorUnits>,
    description: Option<String>,
    items: Vec<LineItem>,
}

impl fmt::Debug for NewSplitBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSplitBuilder")
            .field("invoice", &self.invoice)
            .field("api_notify_url", &self.api_notify_url)
            .field("total", &self.total)
            .field("api_secret", &self.api_secret)
            .field("expires_in", &self.expires_in)
            .field("shipping", &self.shipping)
            .field("tax", &self.tax)
            .field("description", &self.description)
            .field("items", &self.items)
            .finish()
    }
}

impl NewSplitBuilder {
    /// The amount to be split, in cents (`total_amount`); must be above zero. split(able) does
    /// not document any rule tying it to the items, shipping and tax, so none is enforced; see
    /// [`compute_total`] and [`NewSplitBuilder::total_from_items`].
    pub fn total_amount(mut self, cents: impl Into<MinorUnits>) -> Self {
        self.total = Total::Given(cents.into());
        self
    }

    /// Sends as `total_amount` the sum of the line items plus shipping and tax, computed at
    /// [`NewSplitBuilder::build`] (see [`compute_total`]).
    pub fn total_from_items(mut self) -> Self {
        self.total = Total::FromItems;
        self
    }

    /// The secret split(able) puts in this split's callback instead of the company's
    /// (`api_secret`); must not be empty.
    pub fn api_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.api_secret = Some(secret.into());
        self
    }

    /// How many hours the split stays open (`expires_in`), 1 to 120; split(able)'s default is
    /// 120. The service would silently ignore a larger value, so the SDK refuses it.
    pub fn expires_in(mut self, hours: u32) -> Self {
        self.expires_in = Some(hours);
        self
    }

    /// The shipping cost shown on the split page, in cents (`shipping`); not negative.
    pub fn shipping(mut self, cents: impl Into<MinorUnits>) -> Self {
        self.shipping = Some(cents.into());
        self
    }

    /// The tax shown on the split page, in cents (`tax`); not negative.
    pub fn tax(mut self, cents: impl Into<MinorUnits>) -> Self {
        self.tax = Some(cents.into());
        self
    }

    /// Text shown in a text area on the split page (`description`).
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Adds a line item; items are numbered in the order they are added.
    pub fn item(mut self, item: LineItem) -> Self {
        self.items.push(item);
        self
    }

    /// Adds several line items.
    pub fn items(mut self, items: impl IntoIterator<Item = LineItem>) -> Self {
        self.items.extend(items);
        self
    }

    /// Checks every rule and returns the request, or a validation error naming the field as
    /// it is sent (`invoice`, `api_notify_url`, `total_amount`, `line_items`, `item_name_2`,
    /// `quantity_2`, `amount_2`, `url_2`, `shipping`, `tax`, `expires_in`, `api_secret`).
    pub fn build(self) -> Result<NewSplit, Error> {
        if self.invoice.trim().is_empty() {
            return Err(Error::validation("invoice", "must not be empty"));
        }
        check_url("api_notify_url", &self.api_notify_url)?;
        if self.items.is_empty() {
            return Err(Error::validation(
                "line_items",
                "at least one line item is required (split(able) rejects an order without one)",
            ));
        }
        if self.items.len() > MAX_LINE_ITEMS {
            return Err(Error::validation(
                "line_items",
                format!(
                    "at most {MAX_LINE_ITEMS} line items are supported, got {}",
                    self.items.len()
                ),
            ));
        }
        for (index, item) in self.items.iter().enumerate() {
            let n = index + 1;
            if item.name.trim().is_empty() {
                return Err(Error::validation(
                    format!("item_name_{n}"),
                    "must not be empty",
                ));
            }
            if item.quantity == 0 {
                return Err(Error::validation(
                    format!("quantity_{n}"),
                    "must be at least 1, got 0",
                ));
            }
            if item.unit_amount.is_negative() {
                return Err(Error::validation(
                    format!("amount_{n}"),
                    format!("must not be negative, got {}", item.unit_amount),
                ));
            }
            if let Some(url) = &item.url {
                check_url(format!("url_{n}"), url)?;
            }
        }
        for (field, value) in [("shipping", self.shipping), ("tax", self.tax)] {
            if let Some(cents) = value.filter(|c| c.is_negative()) {
                return Err(Error::validation(
                    field,
                    format!("must not be negative, got {cents}"),
                ));
            }
        }
        let expires_in = match self.expires_in {
            None => None,
            Some(hours @ 1..=MAX_EXPIRES_IN_HOURS) => i32::try_from(hours).ok(),
            Some(hours) => {
                return Err(Error::validation(
                    "expires_in",
                    format!(
                        "must be 1 to {MAX_EXPIRES_IN_HOURS} hours (split(able) silently ignores other values), got {hours}"
                    ),
                ));
            }
        };
        if self.api_secret.as_ref().is_some_and(SecretString::is_empty) {
            return Err(Error::validation("api_secret", "must not be empty"));
        }
        let total = match self.total {
            Total::Unset => {
                return Err(Error::validation(
                    "total_amount",
                    "is required: set it with total_amount(...) or total_from_items()",
                ));
            }
            Total::Given(cents) => cents,
            Total::FromItems => compute_total(&self.items, self.shipping, self.tax)?,
        };
        if total.get() <= 0 {
            return Err(Error::validation(
                "total_amount",
                format!("must be above zero, got {total}"),
            ));
        }
        Ok(NewSplit {
            body: CreateSplitRequest {
                invoice: self.invoice,
                api_notify_url: self.api_notify_url,
                total_amount: total.get(),
                api_secret: self.api_secret,
                expires_in,
                shipping: self.shipping.map(MinorUnits::get),
                tax: self.tax.map(MinorUnits::get),
                description: self.description,
            },
            items: self.items,
        })
    }
}

/// Checks that `value` is an absolute `http` or `https` URL.
fn check_url(field: impl Into<std::borrow::Cow<'static, str>>, value: &str) -> Result<(), Error> {
    match Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(()),
        Ok(_) => Err(Error::validation(
            field,
            format!("must be an http or https URL, got {value:?}"),
        )),
        Err(e) => Err(Error::validation(
            field,
            format!("must be an absolute URL ({e}), got {value:?}"),
        )),
    }
}
