//! [`EmulatorConfig`]: where to listen, where webhooks go, and the knobs of each provider.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::retry::{MAX_RETRIES, RetrySchedule, RetrySchedules};
use crate::seed;
use crate::webhooks::Provider;

/// How the emulator runs. Start from [`EmulatorConfig::default`] and change what you need,
/// with the setters or by assigning the public fields.
///
/// ```
/// use std::time::Duration;
/// use splitkit_emulator::EmulatorConfig;
///
/// let config = EmulatorConfig::default()
///     .port(4010)
///     .fairshare_webhook_url("http://127.0.0.1:3000/webhooks/fairshare")
///     .zepto_webhook_url("http://127.0.0.1:3000/webhooks/zepto")
///     .zepto_access_token_ttl(Duration::from_secs(60))
///     .webhook_retry_delays(vec![Duration::from_millis(10); 3]);
/// assert_eq!(config.bind.port(), 4010);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EmulatorConfig {
    /// Address to listen on. Default `127.0.0.1:0` (an ephemeral port).
    pub bind: SocketAddr,
    /// When each provider retries a failed webhook delivery, on the emulator clock: by
    /// default as the provider does ([`RetrySchedule::for_provider`]). See
    /// [`EmulatorConfig::webhook_retry_schedule`].
    webhook_retries: RetrySchedules,
    /// How long one webhook attempt may take before it counts as unanswered. Default 5 s.
    pub webhook_timeout: Duration,
    /// How many delivery attempts the log keeps (oldest dropped first). Default 10 000.
    pub max_logged_deliveries: usize,
    /// How many API requests the request log keeps (oldest dropped first). Default 10 000.
    pub max_logged_requests: usize,
    /// Accept what the providers' documents do not (default `false`: strict). Strict, the
    /// emulator answers a request that breaks a documented rule with the provider's error, as
    /// the provider would, and holds requests to the documented fields, types and headers; see
    /// the crate documentation ("Strict by default") for what each provider rejects. Lenient
    /// is for exploring: it accepts the variants a provider may also accept (other header
    /// names, other orders, unknown fields).
    pub lenient: bool,
    /// How often due expiries are applied in the background. Default 250 ms. (Every request
    /// and every clock advance also applies them.)
    pub sweep_interval: Duration,

    /// Ante: whether secret-key session creation without a cart signature ("headless") is
    /// enabled for the merchant. Default `false` (403 `Headless REST requires onboarding`).
    pub ante_headless_enabled: bool,
    /// Ante: the merchant's minimum order total in minor units. Default 1000.
    pub ante_min_order_total: i64,

    /// FairShare: where webhooks go (also settable with `POST /_emulator/fairshare/webhook-url`).
    pub fairshare_webhook_url: Option<String>,
    /// FairShare: the webhook signing key. Default [`seed::FAIRSHARE_WEBHOOK_SIGNING_KEY`].
    pub fairshare_webhook_signing_key: String,
    /// FairShare: whether the live API key works. Default `false` (403 `LIVE_ACCESS_DISABLED`,
    /// "no payment method on file").
    pub fairshare_live_enabled: bool,
    /// FairShare: whether a payment gateway is connected. Default `true`; `false` makes session
    /// creation answer 409 `PSP_CONNECTION_MISSING`.
    pub fairshare_psp_connected: bool,

    /// Splitable: the HTTP status of error answers. Default 200, as split(able)'s draft (test)
    /// host answered; its live host answered 500. The body is `{"error": "..."}` either way.
    pub splitable_error_status: u16,

    /// Zepto: a webhook endpoint to register at start (more can be added with
    /// `POST /_emulator/zepto/webhooks`), signed with [`seed::ZEPTO_WEBHOOK_SECRET`].
    pub zepto_webhook_url: Option<String>,
    /// Zepto: lifetime of access tokens from the OAuth grants. Default 2 hours, as Zepto's.
    pub zepto_access_token_ttl: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            webhook_retries: RetrySchedules::default(),
            webhook_timeout: Duration::from_secs(5),
            max_logged_deliveries: 10_000,
            max_logged_requests: 10_000,
            lenient: false,
            sweep_interval: Duration::from_millis(250),
            ante_headless_enabled: false,
            ante_min_order_total: 1000,
            fairshare_webhook_url: None,
            fairshare_webhook_signing_key: seed::FAIRSHARE_WEBHOOK_SIGNING_KEY.to_string(),
            fairshare_live_enabled: false,
            fairshare_psp_connected: true,
            splitable_error_status: 200,
            zepto_webhook_url: None,
            zepto_access_token_ttl: Duration::from_secs(7200),
        }
    }
}

impl EmulatorConfig {
    /// Listens on `addr`.
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.bind = addr;
        self
    }

    /// Listens on `127.0.0.1:port`.
    pub fn port(mut self, port: u16) -> Self {
        self.bind = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        self
    }

    /// Sets when `provider` retries a failed webhook delivery. The emulator clock decides when
    /// a retry is due, so a test keeps the provider's schedule and moves the clock
    /// (`emulator.clock().advance(..)`) instead of waiting.
    pub fn webhook_retry_schedule(mut self, provider: Provider, schedule: RetrySchedule) -> Self {
        self.webhook_retries.set(provider, schedule);
        self
    }

    /// Sets the same pauses between webhook retries for every provider (for example a few
    /// milliseconds, for tests that do not move the clock).
    pub fn webhook_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        let schedule = RetrySchedule::new(delays);
        for provider in Provider::ALL {
            self.webhook_retries.set(provider, schedule.clone());
        }
        self
    }

    /// When `provider` retries a failed webhook delivery.
    pub fn retry_schedule(&self, provider: Provider) -> &RetrySchedule {
        self.webhook_retries.get(provider)
    }

    /// Sets the per-attempt webhook timeout.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// Accepts what the providers' documents do not (see [`EmulatorConfig::lenient`]).
    pub fn lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Sets how many API requests the request log keeps.
    pub fn max_logged_requests(mut self, max: usize) -> Self {
        self.max_logged_requests = max;
        self
    }

    /// Sets how many delivery attempts the log keeps.
    pub fn max_logged_deliveries(mut self, max: usize) -> Self {
        self.max_logged_deliveries = max;
        self
    }

    /// Enables or disables Ante's headless (unsigned, secret-key) session creation.
    pub fn ante_headless_enabled(mut self, enabled: bool) -> Self {
        self.ante_headless_enabled = enabled;
        self
    }

    /// Sets Ante's minimum order total (minor units).
    pub fn ante_min_order_total(mut self, minimum: i64) -> Self {
        self.ante_min_order_total = minimum;
        self
    }

    /// Sends FairShare webhooks to `url`.
    pub fn fairshare_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.fairshare_webhook_url = Some(url.into());
        self
    }

    /// Signs FairShare webhooks with `key`.
    pub fn fairshare_webhook_signing_key(mut self, key: impl Into<String>) -> Self {
        self.fairshare_webhook_signing_key = key.into();
        self
    }

    /// Lets the FairShare live key work.
    pub fn fairshare_live_enabled(mut self, enabled: bool) -> Self {
        self.fairshare_live_enabled = enabled;
        self
    }

    /// Connects or disconnects FairShare's payment gateway.
    pub fn fairshare_psp_connected(mut self, connected: bool) -> Self {
        self.fairshare_psp_connected = connected;
        self
    }

    /// Sets the HTTP status of Splitable error answers (200 draft host, 500 live host).
    pub fn splitable_error_status(mut self, status: u16) -> Self {
        self.splitable_error_status = status;
        self
    }

    /// Registers a Zepto webhook endpoint at `url` at start.
    pub fn zepto_webhook_url(mut self, url: impl Into<String>) -> Self {
        self.zepto_webhook_url = Some(url.into());
        self
    }

    /// Sets the lifetime of Zepto OAuth access tokens.
    pub fn zepto_access_token_ttl(mut self, ttl: Duration) -> Self {
        self.zepto_access_token_ttl = ttl;
        self
    }

    /// Checks the settings that could only fail later.
    pub(crate) fn validate(&self) -> Result<(), String> {
        for (name, url) in [
            ("fairshare_webhook_url", &self.fairshare_webhook_url),
            ("zepto_webhook_url", &self.zepto_webhook_url),
        ] {
            if let Some(url) = url
                && !crate::util::is_http_url(url)
            {
                return Err(format!("{name} is not an http(s) URL: {url}"));
            }
        }
        if !(200..=599).contains(&self.splitable_error_status) {
            return Err(format!(
                "splitable_error_status must be an HTTP status, got {}",
                self.splitable_error_status
            ));
        }
        let ttl = self.zepto_access_token_ttl.as_secs();
        if ttl == 0 || ttl > crate::zepto::MAX_TOKEN_TTL_SECONDS {
            return Err("zepto_access_token_ttl must be between 1 second and ten years".into());
        }
        for provider in Provider::ALL {
            if self.retry_schedule(provider).delays().len() > MAX_RETRIES {
                return Err(format!(
                    "the {} webhook retry schedule has more than {MAX_RETRIES} retries",
                    provider.as_str()
                ));
            }
        }
        Ok(())
    }
}
