//! The five Ante credentials as types: each parsed from a string with its prefix checked, each
//! masked in `Debug`.
//!
//! | Type | Prefixes | Used for |
//! |---|---|---|
//! | [`PublishableKey`] | `ante_pk_test_`, `ante_pk_live_` (`plurel_pk_…`) | bearer key; session create needs a cart signature |
//! | [`SecretKey`] | `ante_sk_test_`, `ante_sk_live_` (`plurel_sk_…`) | bearer key, server only; merchant and webhook endpoint calls |
//! | [`SigningSecret`] | `ante_sign_` (`plurel_sign_`) | cart HMAC; verifies per-session `webhook_url` deliveries |
//! | [`MerchantId`] | `ante_merch_` (`plurel_merch_`) | optional `X-Merchant-ID` header |
//! | [`WebhookSecret`] | `whsec_` | verifies dashboard webhook endpoint deliveries |
//!
//! Parsing trims surrounding whitespace (a trailing newline from a secrets file is common), then
//! checks the prefix, the characters and the length. A wrong value is a local
//! [`Error::Validation`] naming the credential and saying
//! what it looks like instead (e.g. "this is a secret API key, not the signing secret"), without
//! ever repeating the value. Nothing is sent to Ante to find out.

use std::fmt;
use std::str::FromStr;

use splitkit_common::{Error, SecretString};

/// Test (sandbox) or live mode. Ante serves both from one host: the mode follows the API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Sandbox: `…_test_` keys, Stripe test cards, no Connect transfers.
    Test,
    /// Live payments: `…_live_` keys.
    Live,
}

impl Mode {
    /// `"test"` or `"live"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Live => "live",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The prefix family of a credential: the original `ante_` or the Plurel Pay rebrand `plurel_`.
/// Ante accepts both; the brand is informational.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Brand {
    /// `ante_…` prefixes.
    Ante,
    /// `plurel_…` prefixes (Plurel Pay).
    Plurel,
}

/// Which credential a prefix belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Publishable,
    Secret,
    Signing,
    Merchant,
    Webhook,
}

impl Kind {
    const fn describe(self) -> &'static str {
        match self {
            Self::Publishable => "a publishable key",
            Self::Secret => "a secret API key",
            Self::Signing => "the signing secret",
            Self::Merchant => "a merchant id",
            Self::Webhook => "a webhook endpoint secret",
        }
    }

    const fn expected(self) -> &'static str {
        match self {
            Self::Publishable => {
                "`ante_pk_test_`, `ante_pk_live_`, `plurel_pk_test_` or `plurel_pk_live_`"
            }
            Self::Secret => {
                "`ante_sk_test_`, `ante_sk_live_`, `plurel_sk_test_` or `plurel_sk_live_`"
            }
            Self::Signing => "`ante_sign_` or `plurel_sign_`",
            Self::Merchant => "`ante_merch_` or `plurel_merch_`",
            Self::Webhook => "`whsec_`",
        }
    }

    /// The shortest full value. The dashboard shows the first 16 characters of keys; Plurel's
    /// reference storefront treats an API key of 20 characters or fewer as such a prefix. For
    /// the secrets only the 16-character display itself is refused (Ante's own signing example
    /// uses the 17-character `ante_sign_example`). Merchant ids are not secrets and have no
    /// minimum.
    const fn min_len(self) -> usize {
        match self {
            Self::Publishable | Self::Secret => 21,
            Self::Signing | Self::Webhook => 17,
            Self::Merchant => 0,
        }
    }
}

struct Prefix {
    text: &'static str,
    kind: Kind,
    mode: Option<Mode>,
    brand: Brand,
}

const fn prefix(text: &'static str, kind: Kind, mode: Option<Mode>, brand: Brand) -> Prefix {
    Prefix {
        text,
        kind,
        mode,
        brand,
    }
}

/// Every prefix Ante documents, both brands. `whsec_` has no `plurel_` form.
const PREFIXES: &[Prefix] = &[
    prefix(
        "ante_pk_test_",
        Kind::Publishable,
        Some(Mode::Test),
        Brand::Ante,
    ),
    prefix(
        "ante_pk_live_",
        Kind::Publishable,
        Some(Mode::Live),
        Brand::Ante,
    ),
    prefix(
        "plurel_pk_test_",
        Kind::Publishable,
        Some(Mode::Test),
        Brand::Plurel,
    ),
    prefix(
        "plurel_pk_live_",
        Kind::Publishable,
        Some(Mode::Live),
        Brand::Plurel,
    ),
    prefix("ante_sk_test_", Kind::Secret, Some(Mode::Test), Brand::Ante),
    prefix("ante_sk_live_", Kind::Secret, Some(Mode::Live), Brand::Ante),
    prefix(
        "plurel_sk_test_",
        Kind::Secret,
        Some(Mode::Test),
        Brand::Plurel,
    ),
    prefix(
        "plurel_sk_live_",
        Kind::Secret,
        Some(Mode::Live),
        Brand::Plurel,
    ),
    prefix("ante_sign_", Kind::Signing, None, Brand::Ante),
    prefix("plurel_sign_", Kind::Signing, None, Brand::Plurel),
    prefix("ante_merch_", Kind::Merchant, None, Brand::Ante),
    prefix("plurel_merch_", Kind::Merchant, None, Brand::Plurel),
    prefix("whsec_", Kind::Webhook, None, Brand::Ante),
];

/// Key families whose mode segment must follow: `ante_pk_` + `test_`/`live_`.
const MODE_FAMILIES: &[(&str, Kind)] = &[
    ("ante_pk_", Kind::Publishable),
    ("plurel_pk_", Kind::Publishable),
    ("ante_sk_", Kind::Secret),
    ("plurel_sk_", Kind::Secret),
];

/// A checked credential: the trimmed text and what its prefix says.
struct Parsed {
    text: String,
    prefix: &'static Prefix,
}

fn parse(field: &'static str, want: Want, input: &str) -> Result<Parsed, Error> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Error::validation(field, "is empty"));
    }
    let Some(found) = PREFIXES.iter().find(|p| text.starts_with(p.text)) else {
        if let Some((family, _)) = MODE_FAMILIES
            .iter()
            .find(|(family, kind)| want.kinds.contains(kind) && text.starts_with(family))
        {
            return Err(Error::validation(
                field,
                format!(
                    "`{family}` must be followed by the mode, `test_` or `live_` (expected {})",
                    want.expected
                ),
            ));
        }
        return Err(Error::validation(
            field,
            format!(
                "must start with {} ({} characters given, none of them a known Ante prefix)",
                want.expected,
                text.chars().count()
            ),
        ));
    };
    if !want.kinds.contains(&found.kind) {
        return Err(Error::validation(
            field,
            format!(
                "this is {} (`{}…`), not {}: expected a value starting with {}",
                found.kind.describe(),
                found.text,
                want.description,
                want.expected
            ),
        ));
    }
    let rest = &text[found.text.len()..];
    if rest.is_empty() {
        return Err(Error::validation(
            field,
            format!("is only the prefix `{}`", found.text),
        ));
    }
    if !rest.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::validation(
            field,
            format!(
                "has characters after `{}` that no Ante credential has (spaces, `…` or other \
                 non-ASCII): copy the full value",
                found.text
            ),
        ));
    }
    if text.len() < found.kind.min_len() {
        return Err(Error::validation(
            field,
            format!(
                "is only {} characters: this looks like the 16-character prefix the dashboard \
                 shows; copy the full value (shown once, at creation or rotation)",
                text.len()
            ),
        ));
    }
    Ok(Parsed {
        text: text.to_owned(),
        prefix: found,
    })
}

/// What a parse accepts, and how to say so.
#[derive(Clone, Copy)]
struct Want {
    kinds: &'static [Kind],
    description: &'static str,
    expected: &'static str,
}

impl Want {
    const fn one(kind: Kind) -> Self {
        Self {
            kinds: match kind {
                Kind::Publishable => &[Kind::Publishable],
                Kind::Secret => &[Kind::Secret],
                Kind::Signing => &[Kind::Signing],
                Kind::Merchant => &[Kind::Merchant],
                Kind::Webhook => &[Kind::Webhook],
            },
            description: kind.describe(),
            expected: kind.expected(),
        }
    }

    const API_KEY: Self = Self {
        kinds: &[Kind::Publishable, Kind::Secret],
        description: "an API key",
        expected: "`ante_pk_test_`, `ante_pk_live_`, `ante_sk_test_`, `ante_sk_live_` or their \
                   `plurel_` forms",
    };
}

fn masked(f: &mut fmt::Formatter<'_>, name: &str, prefix: &str) -> fmt::Result {
    write!(f, "{name}({prefix}***)")
}

macro_rules! from_str_via_parse {
    ($ty:ty) => {
        impl FromStr for $ty {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }
    };
}

/// A publishable key (`ante_pk_test_…` / `ante_pk_live_…`, or `plurel_pk_…`).
///
/// Scopes `payments:read` and `payments:write` per Ante's REST page. Creating a session with it
/// needs a cart signature, so a client with a publishable key also needs the
/// [`SigningSecret`]. It cannot call `GET /merchants/me` or the webhook endpoint API.
#[derive(Clone, PartialEq, Eq)]
pub struct PublishableKey {
    key: SecretString,
    prefix: &'static str,
    mode: Mode,
    brand: Brand,
}

impl PublishableKey {
    /// Parses a publishable key.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let p = parse("publishable_key", Want::one(Kind::Publishable), value)?;
        Ok(Self {
            key: SecretString::new(p.text),
            prefix: p.prefix.text,
            mode: p.prefix.mode.unwrap_or(Mode::Test),
            brand: p.prefix.brand,
        })
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// `ante_` or `plurel_`.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The full key, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        self.key.expose()
    }
}

impl fmt::Debug for PublishableKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        masked(f, "PublishableKey", self.prefix)
    }
}

from_str_via_parse!(PublishableKey);

/// A secret API key (`ante_sk_test_…` / `ante_sk_live_…`, or `plurel_sk_…`). Server only.
///
/// Scopes `payments`, `webhooks:write` and `merchants:read`. Ante rejects it (403) when the
/// request has an `Origin` header; this SDK never sends one.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey {
    key: SecretString,
    prefix: &'static str,
    mode: Mode,
    brand: Brand,
}

impl SecretKey {
    /// Parses a secret key.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let p = parse("secret_key", Want::one(Kind::Secret), value)?;
        Ok(Self {
            key: SecretString::new(p.text),
            prefix: p.prefix.text,
            mode: p.prefix.mode.unwrap_or(Mode::Test),
            brand: p.prefix.brand,
        })
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// `ante_` or `plurel_`.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The full key, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        self.key.expose()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        masked(f, "SecretKey", self.prefix)
    }
}

from_str_via_parse!(SecretKey);

/// Which kind of API key a client authenticates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `ante_pk_…`.
    Publishable,
    /// `ante_sk_…`.
    Secret,
}

/// The bearer key of a client: publishable or secret.
#[derive(Clone, PartialEq, Eq)]
pub enum ApiKey {
    /// A publishable key.
    Publishable(PublishableKey),
    /// A secret key.
    Secret(SecretKey),
}

impl ApiKey {
    /// Parses either kind of key, telling them apart by prefix.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let p = parse("api_key", Want::API_KEY, value)?;
        let key = SecretString::new(p.text);
        let mode = p.prefix.mode.unwrap_or(Mode::Test);
        Ok(match p.prefix.kind {
            Kind::Publishable => Self::Publishable(PublishableKey {
                key,
                prefix: p.prefix.text,
                mode,
                brand: p.prefix.brand,
            }),
            _ => Self::Secret(SecretKey {
                key,
                prefix: p.prefix.text,
                mode,
                brand: p.prefix.brand,
            }),
        })
    }

    /// Publishable or secret.
    pub fn kind(&self) -> KeyKind {
        match self {
            Self::Publishable(_) => KeyKind::Publishable,
            Self::Secret(_) => KeyKind::Secret,
        }
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> Mode {
        match self {
            Self::Publishable(k) => k.mode(),
            Self::Secret(k) => k.mode(),
        }
    }

    /// `ante_` or `plurel_`.
    pub fn brand(&self) -> Brand {
        match self {
            Self::Publishable(k) => k.brand(),
            Self::Secret(k) => k.brand(),
        }
    }

    /// The full key, for the `Authorization` header.
    pub fn expose(&self) -> &str {
        match self {
            Self::Publishable(k) => k.expose(),
            Self::Secret(k) => k.expose(),
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Publishable(k) => k.fmt(f),
            Self::Secret(k) => k.fmt(f),
        }
    }
}

impl From<PublishableKey> for ApiKey {
    fn from(value: PublishableKey) -> Self {
        Self::Publishable(value)
    }
}

impl From<SecretKey> for ApiKey {
    fn from(value: SecretKey) -> Self {
        Self::Secret(value)
    }
}

from_str_via_parse!(ApiKey);

/// The merchant signing secret (`ante_sign_…` or `plurel_sign_…`): the HMAC key of cart
/// signatures, and of the webhooks Ante sends to a per-session `webhook_url`.
///
/// One value serves test and live. It is never sent to Ante.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret {
    secret: SecretString,
    prefix: &'static str,
    brand: Brand,
}

impl SigningSecret {
    /// Parses a signing secret.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let p = parse("signing_secret", Want::one(Kind::Signing), value)?;
        Ok(Self {
            secret: SecretString::new(p.text),
            prefix: p.prefix.text,
            brand: p.prefix.brand,
        })
    }

    /// `ante_` or `plurel_`.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The full secret (trimmed), the HMAC key.
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }

    pub(crate) fn secret(&self) -> &SecretString {
        &self.secret
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        masked(f, "SigningSecret", self.prefix)
    }
}

from_str_via_parse!(SigningSecret);

/// A merchant id (`ante_merch_…` or `plurel_merch_…`), sent as `X-Merchant-ID` when configured.
/// Ante checks that it matches the key. Not a secret, but masked in `Debug` like the others.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MerchantId {
    id: String,
    prefix: &'static str,
    brand: Brand,
}

impl MerchantId {
    /// Parses a merchant id.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let p = parse("merchant_id", Want::one(Kind::Merchant), value)?;
        Ok(Self {
            id: p.text,
            prefix: p.prefix.text,
            brand: p.prefix.brand,
        })
    }

    /// `ante_` or `plurel_`.
    pub fn brand(&self) -> Brand {
        self.brand
    }

    /// The id as sent in `X-Merchant-ID`.
    pub fn as_str(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for MerchantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        masked(f, "MerchantId", self.prefix)
    }
}

from_str_via_parse!(MerchantId);

/// The signing secret of one dashboard webhook endpoint (`whsec_…`), shown once when the
/// endpoint is created (in the dashboard or by
/// [`WebhookEndpoints::create`](crate::WebhookEndpoints::create)).
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    secret: SecretString,
}

impl WebhookSecret {
    /// Parses a webhook endpoint secret.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let p = parse("webhook_secret", Want::one(Kind::Webhook), value)?;
        Ok(Self {
            secret: SecretString::new(p.text),
        })
    }

    /// Wraps a secret Ante returned, whatever its form: the one-time value must not be lost
    /// because its prefix is unexpected.
    pub(crate) fn from_answer(secret: SecretString) -> Self {
        if Self::parse(secret.expose()).is_err() {
            tracing::warn!(
                "the webhook secret Ante returned does not look like `whsec_…`; kept as returned"
            );
        }
        Self { secret }
    }

    /// The full secret, the HMAC key.
    pub fn expose(&self) -> &str {
        self.secret.expose()
    }

    pub(crate) fn secret(&self) -> &SecretString {
        &self.secret
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        masked(f, "WebhookSecret", "whsec_")
    }
}

from_str_via_parse!(WebhookSecret);
