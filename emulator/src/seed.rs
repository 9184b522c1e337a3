//! The fixed credentials the emulator accepts. They are printed by the `splitkit-emulator` binary
//! at start and served by `GET /_emulator` as JSON, so a test suite can hard-code them.
//!
//! None of these is a real credential of any provider.

/// Ante merchant id (`X-Merchant-ID`).
pub const ANTE_MERCHANT_ID: &str = "ante_merch_emulator0000000001";
/// Ante sandbox publishable key: signed session creation and session reads.
pub const ANTE_TEST_PUBLISHABLE_KEY: &str = "ante_pk_test_emulator5f0c1d2e3a4b5c6d7e8f90a1";
/// Ante sandbox secret key: everything, including `/merchants/me` and `/webhooks`.
pub const ANTE_TEST_SECRET_KEY: &str = "ante_sk_test_emulator9b8a7c6d5e4f3a2b1c0d9e8f";
/// Ante live publishable key. Live data is kept apart from sandbox data.
pub const ANTE_LIVE_PUBLISHABLE_KEY: &str = "ante_pk_live_emulator0a1b2c3d4e5f60718293a4b5";
/// Ante live secret key. Live data is kept apart from sandbox data.
pub const ANTE_LIVE_SECRET_KEY: &str = "ante_sk_live_emulatorf1e2d3c4b5a69788796a5b4c";
/// Ante signing secret (shared by test and live): signs carts (`X-Ante-Signature`) and
/// per-session `webhook_url` deliveries.
pub const ANTE_SIGNING_SECRET: &str = "ante_sign_emulator3c2b1a09f8e7d6c5b4a39281";

/// FairShare sandbox API key (`X-SplitPay-API-Key`, or `x-api-key`).
pub const FAIRSHARE_API_KEY: &str = "fs_sandbox_emulator_7d1c2b3a4e5f60718293a4b5c6d7e8f9";
/// FairShare live API key: answers `403 LIVE_ACCESS_DISABLED` unless
/// [`EmulatorConfig::fairshare_live_enabled`](crate::EmulatorConfig::fairshare_live_enabled).
pub const FAIRSHARE_LIVE_API_KEY: &str = "fs_live_emulator_0f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// FairShare webhook signing key (`X-SplitPay-Signature`), unless configured otherwise.
pub const FAIRSHARE_WEBHOOK_SIGNING_KEY: &str =
    "fs_whsec_emulator_2a4c6e8f0b1d3f5a7c9e1b3d5f7a9c1e";

/// Splitable `api_key` (the public test key of split(able)'s documentation).
pub const SPLITABLE_API_KEY: &str = "92746e4d66cb8993";
/// Splitable company `api_secret`, echoed in callbacks unless a split overrides it.
pub const SPLITABLE_API_SECRET: &str = "82746e2d66cb8993";

/// Zepto OAuth2 application id (`client_id`).
pub const ZEPTO_CLIENT_ID: &str =
    "6b1f0d3c5e7a9b2d4f6a8c0e1b3d5f7a9c2e4a6c8e0b2d4f6a8c1e3b5d7f9a0c";
/// Zepto OAuth2 application secret (`client_secret`).
pub const ZEPTO_CLIENT_SECRET: &str =
    "0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d";
/// A Zepto personal access token: never expires and carries every scope.
pub const ZEPTO_PERSONAL_ACCESS_TOKEN: &str =
    "a3f1c9e7b5d3f1a9c7e5b3d1f9a7c5e3b1d9f7a5c3e1b9d7f5a3c1e9b7d5f3a1";
/// Zepto webhook signature secret (`Split-Signature`) of endpoints added without one.
pub const ZEPTO_WEBHOOK_SECRET: &str =
    "5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d";
/// The Zepto account the tokens act for (`event.who.account_id`).
pub const ZEPTO_ACCOUNT_ID: &str = "0d5a2c6e-8b1f-4e3a-9c7d-2f4b6a8c0e1d";
/// The Zepto account's primary bank account (used when `your_bank_account_id` is omitted).
pub const ZEPTO_BANK_ACCOUNT_ID: &str = "9c70871d-8e36-4c3e-8a9c-c0ee20e7c679";
/// The Zepto account's NPP-enabled Float Account (PayID receipts land here; the NPP failure
/// amounts apply to payments made from it).
pub const ZEPTO_FLOAT_ACCOUNT_ID: &str = "83623359-e86e-440c-9780-432a3bc3626f";
/// A redirect URI the emulator's OAuth host accepts. Any `http` or `https` URI on
/// `127.0.0.1`, `localhost` or `[::1]` (any port and path) is accepted; see
/// [`zepto_redirect_uri_allowed`].
pub const ZEPTO_EXAMPLE_REDIRECT_URI: &str = "http://127.0.0.1:8080/oauth/callback";

/// Whether the emulator's Zepto OAuth host accepts `redirect_uri`: an `http`/`https` URI whose
/// host is loopback (`127.0.0.0/8`, `localhost`, `[::1]`) and that has no fragment.
pub fn zepto_redirect_uri_allowed(redirect_uri: &str) -> bool {
    url::Url::parse(redirect_uri)
        .map(|u| {
            matches!(u.scheme(), "http" | "https")
                && u.fragment().is_none()
                && crate::util::is_loopback(&u)
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_rule() {
        assert!(zepto_redirect_uri_allowed(ZEPTO_EXAMPLE_REDIRECT_URI));
        assert!(zepto_redirect_uri_allowed("https://localhost/cb"));
        assert!(zepto_redirect_uri_allowed("http://[::1]:3000/cb"));
        assert!(!zepto_redirect_uri_allowed("https://evil.example/cb"));
        assert!(!zepto_redirect_uri_allowed("http://127.0.0.1/cb#frag"));
    }

    #[test]
    fn keys_are_not_mere_prefixes() {
        // Ante's tooling treats keys of 20 characters or fewer as dashboard prefixes.
        for key in [
            ANTE_TEST_PUBLISHABLE_KEY,
            ANTE_TEST_SECRET_KEY,
            ANTE_LIVE_PUBLISHABLE_KEY,
            ANTE_LIVE_SECRET_KEY,
        ] {
            assert!(key.len() > 20);
        }
        assert_eq!(ZEPTO_PERSONAL_ACCESS_TOKEN.len(), 64);
        assert_eq!(ZEPTO_WEBHOOK_SECRET.len(), 64);
    }
}
