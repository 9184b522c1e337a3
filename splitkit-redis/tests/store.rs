//! The Redis primitives against a real `redis-server`: the versioned, fenced save; the lock's
//! `SET NX PX`, compare-and-delete release and extension; namespaces; and what happens when Redis
//! is unreachable.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

mod support;

use std::sync::Arc;
use std::time::Duration;

use splitkit_common::{AuthFailureKind, Error, RefreshLock, SaveOutcome, TokenPair, TokenStore};
use splitkit_redis::Redis;
use support::{RedisServer, Zepto, expired_pair, free_port};
use zepto_client::oauth::OAuthApp;
use zepto_client::{Client, Environment};

fn pair(access: &str) -> TokenPair {
    TokenPair {
        access_token: access.into(),
        refresh_token: Some(format!("refresh-of-{access}").into()),
        expires_at: None,
        scope: None,
    }
}

#[tokio::test]
async fn saves_are_versioned_and_a_stale_writer_is_fenced_off() {
    let server = RedisServer::start();
    let store = server.connect().await.token_store("acct");
    assert_eq!(store.load_versioned().await.unwrap(), None);

    assert_eq!(
        store.save_versioned(&pair("a"), 0).await.unwrap(),
        SaveOutcome::Saved { version: 1 }
    );
    // Two holders read version 1; the first to write wins, the second is refused.
    assert_eq!(
        store.save_versioned(&pair("b"), 1).await.unwrap(),
        SaveOutcome::Saved { version: 2 }
    );
    assert_eq!(
        store.save_versioned(&pair("c"), 1).await.unwrap(),
        SaveOutcome::Superseded
    );
    // A new authorisation overwrites and bumps the version, fencing off renewals begun before.
    store.save(&pair("d")).await.unwrap();
    assert_eq!(
        store.save_versioned(&pair("e"), 2).await.unwrap(),
        SaveOutcome::Superseded
    );
    let stored = store.load_versioned().await.unwrap().unwrap();
    assert_eq!((stored.tokens, stored.version), (pair("d"), 3));
}

#[tokio::test]
async fn the_lock_has_one_holder_expires_and_is_released_only_by_its_owner() {
    let server = RedisServer::start();
    let redis = server.connect().await;
    let lock = redis
        .token_store("acct")
        .lock_ttl(Duration::from_millis(300));
    let other_instance = redis
        .token_store("acct")
        .lock_ttl(Duration::from_millis(300));

    let first = lock.try_acquire().await.unwrap().unwrap();
    assert!(other_instance.try_acquire().await.unwrap().is_none());
    assert!(lock.extend(&first).await.unwrap());

    // The holder stops (a crash): the lease runs out and another instance takes the lock.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = other_instance.try_acquire().await.unwrap().unwrap();
    assert_ne!(first, second);
    // The late holder can neither extend nor delete the new holder's lock.
    assert!(!lock.extend(&first).await.unwrap());
    assert!(!lock.release(&first).await.unwrap());
    assert!(lock.try_acquire().await.unwrap().is_none());
    assert!(other_instance.release(&second).await.unwrap());
    assert!(lock.try_acquire().await.unwrap().is_some());
}

#[tokio::test]
async fn namespaces_and_accounts_do_not_share_keys() {
    let server = RedisServer::start();
    let redis = server.connect().await;
    let a = redis.token_store("acct-a");
    let b = redis.token_store("acct-b");
    let other_app = redis.clone().namespace("other-app").token_store("acct-a");
    a.save(&pair("a")).await.unwrap();
    assert_eq!(b.load().await.unwrap(), None);
    assert_eq!(other_app.load().await.unwrap(), None);
    assert_eq!(a.tokens_key(), "splitkit:oauth:acct-a:tokens");
    assert_eq!(other_app.lock_key(), "other-app:oauth:acct-a:lock");
    assert!(!format!("{a:?}").contains("refresh-of-a"));
}

#[tokio::test]
async fn connecting_to_an_unreachable_redis_is_a_retryable_transport_error() {
    let url = format!("redis://127.0.0.1:{}/0", free_port());
    let err = Redis::connect(&url).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    let err = Redis::connect("http://not-redis").await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

/// Redis goes away while a client runs: the token it holds keeps working; a renewal fails with a
/// retryable "store unavailable" error and sends no token request (a rotated refresh token that
/// cannot be stored would be lost); once Redis is back, renewal resumes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_unreachable_renewal_fails_typed_and_spends_nothing() {
    let mut server = RedisServer::start();
    let zepto = Zepto::start(Duration::ZERO).await;
    let store = server.connect().await.token_store("acct");
    store
        .save(&expired_pair(Duration::from_secs(10)))
        .await
        .unwrap();
    let environment = Environment::custom(zepto.url(), zepto.url());
    let app = OAuthApp::new(&environment, "app-id", "app-secret", "https://m.example/cb").unwrap();
    let client = Client::builder(environment)
        .oauth(app, Arc::new(store.clone()))
        .build()
        .unwrap();
    client.user().get().await.unwrap();
    assert_eq!(zepto.seen(|s| s.processed.len()), 1);

    server.stop();
    // The access token held in memory needs no Redis.
    client.user().get().await.unwrap();

    // Zepto revokes it: the 401 asks for a renewal, which cannot reach Redis.
    zepto.seen(|s| s.access = "revoked-elsewhere".into());
    let err = client.user().get().await.unwrap_err();
    assert_eq!(
        err.auth_failure().map(|f| f.kind()),
        Some(AuthFailureKind::StoreUnavailable),
        "{err}"
    );
    assert!(err.is_retryable());
    assert_eq!(zepto.seen(|s| s.processed.len()), 1, "no token request");

    // Redis is back (empty: this server keeps nothing on disk, so put the pair back).
    server.restart();
    let current = zepto.seen(|s| TokenPair {
        access_token: s.access.clone().into(),
        refresh_token: Some(s.refresh.clone().into()),
        expires_at: None,
        scope: None,
    });
    // The connection manager reconnects by itself; the first command may see the old socket.
    let mut saved = store.save(&current).await;
    for _ in 0..20 {
        if saved.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        saved = store.save(&current).await;
    }
    saved.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await; // past the failure back-off
    client.user().get().await.unwrap();
}
