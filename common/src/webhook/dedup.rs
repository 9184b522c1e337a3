//! "Have I handled this delivery?": a small store, and its in-memory implementation.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use crate::error::BoxError;

/// What a delivery is recorded under: the provider and its event id
/// ([`Event::id`](super::Event::id)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryKey {
    provider: &'static str,
    id: String,
}

impl DeliveryKey {
    /// The key of event `id` of `provider`.
    pub fn new(provider: &'static str, id: impl Into<String>) -> Self {
        Self {
            provider,
            id: id.into(),
        }
    }

    /// The provider.
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The event id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// `provider:id`, the form a shared store keys on (add your own prefix).
impl fmt::Display for DeliveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.provider, self.id)
    }
}

/// Proof of a claim: a random value the store keeps while the claim holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimToken(String);

impl ClaimToken {
    /// A new random token (a UUIDv4).
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().to_string())
    }

    /// The token as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The answer to [`DeliveryStore::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller now holds the event for the lease: handle it, then
    /// [`mark_handled`](DeliveryStore::mark_handled) or [`release`](DeliveryStore::release).
    Claimed(ClaimToken),
    /// Another handler holds it right now.
    InProgress,
    /// It was handled already.
    Handled,
}

/// Records which deliveries are being handled and which were handled. Implement it over a
/// shared store (Redis, a database table) when several instances receive webhooks.
///
/// Providers deliver at least once: the same event can arrive twice, even at two instances of
/// your service at the same moment. A [`DeliveryStore`] records, per [`DeliveryKey`], one of
/// two states, each with its own expiry:
///
/// - **claimed**, for a short *lease* while one handler processes the event. Another delivery
///   of the same event meanwhile is told [`Claim::InProgress`]. If the handler's process
///   crashes, the lease expires and a later retry can claim the event again: nothing is lost.
/// - **handled**, for a long *retention* (the provider's retry window) once the handler
///   succeeded. Repeats are told [`Claim::Handled`].
///
/// A handler that fails [`releases`](DeliveryStore::release) its claim at once, so the
/// provider's next retry is processed. Claims carry a random [`ClaimToken`]: a release or a
/// completion only touches the record its own claim made, so a slow handler whose lease ran
/// out cannot undo another instance's claim.
///
/// The operations map onto a shared store such as Redis one to one:
///
/// | operation | Redis |
/// |---|---|
/// | [`claim`](DeliveryStore::claim) | `SET key <token> NX PX <lease>`; when that fails, `GET key`: `handled` → [`Claim::Handled`], anything else → [`Claim::InProgress`] |
/// | [`mark_handled`](DeliveryStore::mark_handled) | `SET key handled PX <retention>` (unconditional: the event was handled, whoever holds the lease now) |
/// | [`release`](DeliveryStore::release) | compare-and-delete: `if GET key == <token> then DEL key` (one Lua script) |
#[async_trait]
pub trait DeliveryStore: Send + Sync + fmt::Debug {
    /// Claims `key` for `lease`, unless it is claimed or handled already.
    async fn claim(&self, key: &DeliveryKey, lease: Duration) -> Result<Claim, BoxError>;

    /// Records `key` as handled for `retention`, replacing the claim `token` made.
    async fn mark_handled(
        &self,
        key: &DeliveryKey,
        token: &ClaimToken,
        retention: Duration,
    ) -> Result<(), BoxError>;

    /// Gives up the claim `token` made (handling failed), so a retry can claim `key` at once.
    /// Does nothing when the record is no longer that claim.
    async fn release(&self, key: &DeliveryKey, token: &ClaimToken) -> Result<(), BoxError>;
}

#[derive(Debug)]
enum State {
    Claimed(ClaimToken),
    Handled,
}

#[derive(Debug)]
struct Record {
    state: State,
    expires: Instant,
}

#[derive(Debug, Default)]
struct Records {
    map: HashMap<DeliveryKey, Record>,
    /// Sweep expired records when the map grows past this size.
    sweep_at: usize,
}

/// A [`DeliveryStore`] in this process's memory: right for one instance. Records expire on
/// time; expired records are swept as the map grows, so memory follows the number of events
/// within the retention.
#[derive(Debug, Default)]
pub struct MemoryDeliveryStore {
    records: Mutex<Records>,
}

impl MemoryDeliveryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many records (claims and handled events) it holds, expired ones not yet swept
    /// included.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        // A panic while holding the lock cannot leave the map half-updated: take it anyway.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl DeliveryStore for MemoryDeliveryStore {
    async fn claim(&self, key: &DeliveryKey, lease: Duration) -> Result<Claim, BoxError> {
        let now = Instant::now();
        let mut records = self.lock();
        if records.map.len() >= records.sweep_at {
            records.map.retain(|_, r| r.expires > now);
            records.sweep_at = (records.map.len() * 2).max(1024);
        }
        if let Some(record) = records.map.get(key).filter(|r| r.expires > now) {
            return Ok(match record.state {
                State::Claimed(_) => Claim::InProgress,
                State::Handled => Claim::Handled,
            });
        }
        let token = ClaimToken::random();
        records.map.insert(
            key.clone(),
            Record {
                state: State::Claimed(token.clone()),
                expires: now + lease,
            },
        );
        Ok(Claim::Claimed(token))
    }

    async fn mark_handled(
        &self,
        key: &DeliveryKey,
        _token: &ClaimToken,
        retention: Duration,
    ) -> Result<(), BoxError> {
        self.lock().map.insert(
            key.clone(),
            Record {
                state: State::Handled,
                expires: Instant::now() + retention,
            },
        );
        Ok(())
    }

    async fn release(&self, key: &DeliveryKey, token: &ClaimToken) -> Result<(), BoxError> {
        let mut records = self.lock();
        if matches!(records.map.get(key), Some(Record { state: State::Claimed(held), .. }) if held == token)
        {
            records.map.remove(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> DeliveryKey {
        DeliveryKey::new("test", id)
    }

    const LEASE: Duration = Duration::from_secs(60);
    const RETAIN: Duration = Duration::from_secs(3600);

    #[tokio::test(start_paused = true)]
    async fn a_claim_blocks_others_until_handled_then_repeats_are_handled() {
        let store = MemoryDeliveryStore::new();
        let Claim::Claimed(token) = store.claim(&key("a"), LEASE).await.unwrap() else {
            panic!("first claim must succeed")
        };
        assert_eq!(
            store.claim(&key("a"), LEASE).await.unwrap(),
            Claim::InProgress
        );
        assert!(matches!(
            store.claim(&key("b"), LEASE).await.unwrap(),
            Claim::Claimed(_)
        ));
        store.mark_handled(&key("a"), &token, RETAIN).await.unwrap();
        assert_eq!(store.claim(&key("a"), LEASE).await.unwrap(), Claim::Handled);
        tokio::time::advance(RETAIN - Duration::from_secs(1)).await;
        assert_eq!(store.claim(&key("a"), LEASE).await.unwrap(), Claim::Handled);
        tokio::time::advance(Duration::from_secs(2)).await;
        assert!(matches!(
            store.claim(&key("a"), LEASE).await.unwrap(),
            Claim::Claimed(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_crashed_claim_expires_and_a_released_one_frees_at_once() {
        let store = MemoryDeliveryStore::new();
        assert!(matches!(
            store.claim(&key("a"), LEASE).await.unwrap(),
            Claim::Claimed(_)
        ));
        // The claimant crashed: after the lease, a retry may claim it.
        tokio::time::advance(LEASE + Duration::from_millis(1)).await;
        let Claim::Claimed(second) = store.claim(&key("a"), LEASE).await.unwrap() else {
            panic!("the expired lease must free the event")
        };
        // A stale token does not release the new claim ...
        store
            .release(&key("a"), &ClaimToken::random())
            .await
            .unwrap();
        assert_eq!(
            store.claim(&key("a"), LEASE).await.unwrap(),
            Claim::InProgress
        );
        // ... its own does.
        store.release(&key("a"), &second).await.unwrap();
        assert!(matches!(
            store.claim(&key("a"), LEASE).await.unwrap(),
            Claim::Claimed(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn expired_records_are_swept_as_the_map_grows() {
        let store = MemoryDeliveryStore::new();
        for i in 0..2000 {
            let _ = store.claim(&key(&i.to_string()), LEASE).await.unwrap();
        }
        tokio::time::advance(LEASE * 2).await;
        for i in 0..100 {
            let _ = store.claim(&key(&format!("new{i}")), LEASE).await.unwrap();
        }
        assert_eq!(store.len(), 100);
        assert_eq!(DeliveryKey::new("zepto", "07f4").to_string(), "zepto:07f4");
    }
}
