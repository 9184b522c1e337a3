//! The emulator, a webhook receiver, and the four neutral providers pointed at them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub(crate) mod control;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::routing::post;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use splitkit::{Event, EventKind, ProviderKind, SplitProvider};
use splitkit_emulator::control::AgreementTerms;
use splitkit_emulator::{Emulator, EmulatorConfig, RunningEmulator, seed};
use tokio::sync::{Mutex, mpsc};

use control::Control;

/// One delivery as it arrived.
pub(crate) struct Delivery {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

type Inboxes = HashMap<&'static str, Mutex<mpsc::UnboundedReceiver<Delivery>>>;

/// A webhook receiver on 127.0.0.1: `POST /<provider>/hooks` answers exactly 200 and queues the
/// delivery for the test.
pub(crate) struct Receiver {
    base: String,
    inboxes: Inboxes,
}

const PATHS: [&str; 4] = ["ante", "fairshare", "splitable", "zepto"];

fn path(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Ante => "ante",
        ProviderKind::FairShare => "fairshare",
        ProviderKind::Splitable => "splitable",
        _ => "zepto",
    }
}

impl Receiver {
    async fn start() -> Self {
        let mut senders = HashMap::new();
        let mut inboxes = HashMap::new();
        for p in PATHS {
            let (tx, rx) = mpsc::unbounded_channel();
            senders.insert(p, tx);
            inboxes.insert(p, Mutex::new(rx));
        }
        let app = Router::new()
            .route("/{provider}/hooks", post(receive))
            .with_state(Arc::new(senders));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, inboxes }
    }

    /// Where `kind`'s webhooks go.
    pub(crate) fn url(&self, kind: ProviderKind) -> String {
        format!("{}/{}/hooks", self.base, path(kind))
    }

    async fn next(&self, kind: ProviderKind) -> Option<Delivery> {
        let mut inbox = self.inboxes[path(kind)].lock().await;
        tokio::time::timeout(Duration::from_secs(5), inbox.recv())
            .await
            .ok()
            .flatten()
    }
}

async fn receive(
    State(senders): State<Arc<HashMap<&'static str, mpsc::UnboundedSender<Delivery>>>>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    match senders.get(provider.as_str()) {
        Some(tx) if tx.send(Delivery { headers, body }).is_ok() => StatusCode::OK,
        _ => StatusCode::NOT_FOUND,
    }
}

/// A running emulator and receiver, and a neutral provider of each kind built on them.
pub(crate) struct Harness {
    pub(crate) emulator: RunningEmulator,
    pub(crate) receiver: Receiver,
    pub(crate) control: Control,
    pub(crate) ante: Arc<dyn SplitProvider>,
    pub(crate) fairshare: Arc<dyn SplitProvider>,
    pub(crate) splitable: Arc<dyn SplitProvider>,
    pub(crate) zepto: Arc<dyn SplitProvider>,
    /// A Zepto client on the same emulator, to add the Contacts that pay.
    pub(crate) zepto_client: zepto_client::Client,
}

impl Harness {
    pub(crate) async fn start() -> Self {
        let receiver = Receiver::start().await;
        let config = EmulatorConfig::default()
            .fairshare_webhook_url(receiver.url(ProviderKind::FairShare))
            .zepto_webhook_url(receiver.url(ProviderKind::Zepto))
            .webhook_retry_delays(vec![Duration::from_millis(50); 3]);
        let emulator = Emulator::start(config).await.unwrap();
        let clock = emulator.clock();

        let ante = ante_client::Client::builder(
            ante_client::SecretKey::parse(seed::ANTE_TEST_SECRET_KEY).unwrap(),
        )
        .signing_secret(ante_client::SigningSecret::parse(seed::ANTE_SIGNING_SECRET).unwrap())
        .base_url(emulator.ante_base_url())
        .build()
        .unwrap();
        let ante_verifier = ante_client::WebhookVerifier::new([ante_client::webhook::Key::from(
            ante_client::SigningSecret::parse(seed::ANTE_SIGNING_SECRET).unwrap(),
        )])
        .unwrap()
        .clock(clock.clone());

        let fairshare = fairshare_client::Client::builder(seed::FAIRSHARE_API_KEY)
            .base_url(emulator.fairshare_base_url())
            .build()
            .unwrap();
        let fairshare_verifier =
            fairshare_client::WebhookVerifier::new([seed::FAIRSHARE_WEBHOOK_SIGNING_KEY])
                .unwrap()
                .clock(clock.clone());

        let splitable = splitable_client::Client::builder(seed::SPLITABLE_API_KEY)
            .base_url(emulator.splitable_base_url())
            .build()
            .unwrap();
        let splitable_verifier =
            splitable_client::WebhookVerifier::new([seed::SPLITABLE_API_SECRET]).unwrap();

        let zepto_client = zepto_client::Client::builder(zepto_client::Environment::custom(
            emulator.zepto_api_base_url(),
            emulator.zepto_oauth_base_url(),
        ))
        .personal_access_token(seed::ZEPTO_PERSONAL_ACCESS_TOKEN)
        .build()
        .unwrap();
        let zepto_verifier = zepto_client::WebhookVerifier::new([seed::ZEPTO_WEBHOOK_SECRET])
            .unwrap()
            .clock(clock);

        let control = Control::new(emulator.control().clone());
        Self {
            ante: Arc::new(splitkit::AnteProvider::new(ante).webhooks(ante_verifier)),
            fairshare: Arc::new(
                splitkit::FairShareProvider::new(fairshare).webhooks(fairshare_verifier),
            ),
            splitable: Arc::new(
                splitkit::SplitableProvider::new(splitable).webhooks(splitable_verifier),
            ),
            zepto: Arc::new(
                splitkit::ZeptoProvider::new(zepto_client.clone()).webhooks(zepto_verifier),
            ),
            zepto_client,
            emulator,
            receiver,
            control,
        }
    }

    /// The next webhook `provider` sent, verified and parsed by it.
    pub(crate) async fn next_event(&self, provider: &dyn SplitProvider) -> Event {
        let delivery = self
            .receiver
            .next(provider.kind())
            .await
            .unwrap_or_else(|| panic!("no {} webhook within 5 s", provider.kind()));
        provider
            .parse_webhook(&delivery.headers, &delivery.body)
            .unwrap_or_else(|e| panic!("a {} webhook did not verify: {e}", provider.kind()))
    }

    /// Webhooks of `provider` until one of `kind` (returned with the ones before it).
    pub(crate) async fn events_until(
        &self,
        provider: &dyn SplitProvider,
        kind: EventKind,
    ) -> Vec<Event> {
        let mut events = Vec::new();
        loop {
            let event = self.next_event(provider).await;
            let done = event.kind == kind;
            events.push(event);
            if done {
                return events;
            }
        }
    }

    /// Whether `provider` sends no webhook within half a second.
    pub(crate) async fn quiet(&self, provider: &dyn SplitProvider) -> bool {
        let mut inbox = self.receiver.inboxes[path(provider.kind())].lock().await;
        tokio::time::timeout(Duration::from_millis(500), inbox.recv())
            .await
            .is_err()
    }

    /// A Zepto Contact that has accepted an Agreement without limits, by name (the strict
    /// emulator, like Zepto, refuses to debit a Contact without one).
    pub(crate) async fn zepto_contact(&self, name: &str, account: &str) -> String {
        let id = self
            .zepto_client
            .contacts()
            .create(
                zepto_client::contacts::NewContact::new()
                    .name(name)
                    .email(format!("{}@example.com", name.to_lowercase()))
                    .branch_code("062000")
                    .account_number(account),
            )
            .await
            .unwrap()
            .id;
        self.emulator
            .zepto()
            .accept_agreement(&id, AgreementTerms::unlimited())
            .await
            .expect("the Contact accepts an Agreement");
        id
    }
}

/// `(provider type, neutral kind)` of each event, for comparing sequences.
pub(crate) fn kinds(events: &[Event]) -> Vec<(String, EventKind)> {
    events
        .iter()
        .map(|e| (e.provider_type.clone(), e.kind))
        .collect()
}
