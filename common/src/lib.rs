//! The shared runtime of the splitkit payment SDKs.
//!
//! Provider crates (`ante-client`, `fairshare-client`, `splitable-client`, `zepto-client`)
//! describe *what* to send: static [`Operation`] metadata and a [`Request`] value, plus their
//! quirks as data (an [`ErrorPolicy`], an [`Authenticator`]). This crate decides *how*:
//!
//! - [`ApiClient`] runs every call through one pipeline: build the request once; attach an
//!   idempotency key when the operation takes one (the caller's, or a new UUIDv4), the same on
//!   every attempt; authenticate each attempt; send through a [`Transport`] with a per-attempt
//!   timeout; classify the answer; back off and retry where that is safe; stop at the call's
//!   deadline; decode with the JSON path in any error.
//! - Retries ([`RetryPolicy`]): a refused connection is always retried; timeouts, other transport
//!   failures and 408/429/500/502/503/504 only when the operation is idempotent or carries an
//!   idempotency key, so a payment is never sent twice by accident. `Retry-After` is honoured in
//!   both forms up to a cap.
//! - Auth ([`auth`]): bearer keys, keys in a header or parameter, and (feature `oauth`, on by
//!   default) OAuth2 access tokens cached, renewed early and single-flight (failures shared by
//!   every waiting call), with every new pair persisted through a [`TokenStore`] before use;
//!   processes sharing a store refresh one at a time under its [`RefreshLock`] (a Redis
//!   implementation is the `splitkit-redis` crate).
//! - Lists ([`Page`], [`ApiClient::stream`]): `Link` headers, cursors, page numbers, and a lazy
//!   item stream that refuses to loop.
//! - Tolerant reader, strict writer:
//!   - Answers are read the way providers drift ([`lenient`]): integers and decimals also as
//!     strings (`"1"`), strings also as numbers, booleans also as `"true"`/`"false"`,
//!     timestamps also with a space for the `T` ([`Timestamp`]), `null` for any optional field,
//!     unknown fields ignored, unknown enum values kept (`Unknown(String)`). Money is never
//!     rounded: a fraction where minor units are expected is an error, and decimals never pass
//!     through a float. Every reader is a visitor on the deserializer, so tolerance costs no
//!     buffering.
//!   - One item a list cannot read is isolated, never the whole list: a [`Page`] holds the
//!     items that decoded and, in [`Page::rejected`], an [`ItemError`] per item that did not
//!     (index, JSON path, message, raw JSON); a stream yields [`Error::Item`] in the item's
//!     place and goes on. The page is decoded whole first and item by item only when that
//!     fails. Non-list answers fail whole, with the JSON path ([`DecodeError`]).
//!   - What is sent is checked before sending: an enum's `Unknown` value is refused in a JSON
//!     body and, through [`request::ensure_known`], in a path, query or header parameter, as an
//!     [`Error::Validation`] naming it.
//! - Errors ([`Error`]): every error of a call names the provider and the operation
//!   ([`CallContext`]) and, after retries, the attempts and the time they took; transport errors
//!   name the host and the cause at the bottom of the chain (reset, refused, EOF, DNS); an
//!   answer's status, code and message are said once each, and a body without a readable
//!   message is quoted short and masked. A `401` is [`Error::Auth`] ([`AuthFailureKind::Rejected`]).
//!   Provider crates read their own codes through [`Error::api_error_from`], which knows which
//!   provider answered.
//! - Webhooks ([`webhook`]): one verifier shape for every provider (bounded work before any
//!   HMAC, constant-time comparison, several secrets, a timestamp tolerance), events that keep
//!   what they cannot type, de-duplication, and (feature `axum`) a ready handler.
//! - Money ([`MinorUnits`], [`Currency`], and with feature `decimal`, on by default, [`decimal`]
//!   and [`Decimal`]): integers or exact decimals, never floats.
//! - Secrets ([`SecretString`]) print as `***`; credential headers are marked sensitive; tracing
//!   spans (`splitkit.call`, `splitkit.attempt`) carry the operation, attempt, status and request
//!   id, never a credential or a query string.
//!
//! - Test support (module `testing`, feature `testing`): the drift variants of documented
//!   examples that each provider crate's `tests/drift.rs` decodes.
//!
//! Nothing here knows a provider: a provider's quirks are values handed in by its crate.

pub mod auth;
pub mod client;
pub mod clock;
#[cfg(feature = "decimal")]
pub mod decimal;
pub mod decode;
pub mod error;
pub mod idempotency;
mod json_path;
pub mod lenient;
pub mod money;
pub mod operation;
pub mod options;
pub mod pagination;
pub mod redact;
pub mod request;
pub mod retry;
pub mod secret;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timestamp;
pub mod tls;
pub mod transport;
pub mod webhook;

pub use auth::{
    AuthFailure, AuthFailureKind, AuthStamp, Authenticator, BearerToken, HeaderKey, NoAuth,
    ParamKey,
};
#[cfg(feature = "oauth")]
pub use auth::{
    LockLease, MemoryRefreshLock, MemoryTokenStore, OAuthAuthenticator, RefreshLock, RefreshPolicy,
    SaveOutcome, StoredTokens, TokenPair, TokenSource, TokenStore,
};
pub use client::{ApiClient, ApiClientBuilder, DefaultErrorPolicy, ErrorPolicy};
pub use clock::{Clock, ManualClock, SystemClock};
pub use decode::ItemError;
pub use error::{ApiError, BoxError, CallContext, DecodeError, Error, Result, TimeoutScope};
pub use idempotency::IdempotencyKey;
pub use money::{Currency, MinorUnits};
pub use operation::{Method, Operation, Pagination};
pub use options::HttpOptions;
pub use pagination::{Link, Page};
pub use request::{Body, OpenEnum, Request};
#[doc(hidden)]
pub use reqwest; // for `http_options_setters!`
pub use retry::{ErrorClass, RetryPolicy};
#[cfg(feature = "decimal")]
pub use rust_decimal::Decimal;
pub use secret::SecretString;
pub use timestamp::{Date, Timestamp};
pub use transport::{
    HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportError, TransportErrorKind,
};
pub use webhook::{SecretError, WebhookError};
