//! Cart signing: the canonical cart JSON and its HMAC-SHA256, sent as `X-Ante-Signature`.
//!
//! The canonical form follows Ante's cart-signing page and the reference canonicaliser of
//! Plurel's storefront:
//!
//! - keys in this fixed order: `total`, `currency` (lower case), `items`, `tax` (0 when not
//!   set), `shipping` (0 when not set), `fees` (always present, `[]` when there are none),
//!   `metadata` (only when the cart has metadata; `{}` when it is set but empty);
//! - each item reduced to `id` (`""` when missing), `name`, `quantity`, `unit_price`, in that
//!   order (`image_url` is not signed); each fee to `id`, `label`, `amount`;
//! - items and fees sorted by `id` with the [`IdOrdering`] in force (stable: equal ids keep
//!   their order); metadata keys sorted by UTF-16 code units (JavaScript's plain `sort()`);
//! - compact JSON as `JSON.stringify` writes it (no whitespace, non-ASCII as raw UTF-8, only
//!   `"`, `\` and control characters escaped).
//!
//! The HMAC key is the signing secret (trimmed) as UTF-8; the signature is 64 lowercase hex
//! characters.

use std::cmp::Ordering;
use std::fmt;

use icu_collator::CollatorBorrowed;
use icu_collator::options::CollatorOptions;
use serde::Serialize;
use serde::ser::SerializeMap;
use splitkit_common::Error;
use splitkit_common::webhook::signature_matches;

use crate::cart::Cart;
use crate::credentials::SigningSecret;

/// How item and fee ids are sorted in the signed cart.
///
/// Ante documents "sorted by `id`" without the comparison. The reference canonicaliser that
/// Plurel's storefront copied from Ante's server ("must match splitante.com server
/// canonicalization exactly") sorts items with JavaScript's `localeCompare`, so that is the
/// default. Ids made only of lower-case ASCII letters and digits sort the same either way;
/// ids can differ with mixed case (`"SKU_A"` vs `"sku_b"`), with punctuation where another id
/// has a letter or digit (`"a_"` vs `"a1"`) and with non-ASCII (`"é"` vs `"f"`). If Ante answers
/// `Invalid cart signature` for such ids while plain ids work, switch to
/// [`IdOrdering::CodeUnits`] with
/// [`ClientBuilder::id_ordering`](crate::ClientBuilder::id_ordering) (and please report it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum IdOrdering {
    /// JavaScript's `a.localeCompare(b)` with no locale: ICU root collation (the Unicode
    /// Collation Algorithm with CLDR root data, tertiary strength). Case is a tie-breaker only
    /// (`"a" < "B" < "b"`), punctuation sorts before digits and digits before letters. The
    /// default.
    #[default]
    LocaleCompare,
    /// JavaScript's default `sort()` comparison: UTF-16 code units (for ASCII, byte order:
    /// `"B" < "_" < "a"`).
    CodeUnits,
}

/// A cart signature: 64 lowercase hex characters, the `X-Ante-Signature` header value.
///
/// Not a secret (it authenticates one cart only), so `Debug` and `Display` show it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CartSignature(String);

impl CartSignature {
    /// Checks a signature made elsewhere (64 hex characters; upper case is lowered).
    pub fn parse(value: &str) -> Result<Self, Error> {
        let value = value.trim();
        if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::validation(
                "cart_signature",
                format!(
                    "must be 64 hex characters, got {} characters",
                    value.chars().count()
                ),
            ));
        }
        Ok(Self(value.to_ascii_lowercase()))
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CartSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Serialize)]
struct CanonicalCart<'a> {
    total: i64,
    currency: String,
    items: Vec<CanonicalItem<'a>>,
    tax: i64,
    shipping: i64,
    fees: Vec<CanonicalFee<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<OrderedMap<'a>>,
}

#[derive(Serialize)]
struct CanonicalItem<'a> {
    id: &'a str,
    name: &'a str,
    quantity: u32,
    unit_price: i64,
}

#[derive(Serialize)]
struct CanonicalFee<'a> {
    id: &'a str,
    label: &'a str,
    amount: i64,
}

/// A JSON object written in the order of its entries.
struct OrderedMap<'a>(Vec<(&'a str, &'a str)>);

impl Serialize for OrderedMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn code_units(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Sorts `entries` by the id `key` gives, stably.
fn sort_by_id<T>(
    entries: &mut [T],
    ordering: IdOrdering,
    key: impl Fn(&T) -> &str,
) -> Result<(), Error> {
    match ordering {
        IdOrdering::CodeUnits => entries.sort_by(|a, b| code_units(key(a), key(b))),
        IdOrdering::LocaleCompare => {
            let collator =
                CollatorBorrowed::try_new(Default::default(), CollatorOptions::default()).map_err(
                    |e| Error::Config(format!("ICU root collation is unavailable: {e}")),
                )?;
            entries.sort_by(|a, b| collator.compare(key(a), key(b)));
        }
    }
    Ok(())
}

impl Cart {
    /// The canonical JSON Ante signs, with ids sorted by the default [`IdOrdering`].
    pub fn canonical_json(&self) -> Result<String, Error> {
        self.canonical_json_with(IdOrdering::default())
    }

    /// The canonical JSON Ante signs, with ids sorted by `ordering`.
    pub fn canonical_json_with(&self, ordering: IdOrdering) -> Result<String, Error> {
        let mut items: Vec<CanonicalItem<'_>> = self
            .items
            .iter()
            .map(|i| CanonicalItem {
                id: i.item_id().unwrap_or(""),
                name: i.name(),
                quantity: i.quantity(),
                unit_price: i.unit_price(),
            })
            .collect();
        sort_by_id(&mut items, ordering, |i| i.id)?;
        let mut fees: Vec<CanonicalFee<'_>> = self
            .fees
            .iter()
            .map(|f| CanonicalFee {
                id: f.id(),
                label: f.label(),
                amount: f.amount(),
            })
            .collect();
        sort_by_id(&mut fees, ordering, |f| f.id)?;
        let metadata = self.metadata.as_ref().map(|m| {
            let mut entries: Vec<(&str, &str)> =
                m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            entries.sort_by(|a, b| code_units(a.0, b.0));
            OrderedMap(entries)
        });
        let canonical = CanonicalCart {
            total: self.total,
            currency: self.currency_code(),
            items,
            tax: self.tax,
            shipping: self.shipping,
            fees,
            metadata,
        };
        serde_json::to_string(&canonical)
            .map_err(|e| Error::validation("cart", format!("could not be encoded: {e}")))
    }

    /// Signs the cart with the default [`IdOrdering`]: the `X-Ante-Signature` value.
    ///
    /// [`Sessions::create`](crate::Sessions::create) does this for you; call it yourself when a
    /// browser storefront (Ante's JS SDK `getSignature`) asks your server for a signature.
    /// Sign at checkout time: any change to the cart afterwards invalidates the signature.
    pub fn sign(&self, secret: &SigningSecret) -> Result<CartSignature, Error> {
        self.sign_with(secret, IdOrdering::default())
    }

    /// Signs the cart with ids sorted by `ordering`.
    pub fn sign_with(
        &self,
        secret: &SigningSecret,
        ordering: IdOrdering,
    ) -> Result<CartSignature, Error> {
        let canonical = self.canonical_json_with(ordering)?;
        Ok(CartSignature(splitkit_common::webhook::sign(
            secret.expose(),
            &[canonical.as_bytes()],
        )))
    }

    /// Whether `signature` is this cart's signature under `secret` (constant-time comparison).
    pub fn verify_signature(
        &self,
        secret: &SigningSecret,
        ordering: IdOrdering,
        signature: &str,
    ) -> Result<bool, Error> {
        let canonical = self.canonical_json_with(ordering)?;
        Ok(signature_matches(
            secret.secret().expose(),
            &[canonical.as_bytes()],
            signature,
        ))
    }
}
