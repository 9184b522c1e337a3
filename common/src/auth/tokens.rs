//! OAuth2 token pairs, where they come from and where they are kept.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;

use super::failure::{AuthFailure, AuthFailureKind};
use super::lock::{MemoryRefreshLock, RefreshLock};
use crate::error::Error;
use crate::secret::SecretString;

/// An OAuth2 access token and what renews it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token sent as `Authorization: Bearer`.
    pub access_token: SecretString,
    /// The refresh token, when the grant gave one. Some providers rotate it on every refresh.
    pub refresh_token: Option<SecretString>,
    /// When the access token expires; `None` for tokens that do not expire.
    pub expires_at: Option<SystemTime>,
    /// The scopes granted, space separated, when the provider said.
    pub scope: Option<String>,
}

impl TokenPair {
    /// Whether the access token is still usable `margin` from now.
    pub fn is_fresh(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at
            .is_none_or(|expires| now.checked_add(margin).is_some_and(|t| t < expires))
    }
}

/// Obtains a new [`TokenPair`] from a refresh token (the OAuth2 refresh grant).
///
/// One call is one token request: the authenticator decides about retries. Describe failures
/// with an [`AuthFailure`] (see [`AuthFailure::token_endpoint`]) so that the authenticator can
/// tell a spent grant from an outage.
#[async_trait]
pub trait TokenSource: Send + Sync + Debug {
    /// Exchanges `refresh_token` for a new pair.
    async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenPair, Error>;
}

/// A [`TokenPair`] as a [`TokenStore`] holds it, with the version the store gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTokens {
    /// The pair.
    pub tokens: TokenPair,
    /// Grows with every save. Stores that do not version their pairs report `0`.
    pub version: u64,
}

/// What [`TokenStore::save_versioned`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum SaveOutcome {
    /// The pair was stored as `version`.
    Saved {
        /// The version the pair now has.
        version: u64,
    },
    /// Someone stored another pair after the expected version; nothing was written.
    Superseded,
}

/// Keeps the token pair of one account across restarts, and between the processes that share it.
///
/// The authenticator saves every new pair before it is used, so a rotated refresh token is never
/// lost. A store used by one authenticator needs only [`TokenStore::load`] and
/// [`TokenStore::save`]. A store shared by several processes (or several authenticators) must also
/// version its pairs ([`TokenStore::load_versioned`], [`TokenStore::save_versioned`]: a
/// compare-and-set that fences off a slow writer) and hand out the [`RefreshLock`] that makes one
/// of them refresh at a time ([`TokenStore::refresh_lock`]).
#[async_trait]
pub trait TokenStore: Send + Sync + Debug {
    /// The pair saved last, if any.
    async fn load(&self) -> Result<Option<TokenPair>, Error>;

    /// Saves `tokens`, replacing the previous pair (a new authorisation, for example). Return an
    /// error if it was not stored durably.
    async fn save(&self, tokens: &TokenPair) -> Result<(), Error>;

    /// The pair saved last with its version. The default reports version `0`.
    async fn load_versioned(&self) -> Result<Option<StoredTokens>, Error> {
        Ok(self
            .load()
            .await?
            .map(|tokens| StoredTokens { tokens, version: 0 }))
    }

    /// Saves `tokens` only if the stored pair still has version `expected` (`0`: nothing stored
    /// yet); otherwise writes nothing and answers [`SaveOutcome::Superseded`]. The check and the
    /// write must be one atomic step.
    ///
    /// The default saves unconditionally and reports version `0`: right for a store that only
    /// one authenticator uses, whose single-flight refresh already makes it the only writer.
    async fn save_versioned(
        &self,
        tokens: &TokenPair,
        _expected: u64,
    ) -> Result<SaveOutcome, Error> {
        self.save(tokens).await?;
        Ok(SaveOutcome::Saved { version: 0 })
    }

    /// The lock that lets one of the authenticators sharing this store refresh at a time.
    /// Default: none, and each authenticator uses a lock of its own.
    fn refresh_lock(&self) -> Option<Arc<dyn RefreshLock>> {
        None
    }
}

/// A [`TokenStore`] that keeps the pair in memory only (lost on restart). It versions its pairs
/// and carries a [`MemoryRefreshLock`], so several authenticators of one process may share it.
#[derive(Debug, Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<Option<StoredTokens>>,
    lock: Arc<MemoryRefreshLock>,
}

impl MemoryTokenStore {
    /// A store holding `tokens` to begin with.
    pub fn with_tokens(tokens: TokenPair) -> Self {
        Self {
            tokens: Mutex::new(Some(StoredTokens { tokens, version: 1 })),
            lock: Arc::default(),
        }
    }

    fn slot(&self) -> Result<std::sync::MutexGuard<'_, Option<StoredTokens>>, Error> {
        self.tokens.lock().map_err(|_| poisoned())
    }
}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self) -> Result<Option<TokenPair>, Error> {
        Ok(self.slot()?.as_ref().map(|s| s.tokens.clone()))
    }

    async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
        let mut slot = self.slot()?;
        let version = slot.as_ref().map_or(0, |s| s.version) + 1;
        *slot = Some(StoredTokens {
            tokens: tokens.clone(),
            version,
        });
        Ok(())
    }

    async fn load_versioned(&self) -> Result<Option<StoredTokens>, Error> {
        Ok(self.slot()?.clone())
    }

    async fn save_versioned(
        &self,
        tokens: &TokenPair,
        expected: u64,
    ) -> Result<SaveOutcome, Error> {
        let mut slot = self.slot()?;
        let current = slot.as_ref().map_or(0, |s| s.version);
        if current != expected {
            return Ok(SaveOutcome::Superseded);
        }
        *slot = Some(StoredTokens {
            tokens: tokens.clone(),
            version: current + 1,
        });
        Ok(SaveOutcome::Saved {
            version: current + 1,
        })
    }

    fn refresh_lock(&self) -> Option<Arc<dyn RefreshLock>> {
        Some(self.lock.clone())
    }
}

pub(super) fn poisoned() -> Error {
    AuthFailure::new(AuthFailureKind::Other)
        .into_error("the token cache lock was poisoned by a panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_honours_margin_and_no_expiry() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let mut pair = TokenPair {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: Some(now + Duration::from_secs(30)),
            scope: None,
        };
        assert!(pair.is_fresh(now, Duration::from_secs(10)));
        assert!(!pair.is_fresh(now, Duration::from_secs(60)));
        pair.expires_at = None;
        assert!(pair.is_fresh(now, Duration::from_secs(60)));
    }

    #[tokio::test]
    async fn the_memory_store_versions_pairs_and_refuses_stale_writers() {
        let pair = |access: &str| TokenPair {
            access_token: access.into(),
            refresh_token: None,
            expires_at: None,
            scope: None,
        };
        let store = MemoryTokenStore::default();
        assert_eq!(
            store.save_versioned(&pair("a"), 0).await.unwrap(),
            SaveOutcome::Saved { version: 1 }
        );
        assert_eq!(
            store.save_versioned(&pair("b"), 0).await.unwrap(),
            SaveOutcome::Superseded,
            "a writer that read before the first save is fenced off"
        );
        store.save(&pair("c")).await.unwrap();
        let stored = store.load_versioned().await.unwrap().unwrap();
        assert_eq!((stored.tokens, stored.version), (pair("c"), 2));
        assert!(store.refresh_lock().is_some());
    }
}
