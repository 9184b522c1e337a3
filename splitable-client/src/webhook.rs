//! The callback split(able) sends to `api_notify_url` when a split is paid or cancelled:
//! [`WebhookVerifier`], [`WebhookInbox`], typed [`EventBody`].
//!
//! It is a `POST` with four fields: `invoice`, `payment_status` (`paid` or `cancelled`),
//! `api_secret` and `transaction_id`, form-encoded as documented (a JSON object with the same
//! fields is accepted too). There is no signature and no timestamp: the callback is
//! authenticated by the `api_secret` it carries, which must equal a secret you expect (the
//! company's, from the settings page of split(able), or the one sent when creating the split
//! with [`crate::NewSplitBuilder::api_secret`]). The verifier compares them in constant time,
//! after refusing a body over the limit, a body that is not UTF-8 (percent-escapes included:
//! no lossy decoding, so two different raw invoices never read as one), a repeated field and a
//! `Content-Type` that is neither form nor JSON (the error repeats at most 100 bytes of it).
//!
//! Once the secret matches, the callback always becomes a [`WebhookEvent`]: typed when the
//! other fields are present, [`Payload::Unrecognised`] with the raw body and the missing field
//! otherwise. Its [`Event::id`](splitkit_common::webhook::Event::id) is the `transaction_id`.
//!
//! When every split carries its own `api_secret`, look the secret up by [`unverified_invoice`]
//! and build a verifier with it.
//!
//! # Answering split(able)
//!
//! split(able) wants **exactly `200`** ([`ACKNOWLEDGE_STATUS`]). Any other status, `201` and
//! `204` included, makes it send the callback again: 25 attempts in all, at growing intervals,
//! for about three weeks ([`RETRY_WINDOW`]). Nothing in a callback stops a replay, so the same
//! callback can arrive many times.
//!
//! | outcome | answer | why |
//! |---|---|---|
//! | verified, new | record it, then exactly `200` | anything else is retried |
//! | verified, payload [`Payload::Unrecognised`] (a field missing) | record it, `200` | a retry would carry the same body |
//! | verified, already handled (same `transaction_id`) | `200` | |
//! | verified, another instance is handling it | `503` | split(able) retries; by then it is handled |
//! | your handler failed | `500` | split(able) retries |
//! | secret wrong or missing, body malformed | `403` | a genuine callback under a misconfigured secret is retried until you fix it |
//! | body over the limit | `413` | |
//!
//! [`WebhookInbox`] gives exactly these answers.
//!
//! ```
//! use http::HeaderMap;
//! use splitable_client::webhook::{Payload, WebhookVerifier};
//! use splitable_client::PaymentStatus;
//!
//! let verifier = WebhookVerifier::new(["82746e2d66cb8993"])?; // the company api_secret
//! let mut headers = HeaderMap::new();
//! headers.insert("content-type", "application/x-www-form-urlencoded".parse()?);
//! let body = b"invoice=3789273937239273&payment_status=paid&api_secret=82746e2d66cb8993&transaction_id=852973493383974";
//!
//! let event = verifier.verify(&headers, body)?;
//! assert_eq!(event.id, "852973493383974");
//! let Payload::Typed(callback) = &event.payload else { panic!("a documented callback") };
//! assert_eq!(callback.payment_status, PaymentStatus::Paid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::time::Duration;

use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};
use percent_encoding::percent_decode;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use splitkit_common::SecretString;
use splitkit_common::webhook::{
    self as common_webhook, DecodeFailure, Decoded, Limits, Proof, Scheme, echo, single_header,
};

pub use splitkit_common::webhook::{
    Answers, DeliveryStore, Key, MemoryDeliveryStore, Outcome, Payload, Receipt, SecretError,
    Unrecognised, WebhookError,
};

pub use crate::generated::models::PaymentStatus;

/// The status a callback handler must answer once it has recorded the callback: `200`.
pub const ACKNOWLEDGE_STATUS: StatusCode = StatusCode::OK;

/// How long split(able) retries a callback that did not get `200`: 25 attempts at growing
/// intervals (under a minute at first, five days at the last), about three weeks in all; the
/// intervals are those of delayed_job's default, `attempts⁴ + 5` seconds, whose 24 waits add up
/// to 20.4 days. A [`WebhookInbox`] remembers handled callbacks this long by default.
pub const RETRY_WINDOW: Duration = Duration::from_secs(21 * 24 * 60 * 60);

/// The field names of the callback.
const INVOICE: &str = "invoice";
const PAYMENT_STATUS: &str = "payment_status";
const API_SECRET: &str = "api_secret";
const TRANSACTION_ID: &str = "transaction_id";

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// Verifies split(able) callbacks: `WebhookVerifier::new([api_secret])?`, several secrets when
/// rotating or when every split uses one of a few.
pub type WebhookVerifier = common_webhook::Verifier<SplitableScheme>;
/// A split(able) callback endpoint without the HTTP server: verify, skip repeats, hand over,
/// answer.
pub type WebhookInbox = common_webhook::Inbox<SplitableScheme>;
/// A verified split(able) callback.
pub type WebhookEvent = common_webhook::Event<EventBody>;

/// How split(able) authenticates its callbacks (a shared secret in the body) and what they
/// hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct SplitableScheme;

impl Scheme for SplitableScheme {
    type Payload = EventBody;

    fn provider(&self) -> &'static str {
        "splitable"
    }

    fn retry_window(&self) -> Duration {
        RETRY_WINDOW
    }

    fn answers(&self) -> Answers {
        Answers {
            rejected: StatusCode::FORBIDDEN,
            ..Answers::DEFAULT
        }
    }

    fn proof<'a>(
        &self,
        headers: &'a HeaderMap,
        body: &'a [u8],
        limits: &Limits,
    ) -> Result<Proof<'a>, WebhookError> {
        let fields = Fields::read(headers, body, limits)?;
        let secret = fields
            .api_secret
            .filter(|s| !s.is_empty())
            .ok_or(WebhookError::MissingField(API_SECRET))?;
        Ok(Proof::SharedSecret(secret))
    }

    fn decode(&self, headers: &HeaderMap, body: &[u8]) -> Decoded<EventBody> {
        // The proof read these headers within the verifier's limits already.
        let mut unbounded = Limits::default();
        unbounded.max_header_bytes = usize::MAX;
        unbounded.max_signatures = usize::MAX;
        unbounded.max_body_bytes = usize::MAX;
        match Fields::read(headers, body, &unbounded) {
            Ok(fields) => Decoded {
                id: fields.transaction_id.clone().filter(|id| !id.is_empty()),
                payload: fields.into_body(),
            },
            // The proof read the same fields, so this does not happen; kept raw if it did.
            Err(error) => Decoded {
                id: None,
                payload: Err(DecodeFailure::new(".", error.to_string())),
            },
        }
    }
}

/// The `invoice` of a callback, read before verification: use it only to look up which secret
/// to verify with (when every split has its own `api_secret`). `None` when absent.
pub fn unverified_invoice(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<String>, WebhookError> {
    Ok(Fields::read(headers, body, &Limits::default())?.invoice)
}

/// A verified callback's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventBody {
    /// Your order id, as sent when creating the split.
    pub invoice: String,
    /// `Paid` (every team member's card was captured), `Cancelled` (the total was not reached
    /// in time), or `Unknown` with the value as received. Record an unknown value and still
    /// answer `200`, or split(able) keeps retrying.
    pub payment_status: PaymentStatus,
    /// split(able)'s id of this transaction (opaque: digits or hexadecimal in the samples),
    /// also the event's id. split(able) asks for it when you contact them and for refunds.
    pub transaction_id: String,
}

impl EventBody {
    /// Whether the split was paid in full.
    pub fn is_paid(&self) -> bool {
        self.payment_status == PaymentStatus::Paid
    }

    /// Whether the split was cancelled (the total was not reached in time).
    pub fn is_cancelled(&self) -> bool {
        self.payment_status == PaymentStatus::Cancelled
    }
}

/// The callback fields as received, nothing trusted.
#[derive(Default)]
struct Fields {
    invoice: Option<String>,
    payment_status: Option<String>,
    api_secret: Option<SecretString>,
    transaction_id: Option<String>,
}

impl Fields {
    fn read(headers: &HeaderMap, body: &[u8], limits: &Limits) -> Result<Self, WebhookError> {
        let json = match single_header(headers, CONTENT_TYPE.as_str(), limits)? {
            None => body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'),
            Some(value) => {
                let essence = value.split(';').next().unwrap_or_default().trim();
                if essence.eq_ignore_ascii_case(FORM) {
                    false
                } else if essence.eq_ignore_ascii_case(JSON) {
                    true
                } else {
                    return Err(WebhookError::UnsupportedContentType {
                        received: echo(value),
                        expected: "application/x-www-form-urlencoded (or application/json)",
                    });
                }
            }
        };
        let text = std::str::from_utf8(body).map_err(|_| WebhookError::MalformedBody {
            reason: "not UTF-8",
        })?;
        let mut fields = Self::default();
        if json {
            let pairs = Pairs::parse(text)?;
            for (name, value) in pairs.0 {
                let value = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Null => continue,
                    _ => String::new(),
                };
                fields.set(&name, value)?;
            }
        } else {
            for pair in text.split('&').filter(|p| !p.is_empty()) {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                fields.set(&form_decode(name)?, form_decode(value)?)?;
            }
        }
        Ok(fields)
    }

    fn set(&mut self, name: &str, value: String) -> Result<(), WebhookError> {
        let (field, slot) = match name {
            INVOICE => (INVOICE, &mut self.invoice),
            PAYMENT_STATUS => (PAYMENT_STATUS, &mut self.payment_status),
            TRANSACTION_ID => (TRANSACTION_ID, &mut self.transaction_id),
            API_SECRET => {
                if self.api_secret.is_some() {
                    return Err(WebhookError::DuplicateField(API_SECRET));
                }
                self.api_secret = Some(SecretString::new(value));
                return Ok(());
            }
            _ => return Ok(()),
        };
        if slot.is_some() {
            return Err(WebhookError::DuplicateField(field));
        }
        *slot = Some(value);
        Ok(())
    }

    fn into_body(self) -> Result<EventBody, DecodeFailure> {
        let required = |value: Option<String>, field: &str| {
            value
                .filter(|v| !v.is_empty())
                .ok_or_else(|| DecodeFailure::new(field, "missing or empty"))
        };
        let invoice = required(self.invoice, INVOICE)?;
        let status = required(self.payment_status, PAYMENT_STATUS)?;
        let transaction_id = required(self.transaction_id, TRANSACTION_ID)?;
        let Ok(payment_status) = status.parse::<PaymentStatus>();
        Ok(EventBody {
            invoice,
            payment_status,
            transaction_id,
        })
    }
}

/// One form-encoded name or value: `+` is a space, percent-escapes must decode to UTF-8.
fn form_decode(raw: &str) -> Result<String, WebhookError> {
    let spaced = raw.replace('+', " ");
    percent_decode(spaced.as_bytes())
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| WebhookError::MalformedBody {
            reason: "a percent-escape is not UTF-8",
        })
}

/// A JSON object's members in order, repeats kept (a repeated field must be refused, not
/// silently replaced).
struct Pairs(Vec<(String, Value)>);

impl Pairs {
    fn parse(text: &str) -> Result<Self, WebhookError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let pairs = de
            .deserialize_map(PairsVisitor)
            .and_then(|pairs| de.end().map(|()| pairs))
            .map_err(|_| WebhookError::MalformedBody {
                reason: "not a JSON object",
            })?;
        Ok(pairs)
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Pairs;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
        let mut pairs = Vec::new();
        while let Some(pair) = map.next_entry::<String, Value>()? {
            pairs.push(pair);
        }
        Ok(Pairs(pairs))
    }
}
