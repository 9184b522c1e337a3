//! Starting and stopping the emulator: [`Emulator::start`] and [`RunningEmulator`].

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::EmulatorConfig;
use crate::control::{
    Ante, ClockControl, Control, FairShare, Faults, Requests, Splitable, Webhooks, Zepto,
};
use crate::serve;
use crate::server::{self, Shared};
use crate::webhooks::{self, WebhookDelivery};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// The configuration is inconsistent (the message says which setting).
    #[error("invalid emulator configuration: {0}")]
    Config(String),
    /// The address could not be bound (in use, or not allowed).
    #[error("could not listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
}

/// Starts emulators. See the [crate documentation](crate) for a walkthrough.
#[derive(Debug, Clone, Copy)]
pub struct Emulator;

impl Emulator {
    /// Binds `config.bind` (default `127.0.0.1:0`, an ephemeral port) and serves all four
    /// provider APIs and the control endpoints from background tasks on the current Tokio
    /// runtime. The emulator stops when the returned [`RunningEmulator`] is dropped or shut down.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        config.validate().map_err(EmulatorError::Config)?;
        let bind = config.bind;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|source| EmulatorError::Bind { addr: bind, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind { addr: bind, source })?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
            ip if ip.is_unspecified() => "[::1]".to_string(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let base_url = format!("http://{host}:{}", addr.port());
        let sweep_interval = config.sweep_interval.max(Duration::from_millis(10));
        let (shared, outbox) = Shared::new(config, base_url);
        let app = server::router(shared.clone());
        let server = tokio::spawn(serve::serve(listener, app, shared.shutdown.subscribe()));
        tokio::spawn(webhooks::run_dispatcher(
            shared.clone(),
            outbox,
            shared.shutdown.subscribe(),
        ));
        tokio::spawn(webhooks::run_retries(
            shared.clone(),
            shared.shutdown.subscribe(),
        ));
        tokio::spawn(sweep(
            shared.clone(),
            shared.shutdown.subscribe(),
            sweep_interval,
        ));
        let control = Control::with_clock(&shared.base_url, shared.clock.clone());
        Ok(RunningEmulator {
            addr,
            shared,
            control,
            server: Some(server),
        })
    }
}

async fn sweep(shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = interval.tick() => shared.tick(),
        }
    }
}

/// A running emulator: its URLs, its webhook log, its clock. Dropping it stops the server and
/// every pending webhook; [`RunningEmulator::shutdown`] does the same and waits.
pub struct RunningEmulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    control: Control,
    server: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("addr", &self.addr)
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Ante's API base: `http://127.0.0.1:PORT/ante/api/v1`.
    pub fn ante_base_url(&self) -> String {
        format!("{}/ante/api/v1", self.shared.base_url)
    }

    /// FairShare's API base: `http://127.0.0.1:PORT/fairshare/api/v1`.
    pub fn fairshare_base_url(&self) -> String {
        format!("{}/fairshare/api/v1", self.shared.base_url)
    }

    /// Splitable's base: `http://127.0.0.1:PORT/splitable` (then `/api/splits`).
    pub fn splitable_base_url(&self) -> String {
        format!("{}/splitable", self.shared.base_url)
    }

    /// Zepto's API base: `http://127.0.0.1:PORT/zepto/api` (then `/payments`, ...).
    pub fn zepto_api_base_url(&self) -> String {
        format!("{}/zepto/api", self.shared.base_url)
    }

    /// Zepto's OAuth (UI) host base: `http://127.0.0.1:PORT/zepto/go` (then
    /// `/oauth/authorize`, `/oauth/token`).
    pub fn zepto_oauth_base_url(&self) -> String {
        format!("{}/zepto/go", self.shared.base_url)
    }

    /// The control endpoints: `http://127.0.0.1:PORT/_emulator`.
    pub fn control_url(&self) -> String {
        format!("{}/_emulator", self.shared.base_url)
    }

    /// Every webhook delivery attempt so far, oldest first (bounded by
    /// [`EmulatorConfig::max_logged_deliveries`]).
    pub fn webhooks_sent(&self) -> Vec<WebhookDelivery> {
        self.shared.deliveries()
    }

    /// Waits until a delivery attempt matching `matches` is in the log (including one already
    /// there) and returns it; `None` after `timeout`.
    pub async fn wait_for_webhook(
        &self,
        matches: impl Fn(&WebhookDelivery) -> bool,
        timeout: Duration,
    ) -> Option<WebhookDelivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.log_notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(found) = self.shared.deliveries().into_iter().find(|d| matches(d)) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    /// The typed client of this emulator's control endpoints.
    pub fn control(&self) -> &Control {
        &self.control
    }

    /// The emulator's clock: `emulator.clock().advance(..)` moves it (and makes the webhook
    /// retries that came due); it implements [`splitkit_common::Clock`], so SDK clients and
    /// webhook verifiers given it agree with the emulator after it moved:
    /// `WebhookVerifier::new(..)?.clock(emulator.clock())`.
    pub fn clock(&self) -> Arc<ClockControl> {
        self.control.clock()
    }

    /// The webhooks sent, through the control endpoints ([`RunningEmulator::webhooks_sent`]
    /// reads the same log directly).
    pub fn webhooks(&self) -> Webhooks<'_> {
        self.control.webhooks()
    }

    /// Faults for the next requests to an operation.
    pub fn faults(&self) -> Faults<'_> {
        self.control.faults()
    }

    /// The API requests received.
    pub fn requests(&self) -> Requests<'_> {
        self.control.requests()
    }

    /// What Ante's shoppers do.
    pub fn ante(&self) -> Ante<'_> {
        self.control.ante()
    }

    /// What FairShare's contributors do, and where its webhooks go.
    pub fn fairshare(&self) -> FairShare<'_> {
        self.control.fairshare()
    }

    /// What Splitable's team members do.
    pub fn splitable(&self) -> Splitable<'_> {
        self.control.splitable()
    }

    /// Zepto's processing cycle, webhook endpoints and tokens, and what its Contacts do.
    pub fn zepto(&self) -> Zepto<'_> {
        self.control.zepto()
    }

    /// Moves the emulator clock forward and applies every expiry that became due, at once;
    /// webhook retries that came due follow in the background. `emulator.clock().advance(..)`
    /// does the same and returns once those retries were made.
    pub fn advance_clock(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.shared.advance_clock(seconds);
    }

    /// Forgets every resource, fault and logged delivery and sets the clock back (as
    /// `POST /_emulator/reset`). The configuration is kept.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Stops serving, drops pending webhooks, and waits (up to five seconds) for open
    /// connections to finish.
    pub async fn shutdown(mut self) {
        self.shared.shutdown.send_replace(true);
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}
