//! [`RedisDeliveryStore`]: "have I handled this delivery?" shared by every instance.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use async_trait::async_trait;
use redis::Script;
use splitkit_common::BoxError;
use splitkit_common::webhook::{Claim, ClaimToken, DeliveryKey, DeliveryStore};

use crate::connection::{RELEASE, Redis};

/// The value of a handled delivery's key. A claim's value is a UUID, so it can never be this.
const HANDLED: &str = "handled";

/// Claims a delivery in one step: `SET NX PX`, or, when the key exists, what it holds.
/// Answers 1 (claimed), 2 (handled) or 3 (claimed by someone else).
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[3] then return 2 end
return 3
",
    )
});

/// The webhook deliveries of every provider, recorded in Redis so that one event is handled
/// once however many instances receive it, and however often the provider retries it.
///
/// Made by [`Redis::delivery_store`]; hand it to a provider crate's `WebhookInbox::store`. One
/// key per event, `<namespace>:delivery:<provider>:<event id>`:
///
/// - [`claim`](DeliveryStore::claim) runs `SET key <claim token> NX PX <lease>` and, when the
///   key exists, reads it, in one Lua script: no other instance can slip between the two.
/// - [`mark_handled`](DeliveryStore::mark_handled) runs `SET key handled PX <retention>` (the
///   provider's retry window, chosen by the inbox).
/// - [`release`](DeliveryStore::release) deletes the key only while it still holds this
///   claim's token (compare-and-delete), so a handler whose lease ran out cannot free another
///   instance's claim.
///
/// A claimant that dies leaves its claim to expire after the lease: the provider's next retry
/// is handled then, so no event is lost to a crash.
#[derive(Clone)]
pub struct RedisDeliveryStore {
    redis: Redis,
}

impl fmt::Debug for RedisDeliveryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisDeliveryStore")
            .field("redis", &self.redis)
            .finish()
    }
}

impl RedisDeliveryStore {
    pub(crate) fn new(redis: Redis) -> Self {
        Self { redis }
    }

    /// The Redis key of `key`.
    pub fn redis_key(&self, key: &DeliveryKey) -> String {
        self.redis.key("delivery", key.provider(), key.id())
    }
}

fn millis(duration: Duration) -> u64 {
    // Redis refuses a PX of 0; a lease that short means "expire at once".
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

#[async_trait]
impl DeliveryStore for RedisDeliveryStore {
    async fn claim(&self, key: &DeliveryKey, lease: Duration) -> Result<Claim, BoxError> {
        let token = ClaimToken::random();
        let answer: i64 = CLAIM
            .key(self.redis_key(key))
            .arg(token.as_str())
            .arg(millis(lease))
            .arg(HANDLED)
            .invoke_async(&mut self.redis.connection())
            .await?;
        Ok(match answer {
            1 => Claim::Claimed(token),
            2 => Claim::Handled,
            _ => Claim::InProgress,
        })
    }

    async fn mark_handled(
        &self,
        key: &DeliveryKey,
        _token: &ClaimToken,
        retention: Duration,
    ) -> Result<(), BoxError> {
        redis::cmd("SET")
            .arg(self.redis_key(key))
            .arg(HANDLED)
            .arg("PX")
            .arg(millis(retention))
            .exec_async(&mut self.redis.connection())
            .await?;
        Ok(())
    }

    async fn release(&self, key: &DeliveryKey, token: &ClaimToken) -> Result<(), BoxError> {
        let _: i64 = RELEASE
            .key(self.redis_key(key))
            .arg(token.as_str())
            .invoke_async(&mut self.redis.connection())
            .await?;
        Ok(())
    }
}
