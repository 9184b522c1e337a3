//! Receiving a delivery end to end: verify, skip repeats, hand the event over, answer.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, StatusCode};

use super::dedup::{Claim, ClaimToken, DeliveryKey, DeliveryStore, MemoryDeliveryStore};
use super::error::WebhookError;
use super::event::Event;
use super::verifier::{Scheme, Verifier};
use crate::error::BoxError;

/// How long a handler holds an event by default before another delivery of it may be
/// processed: 60 s. Keep handlers short (persist or queue, then return).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// The HTTP status to answer each outcome of a delivery with; each provider's scheme has its
/// own ([`Scheme::answers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    /// The event was handled (default `200`).
    pub handled: StatusCode,
    /// The event was handled before (default `200`).
    pub duplicate: StatusCode,
    /// Another handler holds the event right now (default `503`, so providers that retry
    /// come back later).
    pub in_progress: StatusCode,
    /// The handler failed (default `500`, so providers that retry come back later).
    pub failed: StatusCode,
    /// The delivery did not prove its origin (default `401`).
    pub rejected: StatusCode,
}

impl Answers {
    /// `200` handled or duplicate, `503` in progress, `500` failed, `401` rejected.
    pub const DEFAULT: Self = Self {
        handled: StatusCode::OK,
        duplicate: StatusCode::OK,
        in_progress: StatusCode::SERVICE_UNAVAILABLE,
        failed: StatusCode::INTERNAL_SERVER_ERROR,
        rejected: StatusCode::UNAUTHORIZED,
    };

    /// The answer to a rejected delivery: `413` when the body is too large, `431` when the
    /// headers are, [`Answers::rejected`] otherwise.
    pub fn for_error(&self, error: &WebhookError) -> StatusCode {
        match error {
            WebhookError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebhookError::HeaderTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            _ => self.rejected,
        }
    }
}

/// What became of a delivery.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Verified, new, and the handler succeeded.
    Handled {
        /// The event id.
        id: String,
    },
    /// Verified, and handled before: the handler was not called.
    Duplicate {
        /// The event id.
        id: String,
    },
    /// Verified, and another handler holds it right now: the handler was not called.
    InProgress {
        /// The event id.
        id: String,
    },
    /// Not verified: the handler was not called.
    Rejected(WebhookError),
    /// Verified and new, but the handler failed; the claim was released.
    Failed {
        /// The event id.
        id: String,
        /// What the handler returned.
        error: BoxError,
    },
}

/// The outcome of a delivery and the HTTP status to answer the provider with.
#[derive(Debug)]
pub struct Receipt {
    status: StatusCode,
    outcome: Outcome,
}

impl Receipt {
    /// The answer for a delivery that was `error`, under `answers`.
    pub fn rejected(answers: &Answers, error: WebhookError) -> Self {
        Self {
            status: answers.for_error(&error),
            outcome: Outcome::Rejected(error),
        }
    }

    /// The HTTP status to answer with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What happened.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// What happened, by value.
    pub fn into_outcome(self) -> Outcome {
        self.outcome
    }
}

/// A provider's webhook endpoint without the HTTP server: verifies each delivery, skips
/// repeats through a [`DeliveryStore`], hands each new event to your handler, and says what
/// to answer.
///
/// Your handler persists or queues the event and returns; when it returns `Ok`, the event is
/// recorded as handled for the provider's retry window and the provider gets its "delivered"
/// answer. When it returns `Err`, the claim is released and the provider gets the answer that
/// makes it retry (where the provider retries at all: see the provider crate's docs).
///
/// An event is recorded under its [`Event::delivery_key`] and, where the provider does not sign
/// the event id, under its [`Event::replay_key`] (its signed body) too: it is new only when both
/// are, so a retry (same id) and a replay of a captured delivery (any id) are both answered as
/// duplicates. Keep the retention at least as long as the verifier's timestamp tolerance for
/// the second to hold.
///
/// With the `axum` feature, `Inbox::into_handler` turns it into an axum handler.
#[derive(Debug, Clone)]
pub struct Inbox<S> {
    verifier: Verifier<S>,
    store: Arc<dyn DeliveryStore>,
    lease: Duration,
    retention: Duration,
}

impl<S: Scheme> Inbox<S> {
    /// An inbox verifying with `verifier`, remembering deliveries in memory for the
    /// provider's retry window ([`Scheme::retry_window`]), with a [`DEFAULT_LEASE`].
    pub fn new(verifier: Verifier<S>) -> Self {
        Self {
            retention: verifier.scheme().retry_window(),
            verifier,
            store: Arc::new(MemoryDeliveryStore::new()),
            lease: DEFAULT_LEASE,
        }
    }

    /// Records deliveries in `store` (a shared one when several instances receive webhooks).
    pub fn store(mut self, store: Arc<dyn DeliveryStore>) -> Self {
        self.store = store;
        self
    }

    /// How long a handler holds an event before another delivery of it may be processed.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long handled events are remembered (default: the provider's retry window).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier<S> {
        &self.verifier
    }

    /// The answer to a delivery that failed before verification (e.g. a body over the
    /// limit while reading it).
    pub fn reject(&self, error: WebhookError) -> Receipt {
        Receipt::rejected(&self.verifier.scheme().answers(), error)
    }

    /// Receives one delivery: `headers` and the raw `body` as received.
    ///
    /// If the store cannot be reached, the handler runs anyway: a repeat is better than a lost
    /// event (make handlers idempotent on [`Event::id`]).
    pub async fn receive<F, Fut, E>(&self, headers: &HeaderMap, body: &[u8], handle: F) -> Receipt
    where
        F: FnOnce(Event<S::Payload>) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Into<BoxError>,
    {
        let answers = self.verifier.scheme().answers();
        let event = match self.verifier.verify(headers, body) {
            Ok(event) => event,
            Err(error) => return Receipt::rejected(&answers, error),
        };
        let id = event.id.clone();
        // A replay under another id is recognised by its signed body, a retry by its id: the
        // event is new only when both keys are.
        let keys: Vec<DeliveryKey> = event
            .replay_key()
            .into_iter()
            .chain([event.delivery_key()])
            .collect();
        let mut claimed: Vec<(&DeliveryKey, ClaimToken)> = Vec::with_capacity(keys.len());
        for key in &keys {
            match self.store.claim(key, self.lease).await {
                Ok(Claim::Claimed(token)) => claimed.push((key, token)),
                Ok(Claim::Handled) => {
                    // Handled under the other key: so it is under this one too.
                    self.settle_all(&claimed, Settle::Handled).await;
                    return Receipt {
                        status: answers.duplicate,
                        outcome: Outcome::Duplicate { id },
                    };
                }
                Ok(Claim::InProgress) => {
                    self.settle_all(&claimed, Settle::Release).await;
                    return Receipt {
                        status: answers.in_progress,
                        outcome: Outcome::InProgress { id },
                    };
                }
                Err(error) => {
                    tracing::warn!(key = %key, error = %error, "delivery store unavailable: handling the event without de-duplication");
                }
            }
        }
        let result = handle(event).await.map_err(Into::into);
        match result {
            Ok(()) => {
                self.settle_all(&claimed, Settle::Handled).await;
                Receipt {
                    status: answers.handled,
                    outcome: Outcome::Handled { id },
                }
            }
            Err(error) => {
                self.settle_all(&claimed, Settle::Release).await;
                Receipt {
                    status: answers.failed,
                    outcome: Outcome::Failed { id, error },
                }
            }
        }
    }

    /// Marks every claimed key handled, or releases it; a failure is logged, not answered: the
    /// lease expires on its own.
    async fn settle_all(&self, claimed: &[(&DeliveryKey, ClaimToken)], settle: Settle) {
        for (key, token) in claimed {
            let update = match settle {
                Settle::Handled => self.store.mark_handled(key, token, self.retention).await,
                Settle::Release => self.store.release(key, token).await,
            };
            if let Err(error) = update {
                tracing::warn!(key = %key, error = %error, "could not update the delivery store");
            }
        }
    }
}

/// What happens to the keys an [`Inbox`] claimed for a delivery.
#[derive(Clone, Copy)]
enum Settle {
    /// The event was handled (now or before, under another key).
    Handled,
    /// Nobody handled it: another delivery of it may be processed.
    Release,
}
