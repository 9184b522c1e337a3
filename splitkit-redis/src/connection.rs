//! The connection to Redis and the key namespace, shared by every store of this crate.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use redis::Script;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use splitkit_common::{Error, TransportError, TransportErrorKind};

use crate::deliveries::RedisDeliveryStore;
use crate::tokens::RedisTokenStore;

/// Deletes a key only while it still holds the given owner value (compare-and-delete): how a
/// lock or a claim is given up without touching one another instance took since.
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// The environment variable [`Redis::from_env`] reads: a Redis URL such as
/// `redis://127.0.0.1:6379/0` or `rediss://user:password@host:6380/0`.
pub const REDIS_URL_VAR: &str = "REDIS_URL";

/// A connection to Redis (multiplexed, reconnecting by itself) and the namespace that prefixes
/// every key. Cheap to clone: clones share the connection.
#[derive(Clone)]
pub struct Redis {
    connection: ConnectionManager,
    namespace: Arc<str>,
}

impl fmt::Debug for Redis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redis")
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

impl Redis {
    /// Connects to the Redis at `url` (`redis://`, `rediss://`, `unix://`). Fails with a
    /// retryable [`Error::Transport`] when it cannot be reached, and with [`Error::Config`] when
    /// `url` is not a Redis URL.
    ///
    /// The connection gives up on an answer after 1 s and on a connection attempt after 1 s,
    /// and tries twice to reconnect before reporting Redis unreachable: a token renewal fails
    /// quickly rather than holding calls while Redis is down. Use [`Redis::with_connection`] to
    /// choose otherwise.
    pub async fn connect(url: &str) -> Result<Self, Error> {
        let client = redis::Client::open(url).map_err(|e| {
            Error::Config(format!(
                "the Redis URL is not valid ({}): {e}",
                e.category()
            ))
        })?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| Error::from(TransportError::new(TransportErrorKind::Connect, e)))?;
        Ok(Self::with_connection(connection))
    }

    /// Connects to the Redis named by the `REDIS_URL` environment variable.
    pub async fn from_env() -> Result<Self, Error> {
        let url = std::env::var(REDIS_URL_VAR).map_err(|_| {
            Error::Config(format!(
                "{REDIS_URL_VAR} is not set: set it to the Redis URL, e.g. redis://127.0.0.1:6379/0"
            ))
        })?;
        Self::connect(&url).await
    }

    /// Uses a connection you configured yourself.
    pub fn with_connection(connection: ConnectionManager) -> Self {
        Self {
            connection,
            namespace: Arc::from("splitkit"),
        }
    }

    /// Prefixes every key with `namespace` (default `splitkit`), so that several applications or
    /// environments can share one Redis.
    pub fn namespace(mut self, namespace: &str) -> Self {
        self.namespace = Arc::from(namespace);
        self
    }

    /// The token store of `account` (your own identifier of the connected account).
    pub fn token_store(&self, account: &str) -> RedisTokenStore {
        RedisTokenStore::new(self.clone(), account)
    }

    /// The webhook delivery records of every provider, for the providers' `WebhookInbox::store`:
    /// one delivery is handled once across every instance that shares this Redis and namespace.
    pub fn delivery_store(&self) -> RedisDeliveryStore {
        RedisDeliveryStore::new(self.clone())
    }

    /// `<namespace>:<area>:<id>:<what>`.
    pub(crate) fn key(&self, area: &str, id: &str, what: &str) -> String {
        format!("{}:{area}:{id}:{what}", self.namespace)
    }

    pub(crate) fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }
}
