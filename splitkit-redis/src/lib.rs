//! Redis-backed shared state for the splitkit SDKs: several instances of a merchant server (behind
//! a load balancer, restarting at will) share one account's OAuth tokens, and refresh them one at
//! a time; and they handle each webhook delivery once between them.
//!
//! ```no_run
//! # async fn run() -> Result<(), zepto_client::Error> {
//! use std::sync::Arc;
//! use splitkit_redis::Redis;
//! use zepto_client::{oauth::OAuthApp, Client, Environment};
//!
//! let redis = Redis::from_env().await?; // REDIS_URL, e.g. redis://127.0.0.1:6379/0
//! let app = OAuthApp::new(&Environment::Sandbox, "app-id", "app-secret", "https://shop.example/cb")?;
//! let client = Client::builder(Environment::Sandbox)
//!     .oauth(app, Arc::new(redis.token_store("merchant-42")))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! # The refresh protocol
//!
//! Zepto's refresh tokens are single-use: the instance that presents one second gets
//! `invalid_grant`, and the account would have to be connected again. The authenticator of
//! `splitkit-common` runs this protocol against the [`RedisTokenStore`] of each account:
//!
//! 1. Inside a process, one renewal runs at a time and every waiting call gets its result.
//! 2. The renewing instance reads the stored pair: if another instance already stored a usable
//!    newer one, it adopts it and makes no request.
//! 3. Otherwise it takes the account's lock: `SET <lock> <random owner> NX PX <ttl>`. It re-reads
//!    the stored pair once it holds the lock (adopting a newer one), presents the stored refresh
//!    token, and saves the new pair before anything uses it.
//! 4. The save is fenced: a Lua script writes the pair only if the stored version is still the
//!    one the holder read, and bumps it. A slow holder whose lease ran out while another instance
//!    refreshed never overwrites the newer pair; it adopts it instead.
//! 5. It releases the lock with a compare-and-delete script (only the owner value it wrote
//!    deletes it) and extends it the same way before retrying a token request.
//! 6. The instances that did not get the lock read the store every
//!    [`RefreshPolicy::poll_interval`](splitkit_common::RefreshPolicy::poll_interval) until the
//!    new pair appears, within the renewal's timeout, instead of presenting the same refresh token.
//!    If the holder died, its lease runs out after the lock's time-to-live (default 40 s, longer
//!    than a token request; [`RedisTokenStore::lock_ttl`]) and one of them takes over.
//!
//! # When Redis is unreachable
//!
//! Calls keep using the access token they hold while it has not expired: Redis is read only when
//! a token must be renewed. A renewal that cannot reach Redis fails with an [`Error::Auth`] whose
//! [`AuthFailureKind`] is `StoreUnavailable` (retryable, [`Error::is_retryable`]) and sends no
//! token request. The SDK does not fall back to refreshing on its own: a rotated refresh token it
//! could not store would be lost to every other instance (and to this one after a restart), and
//! the account would have to be connected again. Once Redis answers, renewal resumes by itself.
//! [`Redis::connect`] itself fails with a retryable [`Error::Transport`] when Redis cannot be
//! reached at start.
//!
//! # Webhook de-duplication
//!
//! Providers deliver each webhook at least once, and retry (Zepto every 5 minutes for an hour,
//! Splitable up to 25 times over about three weeks): behind a load balancer, two instances can receive
//! the same event. [`Redis::delivery_store`] gives every provider crate's `WebhookInbox` one
//! shared record per event, so exactly one instance runs the handler:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use splitkit_redis::Redis;
//! use zepto_client::{WebhookInbox, WebhookVerifier};
//!
//! let redis = Redis::from_env().await?;
//! let inbox = WebhookInbox::new(WebhookVerifier::new(["whsec-from-zepto"])?)
//!     .store(Arc::new(redis.delivery_store()));
//! # let _ = inbox;
//! # Ok(()) }
//! ```
//!
//! The protocol is the one `splitkit_common::webhook::DeliveryStore` describes: a claim with a
//! lease while a handler runs (`SET NX PX` with a random token), a "handled" record for the
//! provider's retry window after, and a compare-and-delete release when the handler fails, so
//! the provider's next retry is handled. If Redis cannot be reached, the inbox runs the handler
//! anyway (a repeat is better than a lost event) and logs a warning.
//!
//! # Keys
//!
//! Every key starts with the namespace (default `splitkit`, [`Redis::namespace`]):
//! `<namespace>:oauth:<account>:tokens` (a hash: `version`, `pair`),
//! `<namespace>:oauth:<account>:lock`, and `<namespace>:delivery:<provider>:<event id>` (a claim
//! token, or `handled`). The pair is stored as JSON, tokens in clear: protect the
//! Redis as you would a secrets store (ACLs, TLS with `rediss://`, no public port).

mod connection;
mod deliveries;
mod tokens;

pub use connection::{REDIS_URL_VAR, Redis};
pub use deliveries::RedisDeliveryStore;
pub use tokens::RedisTokenStore;

#[doc(no_inline)]
pub use splitkit_common::{AuthFailureKind, Error};
