//! The neutral checkout example: the same merchant code funds a group payment with every
//! provider on the emulator.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[tokio::test]
async fn the_same_checkout_is_funded_with_every_provider() {
    assert!(examples::neutral::run().await);
}
