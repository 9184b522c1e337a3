//! [`RedisTokenStore`]: one account's token pair, versioned, with its refresh lock.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, UNIX_EPOCH};

use async_trait::async_trait;
use redis::Script;
use serde::{Deserialize, Serialize};
use splitkit_common::auth::DEFAULT_LOCK_TTL;
use splitkit_common::{
    AuthFailure, AuthFailureKind, Error, LockLease, RefreshLock, SaveOutcome, SecretString,
    StoredTokens, TokenPair, TokenStore,
};

use crate::connection::{RELEASE, Redis};

/// Writes the pair only if the stored version is still the expected one, and bumps it: the
/// fencing check that keeps a slow lock holder from overwriting a newer pair.
static SAVE_IF_VERSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'version', current + 1, 'pair', ARGV[2])
return current + 1
",
    )
});

/// Writes the pair whatever is stored (a new authorisation), and bumps the version so that any
/// renewal begun before it is fenced off.
static SAVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'pair', ARGV[1])
return version
",
    )
});

/// Extends the lock only if it still holds this owner value.
static EXTEND: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
",
    )
});

/// The stored form of a [`TokenPair`].
#[derive(Serialize, Deserialize)]
struct StoredPair {
    access_token: String,
    refresh_token: Option<String>,
    /// Milliseconds since the Unix epoch.
    expires_at_ms: Option<u64>,
    scope: Option<String>,
}

impl StoredPair {
    fn encode(tokens: &TokenPair) -> Result<String, Error> {
        let stored = Self {
            access_token: tokens.access_token.expose().to_owned(),
            refresh_token: tokens.refresh_token.as_ref().map(|t| t.expose().to_owned()),
            expires_at_ms: tokens
                .expires_at
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            scope: tokens.scope.clone(),
        };
        serde_json::to_string(&stored).map_err(|e| {
            AuthFailure::new(AuthFailureKind::Other)
                .with_source(e)
                .into_error("could not encode the token pair for Redis")
        })
    }

    fn decode(text: &str, key: &str) -> Result<TokenPair, Error> {
        let stored: Self = serde_json::from_str(text).map_err(|_| {
            AuthFailure::new(AuthFailureKind::Other).into_error(format!(
                "the Redis key {key} does not hold a token pair written by splitkit-redis"
            ))
        })?;
        Ok(TokenPair {
            access_token: SecretString::new(stored.access_token),
            refresh_token: stored.refresh_token.map(SecretString::new),
            expires_at: stored
                .expires_at_ms
                .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms))),
            scope: stored.scope,
        })
    }
}

/// The token pair of one account in Redis, shared by every instance that uses the same Redis,
/// namespace and account, and the lock that makes one of them refresh at a time.
///
/// Made by [`Redis::token_store`]. It implements [`TokenStore`] (versioned, with a fenced save)
/// and [`RefreshLock`], and hands the lock to the authenticator through
/// [`TokenStore::refresh_lock`]: pass it to a client's `oauth(..)` and nothing else is needed.
#[derive(Clone)]
pub struct RedisTokenStore {
    redis: Redis,
    tokens_key: String,
    lock_key: String,
    lock_ttl: Duration,
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("tokens_key", &self.tokens_key)
            .field("lock_key", &self.lock_key)
            .field("lock_ttl", &self.lock_ttl)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStore {
    pub(crate) fn new(redis: Redis, account: &str) -> Self {
        Self {
            tokens_key: redis.key("oauth", account, "tokens"),
            lock_key: redis.key("oauth", account, "lock"),
            redis,
            lock_ttl: DEFAULT_LOCK_TTL,
        }
    }

    /// How long a lease on the refresh lock lasts unless its holder extends it (default 40 s):
    /// how long other instances wait before taking over from a holder that died. Keep it longer
    /// than one token request (the OAuth app's timeout, 30 s by default for Zepto).
    pub fn lock_ttl(mut self, ttl: Duration) -> Self {
        self.lock_ttl = ttl;
        self
    }

    /// The key of the stored pair.
    pub fn tokens_key(&self) -> &str {
        &self.tokens_key
    }

    /// The key of the refresh lock.
    pub fn lock_key(&self) -> &str {
        &self.lock_key
    }

    fn ttl_ms(&self) -> u64 {
        u64::try_from(self.lock_ttl.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }
}

/// A Redis failure, as the authenticator reports it: the store is unavailable (retryable).
fn unavailable(what: &str, error: redis::RedisError) -> Error {
    AuthFailure::new(AuthFailureKind::StoreUnavailable)
        .with_source(error)
        .into_error(format!("the Redis token store could not {what}"))
}

fn saved(version: i64) -> SaveOutcome {
    match u64::try_from(version) {
        Ok(version) => SaveOutcome::Saved { version },
        Err(_) => SaveOutcome::Superseded,
    }
}

#[async_trait]
impl TokenStore for RedisTokenStore {
    async fn load(&self) -> Result<Option<TokenPair>, Error> {
        Ok(self.load_versioned().await?.map(|stored| stored.tokens))
    }

    async fn save(&self, tokens: &TokenPair) -> Result<(), Error> {
        let pair = StoredPair::encode(tokens)?;
        let _: i64 = SAVE
            .key(&self.tokens_key)
            .arg(pair)
            .invoke_async(&mut self.redis.connection())
            .await
            .map_err(|e| unavailable("save the token pair", e))?;
        Ok(())
    }

    async fn load_versioned(&self) -> Result<Option<StoredTokens>, Error> {
        let (version, pair): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(&self.tokens_key)
            .arg("version")
            .arg("pair")
            .query_async(&mut self.redis.connection())
            .await
            .map_err(|e| unavailable("read the token pair", e))?;
        let Some(pair) = pair else {
            return Ok(None);
        };
        Ok(Some(StoredTokens {
            tokens: StoredPair::decode(&pair, &self.tokens_key)?,
            version: version.unwrap_or(0),
        }))
    }

    async fn save_versioned(
        &self,
        tokens: &TokenPair,
        expected: u64,
    ) -> Result<SaveOutcome, Error> {
        let pair = StoredPair::encode(tokens)?;
        let version: i64 = SAVE_IF_VERSION
            .key(&self.tokens_key)
            .arg(expected)
            .arg(pair)
            .invoke_async(&mut self.redis.connection())
            .await
            .map_err(|e| unavailable("save the token pair", e))?;
        Ok(saved(version))
    }

    fn refresh_lock(&self) -> Option<Arc<dyn RefreshLock>> {
        Some(Arc::new(self.clone()))
    }
}

#[async_trait]
impl RefreshLock for RedisTokenStore {
    async fn try_acquire(&self) -> Result<Option<LockLease>, Error> {
        let lease = LockLease::generate();
        let answer: Option<String> = redis::cmd("SET")
            .arg(&self.lock_key)
            .arg(lease.owner())
            .arg("NX")
            .arg("PX")
            .arg(self.ttl_ms())
            .query_async(&mut self.redis.connection())
            .await
            .map_err(|e| unavailable("take the refresh lock", e))?;
        Ok(answer.map(|_| lease))
    }

    async fn extend(&self, lease: &LockLease) -> Result<bool, Error> {
        let extended: i64 = EXTEND
            .key(&self.lock_key)
            .arg(lease.owner())
            .arg(self.ttl_ms())
            .invoke_async(&mut self.redis.connection())
            .await
            .map_err(|e| unavailable("extend the refresh lock", e))?;
        Ok(extended == 1)
    }

    async fn release(&self, lease: &LockLease) -> Result<bool, Error> {
        let released: i64 = RELEASE
            .key(&self.lock_key)
            .arg(lease.owner())
            .invoke_async(&mut self.redis.connection())
            .await
            .map_err(|e| unavailable("release the refresh lock", e))?;
        Ok(released == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_round_trip_through_their_stored_form() {
        let pair = TokenPair {
            access_token: "a".into(),
            refresh_token: Some("r".into()),
            expires_at: Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123)),
            scope: Some("public payments".into()),
        };
        let text = StoredPair::encode(&pair).unwrap();
        assert_eq!(StoredPair::decode(&text, "k").unwrap(), pair);
        let err = StoredPair::decode("{}", "ns:oauth:a:tokens").unwrap_err();
        assert!(err.to_string().contains("ns:oauth:a:tokens"), "{err}");
    }

    #[test]
    fn a_negative_script_answer_is_a_superseded_save() {
        assert_eq!(saved(-1), SaveOutcome::Superseded);
        assert_eq!(saved(3), SaveOutcome::Saved { version: 3 });
    }

    #[test]
    fn expiry_keeps_milliseconds() {
        let at = UNIX_EPOCH + Duration::from_millis(5);
        let pair = TokenPair {
            access_token: "a".into(),
            refresh_token: None,
            expires_at: Some(at),
            scope: None,
        };
        let back = StoredPair::decode(&StoredPair::encode(&pair).unwrap(), "k").unwrap();
        assert_eq!(back.expires_at, Some(at));
    }
}
