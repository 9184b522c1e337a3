//! What each provider can do, as data: the checks that refuse a request before it is sent and
//! the table in the crate documentation are both made from it.

use std::fmt;
use std::time::Duration;

use splitkit_common::Currency;

use crate::event::EventKind;
use crate::provider::ProviderKind;

/// One thing a provider may or may not support; named by [`Error::Unsupported`](crate::Error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// Reading a group payment's state by its id ([`SplitProvider::get`](crate::SplitProvider::get)).
    Lookup,
    /// Cancelling an open group payment through the API.
    Cancel,
    /// Refunding a funded group payment through the API.
    Refund,
    /// Equal shares ([`Split::Equal`](crate::Split::Equal)), with the provider's range of share counts.
    EqualSplit,
    /// Payers claim cart items ([`Split::PerItem`](crate::Split::PerItem)).
    PerItemSplit,
    /// Payers choose their amounts ([`Split::Flexible`](crate::Split::Flexible)).
    FlexibleSplit,
    /// The merchant assigns each participant's amount ([`Split::Assigned`](crate::Split::Assigned)).
    AssignedSplit,
    /// An expiry set by the merchant, within the provider's range and unit.
    Expiry,
    /// A return URL after payment.
    SuccessUrl,
    /// A return URL when the payer leaves or the payment is cancelled.
    CancelUrl,
    /// A return URL when a payment fails.
    FailureUrl,
    /// A per-payment webhook (callback) URL.
    NotifyUrl,
    /// Naming the organizer who starts the group.
    Organizer,
    /// Naming who pays, with the provider's own ids for them.
    Participants,
    /// The cart's currency.
    Currency,
    /// Verifying and parsing webhooks ([`SplitProvider::parse_webhook`](crate::SplitProvider::parse_webhook)).
    Webhooks,
}

impl Capability {
    /// A short human name (`"cancel"`, `"per-item split"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Lookup => "lookup by id",
            Self::Cancel => "cancel",
            Self::Refund => "refund",
            Self::EqualSplit => "equal split",
            Self::PerItemSplit => "per-item split",
            Self::FlexibleSplit => "flexible split",
            Self::AssignedSplit => "assigned split",
            Self::Expiry => "expiry",
            Self::SuccessUrl => "success URL",
            Self::CancelUrl => "cancel URL",
            Self::FailureUrl => "failure URL",
            Self::NotifyUrl => "per-payment notify URL",
            Self::Organizer => "organizer",
            Self::Participants => "participants",
            Self::Currency => "currency",
            Self::Webhooks => "webhooks",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a provider takes an option, and whether it insists on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The provider has no such option: a request that sets it is refused.
    No,
    /// The provider takes it when given.
    Optional,
    /// The provider needs it: a request without it is refused.
    Required,
}

/// The share counts an equal split may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShareRange {
    /// The fewest shares.
    pub min: u32,
    /// The most shares.
    pub max: u32,
}

/// The expiries a provider accepts: from `min` to `max`, in whole multiples of `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryRange {
    /// The shortest.
    pub min: Duration,
    /// The longest.
    pub max: Duration,
    /// The unit the provider counts in (an expiry must be a whole number of them).
    pub unit: Duration,
}

/// Which currencies a provider collects in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Currencies {
    /// Any ISO 4217 currency (the provider or its payment gateway decides at run time).
    Any,
    /// Only these.
    Only(&'static [Currency]),
}

impl Currencies {
    /// Whether `currency` is accepted.
    pub fn contains(&self, currency: Currency) -> bool {
        match self {
            Self::Any => true,
            Self::Only(list) => list.contains(&currency),
        }
    }
}

/// Who the share links of a created group payment are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareLinks {
    /// No link: the provider collects without the payers visiting a page.
    None,
    /// One link for the organizer, who invites the others from the provider's page. It is a
    /// credential (it signs the organizer in).
    Organizer,
    /// One link every payer can open.
    Shared,
}

/// How a provider proves its webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookAuth {
    /// An HMAC-SHA256 signature over the body and a timestamp.
    Hmac,
    /// A shared secret echoed in the body (no signature, no timestamp).
    SharedSecret,
}

/// Everything the neutral API knows about what one provider can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The provider.
    pub provider: ProviderKind,
    /// Reading a group payment by its id.
    pub lookup: bool,
    /// Whether the amount collected so far (or each share's state) can be read before the
    /// payment is complete.
    pub partial_payment_visibility: bool,
    /// Cancelling an open group payment through the API.
    pub cancel: bool,
    /// Refunding a funded group payment through the API.
    pub refund: bool,
    /// A create that is safe to repeat: the neutral API derives an idempotency key from the
    /// merchant reference, so a retried or repeated create returns the first payment.
    pub idempotent_create: bool,
    /// Equal shares, and how many.
    pub equal_split: Option<ShareRange>,
    /// Payers claim cart items.
    pub per_item_split: bool,
    /// Payers choose their amounts until the total is reached.
    pub flexible_split: bool,
    /// The merchant assigns each participant's amount.
    pub assigned_split: bool,
    /// The expiries the merchant may set (`None`: the payment does not expire).
    pub expiry: Option<ExpiryRange>,
    /// A return URL after payment.
    pub success_url: bool,
    /// A return URL when the payer leaves or the payment is cancelled.
    pub cancel_url: bool,
    /// A return URL when a payment fails.
    pub failure_url: bool,
    /// A per-payment webhook (callback) URL.
    pub notify_url: Support,
    /// Naming the organizer (name, email).
    pub organizer: bool,
    /// Naming each payer with the provider's id for them.
    pub participants: Support,
    /// The currencies it collects in.
    pub currencies: Currencies,
    /// Whether payers see the cart's line items.
    pub line_items_shown: bool,
    /// The share links a create returns.
    pub share_links: ShareLinks,
    /// Whether the webhooks are verified (always) and how.
    pub webhooks: WebhookAuth,
    /// The neutral events its webhooks produce (besides [`EventKind::Other`] and
    /// [`EventKind::Unrecognised`], which every provider can produce).
    pub events: &'static [EventKind],
}

impl Capabilities {
    /// The capabilities of `provider`.
    pub fn of(provider: ProviderKind) -> &'static Capabilities {
        match provider {
            ProviderKind::Ante => &ANTE,
            ProviderKind::FairShare => &FAIRSHARE,
            ProviderKind::Splitable => &SPLITABLE,
            ProviderKind::Zepto => &ZEPTO,
        }
    }

    /// Whether the provider supports `capability` at all (an option it takes or needs, an
    /// operation it offers). Ranges (share counts, expiries, currencies) are checked by the
    /// adapters against the request.
    pub fn supports(&self, capability: Capability) -> bool {
        match capability {
            Capability::Lookup => self.lookup,
            Capability::Cancel => self.cancel,
            Capability::Refund => self.refund,
            Capability::EqualSplit => self.equal_split.is_some(),
            Capability::PerItemSplit => self.per_item_split,
            Capability::FlexibleSplit => self.flexible_split,
            Capability::AssignedSplit => self.assigned_split,
            Capability::Expiry => self.expiry.is_some(),
            Capability::SuccessUrl => self.success_url,
            Capability::CancelUrl => self.cancel_url,
            Capability::FailureUrl => self.failure_url,
            Capability::NotifyUrl => self.notify_url != Support::No,
            Capability::Organizer => self.organizer,
            Capability::Participants => self.participants != Support::No,
            Capability::Currency => true,
            Capability::Webhooks => true,
        }
    }

    /// `Ok` when the provider supports `capability`, else [`Error::Unsupported`](crate::Error)
    /// naming both.
    pub fn require(&self, capability: Capability) -> Result<(), crate::Error> {
        if self.supports(capability) {
            Ok(())
        } else {
            Err(crate::Error::unsupported(
                self.provider,
                capability,
                format!("{} offers no {capability}", self.provider),
            ))
        }
    }
}

const fn hours(n: u64) -> Duration {
    Duration::from_secs(n * 3600)
}

const fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// Ante: a signed cart, an organizer who invites the group, equal or itemized shares.
pub static ANTE: Capabilities = Capabilities {
    provider: ProviderKind::Ante,
    lookup: true,
    partial_payment_visibility: true,
    cancel: true,
    refund: false,
    idempotent_create: false,
    // The group size is the share count; Ante documents no upper bound.
    equal_split: Some(ShareRange {
        min: 1,
        max: i32::MAX as u32,
    }),
    per_item_split: true,
    flexible_split: false,
    assigned_split: false,
    expiry: Some(ExpiryRange {
        min: hours(1),
        max: hours(i32::MAX as u64),
        unit: hours(1),
    }),
    success_url: true,
    cancel_url: true,
    failure_url: false,
    notify_url: Support::Optional,
    organizer: true,
    participants: Support::No,
    currencies: Currencies::Any,
    line_items_shown: true,
    share_links: ShareLinks::Organizer,
    webhooks: WebhookAuth::Hmac,
    events: &[
        EventKind::Created,
        EventKind::Funded,
        EventKind::Expired,
        EventKind::Cancelled,
    ],
};

/// FairShare: one contributor link, three split types, minutes-long sessions.
pub static FAIRSHARE: Capabilities = Capabilities {
    provider: ProviderKind::FairShare,
    lookup: true,
    partial_payment_visibility: true,
    cancel: false,
    refund: false,
    idempotent_create: true,
    equal_split: Some(ShareRange { min: 2, max: 10 }),
    per_item_split: true,
    flexible_split: true,
    assigned_split: false,
    expiry: Some(ExpiryRange {
        min: minutes(1),
        max: minutes(60),
        unit: minutes(1),
    }),
    success_url: true,
    cancel_url: true,
    failure_url: true,
    notify_url: Support::No,
    organizer: false,
    participants: Support::No,
    currencies: Currencies::Any,
    line_items_shown: true,
    share_links: ShareLinks::Shared,
    webhooks: WebhookAuth::Hmac,
    events: &[
        EventKind::Created,
        EventKind::SharePaid,
        EventKind::PartiallyPaid,
        EventKind::Funded,
        EventKind::Expired,
        EventKind::Cancelled,
        EventKind::Refunded,
    ],
};

/// split(able): a payment hub where the team pays any parts; one callback at the end.
pub static SPLITABLE: Capabilities = Capabilities {
    provider: ProviderKind::Splitable,
    lookup: false,
    partial_payment_visibility: false,
    cancel: false,
    refund: false,
    idempotent_create: false,
    equal_split: None,
    per_item_split: false,
    flexible_split: true,
    assigned_split: false,
    expiry: Some(ExpiryRange {
        min: hours(1),
        max: hours(120),
        unit: hours(1),
    }),
    success_url: false,
    cancel_url: false,
    failure_url: false,
    notify_url: Support::Required,
    organizer: false,
    participants: Support::No,
    currencies: Currencies::Only(&[Currency::USD]),
    line_items_shown: true,
    share_links: ShareLinks::Shared,
    webhooks: WebhookAuth::SharedSecret,
    events: &[EventKind::Funded, EventKind::Expired],
};

/// Zepto: one Payment Request (a direct debit under an accepted Agreement) per participant.
pub static ZEPTO: Capabilities = Capabilities {
    provider: ProviderKind::Zepto,
    lookup: true,
    partial_payment_visibility: true,
    cancel: true,
    refund: false,
    idempotent_create: true,
    equal_split: Some(ShareRange {
        min: 1,
        max: MAX_ZEPTO_SHARES,
    }),
    per_item_split: false,
    flexible_split: false,
    assigned_split: true,
    expiry: None,
    success_url: false,
    cancel_url: false,
    failure_url: false,
    notify_url: Support::No,
    organizer: false,
    participants: Support::Required,
    currencies: Currencies::Only(&[Currency::AUD, Currency::NZD]),
    line_items_shown: false,
    share_links: ShareLinks::None,
    webhooks: WebhookAuth::Hmac,
    events: &[
        EventKind::Created,
        EventKind::SharePaid,
        EventKind::Cancelled,
        EventKind::Failed,
    ],
};

/// The most participants of one Zepto group payment: each is a Payment Request, created and
/// read one by one.
pub const MAX_ZEPTO_SHARES: u32 = 50;

/// Every provider's capabilities, in the order of the documentation's table.
pub static ALL: [&Capabilities; 4] = [&ANTE, &FAIRSHARE, &SPLITABLE, &ZEPTO];

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_string()
}

fn support(value: Support) -> String {
    match value {
        Support::No => "no",
        Support::Optional => "optional",
        Support::Required => "required",
    }
    .to_string()
}

/// `range` in its own unit: `1–60 min`, `1+ h`.
fn expiry(range: ExpiryRange) -> String {
    let unit = range.unit.as_secs().max(1);
    let name = if unit == 3600 {
        "h"
    } else if unit == 60 {
        "min"
    } else {
        "s"
    };
    let (min, max) = (range.min.as_secs() / unit, range.max.as_secs() / unit);
    if max >= i32::MAX as u64 {
        format!("{min}+ {name}")
    } else {
        format!("{min}–{max} {name}")
    }
}

type Row = (&'static str, fn(&Capabilities) -> String);

const ROWS: &[Row] = &[
    ("Lookup by id", |c| yes_no(c.lookup)),
    ("Amount collected before completion", |c| {
        yes_no(c.partial_payment_visibility)
    }),
    ("Cancel", |c| yes_no(c.cancel)),
    ("Refund", |c| yes_no(c.refund)),
    ("Idempotent create", |c| yes_no(c.idempotent_create)),
    ("Equal split", |c| match c.equal_split {
        None => "no".into(),
        Some(r) if r.max >= i32::MAX as u32 => format!("{}+ shares", r.min),
        Some(r) => format!("{}–{} shares", r.min, r.max),
    }),
    ("Per-item split", |c| yes_no(c.per_item_split)),
    ("Flexible split", |c| yes_no(c.flexible_split)),
    ("Assigned split", |c| yes_no(c.assigned_split)),
    ("Expiry (whole units)", |c| {
        c.expiry.map_or_else(|| "no".into(), expiry)
    }),
    ("Success / cancel / failure URL", |c| {
        [c.success_url, c.cancel_url, c.failure_url]
            .map(yes_no)
            .join(" / ")
    }),
    ("Per-payment notify URL", |c| support(c.notify_url)),
    ("Organizer", |c| yes_no(c.organizer)),
    ("Participants (provider ids)", |c| support(c.participants)),
    ("Currencies", |c| match c.currencies {
        Currencies::Any => "any".into(),
        Currencies::Only(list) => list
            .iter()
            .map(Currency::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    }),
    ("Payers see line items", |c| yes_no(c.line_items_shown)),
    ("Share links", |c| {
        match c.share_links {
            ShareLinks::None => "none",
            ShareLinks::Organizer => "organizer's (a credential)",
            ShareLinks::Shared => "one for all payers",
        }
        .into()
    }),
    ("Webhook proof", |c| {
        match c.webhooks {
            WebhookAuth::Hmac => "HMAC signature",
            WebhookAuth::SharedSecret => "shared secret",
        }
        .into()
    }),
    ("Neutral events", |c| {
        c.events
            .iter()
            .map(|e| e.name())
            .collect::<Vec<_>>()
            .join(", ")
    }),
];

/// The capability table of the crate documentation, in Markdown, made from [`ALL`].
pub fn table() -> String {
    let mut out = String::from("| Capability |");
    for c in ALL {
        out.push_str(&format!(" {} |", c.provider));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(ALL.len()));
    out.push('\n');
    for (label, cell) in ROWS {
        out.push_str(&format!("| {label} |"));
        for c in ALL {
            out.push_str(&format!(" {} |", cell(c)));
        }
        out.push('\n');
    }
    out
}
