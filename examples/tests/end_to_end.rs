//! End to end: each provider's flow through its SDK against the emulator on 127.0.0.1, and the
//! failure cases a merchant's integration must get right (bad signatures, replayed creates,
//! refresh-token rotation).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::sync::Arc;
use std::time::Duration;

use examples::tour::{self, Stage};
use http::{HeaderMap, HeaderName, HeaderValue};
use splitkit_common::{IdempotencyKey, MemoryTokenStore, Timestamp, TokenStore, WebhookError};
use splitkit_emulator::{Provider, WebhookDelivery, seed};
use zepto_client::contacts::NewContact;
use zepto_client::models::PaymentChannel;
use zepto_client::oauth::{OAuthApp, Scope};
use zepto_client::payments::{NewPayment, Payout};
use zepto_client::{Client, Environment, Error};

#[tokio::test]
async fn ante_flow() {
    let stage = Stage::start().await.unwrap();
    tour::ante::run(&stage.emulator, &stage.receiver)
        .await
        .unwrap();
}

#[tokio::test]
async fn fairshare_flow_including_a_replayed_idempotent_create() {
    let stage = Stage::start().await.unwrap();
    tour::fairshare::run(&stage.emulator, &stage.receiver)
        .await
        .unwrap();
}

#[tokio::test]
async fn splitable_flow() {
    let stage = Stage::start().await.unwrap();
    tour::splitable::run(&stage.emulator, &stage.receiver)
        .await
        .unwrap();
}

#[tokio::test]
async fn zepto_flow() {
    let stage = Stage::start().await.unwrap();
    tour::zepto::run(&stage.emulator, &stage.receiver)
        .await
        .unwrap();
}

fn header_map(delivery: &WebhookDelivery) -> HeaderMap {
    delivery
        .headers
        .iter()
        .map(|(k, v)| {
            (
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect()
}

/// The same headers with the last hex digit of `header`'s value changed.
fn with_bad_signature(headers: &HeaderMap, header: &str) -> HeaderMap {
    let mut bad = headers.clone();
    let value = headers[header].to_str().unwrap();
    let last = value.chars().last().unwrap();
    let flipped = if last == '0' { '1' } else { '0' };
    let forged = format!("{}{flipped}", &value[..value.len() - 1]);
    bad.insert(
        HeaderName::from_bytes(header.as_bytes()).unwrap(),
        forged.parse().unwrap(),
    );
    bad
}

#[tokio::test]
async fn webhooks_with_a_bad_signature_are_rejected() {
    let stage = Stage::start().await.unwrap();
    tour::fairshare::run(&stage.emulator, &stage.receiver)
        .await
        .unwrap();
    tour::zepto::run(&stage.emulator, &stage.receiver)
        .await
        .unwrap();
    let sent = stage.emulator.webhooks_sent();

    let fairshare = sent
        .iter()
        .find(|d| d.provider == Provider::FairShare)
        .unwrap();
    let verifier = fairshare_client::WebhookVerifier::new([seed::FAIRSHARE_WEBHOOK_SIGNING_KEY])
        .unwrap()
        .clock(stage.emulator.clock());
    let headers = header_map(fairshare);
    verifier
        .verify(&headers, fairshare.body.as_bytes())
        .unwrap();
    let bad = with_bad_signature(&headers, "x-splitpay-signature");
    assert_eq!(
        verifier
            .verify(&bad, fairshare.body.as_bytes())
            .unwrap_err(),
        WebhookError::SignatureMismatch
    );

    let zepto = sent.iter().find(|d| d.provider == Provider::Zepto).unwrap();
    let verifier = zepto_client::webhook::WebhookVerifier::new([seed::ZEPTO_WEBHOOK_SECRET])
        .unwrap()
        .clock(stage.emulator.clock());
    let headers = header_map(zepto);
    let event = verifier.verify(&headers, zepto.body.as_bytes()).unwrap();
    assert!(event.typed().is_some(), "{event:?}");
    let bad = with_bad_signature(&headers, "split-signature");
    assert_eq!(
        verifier.verify(&bad, zepto.body.as_bytes()).unwrap_err(),
        WebhookError::SignatureMismatch
    );
}

async fn connected_app(stage: &Stage) -> (Environment, OAuthApp, splitkit_common::TokenPair) {
    let environment = Environment::custom(
        stage.emulator.zepto_api_base_url(),
        stage.emulator.zepto_oauth_base_url(),
    );
    let app = OAuthApp::new(
        &environment,
        seed::ZEPTO_CLIENT_ID,
        seed::ZEPTO_CLIENT_SECRET,
        tour::zepto::REDIRECT_URI,
    )
    .unwrap()
    .clock(stage.emulator.clock());
    let authorization = app
        .authorization_url()
        .scopes([Scope::Public, Scope::Contacts, Scope::Payments])
        .build()
        .unwrap();
    let redirected = tour::zepto::approve(authorization.url.as_str())
        .await
        .unwrap();
    let code = authorization.code_from_redirect(&redirected).unwrap();
    let tokens = app.exchange_code(&code).await.unwrap();
    (environment, app, tokens)
}

#[tokio::test]
async fn zepto_rotates_the_refresh_token_and_the_old_one_stops_working() {
    let stage = Stage::start().await.unwrap();
    stage
        .emulator
        .zepto()
        .set_token_lifetime(Duration::from_secs(600))
        .await
        .unwrap();
    let (environment, app, tokens) = connected_app(&stage).await;
    let first_refresh = tokens.refresh_token.clone().unwrap();
    let store = Arc::new(MemoryTokenStore::with_tokens(tokens));
    let client = Client::builder(environment)
        .oauth(app.clone(), store.clone())
        .clock(stage.emulator.clock())
        .build()
        .unwrap();
    client.user().get().await.unwrap();

    // Past the access token's lifetime, for the emulator and the SDK alike.
    stage
        .emulator
        .clock()
        .advance(Duration::from_secs(900))
        .await
        .unwrap();
    client.user().get().await.unwrap();

    let saved = store.load().await.unwrap().unwrap();
    let rotated = saved.refresh_token.unwrap();
    assert_ne!(
        rotated, first_refresh,
        "the refresh grant rotated the refresh token"
    );
    let err = app.refresh_tokens(&first_refresh).await.unwrap_err();
    assert!(
        matches!(err, Error::Auth { .. }),
        "the old refresh token is refused: {err:?}"
    );
    app.refresh_tokens(&rotated).await.unwrap();
}

#[tokio::test]
async fn zepto_a_replayed_payment_key_is_a_conflict_naming_the_first_payment() {
    let stage = Stage::start().await.unwrap();
    let environment = Environment::custom(
        stage.emulator.zepto_api_base_url(),
        stage.emulator.zepto_oauth_base_url(),
    );
    let client = Client::builder(environment)
        .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
        .build()
        .unwrap();
    let contact = client
        .contacts()
        .create(
            NewContact::new()
                .name("Replay Pty")
                .email("replay@example.com")
                .branch_code("062000")
                .account_number("12345678"),
        )
        .await
        .unwrap();
    let now = Timestamp::from_system_time(splitkit_common::Clock::now(&*stage.emulator.clock()));
    let key = IdempotencyKey::new("order-7731").unwrap();
    let payment = || {
        NewPayment::new("Order 7731", now)
            .channels([PaymentChannel::DirectEntry])
            .payout(Payout::new(&contact.id, 4_200, "Ord 7731"))
            .idempotency_key(key.clone())
    };
    let first = client.payments().create(payment()).await.unwrap();
    match client.payments().create(payment()).await {
        Err(Error::IdempotencyConflict {
            existing_resource, ..
        }) => {
            assert_eq!(existing_resource.as_deref(), Some(first.ref_.as_str()));
        }
        other => panic!("expected an idempotency conflict, got {other:?}"),
    }
    let listed: Vec<_> = futures_util::TryStreamExt::try_collect(client.payments().list().stream())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "the replay created nothing");
}
