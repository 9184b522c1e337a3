//! The neutral checkout example: the same merchant code funds a group payment with every
//! provider on the emulator.

#[tokio::test]
async fn the_same_checkout_is_funded_with_every_provider() {
    assert!(examples::neutral::run().await);
}
