//! Credential parsing: a table of key strings, masking, modes.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use ante_client::{
    ApiKey, Brand, Client, KeyKind, MerchantId, Mode, PublishableKey, SecretKey, SigningSecret,
    WebhookSecret,
};
use splitkit_common::Error;

const PK_TEST: &str = "ante_pk_test_4f9c2b7e1a3d5c8e";
const PK_LIVE: &str = "ante_pk_live_4f9c2b7e1a3d5c8e";
const SK_TEST: &str = "ante_sk_test_9a8b7c6d5e4f3a2b";
const SK_LIVE: &str = "ante_sk_live_9a8b7c6d5e4f3a2b";
const SIGN: &str = "ante_sign_5e6f7a8b9c0d1e2f";
const MERCH: &str = "ante_merch_j57abc";
const WHSEC: &str = "whsec_0a1b2c3d4e5f6a7b8c9d";

fn rule(err: Error, field: &str) -> String {
    match err {
        Error::Validation { field: f, rule } => {
            assert_eq!(f, field, "rule was: {rule}");
            rule
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn valid_keys_parse_with_mode_and_brand() {
    let table: &[(&str, KeyKind, Mode, Brand)] = &[
        (PK_TEST, KeyKind::Publishable, Mode::Test, Brand::Ante),
        (PK_LIVE, KeyKind::Publishable, Mode::Live, Brand::Ante),
        (SK_TEST, KeyKind::Secret, Mode::Test, Brand::Ante),
        (SK_LIVE, KeyKind::Secret, Mode::Live, Brand::Ante),
        (
            "plurel_pk_test_4f9c2b7e1a3d5c8e",
            KeyKind::Publishable,
            Mode::Test,
            Brand::Plurel,
        ),
        (
            "plurel_pk_live_4f9c2b7e1a3d5c8e",
            KeyKind::Publishable,
            Mode::Live,
            Brand::Plurel,
        ),
        (
            "plurel_sk_test_9a8b7c6d5e4f3a2b",
            KeyKind::Secret,
            Mode::Test,
            Brand::Plurel,
        ),
        (
            "plurel_sk_live_9a8b7c6d5e4f3a2b",
            KeyKind::Secret,
            Mode::Live,
            Brand::Plurel,
        ),
    ];
    for (text, kind, mode, brand) in table {
        let key = ApiKey::parse(text).unwrap();
        assert_eq!(key.kind(), *kind, "{text}");
        assert_eq!(key.mode(), *mode, "{text}");
        assert_eq!(key.brand(), *brand, "{text}");
        assert_eq!(key.expose(), *text);
        match kind {
            KeyKind::Publishable => {
                let k = PublishableKey::parse(text).unwrap();
                assert_eq!((k.mode(), k.brand()), (*mode, *brand));
            }
            KeyKind::Secret => {
                let k = SecretKey::parse(text).unwrap();
                assert_eq!((k.mode(), k.brand()), (*mode, *brand));
            }
        }
    }
    assert_eq!(SigningSecret::parse(SIGN).unwrap().brand(), Brand::Ante);
    assert_eq!(
        SigningSecret::parse("plurel_sign_5e6f7a8b9c0d1e2f")
            .unwrap()
            .brand(),
        Brand::Plurel
    );
    assert_eq!(MerchantId::parse(MERCH).unwrap().as_str(), MERCH);
    assert_eq!(
        MerchantId::parse("plurel_merch_j57abc").unwrap().brand(),
        Brand::Plurel
    );
    assert_eq!(WebhookSecret::parse(WHSEC).unwrap().expose(), WHSEC);
    // FromStr works too.
    let parsed: SecretKey = SK_LIVE.parse().unwrap();
    assert_eq!(parsed.mode(), Mode::Live);
}

#[test]
fn surrounding_whitespace_is_trimmed() {
    let key = SecretKey::parse(&format!("  {SK_TEST}\n")).unwrap();
    assert_eq!(key.expose(), SK_TEST);
    let secret = SigningSecret::parse(&format!("{SIGN}\r\n")).unwrap();
    assert_eq!(secret.expose(), SIGN);
}

#[test]
fn wrong_prefix_names_what_the_value_is() {
    // A secret key where the signing secret belongs: the most common mix-up.
    let r = rule(SigningSecret::parse(SK_TEST).unwrap_err(), "signing_secret");
    assert!(
        r.contains("this is a secret API key (`ante_sk_test_…`)"),
        "{r}"
    );
    assert!(r.contains("not the signing secret"), "{r}");
    assert!(!r.contains("9a8b7c6d"), "the value leaked: {r}");

    let r = rule(SecretKey::parse(PK_LIVE).unwrap_err(), "secret_key");
    assert!(r.contains("publishable key"), "{r}");
    let r = rule(
        PublishableKey::parse(SK_LIVE).unwrap_err(),
        "publishable_key",
    );
    assert!(r.contains("secret API key"), "{r}");
    let r = rule(WebhookSecret::parse(SIGN).unwrap_err(), "webhook_secret");
    assert!(r.contains("signing secret"), "{r}");
    let r = rule(SigningSecret::parse(WHSEC).unwrap_err(), "signing_secret");
    assert!(r.contains("webhook endpoint secret"), "{r}");
    let r = rule(ApiKey::parse(SIGN).unwrap_err(), "api_key");
    assert!(r.contains("not an API key"), "{r}");
    let r = rule(MerchantId::parse(PK_TEST).unwrap_err(), "merchant_id");
    assert!(r.contains("publishable key"), "{r}");

    // Unknown prefixes (including the other API's `sk_test_` keys) are never echoed.
    for text in [
        "sk_test_51Habcdefghijklmnop",
        "pk_live_51Habcdefghijklmnop",
        "ANTE_SK_TEST_9a8b7c6d5e4f3a2b",
        "xante_sk_test_9a8b7c6d5e4f3a2b",
    ] {
        let r = rule(ApiKey::parse(text).unwrap_err(), "api_key");
        assert!(r.starts_with("must start with"), "{r}");
        assert!(!r.contains("51Habc") && !r.contains("9a8b"), "leaked: {r}");
    }
}

#[test]
fn wrong_mode_is_refused() {
    for text in [
        "ante_sk_prod_9a8b7c6d5e4f3a2b",
        "ante_sk_sandbox_9a8b7c6d5e4f3a2b",
        "ante_sk_9a8b7c6d5e4f3a2b3c4d",
    ] {
        let r = rule(SecretKey::parse(text).unwrap_err(), "secret_key");
        assert!(
            r.contains("`ante_sk_` must be followed by the mode, `test_` or `live_`"),
            "{r}"
        );
    }
    let r = rule(
        PublishableKey::parse("plurel_pk_demo_4f9c2b7e1a3d5c8e").unwrap_err(),
        "publishable_key",
    );
    assert!(
        r.contains("`plurel_pk_` must be followed by the mode"),
        "{r}"
    );

    // A key of the wrong mode for the deployment.
    let err = Client::builder(SecretKey::parse(SK_TEST).unwrap())
        .require_mode(Mode::Live)
        .build()
        .unwrap_err();
    let r = rule(err, "api_key");
    assert_eq!(r, "is a test key but this client requires a live key");
    assert!(
        Client::builder(SecretKey::parse(SK_LIVE).unwrap())
            .require_mode(Mode::Live)
            .build()
            .is_ok()
    );
}

#[test]
fn truncated_dashboard_prefix_is_refused() {
    // The dashboard shows the first 16 characters only.
    for (text, field, parse) in [
        (
            &SK_LIVE[..16],
            "secret_key",
            (|s| SecretKey::parse(s).map(|_| ())) as fn(&str) -> Result<(), Error>,
        ),
        (&PK_TEST[..16], "publishable_key", |s| {
            PublishableKey::parse(s).map(|_| ())
        }),
        ("plurel_sk_live_9", "secret_key", |s| {
            SecretKey::parse(s).map(|_| ())
        }),
        (&SIGN[..16], "signing_secret", |s| {
            SigningSecret::parse(s).map(|_| ())
        }),
        (&WHSEC[..16], "webhook_secret", |s| {
            WebhookSecret::parse(s).map(|_| ())
        }),
    ] {
        assert_eq!(text.len(), 16);
        let r = rule(parse(text).unwrap_err(), field);
        assert!(
            r.contains("is only 16 characters") && r.contains("prefix the dashboard shows"),
            "{text}: {r}"
        );
    }
    // API keys of 20 characters still look like a prefix; 21 pass.
    assert!(SecretKey::parse("ante_sk_live_1234567").is_err());
    assert!(SecretKey::parse("ante_sk_live_12345678").is_ok());
    let r = rule(
        PublishableKey::parse("ante_pk_test_abc...").unwrap_err(),
        "publishable_key",
    );
    assert!(r.contains("is only 19 characters"), "{r}");
    // Secrets: only the 16-character display is refused (Ante's example secret has 17).
    assert!(SigningSecret::parse("ante_sign_example").is_ok());
    assert!(WebhookSecret::parse("whsec_0123456789a").is_ok());
    // The dashboard's ellipsis.
    let r = rule(
        SecretKey::parse("ante_sk_live_9a8b…").unwrap_err(),
        "secret_key",
    );
    assert!(r.contains("copy the full value"), "{r}");
}

#[test]
fn malformed_values_are_refused() {
    let r = rule(SecretKey::parse("   ").unwrap_err(), "secret_key");
    assert_eq!(r, "is empty");
    let r = rule(SecretKey::parse("ante_sk_live_").unwrap_err(), "secret_key");
    assert_eq!(r, "is only the prefix `ante_sk_live_`");
    let r = rule(
        SecretKey::parse("ante_sk_live_9a8b 7c6d5e4f3a2b").unwrap_err(),
        "secret_key",
    );
    assert!(r.contains("spaces"), "{r}");
    let r = rule(MerchantId::parse("ante_merch_").unwrap_err(), "merchant_id");
    assert_eq!(r, "is only the prefix `ante_merch_`");
    // Merchant ids are not secrets: short ones are fine.
    assert!(MerchantId::parse("ante_merch_1").is_ok());
}

#[test]
fn debug_masks_every_credential() {
    let pk = PublishableKey::parse(PK_TEST).unwrap();
    let sk = SecretKey::parse(SK_LIVE).unwrap();
    let sign = SigningSecret::parse(SIGN).unwrap();
    let merch = MerchantId::parse(MERCH).unwrap();
    let wh = WebhookSecret::parse(WHSEC).unwrap();
    assert_eq!(format!("{pk:?}"), "PublishableKey(ante_pk_test_***)");
    assert_eq!(format!("{sk:?}"), "SecretKey(ante_sk_live_***)");
    assert_eq!(format!("{sign:?}"), "SigningSecret(ante_sign_***)");
    assert_eq!(format!("{merch:?}"), "MerchantId(ante_merch_***)");
    assert_eq!(format!("{wh:?}"), "WebhookSecret(whsec_***)");
    assert_eq!(
        format!("{:?}", ApiKey::from(sk.clone())),
        "SecretKey(ante_sk_live_***)"
    );

    let client = Client::builder(sk)
        .signing_secret(sign)
        .merchant_id(merch)
        .build()
        .unwrap();
    let shown = format!("{client:?}");
    for secret in [SK_LIVE, SIGN, MERCH, "9a8b7c6d", "5e6f7a8b"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("ante_sk_live_***"), "{shown}");
}

#[test]
fn blank_keys_are_refused_and_base_url_credentials_masked() {
    for blank in ["", "  ", "\n"] {
        let err = SecretKey::parse(blank).unwrap_err();
        assert!(
            matches!(err, Error::Validation { .. }),
            "{blank:?}: {err:?}"
        );
        assert!(ApiKey::parse(blank).is_err(), "{blank:?}");
    }
    let builder = Client::builder(SecretKey::parse(SK_LIVE).unwrap())
        .base_url("https://user:hunter2@proxy.example/api/v1?api_key=k_secret");
    let shown = format!("{builder:?}");
    let client = builder.build().unwrap();
    let shown = format!("{shown} {client:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("k_secret"),
        "{shown}"
    );
}

#[test]
fn headless_needs_a_secret_key() {
    let err = Client::builder(PublishableKey::parse(PK_TEST).unwrap())
        .headless()
        .build()
        .unwrap_err();
    assert!(
        matches!(err, Error::Config(ref m) if m.contains("secret key")),
        "{err}"
    );
}
