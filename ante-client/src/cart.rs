//! The cart a group pays for, checked against every rule Ante documents before it is signed or
//! sent.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use splitkit_common::{Currency, Error};

use crate::generated::models;

/// The largest integer JavaScript represents exactly (`Number.MAX_SAFE_INTEGER`). Ante's server
/// and signing code are JavaScript: a larger amount would not round-trip, and the signature
/// would not match.
pub const MAX_SAFE_AMOUNT: i64 = 9_007_199_254_740_991;

/// One cart line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartItem {
    id: Option<String>,
    name: String,
    quantity: u32,
    unit_price: i64,
    image_url: Option<String>,
}

impl CartItem {
    /// A line of `quantity` × `unit_price` (minor units, e.g. cents) named `name`. Checked when
    /// the cart is built: quantity at least 1, price not negative.
    pub fn new(name: impl Into<String>, quantity: u32, unit_price: i64) -> Self {
        Self {
            id: None,
            name: name.into(),
            quantity,
            unit_price,
            image_url: None,
        }
    }

    /// Your item id (e.g. the SKU). Optional: a line without one sorts as `""` in the signed
    /// form.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// An HTTPS image URL shown in the modal. Not part of the signature.
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        self.image_url = Some(url.into());
        self
    }

    /// The item id, when set.
    pub fn item_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of units.
    pub fn quantity(&self) -> u32 {
        self.quantity
    }

    /// The price of one unit in minor units.
    pub fn unit_price(&self) -> i64 {
        self.unit_price
    }

    /// The image URL, when set.
    pub fn image(&self) -> Option<&str> {
        self.image_url.as_deref()
    }
}

/// A custom fee (cleaning fee, booking fee, ...), included in the total and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartFee {
    id: String,
    label: String,
    amount: i64,
}

impl CartFee {
    /// A fee of `amount` minor units.
    pub fn new(id: impl Into<String>, label: impl Into<String>, amount: i64) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            amount,
        }
    }

    /// The fee id (fees are sorted by it in the signed form).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The display label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The amount in minor units.
    pub fn amount(&self) -> i64 {
        self.amount
    }
}

/// A checked cart: at least one item, every quantity at least 1, no negative amount, a
/// three-letter currency (kept in lower case), string metadata, and a `total` equal to the
/// items plus tax, shipping and fees.
///
/// Build one with [`Cart::builder`], or read the JSON cart your storefront posts with
/// [`Cart::from_json`]. Sign it with [`Cart::sign`]; send it with
/// [`Sessions::create`](crate::Sessions::create).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    pub(crate) total: i64,
    pub(crate) currency: Currency,
    pub(crate) items: Vec<CartItem>,
    pub(crate) tax: i64,
    pub(crate) shipping: i64,
    pub(crate) fees: Vec<CartFee>,
    pub(crate) metadata: Option<BTreeMap<String, String>>,
}

impl Cart {
    /// A builder for a cart in `currency` (ISO 4217, either case: `"usd"`, `"USD"`).
    pub fn builder(currency: impl Into<String>) -> CartBuilder {
        CartBuilder {
            currency: currency.into(),
            items: Vec::new(),
            tax: None,
            shipping: None,
            fees: Vec::new(),
            metadata: None,
            total: None,
        }
    }

    /// Reads and checks a cart in Ante's JSON form (`{"total", "currency", "items", "tax",
    /// "shipping", "fees", "metadata"}`), e.g. the cart your storefront posts to the server to be
    /// signed. Fields Ante does not sign (other than `items[].image_url`) are ignored.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| Error::validation("cart", format!("is not valid JSON: {e}")))?;
        Self::from_value(&value)
    }

    /// [`Cart::from_json`] for an already parsed value.
    pub fn from_value(value: &Value) -> Result<Self, Error> {
        let cart = value
            .as_object()
            .ok_or_else(|| Error::validation("cart", "must be a JSON object"))?;
        let currency = match cart.get("currency") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(Error::validation(
                    "cart.currency",
                    format!("must be a string, got {}", kind(other)),
                ));
            }
            None => return Err(Error::validation("cart.currency", "is required")),
        };
        let mut builder = Cart::builder(currency);
        builder.total = Some(
            int(cart, "total", "cart.total")?
                .ok_or_else(|| Error::validation("cart.total", "is required"))?,
        );
        builder.tax = int(cart, "tax", "cart.tax")?;
        builder.shipping = int(cart, "shipping", "cart.shipping")?;
        let items = match cart.get("items") {
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(Error::validation(
                    "cart.items",
                    format!("must be an array, got {}", kind(other)),
                ));
            }
            None => return Err(Error::validation("cart.items", "is required")),
        };
        for (i, item) in items.iter().enumerate() {
            builder.items.push(item_from_value(i, item)?);
        }
        match cart.get("fees") {
            None | Some(Value::Null) => {}
            Some(Value::Array(fees)) => {
                for (i, fee) in fees.iter().enumerate() {
                    builder.fees.push(fee_from_value(i, fee)?);
                }
            }
            Some(other) => {
                return Err(Error::validation(
                    "cart.fees",
                    format!("must be an array, got {}", kind(other)),
                ));
            }
        }
        match cart.get("metadata") {
            None | Some(Value::Null) => {}
            Some(Value::Object(entries)) => {
                let mut metadata = BTreeMap::new();
                for (key, value) in entries {
                    match value {
                        Value::String(s) => {
                            metadata.insert(key.clone(), s.clone());
                        }
                        other => {
                            return Err(Error::validation(
                                format!("cart.metadata.{key}"),
                                format!("metadata values must be strings, got {}", kind(other)),
                            ));
                        }
                    }
                }
                builder.metadata = Some(metadata);
            }
            Some(other) => {
                return Err(Error::validation(
                    "cart.metadata",
                    format!("must be an object of strings, got {}", kind(other)),
                ));
            }
        }
        builder.build()
    }

    /// The total in minor units.
    pub fn total(&self) -> i64 {
        self.total
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The currency code as Ante wants it, in lower case (`"usd"`).
    pub fn currency_code(&self) -> String {
        self.currency.to_lowercase()
    }

    /// The lines, in the order they were added.
    pub fn items(&self) -> &[CartItem] {
        &self.items
    }

    /// Tax in minor units (0 when not set).
    pub fn tax(&self) -> i64 {
        self.tax
    }

    /// Shipping in minor units (0 when not set).
    pub fn shipping(&self) -> i64 {
        self.shipping
    }

    /// The custom fees, in the order they were added.
    pub fn fees(&self) -> &[CartFee] {
        &self.fees
    }

    /// The metadata, when any was set (an empty map when set empty).
    pub fn metadata(&self) -> Option<&BTreeMap<String, String>> {
        self.metadata.as_ref()
    }

    /// `metadata.order_ref`, your order or cart id, echoed on webhooks and session lists.
    pub fn order_ref(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|m| m.get("order_ref"))
            .map(String::as_str)
    }

    /// The cart as the `POST /sessions` body carries it: lines in the order given, `tax`,
    /// `shipping` and `fees` always present.
    pub(crate) fn to_wire(&self) -> models::Cart {
        models::Cart {
            total: self.total,
            currency: self.currency_code(),
            items: self
                .items
                .iter()
                .map(|i| models::CartItem {
                    id: i.id.clone(),
                    name: i.name.clone(),
                    quantity: i32::try_from(i.quantity).unwrap_or(i32::MAX),
                    unit_price: i.unit_price,
                    image_url: i.image_url.clone(),
                })
                .collect(),
            tax: Some(self.tax),
            shipping: Some(self.shipping),
            fees: self
                .fees
                .iter()
                .map(|f| models::CartFee {
                    id: f.id.clone(),
                    label: f.label.clone(),
                    amount: f.amount,
                })
                .collect(),
            metadata: self.metadata.clone(),
        }
    }
}

/// Builds a [`Cart`]; [`CartBuilder::build`] checks it.
#[derive(Debug, Clone)]
pub struct CartBuilder {
    currency: String,
    items: Vec<CartItem>,
    tax: Option<i64>,
    shipping: Option<i64>,
    fees: Vec<CartFee>,
    metadata: Option<BTreeMap<String, String>>,
    total: Option<i64>,
}

impl CartBuilder {
    /// Adds a line.
    pub fn item(mut self, item: CartItem) -> Self {
        self.items.push(item);
        self
    }

    /// Adds lines.
    pub fn items(mut self, items: impl IntoIterator<Item = CartItem>) -> Self {
        self.items.extend(items);
        self
    }

    /// Tax in minor units (default 0).
    pub fn tax(mut self, tax: i64) -> Self {
        self.tax = Some(tax);
        self
    }

    /// Shipping in minor units (default 0).
    pub fn shipping(mut self, shipping: i64) -> Self {
        self.shipping = Some(shipping);
        self
    }

    /// Adds a custom fee.
    pub fn fee(mut self, fee: CartFee) -> Self {
        self.fees.push(fee);
        self
    }

    /// Sets a metadata entry (values are strings).
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sets `metadata.order_ref`: your order or cart id. Ante echoes it as `order_ref` on
    /// webhooks and `GET /sessions`; it is also how you find a session again when you are not
    /// sure a create went through (Ante takes no idempotency key).
    pub fn order_ref(self, order_ref: impl Into<String>) -> Self {
        self.metadata("order_ref", order_ref)
    }

    /// The total you expect, in minor units. [`CartBuilder::build`] checks that it equals the
    /// items plus tax, shipping and fees; without it, the total is computed.
    pub fn total(mut self, total: i64) -> Self {
        self.total = Some(total);
        self
    }

    /// Checks every documented rule and builds the cart. The first broken rule is returned as
    /// [`Error::Validation`] naming the field in Ante's JSON form (`cart.items[1].quantity`).
    pub fn build(self) -> Result<Cart, Error> {
        let currency = Currency::parse(self.currency.trim()).map_err(|_| {
            Error::validation(
                "cart.currency",
                format!(
                    "must be a three-letter ISO 4217 code, got {:?}",
                    self.currency
                ),
            )
        })?;
        if self.items.is_empty() {
            return Err(Error::validation(
                "cart.items",
                "must hold at least one item",
            ));
        }
        let mut subtotal: i64 = 0;
        for (i, item) in self.items.iter().enumerate() {
            if item.quantity < 1 {
                return Err(Error::validation(
                    format!("cart.items[{i}].quantity"),
                    format!("must be at least 1, got {}", item.quantity),
                ));
            }
            if i32::try_from(item.quantity).is_err() {
                return Err(Error::validation(
                    format!("cart.items[{i}].quantity"),
                    format!("must be at most {}, got {}", i32::MAX, item.quantity),
                ));
            }
            amount(format!("cart.items[{i}].unit_price"), item.unit_price)?;
            if let Some(url) = &item.image_url {
                check_https(format!("cart.items[{i}].image_url"), url)?;
            }
            subtotal = i64::from(item.quantity)
                .checked_mul(item.unit_price)
                .and_then(|line| subtotal.checked_add(line))
                .ok_or_else(|| too_large(format!("cart.items[{i}]")))?;
        }
        let tax = self.tax.unwrap_or(0);
        amount("cart.tax".into(), tax)?;
        let shipping = self.shipping.unwrap_or(0);
        amount("cart.shipping".into(), shipping)?;
        let mut fees_sum: i64 = 0;
        for (i, fee) in self.fees.iter().enumerate() {
            amount(format!("cart.fees[{i}].amount"), fee.amount)?;
            fees_sum = fees_sum
                .checked_add(fee.amount)
                .ok_or_else(|| too_large(format!("cart.fees[{i}].amount")))?;
        }
        let expected = subtotal
            .checked_add(tax)
            .and_then(|s| s.checked_add(shipping))
            .and_then(|s| s.checked_add(fees_sum))
            .filter(|s| *s <= MAX_SAFE_AMOUNT)
            .ok_or_else(|| too_large("cart.total".into()))?;
        let total = match self.total {
            Some(total) if total != expected => {
                return Err(Error::validation(
                    "cart.total",
                    format!(
                        "is {total} but items {subtotal} + tax {tax} + shipping {shipping} + fees \
                         {fees_sum} = {expected}"
                    ),
                ));
            }
            _ => expected,
        };
        Ok(Cart {
            total,
            currency,
            items: self.items,
            tax,
            shipping,
            fees: self.fees,
            metadata: self.metadata,
        })
    }
}

fn amount(field: String, value: i64) -> Result<(), Error> {
    if value < 0 {
        return Err(Error::validation(
            field,
            format!("must not be negative, got {value}"),
        ));
    }
    if value > MAX_SAFE_AMOUNT {
        return Err(Error::validation(
            field,
            format!(
                "must be at most {MAX_SAFE_AMOUNT} (JavaScript's largest exact integer), got {value}"
            ),
        ));
    }
    Ok(())
}

fn too_large(field: String) -> Error {
    Error::validation(
        field,
        format!("amounts add up to more than {MAX_SAFE_AMOUNT} minor units"),
    )
}

fn check_https(field: String, value: &str) -> Result<(), Error> {
    match url::Url::parse(value) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() => Ok(()),
        _ => Err(Error::validation(
            field,
            format!("must be an absolute https:// URL, got {value:?}"),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// An optional integer field: absent or `null` is `None`; anything but a JSON integer is an
/// error.
fn int(object: &Map<String, Value>, key: &str, field: &str) -> Result<Option<i64>, Error> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| {
            Error::validation(
                field.to_owned(),
                format!("must be an integer number of minor units, got {n}"),
            )
        }),
        Some(other) => Err(Error::validation(
            field.to_owned(),
            format!("must be an integer, got {}", kind(other)),
        )),
    }
}

fn string(object: &Map<String, Value>, key: &str, field: &str) -> Result<Option<String>, Error> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Error::validation(
            field.to_owned(),
            format!("must be a string, got {}", kind(other)),
        )),
    }
}

fn item_from_value(i: usize, value: &Value) -> Result<CartItem, Error> {
    let path = |name: &str| format!("cart.items[{i}].{name}");
    let object = value.as_object().ok_or_else(|| {
        Error::validation(
            format!("cart.items[{i}]"),
            format!("must be an object, got {}", kind(value)),
        )
    })?;
    let name = string(object, "name", &path("name"))?
        .ok_or_else(|| Error::validation(path("name"), "is required"))?;
    let quantity = int(object, "quantity", &path("quantity"))?
        .ok_or_else(|| Error::validation(path("quantity"), "is required"))?;
    if quantity < 1 {
        return Err(Error::validation(
            path("quantity"),
            format!("must be at least 1, got {quantity}"),
        ));
    }
    let quantity = u32::try_from(quantity).map_err(|_| {
        Error::validation(
            path("quantity"),
            format!("must be at most {}, got {quantity}", i32::MAX),
        )
    })?;
    let unit_price = int(object, "unit_price", &path("unit_price"))?
        .ok_or_else(|| Error::validation(path("unit_price"), "is required"))?;
    Ok(CartItem {
        id: string(object, "id", &path("id"))?,
        name,
        quantity,
        unit_price,
        image_url: string(object, "image_url", &path("image_url"))?,
    })
}

fn fee_from_value(i: usize, value: &Value) -> Result<CartFee, Error> {
    let path = |name: &str| format!("cart.fees[{i}].{name}");
    let object = value.as_object().ok_or_else(|| {
        Error::validation(
            format!("cart.fees[{i}]"),
            format!("must be an object, got {}", kind(value)),
        )
    })?;
    Ok(CartFee {
        id: string(object, "id", &path("id"))?
            .ok_or_else(|| Error::validation(path("id"), "is required"))?,
        label: string(object, "label", &path("label"))?
            .ok_or_else(|| Error::validation(path("label"), "is required"))?,
        amount: int(object, "amount", &path("amount"))?
            .ok_or_else(|| Error::validation(path("amount"), "is required"))?,
    })
}
