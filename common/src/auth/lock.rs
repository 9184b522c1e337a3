//! The lock that lets one of several processes (or authenticators) refresh an account's tokens.

use std::fmt::{self, Debug};
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::Instant;

use super::tokens::poisoned;
use crate::error::Error;

/// How long a [`MemoryRefreshLock`] lease lasts by default: longer than a token request.
pub const DEFAULT_LOCK_TTL: Duration = Duration::from_secs(40);

/// Proof of holding a [`RefreshLock`]: the random owner value written into the lock, so that
/// only its holder can extend or release it.
#[derive(Clone, PartialEq, Eq)]
pub struct LockLease {
    owner: String,
}

impl LockLease {
    /// A new lease with a random owner value (128 bits from a UUIDv4).
    pub fn generate() -> Self {
        Self {
            owner: uuid::Uuid::new_v4().simple().to_string(),
        }
    }

    /// The owner value to write into the lock.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

impl Debug for LockLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LockLease").field(&self.owner).finish()
    }
}

/// Makes one holder at a time refresh an account's tokens.
///
/// The authenticator takes the lock before presenting a refresh token, re-reads the store once it
/// holds it (another holder may have refreshed already), extends it before each retry, and
/// releases it after the new pair is stored. A lease has a time-to-live, longer than one token
/// request, so a holder that stops without releasing (a crashed process) frees the lock by
/// itself. Instances that do not get the lock wait for the stored result instead.
#[async_trait]
pub trait RefreshLock: Send + Sync + Debug {
    /// Takes the lock, for the lock's time-to-live, if nobody holds it; `None` when someone does.
    async fn try_acquire(&self) -> Result<Option<LockLease>, Error>;

    /// Extends `lease` to the full time-to-live from now if it is still held; `false` when it
    /// expired or someone else holds the lock now.
    async fn extend(&self, lease: &LockLease) -> Result<bool, Error>;

    /// Releases `lease` if it is still held (compare-and-delete); `false` when it was not.
    async fn release(&self, lease: &LockLease) -> Result<bool, Error>;
}

/// A [`RefreshLock`] in memory, for authenticators of one process; leases expire on tokio's clock.
pub struct MemoryRefreshLock {
    ttl: Duration,
    held: Mutex<Option<(LockLease, Instant)>>,
}

impl MemoryRefreshLock {
    /// A lock whose leases last `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            held: Mutex::new(None),
        }
    }

    fn with_holder<T>(
        &self,
        f: impl FnOnce(&mut Option<(LockLease, Instant)>, Instant) -> T,
    ) -> Result<T, Error> {
        let mut held = self.held.lock().map_err(|_| poisoned())?;
        let now = Instant::now();
        if held.as_ref().is_some_and(|(_, until)| *until <= now) {
            *held = None;
        }
        Ok(f(&mut held, now))
    }
}

impl Default for MemoryRefreshLock {
    fn default() -> Self {
        Self::new(DEFAULT_LOCK_TTL)
    }
}

impl Debug for MemoryRefreshLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRefreshLock")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl RefreshLock for MemoryRefreshLock {
    async fn try_acquire(&self) -> Result<Option<LockLease>, Error> {
        self.with_holder(|held, now| {
            if held.is_some() {
                return None;
            }
            let lease = LockLease::generate();
            *held = Some((lease.clone(), now + self.ttl));
            Some(lease)
        })
    }

    async fn extend(&self, lease: &LockLease) -> Result<bool, Error> {
        self.with_holder(|held, now| match held {
            Some((holder, until)) if holder == lease => {
                *until = now + self.ttl;
                true
            }
            _ => false,
        })
    }

    async fn release(&self, lease: &LockLease) -> Result<bool, Error> {
        self.with_holder(|held, _| {
            if held.as_ref().is_some_and(|(holder, _)| holder == lease) {
                *held = None;
                true
            } else {
                false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn one_holder_at_a_time_and_expired_leases_free_the_lock() {
        let lock = MemoryRefreshLock::new(Duration::from_secs(10));
        let first = lock.try_acquire().await.unwrap().unwrap();
        assert!(lock.try_acquire().await.unwrap().is_none());
        assert!(lock.extend(&first).await.unwrap());
        tokio::time::advance(Duration::from_secs(11)).await;
        // The holder stopped extending: the lease ran out and the lock is free again.
        let second = lock.try_acquire().await.unwrap().unwrap();
        assert_ne!(first, second);
        assert!(!lock.extend(&first).await.unwrap());
        assert!(
            !lock.release(&first).await.unwrap(),
            "only the holder releases"
        );
        assert!(lock.try_acquire().await.unwrap().is_none());
        assert!(lock.release(&second).await.unwrap());
        assert!(lock.try_acquire().await.unwrap().is_some());
    }
}
