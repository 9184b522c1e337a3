//! The neutral model: what to create (a cart and how to split it) and what a group payment is
//! (state, amounts, share links, shares), with the provider's own values kept beside it.

use std::fmt;
use std::time::Duration;

use splitkit_common::{Currency, MinorUnits, SecretString, Timestamp};

use crate::capabilities::{Capabilities, Capability, Support};
use crate::error::Error;
use crate::provider::ProviderKind;

/// One line of the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub(crate) id: Option<String>,
    pub(crate) name: String,
    pub(crate) quantity: u32,
    pub(crate) unit_amount: MinorUnits,
    pub(crate) url: Option<String>,
}

impl LineItem {
    /// `quantity` of `name` at `unit_amount` minor units each.
    pub fn new(name: impl Into<String>, quantity: u32, unit_amount: impl Into<MinorUnits>) -> Self {
        Self {
            id: None,
            name: name.into(),
            quantity,
            unit_amount: unit_amount.into(),
            url: None,
        }
    }

    /// Your id for the item (a SKU). Providers that need one (FairShare's per-item split) get
    /// `item-<n>` when it is left out.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// A product page (Splitable shows it).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The item's id, when set.
    pub fn item_id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The item's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many.
    pub fn quantity(&self) -> u32 {
        self.quantity
    }

    /// The price of one, in minor units.
    pub fn unit_amount(&self) -> MinorUnits {
        self.unit_amount
    }

    /// `quantity × unit_amount`, or `None` on overflow.
    pub fn subtotal(&self) -> Option<MinorUnits> {
        self.unit_amount.checked_mul(i64::from(self.quantity))
    }
}

/// What the group pays for: line items, tax and shipping in one currency. The total is their
/// sum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    pub(crate) currency: Currency,
    pub(crate) items: Vec<LineItem>,
    pub(crate) tax: MinorUnits,
    pub(crate) shipping: MinorUnits,
}

impl Cart {
    /// An empty cart in `currency`.
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            items: Vec::new(),
            tax: MinorUnits::ZERO,
            shipping: MinorUnits::ZERO,
        }
    }

    /// Adds a line.
    pub fn item(mut self, item: LineItem) -> Self {
        self.items.push(item);
        self
    }

    /// Tax, in minor units.
    pub fn tax(mut self, tax: impl Into<MinorUnits>) -> Self {
        self.tax = tax.into();
        self
    }

    /// Shipping, in minor units.
    pub fn shipping(mut self, shipping: impl Into<MinorUnits>) -> Self {
        self.shipping = shipping.into();
        self
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The lines.
    pub fn items(&self) -> &[LineItem] {
        &self.items
    }

    /// Tax, in minor units.
    pub fn tax_amount(&self) -> MinorUnits {
        self.tax
    }

    /// Shipping, in minor units.
    pub fn shipping_amount(&self) -> MinorUnits {
        self.shipping
    }

    /// Items plus tax plus shipping, after checking every line: at least one item, names not
    /// empty, quantities of at least 1, no negative amount, no overflow, a total above zero.
    pub fn total(&self) -> Result<MinorUnits, Error> {
        if self.items.is_empty() {
            return Err(Error::invalid("cart.items", "needs at least one item"));
        }
        let mut total = MinorUnits::ZERO;
        for (i, item) in self.items.iter().enumerate() {
            let field = |name: &str| format!("cart.items[{i}].{name}");
            if item.name.trim().is_empty() {
                return Err(Error::invalid(field("name"), "must not be empty"));
            }
            if item.quantity == 0 {
                return Err(Error::invalid(field("quantity"), "must be at least 1"));
            }
            if item.unit_amount.is_negative() {
                return Err(Error::invalid(
                    field("unit_amount"),
                    format!("must not be negative, got {}", item.unit_amount),
                ));
            }
            total = item
                .subtotal()
                .and_then(|s| total.checked_add(s))
                .ok_or_else(|| Error::invalid(field("unit_amount"), "the total overflows"))?;
        }
        for (field, amount) in [("cart.tax", self.tax), ("cart.shipping", self.shipping)] {
            if amount.is_negative() {
                return Err(Error::invalid(
                    field,
                    format!("must not be negative, got {amount}"),
                ));
            }
            total = total
                .checked_add(amount)
                .ok_or_else(|| Error::invalid(field, "the total overflows"))?;
        }
        if total == MinorUnits::ZERO {
            return Err(Error::invalid("cart", "the total must be above zero"));
        }
        Ok(total)
    }
}

/// How the total is divided between the payers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Split {
    /// Equal shares (any remainder of the division falls on one share, as the provider decides).
    Equal {
        /// How many shares.
        shares: u32,
    },
    /// Each payer claims items of the cart.
    PerItem,
    /// Each payer chooses what to pay until the total is reached.
    Flexible,
    /// The merchant gives each [`Participant`] an amount; the amounts add up to the total.
    Assigned,
}

impl Split {
    /// The capability this split needs.
    pub fn capability(self) -> Capability {
        match self {
            Self::Equal { .. } => Capability::EqualSplit,
            Self::PerItem => Capability::PerItemSplit,
            Self::Flexible => Capability::FlexibleSplit,
            Self::Assigned => Capability::AssignedSplit,
        }
    }
}

/// Someone who pays, named with the provider's own id for them (Zepto: the id of a Contact
/// with an accepted Agreement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub(crate) provider_id: String,
    pub(crate) name: Option<String>,
    pub(crate) amount: Option<MinorUnits>,
}

impl Participant {
    /// The participant the provider knows as `provider_id`.
    pub fn new(provider_id: impl Into<String>) -> Self {
        Self {
            provider_id: provider_id.into(),
            name: None,
            amount: None,
        }
    }

    /// A name for your records (shown in [`Share::name`]).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Their amount, for [`Split::Assigned`].
    pub fn amount(mut self, amount: impl Into<MinorUnits>) -> Self {
        self.amount = Some(amount.into());
        self
    }

    /// The provider's id for them.
    pub fn provider_id(&self) -> &str {
        &self.provider_id
    }
}

/// The person who starts the group (Ante pre-fills the group with them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organizer {
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
}

impl Organizer {
    /// Nobody named yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Their name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Their email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }
}

/// A group payment to create: "collect this cart from a group".
///
/// Every option is checked against the provider's [`Capabilities`] by
/// [`SplitProvider::create`](crate::SplitProvider::create) before anything is sent: an option the
/// provider cannot honour is [`Error::Unsupported`], a missing one it needs is
/// [`Error::Invalid`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGroupPayment {
    pub(crate) cart: Cart,
    pub(crate) merchant_reference: String,
    pub(crate) split: Split,
    pub(crate) description: Option<String>,
    pub(crate) participants: Vec<Participant>,
    pub(crate) organizer: Option<Organizer>,
    pub(crate) expires_in: Option<Duration>,
    pub(crate) success_url: Option<String>,
    pub(crate) cancel_url: Option<String>,
    pub(crate) failure_url: Option<String>,
    pub(crate) notify_url: Option<String>,
}

impl NewGroupPayment {
    /// Collect `cart`, split as `split`, under your `merchant_reference` (your order id: it
    /// comes back on the payment and on every event, and it keys idempotent creates).
    pub fn new(cart: Cart, merchant_reference: impl Into<String>, split: Split) -> Self {
        Self {
            cart,
            merchant_reference: merchant_reference.into(),
            split,
            description: None,
            participants: Vec::new(),
            organizer: None,
            expires_in: None,
            success_url: None,
            cancel_url: None,
            failure_url: None,
            notify_url: None,
        }
    }

    /// A title shown to payers (FairShare's session title, Splitable's description, Zepto's
    /// debit description; Ante shows the cart). Defaults to the merchant reference where a
    /// provider needs one.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Adds a payer ([`Capabilities::participants`]).
    pub fn participant(mut self, participant: Participant) -> Self {
        self.participants.push(participant);
        self
    }

    /// Sets every payer at once.
    pub fn participants(mut self, participants: impl IntoIterator<Item = Participant>) -> Self {
        self.participants = participants.into_iter().collect();
        self
    }

    /// The organizer ([`Capabilities::organizer`]).
    pub fn organizer(mut self, organizer: Organizer) -> Self {
        self.organizer = Some(organizer);
        self
    }

    /// How long the group has to pay ([`Capabilities::expiry`]: a whole number of the
    /// provider's unit, within its range).
    pub fn expires_in(mut self, expires_in: Duration) -> Self {
        self.expires_in = Some(expires_in);
        self
    }

    /// Where payers return after paying.
    pub fn success_url(mut self, url: impl Into<String>) -> Self {
        self.success_url = Some(url.into());
        self
    }

    /// Where payers return when they leave or the payment is cancelled.
    pub fn cancel_url(mut self, url: impl Into<String>) -> Self {
        self.cancel_url = Some(url.into());
        self
    }

    /// Where payers return when a payment fails.
    pub fn failure_url(mut self, url: impl Into<String>) -> Self {
        self.failure_url = Some(url.into());
        self
    }

    /// This payment's webhook (callback) URL ([`Capabilities::notify_url`]).
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into());
        self
    }

    /// The cart.
    pub fn cart(&self) -> &Cart {
        &self.cart
    }

    /// Your reference.
    pub fn merchant_reference(&self) -> &str {
        &self.merchant_reference
    }

    /// The split.
    pub fn split(&self) -> Split {
        self.split
    }

    /// The description, or the merchant reference when none was set.
    pub(crate) fn title(&self) -> &str {
        self.description
            .as_deref()
            .unwrap_or(&self.merchant_reference)
    }

    /// Checks the request against `caps` and the rules every provider shares, and returns the
    /// cart total. Nothing is sent before this passes.
    pub(crate) fn check(&self, caps: &Capabilities) -> Result<MinorUnits, Error> {
        let provider = caps.provider;
        let refuse = |capability: Capability, detail: String| {
            Err(Error::unsupported(provider, capability, detail))
        };
        if self.merchant_reference.trim().is_empty() {
            return Err(Error::invalid("merchant_reference", "must not be empty"));
        }
        let total = self.cart.total()?;
        if !caps.currencies.contains(self.cart.currency) {
            return refuse(
                Capability::Currency,
                format!(
                    "{provider} does not collect {}",
                    self.cart.currency.as_str()
                ),
            );
        }
        if !caps.supports(self.split.capability()) {
            return refuse(
                self.split.capability(),
                format!("{provider} cannot split a payment this way"),
            );
        }
        if let (Split::Equal { shares }, Some(range)) = (self.split, caps.equal_split)
            && !(range.min..=range.max).contains(&shares)
        {
            return refuse(
                Capability::EqualSplit,
                format!(
                    "{shares} shares asked; {provider} takes {} to {}",
                    range.min, range.max
                ),
            );
        }
        self.check_participants(caps, total)?;
        if self.organizer.is_some() && !caps.organizer {
            return refuse(
                Capability::Organizer,
                format!("{provider} does not take an organizer"),
            );
        }
        if let Some(expires_in) = self.expires_in {
            let Some(range) = caps.expiry else {
                return refuse(
                    Capability::Expiry,
                    format!("{provider} payments do not expire"),
                );
            };
            let whole = expires_in.as_nanos() % range.unit.as_nanos().max(1) == 0;
            if !whole || expires_in < range.min || expires_in > range.max {
                return refuse(
                    Capability::Expiry,
                    format!(
                        "{}s asked; {provider} takes {}s to {}s in whole {}s",
                        expires_in.as_secs(),
                        range.min.as_secs(),
                        range.max.as_secs(),
                        range.unit.as_secs()
                    ),
                );
            }
        }
        for (capability, value, supported) in [
            (Capability::SuccessUrl, &self.success_url, caps.success_url),
            (Capability::CancelUrl, &self.cancel_url, caps.cancel_url),
            (Capability::FailureUrl, &self.failure_url, caps.failure_url),
        ] {
            if value.is_some() && !supported {
                return refuse(capability, format!("{provider} takes no {capability}"));
            }
        }
        match (caps.notify_url, &self.notify_url) {
            (Support::No, Some(_)) => refuse(
                Capability::NotifyUrl,
                format!("{provider} webhooks go to the endpoints configured with {provider}"),
            ),
            (Support::Required, None) => Err(Error::invalid(
                "notify_url",
                format!("{provider} needs a notify URL for every payment"),
            )),
            _ => Ok(total),
        }
    }

    fn check_participants(&self, caps: &Capabilities, total: MinorUnits) -> Result<(), Error> {
        let provider = caps.provider;
        match caps.participants {
            Support::No if !self.participants.is_empty() => {
                return Err(Error::unsupported(
                    provider,
                    Capability::Participants,
                    format!("{provider} lets the group form on its own pages"),
                ));
            }
            Support::Required if self.participants.is_empty() => {
                return Err(Error::invalid(
                    "participants",
                    format!("{provider} collects from named participants: give at least one"),
                ));
            }
            _ => {}
        }
        for (i, p) in self.participants.iter().enumerate() {
            if p.provider_id.trim().is_empty() {
                return Err(Error::invalid(
                    format!("participants[{i}].provider_id"),
                    "must not be empty",
                ));
            }
            match (self.split, p.amount) {
                (Split::Assigned, None) => {
                    return Err(Error::invalid(
                        format!("participants[{i}].amount"),
                        "an assigned split needs every participant's amount",
                    ));
                }
                (Split::Assigned, Some(amount)) if amount <= MinorUnits::ZERO => {
                    return Err(Error::invalid(
                        format!("participants[{i}].amount"),
                        format!("must be above zero, got {amount}"),
                    ));
                }
                (Split::Assigned, Some(_)) | (_, None) => {}
                (_, Some(_)) => {
                    return Err(Error::invalid(
                        format!("participants[{i}].amount"),
                        "amounts are given only with Split::Assigned",
                    ));
                }
            }
        }
        match self.split {
            Split::Assigned => {
                let sum =
                    MinorUnits::checked_sum(self.participants.iter().filter_map(|p| p.amount));
                if sum != Some(total) {
                    return Err(Error::invalid(
                        "participants",
                        format!(
                            "the assigned amounts add up to {}, not the cart total {total}",
                            sum.map_or_else(|| "more than i64".into(), |s| s.to_string())
                        ),
                    ));
                }
            }
            Split::Equal { shares }
                if !self.participants.is_empty()
                    && usize::try_from(shares).ok() != Some(self.participants.len()) =>
            {
                return Err(Error::invalid(
                    "participants",
                    format!(
                        "{} participants for {shares} equal shares",
                        self.participants.len()
                    ),
                ));
            }
            _ => {}
        }
        Ok(())
    }
}

/// Where a group payment stands, the same words for every provider. The provider's own status
/// is kept beside it ([`GroupPayment::provider_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Created; nothing paid yet.
    Open,
    /// Some of the total is paid.
    PartiallyPaid,
    /// Every share is paid: fulfil the order.
    Funded,
    /// The time ran out before it was funded (paid shares are refunded or voided by the
    /// provider).
    Expired,
    /// Cancelled before it was funded.
    Cancelled,
    /// A payment failed and the group payment cannot complete as created.
    Failed,
    /// Funded, then refunded.
    Refunded,
    /// The provider reports a state this SDK does not know (see the provider state).
    Unknown,
}

impl State {
    /// Whether more money can still come in (`Open`, `PartiallyPaid`).
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::PartiallyPaid)
    }

    /// The state's name (`"partially_paid"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PartiallyPaid => "partially_paid",
            Self::Funded => "funded",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
            Self::Unknown => "unknown",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where one payer's share stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ShareStatus {
    /// Not paid yet (or on its way).
    Pending,
    /// Paid.
    Paid,
    /// The payment failed.
    Failed,
    /// Cancelled or voided before it was paid.
    Cancelled,
    /// Paid, then refunded.
    Refunded,
    /// A status this SDK does not know.
    Unknown,
}

/// One payer's share, as far as the provider tells.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Share {
    /// The provider's id of the share (Ante member, FairShare contribution, Zepto Payment
    /// Request).
    pub id: Option<String>,
    /// The payer's name, when known.
    pub name: Option<String>,
    /// The amount, in minor units.
    pub amount: Option<MinorUnits>,
    /// Where it stands.
    pub status: ShareStatus,
    /// The provider's own status of the share.
    pub provider_status: String,
}

/// Who a share link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkAudience {
    /// The organizer only: it signs them in, so it is a credential.
    Organizer,
    /// Every payer.
    Everyone,
}

/// A page where the group pays. The URL is kept in a [`SecretString`] (Ante's embeds the
/// organizer's access token), so it never shows in `Debug` output: `.url.expose()` to send it to
/// the payer's browser.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ShareLink {
    /// Who it is for.
    pub audience: LinkAudience,
    /// The URL.
    pub url: SecretString,
}

impl ShareLink {
    pub(crate) fn new(audience: LinkAudience, url: impl Into<SecretString>) -> Self {
        Self {
            audience,
            url: url.into(),
        }
    }
}

/// The provider's own value behind a [`GroupPayment`], typed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProviderPayment {
    /// What Ante answered to the create.
    AnteCreated(Box<ante_client::CreatedSession>),
    /// An Ante session as read.
    AnteSession(Box<ante_client::Session>),
    /// A FairShare split session.
    FairShare(Box<fairshare_client::SplitSession>),
    /// What split(able) answered to the create.
    Splitable(splitable_client::CreatedSplit),
    /// Zepto's Payment Requests, one per participant, with their transactions.
    Zepto(Vec<crate::providers::zepto::ZeptoShare>),
}

/// A group payment as the neutral API sees it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GroupPayment {
    /// The provider.
    pub provider: ProviderKind,
    /// Its id: give it to [`SplitProvider::get`](crate::SplitProvider::get) and
    /// [`SplitProvider::cancel`](crate::SplitProvider::cancel).
    pub id: String,
    /// Your reference, when the provider keeps or echoes it.
    pub merchant_reference: Option<String>,
    /// The normalised state.
    pub state: State,
    /// The provider's own state, as it wrote it (`pending`, `PARTIAL`, ...).
    pub provider_state: String,
    /// The currency, when the provider tells (Ante's session read does not).
    pub currency: Option<Currency>,
    /// The total, in minor units, when known.
    pub total: Option<MinorUnits>,
    /// How much is paid so far, in minor units, when the provider tells
    /// ([`Capabilities::partial_payment_visibility`]).
    pub collected: Option<MinorUnits>,
    /// When it expires, when it does and the provider tells.
    pub expires_at: Option<Timestamp>,
    /// Where the group pays (from the create; reads return them where the provider does).
    pub share_links: Vec<ShareLink>,
    /// The shares the provider shows.
    pub shares: Vec<Share>,
    /// The provider's value, typed.
    pub raw: ProviderPayment,
}
